//! One pass over an answer that says which guard patterns could match in it. Each pattern
//! that must begin (or end) with one of a few words is searched only when one of those words
//! occurs, so an honest answer costs one scan instead of one scan per pattern; a pattern with no
//! such words is always searched. The gate only ever lets more through than can match, never
//! less: it reads the lower-cased text, and every word it looks for is lower-cased too. (The
//! guard hands it normalised text, where NFKC has already folded the few letters that
//! lower-casing alone would not, such as the long s and the Kelvin sign.)

use aho_corasick::AhoCorasick;
use regex_syntax::hir::literal::{ExtractKind, Extractor, Seq};

/// Which patterns to search in a text.
pub struct Gate {
    words: AhoCorasick,
    /// For each word of `words`, the patterns it stands for.
    owners: Vec<Vec<usize>>,
    /// For each pattern, whether it is searched whatever the text holds.
    always: Vec<bool>,
}

impl Gate {
    /// A gate for `patterns` (regular expressions, case-insensitive where they say `(?i)`).
    pub fn new<'a>(patterns: impl IntoIterator<Item = &'a str>) -> Gate {
        let mut words: Vec<String> = Vec::new();
        let mut owners: Vec<Vec<usize>> = Vec::new();
        let mut always = Vec::new();
        for (i, pattern) in patterns.into_iter().enumerate() {
            let needed = needed_words(pattern);
            always.push(needed.is_none());
            for w in needed.into_iter().flatten() {
                match words.iter().position(|known| *known == w) {
                    Some(at) => owners[at].push(i),
                    None => {
                        words.push(w);
                        owners.push(vec![i]);
                    }
                }
            }
        }
        Gate {
            words: AhoCorasick::new(&words).expect("gate words build an automaton"),
            owners,
            always,
        }
    }

    /// For each pattern, whether it can match somewhere in `text`.
    pub fn candidates(&self, text: &str) -> Vec<bool> {
        let mut open = self.always.clone();
        let lower = text.to_lowercase();
        for m in self.words.find_overlapping_iter(&lower) {
            for &i in &self.owners[m.pattern().as_usize()] {
                open[i] = true;
            }
        }
        open
    }
}

/// Lower-cased words one of which every match of `pattern` begins (or else ends) with, or
/// `None` when the pattern has no such short list.
fn needed_words(pattern: &str) -> Option<Vec<String>> {
    // Read case-sensitively: the words come out as written (one form, not every mix of cases),
    // and are compared with the lower-cased text.
    let sensitive = pattern
        .strip_prefix("(?i)")
        .map(str::to_string)
        .or_else(|| {
            pattern
                .strip_prefix("(?im)")
                .map(|rest| format!("(?m){rest}"))
        })
        .unwrap_or_else(|| pattern.to_string());
    let hir = regex_syntax::parse(&sensitive).ok()?;
    [ExtractKind::Prefix, ExtractKind::Suffix]
        .into_iter()
        .find_map(|kind| usable(Extractor::new().kind(kind).extract(&hir)))
}

/// The literals of `seq`, lower-cased, when there are a few and none is too short to narrow
/// anything down.
fn usable(seq: Seq) -> Option<Vec<String>> {
    let literals = seq.literals()?;
    if literals.is_empty() || literals.len() > 64 {
        return None;
    }
    let mut words: Vec<String> = Vec::with_capacity(literals.len());
    for lit in literals {
        let word = std::str::from_utf8(lit.as_bytes()).ok()?.to_lowercase();
        if word.chars().count() < 2 {
            return None;
        }
        if !words.contains(&word) {
            words.push(word);
        }
    }
    Some(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pattern_runs_only_where_its_words_occur() {
        let gate = Gate::new([
            r"(?i)\b(ignore|disregard)\s+previous",
            r"(?im)^\s*system\s*:",
            r"(?i)\bgive\s+me\s+(full|top)\s+marks",
        ]);
        assert_eq!(
            gate.candidates("A dict keeps insertion order."),
            [false, true, false]
        );
        assert_eq!(
            gate.candidates("Please IGNORE that, and Give me a minute"),
            [true, true, true]
        );
    }

    /// The gate pays for itself only while most patterns have words to wait for (45 of 54 when
    /// it was written): a pattern rewritten so that it has none is searched in every answer.
    #[test]
    fn most_guard_patterns_wait_for_their_words() {
        let patterns = super::super::patterns::PATTERNS;
        let gate = Gate::new(patterns.iter().map(|(_, p)| *p));
        assert!(
            gate.always.iter().filter(|a| **a).count() * 4 <= patterns.len(),
            "{} of {} patterns are searched in every answer",
            gate.always.iter().filter(|a| **a).count(),
            patterns.len()
        );
    }

    #[test]
    fn words_outside_ascii_are_found_in_any_case() {
        let gate = Gate::new([r"(?i)\bигнорируй\s+инструкции"]);
        assert_eq!(gate.candidates("ИГНОРИРУЙ ИНСТРУКЦИИ"), [true]);
        assert_eq!(gate.candidates("обычный ответ"), [false]);
    }
}
