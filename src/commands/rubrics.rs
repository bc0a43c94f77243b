//! `rehearse rubrics list|lint`.

use std::process::ExitCode;

use crate::assets::{ContentDir, read_dir};
use crate::cli::RubricsCommand;
use crate::config::Settings;
use crate::content::{load_bank, load_rubrics};
use crate::rubric;

pub fn run(settings: &Settings, cmd: RubricsCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        RubricsCommand::Lint { dir } => {
            let dir = dir.unwrap_or_else(|| settings.content.rubrics.clone());
            let files = read_dir(ContentDir::Rubrics, &dir)?;
            // Calibration examples are checked against the bank when the bank itself is valid.
            let bank = load_bank(&settings.content).ok();
            let problems = rubric::lint(&files, bank.as_ref());
            Ok(super::report_problems("rubrics", &problems))
        }
        RubricsCommand::List { json } => {
            let set = load_rubrics(&settings.content)?;
            if json {
                println!("{}", serde_json::to_string_pretty(set.all())?);
                return Ok(ExitCode::SUCCESS);
            }
            for r in set.all() {
                let kinds: Vec<&str> = r.kinds.iter().map(|k| k.as_str()).collect();
                let criteria: Vec<String> = r
                    .criteria
                    .iter()
                    .map(|c| format!("{}×{}", c.id, c.weight))
                    .collect();
                println!(
                    "{:<16} v{:<3} {:<28} kinds: {:<20} scale {}–{}  pass {}  criteria: {}",
                    r.id,
                    r.version,
                    r.name,
                    kinds.join(","),
                    r.scale.min,
                    r.scale.max,
                    r.pass_mark,
                    criteria.join(", ")
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
