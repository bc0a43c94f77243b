//! The rubric page's comparison of two stored versions: a line diff of their source text.

use serde::Serialize;

use super::rubric_page::Version;
use crate::rubric::{Change, Piece, line_diff, with_context};

/// Unchanged lines shown around each change; longer unchanged runs are left out.
const CONTEXT_LINES: usize = 3;

#[derive(Serialize)]
pub struct VersionChoice {
    version: i64,
    from: bool,
    to: bool,
}

/// One row of the diff: a line (`same`, `added`, `removed`) or a run left out (`skipped`).
#[derive(Serialize)]
pub struct DiffRow {
    change: &'static str,
    added: bool,
    removed: bool,
    skipped: bool,
    old: String,
    new: String,
    text: String,
}

#[derive(Serialize, Default)]
pub struct DiffView {
    from: i64,
    to: i64,
    choices: Vec<VersionChoice>,
    rows: Vec<DiffRow>,
    added: usize,
    removed: usize,
}

fn pick(versions: &[Version], asked: Option<&str>, default: i64) -> Result<i64, String> {
    let Some(text) = asked.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(default);
    };
    let text = text.trim_start_matches('v');
    text.parse::<i64>()
        .ok()
        .filter(|n| versions.iter().any(|v| v.version == *n))
        .ok_or_else(|| format!("There is no version “{text}” of this rubric to compare."))
}

/// The diff of versions `from` and `to` (numbers; by default the previous and the latest), or
/// `None` while the rubric has a single version.
pub fn diff_view(
    versions: &[Version],
    from: Option<&str>,
    to: Option<&str>,
) -> Result<Option<DiffView>, String> {
    let mut numbers: Vec<i64> = versions.iter().map(|v| v.version).collect();
    numbers.sort_unstable();
    let [.., previous, latest] = numbers[..] else {
        return Ok(None);
    };
    let (from, to) = (pick(versions, from, previous)?, pick(versions, to, latest)?);
    let text = |n: i64| {
        versions
            .iter()
            .find(|v| v.version == n)
            .map_or("", |v| v.source_text.as_str())
    };
    let lines = line_diff(text(from), text(to));
    let count = |c: Change| lines.iter().filter(|l| l.change == c).count();
    let number = |n: Option<usize>| n.map_or_else(String::new, |n| n.to_string());
    let rows = with_context(&lines, CONTEXT_LINES)
        .into_iter()
        .map(|piece| match piece {
            Piece::Line(l) => DiffRow {
                change: match l.change {
                    Change::Same => "same",
                    Change::Added => "added",
                    Change::Removed => "removed",
                },
                added: l.change == Change::Added,
                removed: l.change == Change::Removed,
                skipped: false,
                old: number(l.old),
                new: number(l.new),
                text: l.text.to_string(),
            },
            Piece::Skipped(n) => DiffRow {
                change: "skipped",
                added: false,
                removed: false,
                skipped: true,
                old: String::new(),
                new: String::new(),
                text: format!("{n} unchanged line(s)"),
            },
        })
        .collect();
    Ok(Some(DiffView {
        from,
        to,
        choices: numbers
            .iter()
            .rev()
            .map(|&version| VersionChoice {
                version,
                from: version == from,
                to: version == to,
            })
            .collect(),
        rows,
        added: count(Change::Added),
        removed: count(Change::Removed),
    }))
}
