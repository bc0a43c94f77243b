//! Situation / Task / Action / Result detection for behavioral answers, each part with the
//! sentence that shows it and a note on what is missing.

use crate::evaluate::{StarBreakdown, StarPart};
use crate::text::Sentence;

const SITUATION_CUES: &[&str] = &[
    "when i was",
    "at my previous",
    "at my last",
    "at my current",
    "at my first",
    "in my previous",
    "in my last",
    "in my first",
    "last year",
    "years ago",
    "months ago",
    "a while ago",
    "at the time",
    "back in",
    "our team",
    "my team",
    "the team",
    "we had",
    "we were",
    "there was",
    "there were",
    "the project",
    "the company",
    "i was working",
    "i worked",
    "working on",
    "working at",
    "during",
    "context",
    "at university",
    "in college",
    "internship",
    "at a startup",
    "our service",
    "our system",
    "our product",
    "our platform",
    "our app",
    "the client",
    "a customer",
    "a client",
    "my manager",
    "a colleague",
    "a teammate",
    "my lead",
];

const TASK_CUES: &[&str] = &[
    "my role",
    "my task",
    "my job",
    "my responsibility",
    "i was responsible",
    "responsible for",
    "i was asked",
    "i was tasked",
    "i was assigned",
    "i needed to",
    "i had to",
    "i wanted to",
    "my goal",
    "the goal",
    "our goal",
    "goal was",
    "the task",
    "the challenge",
    "objective",
    "i owned",
    "in charge of",
    "needed to",
    "had to",
    "was supposed to",
    "the deadline",
    "my part",
    "i decided to take",
    "i volunteered to",
    "it was up to me",
    "i took ownership",
    "i was on call",
];

/// Past-tense verbs that describe something done, beyond the regular `-ed` forms.
const ACTION_VERBS: &[&str] = &[
    "wrote",
    "built",
    "made",
    "ran",
    "set",
    "met",
    "spoke",
    "took",
    "led",
    "split",
    "broke",
    "put",
    "gave",
    "sent",
    "read",
    "chose",
    "began",
    "drew",
    "sat",
    "found",
    "went",
    "brought",
    "taught",
    "sought",
    "held",
    "kept",
    "cut",
    "rewrote",
    "shipped",
    "proposed",
    "started",
    "decided",
    "asked",
    "paired",
    "reviewed",
    "fixed",
    "rolled",
    "reverted",
    "investigated",
    "measured",
    "profiled",
    "traced",
    "debugged",
    "tested",
    "automated",
    "documented",
    "designed",
    "implemented",
    "migrated",
    "prioritised",
    "prioritized",
    "negotiated",
    "escalated",
    "coordinated",
    "mentored",
    "learned",
    "learnt",
    "drafted",
    "gathered",
    "compared",
    "prototyped",
    "introduced",
    "convinced",
    "listened",
    "apologised",
    "apologized",
    "volunteered",
    "stepped",
    "created",
    "replaced",
    "organised",
    "organized",
    "scheduled",
    "explained",
    "presented",
    "added",
    "removed",
    "refactored",
    "called",
    "emailed",
    "reached",
    "talked",
    "spent",
];

/// Words after "I" that describe a state or a hypothetical, not an action taken.
const NOT_ACTIONS: &[&str] = &[
    "was", "am", "felt", "feel", "think", "thought", "believe", "believed", "guess", "would",
    "could", "might", "should", "will", "wanted", "needed", "had", "have", "hope", "realised",
    "realized", "knew", "know", "noticed", "saw", "liked", "love", "loved",
];

const RESULT_CUES: &[&str] = &[
    "as a result",
    "in the end",
    "eventually",
    "ultimately",
    "the result",
    "the outcome",
    "resulted in",
    "result was",
    "outcome was",
    "reduced",
    "increased",
    "improved",
    "cut",
    "saved",
    "dropped",
    "decreased",
    "went from",
    "shipped",
    "launched",
    "delivered",
    "on time",
    "fixed",
    "resolved",
    "succeeded",
    "success",
    "learned",
    "learnt",
    "lesson",
    "taught me",
    "since then",
    "now we",
    "now i",
    "going forward",
    "from then on",
    "afterwards",
    "no longer",
    "praised",
    "recognised",
    "recognized",
    "promoted",
    "adopted",
    "finished",
    "completed",
    "passed",
    "met the deadline",
    "hit the deadline",
    "the feedback",
];

const MEASURE_UNITS: &[&str] = &[
    "percent",
    "hours",
    "days",
    "weeks",
    "minutes",
    "seconds",
    "months",
    "users",
    "customers",
    "requests",
    "times",
    "x",
    "ms",
    "errors",
    "incidents",
    "tickets",
];

const LESSON_CUES: &[&str] = &[
    "learned",
    "learnt",
    "lesson",
    "taught me",
    "since then",
    "going forward",
    "from then on",
    "now i",
    "now we",
];

/// The STAR breakdown and a 0.0–1.0 strength for each part.
pub struct Star {
    pub breakdown: StarBreakdown,
    pub situation: f64,
    pub task: f64,
    pub action: f64,
    pub result: f64,
    /// Sentences where the candidate acts in the first person singular.
    pub own_actions: Vec<String>,
    /// Sentences where the team ("we") acts.
    pub team_actions: usize,
    /// The result sentence carries a number or measurable unit.
    pub measurable_result: bool,
}

