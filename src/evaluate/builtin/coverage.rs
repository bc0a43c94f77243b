//! What the answer claims: which key points it makes (and where), which wrong claims it makes
//! (an authored misconception, or a key point stated the other way round), and how much of the
//! answer the matcher could read at all.

use super::analysis::{Analysis, hedged, prose_factor};
use crate::bank::{Profile, Question};
use crate::evaluate::{IncorrectClaim, KeyPointResult};
use crate::text::{Match, Polarity, Sentence, Term};

/// Phrases that show a claim is reported, not made ("a common misconception is that …").
const REPORTED: &[&str] = &[
    "misconception",
    "myth",
    "people think",
    "people assume",
    "people believe",
    "many think",
    "many people",
    "a lot of people",
    "some people",
    "some say",
    "common mistake",
    "classic mistake",
    "common bug",
    "classic bug",
    "the bug is",
    "a mistake to",
    "is wrong to",
    "s wrong to",
    "wrongly",
    "mistakenly",
    "you might think",
    "might think",
    "you d think",
    "would think",
    "tempting to",
    "contrary to",
    "naively",
    "a trap",
    "gotcha",
    "pitfall",
    "not true that",
    "is not true",
    "false that",
    "does not mean",
    "not mean",
    "used to think",
    "used to believe",
    "beginners think",
    "juniors think",
    "assume that",
    "assuming that",
    "the idea that",
    "the belief that",
    "the claim that",
    "not just",
    "not merely",
    "not simply",
    "more than just",
];

/// Share of a key point's weighted words a sentence must carry to make it in other words.
const SOFT_THRESHOLD: f64 = 0.4;
/// Credit for a point recognised from its words rather than one of its terms.
const SOFT_CREDIT: f64 = 0.7;

/// Words after a claim that take it back ("… is a myth").
const REFUTED_AFTER: &[&str] = &[
    "is a myth",
    "s a myth",
    "is a misconception",
    "s a misconception",
    "is wrong",
    "s wrong",
    "is not true",
    "is false",
    "is a common mistake",
    "is a trap",
    "is a mistake",
    "not the case",
    "is an error",
    "is a syntaxerror",
    "is a syntax error",
    "is not allowed",
    "does not work",
    "will not work",
];

/// Words that make a clause a condition rather than a claim ("if threads ran in parallel …").
const CONDITIONAL: &[&str] = &["if", "unless", "suppose", "imagine", "assuming"];
/// Words that open a condition for the next clause ("without the GIL, threads would …").
const COUNTERFACTUAL: &[&str] = &["if", "unless", "without", "suppose", "imagine"];
/// Modal verbs that make a consequence hypothetical.
const MODAL: &[&str] = &["would", "could", "might"];

/// Coverage of every key point, the wrong claims, and the weighted score.
pub struct Coverage {
    pub points: Vec<KeyPointResult>,
    /// Weighted share of credit for points made, 0.0–1.0.
    pub fraction: f64,
    /// Wrong statements, with their corrections.
    pub incorrect: Vec<IncorrectClaim>,
    /// How many of them the candidate hedged ("I think …", "probably …").
    pub hedged: usize,
    /// Substantial sentences in which the matcher found any point or wrong claim.
    pub read_sentences: usize,
}

impl Coverage {
    /// How many key points were covered.
    pub fn covered(&self) -> usize {
        self.points.iter().filter(|p| p.covered).count()
    }

    /// Indices of missing key points, most important first (ties keep bank order).
    pub fn missing_by_weight(&self, question: &Question) -> Vec<usize> {
        let mut missing: Vec<usize> = (0..self.points.len())
            .filter(|&i| !self.points[i].covered)
            .collect();
        missing.sort_by(|&a, &b| {
            question.key_points[b]
                .weight
                .total_cmp(&question.key_points[a].weight)
        });
        missing
    }
}

/// The best match of any of `terms` in `s`.
fn best(terms: &[Term], s: &Sentence) -> Option<(Match, usize)> {
    terms
        .iter()
        .filter_map(|t| t.find(s).map(|m| (m, t.tokens().len())))
        .min_by_key(|(m, len)| (m.polarity, std::cmp::Reverse(*len)))
}

/// How much of the key point's weighted words `s` carries, when it carries enough of them,
/// one that is the point's own among them, with the same polarity as the point.
pub fn other_words_score(profile: &Profile, s: &Sentence) -> (f64, Vec<String>) {
    let mut words: Vec<&str> = s.tokens.iter().map(String::as_str).collect();
    words.extend(
        s.alts
            .iter()
            .flat_map(|a| a.tokens.iter().map(String::as_str)),
    );
    words.sort_unstable();
    words.dedup();
    let mut carried: Vec<String> = words
        .iter()
        .filter_map(|w| profile.word_for(w).map(str::to_string))
        .collect();
    carried.sort();
    carried.dedup();
    let score = carried.iter().map(|w| profile.weights[w]).sum::<f64>() / profile.core.max(1e-9);
    (score, carried)
}

pub fn in_other_words(profile: &Profile, s: &Sentence) -> Option<f64> {
    if profile.core <= 0.0 {
        return None;
    }
    let negative = s.toks.iter().filter(|t| t.neg).count() % 2 == 1;
    if negative != profile.negative {
        return None;
    }
    let (score, carried) = other_words_score(profile, s);
    (carried.len() >= 3
        && carried.iter().any(|w| profile.own.contains(w))
        && score >= SOFT_THRESHOLD)
        .then_some(score.min(1.0))
}

