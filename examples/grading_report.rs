//! Prints how the built-in evaluator agrees with labelled answer sets, question by question:
//! the figures the evaluator is held to and every disagreement, for tuning the bank's terms and
//! misconceptions.
//!
//! Run: `cargo run --release --example grading_report -- tests/data/answers-dev.toml …`
//! (files may mix technical answers, STAR stories and injection attempts).

use std::path::Path;

use rehearse::assets::{ContentDir, read_dir};
use rehearse::bank;
use rehearse::evaluate::agreement::{
    LabelledSet, measure_answers, measure_injections, measure_stories,
};
use rehearse::evaluate::{Evaluation, builtin};
use rehearse::rubric::RubricSet;

fn main() {
    let questions =
        bank::parse_unchecked(&read_dir(ContentDir::Questions, Path::new("questions")).unwrap());
    let rubrics =
        RubricSet::load(&read_dir(ContentDir::Rubrics, Path::new("rubrics")).unwrap()).unwrap();
    let grade = |id: &str, text: &str| -> Option<Evaluation> {
        let q = questions.iter().find(|q| q.id == id)?;
        Some(builtin::evaluate(q, rubrics.for_kind(q.kind), text))
    };
    // DETAIL=question-id[:style] prints those evaluations in full.
    let detail = std::env::var("DETAIL").ok();
    for path in std::env::args().skip(1) {
        let set = LabelledSet::parse(&std::fs::read_to_string(&path).unwrap()).unwrap();
        println!("== {path}");
        if let Some(d) = &detail {
            let (id, style) = d.split_once(':').unwrap_or((d, ""));
            for a in set
                .answer
                .iter()
                .filter(|a| a.question == id && (style.is_empty() || a.style == style))
            {
                let e = grade(&a.question, &a.text).unwrap();
                println!(
                    "--- {} {} (label {}) -> {} {:?} {:?}",
                    a.question, a.style, a.label, e.overall, e.flags, e.confidence
                );
                for c in &e.criteria {
                    println!("    {:<12} {}/{} {}", c.id, c.score, c.max, c.rationale);
                }
                for k in &e.key_points {
                    println!(
                        "    [{}] {}  <- {:?}",
                        if k.covered { "x" } else { " " },
                        k.text,
                        k.evidence
                    );
                }
                for c in &e.incorrect_claims {
                    println!("    WRONG: {}  => {}", c.claim, c.correction);
                }
            }
            for s in set.story.iter().filter(|s| s.question == id) {
                let e = grade(&s.question, &s.text).unwrap();
                let st = e.star.as_ref().unwrap();
                println!(
                    "--- {} want S{} T{} A{} R{} -> {}",
                    s.question, s.situation, s.task, s.action, s.result, e.overall
                );
                for (n, p) in st.parts() {
                    println!("    {n:<9} {} {:?}", p.present, p.evidence);
                }
                println!("    reflection {:?}", st.reflection);
            }
            continue;
        }
        if !set.answer.is_empty() {
            let mut styles: std::collections::BTreeMap<&str, (f64, f64, f64, usize)> =
                Default::default();
            for a in &set.answer {
                let e = grade(&a.question, &a.text).unwrap();
                let covered = e.key_points.iter().filter(|k| k.covered).count() as f64
                    / e.key_points.len().max(1) as f64;
                let s = styles.entry(a.style.as_str()).or_default();
                s.0 += f64::from(e.overall);
                s.1 += covered;
                s.2 += e.incorrect_claims.len() as f64;
                s.3 += 1;
            }
            for (style, (o, c, w, n)) in &styles {
                let n = *n as f64;
                println!(
                    "  {style:<10} overall {:>5.1}  covered {:>4.2}  wrong claims {:>4.2}",
                    o / n,
                    c / n,
                    w / n
                );
            }
            let r = measure_answers(&set.answer, grade);
            for (id, rho, scores) in &r.detail {
                let s: Vec<String> = scores.iter().map(|(k, v)| format!("{k}={v}")).collect();
                println!("  {rho:>5.2}  {id:<40} {}", s.join(" "));
            }
            println!("  {r}");
        }
        if !set.story.is_empty() {
            let r = measure_stories(&set.story, grade);
            for (q, want, got) in &r.misses {
                println!("  miss {q:<36} want {want:?} got {got:?}");
            }
            println!(
                "  stories {}  F1 S/T/A/R {:.2} {:.2} {:.2} {:.2}  macro {:.3}  lesson-only kept out {}/{}",
                r.stories,
                r.f1[0],
                r.f1[1],
                r.f1[2],
                r.f1[3],
                r.macro_f1,
                r.lesson_only.1,
                r.lesson_only.0
            );
        }
        for b in &set.benign {
            if let Some(e) = grade(&b.question, &b.text)
                && e.has_flag(rehearse::evaluate::Flag::PossiblePromptInjection)
            {
                println!(
                    "  false positive on {}: {:?}",
                    b.question,
                    builtin::guard::inspect(&b.text)
                );
            }
        }
        if !set.attempt.is_empty() || !set.benign.is_empty() {
            let r = measure_injections(&set.attempt, &set.benign, grade);
            println!(
                "  attempts flagged {}/{}  max overall {}  missed {:?}  false positives {}/{}",
                r.flagged.0,
                r.flagged.1,
                r.max_overall,
                r.missed,
                r.false_positives.0,
                r.false_positives.1
            );
        }
    }
}
