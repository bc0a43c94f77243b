//! Throughput of the built-in evaluator: answers graded per second on one thread, over answers
//! of about 120 words built for every question in the bank.
//!
//! Run: `cargo bench --bench evaluator` (pin to one core with `taskset -c 0` for a clean figure).

use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

use rehearse::assets::{ContentDir, read_dir};
use rehearse::bank::{Bank, Kind, Question};
use rehearse::evaluate::agreement::LabelledSet;
use rehearse::evaluate::builtin;
use rehearse::rubric::{Rubric, RubricSet};

const FILLER: &[&str] = &[
    "In practice I would check this with a small experiment before relying on it.",
    "That matters in production because the cost shows up only under real load.",
    "For example, I ran into this while reviewing a pull request last year.",
    "However, the trade-off depends on how often the code path actually runs.",
    "I would explain it to a teammate with a short snippet in the REPL.",
];

const STORY: &str = "Last year at my previous company our team had a release slip because two services \
    disagreed on a data format. I was responsible for the integration, so it was my job to get both teams \
    aligned before the deadline. I set up a short call with both leads, then I wrote a one page proposal with \
    the two options and their costs, and I built a small prototype to show the migration path. I also added a \
    contract test to our pipeline so the mismatch could not come back. As a result we shipped four days late \
    instead of three weeks, and since then we have had zero format incidents. I learned to raise integration \
    risks in the first week rather than the last.";

fn answer_for(q: &rehearse::bank::Question, i: usize) -> String {
    if q.kind == Kind::Behavioral {
        return STORY.to_string();
    }
    let mut words = 0;
    let mut out = String::new();
    // Alternate strong and partial answers: every other answer states only half the key points.
    let take = if i.is_multiple_of(2) {
        q.key_points.len()
    } else {
        q.key_points.len() / 2
    };
    for kp in q.key_points.iter().take(take) {
        out.push_str(kp.text.trim_end_matches('.'));
        out.push_str(", because that is how it behaves in real code. ");
        words += kp.text.split_whitespace().count() + 8;
    }
    let mut f = 0;
    while words < 85 {
        out.push_str(FILLER[f % FILLER.len()]);
        out.push(' ');
        words += FILLER[f % FILLER.len()].split_whitespace().count();
        f += 1;
    }
    out
}

fn main() {
    let bank =
        Bank::load(&read_dir(ContentDir::Questions, Path::new("questions")).unwrap()).unwrap();
    let rubrics =
        RubricSet::load(&read_dir(ContentDir::Rubrics, Path::new("rubrics")).unwrap()).unwrap();
    let cases: Vec<_> = bank
        .questions()
        .iter()
        .enumerate()
        .map(|(i, q)| (q, rubrics.for_kind(q.kind), answer_for(q, i)))
        .collect();
    let mean_words = cases
        .iter()
        .map(|(_, _, a)| a.split_whitespace().count())
        .sum::<usize>() as f64
        / cases.len() as f64;

    measure("answers built from the key points", &cases, mean_words);

    // The labelled answers written the way candidates talk (tests/data): technical answers in
    // six styles, STAR stories and injection attempts.
    let mut labelled = Vec::new();
    for entry in std::fs::read_dir("tests/data").unwrap() {
        let set =
            LabelledSet::parse(&std::fs::read_to_string(entry.unwrap().path()).unwrap()).unwrap();
        let texts = set
            .answer
            .into_iter()
            .map(|a| (a.question, a.text))
            .chain(set.story.into_iter().map(|s| (s.question, s.text)))
            .chain(set.attempt.into_iter().map(|a| (a.question, a.text)))
            .chain(set.benign.into_iter().map(|b| (b.question, b.text)));
        for (id, text) in texts {
            let q = bank.get(&id).unwrap();
            labelled.push((q, rubrics.for_kind(q.kind), text));
        }
    }
    let mean_words = labelled
        .iter()
        .map(|(_, _, a)| a.split_whitespace().count())
        .sum::<usize>() as f64
        / labelled.len() as f64;
    measure("labelled candidate answers", &labelled, mean_words);
}

/// Warms up, then grades whole passes over `cases` for at least three seconds.
fn measure(what: &str, cases: &[(&Question, &Rubric, String)], mean_words: f64) {
    for (q, r, a) in cases {
        black_box(builtin::evaluate(q, r, a));
    }
    let start = Instant::now();
    let mut graded = 0usize;
    while start.elapsed().as_secs_f64() < 3.0 {
        for (q, r, a) in cases {
            black_box(builtin::evaluate(black_box(q), r, black_box(a)));
            graded += 1;
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "built-in evaluator, {what}: {graded} answers in {secs:.2} s = {:.0} answers/s on one \
         thread ({:.1} µs per answer; {} answers, mean length {mean_words:.0} words)",
        graded as f64 / secs,
        secs * 1e6 / graded as f64,
        cases.len()
    );
}
