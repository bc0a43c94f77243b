//! What the judge prompt is rendered from, and the JSON schema its output must follow.

use serde_json::{Value, json};

use crate::bank::{Kind, Question};
use crate::rubric::Rubric;

fn anchors(map: &std::collections::BTreeMap<u8, String>) -> Vec<Value> {
    map.iter()
        .map(|(score, text)| json!({"score": score, "text": text}))
        .collect()
}

/// The template context for `judge.hbs`: the rubric in full, the question, its key points or
/// STAR expectations, the answer and the nonce.
pub fn judge_context(question: &Question, rubric: &Rubric, answer: &str, nonce: &str) -> Value {
    let behavioral = question.kind == Kind::Behavioral;
    json!({
        "rubric": {
            "id": rubric.id,
            "version": rubric.version,
            "name": rubric.name,
            "description": rubric.description,
            "scale": {"min": rubric.scale.min, "max": rubric.scale.max, "anchors": anchors(&rubric.scale.anchors)},
            "criteria": rubric.criteria.iter().map(|c| json!({
                "id": c.id,
                "name": c.name,
                "description": c.description,
                "weight": c.weight,
                "anchors": anchors(&c.anchors),
            })).collect::<Vec<_>>(),
        },
        "question": {
            "id": question.id,
            "topic": question.topic,
            "level": question.level,
            "kind": question.kind,
            "text": question.text,
        },
        "behavioral": behavioral,
        "key_points": question.key_points.iter().enumerate().map(|(i, k)| json!({
            "index": i, "text": k.text, "weight": k.weight,
        })).collect::<Vec<_>>(),
        "star": question.star,
        "answer": answer,
        "nonce": nonce,
        "schema": serde_json::to_string_pretty(&output_schema(behavioral)).unwrap_or_default(),
    })
}

/// JSON schema of the judge's reply (sent as `response_format` in `json_schema` mode).
pub fn output_schema(behavioral: bool) -> Value {
    let part = json!({
        "type": "object",
        "required": ["present", "evidence", "note"],
        "properties": {
            "present": {"type": "boolean"},
            "evidence": {"type": ["string", "null"]},
            "note": {"type": "string"},
        },
    });
    let star = if behavioral {
        json!({
            "type": "object",
            "required": ["situation", "task", "action", "result"],
            "properties": {"situation": part, "task": part, "action": part, "result": part},
        })
    } else {
        json!({"type": "null"})
    };
    json!({
        "type": "object",
        "required": ["nonce", "criteria", "key_points", "star", "strengths", "improvements", "follow_up"],
        "properties": {
            "nonce": {"type": "string"},
            "criteria": {"type": "array", "items": {
                "type": "object",
                "required": ["id", "score", "rationale", "evidence"],
                "properties": {
                    "id": {"type": "string"},
                    "score": {"type": "integer"},
                    "rationale": {"type": "string"},
                    "evidence": {"type": "array", "items": {"type": "string"}},
                },
            }},
            "key_points": {"type": "array", "items": {
                "type": "object",
                "required": ["index", "covered", "evidence"],
                "properties": {
                    "index": {"type": "integer"},
                    "covered": {"type": "boolean"},
                    "evidence": {"type": ["string", "null"]},
                },
            }},
            "star": star,
            "strengths": {"type": "array", "items": {"type": "string"}},
            "improvements": {"type": "array", "items": {"type": "string"}},
            "follow_up": {"type": ["object", "null"], "properties": {
                "text": {"type": "string"},
                "reason": {"type": "string"},
            }},
        },
    })
}
