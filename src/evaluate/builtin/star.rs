//! Situation / Task / Action / Result, read the way an interviewer reads a story: a concrete
//! scene, the candidate's own goal, steps actually taken, and an outcome that happened. A lesson
//! learned is reported as reflection, never as the result; habits, hypotheticals and platitudes
//! are not actions; a vague "I just had to get it done" is not a task.

use regex::{Regex, RegexSet};
use std::sync::LazyLock;

use super::star_cues::*;
use crate::evaluate::{StarBreakdown, StarPart};
use crate::text::Sentence;

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
    /// The result carries a number or a before/after.
    pub measurable_result: bool,
}

/// What one sentence of a story does.
#[derive(Debug, Default, Clone, Copy)]
struct Reading {
    situation: u8,
    task: bool,
    vague_task: bool,
    own_action: bool,
    team_action: bool,
    result: u8,
    measurable: bool,
    lesson: bool,
}

fn words(s: &Sentence) -> Vec<&str> {
    s.words.iter().map(|w| w.lower.as_str()).collect()
}

fn has_any(s: &Sentence, phrases: &[&str]) -> bool {
    phrases.iter().any(|p| s.has_phrase(p))
}

fn is_past(w: &str) -> bool {
    IRREGULAR_PAST.contains(&w) || (w.len() > 4 && w.ends_with("ed") && !NOT_PAST_ED.contains(&w))
}

/// Past verbs after which "I'd" / "I would" reports a decision taken, not speculation.
const REPORTING: &[&str] = &[
    "decided",
    "said",
    "told",
    "promised",
    "agreed",
    "offered",
    "volunteered",
    "committed",
];

/// Speculation or advice rather than something that happened. "I'd" before a past participle
/// is "I had" ("I'd been given the goal"), and after a reporting verb it is a decision ("I
/// decided I'd take it on"): neither is speculation.
fn hypothetical(s: &Sentence) -> bool {
    let ws = words(s);
    let speculates = (0..ws.len().saturating_sub(1)).any(|i| {
        matches!(ws[i], "i" | "we")
            && matches!(ws[i + 1], "d" | "would")
            && !(ws[i + 1] == "d" && ws.get(i + 2).is_some_and(|n| *n == "been" || is_past(n)))
            && !ws[i.saturating_sub(3)..i]
                .iter()
                .any(|w| REPORTING.contains(w))
    });
    speculates || has_any(s, HYPOTHETICAL)
}

/// Does `subject` act in the past tense within three words ("I quickly wrote", "we then moved")?
fn acts(ws: &[&str], subject: &str) -> bool {
    ws.iter().enumerate().any(|(i, w)| {
        *w == subject
            && ws[i + 1..ws.len().min(i + 4)]
                .iter()
                .take_while(|n| !NOT_ACTIONS.contains(n))
                .any(|n| is_past(n) && !STATE_VERBS.contains(n))
    })
}

fn has_number(s: &Sentence) -> bool {
    s.words
        .iter()
        .any(|w| w.lower.bytes().any(|b| b.is_ascii_digit()))
        || s.text.contains('%')
        || s.has_word(NUMBER_WORDS)
}

/// "At Acme, our …", "at Stripe we …": a named place sets a scene.
fn proper_place(s: &Sentence) -> bool {
    static AT_NAME: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?:^|[\s,;(])[Aa]t\s+([A-Z][\w&.-]*)").expect("place pattern")
    });
    AT_NAME
        .captures_iter(&s.text)
        .any(|c| !NOT_PLACES.contains(&c[1].to_lowercase().as_str()))
}

static SITUATION_SET: LazyLock<RegexSet> =
    LazyLock::new(|| RegexSet::new(SITUATION_PATTERNS).expect("situation patterns compile"));
static TASK_SET: LazyLock<RegexSet> =
    LazyLock::new(|| RegexSet::new(TASK_PATTERNS).expect("task patterns compile"));

