//! Parsing bank files into questions, collecting every problem instead of stopping at the first.

use serde::Deserialize;
use std::sync::Arc;

use super::model::{KeyPoint, Kind, Level, Misconception, Question, StarExpectations, Topic};
use crate::assets::SourceFile;
use crate::lint::Problem;
use crate::text::Synonyms;

/// The shared synonym table's file name inside the bank directory.
pub const SYNONYMS_FILE: &str = "_synonyms.toml";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuestion {
    id: String,
    level: String,
    kind: String,
    text: String,
    key_points: Vec<RawKeyPoint>,
    /// Replaced by `key_points[i].follow_up`; kept only to report where it still stands.
    #[serde(default)]
    follow_ups: Option<Vec<String>>,
    #[serde(default)]
    misconceptions: Vec<RawMisconception>,
    #[serde(default)]
    model_answer: String,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    star: Option<StarExpectations>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKeyPoint {
    text: String,
    weight: f64,
    terms: Vec<String>,
    #[serde(default)]
    hint: String,
    #[serde(default)]
    follow_up: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMisconception {
    text: String,
    terms: Vec<String>,
    correction: String,
}

/// A question together with the file it came from.
pub struct Located {
    pub file: String,
    pub question: Question,
}

/// A parsed bank: its questions, the synonym table they were compiled with, and every problem.
pub struct Parsed {
    pub located: Vec<Located>,
    pub synonyms: Arc<Synonyms>,
    pub problems: Vec<Problem>,
}

/// Parses every file. Questions that cannot be typed (bad TOML, unknown level, missing field)
/// become problems; the rest are returned for the content checks in `lint`. The synonym table
/// is read first, because every term is compiled with it.
pub fn parse(files: &[SourceFile]) -> Parsed {
    let mut located = Vec::new();
    let mut problems = Vec::new();
    let synonyms = Arc::new(match files.iter().find(|f| is_synonyms(f)) {
        None => Synonyms::empty(),
        Some(f) => Synonyms::parse(&f.path, &f.contents).unwrap_or_else(|p| {
            problems.extend(p);
            Synonyms::empty()
        }),
    });
    for file in files.iter().filter(|f| !is_synonyms(f)) {
        parse_file(file, &synonyms, &mut located, &mut problems);
    }
    super::profile::build(&mut located, &synonyms);
    Parsed {
        located,
        synonyms,
        problems,
    }
}

fn is_synonyms(file: &SourceFile) -> bool {
    file.path.ends_with(SYNONYMS_FILE)
}

fn parse_file(
    file: &SourceFile,
    synonyms: &Arc<Synonyms>,
    out: &mut Vec<Located>,
    problems: &mut Vec<Problem>,
) {
    let f = Some(file.path.as_str());
    let table: toml::Table = match toml::from_str(&file.contents) {
        Ok(t) => t,
        Err(e) => {
            problems.push(Problem::new(
                f,
                "",
                format!("invalid TOML: {}", e.message()),
            ));
            return;
        }
    };
    let topic = match table.get("topic").and_then(|v| v.as_str()) {
        None => {
            problems.push(Problem::new(
                f,
                "",
                "missing `topic = \"...\"` at the top of the file",
            ));
            return;
        }
        Some(t) => match t.parse::<Topic>() {
            Ok(topic) => topic,
            Err(e) => {
                problems.push(Problem::new(f, "", e));
                return;
            }
        },
    };
    if file.stem() != topic.as_str() {
        problems.push(Problem::new(
            f,
            "",
            format!("file holds topic `{topic}` and should be named {topic}.toml"),
        ));
    }
    for key in table.keys().filter(|k| *k != "topic" && *k != "questions") {
        problems.push(Problem::new(
            f,
            "",
            format!("unknown top-level key `{key}`"),
        ));
    }
    let Some(entries) = table.get("questions").and_then(|v| v.as_array()) else {
        problems.push(Problem::new(f, "", "no `[[questions]]` entries"));
        return;
    };
    for (i, entry) in entries.iter().enumerate() {
        let id = entry
            .get("id")
            .and_then(|v| v.as_str())
            .map_or_else(|| format!("questions[{i}]"), str::to_string);
        let raw = match RawQuestion::deserialize(entry.clone()) {
            Ok(raw) => raw,
            Err(e) => {
                problems.push(Problem::new(f, id, e.message().trim().to_string()));
                continue;
            }
        };
        if raw.follow_ups.is_some() {
            problems.push(Problem::new(
                f,
                &id,
                "`follow_ups` is replaced by `follow_up` on each key point (the question it asks \
                 must not name the point)",
            ));
        }
        match type_question(raw, topic, synonyms) {
            Ok(question) => out.push(Located {
                file: file.path.clone(),
                question,
            }),
            Err(messages) => problems.extend(messages.into_iter().map(|m| Problem::new(f, &id, m))),
        }
    }
}

fn type_question(
    raw: RawQuestion,
    topic: Topic,
    synonyms: &Arc<Synonyms>,
) -> Result<Question, Vec<String>> {
    let level = raw.level.parse::<Level>();
    let kind = raw.kind.parse::<Kind>();
    let text = raw.text.trim().to_string();
    let mut text_tokens = crate::text::content_tokens(&text);
    text_tokens.sort_unstable();
    text_tokens.dedup();
    match (level, kind) {
        (Ok(level), Ok(kind)) => Ok(Question {
            id: raw.id,
            topic,
            level,
            kind,
            text,
            key_points: raw
                .key_points
                .into_iter()
                .map(|k| {
                    KeyPoint::new(
                        k.text.trim().to_string(),
                        k.weight,
                        k.terms,
                        k.hint.trim().to_string(),
                        k.follow_up.trim().to_string(),
                        synonyms,
                    )
                })
                .collect(),
            misconceptions: raw
                .misconceptions
                .into_iter()
                .map(|m| {
                    Misconception::new(
                        m.text.trim().to_string(),
                        m.terms,
                        m.correction.trim().to_string(),
                        synonyms,
                    )
                })
                .collect(),
            model_answer: raw.model_answer.trim().to_string(),
            tags: raw.tags,
            star: raw.star,
            synonyms: Arc::clone(synonyms),
            text_tokens,
        }),
        (level, kind) => Err([level.err(), kind.err()].into_iter().flatten().collect()),
    }
}
