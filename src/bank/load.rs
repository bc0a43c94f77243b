//! Parsing bank files into questions, collecting every problem instead of stopping at the first.

use serde::Deserialize;

use super::model::{KeyPoint, Kind, Level, Question, StarExpectations, Topic};
use crate::assets::SourceFile;
use crate::lint::Problem;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuestion {
    id: String,
    level: String,
    kind: String,
    text: String,
    key_points: Vec<RawKeyPoint>,
    follow_ups: Vec<String>,
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
}

/// A question together with the file it came from.
pub struct Located {
    pub file: String,
    pub question: Question,
}

/// Parses every file. Questions that cannot be typed (bad TOML, unknown level, missing field)
/// become problems; the rest are returned for the content checks in `lint`.
pub fn parse(files: &[SourceFile]) -> (Vec<Located>, Vec<Problem>) {
    let mut located = Vec::new();
    let mut problems = Vec::new();
    for file in files {
        parse_file(file, &mut located, &mut problems);
    }
    (located, problems)
}

fn parse_file(file: &SourceFile, out: &mut Vec<Located>, problems: &mut Vec<Problem>) {
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
        match type_question(raw, topic) {
            Ok(question) => out.push(Located {
                file: file.path.clone(),
                question,
            }),
            Err(messages) => problems.extend(messages.into_iter().map(|m| Problem::new(f, &id, m))),
        }
    }
}

fn type_question(raw: RawQuestion, topic: Topic) -> Result<Question, Vec<String>> {
    let level = raw.level.parse::<Level>();
    let kind = raw.kind.parse::<Kind>();
    match (level, kind) {
        (Ok(level), Ok(kind)) => Ok(Question {
            id: raw.id,
            topic,
            level,
            kind,
            text: raw.text.trim().to_string(),
            key_points: raw
                .key_points
                .into_iter()
                .map(|k| KeyPoint::new(k.text.trim().to_string(), k.weight, k.terms))
                .collect(),
            follow_ups: raw
                .follow_ups
                .into_iter()
                .map(|s| s.trim().to_string())
                .collect(),
            tags: raw.tags,
            star: raw.star,
        }),
        (level, kind) => Err([level.err(), kind.err()].into_iter().flatten().collect()),
    }
}