/// True when the match is reported or hypothetical rather than claimed by the candidate.
fn not_a_claim(s: &Sentence, m: &Match) -> bool {
    let before: Vec<&str> = s.words[..m.first_word]
        .iter()
        .map(|w| w.lower.as_str())
        .collect();
    let joined = format!(" {} ", before.join(" "));
    if REPORTED.iter().any(|r| joined.contains(&format!(" {r} "))) {
        return true;
    }
    let after: Vec<&str> = s.words[m.last_word + 1..]
        .iter()
        .take(6)
        .map(|w| w.lower.as_str())
        .collect();
    let after = format!(" {} ", after.join(" "));
    if REFUTED_AFTER
        .iter()
        .any(|r| after.contains(&format!(" {r} ")))
    {
        return true;
    }
    // Inside a condition ("if threads ran in parallel, …"), or the consequence of a
    // counterfactual ("without the GIL, threads would run in parallel"), it is not a claim. A
    // match that runs on from the condition into a plain consequence ("if you need a copy,
    // b = a copies it") is claimed there.
    let clause = s.words[m.first_word].clause;
    let last = s.words[m.last_word].clause;
    let in_clause = |c: u16, list: &[&str]| {
        s.words
            .iter()
            .any(|w| w.clause == c && list.contains(&w.lower.as_str()))
    };
    let conditioned = s.words[..m.first_word]
        .iter()
        .any(|w| w.clause == clause && CONDITIONAL.contains(&w.lower.as_str()));
    // A comparison with what something else does or would do ("unlike a list, …", "not after B
    // like a depth-first search would do") describes the other thing.
    let compared = s.words[..m.first_word]
        .iter()
        .rev()
        .take_while(|w| w.clause == clause)
        .find(|w| ["like", "unlike"].contains(&w.lower.as_str()))
        .is_some_and(|w| {
            w.lower == "unlike"
                || s.words[m.last_word + 1..]
                    .iter()
                    .take(3)
                    .any(|w| MODAL.contains(&w.lower.as_str()))
        });
    compared
        || (conditioned && (last == clause || in_clause(last, MODAL)))
        || (clause > 0 && in_clause(clause - 1, COUNTERFACTUAL) && in_clause(clause, MODAL))
}

/// Finds, for each key point, the best sentence that asserts it, and every wrong claim.
pub fn measure(question: &Question, analysis: &Analysis) -> Coverage {
    let sentences = &analysis.sentences;
    let mut read = vec![false; sentences.len()];
    let mut incorrect = Vec::new();
    let mut hedged_claims = 0;

    // Authored misconceptions stated as claims.
    let mut wrong_sentence = vec![false; sentences.len()];
    for m in &question.misconceptions {
        let mut reported = false;
        for (i, s) in sentences.iter().enumerate() {
            let Some((found, _)) = best(m.compiled_terms(), s) else {
                continue;
            };
            read[i] = true;
            if found.polarity != Polarity::Asserted
                || not_a_claim(s, &found)
                || m.read_through_correction(s, &found)
            {
                continue;
            }
            // Every sentence that states it is wrong; the claim is reported once.
            wrong_sentence[i] = true;
            if !reported {
                reported = true;
                hedged_claims += usize::from(hedged(s));
                incorrect.push(IncorrectClaim {
                    claim: s.text.clone(),
                    correction: m.correction.clone(),
                });
            }
        }
    }

    let mut points = Vec::with_capacity(question.key_points.len());
    let (mut earned, mut total) = (0.0, 0.0);
    let mut asserting = vec![false; sentences.len()];
    let mut denials: Vec<(usize, usize)> = Vec::new();
    for (k, kp) in question.key_points.iter().enumerate() {
        let mut evidence: Option<(f64, usize)> = None;
        for (i, s) in sentences.iter().enumerate() {
            let Some((found, len)) = best(kp.compiled_terms(), s) else {
                continue;
            };
            read[i] = true;
            match found.polarity {
                Polarity::Asserted if !wrong_sentence[i] => {
                    asserting[i] = true;
                    let credit = prose_factor(s);
                    if evidence.is_none_or(|(c, _)| credit > c) {
                        evidence = Some((credit, i));
                    }
                }
                Polarity::Denied if len >= 2 && !not_a_claim(s, &found) => denials.push((k, i)),
                _ => {}
            }
        }
        if evidence.is_none() {
            evidence = sentences
                .iter()
                .enumerate()
                .filter(|(i, _)| !wrong_sentence[*i])
                .filter_map(|(i, s)| in_other_words(&kp.profile, s).map(|_| (i, s)))
                .map(|(i, s)| (SOFT_CREDIT * prose_factor(s), i))
                .max_by(|a, b| a.0.total_cmp(&b.0));
            if let Some((_, i)) = evidence {
                read[i] = true;
            }
        }
        let credit = evidence.map_or(0.0, |(c, _)| c);
        earned += kp.weight * credit;
        total += kp.weight;
        points.push(KeyPointResult {
            text: kp.text.clone(),
            covered: evidence.is_some(),
            evidence: evidence.map(|(_, i)| sentences[i].text.clone()),
            hint: (!kp.hint.is_empty()).then(|| kp.hint.clone()),
            withheld: false,
        });
    }

    // A key point stated the other way round, and made nowhere else, is a wrong claim; a
    // sentence that also makes a correct point is more likely denying something else.
    for (k, i) in denials {
        let already = incorrect.iter().any(|c| c.claim == sentences[i].text);
        if !points[k].covered && !asserting[i] && !already {
            hedged_claims += usize::from(hedged(&sentences[i]));
            incorrect.push(IncorrectClaim {
                claim: sentences[i].text.clone(),
                correction: question.key_points[k].text.clone(),
            });
        }
    }

    Coverage {
        points,
        fraction: if total > 0.0 { earned / total } else { 0.0 },
        incorrect,
        hedged: hedged_claims,
        read_sentences: sentences
            .iter()
            .zip(&read)
            .filter(|(s, r)| **r && s.word_count >= 4)
            .count(),
    }
}
