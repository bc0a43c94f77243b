//! `rehearse rubrics list|lint`.

use std::process::ExitCode;

use crate::assets::{ContentDir, read_dir};
use crate::cli::RubricsCommand;
use crate::config::Settings;
use crate::content::{load_bank, load_rubrics};
use crate::rubric;

pub async fn run(settings: &Settings, cmd: RubricsCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        RubricsCommand::Calibrate { rubric, json } => {
            calibrate(settings, rubric.as_deref(), json).await
        }
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

async fn calibrate(
    settings: &Settings,
    only: Option<&str>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let services = crate::startup::services(settings).await?;
    let rubrics: Vec<_> = services
        .rubrics
        .all_latest()
        .into_iter()
        .filter(|r| only.is_none_or(|id| r.id == id))
        .collect();
    if rubrics.is_empty() {
        return Err(super::UsageError(format!("no rubric `{}`", only.unwrap_or_default())).into());
    }
    let mut reports = Vec::new();
    for r in rubrics.iter().filter(|r| !r.calibration.is_empty()) {
        let report = crate::staff::calibrate(&services, r)
            .await
            .map_err(|e| anyhow::anyhow!("{}: {e}", r.id))?;
        if !json {
            let a = report.agreement;
            println!(
                "{} v{}: {} example(s), mean absolute error {:.1}, Spearman {}",
                report.rubric_id,
                report.version,
                a.n,
                a.mean_absolute_error,
                a.spearman_text()
            );
            for row in &report.examples {
                println!(
                    "    {:<40} expected {:>3}  got {:>3} ({})  {:+}",
                    row.question_id,
                    row.expected_overall,
                    row.actual_overall,
                    row.source,
                    row.difference
                );
            }
        }
        reports.push(report);
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&reports)?);
    }
    services.store.close().await;
    Ok(ExitCode::SUCCESS)
}
