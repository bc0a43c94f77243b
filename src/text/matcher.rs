//! Term matching: a term matches a sentence when its tokens appear in order, with at most
//! [`Window::MAX_GAP`] other content words between consecutive ones (negators do not count
//! towards the gap). Each match also says whether the sentence asserts the term or denies it:
//! a negator inside the matched words, or right before them in the same clause, that the term
//! does not itself contain, turns "`is` compares identity" into "`is` does not compare identity".

use super::content_tokens;
use super::sentences::{Sentence, Tok, bit};
use super::synonyms::Synonyms;
use super::tokens::{Role, Word};

/// The gap rule shared by the lint and the evaluator.
pub struct Window;

impl Window {
    /// Other content words allowed between two consecutive words of a term.
    pub const MAX_GAP: usize = 2;
    /// Content words (fillers aside) a negation may stand before a match and still govern it
    /// ("does not make *your code* thread-safe").
    const NEGATION_REACH: usize = 2;
}

/// Content words that may sit between a negator and the claim it denies
/// ("does not *really* make it thread-safe").
const FILLERS: &[&str] = &[
    "really",
    "actually",
    "always",
    "necessarily",
    "quite",
    "exactly",
    "even",
    "fully",
    "entirely",
    "truly",
    "completely",
    "automatically",
    "directly",
    "simply",
    "ever",
    "get",
    "gets",
    "make",
    "makes",
    "become",
    "becomes",
];

/// Negators that name an alternative: "instead of X", "rather than X" deny X and nothing after it.
const ALTERNATIVE: &[&str] = &["instead", "rather"];

fn names_alternative(w: &Word) -> bool {
    ALTERNATIVE.contains(&w.lower.as_str())
}

/// Whether a sentence says what the term says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Polarity {
    /// The sentence states the term as written.
    Asserted,
    /// The sentence denies it ("never", "not", "without" …).
    Denied,
    /// A negation sits between clauses the match spans; neither reading is safe.
    Unclear,
}

/// Where a term matched and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Match {
    pub first_word: usize,
    pub last_word: usize,
    pub polarity: Polarity,
}

/// A term (alias) compiled to its content tokens, in its own words and in canonical words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    source: String,
    forms: Vec<Vec<String>>,
    /// Each form's tokens as a Bloom signature (see [`Sentence`]).
    sigs: Vec<u64>,
}

impl Term {
    /// Compiles a term; the result may be empty when the term holds only stop words.
    pub fn new(source: &str, synonyms: &Synonyms) -> Self {
        let own = content_tokens(source);
        let canonical = synonyms.canonical(&own);
        let mut forms = vec![own];
        if canonical != forms[0] {
            forms.push(canonical);
        }
        let sigs = forms
            .iter()
            .map(|f| f.iter().fold(0, |sig, t| sig | bit(t)))
            .collect();
        Term {
            source: source.to_string(),
            forms,
            sigs,
        }
    }

    /// The term as written in the bank.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The content tokens the term matches on, in its own words.
    pub fn tokens(&self) -> &[String] {
        &self.forms[0]
    }

    /// Every token the term matches on, in its own words and in its canonical readings.
    pub fn all_tokens(&self) -> impl Iterator<Item = &String> {
        self.forms.iter().flatten()
    }

    /// True when the term has no content words and so can never match.
    pub fn is_empty(&self) -> bool {
        self.forms[0].is_empty()
    }

    /// The best match in `s`: an asserting one when there is one, else a denying one.
    pub fn find(&self, s: &Sentence) -> Option<Match> {
        let mut best: Option<Match> = None;
        for (form, sig) in self.forms.iter().zip(&self.sigs) {
            // A token the sentence does not have at all: no alignment can exist.
            if form.is_empty() || sig & !s.tok_sig != 0 {
                continue;
            }
            let mut consider = |m: Match| {
                if best.is_none_or(|b| m.polarity < b.polarity) {
                    best = Some(m);
                }
                m.polarity == Polarity::Asserted
            };
            if search(form, s, &mut consider) {
                return best;
            }
        }
        best
    }

