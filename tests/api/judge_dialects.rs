//! The judge against servers that speak different JSON dialects: the tight per-request schema (a
//! mock that writes its reply from the schema alone must produce a judgement that validates), the
//! `auto` probe, lenient repair, the truncation retry, the judge's own deadline, the prompt
//! profiles and a prompt prefix that servers can cache, the answer rewrite, and `llm-check`.

use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

use rehearse::bank::Question;
use rehearse::config::{JsonMode, LlmSettings, PromptProfile};
use rehearse::evaluate::Source;
use rehearse::evaluate::judge::{Judge, JudgeError, evidence_choices};
use rehearse::llm::{LlmClient, LlmError, TimeoutKind};
use rehearse::prompts::Prompts;

use crate::app::spawn_app_with;
use crate::helpers::{question, rubric_for};
use crate::llm::{GIL_ANSWER, llm_app, settings};
use crate::mock_llm::{MockLlm, Reply, answer_and_nonce, schema_of};

const STAR_ANSWER: &str = "Last year our nightly billing job kept failing and invoices went out late. I owned \
    the fix because I had written the job. I added retries with backoff, split the run into batches and \
    wrote an alert for partial failures. Late invoices dropped from twelve a month to zero.";

fn judge_with(settings: &LlmSettings) -> Judge {
    let client = Arc::new(LlmClient::new(settings).unwrap());
    let prompts = Arc::new(Prompts::load(std::path::Path::new("prompts")).unwrap());
    Judge::new(client, prompts, settings)
}

fn with_mode(mock: &MockLlm, mode: JsonMode) -> LlmSettings {
    LlmSettings {
        json_mode: mode,
        ..settings(mock)
    }
}

/// Every `maxLength` in a schema.
fn has_max_length(v: &Value) -> bool {
    match v {
        Value::Object(o) => o.contains_key("maxLength") || o.values().any(has_max_length),
        Value::Array(a) => a.iter().any(has_max_length),
        _ => false,
    }
}

