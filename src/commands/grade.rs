//! `rehearse grade`: grade one answer with the built-in evaluator.

use anyhow::Context;
use std::io::Read;
use std::process::ExitCode;

use super::UsageError;
use crate::cli::GradeArgs;
use crate::config::Settings;
use crate::content::{load_bank, load_rubrics};
use crate::evaluate::{Evaluation, builtin};

pub fn run(settings: &Settings, args: &GradeArgs) -> anyhow::Result<ExitCode> {
    let bank = load_bank(&settings.content)?;
    let rubrics = load_rubrics(&settings.content)?;
    let question = bank.get(&args.question).ok_or_else(|| {
        UsageError(format!(
            "unknown question id `{}` (see `rehearse questions list`)",
            args.question
        ))
    })?;
    let answer = match (&args.answer, &args.answer_file) {
        (Some(text), _) => text.clone(),
        (None, Some(path)) => {
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?
        }
        (None, None) => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .context("reading the answer from standard input")?;
            text
        }
    };
    if answer.trim().is_empty() {
        return Err(UsageError("the answer is empty".into()).into());
    }
    let evaluation = builtin::evaluate(question, rubrics.for_kind(question.kind), &answer);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&evaluation)?);
    } else {
        print_human(&question.id, &evaluation);
        println!(
            "\nModel answer\n  {}",
            question.model_answer.replace('\n', "\n  ")
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn print_human(question_id: &str, e: &Evaluation) {
    println!(
        "{question_id}: {}/100, {} (rubric {} v{}, {} {})",
        e.overall,
        if e.passed { "passed" } else { "not passed" },
        e.rubric.id,
        e.rubric.version,
        e.evaluator.name,
        e.evaluator.version
    );
    if let Some(c) = e.confidence {
        println!(
            "Keyword-and-structure estimate, confidence {}: it reads which points are made, not whether the reasoning holds.",
            c.as_str()
        );
    }
    println!("\nCriteria");
    for c in &e.criteria {
        println!("  {:<24} {}/{}  {}", c.name, c.score, c.max, c.rationale);
    }
    if !e.key_points.is_empty() {
        println!("\nKey points");
        for k in &e.key_points {
            println!("  [{}] {}", if k.covered { "x" } else { " " }, k.text);
            if let Some(ev) = &k.evidence {
                println!("        “{ev}”");
            }
        }
    }
    if !e.incorrect_claims.is_empty() {
        println!("\nIncorrect claims");
        for c in &e.incorrect_claims {
            println!("  “{}”\n        correct: {}", c.claim, c.correction);
        }
    }
    if let Some(star) = &e.star {
        println!("\nSTAR");
        for (name, part) in star.parts() {
            println!(
                "  {:<10} {}  {}",
                name,
                if part.present { "present" } else { "missing" },
                part.note
            );
            if let Some(ev) = &part.evidence {
                println!("             “{ev}”");
            }
        }
        if let Some(r) = &star.reflection {
            println!("  {:<10} “{r}”", "reflection");
        }
    }
    for (title, items) in [("Strengths", &e.strengths), ("To improve", &e.improvements)] {
        if !items.is_empty() {
            println!("\n{title}");
            for s in items {
                println!("  - {s}");
            }
        }
    }
    if let Some(f) = &e.follow_up {
        println!("\nFollow-up: {}\n  ({})", f.text, f.reason);
    }
    if !e.flags.is_empty() {
        let flags: Vec<&str> = e.flags.iter().map(|f| f.as_str()).collect();
        println!("\nFlags: {}", flags.join(", "));
    }
}
