//! Server messages as terminal text.

use serde_json::Value;
use std::fmt::Write;

/// Formats messages; remembers whether feedback is mid-stream so it can end the line.
#[derive(Default)]
pub struct Renderer {
    streaming: bool,
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

impl Renderer {
    /// The text to print for one message (may be empty).
    pub fn render(&mut self, m: &Value) -> String {
        let mut out = String::new();
        let kind = s(&m["type"]);
        if self.streaming && kind != "feedback_delta" {
            out.push('\n');
            self.streaming = false;
        }
        match kind {
            "session" => {
                let topics: Vec<&str> = m["plan"]["topics"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(s)
                    .collect();
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
                    s(&m["topic"]),
                    s(&m["kind"]),
                    s(&m["text"])
                );
            }
            "ack" => out.push_str("(saved)\n"),
            "feedback_delta" => {
                self.streaming = true;
                out.push_str(s(&m["text"]));
            }
            "evaluation" => render_evaluation(&mut out, &m["evaluation"]),
            "summary" => render_summary(&mut out, m),
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
        let parts: Vec<String> = ["situation", "task", "action", "result"]
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
    let kps = e["key_points"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    if !kps.is_empty() {
        let covered = kps.iter().filter(|k| k["covered"] == true).count();
        let _ = writeln!(out, "  Key points covered: {covered}/{}", kps.len());
    }
    let flags: Vec<&str> = e["flags"].as_array().into_iter().flatten().map(s).collect();
    if !flags.is_empty() {
        let _ = writeln!(out, "  Flags: {}", flags.join(", "));
    }
}

fn render_summary(out: &mut String, m: &Value) {
    let _ = writeln!(
        out,
        "\n══ Summary: {}/100 — {} ══",
        m["overall"],
        if m["passed"] == true {
            "passed"
        } else {
            "not passed"
        }
    );
    for t in m["by_topic"].as_array().into_iter().flatten() {
        let _ = writeln!(out, "  {:<24} {}/100", s(&t["topic"]), t["overall"]);
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
    fn a_follow_up_is_labelled() {
        let mut r = Renderer::default();
        let text = r.render(&json!({"type": "question", "index": 1, "of": 2, "topic": "behavioral", "kind": "behavioral", "text": "What was the result?", "follow_up": true}));
        assert!(text.contains("Follow-up 1 of 2"), "{text}");
        assert!(text.contains("What was the result?"));
    }
}