fn check_schema(schema: &Value, q: &Question, answer: &str, prompt: &str) {
    let rubric = rubric_for(q);
    let (_, nonce) = answer_and_nonce(prompt).unwrap();
    let pinned = &schema["properties"]["nonce"];
    assert!(
        pinned["const"] == json!(nonce) || pinned["enum"] == json!([nonce]),
        "the nonce is fixed: {pinned}"
    );
    let ids: Vec<&String> = schema["properties"]["criteria"]["properties"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    let rubric_ids: Vec<&String> = rubric.criteria.iter().map(|c| &c.id).collect();
    assert_eq!(ids, rubric_ids, "one key per criterion, in rubric order");
    let first = &schema["properties"]["criteria"]["properties"][rubric_ids[0].as_str()];
    let scale: Vec<u8> = (rubric.scale.min..=rubric.scale.max).collect();
    assert_eq!(first["properties"]["score"]["enum"], json!(scale));
    assert_eq!(
        first["properties"]["evidence"]["items"]["enum"],
        json!(evidence_choices(answer))
    );
    let order: Vec<&String> = schema["properties"].as_object().unwrap().keys().collect();
    if q.kind == rehearse::bank::Kind::Behavioral {
        assert_eq!(
            schema["properties"]["star"]["required"],
            json!(["situation", "task", "action", "result"])
        );
        assert!(!order.iter().any(|k| *k == "key_points"));
    } else {
        let points: Vec<String> = (0..q.key_points.len()).map(|i| i.to_string()).collect();
        assert_eq!(
            schema["properties"]["key_points"]["required"],
            json!(points)
        );
        assert_eq!(schema["properties"]["star"], json!({"type": "null"}));
    }
    assert_eq!(
        schema["properties"]["follow_up"]["anyOf"][1],
        json!({"type": "null"}),
        "the follow-up's non-null branch comes first"
    );
    let reasons = &schema["properties"]["follow_up"]["anyOf"][0]["properties"]["reason"]["enum"];
    assert!(
        reasons.as_array().is_some_and(|r| !r.is_empty()),
        "{reasons}"
    );
    assert_eq!(order[0], "nonce");
    assert_eq!(order.last().unwrap().as_str(), "follow_up");
}

#[tokio::test]
async fn a_reply_written_from_the_schema_alone_validates_in_every_schema_dialect() {
    for mode in [JsonMode::JsonSchema, JsonMode::JsonObjectSchema] {
        for (id, answer) in [
            ("conc-gil-basics", GIL_ANSWER),
            ("beh-teammate-conflict", STAR_ANSWER),
        ] {
            let mock = MockLlm::start().await;
            let q = question(id);
            let judged = judge_with(&with_mode(&mock, mode))
                .judge(q, rubric_for(q), answer)
                .await
                .unwrap_or_else(|e| panic!("{mode:?} {id}: {e}"));
            let e = &judged.evaluation;
            assert_eq!(e.source, Source::Llm);
            assert!(e.flags.is_empty(), "{mode:?} {id}: {:?}", e.flags);
            let details = judged.provenance.llm.as_ref().unwrap();
            assert!(details.repairs.is_empty(), "{:?}", details.repairs);
            assert_eq!(details.json_mode, mode.as_str());
            let sent = &mock.received()[0];
            let schema = schema_of(&sent.body).expect("the schema is sent");
            check_schema(schema, q, answer, &sent.prompt());
            match mode {
                JsonMode::JsonSchema => {
                    assert_eq!(sent.body["response_format"]["type"], "json_schema");
                    assert_eq!(sent.body["response_format"]["json_schema"]["strict"], true);
                    assert!(
                        !has_max_length(schema),
                        "OpenAI's strict mode takes no maxLength"
                    );
                }
                _ => {
                    assert_eq!(sent.body["response_format"]["type"], "json_object");
                    assert!(has_max_length(schema), "free text is bounded");
                }
            }
            assert!(
                !sent.prompt().contains("Shape of the output"),
                "the schema is enforced, so the prompt does not repeat it"
            );
            if q.kind == rehearse::bank::Kind::Behavioral {
                let star = e.star.as_ref().unwrap();
                assert!(star.situation.present && !star.result.present);
                assert!(STAR_ANSWER.contains(star.situation.evidence.as_deref().unwrap()));
            } else {
                assert!(e.key_points[0].covered && !e.key_points.last().unwrap().covered);
                assert!(GIL_ANSWER.contains(e.key_points[0].evidence.as_deref().unwrap()));
            }
        }
    }
}

#[tokio::test]
async fn auto_finds_the_dialect_a_server_enforces_once_and_remembers_it() {
    // Like llama-cpp-python: HTTP 500 for `json_schema`, a schema on `json_object` enforced.
    let mock = MockLlm::start().await;
    mock.script([Reply::json(
        500,
        json!({"error": {"message": "response_format type must be text or json_object"}}),
    )]);
    let judge = judge_with(&with_mode(&mock, JsonMode::Auto));
    let q = question("conc-gil-basics");
    for _ in 0..2 {
        let j = judge.judge(q, rubric_for(q), GIL_ANSWER).await.unwrap();
        assert_eq!(j.provenance.llm.unwrap().json_mode, "json_object_schema");
    }
    let r = mock.received();
    assert_eq!(r.len(), 4, "two probes once, then two judgements");
    assert_eq!(r[0].body["response_format"]["type"], "json_schema");
    assert_eq!(r[1].body["response_format"]["type"], "json_object");
    assert!(r[1].body["response_format"]["schema"].is_object());
    for judged in &r[2..] {
        assert_eq!(judged.body["response_format"]["type"], "json_object");
        assert!(schema_of(&judged.body).is_some());
    }

    // A server that takes every response_format but enforces none: `json_object`, and the
    // prompt then carries the output's shape.
    let mock = MockLlm::start().await;
    let ignored = Reply::completion(r#"{"probe": "hello"}"#);
    mock.script([ignored.clone(), ignored.clone(), ignored]);
    let client = LlmClient::new(&with_mode(&mock, JsonMode::Auto)).unwrap();
    assert_eq!(
        client.probe_json_mode("m").await.unwrap(),
        JsonMode::JsonObject
    );
    let judge = judge_with(&with_mode(&mock, JsonMode::JsonObject));
    let j = judge.judge(q, rubric_for(q), GIL_ANSWER).await.unwrap();
    let sent = mock.received().pop().unwrap();
    assert_eq!(sent.body["response_format"], json!({"type": "json_object"}));
    assert!(sent.prompt().contains("Shape of the output"));
    // The prompt-following reply lists criteria as entries with ids: mended, and said so.
    assert!(
        j.provenance
            .llm
            .unwrap()
            .repairs
            .contains(&"list_of_entries".to_string())
    );
}

#[tokio::test]
async fn a_nearly_right_reply_is_mended_and_the_repairs_are_recorded() {
    let mock = MockLlm::start().await;
    mock.script([Reply::judge(|mut v| {
        // Criteria keyed in another case and with spaces, scores as strings and floats, a quote
        // wrapped in a list, a list given as one string, a boolean as text, all in a code fence.
        let criteria = v["criteria"].as_object().unwrap().clone();
        let mut renamed = serde_json::Map::new();
        for (i, (id, mut entry)) in criteria.into_iter().enumerate() {
            entry["score"] = if i % 2 == 0 { json!("4") } else { json!(4.0) };
            renamed.insert(id.to_uppercase().replace('_', " "), entry);
        }
        v["criteria"] = Value::Object(renamed);
        let quote = v["key_points"]["0"]["evidence"].clone();
        v["key_points"]["0"]["evidence"] = json!([quote]);
        v["key_points"]["1"]["covered"] = json!("true");
        v["strengths"] = json!("Names the central idea.");
        format!("```json\n{v}\n```")
    })]);
    let q = question("conc-gil-basics");
    let j = judge_with(&settings(&mock))
        .judge(q, rubric_for(q), GIL_ANSWER)
        .await
        .unwrap();
    assert!(j.evaluation.criteria.iter().all(|c| c.score == 4));
    assert_eq!(j.evaluation.strengths, ["Names the central idea."]);
    assert!(j.evaluation.key_points[0].evidence.is_some());
    assert!(j.evaluation.key_points[1].covered);
    let repairs = j.provenance.llm.unwrap().repairs;
    for r in [
        "text_around_json",
        "list_for_string",
        "string_for_list",
        "score_coerced",
        "bool_coerced",
        "id_normalised",
    ] {
        assert!(repairs.contains(&r.to_string()), "{r} in {repairs:?}");
    }
}

#[tokio::test]
async fn a_judgement_cut_off_by_the_output_limit_is_asked_for_again_with_a_larger_one() {
    let mock = MockLlm::start().await;
    mock.script([Reply::JudgeTruncated]);
    let q = question("conc-gil-basics");
    let j = judge_with(&settings(&mock))
        .judge(q, rubric_for(q), GIL_ANSWER)
        .await
        .unwrap();
    assert!(j.provenance.llm.unwrap().truncated_retry);
    let r = mock.received();
    assert_eq!(r.len(), 2);
    assert_eq!(
        r[1].body["max_tokens"].as_u64(),
        r[0].body["max_tokens"].as_u64().map(|n| n * 2)
    );
}

#[tokio::test]
async fn the_judge_waits_for_a_slow_whole_reply_but_never_retries_a_timed_out_generation() {
    // A CPU server sends nothing until the whole judgement is generated: longer than the
    // first-token timeout (1 s here), within the judge's own deadline.
    let mock = MockLlm::start().await;
    mock.script([Reply::Delayed(
        Duration::from_millis(1500),
        Box::new(Reply::judge(|v| v.to_string())),
    )]);
    let slow = LlmSettings {
        judge_timeout_secs: 10.0,
        ..settings(&mock)
    };
    let q = question("conc-gil-basics");
    judge_with(&slow)
        .judge(q, rubric_for(q), GIL_ANSWER)
        .await
        .expect("a reply within judge_timeout_secs is taken");

    let mock = MockLlm::start().await;
    mock.script([Reply::Hang(Duration::from_secs(5))]);
    let short = LlmSettings {
        judge_timeout_secs: 0.5,
        ..settings(&mock)
    };
    let err = judge_with(&short)
        .judge(q, rubric_for(q), GIL_ANSWER)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            JudgeError::Llm(LlmError::Timeout(
                TimeoutKind::FirstToken | TimeoutKind::Total
            ))
        ),
        "{err:?}"
    );
    assert_eq!(
        mock.received().len(),
        1,
        "no second generation after a timeout"
    );
}

