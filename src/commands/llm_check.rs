//! `rehearse llm-check`: proves the configured endpoint works with rehearse's settings — a
//! streamed completion (tokens printed as they arrive, timings, usage), then the judge on a
//! sample answer, reporting whether its JSON validated and why not.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use tokio::sync::mpsc;

use super::UsageError;
use crate::config::Settings;
use crate::content::{load_bank, load_rubrics};
use crate::evaluate::judge::Judge;
use crate::llm::{ChatMessage, ChatRequest, LlmClient};
use crate::prompts::Prompts;

const SAMPLE: &str = "The GIL, CPython's global interpreter lock, lets only one thread execute Python bytecode \
    at a time. So CPU-bound code gets no faster with threads, but I/O-bound code still benefits because the lock \
    is released during blocking I/O. For CPU work I would use multiprocessing instead.";

pub async fn run(settings: &Settings, question_id: &str) -> anyhow::Result<ExitCode> {
    let llm = &settings.llm;
    let base = llm
        .base_url
        .as_deref()
        .ok_or_else(|| UsageError("no [llm] base_url is configured".into()))?;
    let client = Arc::new(LlmClient::new(llm)?);
    println!(
        "endpoint {base}, model {}, judge model {}",
        llm.model,
        llm.judge_model.as_deref().unwrap_or(&llm.model)
    );
    println!(
        "settings: json_mode {:?}, token_limit_field {:?}, include_usage {}",
        llm.json_mode, llm.token_limit_field, llm.include_usage
    );

    print!("stream: ");
    std::io::stdout().flush()?;
    let (tx, mut rx) = mpsc::channel::<String>(64);
    let request = ChatRequest {
        model: llm.model.clone(),
        messages: vec![ChatMessage::user(
            "In one short sentence, what is a Python generator?",
        )],
        temperature: llm.coach_temperature,
        max_output_tokens: 60,
        json_schema: None,
    };
    let printer = async {
        let mut n = 0;
        while let Some(t) = rx.recv().await {
            print!("{t}");
            let _ = std::io::stdout().flush();
            n += 1;
        }
        n
    };
    let (streamed, pieces) = tokio::join!(client.stream(&request, tx), printer);
    let mut ok = true;
    match streamed {
        Ok(done) => println!(
            "\n  ok: {pieces} pieces, first token {:.0} ms, total {:.0} ms, usage {}",
            done.first_token.as_secs_f64() * 1e3,
            done.total.as_secs_f64() * 1e3,
            done.usage.map_or("not reported".into(), |u| format!(
                "{} prompt + {} completion tokens",
                u.prompt_tokens, u.completion_tokens
            ))
        ),
        Err(e) => {
            ok = false;
            println!("\n  FAILED ({}): {e}", e.kind());
        }
    }

    let bank = load_bank(&settings.content)?;
    let rubrics = load_rubrics(&settings.content)?;
    let question = bank
        .get(question_id)
        .ok_or_else(|| UsageError(format!("unknown question id `{question_id}`")))?;
    let judge = Judge::new(
        client,
        Arc::new(Prompts::load(&settings.content.prompts)?),
        llm,
    );
    println!("judge: grading a sample answer to {question_id}…");
    match judge
        .judge(question, rubrics.for_kind(question.kind), SAMPLE)
        .await
    {
        Ok(j) => println!(
            "  ok: overall {}/100, {} criteria, {} of {} key points covered, flags {:?}, {} ms",
            j.evaluation.overall,
            j.evaluation.criteria.len(),
            j.evaluation.key_points.iter().filter(|k| k.covered).count(),
            j.evaluation.key_points.len(),
            j.evaluation.flags,
            j.provenance.latency_ms.unwrap_or_default()
        ),
        Err(e) => {
            ok = false;
            println!("  FAILED ({}): {e}", e.kind());
            println!(
                "  (answers would get the built-in evaluation as `fallback` and be queued for a regrade)"
            );
        }
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
