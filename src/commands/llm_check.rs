//! `rehearse llm-check`: proves the configured endpoint works with rehearse's settings and says
//! how well it grades — a streamed completion (tokens printed as they arrive; a stream that
//! yields nothing fails), the JSON mode the endpoint enforces, then the judge on the rubrics'
//! calibration answers (strong and weak, technical and behavioral): how many judgements
//! validated, whether strong answers outscored weak ones, the repairs used, latency and prompt
//! size, and the settings it recommends. The last line is the same report as JSON.

use serde::Serialize;
use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

use super::UsageError;
use crate::config::{JsonMode, Settings};
use crate::content::{load_bank, load_rubrics};
use crate::evaluate::judge::Judge;
use crate::llm::{ChatMessage, ChatRequest, LlmClient};
use crate::prompts::Prompts;
use crate::rubric::{CalibrationAgreement, calibration_agreement};

/// What to check.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Only these rubrics' calibration answers (all when empty).
    pub rubrics: Vec<String>,
    /// At most this many calibration answers per rubric.
    pub examples: Option<usize>,
}

/// One graded calibration answer.
#[derive(Debug, Clone, Default, Serialize)]
struct Trial {
    rubric: String,
    question: String,
    expected: u8,
    /// The judge's overall, when its judgement validated.
    overall: Option<u8>,
    error: Option<String>,
    repairs: Vec<String>,
    /// Criteria lowered to agree with the judgement's own verdicts.
    adjustments: Vec<String>,
    truncated_retry: bool,
    latency_ms: u64,
    prompt_tokens: Option<u64>,
    prompt_tokens_estimate: Option<u32>,
    prompt_profile: Option<String>,
}

/// The whole report (printed last as one JSON line).
#[derive(Debug, Clone, Serialize)]
struct Report {
    stream_ok: bool,
    stream_pieces: usize,
    json_mode: String,
    judgements: usize,
    valid: usize,
    valid_percent: f64,
    /// Pairs of answers to one question with different expected scores, and how many the judge
    /// put in the same order.
    pairs: usize,
    pairs_ordered: usize,
    /// Spearman over the valid judgements, from `MIN_EXAMPLES_FOR_CORRELATION` of them on.
    spearman: Option<f64>,
    /// The calibration sample: its size, and whether it was large enough for a correlation.
    agreement: Option<CalibrationAgreement>,
    mean_absolute_error: Option<f64>,
    repairs: Vec<String>,
    median_latency_ms: Option<u64>,
    max_latency_ms: Option<u64>,
    median_prompt_tokens: Option<u64>,
    recommended_json_mode: String,
    recommended_prompt_profile: String,
    recommended_judge_timeout_secs: Option<u64>,
    trials: Vec<Trial>,
}

fn median(mut v: Vec<u64>) -> Option<u64> {
    v.sort_unstable();
    v.get(v.len() / 2).copied()
}

async fn check_stream(client: &LlmClient, settings: &Settings) -> (bool, usize) {
    let llm = &settings.llm;
    print!("stream: ");
    let _ = std::io::stdout().flush();
    let (tx, mut rx) = mpsc::channel::<String>(64);
    let request = ChatRequest::new(
        llm.model.clone(),
        vec![ChatMessage::user(
            "In one short sentence, what is a Python generator?",
        )],
        llm.coach_temperature,
        60,
    );
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
    match streamed {
        Ok(_) if pieces == 0 => {
            println!("\n  FAILED: the stream finished without a single piece of text");
            (false, 0)
        }
        Ok(done) => {
            println!(
                "\n  ok: {pieces} pieces, first token {:.0} ms, total {:.0} ms, usage {}",
                done.first_token.as_secs_f64() * 1e3,
                done.total.as_secs_f64() * 1e3,
                done.usage.map_or("not reported".into(), |u| format!(
                    "{} prompt + {} completion tokens",
                    u.prompt_tokens, u.completion_tokens
                ))
            );
            (true, pieces)
        }
        Err(e) => {
            println!("\n  FAILED ({}): {e}", e.kind());
            (false, pieces)
        }
    }
}