    /// True when `s` asserts the term.
    pub fn asserted_in(&self, s: &Sentence) -> bool {
        self.find(s)
            .is_some_and(|m| m.polarity == Polarity::Asserted)
    }
}

/// One way of lining the term up with the sentence.
struct Path {
    first_tok: usize,
    last_tok: usize,
    /// Negator tokens the term itself consumed.
    consumed: Vec<usize>,
}

/// Calls `found` for every alignment of `form` in `s` until it returns true; returns whether it did.
fn search(form: &[String], s: &Sentence, found: &mut impl FnMut(Match) -> bool) -> bool {
    for start in 0..s.toks.len() {
        let mut path = Path {
            first_tok: start,
            last_tok: start,
            consumed: Vec::new(),
        };
        if step(form, 0, start, true, s, &mut path, found) {
            return true;
        }
    }
    false
}

/// Tries to match `form[k..]` starting at token `at`; when `anchored` the token must be
/// exactly `at` (the first word of the term), otherwise within the gap window from `at`.
fn step(
    form: &[String],
    k: usize,
    at: usize,
    anchored: bool,
    s: &Sentence,
    path: &mut Path,
    found: &mut impl FnMut(Match) -> bool,
) -> bool {
    if k == form.len() {
        return found(judge(s, path));
    }
    // A negation in a term governs the word right after it ("no gil" is not "no … gil"); one
    // that names an alternative ("instead of X", "rather than X") governs only X itself.
    let after_negation = k > 0 && form[k - 1] == "not";
    let max_gap = if !after_negation {
        Window::MAX_GAP
    } else if names_alternative(&s.words[s.toks[path.last_tok].word]) {
        0
    } else {
        1
    };
    let clause = s.words[s.toks[path.last_tok].word].clause;
    let mut skipped = 0;
    let mut j = at;
    while j < s.toks.len() {
        let tok: &Tok = &s.toks[j];
        if after_negation && s.words[tok.word].clause != clause {
            return false;
        }
        // The next word of a term comes from the same aside as the one before it.
        let same_aside =
            k == 0 || s.words[tok.word].aside == s.words[s.toks[path.last_tok].word].aside;
        if tok.text == form[k] && same_aside {
            let saved = (path.last_tok, path.consumed.len());
            path.last_tok = j;
            if tok.neg {
                path.consumed.push(j);
            }
            if step(form, k + 1, j + 1, false, s, path, found) {
                return true;
            }
            path.last_tok = saved.0;
            path.consumed.truncate(saved.1);
        }
        for alt in s.alts.iter().filter(|a| a.start == j && same_aside) {
            if form[k..].starts_with(&alt.tokens) {
                let saved = (path.last_tok, path.consumed.len());
                path.last_tok = alt.end - 1;
                // A negation inside the phrase is part of what it means ("not mutable").
                path.consumed
                    .extend((alt.start..alt.end).filter(|i| s.toks[*i].neg));
                if step(form, k + alt.tokens.len(), alt.end, false, s, path, found) {
                    return true;
                }
                path.last_tok = saved.0;
                path.consumed.truncate(saved.1);
            }
        }
        if anchored {
            return false;
        }
        let filler = after_negation && FILLERS.contains(&s.words[tok.word].lower.as_str());
        if !tok.neg && !filler {
            skipped += 1;
            if skipped > max_gap {
                return false;
            }
        }
        j += 1;
    }
    false
}

