//! Word extraction and stop words.

use super::stem;

/// Very common words that carry no evidence that a point was made.
const STOP_WORDS: &[&str] = &[
    "a", "an", "the", "of", "to", "in", "on", "at", "by", "for", "with", "and", "or", "but", "is",
    "are", "was", "were", "be", "been", "being", "it", "its", "this", "that", "these", "those",
    "as", "from", "into", "than", "then", "so", "if", "do", "does", "did", "not", "no", "can",
    "could", "would", "should", "will", "shall", "may", "might", "must", "i", "you", "he", "she",
    "we", "they", "me", "my", "our", "your", "their", "them", "us", "his", "her", "which", "who",
    "whom", "what", "when", "where", "why", "how", "there", "here", "also", "just", "only", "very",
    "about", "over", "under", "up", "out", "off", "again", "more", "most", "some", "any", "all",
    "each", "both", "few", "other", "such", "own", "same", "too", "s", "t",
];

/// True for a word (already lower-cased) that the matcher ignores.
pub fn is_stop_word(word: &str) -> bool {
    STOP_WORDS.contains(&word)
}

/// Lower-cased words: runs of ASCII letters, digits and underscores, with underscores trimmed
/// from both ends (`__slots__` → `slots`). Symbols and other punctuation vanish.
pub fn raw_words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .map(|w| w.trim_matches('_').to_ascii_lowercase())
        .filter(|w| !w.is_empty())
}

/// Stemmed words with stop words removed: the form terms and sentences are compared in.
pub fn content_tokens(text: &str) -> Vec<String> {
    raw_words(text)
        .filter(|w| !is_stop_word(w))
        .map(|w| stem(&w))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn punctuation_symbols_and_dunder_underscores_vanish() {
        assert_eq!(
            content_tokens("The __slots__ of a class; O(n log n)!"),
            ["slot", "class", "o", "n", "log", "n"]
        );
        assert_eq!(content_tokens("x := f(y)"), ["x", "f", "y"]);
    }
}