pub async fn run(settings: &Settings, options: &Options) -> anyhow::Result<ExitCode> {
    let llm = &settings.llm;
    let base = llm
        .base_url
        .as_deref()
        .ok_or_else(|| UsageError("no [llm] base_url is configured".into()))?;
    let client = Arc::new(LlmClient::new(llm)?);
    let judge_model = llm.judge_model.as_deref().unwrap_or(&llm.model);
    println!(
        "endpoint {base}, model {}, judge model {judge_model}",
        llm.model
    );
    println!(
        "settings: json_mode {}, prompt_profile {}, context_tokens {}, judge_timeout_secs {}, token_limit_field {:?}, include_usage {}",
        llm.json_mode.as_str(),
        llm.prompt_profile.as_str(),
        llm.context_tokens,
        llm.judge_timeout_secs,
        llm.token_limit_field,
        llm.include_usage
    );
    let (stream_ok, stream_pieces) = check_stream(&client, settings).await;

    print!("json mode: ");
    let _ = std::io::stdout().flush();
    let probed = match client.probe_json_mode(judge_model).await {
        Ok(mode) => {
            println!(
                "the endpoint {} (probe)",
                if mode.enforces_schema() {
                    format!("accepts and enforces `{}`", mode.as_str())
                } else {
                    format!("enforces no schema; `{}` works", mode.as_str())
                }
            );
            Some(mode)
        }
        Err(e) => {
            println!("probe FAILED ({}): {e}", e.kind());
            None
        }
    };
    // The probe's finding is what `auto` uses from here on (no second probe).
    let in_force = client.json_mode(judge_model).await;

    let bank = load_bank(&settings.content)?;
    let rubrics = load_rubrics(&settings.content)?;
    let judge = Judge::new(
        client.clone(),
        Arc::new(Prompts::load(&settings.content.prompts)?),
        llm,
    );
    let mut trials = Vec::new();
    for rubric in rubrics.all() {
        if !options.rubrics.is_empty() && !options.rubrics.contains(&rubric.id) {
            continue;
        }
        let take = options.examples.unwrap_or(usize::MAX);
        for example in rubric.calibration.iter().take(take) {
            let question = bank.get(&example.question_id).ok_or_else(|| {
                UsageError(format!(
                    "rubric {}: calibration question `{}` is not in the bank",
                    rubric.id, example.question_id
                ))
            })?;
            print!(
                "judge: {} / {} (expected {}) … ",
                rubric.id, example.question_id, example.expected_overall
            );
            let _ = std::io::stdout().flush();
            let started = std::time::Instant::now();
            let result = judge.judge(question, rubric, &example.answer).await;
            let latency_ms = started.elapsed().as_millis() as u64;
            let mut trial = Trial {
                rubric: rubric.id.clone(),
                question: example.question_id.clone(),
                expected: example.expected_overall,
                latency_ms,
                ..Trial::default()
            };
            match result {
                Ok(j) => {
                    let details = j.provenance.llm.clone().unwrap_or_default();
                    println!(
                        "{}/100 in {:.1} s{}{}",
                        j.evaluation.overall,
                        latency_ms as f64 / 1e3,
                        if details.repairs.is_empty() {
                            String::new()
                        } else {
                            format!(", repairs {}", details.repairs.join(", "))
                        },
                        if details.adjustments.is_empty() {
                            String::new()
                        } else {
                            format!("; {}", details.adjustments.join("; "))
                        }
                    );
                    trial.overall = Some(j.evaluation.overall);
                    trial.prompt_tokens = j
                        .provenance
                        .usage
                        .as_ref()
                        .and_then(|u| u.get("prompt_tokens"))
                        .and_then(serde_json::Value::as_u64);
                    trial.prompt_tokens_estimate = Some(details.prompt_tokens_estimate);
                    trial.prompt_profile = Some(details.prompt_profile);
                    trial.repairs = details.repairs;
                    trial.adjustments = details.adjustments;
                    trial.truncated_retry = details.truncated_retry;
                }
                Err(e) => {
                    println!(
                        "FAILED ({}) in {:.1} s: {e}",
                        e.kind(),
                        latency_ms as f64 / 1e3
                    );
                    trial.error = Some(format!("{}: {e}", e.kind()));
                }
            }
            trials.push(trial);
        }
    }
    let report = report(stream_ok, stream_pieces, in_force, probed, trials, settings);
    print_report(&report);
    println!("RESULT {}", serde_json::to_string(&report)?);
    let ok = report.stream_ok && report.judgements > 0 && report.valid == report.judgements;
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn report(
    stream_ok: bool,
    stream_pieces: usize,
    in_force: JsonMode,
    probed: Option<JsonMode>,
    trials: Vec<Trial>,
    settings: &Settings,
) -> Report {
    let valid: Vec<&Trial> = trials.iter().filter(|t| t.overall.is_some()).collect();
    let (mut pairs, mut ordered) = (0, 0);
    for (i, a) in valid.iter().enumerate() {
        for b in &valid[i + 1..] {
            if a.question == b.question && a.expected != b.expected {
                pairs += 1;
                let (hi, lo) = if a.expected > b.expected {
                    (a, b)
                } else {
                    (b, a)
                };
                if hi.overall > lo.overall {
                    ordered += 1;
                }
            }
        }
    }
    let scored: Vec<(f64, f64)> = valid
        .iter()
        .map(|t| (f64::from(t.expected), f64::from(t.overall.unwrap_or(0))))
        .collect();
    let agreement = (!scored.is_empty()).then(|| calibration_agreement(&scored));
    let mut repairs: Vec<String> = trials.iter().flat_map(|t| t.repairs.clone()).collect();
    repairs.sort();
    repairs.dedup();
    let latencies: Vec<u64> = trials.iter().map(|t| t.latency_ms).collect();
    let max_latency = latencies.iter().copied().max();
    // The full prompt ranks answers better (its anchors calibrate the scores); `auto` keeps it
    // whenever it fits the context window and falls back to compact only when it does not.
    let compact_only = trials
        .iter()
        .filter_map(|t| t.prompt_profile.as_deref())
        .all(|p| p == "compact")
        && settings.llm.prompt_profile == crate::config::PromptProfile::Auto
        && !trials.is_empty();
    let recommended_profile = if compact_only { "compact" } else { "auto" };
    Report {
        stream_ok,
        stream_pieces,
        json_mode: in_force.as_str().to_string(),
        judgements: trials.len(),
        valid: valid.len(),
        valid_percent: if trials.is_empty() {
            0.0
        } else {
            100.0 * valid.len() as f64 / trials.len() as f64
        },
        pairs,
        pairs_ordered: ordered,
        spearman: agreement.and_then(|a| a.spearman),
        agreement,
        mean_absolute_error: agreement.map(|a| a.mean_absolute_error),
        repairs,
        median_latency_ms: median(latencies),
        max_latency_ms: max_latency,
        median_prompt_tokens: median(trials.iter().filter_map(|t| t.prompt_tokens).collect()),
        recommended_json_mode: probed.unwrap_or(in_force).as_str().to_string(),
        recommended_prompt_profile: recommended_profile.to_string(),
        // Room for the slowest judgement seen, with half again as margin.
        recommended_judge_timeout_secs: max_latency
            .map(|ms| Duration::from_millis(ms * 3 / 2).as_secs().max(10)),
        trials,
    }
}

fn print_report(r: &Report) {
    println!(
        "\nvalid judgements: {}/{} ({:.0} %)",
        r.valid, r.judgements, r.valid_percent
    );
    println!(
        "ranking: strong above weak in {}/{} pairs; Spearman {}; mean absolute error {}",
        r.pairs_ordered,
        r.pairs,
        r.agreement.map_or("n/a".into(), |a| a.spearman_text()),
        r.mean_absolute_error
            .map_or("n/a".into(), |m| format!("{m:.1} points"))
    );
    println!(
        "repairs used: {}",
        if r.repairs.is_empty() {
            "none".to_string()
        } else {
            r.repairs.join(", ")
        }
    );
    println!(
        "latency: median {} s, slowest {} s; prompt tokens (server's count): median {}",
        r.median_latency_ms
            .map_or("n/a".into(), |m| format!("{:.1}", m as f64 / 1e3)),
        r.max_latency_ms
            .map_or("n/a".into(), |m| format!("{:.1}", m as f64 / 1e3)),
        r.median_prompt_tokens
            .map_or("not reported".into(), |t| t.to_string())
    );
    println!(
        "recommended: json_mode = \"{}\", prompt_profile = \"{}\"{}",
        r.recommended_json_mode,
        r.recommended_prompt_profile,
        r.recommended_judge_timeout_secs
            .map_or(String::new(), |s| format!(", judge_timeout_secs = {s}"))
    );
    if r.valid < r.judgements {
        println!(
            "  (answers whose judgement does not validate get the built-in evaluation as `fallback` and are queued for a regrade)"
        );
    }
}
