//! Horizontal bar charts drawn as inline SVG: every coordinate is computed here, so the template
//! only places numbers in attributes and escaped text in `<text>` and `<title>`.

use serde::Serialize;

const WIDTH: u32 = 560;
const TRACK: u32 = 500;
const ROW: u32 = 42;
const BAR: u32 = 14;

/// A chart ready for `templates/chart.hbs`.
#[derive(Debug, Serialize)]
pub struct Chart {
    pub width: u32,
    pub height: u32,
    /// The whole chart in words, for screen readers.
    pub label: String,
    pub rows: Vec<Row>,
}

#[derive(Debug, Serialize)]
pub struct Row {
    pub label: String,
    pub title: String,
    pub label_y: u32,
    pub bar_y: u32,
    pub bar_height: u32,
    pub track_width: u32,
    pub width: u32,
    pub value_x: u32,
    pub value_y: u32,
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
        .zip(0u32..)
        .map(|(b, i)| {
            let top = i * ROW;
            let width = TRACK * u32::from(b.score.unwrap_or(0).min(100)) / 100;
            Row {
                label: b.label,
                title: b.title,
                label_y: top + 13,
                bar_y: top + 20,
                bar_height: BAR,
                track_width: TRACK,
                width,
                value_x: TRACK + 8,
                value_y: top + 32,
                value: score_text(b.score),
                class: match (b.score, b.passed) {
                    (None, _) => "none",
                    (_, Some(true)) => "pass",
                    (_, Some(false)) => "fail",
                    (_, None) => "score",
                },
            }
        })
        .collect::<Vec<_>>();
    Chart {
        width: WIDTH,
        height: (rows.len() as u32).max(1) * ROW,
        label,
        rows,
    }
}

fn score_text(score: Option<u8>) -> String {
    score.map_or_else(|| "—".to_string(), |s| s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_track_and_mark_ungraded_rows() {
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
        assert_eq!(c.rows[0].width, TRACK / 2);
        assert_eq!(c.rows[0].class, "fail");
        assert_eq!((c.rows[1].width, c.rows[1].class), (0, "none"));
        assert_eq!(c.rows[1].bar_y, ROW + 20);
        assert_eq!(c.height, 2 * ROW);
        assert_eq!(c.label, "Scores: Q1 50, Q2 —");
    }
}
