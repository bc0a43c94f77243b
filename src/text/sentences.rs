//! Splitting an answer into sentences, the unit evidence is quoted in.

use super::{content_tokens, is_stop_word, raw_words};

/// One sentence of an answer with the features the evaluator reads.
#[derive(Debug, Clone)]
pub struct Sentence {
    /// The sentence as the candidate wrote it (trimmed).
    pub text: String,
    /// Stemmed content words.
    pub tokens: Vec<String>,
    /// All words, lower-cased, stop words included (for phrase cues such as "so that").
    pub words: Vec<String>,
    /// `words.len()`.
    pub word_count: usize,
    /// How many of those words are stop (function) words; prose has many, keyword lists few.
    pub function_words: usize,
}

impl Sentence {
    fn new(text: &str) -> Self {
        let words: Vec<String> = raw_words(text).collect();
        Sentence {
            text: text.trim().to_string(),
            tokens: content_tokens(text),
            word_count: words.len(),
            function_words: words.iter().filter(|w| is_stop_word(w)).count(),
            words,
        }
    }

    /// Does the contiguous word sequence `phrase` (space-separated, lower-case) occur?
    pub fn has_phrase(&self, phrase: &str) -> bool {
        let n = phrase.split(' ').count();
        self.words
            .windows(n)
            .any(|w| w.iter().map(String::as_str).eq(phrase.split(' ')))
    }

    /// The first of `phrases` that occurs, if any.
    pub fn first_phrase<'p>(&self, phrases: &[&'p str]) -> Option<&'p str> {
        phrases.iter().copied().find(|p| self.has_phrase(p))
    }
}

const ABBREVIATIONS: &[&str] = &["e.g", "i.e", "etc", "vs", "eg", "ie", "approx", "cf"];

/// Splits on `.`, `!`, `?` and `;` followed by whitespace, and on line breaks, so bullet lists
/// become one sentence per line. Common abbreviations ("e.g.", "vs.") do not end a sentence,
/// and dots inside names (`os.path`, `3.12`) never do.
pub fn split_sentences(text: &str) -> Vec<Sentence> {
    let mut out = Vec::new();
    let mut start = 0;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for (k, &(i, c)) in chars.iter().enumerate() {
        let next_is_space = chars.get(k + 1).is_none_or(|&(_, n)| n.is_whitespace());
        let ends = match c {
            '\n' => true,
            '!' | '?' | ';' => next_is_space,
            '.' => next_is_space && !ends_with_abbreviation(&text[start..i]),
            _ => false,
        };
        if ends {
            push(&mut out, &text[start..i + c.len_utf8()]);
            start = i + c.len_utf8();
        }
    }
    push(&mut out, &text[start..]);
    out
}

fn ends_with_abbreviation(before: &str) -> bool {
    let last = before
        .rsplit(|c: char| c.is_whitespace() || c == '(')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    ABBREVIATIONS.contains(&last.as_str())
}

fn push(out: &mut Vec<Sentence>, piece: &str) {
    let trimmed = piece.trim().trim_start_matches(['-', '*', '•']).trim();
    if trimmed.chars().any(|c| c.is_alphanumeric()) {
        out.push(Sentence::new(trimmed));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<String> {
        split_sentences(s).into_iter().map(|s| s.text).collect()
    }

    #[test]
    fn splits_on_terminators_and_lines_but_not_abbreviations_or_dotted_names() {
        assert_eq!(
            texts(
                "Use a set, e.g. for lookups. It is O(1)! Python 3.12 and os.path stay whole.\n- a bullet\n* another"
            ),
            [
                "Use a set, e.g. for lookups.",
                "It is O(1)!",
                "Python 3.12 and os.path stay whole.",
                "a bullet",
                "another"
            ]
        );
    }

    #[test]
    fn counts_function_words() {
        let s = &split_sentences("The list is shared between calls")[0];
        assert_eq!(s.word_count, 6);
        assert_eq!(s.function_words, 2);
    }
}
