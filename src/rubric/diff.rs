//! A line diff between two rubric versions' source text: the longest common subsequence of
//! their lines, with removed lines before added ones where the versions diverge.

/// What happened to a line between the old and the new text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Same,
    Removed,
    Added,
}

/// One line of a diff with its 1-based number in the old and/or the new text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiffLine<'a> {
    pub change: Change,
    pub text: &'a str,
    pub old: Option<usize>,
    pub new: Option<usize>,
}

/// One piece of a diff as shown: a line, or a run of unchanged lines left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece<'l, 'a> {
    Line(&'l DiffLine<'a>),
    Skipped(usize),
}

/// Past this many cells the longest-common-subsequence table would cost too much memory; the
/// differing middle is then shown as removed and re-added as a whole (still a correct diff).
const MAX_TABLE_CELLS: usize = 4_000_000;

/// The lines of `old` and `new`, each marked same, removed or added.
pub fn line_diff<'a>(old: &'a str, new: &'a str) -> Vec<DiffLine<'a>> {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    // Versions usually differ in a few lines: the common head and tail need no table.
    let head = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let tail = a[head..]
        .iter()
        .rev()
        .zip(b[head..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (mid_a, mid_b) = (&a[head..a.len() - tail], &b[head..b.len() - tail]);
    let mut out = Vec::with_capacity(a.len().max(b.len()));
    let same = |out: &mut Vec<DiffLine<'a>>, text: &'a str, i: usize, j: usize| {
        out.push(DiffLine {
            change: Change::Same,
            text,
            old: Some(i + 1),
            new: Some(j + 1),
        })
    };
    for (i, text) in a[..head].iter().enumerate() {
        same(&mut out, text, i, i);
    }
    for (change, text, i, j) in middle(mid_a, mid_b) {
        out.push(DiffLine {
            change,
            text,
            old: (change != Change::Added).then_some(head + i + 1),
            new: (change != Change::Removed).then_some(head + j + 1),
        });
    }
    for k in 0..tail {
        let (i, j) = (a.len() - tail + k, b.len() - tail + k);
        same(&mut out, a[i], i, j);
    }
    out
}

/// The diff of the differing middle: `(change, text, index in a, index in b)`.
fn middle<'a>(a: &[&'a str], b: &[&'a str]) -> Vec<(Change, &'a str, usize, usize)> {
    let (n, m) = (a.len(), b.len());
    let mut out = Vec::with_capacity(n + m);
    if n.saturating_mul(m) > MAX_TABLE_CELLS {
        out.extend(
            a.iter()
                .enumerate()
                .map(|(i, t)| (Change::Removed, *t, i, 0)),
        );
        out.extend(b.iter().enumerate().map(|(j, t)| (Change::Added, *t, n, j)));
        return out;
    }
    // lcs[i * (m + 1) + j]: length of the longest common subsequence of a[i..] and b[j..].
    let w = m + 1;
    let mut lcs = vec![0u32; (n + 1) * w];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i * w + j] = if a[i] == b[j] {
                lcs[(i + 1) * w + j + 1] + 1
            } else {
                lcs[(i + 1) * w + j].max(lcs[i * w + j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            out.push((Change::Same, a[i], i, j));
            i += 1;
            j += 1;
        } else if i < n && (j == m || lcs[(i + 1) * w + j] >= lcs[i * w + j + 1]) {
            out.push((Change::Removed, a[i], i, j));
            i += 1;
        } else {
            out.push((Change::Added, b[j], i, j));
            j += 1;
        }
    }
    out
}

/// The diff with runs of unchanged lines farther than `context` lines from any change left out.
pub fn with_context<'l, 'a>(lines: &'l [DiffLine<'a>], context: usize) -> Vec<Piece<'l, 'a>> {
    let changed: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.change != Change::Same)
        .map(|(i, _)| i)
        .collect();
    let near = |i: usize| {
        // The nearest change at or after i, and the one before it.
        let k = changed.partition_point(|&c| c < i);
        let after = changed.get(k).is_some_and(|&c| c - i <= context);
        let before = k > 0 && i - changed[k - 1] <= context;
        after || before
    };
    let mut out = Vec::new();
    let mut skipped = 0;
    for (i, line) in lines.iter().enumerate() {
        if line.change != Change::Same || near(i) {
            if skipped > 0 {
                out.push(Piece::Skipped(skipped));
                skipped = 0;
            }
            out.push(Piece::Line(line));
        } else {
            skipped += 1;
        }
    }
    if skipped > 0 {
        out.push(Piece::Skipped(skipped));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The diff in the familiar one-character notation: ` same`, `-removed`, `+added`.
    fn render(old: &str, new: &str) -> Vec<String> {
        line_diff(old, new)
            .iter()
            .map(|l| {
                let sign = match l.change {
                    Change::Same => ' ',
                    Change::Removed => '-',
                    Change::Added => '+',
                };
                format!("{sign}{}", l.text)
            })
            .collect()
    }

    #[test]
    fn identical_texts_are_all_unchanged() {
        assert_eq!(render("a\nb\nc", "a\nb\nc"), [" a", " b", " c"]);
        assert!(line_diff("", "").is_empty());
    }

    #[test]
    fn an_edited_line_is_removed_then_added_in_place() {
        assert_eq!(
            render(
                "id = 1\npass_mark = 60\nname = x",
                "id = 1\npass_mark = 70\nname = x"
            ),
            [" id = 1", "-pass_mark = 60", "+pass_mark = 70", " name = x"]
        );
    }

    #[test]
    fn insertions_and_deletions_keep_the_longest_common_subsequence() {
        assert_eq!(
            render("a\nb\nc\nd\ne", "a\nc\nd\nx\ne\nf"),
            [" a", "-b", " c", " d", "+x", " e", "+f"]
        );
        // A moved line is one removal and one addition; the rest stays unchanged.
        assert_eq!(
            render("x\na\nb\nc", "a\nb\nc\nx"),
            ["-x", " a", " b", " c", "+x"]
        );
        assert_eq!(render("", "a\nb"), ["+a", "+b"]);
        assert_eq!(render("a\nb", ""), ["-a", "-b"]);
    }

    #[test]
    fn line_numbers_count_in_each_text() {
        let d = line_diff("a\nb\nc", "a\nx\ny\nc");
        let numbers: Vec<(Option<usize>, Option<usize>)> =
            d.iter().map(|l| (l.old, l.new)).collect();
        assert_eq!(
            numbers,
            [
                (Some(1), Some(1)),
                (Some(2), None),
                (None, Some(2)),
                (None, Some(3)),
                (Some(3), Some(4)),
            ]
        );
    }

    #[test]
    fn windows_line_endings_and_a_final_newline_do_not_count_as_changes() {
        assert_eq!(render("a\r\nb\r\n", "a\nb"), [" a", " b"]);
    }

    #[test]
    fn texts_too_large_for_the_table_still_diff_correctly() {
        let old: String = (0..2100).map(|i| format!("old {i}\n")).collect();
        let new: String = (0..2100).map(|i| format!("new {i}\n")).collect();
        let d = line_diff(&old, &new);
        assert_eq!(d.len(), 4200);
        assert!(d[..2100].iter().all(|l| l.change == Change::Removed));
        assert!(d[2100..].iter().all(|l| l.change == Change::Added));
    }

    #[test]
    fn unchanged_runs_far_from_changes_are_left_out() {
        let old: String = (1..=20).map(|i| format!("{i}\n")).collect();
        let new = old.replace("10\n", "ten\n");
        let d = line_diff(&old, &new);
        let pieces = with_context(&d, 2);
        let shown: Vec<String> = pieces
            .iter()
            .map(|p| match p {
                Piece::Line(l) => l.text.to_string(),
                Piece::Skipped(n) => format!("…{n}"),
            })
            .collect();
        assert_eq!(shown, ["…7", "8", "9", "10", "ten", "11", "12", "…8"]);
        let same = line_diff("a\nb", "a\nb");
        assert_eq!(with_context(&same, 3), [Piece::Skipped(2)]);
    }
}
