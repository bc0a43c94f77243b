//! Rubric lint across files: the shipped rubrics are clean; set-level problems are found.

use std::path::Path;

use rehearse::assets::{ContentDir, SourceFile, read_dir};
use rehearse::bank::Kind;
use rehearse::rubric;

use crate::helpers::{BANK, RUBRICS};

#[test]
fn the_shipped_rubrics_pass_lint_and_cover_every_kind() {
    let files = read_dir(ContentDir::Rubrics, Path::new("rubrics")).unwrap();
    let problems = rubric::lint(&files, Some(&BANK));
    assert!(problems.is_empty(), "{problems:#?}");
    let ids: Vec<&str> = RUBRICS.all().iter().map(|r| r.id.as_str()).collect();
    for id in ["technical", "behavioral-star", "scenario", "system-design"] {
        assert!(ids.contains(&id), "{id} is shipped");
    }
    assert_eq!(RUBRICS.for_kind(Kind::Behavioral).id, "behavioral-star");
    let star: Vec<&str> = RUBRICS
        .for_kind(Kind::Behavioral)
        .criteria
        .iter()
        .map(|c| c.id.as_str())
        .collect();
    for part in [
        "situation",
        "task",
        "action",
        "result",
        "ownership",
        "clarity",
    ] {
        assert!(star.contains(&part), "behavioral-star scores {part}");
    }
}

#[test]
fn set_problems_name_the_file_and_field() {
    let technical = std::fs::read_to_string("rubrics/technical.toml").unwrap();
    let clash = technical.replace("id = \"technical\"", "id = \"technical-two\"");
    let bad_calibration = format!(
        "{technical}\n[[calibration]]\nquestion_id = \"no-such-question\"\nanswer = \"x\"\nexpected_overall = 50\n"
    );
    let files = vec![
        SourceFile {
            path: "rubrics/technical.toml".into(),
            contents: bad_calibration,
        },
        SourceFile {
            path: "rubrics/technical-two.toml".into(),
            contents: clash,
        },
    ];
    let problems: Vec<String> = rubric::lint(&files, Some(&BANK))
        .iter()
        .map(ToString::to_string)
        .collect();
    for expected in [
        "rubrics/technical.toml:calibration[3].question_id: unknown question `no-such-question`",
        "rubrics:kinds: kind `technical` is claimed by both `technical` and `technical-two`",
        "rubrics:kinds: no rubric grades kind `behavioral`",
    ] {
        assert!(
            problems.iter().any(|p| p.starts_with(expected)),
            "missing `{expected}` in {problems:#?}"
        );
    }
}
