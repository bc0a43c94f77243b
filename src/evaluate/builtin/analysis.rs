//! Shape of an answer before any grading: its sentences, and whether it is too short, a keyword
//! list, repetitive, or a copy of the question.

use std::collections::HashSet;

use crate::bank::Question;
use crate::evaluate::Flag;
use crate::text::{Role, Sentence, content_tokens, split_sentences};

/// Answers with fewer words than this are flagged `too_short`.
pub const MIN_WORDS: usize = 12;

/// Credit for a key point made only in a fragment or keyword list: terse notes still make their
/// points, an answer that is mostly a list is capped by its flag, and a list of terms tacked onto
/// a weak answer still cannot carry it past the pass mark.
pub const FRAGMENT_CREDIT: f64 = 0.7;

/// An answer split and measured.
pub struct Analysis {
    /// Distinct sentences in order of first appearance; repeats are scored once.
    pub sentences: Vec<Sentence>,
    pub flags: Vec<Flag>,
}

impl Analysis {
    /// Sentences long enough to say something (four words or more).
    pub fn substantial(&self) -> usize {
        self.sentences.iter().filter(|s| s.word_count >= 4).count()
    }
}

/// Words by which a candidate says they are unsure of a claim ("I think", "probably"): a wrong
/// claim made this way is a gap in knowledge, not the confident mistake it is otherwise.
const HEDGES: &[&str] = &[
    "i think",
    "i believe",
    "i guess",
    "i suppose",
    "i d say",
    "i would say",
    "probably",
    "maybe",
    "perhaps",
    "not sure",
    "not totally sure",
    "not entirely sure",
    "not certain",
    "if i remember",
    "if i recall",
    "iirc",
    "could be wrong",
    "might be wrong",
];

/// True when the candidate says in the sentence that they are unsure of it.
pub fn hedged(s: &Sentence) -> bool {
    s.first_phrase(HEDGES).is_some()
}

/// Items separated by commas, pipes, semicolons or spaced slashes. An unspaced slash joins
/// alternatives into one item (`__enter__`/`__exit__`, "and/or").
fn segments(s: &Sentence) -> usize {
    1 + s.text.matches([',', '|', ';']).count() + s.text.matches(" / ").count()
}

/// A bare fragment or a list of terms rather than a sentence that says something.
pub fn is_fragment(s: &Sentence) -> bool {
    let n = s.word_count;
    if n <= 2 {
        return true;
    }
    let function = s
        .words
        .iter()
        .filter(|w| w.role != Role::Content && !w.code)
        .count();
    let ratio = function as f64 / n as f64;
    let items = segments(s);
    let per_item = n as f64 / items as f64;
    // Nobody strings a dozen clauses together with commas; a list of phrases is still a list.
    (items >= 3 && per_item <= 3.5 && ratio < 0.25)
        || (items >= 12 && per_item <= 6.0)
        || (n >= 6 && ratio < 0.08)
}

/// How much a sentence reads as prose rather than a fragment: full credit for a real sentence,
/// partial for a bare fragment or a keyword list, so a list of terms cannot outscore an explanation.
pub fn prose_factor(s: &Sentence) -> f64 {
    if is_fragment(s) { FRAGMENT_CREDIT } else { 1.0 }
}