/// Decides the polarity of one alignment.
fn judge(s: &Sentence, path: &Path) -> Match {
    let first_word = s.toks[path.first_tok].word;
    let last_word = s.toks[path.last_tok].word;
    let inside = (path.first_tok..=path.last_tok)
        .filter(|i| s.toks[*i].neg && !path.consumed.contains(i))
        .count();
    let clause = s.words[first_word].clause;
    let crosses = s.words[last_word].clause != clause;
    let mut before = 0;
    let mut reach = 0;
    // A term that opens with its own negation ("won't speed up") is governed by it, not by an
    // earlier one ("they won't run in parallel and you won't get a speedup").
    let opens_negated = path.consumed.contains(&path.first_tok);
    for w in s.words[..first_word]
        .iter()
        .rev()
        .take_while(|w| w.clause == clause)
    {
        match w.role {
            // The nearest negation governs: "isn't a JIT and doesn't use hints" denies the hints;
            // "instead of self, call it on the class" denies only self.
            Role::Negator => {
                before = usize::from(!opens_negated && (reach == 0 || !names_alternative(w)));
                break;
            }
            Role::Content if !FILLERS.contains(&w.lower.as_str()) => {
                reach += 1;
                if reach > Window::NEGATION_REACH {
                    break;
                }
            }
            _ => {}
        }
    }
    // "What I wouldn't do is X", "what doesn't work is X": the cleft rejects X however far off,
    // but not each thing X mentions, so the match is neither asserted nor denied.
    let rejected = denied_by_cleft(&s.words[..first_word], clause);
    let polarity = if (crosses && inside > 0) || rejected {
        Polarity::Unclear
    } else if (inside + before) % 2 == 0 {
        Polarity::Asserted
    } else {
        Polarity::Denied
    };
    Match {
        first_word,
        last_word,
        polarity,
    }
}

