//! The measurements behind rubric criteria other than key points and STAR parts. Each returns a
//! value in 0.0–1.0, a rationale a candidate can read, and the sentences that show it.

use super::analysis::{Analysis, hedged, is_fragment};
use crate::text::Sentence;

/// One measurement.
pub struct Measure {
    pub value: f64,
    pub rationale: String,
    pub evidence: Vec<String>,
}

const REASONING: &[&str] = &[
    "because",
    "so",
    "which",
    "via",
    "meaning",
    "thanks to",
    "i e",
    "in other words",
    "that s why",
    "as",
    "since",
    "so that",
    "which means",
    "that means",
    "means that",
    "therefore",
    "thus",
    "hence",
    "otherwise",
    "as a result",
    "due to",
    "leads to",
    "this is why",
    "that is why",
    "which is why",
    "the reason",
    "in order to",
    "results in",
    "causes",
    "caused by",
    "so the",
    "so it",
    "so you",
    "so we",
    "so each",
    "so every",
    "which makes",
    "that way",
    "this way",
];

const EXAMPLE_CUES: &[&str] = &[
    "for example",
    "for instance",
    "e g",
    "eg",
    "such as",
    "say you",
    "imagine",
    "in practice",
    "in production",
    "consider",
    "like when",
    "let s say",
    "suppose",
    "in one project",
    "at my",
];

const TRADEOFF_CUES: &[&str] = &[
    "trade off",
    "tradeoff",
    "tradeoffs",
    "however",
    "but",
    "on the other hand",
    "downside",
    "drawback",
    "cost",
    "costs",
    "overhead",
    "versus",
    "vs",
    "whereas",
    "instead",
    "alternatively",
    "depends",
    "at the expense",
    "pros",
    "cons",
    "limitation",
    "risk",
    "caveat",
    "unless",
    "although",
    "though",
    "compared to",
    "slower",
    "faster",
    "cheaper",
    "simpler",
    "more complex",
    "worth it",
    "price",
];

const SEQUENCE_CUES: &[&str] = &[
    "first",
    "firstly",
    "to start",
    "start by",
    "begin",
    "then",
    "next",
    "after that",
    "afterwards",
    "finally",
    "once",
    "before",
    "step",
    "second",
    "third",
    "lastly",
    "meanwhile",
    "in parallel",
    "immediately",
    "short term",
    "long term",
    "right away",
    "at the same time",
];

const INVESTIGATION_CUES: &[&str] = &[
    "check",
    "look at",
    "measure",
    "confirm",
    "verify",
    "reproduce",
    "compare",
    "profile",
    "monitor",
    "dashboard",
    "metrics",
    "logs",
    "trace",
    "alert",
    "roll back",
    "rollback",
    "mitigate",
    "postmortem",
    "post mortem",
    "hypothesis",
    "bisect",
    "diff",
    "graph",
    "p99",
    "p95",
    "percentile",
    "error rate",
    "canary",
    "runbook",
    "communicate",
    "status page",
];

fn sentences_with<'a>(analysis: &'a Analysis, cues: &[&str]) -> Vec<&'a Sentence> {
    analysis
        .sentences
        .iter()
        .filter(|s| cues.iter().any(|c| s.has_phrase(c)))
        .collect()
}

fn quotes(sentences: &[&Sentence], n: usize) -> Vec<String> {
    sentences.iter().take(n).map(|s| s.text.clone()).collect()
}

/// Relevance gate: style without substance earns little, so style signals scale with coverage.
fn relevance(coverage: f64) -> f64 {
    (1.3 * coverage).min(1.0)
}

/// Share of a style signal that the points made carry on their own: a terse correct answer is
/// not scored like an empty one, and the cues (steps, trade-offs, examples) earn the rest.
const STYLE_FLOOR: f64 = 0.5;
/// Share of the reasoning signal that correctly stated points carry before any "because".
const STATED_DEPTH: f64 = 0.85;

fn with_floor(cues: f64) -> f64 {
    STYLE_FLOOR + (1.0 - STYLE_FLOOR) * cues
}

/// Depth lost for each sentence in which the candidate says they are unsure (at most two).
const HEDGE_COST: f64 = 0.1;

/// Reasoning: covered points explained with causes and consequences. A reason the candidate is
/// unsure of ("I guess it's a bit faster") shows no grasp of the why, and says as much.
pub fn depth(analysis: &Analysis, coverage: f64) -> Measure {
    let (unsure, sure): (Vec<&Sentence>, Vec<&Sentence>) =
        analysis.sentences.iter().partition(|s| hedged(s));
    let unsure = unsure.len();
    let reasons: Vec<&Sentence> = sure
        .into_iter()
        .filter(|s| {
            REASONING.iter().any(|c| s.has_phrase(c))
                || ["->", "=>", "→", " - so "]
                    .iter()
                    .any(|a| s.text.contains(a))
        })
        .collect();
    // Points stated correctly already show the mechanism; reasons on top make it deep.
    let value = coverage
        * (STATED_DEPTH + (1.0 - STATED_DEPTH) * (reasons.len() as f64 / 3.0).min(1.0))
        * (1.0 - HEDGE_COST * unsure.min(2) as f64);
    Measure {
        value,
        rationale: match reasons.len() {
            0 => "States facts without explaining why; add the reasons behind them.".into(),
            1 => "Explains the reasoning once; more of the why would deepen it.".into(),
            n => format!("Explains why in {n} places, not only what."),
        },
        evidence: quotes(&reasons, 2),
    }
}