fn cue_count(s: &Sentence, cues: &[&str]) -> usize {
    cues.iter().filter(|c| s.has_phrase(c)).count()
}

fn has_number(s: &Sentence) -> bool {
    s.words
        .iter()
        .any(|w| w.bytes().any(|b| b.is_ascii_digit()))
        || s.text.contains('%')
}

fn is_measurable(s: &Sentence) -> bool {
    has_number(s)
        && (s.text.contains('%')
            || MEASURE_UNITS.iter().any(|u| s.words.iter().any(|w| w == u))
            || s.words.len() > 3)
}

/// Does the sentence have `subject` followed within two words by an action verb?
fn acts(s: &Sentence, subject: &str) -> bool {
    s.words.iter().enumerate().any(|(i, w)| {
        w == subject
            && s.words[i + 1..s.words.len().min(i + 4)]
                .iter()
                .take_while(|n| !NOT_ACTIONS.contains(&n.as_str()))
                .any(|n| ACTION_VERBS.contains(&n.as_str()) || (n.len() > 4 && n.ends_with("ed")))
    })
}

fn part(evidence: Option<&Sentence>, present_note: &str, missing_note: &str) -> StarPart {
    StarPart {
        present: evidence.is_some(),
        evidence: evidence.map(|s| s.text.clone()),
        note: if evidence.is_some() {
            present_note
        } else {
            missing_note
        }
        .to_string(),
    }
}

/// Detects the four STAR parts in the answer's sentences.
pub fn detect(sentences: &[Sentence]) -> Star {
    let situation = sentences
        .iter()
        .map(|s| {
            (
                cue_count(s, SITUATION_CUES) + usize::from(s.words.iter().any(|w| is_year(w))),
                s,
            )
        })
        .filter(|(n, _)| *n > 0)
        // The earliest sentence with the most cues (two are plenty): stories open with context.
        .min_by_key(|(n, _)| std::cmp::Reverse((*n).min(2)));
    let task = sentences.iter().find(|s| cue_count(s, TASK_CUES) > 0);
    let own: Vec<&Sentence> = sentences.iter().filter(|s| acts(s, "i")).collect();
    let team_actions = sentences.iter().filter(|s| acts(s, "we")).count();
    let result = sentences
        .iter()
        .rev()
        .filter(|s| cue_count(s, RESULT_CUES) > 0)
        .max_by_key(|s| (is_measurable(s), cue_count(s, LESSON_CUES) > 0));
    let measurable_result = result.is_some_and(is_measurable);
    let lesson = result.is_some_and(|s| cue_count(s, LESSON_CUES) > 0);

    // Prefer an action sentence that is not already the situation or task evidence.
    let used: Vec<&str> = [situation.map(|(_, s)| s), task]
        .into_iter()
        .flatten()
        .map(|s| s.text.as_str())
        .collect();
    let action_evidence = own
        .iter()
        .copied()
        .find(|s| !used.contains(&s.text.as_str()))
        .or_else(|| own.first().copied())
        .or_else(|| {
            (team_actions > 0)
                .then(|| sentences.iter().find(|s| acts(s, "we")))
                .flatten()
        });
    let action_strength = match (own.len(), team_actions) {
        (0, 0) => 0.0,
        (0, _) => 0.4,
        (1, _) => 0.6,
        (2, _) => 0.85,
        _ => 1.0,
    };
    let action_note = if own.is_empty() && team_actions > 0 {
        "Mostly describes what the team did; say what you did yourself."
    } else if own.len() == 1 {
        "One concrete action; walk through the steps you took."
    } else {
        "Concrete first-person actions."
    };

    let breakdown = StarBreakdown {
        situation: part(
            situation.map(|(_, s)| s),
            "Context is set.",
            "Missing: where and when this happened, and what was at stake.",
        ),
        task: part(
            task,
            "Your goal or responsibility is clear.",
            "Missing: what you personally had to achieve.",
        ),
        action: part(
            action_evidence,
            action_note,
            "Missing: the steps you took yourself.",
        ),
        result: part(
            result,
            if measurable_result {
                "A measurable outcome."
            } else if lesson {
                "An outcome with a lesson learned."
            } else {
                "An outcome, but no numbers; quantify it if you can."
            },
            "Missing: how it ended, ideally with numbers, and what you learned.",
        ),
    };
    Star {
        breakdown,
        situation: situation.map_or(0.0, |(n, _)| if n >= 2 { 1.0 } else { 0.7 }),
        task: task.map_or(0.0, |s| {
            if s.words.iter().any(|w| w == "i" || w == "my" || w == "me") {
                1.0
            } else {
                0.7
            }
        }),
        action: action_strength,
        result: match result {
            None => 0.0,
            Some(_) if measurable_result || lesson => 1.0,
            Some(_) => 0.6,
        },
        own_actions: own.iter().map(|s| s.text.clone()).collect(),
        team_actions,
        measurable_result,
    }
}

fn is_year(w: &str) -> bool {
    w.len() == 4
        && (w.starts_with("19") || w.starts_with("20"))
        && w.bytes().all(|b| b.is_ascii_digit())
}
