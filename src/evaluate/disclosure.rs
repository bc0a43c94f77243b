//! What a candidate may see of an evaluation while the question is still open: what they
//! covered, how many points are missing and the area of each (its hint), but not the missing
//! points themselves or the corrections of wrong claims — the interview probes those first.
//! Once the question is closed the whole evaluation is shown, with the model answer.

use super::{Evaluation, Source};

/// The evaluation as shown to the candidate while follow-ups on the question are still possible.
pub fn while_open(e: &Evaluation) -> Evaluation {
    let missing: Vec<&str> = e
        .key_points
        .iter()
        .filter(|k| !k.covered)
        .map(|k| k.text.as_str())
        .collect();
    let mut shown = e.clone();
    for k in shown.key_points.iter_mut().filter(|k| !k.covered) {
        k.text = k
            .hint
            .clone()
            .unwrap_or_else(|| "another important point".into());
        k.evidence = None;
        k.withheld = true;
    }
    for c in &mut shown.incorrect_claims {
        c.correction.clear();
    }
    let names_a_missing_point = |line: &String| missing.iter().any(|m| line.contains(m));
    shown.improvements = match e.source {
        // The built-in evaluator writes missing points into its advice verbatim.
        Source::Builtin | Source::Fallback => e
            .improvements
            .iter()
            .filter(|l| !names_a_missing_point(l))
            .cloned()
            .collect(),
        // Free text from a model or a reviewer may state a missing point in any words.
        Source::Llm | Source::Human => Vec::new(),
    };
    if !missing.is_empty() {
        shown.improvements.insert(
            0,
            match missing.len() {
                1 => "One important point is still missing; its area is shown as a hint.".into(),
                n => format!(
                    "{n} important points are still missing; their areas are shown as hints."
                ),
            },
        );
    }
    if let Some(f) = shown.follow_up.as_mut() {
        f.reason = "probes a point the answer has not made yet".into();
    }
    // A strong rewrite of the answer states the missing points.
    shown.rewrite = None;
    shown
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluate::{EvaluatorInfo, FollowUp, IncorrectClaim, KeyPointResult, RubricRef};

    fn evaluation() -> Evaluation {
        Evaluation {
            overall: 40,
            passed: false,
            criteria: Vec::new(),
            key_points: vec![
                KeyPointResult {
                    text: "`is` compares identity".into(),
                    covered: true,
                    evidence: Some("is checks the same object".into()),
                    hint: Some("what is checks".into()),
                    withheld: false,
                },
                KeyPointResult {
                    text: "Use `is` for None and sentinels".into(),
                    covered: false,
                    evidence: None,
                    hint: Some("when identity is the right test".into()),
                    withheld: false,
                },
            ],
            star: None,
            strengths: vec!["Covered: `is` compares identity".into()],
            improvements: vec!["Also cover: Use `is` for None and sentinels".into()],
            follow_up: Some(FollowUp {
                text: "When would you reach for identity on purpose?".into(),
                reason: "missing key point: Use `is` for None and sentinels".into(),
                target: Some("key_point:1".into()),
            }),
            flags: Vec::new(),
            incorrect_claims: vec![IncorrectClaim {
                claim: "== checks identity".into(),
                correction: "== compares values".into(),
            }],
            confidence: None,
            rewrite: None,
            source: Source::Builtin,
            rubric: RubricRef {
                id: "technical".into(),
                version: 1,
            },
            evaluator: EvaluatorInfo {
                name: "x".into(),
                version: "1".into(),
            },
        }
    }

    #[test]
    fn an_open_question_shows_hints_not_the_missing_points() {
        let shown = while_open(&evaluation());
        let text = serde_json::to_string(&shown).unwrap();
        assert!(!text.contains("sentinels"), "{text}");
        assert!(!text.contains("== compares values"), "{text}");
        assert!(text.contains("when identity is the right test"));
        assert!(
            text.contains("is checks the same object"),
            "covered points stay"
        );
        assert!(shown.key_points[1].withheld);
        assert!(shown.improvements[0].contains("One important point"));
    }
}
