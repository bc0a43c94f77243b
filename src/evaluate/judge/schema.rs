//! The judge's output schema, built per request from the rubric, the question and the answer, so
//! that a server which turns a schema into a grammar can only produce a judgement our validation
//! accepts: one fixed key per rubric criterion in rubric order, scores from the scale's integers,
//! exactly the question's key points, evidence chosen from the answer's own sentences (verbatim by
//! construction), the nonce fixed, and bounded free text.
//!
//! Criteria and key points are objects keyed by id (not arrays with `prefixItems`): every server
//! that enforces a schema — OpenAI's strict mode included — takes fixed object keys, and the keys'
//! order is the order the model writes them in. Validation in code stays the authority.

use serde_json::{Value, json};

use crate::bank::{Kind, Question};
use crate::evaluate::StarBreakdown;
use crate::rubric::Rubric;

/// Longest evidence sentence offered (characters); a longer one is offered cut at this length,
/// which is still a verbatim piece of the answer.
const SENTENCE_CHARS: usize = 240;
/// Most sentences offered as evidence (the answer's first ones).
const MAX_SENTENCES: usize = 40;
/// Bounds on free text (characters) and lists.
pub const RATIONALE_CHARS: usize = 300;
pub const NOTE_CHARS: usize = 200;
pub const ITEM_CHARS: usize = 160;
pub const LIST_ITEMS: usize = 3;
pub const EVIDENCE_ITEMS: usize = 2;
pub const FOLLOW_UP_CHARS: usize = 300;

/// Which constraints the server's schema dialect takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaStyle {
    /// The subset every enforcing server accepts, OpenAI's strict mode included: every property
    /// required, `additionalProperties: false`, no length bounds.
    Portable,
    /// Adds `maxLength` on free text (llama.cpp grammars honour it; OpenAI's strict mode refuses it).
    Bounded,
}

/// The answer's sentences as it wrote them (split as the built-in evaluator splits them), each
/// cut to [`SENTENCE_CHARS`]; those with fewer than three letters or digits and duplicates dropped.
pub(super) fn answer_sentences(answer: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for sentence in crate::text::sentence_texts(answer) {
        if sentence.chars().filter(|c| c.is_alphanumeric()).count() < 3 {
            continue;
        }
        let cut: String = sentence.chars().take(SENTENCE_CHARS).collect();
        let cut = cut.trim_end().to_string();
        if !out.contains(&cut) && out.len() < MAX_SENTENCES {
            out.push(cut);
        }
    }
    out
}

/// The quotes a judge may choose as evidence: each sentence of the answer, or — when it holds a
/// double quote or a backslash — its longest piece between them. Still verbatim pieces of the
/// answer; llama-cpp-python's grammar converter writes such characters in an `enum` value into a
/// grammar that does not parse, and its server then crashes on the request.
pub fn evidence_choices(answer: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for sentence in answer_sentences(answer) {
        let piece = if sentence.contains(['"', '\\']) {
            sentence
                .split(['"', '\\'])
                .map(str::trim)
                .filter(|p| p.chars().filter(|c| c.is_alphanumeric()).count() >= 3)
                .max_by_key(|p| p.chars().count())
                .map(str::to_string)
        } else {
            Some(sentence)
        };
        if let Some(p) = piece.filter(|p| !out.contains(p)) {
            out.push(p);
        }
    }
    out
}

fn text(style: SchemaStyle, max: usize) -> Value {
    match style {
        SchemaStyle::Portable => json!({"type": "string"}),
        SchemaStyle::Bounded => json!({"type": "string", "maxLength": max}),
    }
}

fn list(style: SchemaStyle, max_chars: usize) -> Value {
    json!({"type": "array", "items": text(style, max_chars), "maxItems": LIST_ITEMS})
}

fn object(properties: Vec<(String, Value)>) -> Value {
    let required: Vec<&String> = properties.iter().map(|(k, _)| k).collect();
    let required = json!(required);
    let properties: serde_json::Map<String, Value> = properties.into_iter().collect();
    json!({
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    })
}

/// One quote from the answer, or `null`. An `anyOf` rather than `"type": ["string", "null"]`
/// with an `enum`: llama-cpp-python's converter ignores the `enum` beside a list of types.
fn quote_or_null(sentences: &[String]) -> Value {
    if sentences.is_empty() {
        return json!({"type": "null"});
    }
    json!({"anyOf": [{"type": "string", "enum": sentences}, {"type": "null"}]})
}

/// Up to [`EVIDENCE_ITEMS`] quotes from the answer.
fn quotes(sentences: &[String]) -> Value {
    if sentences.is_empty() {
        return json!({"type": "array", "maxItems": 0, "items": {"type": "string"}});
    }
    json!({"type": "array", "maxItems": EVIDENCE_ITEMS, "items": {"type": "string", "enum": sentences}})
}

