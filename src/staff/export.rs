//! Exporting a transcript as Markdown, JSON or CSV. Pure formatting of a [`SessionDetail`].

use std::fmt::Write;
use std::str::FromStr;

use super::{SessionDetail, TurnDetail};
use crate::clock::rfc3339;

/// Export formats.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema, clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    Md,
    Json,
    Csv,
}

impl FromStr for ExportFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "md" | "markdown" => Ok(ExportFormat::Md),
            "json" => Ok(ExportFormat::Json),
            "csv" => Ok(ExportFormat::Csv),
            other => Err(format!(
                "unknown format `{other}` (expected md, json or csv)"
            )),
        }
    }
}

impl ExportFormat {
    /// The HTTP content type.
    pub fn content_type(self) -> &'static str {
        match self {
            ExportFormat::Md => "text/markdown; charset=utf-8",
            ExportFormat::Json => "application/json",
            ExportFormat::Csv => "text/csv; charset=utf-8",
        }
    }

    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Md => "md",
            ExportFormat::Json => "json",
            ExportFormat::Csv => "csv",
        }
    }
}

/// The session in the chosen format.
pub fn export(detail: &SessionDetail, format: ExportFormat) -> String {
    match format {
        ExportFormat::Json => serde_json::to_string_pretty(detail).unwrap_or_default(),
        ExportFormat::Csv => csv(detail),
        ExportFormat::Md => markdown(detail),
    }
}

const CSV_COLUMNS: &[&str] = &[
    "turn",
    "question_id",
    "topic",
    "level",
    "kind",
    "follow_up",
    "question",
    "answer",
    "skipped",
    "asked_at",
    "answered_at",
    "answer_duration_ms",
    "overall",
    "passed",
    "source",
    "rubric",
    "rubric_version",
    "model",
    "flags",
    "confidence",
    "incorrect_claims",
    "reviewer",
    "review_comment",
    "model_answer",
];