fn read(s: &Sentence, position: usize) -> Reading {
    let ws = words(s);
    let joined = ws.join(" ");
    let maybe = hypothetical(s);
    let habit = has_any(s, HABITUAL);
    let generic = has_any(s, GENERIC);
    let lesson = has_any(s, LESSON);
    let mut r = Reading {
        lesson,
        ..Reading::default()
    };
    if maybe || (habit && !ws.iter().any(|w| is_past(w))) {
        return r;
    }

    let scene = has_any(s, SITUATION_STRONG)
        || SITUATION_SET.is_match(&joined)
        || proper_place(s)
        || s.words.iter().any(|w| is_year(&w.lower));
    let weak_scene = has_any(s, SITUATION_WEAK)
        && ws
            .iter()
            .any(|w| ["was", "were", "had", "did"].contains(w) || is_past(w));
    r.situation = if scene {
        2
    } else if weak_scene && !generic && position < 3 {
        1
    } else {
        0
    };

    // "I just had to get it done": a line that sounds like a task but names none.
    let vague_task = has_any(s, VAGUE_OBJECTS) && s.word_count < 12;
    r.vague_task = vague_task;
    r.task = !vague_task && (has_any(s, TASK_CUES) || TASK_SET.is_match(&joined));

    let vague = has_any(s, VAGUE_ACTIONS) && s.word_count < 20;
    r.own_action = !lesson && !vague && acts(&ws, "i");
    r.team_action = !lesson && !vague && acts(&ws, "we");

    let measurable = has_number(s) || has_any(s, BEFORE_AFTER);
    let outcome = has_any(s, OUTCOME);
    let reaction = has_any(s, REACTION);
    let marker = has_any(s, RESULT_MARKERS);
    let moved = measurable && has_any(s, METRIC_MOVES);
    // A step the candidate took, or the task they were set, is an outcome only when it says
    // how things turned out ("as a result", a metric that moved, someone's reaction).
    let telling_outcome = marker || reaction || moved || has_any(s, BEFORE_AFTER);
    let step = r.own_action || r.task || (position == 0 && r.situation > 0);
    let concrete = (measurable || outcome || reaction) && (!step || telling_outcome);
    r.result = if concrete && !(lesson && !measurable && !outcome) && !generic {
        if measurable || reaction { 2 } else { 1 }
    } else if marker && !lesson && ws.iter().any(|w| is_past(w) || WEAK_OUTCOME.contains(w)) {
        1
    } else {
        0
    };
    r.measurable = measurable && r.result > 0;
    r
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

impl Star {
    /// No story read (an answer graded by a rubric that does not look for one).
    pub fn none() -> Self {
        detect(&[])
    }
}

/// Detects the four STAR parts in the answer's sentences.
pub fn detect(sentences: &[Sentence]) -> Star {
    let readings: Vec<Reading> = sentences
        .iter()
        .enumerate()
        .map(|(i, s)| read(s, i))
        .collect();
    let pick = |f: &dyn Fn(&Reading) -> bool| sentences.iter().zip(&readings).find(|(_, r)| f(r));

    let situation = pick(&|r| r.situation == 2).or_else(|| pick(&|r| r.situation == 1));
    let task = pick(&|r| r.task);
    let vague_task = task.is_none() && readings.iter().any(|r| r.vague_task);
    let own: Vec<&Sentence> = sentences
        .iter()
        .zip(&readings)
        .filter(|(_, r)| r.own_action)
        .map(|(s, _)| s)
        .collect();
    let team_actions = readings.iter().filter(|r| r.team_action).count();
    // The latest, strongest outcome: stories end with how it turned out.
    let result = sentences
        .iter()
        .zip(&readings)
        .filter(|(_, r)| r.result > 0)
        .max_by_key(|(_, r)| r.result);
    let reflection = sentences
        .iter()
        .zip(&readings)
        .filter(|(_, r)| r.lesson)
        .map(|(s, _)| s)
        .next_back();
    let measurable_result = result.is_some_and(|(_, r)| r.measurable);

    let used: Vec<&str> = [situation.map(|(s, _)| s), task.map(|(s, _)| s)]
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
            sentences
                .iter()
                .zip(&readings)
                .find(|(_, r)| r.team_action)
                .map(|(s, _)| s)
        });
    let action_strength = match (own.len(), team_actions) {
        (0, 0) => 0.0,
        (0, _) => 0.5,
        (1, _) => 0.6,
        (2, _) => 0.85,
        _ => 1.0,
    };
    let action_note = if own.is_empty() && team_actions > 0 {
        "Describes what the team did; say what you did yourself."
    } else if own.len() == 1 {
        "One concrete action; walk through the steps you took."
    } else {
        "Concrete first-person actions."
    };

    let breakdown = StarBreakdown {
        situation: part(
            situation.map(|(s, _)| s),
            "Context is set.",
            "Missing: where and when this happened, and what was at stake.",
        ),
        task: part(
            task.map(|(s, _)| s),
            "Your goal or responsibility is clear.",
            if vague_task {
                "Missing: what exactly you were responsible for — \"getting it done\" does not say what it was."
            } else {
                "Missing: what you personally had to achieve."
            },
        ),
        action: part(
            action_evidence,
            action_note,
            "Missing: the steps you took yourself.",
        ),
        result: part(
            result.map(|(s, _)| s),
            if measurable_result {
                "A measurable outcome."
            } else {
                "An outcome, but no numbers or before/after; quantify it if you can."
            },
            if reflection.is_some() {
                "Missing: what actually happened in the end — a lesson learned is not the result."
            } else {
                "Missing: how it ended, ideally with numbers."
            },
        ),
        reflection: reflection.map(|s| s.text.clone()),
    };
    Star {
        breakdown,
        situation: situation.map_or(0.0, |(_, r)| if r.situation >= 2 { 1.0 } else { 0.7 }),
        task: task.map_or(0.0, |(s, _)| {
            if s.has_word(&["i", "my", "me"]) {
                1.0
            } else {
                0.7
            }
        }),
        action: action_strength,
        result: match result {
            None => 0.0,
            Some((_, r)) if r.result >= 2 => 1.0,
            Some(_) => 0.65,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{Synonyms, split_sentences};

    fn star(text: &str) -> StarBreakdown {
        detect(&split_sentences(text, &Synonyms::empty())).breakdown
    }

    #[test]
    fn scenes_are_read_however_they_open() {
        for s in [
            "When I joined the data team, every pipeline was in Airflow.",
            "At Acme, our checkout service kept timing out.",
            "Last year the team was migrating to Kubernetes.",
        ] {
            assert!(star(s).situation.present, "{s}");
        }
        assert!(
            !star("I think conflict is normal in any team.")
                .situation
                .present
        );
    }

    #[test]
    fn a_task_is_the_candidates_own_goal_not_a_vague_line() {
        assert!(
            star("It was on me to stop the bleeding before the sale.")
                .task
                .present
        );
        assert!(
            star("I was asked to cut our cloud bill by a third.")
                .task
                .present
        );
        let vague = star("I just had to get it done.");
        assert!(!vague.task.present);
        assert!(vague.task.note.contains("getting it done"));
    }

    #[test]
    fn habits_hypotheticals_and_platitudes_are_not_actions() {
        assert!(star("I rewrote the parser and added tests.").action.present);
        for s in [
            "My approach is always to talk to people first.",
            "I would set up a meeting with both leads.",
            "Everyone has made mistakes like that.",
        ] {
            assert!(!star(s).action.present, "{s}");
        }
        let we = star("We moved the jobs to a queue.");
        assert!(we.action.present);
        assert!(we.action.note.contains("yourself"));
    }

    #[test]
    fn a_lesson_is_reflection_not_the_result() {
        let s = star("I learned to be less defensive.");
        assert!(!s.result.present);
        assert!(s.reflection.is_some());
        let real = star(
            "We shipped two days early and support tickets dropped by 40%. I learned to ask sooner.",
        );
        assert!(real.result.present);
        assert!(real.result.evidence.unwrap().contains("40%"));
        assert!(real.reflection.unwrap().contains("learned"));
    }
}
