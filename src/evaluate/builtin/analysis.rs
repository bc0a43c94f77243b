//! Shape of an answer before any grading: its sentences, and whether it is too short, a keyword
//! list, repetitive, or a copy of the question.

use std::collections::HashSet;

use crate::bank::Question;
use crate::evaluate::Flag;
use crate::text::{Sentence, content_tokens, split_sentences};

/// Answers with fewer words than this are flagged `too_short`.
pub const MIN_WORDS: usize = 12;

/// An answer split and measured.
pub struct Analysis {
    /// Distinct sentences in order of first appearance; repeats are scored once.
    pub sentences: Vec<Sentence>,
    pub flags: Vec<Flag>,
}

/// Credit for a key point made only in a fragment or keyword list.
pub const FRAGMENT_CREDIT: f64 = 0.4;

/// How much a sentence reads as prose rather than a fragment: full credit for a real sentence,
/// partial for a bare fragment or a keyword list, so a list of terms cannot outscore an explanation.
pub fn prose_factor(s: &Sentence) -> f64 {
    let ratio = s.function_words as f64 / s.word_count.max(1) as f64;
    let commas = s.text.matches(',').count();
    if s.word_count >= 5 && ratio >= 0.1 && !(commas >= 4 && ratio < 0.25) {
        1.0
    } else {
        FRAGMENT_CREDIT
    }
}

/// Splits and measures `answer` against `question`.
pub fn analyse(answer: &str, question: &Question) -> Analysis {
    let all = split_sentences(answer);
    let word_count: usize = all.iter().map(|s| s.word_count).sum();
    let function_words: usize = all.iter().map(|s| s.function_words).sum();
    let mut flags = Vec::new();

    if word_count < MIN_WORDS {
        flags.push(Flag::TooShort);
    }
    let fragments = all.iter().filter(|s| prose_factor(s) < 1.0).count();
    let fragment_words: usize = all
        .iter()
        .filter(|s| prose_factor(s) < 1.0)
        .map(|s| s.word_count)
        .sum();
    let ratio = function_words as f64 / word_count.max(1) as f64;
    if word_count >= 6
        && (ratio < 0.12
            || (fragments >= 3 && fragment_words * 2 > word_count)
            || fragment_words * 10 > word_count * 7)
    {
        flags.push(Flag::KeywordStuffing);
    }

    let mut seen = HashSet::new();
    let sentences: Vec<Sentence> = all
        .iter()
        .filter(|s| !s.tokens.is_empty() && seen.insert(s.tokens.join(" ")))
        .cloned()
        .collect();
    if all.len() >= 3 && (sentences.len() * 10 < all.len() * 7 || repeated_ngram_share(&all) > 0.3)
    {
        flags.push(Flag::Repetitive);
    }

    let answer_tokens: HashSet<String> =
        all.iter().flat_map(|s| s.tokens.iter().cloned()).collect();
    let question_tokens: HashSet<String> = content_tokens(&question.text).into_iter().collect();
    let copied = answer_tokens.intersection(&question_tokens).count();
    if answer_tokens.len() >= 3 && copied * 4 >= answer_tokens.len() * 3 {
        flags.push(Flag::CopiedQuestion);
    }

    Analysis { sentences, flags }
}

/// Share of 4-word sequences that occur more than once (a paragraph pasted twice, a phrase on loop).
fn repeated_ngram_share(sentences: &[Sentence]) -> f64 {
    let words: Vec<&str> = sentences
        .iter()
        .flat_map(|s| s.words.iter().map(String::as_str))
        .collect();
    if words.len() < 16 {
        return 0.0;
    }
    let grams: Vec<&[&str]> = words.windows(4).collect();
    let mut seen = HashSet::new();
    let repeats = grams.iter().filter(|g| !seen.insert(**g)).count();
    repeats as f64 / grams.len() as f64
}

/// Share of the answer's content words that belong to the question's vocabulary
/// (its text, key points, terms and STAR expectations).
pub fn vocabulary_overlap(analysis: &Analysis, question: &Question) -> f64 {
    let mut vocab: HashSet<String> = content_tokens(&question.text).into_iter().collect();
    for kp in &question.key_points {
        vocab.extend(content_tokens(&kp.text));
        for t in kp.compiled_terms() {
            vocab.extend(t.tokens().iter().cloned());
        }
    }
    if let Some(star) = &question.star {
        for part in [&star.situation, &star.task, &star.action, &star.result] {
            vocab.extend(content_tokens(part));
        }
    }
    let tokens: Vec<&String> = analysis.sentences.iter().flat_map(|s| &s.tokens).collect();
    if tokens.is_empty() {
        return 0.0;
    }
    tokens.iter().filter(|t| vocab.contains(**t)).count() as f64 / tokens.len() as f64
}
