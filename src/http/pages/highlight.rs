//! Evidence highlighting: the answer split into plain and marked segments, so the template can
//! escape every piece and wrap only the marked ones in `<mark>`.

use serde::Serialize;

/// A piece of the answer; `mark` when it is (part of) a quoted piece of evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Segment {
    pub text: String,
    pub mark: bool,
}

/// Splits `answer` into segments, marking every case-insensitive occurrence of each quote.
/// Overlapping or touching occurrences merge into one mark.
pub fn segments<'a>(answer: &str, quotes: impl IntoIterator<Item = &'a str>) -> Vec<Segment> {
    let folded = Folded::new(answer);
    let mut spans: Vec<(usize, usize)> = quotes
        .into_iter()
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .flat_map(|q| folded.find_all(q))
        .collect();
    spans.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(spans.len());
    for (start, end) in spans {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    let mut out = Vec::with_capacity(merged.len() * 2 + 1);
    let mut at = 0;
    for (start, end) in merged {
        if start > at {
            out.push(plain(&answer[at..start]));
        }
        out.push(Segment {
            text: answer[start..end].to_string(),
            mark: true,
        });
        at = end;
    }
    if at < answer.len() || out.is_empty() {
        out.push(plain(&answer[at..]));
    }
    out
}

fn plain(text: &str) -> Segment {
    Segment {
        text: text.to_string(),
        mark: false,
    }
}

fn fold(s: &str) -> String {
    // Char by char, so the quote folds exactly as the answer does (no final-sigma rule).
    s.chars().flat_map(char::to_lowercase).collect()
}

/// The answer lower-cased, with each folded byte's original character boundaries: lower-casing
/// can change byte lengths, so folded offsets cannot be used on the answer directly.
struct Folded {
    text: String,
    starts: Vec<usize>,
    ends: Vec<usize>,
}

impl Folded {
    fn new(answer: &str) -> Self {
        let mut f = Folded {
            text: String::with_capacity(answer.len()),
            starts: Vec::with_capacity(answer.len()),
            ends: Vec::with_capacity(answer.len()),
        };
        for (i, c) in answer.char_indices() {
            for lc in c.to_lowercase() {
                f.text.push(lc);
                for _ in 0..lc.len_utf8() {
                    f.starts.push(i);
                    f.ends.push(i + c.len_utf8());
                }
            }
        }
        f
    }

    /// Byte ranges of the original answer where `quote` occurs.
    fn find_all(&self, quote: &str) -> Vec<(usize, usize)> {
        let q = fold(quote);
        self.text
            .match_indices(&q)
            .map(|(s, m)| (self.starts[s], self.ends[s + m.len() - 1]))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(segs: &[Segment]) -> String {
        segs.iter()
            .map(|s| {
                if s.mark {
                    format!("[{}]", s.text)
                } else {
                    s.text.clone()
                }
            })
            .collect()
    }

    #[test]
    fn marks_quotes_case_insensitively_and_merges_overlaps() {
        let answer = "The GIL serialises bytecode. Threads still help with I/O waits.";
        let segs = segments(
            answer,
            ["the gil serialises", "serialises BYTECODE.", "i/o"],
        );
        assert_eq!(
            render(&segs),
            "[The GIL serialises bytecode.] Threads still help with [I/O] waits."
        );
        assert_eq!(
            segs.iter().map(|s| s.text.as_str()).collect::<String>(),
            answer
        );
    }

    #[test]
    fn unmatched_and_empty_quotes_leave_the_answer_whole() {
        let segs = segments("plain answer", ["not there", "  "]);
        assert_eq!(segs, vec![plain("plain answer")]);
        assert_eq!(segments("", ["x"]), vec![plain("")]);
    }

    #[test]
    fn offsets_survive_case_folding_that_changes_lengths() {
        // 'İ' lower-cases to two characters; the marks must still land on the original text.
        let answer = "İstanbul uses ÅSYNC ïo, then <b>tags</b>";
        let segs = segments(answer, ["åsync ïo", "<B>TAGS</B>"]);
        assert_eq!(
            render(&segs),
            "İstanbul uses [ÅSYNC ïo], then [<b>tags</b>]"
        );
    }
}
