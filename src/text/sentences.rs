//! Splitting an answer into sentences, the unit evidence is quoted in.

use super::synonyms::{Alt, Synonyms};
use super::tokens::{Role, Word, words};

/// A content word or negator of a sentence, in the form terms are compared in.
#[derive(Debug, Clone)]
pub struct Tok {
    /// Stemmed content word, or `not` for a negator.
    pub text: String,
    /// Index of the word it came from in [`Sentence::words`].
    pub word: usize,
    /// This token is a negator.
    pub neg: bool,
}

/// One sentence of an answer with the features the evaluator reads.
#[derive(Debug, Clone)]
pub struct Sentence {
    /// The sentence as the candidate wrote it (trimmed).
    pub text: String,
    /// Every word with its role and clause.
    pub words: Vec<Word>,
    /// Content words and negators, in order.
    pub toks: Vec<Tok>,
    /// Canonical readings of synonym phrases found in `toks`.
    pub alts: Vec<Alt>,
    /// `toks` as plain strings (for overlap and de-duplication).
    pub tokens: Vec<String>,
    /// Number of words.
    pub word_count: usize,
    /// How many of those words are stop (function) words; prose has many, keyword lists few.
    pub function_words: usize,
    /// How many of the words are code (in backticks, or keywords used as code).
    pub code_words: usize,
    /// The lower-cased words joined by single spaces, with a space at each end.
    joined: String,
    /// Which words occur, as a 64-bit Bloom signature: a phrase with a word outside it cannot occur.
    word_sig: u64,
    /// The same for `toks` and the synonym readings: a term with a token outside it cannot match.
    pub(crate) tok_sig: u64,
}

/// One bit per word: a cheap "might contain" test before a real search.
pub(crate) fn bit(word: &str) -> u64 {
    // FNV-1a; only the spread matters.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in word.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    1 << (h % 64)
}

impl Sentence {
    /// Reads `text` as one sentence.
    pub fn new(text: &str, synonyms: &Synonyms) -> Self {
        let words = words(text);
        let toks: Vec<Tok> = words
            .iter()
            .enumerate()
            .filter_map(|(i, w)| {
                w.token().map(|text| Tok {
                    text,
                    word: i,
                    neg: w.role == Role::Negator,
                })
            })
            .collect();
        let tokens: Vec<String> = toks.iter().map(|t| t.text.clone()).collect();
        let mut joined = String::with_capacity(text.len() + 2);
        joined.push(' ');
        let mut word_sig = 0;
        for w in &words {
            joined.push_str(&w.lower);
            joined.push(' ');
            word_sig |= bit(&w.lower);
        }
        let alts = synonyms.overlay(&tokens);
        let tok_sig = tokens
            .iter()
            .chain(alts.iter().flat_map(|a| a.tokens.iter()))
            .fold(0, |sig, t| sig | bit(t));
        Sentence {
            joined,
            word_sig,
            tok_sig,
            text: text.trim().to_string(),
            alts,
            word_count: words.len(),
            function_words: words.iter().filter(|w| w.role != Role::Content).count(),
            code_words: words.iter().filter(|w| w.code).count(),
            toks,
            tokens,
            words,
        }
    }

    /// Does the contiguous word sequence `phrase` (space-separated, lower-case) occur?
    pub fn has_phrase(&self, phrase: &str) -> bool {
        let sig = phrase.split(' ').fold(0, |sig, w| sig | bit(w));
        if sig & !self.word_sig != 0 {
            return false;
        }
        self.joined.match_indices(phrase).any(|(at, _)| {
            self.joined.as_bytes()[at - 1] == b' '
                && self.joined.as_bytes().get(at + phrase.len()) == Some(&b' ')
        })
    }

    /// The first of `phrases` that occurs, if any.
    pub fn first_phrase<'p>(&self, phrases: &[&'p str]) -> Option<&'p str> {
        phrases.iter().copied().find(|p| self.has_phrase(p))
    }

    /// True when any word is one of `list`.
    pub fn has_word(&self, list: &[&str]) -> bool {
        self.words.iter().any(|w| list.contains(&w.lower.as_str()))
    }
}

const ABBREVIATIONS: &[&str] = &["e.g", "i.e", "etc", "vs", "eg", "ie", "approx", "cf"];

/// Splits on `.`, `!`, `?` and `;` followed by whitespace, and on line breaks, so bullet lists
/// become one sentence per line. Common abbreviations ("e.g.", "vs.") do not end a sentence,
/// and dots inside names (`os.path`, `3.12`) never do.
pub fn split_sentences(text: &str, synonyms: &Synonyms) -> Vec<Sentence> {
    sentence_texts(text)
        .into_iter()
        .map(|t| Sentence::new(t, synonyms))
        .collect()
}

/// The sentences of `text` as written (trimmed slices, bullet marks dropped), by the rules of
/// [`split_sentences`]; pieces without a letter or digit are left out.
pub fn sentence_texts(text: &str) -> Vec<&str> {
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

fn push<'a>(out: &mut Vec<&'a str>, piece: &'a str) {
    let trimmed = piece.trim().trim_start_matches(['-', '*', '•']).trim();
    if trimmed.chars().any(|c| c.is_alphanumeric()) {
        out.push(trimmed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<String> {
        split_sentences(s, &Synonyms::empty())
            .into_iter()
            .map(|s| s.text)
            .collect()
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
        let s = &split_sentences("The list is shared between calls", &Synonyms::empty())[0];
        assert_eq!(s.word_count, 6);
        assert_eq!(s.function_words, 2);
    }
}
