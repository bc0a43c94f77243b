//! Horizontal bar charts of 0–100 scores: each row is its label and value as page text (it wraps
//! on a narrow screen and keeps its size), above a bar drawn as inline SVG whose length is the
//! score in percent of the track. The template only places numbers in attributes and escaped text.

use serde::Serialize;

/// A chart ready for `templates/chart.hbs`.
#[derive(Debug, Serialize)]
pub struct Chart {
    /// The whole chart in words, for screen readers.
    pub label: String,
    pub rows: Vec<Row>,
}

#[derive(Debug, Serialize)]
pub struct Row {
    pub label: String,
    pub title: String,
    /// The bar's length in percent of the track (0 when not graded).
    pub percent: u8,
    pub value: String,
    /// `pass`, `fail`, `score` (no pass mark applies) or `none` (not graded).
    pub class: &'static str,
}

/// One bar to draw: a label, the 0–100 score (none when not graded), whether it passed.
pub struct Bar {
    pub label: String,
    pub title: String,
    pub score: Option<u8>,
    pub passed: Option<bool>,
}

/// A chart of 0–100 scores, one labelled row per bar.
pub fn bars(name: &str, bars: Vec<Bar>) -> Chart {
    let label = format!(
        "{name}: {}",
        bars.iter()
            .map(|b| format!("{} {}", b.label, score_text(b.score)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let rows = bars
        .into_iter()
        .map(|b| Row {
            percent: b.score.unwrap_or(0).min(100),
            value: score_text(b.score),
            class: match (b.score, b.passed) {
                (None, _) => "none",
                (_, Some(true)) => "pass",
                (_, Some(false)) => "fail",
                (_, None) => "score",
            },
            label: b.label,
            title: b.title,
        })
        .collect();
    Chart { label, rows }
}

fn score_text(score: Option<u8>) -> String {
    score.map_or_else(|| "—".to_string(), |s| s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_are_as_long_as_their_scores_and_ungraded_rows_are_empty() {
        let c = bars(
            "Scores",
            vec![
                Bar {
                    label: "Q1".into(),
                    title: "t".into(),
                    score: Some(50),
                    passed: Some(false),
                },
                Bar {
                    label: "Q2".into(),
                    title: "t".into(),
                    score: None,
                    passed: None,
                },
            ],
        );
        assert_eq!((c.rows[0].percent, c.rows[0].class), (50, "fail"));
        assert_eq!(c.rows[0].value, "50");
        assert_eq!((c.rows[1].percent, c.rows[1].class), (0, "none"));
        assert_eq!(c.rows[1].value, "—");
        assert_eq!(c.label, "Scores: Q1 50, Q2 —");
    }
}
