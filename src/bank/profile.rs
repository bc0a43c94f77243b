//! Word profiles of key points, for recognising a point made in other words than its terms.
//!
//! Each key point gets the words of its text and terms, weighted by how much they say about
//! this point: words that many questions use ("function", "python") count little, words shared
//! with the question's other points count less, and words that merely repeat the question count
//! half. An answer sentence that carries most of a point's weighted words, including one that
//! belongs to this point alone, is read as making it.

use std::collections::{HashMap, HashSet};

use super::load::Located;
use crate::text::{Synonyms, content_tokens};

/// Shortest word that is matched by prefix ("assign" meets "assignment").
const PREFIX: usize = 6;

/// A key point's weighted words.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Profile {
    /// Word → weight.
    pub weights: HashMap<String, f64>,
    /// Total weight of the key point's own text: what a sentence must mostly carry.
    pub core: f64,
    /// Words that belong to this point alone among the question's points.
    pub own: HashSet<String>,
    /// The key point's text is a negative statement (an odd number of negations).
    pub negative: bool,
    /// Words of six letters or more, by their first six: derived forms the stemmer keeps apart
    /// ("assign" and "assignment", "evaluat" and "evaluation") still meet.
    pub by_prefix: HashMap<String, Vec<String>>,
}

impl Profile {
    /// The profile word `word` stands for: itself, or a longer or shorter form of it.
    pub fn word_for<'p>(&'p self, word: &str) -> Option<&'p str> {
        if let Some((w, _)) = self.weights.get_key_value(word) {
            return Some(w);
        }
        if word.len() < PREFIX || !word.is_char_boundary(PREFIX) {
            return None;
        }
        self.by_prefix.get(&word[..PREFIX])?.iter().find_map(|p| {
            (p.starts_with(word) || word.starts_with(p.as_str())).then_some(p.as_str())
        })
    }
}

fn words_of(text: &str, synonyms: &Synonyms) -> Vec<String> {
    let own = content_tokens(text);
    let mut out = synonyms.canonical(&own);
    out.extend(own);
    out.retain(|t| t != "not");
    out.sort();
    out.dedup();
    out
}

/// Builds every key point's profile, with word rarity measured across the whole bank.
pub fn build(questions: &mut [Located], synonyms: &Synonyms) {
    let per_question: Vec<Vec<Vec<String>>> = questions
        .iter()
        .map(|l| {
            l.question
                .key_points
                .iter()
                .map(|k| {
                    let mut all = words_of(&k.text, synonyms);
                    for t in &k.terms {
                        all.extend(words_of(t, synonyms));
                    }
                    all.sort();
                    all.dedup();
                    all
                })
                .collect()
        })
        .collect();
    let mut document_frequency: HashMap<&str, usize> = HashMap::new();
    for points in &per_question {
        let mut seen: HashSet<&str> = HashSet::new();
        for w in points.iter().flatten() {
            if seen.insert(w) {
                *document_frequency.entry(w).or_default() += 1;
            }
        }
    }
    let n = questions.len().max(1) as f64;
    let rarity = |w: &str| {
        let df = document_frequency.get(w).copied().unwrap_or(1) as f64;
        (1.0 + n / df).ln()
    };
    for (l, points) in questions.iter_mut().zip(&per_question) {
        let q = &mut l.question;
        let topic: HashSet<String> = words_of(&q.text, synonyms).into_iter().collect();
        let mut shared: HashMap<&str, usize> = HashMap::new();
        for words in points {
            for w in words {
                *shared.entry(w).or_default() += 1;
            }
        }
        for (k, words) in q.key_points.iter_mut().zip(points) {
            let weight = |w: &str| {
                let topical = if topic.contains(w) { 0.5 } else { 1.0 };
                rarity(w) * topical / shared[w] as f64
            };
            let weights: HashMap<String, f64> =
                words.iter().map(|w| (w.clone(), weight(w))).collect();
            let core = words_of(&k.text, synonyms)
                .iter()
                .filter_map(|w| weights.get(w))
                .sum();
            let own = words
                .iter()
                .filter(|w| shared[w.as_str()] == 1 && !topic.contains(*w))
                .cloned()
                .collect();
            let negations = content_tokens(&k.text)
                .iter()
                .filter(|t| *t == "not")
                .count();
            let mut by_prefix: HashMap<String, Vec<String>> = HashMap::new();
            for w in weights
                .keys()
                .filter(|w| w.len() >= PREFIX && w.is_char_boundary(PREFIX))
            {
                by_prefix
                    .entry(w[..PREFIX].to_string())
                    .or_default()
                    .push(w.clone());
            }
            // The same word wins whatever order the map hands them out in.
            for forms in by_prefix.values_mut() {
                forms.sort();
            }
            k.profile = Profile {
                weights,
                core,
                own,
                negative: negations % 2 == 1,
                by_prefix,
            };
        }
    }
}