#[tokio::test]
async fn a_small_context_gets_the_compact_prompt_and_the_prompt_prefix_is_shared_between_answers() {
    let mock = MockLlm::start().await;
    let q = question("conc-gil-basics");
    let full = judge_with(&settings(&mock));
    let small = judge_with(&LlmSettings {
        context_tokens: 2048,
        ..settings(&mock)
    });
    let a = full.judge(q, rubric_for(q), GIL_ANSWER).await.unwrap();
    let b = full
        .judge(
            q,
            rubric_for(q),
            "Threads share one lock in CPython, so only one runs bytecode.",
        )
        .await
        .unwrap();
    let c = small.judge(q, rubric_for(q), GIL_ANSWER).await.unwrap();
    let forced = judge_with(&LlmSettings {
        prompt_profile: PromptProfile::Compact,
        ..settings(&mock)
    })
    .judge(q, rubric_for(q), GIL_ANSWER)
    .await
    .unwrap();
    let details = |j: &rehearse::evaluate::judge::Judged| j.provenance.llm.clone().unwrap();
    assert_eq!(details(&a).prompt_profile, "full");
    assert_eq!(details(&c).prompt_profile, "compact");
    assert_eq!(details(&forced).prompt_profile, "compact");
    assert!(
        details(&c).prompt_tokens_estimate * 10 < details(&a).prompt_tokens_estimate * 9,
        "compact is at least a tenth smaller: {} vs {}",
        details(&c).prompt_tokens_estimate,
        details(&a).prompt_tokens_estimate
    );
    let r = mock.received();
    let (first, second, compact) = (r[0].prompt(), r[1].prompt(), r[2].prompt());
    let anchor = rubric_for(q).criteria[0]
        .anchors
        .values()
        .next()
        .expect("the rubric has per-criterion anchors");
    assert!(first.contains(anchor.as_str()) && !compact.contains(anchor.as_str()));
    // Everything before the answer's heading is the same for two answers to one question.
    let shared = first
        .chars()
        .zip(second.chars())
        .take_while(|(x, y)| x == y)
        .count();
    let heading = first.find("# The candidate's answer").unwrap();
    assert!(shared >= heading, "shared {shared} of {heading} characters");
    assert!(
        heading * 10 > first.len() * 8,
        "the answer section is the tail"
    );
    drop((a, b));
}

