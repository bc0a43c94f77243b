//! Server messages as terminal text.

use std::fmt::Write;

use crate::bank::Topic;
use crate::evaluate::{Evaluation, IncorrectClaim, KeyPointResult};
use crate::rich_text::{TerminalStyle, to_terminal};
use crate::ws::protocol::ServerMessage;

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
    pub fn render(&mut self, m: &ServerMessage) -> String {
        let mut out = String::new();
        if self.streaming && !matches!(m, ServerMessage::FeedbackDelta { .. }) {
            out.push('\n');
            self.streaming = false;
            self.column = 0;
        }
        match m {
            ServerMessage::Session {
                session_id, plan, ..
            } => {
                let _ = writeln!(
                    out,
                    "Interview {session_id} — {} {} question(s) on {}",
                    plan.count,
                    plan.level,
                    titles(&plan.topics)
                );
            }
            ServerMessage::Question {
                topic,
                kind,
                text,
                index,
                of,
                follow_up,
                ..
            } => {
                let label = if *follow_up { "Follow-up" } else { "Question" };
                let _ = writeln!(
                    out,
                    "\n── {label} {index} of {of} · {} · {kind} ──\n{}",
                    topic.title(),
                    self.rich(text, "")
                );
            }
            ServerMessage::Ack { .. } => out.push_str("(saved)\n"),
            ServerMessage::FeedbackDelta { text, .. } => {
                self.streaming = true;
                self.stream(&mut out, text);
            }
            ServerMessage::Evaluation {
                evaluation,
                closed,
                model_answer,
                ..
            } => {
                render_evaluation(&mut out, evaluation);
                if *closed && let Some(model) = model_answer {
                    let _ = writeln!(out, "  Model answer:\n{}", self.rich(model, "    "));
                }
            }
            ServerMessage::Summary { .. } => self.render_summary(&mut out, m),
            ServerMessage::Finished {
                planned,
                reached,
                ended_early,
                ..
            } => {
                let _ = writeln!(
                    out,
                    "\nInterview {}: {reached} of {planned} question(s) answered. Your answers are \
                     saved; the recruiter reviews them and shares the results.",
                    if *ended_early { "ended" } else { "complete" },
                );
            }
            ServerMessage::Transcript { turns, .. } => {
                let _ = writeln!(out, "(resumed: {} earlier turn(s))", turns.len());
            }
            ServerMessage::Error { code, message, .. } => {
                let _ = writeln!(out, "error [{}]: {message}", code.as_str());
            }
        }
        out
    }
}

/// Topics by their titles, comma-separated.
fn titles(topics: &[Topic]) -> String {
    topics
        .iter()
        .map(|t| t.title())
        .collect::<Vec<_>>()
        .join(", ")
}

fn render_evaluation(out: &mut String, e: &Evaluation) {
    let _ = writeln!(
        out,
        "Score {}/100 — {} ({} v{})",
        e.overall,
        if e.passed { "passed" } else { "not passed" },
        e.rubric.id,
        e.rubric.version
    );
    for c in &e.criteria {
        let span = usize::from(c.max.saturating_sub(c.min)).max(1);
        let filled = (usize::from(c.score.saturating_sub(c.min)) * 10 / span).min(10);
        let _ = writeln!(
            out,
            "  {:<28} {}{} {}/{}",
            c.name,
            "█".repeat(filled),
            "░".repeat(10 - filled),
            c.score,
            c.max
        );
    }
    if let Some(star) = &e.star {
        let parts: Vec<String> = star
            .parts()
            .iter()
            .map(|(name, part)| format!("{}{name}", if part.present { "✓ " } else { "✗ " }))
            .collect();
        let _ = writeln!(out, "  STAR: {}", parts.join("  "));
        if let Some(r) = &star.reflection {
            let _ = writeln!(out, "  Reflection: “{r}”");
        }
    }
    key_points(out, &e.key_points);
    incorrect_claims(out, &e.incorrect_claims);
    if !e.flags.is_empty() {
        let flags: Vec<&str> = e.flags.iter().map(|f| f.as_str()).collect();
        let _ = writeln!(out, "  Flags: {}", flags.join(", "));
    }
    if let Some(c) = e.confidence {
        let _ = writeln!(
            out,
            "  (keyword-and-structure estimate, confidence {}; configure an LLM grader for meaning-aware grading)",
            c.as_str()
        );
    }
}