/// A pseudo-cleft with a negation ("what you don't want is …") in the clause before a match.
fn denied_by_cleft(before: &[Word], clause: u16) -> bool {
    let in_clause: Vec<&Word> = before
        .iter()
        .rev()
        .take_while(|w| w.clause == clause)
        .collect();
    let Some(open) = in_clause.iter().rposition(|w| w.lower == "what") else {
        return false;
    };
    // Between "what" and the match: a negation, then the copula.
    let mut negated = false;
    for w in in_clause[..open].iter().rev() {
        if w.role == Role::Negator {
            negated = true;
        } else if negated && ["is", "was", "are"].contains(&w.lower.as_str()) {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn syn() -> Synonyms {
        Synonyms::parse(
            "_synonyms.toml",
            "[[group]]\nphrases = [\"identity\", \"same object\"]\n",
        )
        .unwrap()
    }

    fn m(term: &str, sentence: &str) -> Option<Polarity> {
        let syn = syn();
        Term::new(term, &syn)
            .find(&Sentence::new(sentence, &syn))
            .map(|m| m.polarity)
    }

    const YES: Option<Polarity> = Some(Polarity::Asserted);
    const NO: Option<Polarity> = Some(Polarity::Denied);

    #[test]
    fn words_in_order_with_small_gaps_match() {
        assert_eq!(
            m(
                "evaluated once",
                "Defaults are evaluated only once, at def time."
            ),
            YES
        );
        assert_eq!(
            m(
                "global interpreter lock",
                "The Global Interpreter-Lock serialises bytecode"
            ),
            YES
        );
        assert_eq!(m("evaluated once", "once it is evaluated"), None);
        assert_eq!(
            m(
                "evaluated once",
                "evaluated lazily by a long chain of things once"
            ),
            None
        );
    }

    #[test]
    fn a_term_is_not_matched_across_the_edge_of_an_aside() {
        let sentence = "it decouples the project from setuptools (flit and setuptools plug in), \
                        and it replaced setup.cfg";
        assert_eq!(m("setuptools replaced", sentence), None);
        // Inside one aside, or around it, the words still match.
        assert_eq!(m("setuptools plug", sentence), YES);
        assert_eq!(m("project setuptools", sentence), YES);
        assert_eq!(
            m(
                "setuptools deprecated",
                "setuptools (the old way) is deprecated"
            ),
            YES
        );
        // The brackets of a call are not an aside.
        assert_eq!(m("int abc raises", "int('abc') raises a ValueError"), YES);
    }

    #[test]
    fn matching_backtracks_past_an_early_partial_match() {
        assert_eq!(
            m("shared list object", "shared x y z shared list object"),
            YES
        );
        assert_eq!(m("alpha beta gamma", "alpha beta beta x x gamma"), YES);
    }

    #[test]
    fn stop_word_only_terms_never_match() {
        let t = Term::new("the of and", &Synonyms::empty());
        assert!(t.is_empty());
        assert!(
            t.find(&Sentence::new("the of and", &Synonyms::empty()))
                .is_none()
        );
    }

    #[test]
    fn a_negation_in_the_clause_denies_the_term() {
        assert_eq!(
            m("released during io", "The GIL is not released during I/O."),
            NO
        );
        assert_eq!(
            m("released during io", "The GIL is released during I/O."),
            YES
        );
        assert_eq!(
            m("thread safe", "The GIL doesn't make your code thread-safe"),
            NO
        );
        assert_eq!(m("thread safe", "It never really gets thread safe"), NO);
        assert_eq!(m("speeds up", "Threads give no speed-up"), NO);
    }

    #[test]
    fn a_term_that_holds_the_negation_is_asserted_by_it() {
        assert_eq!(
            m(
                "not thread safe",
                "The GIL doesn't make your code thread-safe"
            ),
            YES
        );
        assert_eq!(
            m(
                "no speed up",
                "CPU-bound code gets no speed-up from threads"
            ),
            YES
        );
        assert_eq!(m("no speed up", "Threads speed up CPU-bound code"), None);
    }

    #[test]
    fn the_nearest_negation_governs() {
        assert_eq!(
            m(
                "uses type hints",
                "It isn't a JIT and doesn't use type hints"
            ),
            NO
        );
    }

    #[test]
    fn a_negation_in_a_term_governs_the_next_word() {
        assert_eq!(m("no gil", "It runs with no GIL at all"), YES);
        assert_eq!(
            m(
                "no gil",
                "An extension that doesn't support it, the GIL gets switched back on"
            ),
            None
        );
    }

    #[test]
    fn an_alternative_denies_only_what_it_names() {
        // "instead of self" denies self, not the claim that follows it.
        assert_eq!(
            m(
                "can't call it on the class",
                "A classmethod has cls instead of self and you can call it on the class itself"
            ),
            None
        );
        assert_eq!(m("no self", "it takes cls instead of self"), YES);
        assert_eq!(
            m(
                "on the class itself",
                "it has cls instead of self and you call it on the class itself"
            ),
            YES
        );
        assert_eq!(m("threads", "use processes rather than threads"), NO);
        assert_eq!(m("not threads", "use processes rather than threads"), YES);
    }

    #[test]
    fn a_term_that_opens_with_its_negation_is_governed_by_it() {
        assert_eq!(
            m(
                "isn't faster",
                "they won't run in parallel and it won't be any faster"
            ),
            YES
        );
    }

    #[test]
    fn a_cleft_with_a_negation_does_not_assert_what_it_names() {
        assert_eq!(
            m(
                "set difference",
                "What I wouldn't do blindly is take the set difference of both lists"
            ),
            Some(Polarity::Unclear)
        );
        assert_eq!(m("set difference", "What works is the set difference"), YES);
    }

    #[test]
    fn a_negation_in_another_clause_does_not_reach() {
        assert_eq!(
            m("help io", "Threads don't help CPU work, but they help I/O."),
            YES
        );
        assert_eq!(m("identity", "No, `is` checks identity."), YES);
        assert_eq!(
            m("compares values", "`is` compares identity, not values"),
            Some(Polarity::Unclear)
        );
    }

    #[test]
    fn synonyms_match_either_way() {
        assert_eq!(m("identity", "both names refer to the same object"), YES);
        assert_eq!(m("same object", "it checks identity"), YES);
        assert_eq!(
            m(
                "compares identity",
                "it compares whether they are the same object"
            ),
            YES
        );
        assert_eq!(m("identity", "they are not the same object"), NO);
    }
}