/// Where a schema leaves OpenAI's strict subset: an object without `additionalProperties: false`
/// or with a property not `required`, or a length bound.
fn outside_strict_subset(v: &Value, path: &str) -> Option<String> {
    match v {
        Value::Object(o) => {
            if o.contains_key("maxLength") || o.contains_key("minLength") {
                return Some(format!("{path}: a length bound"));
            }
            if let Some(props) = o.get("properties").and_then(Value::as_object) {
                if o.get("additionalProperties") != Some(&json!(false)) {
                    return Some(format!("{path}: additionalProperties is not false"));
                }
                let required: Vec<&str> = o
                    .get("required")
                    .and_then(Value::as_array)
                    .map(|r| r.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                if let Some(k) = props.keys().find(|k| !required.contains(&k.as_str())) {
                    return Some(format!("{path}: `{k}` is not required"));
                }
            }
            o.iter()
                .find_map(|(k, sub)| outside_strict_subset(sub, &format!("{path}/{k}")))
        }
        Value::Array(a) => a
            .iter()
            .enumerate()
            .find_map(|(i, sub)| outside_strict_subset(sub, &format!("{path}/{i}"))),
        _ => None,
    }
}

#[tokio::test]
async fn a_closed_question_shows_the_candidates_answer_rewritten_beside_the_model_answer() {
    let mock = MockLlm::start().await;
    let app = spawn_app_with(llm_app(&mock)).await;
    let mut c = app.connect().await;
    c.start(&["concurrency"], "junior", 1).await;
    c.answer(GIL_ANSWER, "r-1").await;
    assert_eq!(c.recv().await["type"], "ack");
    let (open, _) = c.recv_until("evaluation").await;
    assert_eq!(open["closed"], false, "the judge proposed a follow-up");
    assert!(
        open["evaluation"].get("rewrite").is_none(),
        "not while open"
    );
    let follow = c.recv().await;
    assert_eq!(follow["type"], "question");
    let closed = c
        .answer_until_closed("It is released around blocking I/O calls.")
        .await;
    assert!(closed["model_answer"].is_string());
    let rewrite = closed["evaluation"]["rewrite"].as_str().expect("a rewrite");
    assert!(rewrite.starts_with("I would explain it"), "{rewrite}");
    assert!(
        mock.received()
            .iter()
            .any(|r| r.prompt().contains("Reply with the rewritten answer only"))
    );
    // Every schema sent in the strict dialect (judge and summary) keeps to the strict subset.
    let (summary, _) = c.recv_until("summary").await;
    assert_eq!(
        summary["strengths"],
        json!(["Explains ideas clearly"]),
        "the LLM narrative"
    );
    let strict: Vec<_> = mock
        .received()
        .into_iter()
        .filter(|r| r.body["response_format"]["type"] == "json_schema")
        .collect();
    assert!(strict.len() >= 3, "judgements and the summary");
    for r in &strict {
        let schema = &r.body["response_format"]["json_schema"]["schema"];
        assert_eq!(outside_strict_subset(schema, ""), None, "{schema}");
    }
}

async fn llm_check(mock: &MockLlm, extra: &[&str]) -> (bool, String) {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_rehearse"))
        .args(["llm-check"])
        .args(extra)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("REHEARSE_LOG", "warn")
        .env("REHEARSE_LLM__BASE_URL", &mock.base_url)
        .env("REHEARSE_LLM__MODEL", "mock-model")
        .output()
        .await
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[tokio::test]
async fn llm_check_grades_the_calibration_answers_and_recommends_settings() {
    let mock = MockLlm::start().await;
    mock.set_coach_tokens(&["A ", "generator ", "yields."]);
    let (ok, out) = llm_check(
        &mock,
        &["--rubric", "technical", "--rubric", "behavioral-star"],
    )
    .await;
    assert!(ok, "{out}");
    let result: Value = serde_json::from_str(
        out.lines()
            .find_map(|l| l.strip_prefix("RESULT "))
            .expect("a RESULT line"),
    )
    .unwrap();
    assert_eq!(result["stream_ok"], true);
    assert_eq!(result["json_mode"], "json_schema", "auto probed the mock");
    let probes = mock
        .received()
        .iter()
        .filter(|r| schema_of(&r.body).is_some_and(|s| s["properties"].get("probe").is_some()))
        .count();
    assert_eq!(probes, 1, "the judge uses what llm-check's probe found");
    assert_eq!(result["judgements"], 6);
    assert_eq!(result["valid"], 6);
    assert_eq!(result["valid_percent"], 100.0);
    let pairs: usize = ["technical", "behavioral-star"]
        .iter()
        .map(|id| {
            let r = crate::helpers::RUBRICS
                .all()
                .iter()
                .find(|r| r.id == *id)
                .unwrap();
            let c = &r.calibration;
            (0..c.len())
                .flat_map(|i| (i + 1..c.len()).map(move |j| (i, j)))
                .filter(|&(i, j)| {
                    c[i].question_id == c[j].question_id
                        && c[i].expected_overall != c[j].expected_overall
                })
                .count()
        })
        .sum();
    assert!(
        pairs >= 3,
        "the calibration answers include strong/weak pairs"
    );
    assert_eq!(result["pairs"], pairs);
    assert_eq!(result["recommended_json_mode"], "json_schema");
    assert!(result["median_prompt_tokens"].is_u64());
    assert!(out.contains("valid judgements: 6/6 (100 %)"), "{out}");
    // The mock gives every answer the same judgement, so strong answers do not outrank weak ones,
    // except where the STAR parts the judgement claims are not found reading the vague story
    // (no task, no action of the candidate's own): said.
    assert!(
        out.contains(&format!("strong above weak in 2/{pairs} pairs")),
        "{out}"
    );
    assert!(
        out.contains("action lowered from 4 to 3: no action was found reading the story"),
        "{out}"
    );

    // A stream that finishes without any text is a failure, not "ok".
    let mock = MockLlm::start().await;
    mock.set_coach_tokens(&[]);
    let (ok, out) = llm_check(&mock, &["--rubric", "technical", "--examples", "1"]).await;
    assert!(!ok);
    assert!(out.contains("finished without a single piece"), "{out}");
}

#[tokio::test]
async fn scores_that_contradict_the_judgements_own_verdicts_are_lowered_and_recorded() {
    // Full marks for accuracy while the same judgement finds one key point; a STAR result
    // scored 4 while the breakdown says the story has none.
    let mock = MockLlm::start().await;
    mock.script([Reply::judge(|mut v| {
        for (i, point) in v["key_points"]
            .as_object_mut()
            .unwrap()
            .values_mut()
            .enumerate()
        {
            point["covered"] = json!(i == 0);
        }
        v["criteria"]["accuracy"]["score"] = json!(5);
        v.to_string()
    })]);
    let q = question("conc-gil-basics");
    let j = judge_with(&settings(&mock))
        .judge(q, rubric_for(q), GIL_ANSWER)
        .await
        .unwrap();
    let accuracy = &j.evaluation.criteria[0];
    assert_eq!(accuracy.id, "accuracy");
    assert!(accuracy.score <= 2, "{}", accuracy.score);
    let adjustments = j.provenance.llm.unwrap().adjustments;
    assert_eq!(adjustments.len(), 1, "{adjustments:?}");
    assert!(
        adjustments[0].starts_with("accuracy lowered from 5"),
        "{adjustments:?}"
    );

    let mock = MockLlm::start().await;
    let q = question("beh-teammate-conflict");
    let j = judge_with(&settings(&mock))
        .judge(q, rubric_for(q), STAR_ANSWER)
        .await
        .unwrap();
    assert!(!j.evaluation.star.as_ref().unwrap().result.present);
    let result = j
        .evaluation
        .criteria
        .iter()
        .find(|c| c.id == "result")
        .unwrap();
    assert_eq!(
        result.score, 2,
        "at most 'hinted at' when the judge found no result"
    );
    assert!(
        j.evaluation
            .criteria
            .iter()
            .filter(|c| c.id != "result")
            .all(|c| c.score == 4),
        "nothing else is touched"
    );
    assert_eq!(
        j.provenance.llm.unwrap().adjustments,
        ["result lowered from 4 to 2: the judgement found no result in the story"]
    );
}