/// Splits and measures `answer` (already normalised) against `question`.
pub fn analyse(answer: &str, question: &Question) -> Analysis {
    let all = split_sentences(answer, &question.synonyms);
    let word_count: usize = all.iter().map(|s| s.word_count).sum();
    let function_words: usize = all.iter().map(|s| s.function_words).sum();
    // Code is neither prose nor a list of terms: the share of function words is that of the rest,
    // and an answer that is nearly all code is judged by its fragments alone.
    let prose_words = word_count - all.iter().map(|s| s.code_words).sum::<usize>();
    let mut flags = Vec::new();

    if word_count < MIN_WORDS {
        flags.push(Flag::TooShort);
    }
    let (fragments, fragment_words) = all
        .iter()
        .filter(|s| is_fragment(s))
        .fold((0, 0), |(n, words), s| (n + 1, words + s.word_count));
    let ratio = function_words as f64 / prose_words.max(1) as f64;
    if word_count >= 6
        && ((prose_words >= 6 && ratio < 0.12)
            || (fragments >= 3 && fragment_words * 2 > word_count)
            || fragment_words * 10 > word_count * 7)
    {
        flags.push(Flag::KeywordStuffing);
    }

    let mut answer_tokens: Vec<&str> = all
        .iter()
        .flat_map(|s| s.tokens.iter().map(String::as_str))
        .collect();
    answer_tokens.sort_unstable();
    answer_tokens.dedup();
    let copied = answer_tokens
        .iter()
        .filter(|t| {
            question
                .text_tokens
                .binary_search_by(|q| q.as_str().cmp(t))
                .is_ok()
        })
        .count();
    if answer_tokens.len() >= 3 && copied * 4 >= answer_tokens.len() * 3 {
        flags.push(Flag::CopiedQuestion);
    }

    let total = all.len();
    let repeated_phrases = total >= 3 && repeated_ngram_share(&all) > 0.3;
    let mut seen = HashSet::new();
    let sentences: Vec<Sentence> = all
        .into_iter()
        .filter(|s| !s.tokens.is_empty() && seen.insert(s.tokens.join(" ")))
        .collect();
    if total >= 3 && (sentences.len() * 10 < total * 7 || repeated_phrases) {
        flags.push(Flag::Repetitive);
    }

    Analysis { sentences, flags }
}

/// Share of 4-word sequences that occur more than once (a paragraph pasted twice, a phrase on loop).
fn repeated_ngram_share(sentences: &[Sentence]) -> f64 {
    let words: Vec<&str> = sentences
        .iter()
        .flat_map(|s| s.words.iter().map(|w| w.lower.as_str()))
        .collect();
    if words.len() < 16 {
        return 0.0;
    }
    // Every occurrence of a 4-gram after its first is a repeat: sorted, they sit side by side.
    let mut grams: Vec<&[&str]> = words.windows(4).collect();
    grams.sort_unstable();
    let distinct = 1 + grams.windows(2).filter(|w| w[0] != w[1]).count();
    (grams.len() - distinct) as f64 / grams.len() as f64
}

/// Share of the answer's content words that belong to the question's vocabulary
/// (its text, key points, terms, misconceptions and STAR expectations).
pub fn vocabulary_overlap(analysis: &Analysis, question: &Question) -> f64 {
    let mut vocab: HashSet<String> = question.text_tokens.iter().cloned().collect();
    for kp in &question.key_points {
        vocab.extend(content_tokens(&kp.text));
        for t in kp.compiled_terms() {
            vocab.extend(t.tokens().iter().cloned());
        }
    }
    for m in &question.misconceptions {
        for t in m.compiled_terms() {
            vocab.extend(t.tokens().iter().cloned());
        }
    }
    if let Some(star) = &question.star {
        for part in [&star.situation, &star.task, &star.action, &star.result] {
            vocab.extend(content_tokens(part));
        }
    }
    vocab.remove("not");
    let tokens: Vec<&String> = analysis
        .sentences
        .iter()
        .flat_map(|s| &s.tokens)
        .filter(|t| *t != "not")
        .collect();
    if tokens.is_empty() {
        return 0.0;
    }
    tokens.iter().filter(|t| vocab.contains(**t)).count() as f64 / tokens.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Synonyms;

    fn sentence(text: &str) -> Sentence {
        Sentence::new(text, &Synonyms::default())
    }

    #[test]
    fn an_unspaced_slash_joins_alternatives_and_a_spaced_one_separates_items() {
        assert_eq!(
            segments(&sentence(
                "`async with` awaits `__aenter__`/`__aexit__` on the way in and out"
            )),
            1
        );
        assert_eq!(
            segments(&sentence("GIL / threads / processes / asyncio")),
            4
        );
        assert!(is_fragment(&sentence(
            "GIL / threads / processes / asyncio / queues"
        )));
    }
}
