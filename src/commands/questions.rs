//! `rehearse questions lint|list`.

use std::process::ExitCode;

use crate::assets::{ContentDir, read_dir};
use crate::bank::{self, Filter};
use crate::cli::QuestionsCommand;
use crate::config::Settings;
use crate::content::load_bank;

pub fn run(settings: &Settings, cmd: QuestionsCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        QuestionsCommand::Lint { dir } => {
            let dir = dir.unwrap_or_else(|| settings.content.questions.clone());
            let files = read_dir(ContentDir::Questions, &dir)?;
            let problems = bank::lint(&files);
            if problems.is_empty() {
                println!("{} file(s) checked", files.len());
            }
            Ok(super::report_problems("questions", &problems))
        }
        QuestionsCommand::List {
            topic,
            level,
            kind,
            json,
        } => {
            let bank = load_bank(&settings.content)?;
            let questions: Vec<_> = bank.filter(Filter { topic, level, kind }).collect();
            if json {
                println!("{}", serde_json::to_string_pretty(&questions)?);
            } else {
                for q in &questions {
                    println!(
                        "{:<44} {:<22} {:<7} {:<10} {}",
                        q.id,
                        q.topic,
                        q.level,
                        q.kind,
                        one_line(&q.text, 90)
                    );
                }
                eprintln!("{} question(s)", questions.len());
            }
            Ok(ExitCode::SUCCESS)
        }
        QuestionsCommand::Match {
            question,
            answer,
            dir,
        } => {
            let dir = dir.unwrap_or_else(|| settings.content.questions.clone());
            let questions = bank::parse_unchecked(&read_dir(ContentDir::Questions, &dir)?);
            let Some(q) = questions.iter().find(|q| q.id == question) else {
                return Err(super::UsageError(format!("unknown question id `{question}`")).into());
            };
            let answer = match answer {
                Some(a) => a,
                None => {
                    let mut text = String::new();
                    std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)?;
                    text
                }
            };
            print_matches(q, &answer);
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn print_matches(q: &crate::bank::Question, answer: &str) {
    use crate::text::{Polarity, split_sentences};
    let named = q
        .key_points
        .iter()
        .enumerate()
        .map(|(i, k)| (format!("key point {i}"), k.compiled_terms()))
        .chain(
            q.misconceptions
                .iter()
                .enumerate()
                .map(|(i, m)| (format!("MISCONCEPTION {i}"), m.compiled_terms())),
        )
        .collect::<Vec<_>>();
    for s in split_sentences(&crate::text::normalize(answer), &q.synonyms) {
        println!("“{}”", s.text);
        for (i, k) in q.key_points.iter().enumerate() {
            let (score, words) =
                crate::evaluate::builtin::coverage::other_words_score(&k.profile, &s);
            if score >= 0.3 {
                let made =
                    crate::evaluate::builtin::coverage::in_other_words(&k.profile, &s).is_some();
                println!(
                    "    key point {i}: {} words {score:.2} [{}]",
                    if made { "made in other" } else { "shares" },
                    words.join(" ")
                );
            }
        }
        for (name, terms) in &named {
            for t in terms.iter() {
                if let Some(m) = t.find(&s) {
                    let how = match m.polarity {
                        Polarity::Asserted => "asserted",
                        Polarity::Denied => "DENIED",
                        Polarity::Unclear => "unclear (negation across clauses)",
                    };
                    println!("    {name}: `{}` {how}", t.source());
                }
            }
        }
    }
}

fn one_line(text: &str, max: usize) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        flat
    } else {
        format!("{}…", flat.chars().take(max - 1).collect::<String>())
    }
}
