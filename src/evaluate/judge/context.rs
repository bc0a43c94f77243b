//! What the judge prompt is rendered from: the template context and the output's shape in words.

use serde_json::{Value, json};

use crate::bank::{Kind, Question};
use crate::rubric::Rubric;

fn anchors(map: &std::collections::BTreeMap<u8, String>) -> Vec<Value> {
    map.iter()
        .map(|(score, text)| json!({"score": score, "text": text}))
        .collect()
}

/// The template context for `judge.hbs`: the rubric (every anchor unless `compact`), the
/// question, its key points or STAR expectations, the output's shape in words (`shape`: empty when
/// the server enforces the schema), the answer and the nonce.
pub fn judge_context(
    question: &Question,
    rubric: &Rubric,
    answer: &str,
    nonce: &str,
    compact: bool,
    shape: Option<String>,
) -> Value {
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
        "compact": compact,
        "shape": shape.unwrap_or_default(),
        "answer": answer,
        "nonce": nonce,
    })
}

/// The output's shape as an example, for servers that do not enforce the schema: the same keys
/// in the same order, with placeholders. It depends only on the rubric and the question, so it
/// sits in the cacheable part of the prompt.
pub fn output_shape(question: &Question, rubric: &Rubric) -> String {
    let quote = "<sentence copied from the answer>";
    let scale = format!("<{}-{}>", rubric.scale.min, rubric.scale.max);
    let mut out = String::from("{\"nonce\": \"<nonce>\", ");
    if question.kind == Kind::Behavioral {
        out.push_str("\"star\": {");
        let parts: Vec<String> = crate::evaluate::StarBreakdown::PARTS
            .iter()
            .map(|p| format!("\"{p}\": {{\"present\": true, \"evidence\": \"{quote}\" or null, \"note\": \"…\"}}"))
            .collect();
        out.push_str(&parts.join(", "));
        out.push_str("}, ");
    } else {
        out.push_str("\"key_points\": {");
        let points: Vec<String> = (0..question.key_points.len())
            .map(|i| format!("\"{i}\": {{\"covered\": true, \"evidence\": \"{quote}\" or null}}"))
            .collect();
        out.push_str(&points.join(", "));
        out.push_str("}, \"star\": null, ");
    }
    out.push_str("\"criteria\": {");
    let criteria: Vec<String> = rubric
        .criteria
        .iter()
        .map(|c| {
            format!(
                "\"{}\": {{\"evidence\": [\"{quote}\"], \"rationale\": \"…\", \"score\": {scale}}}",
                c.id
            )
        })
        .collect();
    out.push_str(&criteria.join(", "));
    out.push_str("}, \"strengths\": [\"…\"], \"improvements\": [\"…\"], \"follow_up\": {\"text\": \"…\", \"reason\": \"…\"} or null}");
    out
}