fn looks_like_code(s: &Sentence) -> bool {
    s.text.contains('`')
        || s.text.contains(">>>")
        || s.text.contains("()")
        || s.text.contains(" = ")
        || s.words
            .first()
            .is_some_and(|w| ["def", "import", "class", "async"].contains(&w.lower.as_str()))
}

/// Concrete examples: "for example", code, or numbers.
pub fn examples(analysis: &Analysis, coverage: f64) -> Measure {
    let found: Vec<&Sentence> = analysis
        .sentences
        .iter()
        .filter(|s| EXAMPLE_CUES.iter().any(|c| s.has_phrase(c)) || looks_like_code(s))
        .collect();
    let base = with_floor(match found.len() {
        0 => 0.0,
        1 => 0.6,
        _ => 1.0,
    });
    Measure {
        value: base * relevance(coverage),
        rationale: match found.len() {
            0 => "No concrete example; a short one makes the answer convincing.".into(),
            1 => "Gives a concrete example.".into(),
            n => format!("Gives {n} concrete examples."),
        },
        evidence: quotes(&found, 2),
    }
}

/// Weighing options: downsides, costs and alternatives.
pub fn tradeoffs(analysis: &Analysis, coverage: f64) -> Measure {
    let found = sentences_with(analysis, TRADEOFF_CUES);
    Measure {
        value: with_floor((found.len() as f64 / 3.0).min(1.0)) * relevance(coverage),
        rationale: match found.len() {
            0 => "No trade-offs discussed; say what each option costs.".into(),
            1 | 2 => "Touches on trade-offs; compare the options more directly.".into(),
            _ => "Weighs the options and their costs.".into(),
        },
        evidence: quotes(&found, 2),
    }
}

/// An ordered method: steps in sequence and checks that confirm before acting.
pub fn process(analysis: &Analysis, coverage: f64) -> Measure {
    let steps = sentences_with(analysis, SEQUENCE_CUES);
    let checks: usize = INVESTIGATION_CUES
        .iter()
        .filter(|c| analysis.sentences.iter().any(|s| s.has_phrase(c)))
        .count();
    let value = with_floor(
        0.5 * (steps.len() as f64 / 3.0).min(1.0) + 0.5 * (checks as f64 / 4.0).min(1.0),
    ) * relevance(coverage);
    Measure {
        value,
        rationale: format!(
            "{} ordered step(s) and {} distinct ways of measuring or confirming.",
            steps.len(),
            checks
        ),
        evidence: quotes(&steps, 2),
    }
}

/// Readable prose: full sentences of sensible length, no repetition, not a list of terms.
pub fn clarity(
    analysis: &Analysis,
    coverage: f64,
    keyword_list: bool,
    repetitive: bool,
) -> Measure {
    let n = analysis.sentences.len();
    let words: usize = analysis.sentences.iter().map(|s| s.word_count).sum();
    // Terse notes with a fragment or two are still readable; the more of the answer is bare
    // fragments or lists of terms, the less it reads as an explanation.
    let fragment_words: usize = analysis
        .sentences
        .iter()
        .filter(|s| is_fragment(s))
        .map(|s| s.word_count)
        .sum();
    let fragment_share = fragment_words as f64 / words.max(1) as f64;
    let avg = words as f64 / n.max(1) as f64;
    let mut value: f64 = 1.0;
    let mut notes = Vec::new();
    if avg > 40.0 {
        value *= 0.7;
        notes.push("very long sentences");
    } else if avg < 5.0 {
        value *= 0.5;
        notes.push("fragments rather than sentences");
    }
    if keyword_list {
        value *= 0.3;
        notes.push("reads as a list of terms");
    } else {
        value *= 1.0 - 0.7 * fragment_share;
        if fragment_share >= 0.25 {
            notes.push("parts read as notes rather than sentences");
        }
    }
    if repetitive {
        value *= 0.4;
        notes.push("repeats itself");
    }
    Measure {
        value: value * (2.0 * coverage).min(1.0),
        rationale: if notes.is_empty() {
            "Clear, readable sentences.".into()
        } else {
            format!("Hard to follow: {}.", notes.join(", "))
        },
        evidence: Vec::new(),
    }
}

/// First-person ownership with measurable impact (behavioral answers).
pub fn ownership(own_actions: &[String], team_actions: usize, measurable_result: bool) -> Measure {
    let mine = own_actions.len() as f64;
    let share = if mine + team_actions as f64 == 0.0 {
        0.0
    } else {
        mine / (mine + team_actions as f64)
    };
    let value = 0.6 * (mine / 3.0).min(1.0) * (0.5 + 0.5 * share)
        + 0.4 * f64::from(u8::from(measurable_result));
    Measure {
        value,
        rationale: match (own_actions.len(), measurable_result) {
            (0, _) => "Does not say what you personally did.".into(),
            (_, false) => "Owns the actions; the impact is not quantified.".into(),
            (_, true) => "Owns the actions and quantifies the impact.".into(),
        },
        evidence: own_actions.iter().take(2).cloned().collect(),
    }
}
