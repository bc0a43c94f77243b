//! Server messages as terminal text.

use serde_json::Value;
use std::fmt::Write;

use crate::bank::Topic;
use crate::rich_text::{TerminalStyle, to_terminal};

/// Formats messages; remembers whether feedback is mid-stream (and at which column) so it can
/// wrap it and end the line.
pub struct Renderer {
    style: TerminalStyle,
    streaming: bool,
    column: usize,
}

impl Default for Renderer {
    fn default() -> Self {
        Renderer::new(TerminalStyle {
            width: 100,
            colour: false,
        })
    }
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

/// A list of topic ids as their titles.
fn topic_titles(ids: &Value) -> Vec<String> {
    ids.as_array()
        .into_iter()
        .flatten()
        .map(|t| Topic::title_of(s(t)))
        .collect()
}

impl Renderer {
    pub fn new(style: TerminalStyle) -> Renderer {
        Renderer {
            style,
            streaming: false,
            column: 0,
        }
    }

    /// Question or model-answer text: code shown as code, paragraphs wrapped, indented.
    fn rich(&self, text: &str, prefix: &str) -> String {
        let style = TerminalStyle {
            width: self.style.width.saturating_sub(prefix.len()),
            ..self.style
        };
        indent(&to_terminal(text, style), prefix)
    }

    /// Streamed feedback, wrapped at word boundaries as it arrives.
    fn stream(&mut self, out: &mut String, text: &str) {
        for (i, line) in text.split('\n').enumerate() {
            if i > 0 {
                out.push('\n');
                self.column = 0;
            }
            for (j, word) in line.split(' ').enumerate() {
                let len = word.chars().count();
                if j > 0 {
                    if self.column > 0 && self.column + 1 + len > self.style.width {
                        out.push('\n');
                        self.column = 0;
                    } else {
                        out.push(' ');
                        self.column += 1;
                    }
                }
                out.push_str(word);
                self.column += len;
            }
        }
    }

