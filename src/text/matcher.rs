//! Term matching: a term matches a sentence when its content words appear in the sentence in
//! order, with at most [`Window::MAX_GAP`] other content words between consecutive ones.

use super::content_tokens;

/// The gap rule shared by the lint and the evaluator.
pub struct Window;

impl Window {
    /// Other content words allowed between two consecutive words of a term.
    pub const MAX_GAP: usize = 2;
}

/// A term (alias) compiled to its content tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    source: String,
    tokens: Vec<String>,
}

impl Term {
    /// Compiles a term; the result may be empty when the term holds only stop words.
    pub fn new(source: &str) -> Self {
        Term {
            source: source.to_string(),
            tokens: content_tokens(source),
        }
    }

    /// The term as written in the bank.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The content tokens the term matches on.
    pub fn tokens(&self) -> &[String] {
        &self.tokens
    }

    /// True when the term has no content words and so can never match.
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// Does the term occur in `tokens` (a sentence's content tokens)?
    pub fn matches(&self, tokens: &[String]) -> bool {
        let Some((first, rest)) = self.tokens.split_first() else {
            return false;
        };
        tokens
            .iter()
            .enumerate()
            .any(|(i, t)| t == first && follows(rest, tokens, i))
    }
}

fn follows(rest: &[String], tokens: &[String], pos: usize) -> bool {
    let Some((next, rest)) = rest.split_first() else {
        return true;
    };
    let end = (pos + 2 + Window::MAX_GAP).min(tokens.len());
    (pos + 1..end).any(|j| &tokens[j] == next && follows(rest, tokens, j))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(term: &str, sentence: &str) -> bool {
        Term::new(term).matches(&content_tokens(sentence))
    }

    #[test]
    fn words_in_order_with_small_gaps_match() {
        assert!(m(
            "evaluated once",
            "Defaults are evaluated only once, at def time."
        ));
        assert!(m(
            "global interpreter lock",
            "The Global Interpreter-Lock serialises bytecode"
        ));
        assert!(!m("evaluated once", "once it is evaluated"));
        assert!(!m(
            "evaluated once",
            "evaluated lazily by a long chain of things once"
        ));
    }

    #[test]
    fn matching_backtracks_past_an_early_partial_match() {
        assert!(m("shared list object", "shared x y z shared list object"));
        assert!(m("alpha beta gamma", "alpha beta beta x x gamma"));
    }

    #[test]
    fn stop_word_only_terms_never_match() {
        let t = Term::new("the of and");
        assert!(t.is_empty());
        assert!(!t.matches(&content_tokens("the of and")));
    }
}
