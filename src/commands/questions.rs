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