    /// The text to print for one message (may be empty).
    pub fn render(&mut self, m: &Value) -> String {
        let mut out = String::new();
        let kind = s(&m["type"]);
        if self.streaming && kind != "feedback_delta" {
            out.push('\n');
            self.streaming = false;
            self.column = 0;
        }
        match kind {
            "session" => {
                let topics = topic_titles(&m["plan"]["topics"]);
                let _ = writeln!(
                    out,
                    "Interview {} — {} {} question(s) on {}",
                    s(&m["session_id"]),
                    m["plan"]["count"],
                    s(&m["plan"]["level"]),
                    topics.join(", ")
                );
            }
            "question" => {
                let label = if m["follow_up"] == true {
                    "Follow-up"
                } else {
                    "Question"
                };
                let _ = writeln!(
                    out,
                    "\n── {label} {} of {} · {} · {} ──\n{}",
                    m["index"],
                    m["of"],
                    Topic::title_of(s(&m["topic"])),
                    s(&m["kind"]),
                    self.rich(s(&m["text"]), "")
                );
            }
            "ack" => out.push_str("(saved)\n"),
            "feedback_delta" => {
                self.streaming = true;
                self.stream(&mut out, s(&m["text"]));
            }
            "evaluation" => {
                render_evaluation(&mut out, &m["evaluation"]);
                if m["closed"] == true
                    && let Some(model) = m["model_answer"].as_str()
                {
                    let _ = writeln!(out, "  Model answer:\n{}", self.rich(model, "    "));
                }
            }
            "summary" => self.render_summary(&mut out, m),
            "finished" => {
                let _ = writeln!(
                    out,
                    "\nInterview {}: {} of {} question(s) answered. Your answers are saved; the \
                     recruiter reviews them and shares the results.",
                    if m["ended_early"] == true {
                        "ended"
                    } else {
                        "complete"
                    },
                    m["reached"],
                    m["planned"]
                );
            }
            "transcript" => {
                let n = m["turns"].as_array().map_or(0, Vec::len);
                let _ = writeln!(out, "(resumed: {n} earlier turn(s))");
            }
            "error" => {
                let _ = writeln!(out, "error [{}]: {}", s(&m["code"]), s(&m["message"]));
            }
            _ => {}
        }
        out
    }
}

fn render_evaluation(out: &mut String, e: &Value) {
    let _ = writeln!(
        out,
        "Score {}/100 — {} ({} v{})",
        e["overall"],
        if e["passed"] == true {
            "passed"
        } else {
            "not passed"
        },
        s(&e["rubric"]["id"]),
        e["rubric"]["version"]
    );
    for c in e["criteria"].as_array().into_iter().flatten() {
        let (score, min, max) = (
            c["score"].as_u64().unwrap_or(0),
            c["min"].as_u64().unwrap_or(0),
            c["max"].as_u64().unwrap_or(1),
        );
        let filled = (score.saturating_sub(min) * 10 / (max - min).max(1)) as usize;
        let _ = writeln!(
            out,
            "  {:<28} {}{} {score}/{max}",
            s(&c["name"]),
            "█".repeat(filled),
            "░".repeat(10 - filled.min(10))
        );
    }
    if let Some(star) = e["star"].as_object() {
        let parts: Vec<String> = crate::evaluate::StarBreakdown::PARTS
            .iter()
            .map(|p| {
                format!(
                    "{}{}",
                    if star[*p]["present"] == true {
                        "✓ "
                    } else {
                        "✗ "
                    },
                    p
                )
            })
            .collect();
        let _ = writeln!(out, "  STAR: {}", parts.join("  "));
    }
    if let Some(r) = e["star"]["reflection"].as_str() {
        let _ = writeln!(out, "  Reflection: “{r}”");
    }
    key_points(out, &e["key_points"]);
    incorrect_claims(out, &e["incorrect_claims"]);
    let flags: Vec<&str> = e["flags"].as_array().into_iter().flatten().map(s).collect();
    if !flags.is_empty() {
        let _ = writeln!(out, "  Flags: {}", flags.join(", "));
    }
    if let Some(c) = e["confidence"].as_str() {
        let _ = writeln!(
            out,
            "  (keyword-and-structure estimate, confidence {c}; configure an LLM grader for meaning-aware grading)"
        );
    }
}

/// Covered points, hints for points still missing while the question is open, and once it is
/// closed every missing point.
fn key_points(out: &mut String, kps: &Value) {
    let kps = kps.as_array().map(Vec::as_slice).unwrap_or_default();
    if kps.is_empty() {
        return;
    }
    let covered = kps.iter().filter(|k| k["covered"] == true).count();
    let _ = writeln!(out, "  Key points covered: {covered}/{}", kps.len());
    for k in kps {
        let mark = match (k["covered"] == true, k["withheld"] == true) {
            (true, _) => "✓",
            (false, true) => "? still missing, area:",
            (false, false) => "✗",
        };
        let _ = writeln!(out, "    {mark} {}", s(&k["text"]));
    }
}

fn incorrect_claims(out: &mut String, claims: &Value) {
    for c in claims.as_array().into_iter().flatten() {
        let _ = writeln!(out, "  ⚠ Not right: “{}”", s(&c["claim"]));
        if !s(&c["correction"]).is_empty() {
            let _ = writeln!(out, "    Correct: {}", s(&c["correction"]));
        }
    }
}

fn indent(text: &str, prefix: &str) -> String {
    text.lines()
        .map(|l| format!("{prefix}{l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

impl Renderer {
    fn render_summary(&self, out: &mut String, m: &Value) {
        let _ = writeln!(
            out,
            "\n══ Summary: {}/100 — {} (pass mark {}) ══",
            m["overall"],
            if m["passed"] == true {
                "passed"
            } else {
                "not passed"
            },
            m["pass_mark"]
        );
        if m["ended_early"] == true {
            let missing = topic_titles(&m["topics_not_reached"]);
            let _ = writeln!(
                out,
                "  Ended early: {} of {} questions reached.{}",
                m["reached"],
                m["planned"],
                if missing.is_empty() {
                    String::new()
                } else {
                    format!(" Not reached: {}.", missing.join(", "))
                }
            );
        }
        for t in m["by_topic"].as_array().into_iter().flatten() {
            let _ = writeln!(
                out,
                "  {:<32} {}/100",
                Topic::title_of(s(&t["topic"])),
                t["overall"]
            );
        }
        for (title, key) in [("Strengths", "strengths"), ("Focus areas", "focus_areas")] {
            let items = m[key].as_array().map(Vec::as_slice).unwrap_or_default();
            if !items.is_empty() {
                let _ = writeln!(out, "{title}:");
                for i in items {
                    let _ = writeln!(out, "  - {}", s(i));
                }
            }
        }
        for r in m["review"].as_array().into_iter().flatten() {
            let score = if r["skipped"] == true {
                "skipped".to_string()
            } else {
                format!("{}/100", r["overall"])
            };
            let _ = writeln!(
                out,
                "\n── Review ({score}) ──\n{}",
                self.rich(s(&r["question"]), "")
            );
            key_points(out, &r["key_points"]);
            incorrect_claims(out, &r["incorrect_claims"]);
            if let Some(model) = r["model_answer"].as_str().filter(|m| !m.is_empty()) {
                let _ = writeln!(out, "  Model answer:\n{}", self.rich(model, "    "));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn streamed_feedback_ends_its_line_before_the_next_message() {
        let mut r = Renderer::default();
        assert_eq!(
            r.render(&json!({"type": "feedback_delta", "text": "Good "})),
            "Good "
        );
        assert_eq!(
            r.render(&json!({"type": "feedback_delta", "text": "job."})),
            "job."
        );
        let next = r.render(&json!({"type": "ack", "turn": 1}));
        assert_eq!(next, "\n(saved)\n");
    }

    #[test]
    fn an_open_question_shows_hints_and_a_closed_one_the_model_answer() {
        let mut r = Renderer::default();
        let ev = json!({"overall": 40, "passed": false, "rubric": {"id": "technical", "version": 1},
            "criteria": [], "flags": [], "incorrect_claims": [{"claim": "== checks identity", "correction": ""}],
            "key_points": [{"text": "is compares identity", "covered": true},
                           {"text": "when identity is the right test", "covered": false, "withheld": true}],
            "confidence": "medium"});
        let open =
            r.render(&json!({"type": "evaluation", "turn": 1, "evaluation": ev, "closed": false}));
        assert!(
            open.contains("? still missing, area: when identity is the right test"),
            "{open}"
        );
        assert!(open.contains("Not right: “== checks identity”"));
        assert!(open.contains("confidence medium"));
        assert!(!open.contains("Model answer"));
        let closed = r.render(&json!({"type": "evaluation", "turn": 1, "evaluation": ev, "closed": true, "model_answer": "Use is for None."}));
        assert!(
            closed.contains("Model answer:\n    Use is for None."),
            "{closed}"
        );
    }

    #[test]
    fn an_interview_ended_early_says_how_far_it_got_by_topic_title() {
        let mut r = Renderer::default();
        let text = r.render(
            &json!({"type": "summary", "overall": 40, "passed": false, "pass_mark": 60,
            "ended_early": true, "reached": 1, "planned": 3, "topics_not_reached": ["algorithms"],
            "by_topic": [{"topic": "concurrency", "overall": 40}],
            "review": [{"question": "Q1", "overall": 40}, {"question": "Q2", "skipped": true}]}),
        );
        assert!(
            text.contains("Ended early: 1 of 3 questions reached. Not reached: Algorithms."),
            "{text}"
        );
        assert!(text.contains("Concurrency and the GIL"), "{text}");
    }

    #[test]
    fn a_follow_up_is_labelled() {
        let mut r = Renderer::default();
        let text = r.render(&json!({"type": "question", "index": 1, "of": 2, "topic": "behavioral", "kind": "behavioral", "text": "What was the result?", "follow_up": true}));
        assert!(text.contains("Follow-up 1 of 2"), "{text}");
        assert!(text.contains("What was the result?"));
    }
}