/// Covered points, hints for points still missing while the question is open, and once it is
/// closed every missing point.
fn key_points(out: &mut String, kps: &[KeyPointResult]) {
    if kps.is_empty() {
        return;
    }
    let covered = kps.iter().filter(|k| k.covered).count();
    let _ = writeln!(out, "  Key points covered: {covered}/{}", kps.len());
    for k in kps {
        let mark = match (k.covered, k.withheld) {
            (true, _) => "✓",
            (false, true) => "? still missing, area:",
            (false, false) => "✗",
        };
        let _ = writeln!(out, "    {mark} {}", k.text);
    }
}

fn incorrect_claims(out: &mut String, claims: &[IncorrectClaim]) {
    for c in claims {
        let _ = writeln!(out, "  ⚠ Not right: “{}”", c.claim);
        if !c.correction.is_empty() {
            let _ = writeln!(out, "    Correct: {}", c.correction);
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
    fn render_summary(&self, out: &mut String, m: &ServerMessage) {
        let ServerMessage::Summary {
            overall,
            passed,
            pass_mark,
            ended_early,
            reached,
            planned,
            topics_not_reached,
            by_topic,
            strengths,
            focus_areas,
            review,
            ..
        } = m
        else {
            return;
        };
        let _ = writeln!(
            out,
            "\n══ Summary: {overall}/100 — {} (pass mark {pass_mark}) ══",
            if *passed { "passed" } else { "not passed" },
        );
        if *ended_early {
            let _ = writeln!(
                out,
                "  Ended early: {reached} of {planned} questions reached.{}",
                if topics_not_reached.is_empty() {
                    String::new()
                } else {
                    format!(" Not reached: {}.", titles(topics_not_reached))
                }
            );
        }
        for t in by_topic {
            let _ = writeln!(out, "  {:<32} {}/100", t.topic.title(), t.overall);
        }
        for (title, items) in [("Strengths", strengths), ("Focus areas", focus_areas)] {
            if !items.is_empty() {
                let _ = writeln!(out, "{title}:");
                for i in items {
                    let _ = writeln!(out, "  - {i}");
                }
            }
        }
        for r in review {
            let score = match (r.skipped, r.overall) {
                (true, _) => "skipped".to_string(),
                (false, Some(o)) => format!("{o}/100"),
                (false, None) => "not graded".to_string(),
            };
            let _ = writeln!(
                out,
                "\n── Review ({score}) ──\n{}",
                self.rich(&r.question, "")
            );
            key_points(out, &r.key_points);
            incorrect_claims(out, &r.incorrect_claims);
            if !r.model_answer.is_empty() {
                let _ = writeln!(
                    out,
                    "  Model answer:\n{}",
                    self.rich(&r.model_answer, "    ")
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    /// A frame as the server sends it, read the way the client reads it.
    fn frame(v: Value) -> ServerMessage {
        serde_json::from_value(v).expect("a valid server frame")
    }

    fn evaluation() -> Value {
        json!({"overall": 40, "passed": false, "rubric": {"id": "technical", "version": 1},
            "criteria": [{"id": "accuracy", "name": "Accuracy", "score": 3, "min": 1, "max": 5,
                          "weight": 3.0, "rationale": "", "evidence": []}],
            "key_points": [{"text": "is compares identity", "covered": true, "evidence": null},
                           {"text": "when identity is the right test", "covered": false,
                            "evidence": null, "withheld": true}],
            "star": null, "strengths": [], "improvements": [], "follow_up": null,
            "flags": ["incorrect_claim"],
            "incorrect_claims": [{"claim": "== checks identity", "correction": ""}],
            "confidence": "medium", "source": "builtin",
            "evaluator": {"name": "rehearse-builtin", "version": "2.1"}})
    }

    #[test]
    fn streamed_feedback_ends_its_line_before_the_next_message() {
        let mut r = Renderer::default();
        let delta = |t: &str| frame(json!({"type": "feedback_delta", "turn": 1, "text": t}));
        assert_eq!(r.render(&delta("Good ")), "Good ");
        assert_eq!(r.render(&delta("job.")), "job.");
        let next = r.render(&frame(
            json!({"type": "ack", "turn": 1, "client_msg_id": "a1"}),
        ));
        assert_eq!(next, "\n(saved)\n");
    }

    #[test]
    fn an_open_question_shows_hints_and_a_closed_one_the_model_answer() {
        let mut r = Renderer::default();
        let open = r.render(&frame(
            json!({"type": "evaluation", "turn": 1, "evaluation": evaluation(), "closed": false}),
        ));
        assert!(
            open.contains("? still missing, area: when identity is the right test"),
            "{open}"
        );
        assert!(open.contains("Not right: “== checks identity”"));
        assert!(open.contains("Accuracy"), "{open}");
        assert!(open.contains("█████░░░░░ 3/5"), "{open}");
        assert!(open.contains("Flags: incorrect_claim"), "{open}");
        assert!(open.contains("confidence medium"));
        assert!(!open.contains("Model answer"));
        let closed = r.render(&frame(json!({"type": "evaluation", "turn": 1,
            "evaluation": evaluation(), "closed": true, "model_answer": "Use is for None."})));
        assert!(
            closed.contains("Model answer:\n    Use is for None."),
            "{closed}"
        );
    }

    #[test]
    fn an_interview_ended_early_says_how_far_it_got_by_topic_title() {
        let mut r = Renderer::default();
        let text = r.render(&frame(json!({"type": "summary", "session_id": "s1",
            "overall": 40, "passed": false, "pass_mark": 60, "ended_early": true, "reached": 1,
            "planned": 3, "topics_not_reached": ["algorithms"],
            "by_topic": [{"topic": "concurrency", "overall": 40}],
            "strengths": [], "focus_areas": ["Say why"], "topics_to_review": [], "turns": [],
            "review": [
                {"turn": 1, "question_id": "q1", "question": "Q1", "overall": 40, "skipped": false,
                 "key_points": [], "incorrect_claims": [], "model_answer": "Because."},
                {"turn": 2, "question_id": "q2", "question": "Q2", "overall": null, "skipped": true,
                 "key_points": [], "incorrect_claims": [], "model_answer": ""}]})));
        assert!(
            text.contains("Ended early: 1 of 3 questions reached. Not reached: Algorithms."),
            "{text}"
        );
        assert!(text.contains("Concurrency and the GIL"), "{text}");
        assert!(text.contains("── Review (40/100) ──"), "{text}");
        assert!(text.contains("── Review (skipped) ──"), "{text}");
        assert!(text.contains("Focus areas:\n  - Say why"), "{text}");
    }

    #[test]
    fn a_follow_up_is_labelled() {
        let mut r = Renderer::default();
        let text = r.render(&frame(
            json!({"type": "question", "turn": 2, "question_id": "b1",
            "index": 1, "of": 2, "topic": "behavioral", "level": "mid", "kind": "behavioral",
            "text": "What was the result?", "follow_up": true}),
        ));
        assert!(text.contains("Follow-up 1 of 2"), "{text}");
        assert!(text.contains("Behavioral (STAR) · behavioral"), "{text}");
        assert!(text.contains("What was the result?"));
    }
}