/// The schema for one judgement.
pub fn judgement_schema(
    question: &Question,
    rubric: &Rubric,
    answer: &str,
    nonce: &str,
    style: SchemaStyle,
) -> Value {
    let sentences = evidence_choices(answer);
    let behavioral = question.kind == Kind::Behavioral;
    let scores: Vec<u8> = (rubric.scale.min..=rubric.scale.max).collect();
    let criteria = object(
        rubric
            .criteria
            .iter()
            .map(|c| {
                let entry = object(vec![
                    ("evidence".into(), quotes(&sentences)),
                    ("rationale".into(), text(style, RATIONALE_CHARS)),
                    ("score".into(), json!({"type": "integer", "enum": scores})),
                ]);
                (c.id.clone(), entry)
            })
            .collect(),
    );
    // A one-value `enum` is the portable spelling of `const`.
    let nonce = match style {
        SchemaStyle::Portable => json!({"type": "string", "enum": [nonce]}),
        SchemaStyle::Bounded => json!({"type": "string", "const": nonce}),
    };
    let mut properties = vec![("nonce".to_string(), nonce)];
    if behavioral {
        let part = || {
            object(vec![
                ("present".into(), json!({"type": "boolean"})),
                ("evidence".into(), quote_or_null(&sentences)),
                ("note".into(), text(style, NOTE_CHARS)),
            ])
        };
        let star = object(
            StarBreakdown::PARTS
                .into_iter()
                .map(|p| (p.to_string(), part()))
                .collect(),
        );
        properties.push(("star".into(), star));
    } else {
        let key_points = object(
            (0..question.key_points.len())
                .map(|i| {
                    let entry = object(vec![
                        ("covered".into(), json!({"type": "boolean"})),
                        ("evidence".into(), quote_or_null(&sentences)),
                    ]);
                    (i.to_string(), entry)
                })
                .collect(),
        );
        properties.push(("key_points".into(), key_points));
        properties.push(("star".into(), json!({"type": "null"})));
    }
    properties.push(("criteria".into(), criteria));
    properties.push(("strengths".into(), list(style, ITEM_CHARS)));
    properties.push(("improvements".into(), list(style, ITEM_CHARS)));
    // The non-null branch first: a decoder that tries branches in order proposes follow-ups.
    // The reason names the gap in a form the interview reads back ("missing key point: 3").
    let reasons: Vec<String> = if behavioral {
        StarBreakdown::PARTS
            .iter()
            .map(|p| format!("missing STAR part: {p}"))
            .collect()
    } else {
        (0..question.key_points.len())
            .map(|i| format!("missing key point: {i}"))
            .collect()
    };
    let follow_up = json!({"anyOf": [
        object(vec![
            ("text".into(), text(style, FOLLOW_UP_CHARS)),
            ("reason".into(), json!({"type": "string", "enum": reasons})),
        ]),
        {"type": "null"},
    ]});
    properties.push(("follow_up".into(), follow_up));
    object(properties)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_are_verbatim_pieces_of_the_answer() {
        let answer = "The GIL lets one thread run bytecode at a time. So CPU-bound threads don't \
                      speed up!\nUse multiprocessing instead\n\nPython 3.13 has a free-threaded build. ok.";
        let s = answer_sentences(answer);
        assert_eq!(
            s,
            vec![
                "The GIL lets one thread run bytecode at a time.",
                "So CPU-bound threads don't speed up!",
                "Use multiprocessing instead",
                "Python 3.13 has a free-threaded build.",
            ]
        );
        for sentence in &s {
            assert!(answer.contains(sentence.as_str()), "{sentence}");
        }
        let long = "word ".repeat(200);
        let cut = answer_sentences(&long);
        assert_eq!(cut.len(), 1);
        assert!(cut[0].chars().count() <= SENTENCE_CHARS && long.contains(&cut[0]));
        assert!(answer_sentences("  ...  \n").is_empty());
    }

    #[test]
    fn evidence_choices_hold_no_double_quote_or_backslash() {
        let answer = r#"The demo usually reaches the total, but "usually right" is still a race. Use C:\temp\x for logs. A plain sentence."#;
        let choices = evidence_choices(answer);
        assert_eq!(
            choices,
            [
                "The demo usually reaches the total, but",
                "x for logs.",
                "A plain sentence."
            ]
        );
        for c in &choices {
            assert!(
                !c.contains(['"', '\\']) && answer.contains(c.as_str()),
                "{c}"
            );
        }
    }
}