/// A CSV field: quoted when needed, and defused when a spreadsheet would read it as a formula —
/// including when blanks or line breaks come before the formula, which spreadsheets skip.
pub(super) fn field(value: &str) -> String {
    let first = value.trim_start_matches([' ', '\n']).chars().next();
    let value = if matches!(first, Some('=' | '+' | '-' | '@' | '\t' | '\r')) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

fn csv(d: &SessionDetail) -> String {
    let mut out = CSV_COLUMNS.join(",");
    out.push_str("\r\n");
    for t in &d.turns {
        let cur = t.current();
        let e = cur.map(|c| &c.evaluation);
        let review = t.reviews.last();
        let flags: Vec<&str> = t.flags.iter().map(|f| f.as_str()).collect();
        let row = [
            t.turn.to_string(),
            t.question_id.clone(),
            t.topic.clone(),
            t.level.clone(),
            t.kind.clone(),
            t.follow_up.to_string(),
            t.question_text.clone(),
            t.answer.clone().unwrap_or_default(),
            t.skipped.to_string(),
            rfc3339(t.asked_at),
            t.answered_at.map(rfc3339).unwrap_or_default(),
            t.answer_duration_ms
                .map(|d| d.to_string())
                .unwrap_or_default(),
            e.map(|e| e.overall.to_string()).unwrap_or_default(),
            e.map(|e| e.passed.to_string()).unwrap_or_default(),
            e.map(|e| e.source.as_str().to_string()).unwrap_or_default(),
            e.map(|e| e.rubric.id.clone()).unwrap_or_default(),
            e.map(|e| e.rubric.version.to_string()).unwrap_or_default(),
            cur.and_then(|c| c.provenance.model.clone())
                .unwrap_or_default(),
            flags.join(" "),
            e.and_then(|e| e.confidence)
                .map(|c| c.as_str().to_string())
                .unwrap_or_default(),
            e.map(|e| {
                e.incorrect_claims
                    .iter()
                    .map(|c| c.claim.as_str())
                    .collect::<Vec<_>>()
                    .join(" | ")
            })
            .unwrap_or_default(),
            review
                .and_then(|r| r.provenance.reviewer.clone())
                .unwrap_or_default(),
            review
                .and_then(|r| r.provenance.comment.clone())
                .unwrap_or_default(),
            t.model_answer.clone().unwrap_or_default(),
        ];
        out.push_str(&row.iter().map(|v| field(v)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
}

fn quote_block(text: &str) -> String {
    text.lines()
        .map(|l| format!("> {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The model answer, once the question is closed (main questions only).
fn model_answer_markdown(out: &mut String, t: &TurnDetail) {
    if let Some(m) = &t.model_answer {
        let _ = writeln!(out, "**Model answer:**\n\n{}\n", quote_block(m));
    }
}

fn turn_markdown(out: &mut String, t: &TurnDetail) {
    let label = if t.follow_up { "Follow-up" } else { "Question" };
    let _ = writeln!(
        out,
        "## Turn {} — {label} ({}, {}, {})\n",
        t.turn, t.topic, t.level, t.kind
    );
    let _ = writeln!(out, "{}\n", quote_block(&t.question_text));
    match (&t.answer, t.skipped) {
        (Some(a), _) => {
            let secs = t.answer_duration_ms.map_or(String::new(), |d| {
                format!(" after {:.0} s", d as f64 / 1000.0)
            });
            let _ = writeln!(
                out,
                "**Answer**{secs}:\n\n```text\n{}\n```\n",
                a.replace("```", "ʼʼʼ")
            );
        }
        (None, true) => out.push_str("*Skipped.*\n\n"),
        (None, false) => out.push_str("*Not answered.*\n\n"),
    }
    let Some(cur) = t.current() else { return };
    let e = &cur.evaluation;
    let _ = writeln!(
        out,
        "**Score {}/100** ({}) — {} evaluation, rubric `{}` v{}{}\n",
        e.overall,
        if e.passed { "passed" } else { "not passed" },
        e.source.as_str(),
        e.rubric.id,
        e.rubric.version,
        cur.provenance
            .model
            .as_deref()
            .map_or(String::new(), |m| format!(", model `{m}`"))
    );
    if let Some(c) = e.confidence {
        let _ = writeln!(
            out,
            "*Built-in estimate from keywords and structure; confidence {}.*\n",
            c.as_str()
        );
    }
    out.push_str("| criterion | score | rationale |\n|---|---|---|\n");
    for c in &e.criteria {
        let _ = writeln!(
            out,
            "| {} | {}/{} | {} |",
            c.name,
            c.score,
            c.max,
            c.rationale.replace('|', "\\|")
        );
    }
    out.push('\n');
    if let Some(star) = &e.star {
        for (name, p) in star.parts() {
            let _ = writeln!(
                out,
                "- {name}: {}{}",
                if p.present { "present" } else { "missing" },
                p.evidence
                    .as_deref()
                    .map_or(String::new(), |q| format!(" — “{q}”"))
            );
        }
        if let Some(r) = &star.reflection {
            let _ = writeln!(out, "- reflection: “{r}”");
        }
        out.push('\n');
    }
    for k in &e.key_points {
        let _ = writeln!(out, "- [{}] {}", if k.covered { "x" } else { " " }, k.text);
    }
    if !e.key_points.is_empty() {
        out.push('\n');
    }
    for c in &e.incorrect_claims {
        let _ = writeln!(
            out,
            "- **Incorrect:** “{}”{}",
            c.claim,
            if c.correction.is_empty() {
                String::new()
            } else {
                format!(" — {}", c.correction)
            }
        );
    }
    if !e.incorrect_claims.is_empty() {
        out.push('\n');
    }
    if !t.flags.is_empty() {
        let flags: Vec<&str> = t.flags.iter().map(|f| f.as_str()).collect();
        let _ = writeln!(out, "**Flags:** {}\n", flags.join(", "));
    }
    for r in &t.reviews {
        let _ = writeln!(
            out,
            "*Reviewed by {} on {}: {}/100 — {}*\n",
            r.provenance.reviewer.as_deref().unwrap_or("?"),
            rfc3339(r.created_at),
            r.evaluation.overall,
            r.provenance.comment.as_deref().unwrap_or("")
        );
    }
}

fn markdown(d: &SessionDetail) -> String {
    let s = &d.session;
    let mut out = String::new();
    let _ = writeln!(out, "# Interview {}\n", s.id);
    let _ = writeln!(
        out,
        "- Candidate: {}{}",
        s.candidate_name.as_deref().unwrap_or("(anonymous)"),
        s.candidate_email
            .as_deref()
            .map_or(String::new(), |e| format!(" <{e}>"))
    );
    let _ = writeln!(
        out,
        "- Topics: {} · level {} · {} question(s)",
        s.topics
            .iter()
            .map(|t| t.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        s.level,
        s.question_count
    );
    let _ = writeln!(
        out,
        "- Started {}{}",
        rfc3339(s.created_at),
        s.finished_at
            .map_or(String::new(), |f| format!(", finished {}", rfc3339(f)))
    );
    let _ = writeln!(
        out,
        "- Overall: {}{}\n",
        s.overall.map_or("—".to_string(), |o| format!("{o}/100")),
        if s.flagged { " · flagged" } else { "" }
    );
    for (i, t) in d.turns.iter().enumerate() {
        turn_markdown(&mut out, t);
        // The model answer closes the question: after its last follow-up.
        let root = t.parent_turn.unwrap_or(t.turn);
        let last_of_question = d.turns[i + 1..]
            .first()
            .is_none_or(|n| n.parent_turn.unwrap_or(n.turn) != root);
        if last_of_question && let Some(main) = d.turns.iter().find(|m| m.turn == root) {
            model_answer_markdown(&mut out, main);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\"\nnow"), "\"say \"\"hi\"\"\nnow\"");
        assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(field("-1"), "'-1");
        assert_eq!(field(" =1+1"), "' =1+1");
        assert_eq!(field("\n=1+1"), "\"'\n=1+1\"");
        assert_eq!(field("  \n @SUM(A1)"), "\"'  \n @SUM(A1)\"");
        assert_eq!(field(" \t=1"), "' \t=1", "a tab after blanks");
        assert_eq!(field(" plain"), " plain");
    }
}
