//! The question bank lint: the shipped bank is clean, and broken files report every problem.

use rehearse::assets::SourceFile;
use rehearse::bank::{self, Bank, Level, MIN_PER_CELL, Topic};

use crate::helpers::{BANK, bank_files};

#[test]
fn the_shipped_bank_passes_lint_and_fills_every_cell() {
    let problems = bank::lint(&bank_files());
    assert!(problems.is_empty(), "{problems:#?}");
    assert!(
        BANK.questions().len() >= 468,
        "{} questions",
        BANK.questions().len()
    );
    for &topic in Topic::ALL {
        for &level in Level::ALL {
            assert!(BANK.count(topic, level) >= MIN_PER_CELL, "{topic}/{level}");
        }
    }
}

const BROKEN: &str = r#"
topic = "python-core"

[[questions]]
id = "core-ok"
level = "junior"
kind = "technical"
text = "What is the difference between a list and a tuple, and when do you pick each?"
model_answer = "Too short to teach anything."
[[questions.key_points]]
text = "Tuples are immutable"
weight = 1
terms = ["immutable"]
hint = "whether tuples are immutable"
follow_up = "Could you change a tuple after creating it?"
[[questions.key_points]]
text = "Lists are mutable"
weight = 1
terms = ["lists are mutable"]
hint = "what happens when you change a list"
follow_up = "What does it mean that lists are mutable?"
[[questions.key_points]]
text = "Tuples are hashable"
weight = 1
terms = ["hashable"]
hint = "a hashable tuple as a dict key, which is a very long hint"
follow_up = "Why can a tuple be a dict key"
[[questions.key_points]]
text = "Lists grow"
weight = 0
terms = ["the of and"]
[[questions.misconceptions]]
text = "Tuples are mutable"
terms = ["mutable"]
correction = "Tuples are immutable. Lists are not."

[[questions]]
id = "core-ok"
level = "expert"
kind = "technical"
text = "Duplicate id and an unknown level."
key_points = []

[[questions]]
id = "core-Bad_Slug"
level = "mid"
kind = "behavioral"
text = "What is the difference between a list and a tuple, and when do you pick each one?"
follow_ups = ["One", "Two", "Three", "Four"]
[[questions.key_points]]
text = "Talks about lists"
weight = 1
terms = ["tuples"]
"#;

#[test]
fn lint_lists_every_problem_with_file_and_question_id() {
    let files = vec![SourceFile {
        path: "questions/python-core.toml".into(),
        contents: BROKEN.into(),
    }];
    let problems: Vec<String> = bank::lint(&files).iter().map(ToString::to_string).collect();
    for expected in [
        "questions/python-core.toml:core-ok: unknown level `expert`",
        "questions/python-core.toml:core-ok: key_points[3].weight must be > 0",
        "questions/python-core.toml:core-ok: key_points[3].terms[0] `the of and` has no content words",
        "questions/python-core.toml:core-ok: key_points[3]: no term matches the key point's own text",
        "questions/python-core.toml:core-ok: model_answer has 5 words, needs 80 to 200",
        "questions/python-core.toml:core-ok: key_points[0].hint names the point (term `immutable`)",
        "questions/python-core.toml:core-ok: key_points[1].follow_up gives the point away (term `lists are mutable`)",
        "questions/python-core.toml:core-ok: key_points[2].hint has more than 8 words",
        "questions/python-core.toml:core-ok: key_points[2].follow_up must be a question",
        "questions/python-core.toml:core-ok: key_points[3].hint is missing",
        "questions/python-core.toml:core-ok: key_points[3].follow_up is missing",
        "questions/python-core.toml:core-ok: needs 2 to 4 misconceptions, has 1",
        "questions/python-core.toml:core-ok: misconceptions[0].correction must be one sentence",
        "questions/python-core.toml:core-ok: misconceptions[0].terms[0] `mutable` also matches key_points[1]",
        "questions/python-core.toml:core-Bad_Slug: id must be a lowercase slug",
        "questions/python-core.toml:core-Bad_Slug: needs 4 to 8 key_points, has 1",
        "questions/python-core.toml:core-Bad_Slug: `follow_ups` is replaced by `follow_up` on each key point",
        "questions/python-core.toml:core-Bad_Slug: model_answer is missing",
        "questions/python-core.toml:core-Bad_Slug: behavioral questions need a [star] table",
        "questions/python-core.toml:core-Bad_Slug: key_points[0]: no term matches the key point's own text",
        "questions/python-core.toml:core-Bad_Slug: text nearly duplicates core-ok",
        "python-core.toml:python-core/senior: has 0 question(s), needs at least 12",
        "behavioral.toml:behavioral/senior: has 0 question(s), needs at least 12",
    ] {
        assert!(
            problems.iter().any(|p| p.starts_with(expected)),
            "missing `{expected}` in {problems:#?}"
        );
    }
    assert!(Bank::load(&files).is_err());
}

#[test]
fn a_broken_synonym_table_is_reported_with_the_bank() {
    let files = vec![SourceFile {
        path: "questions/_synonyms.toml".into(),
        contents:
            "[[group]]\nphrases = [\"identity\", \"the same\"]\n[[group]]\nphrases = [\"alone\"]\n"
                .into(),
    }];
    let problems: Vec<String> = bank::lint(&files).iter().map(ToString::to_string).collect();
    assert!(
        problems.iter().any(|p| p
            .starts_with("questions/_synonyms.toml:group[1]: a group needs at least two phrases")),
        "{problems:#?}"
    );
}

#[test]
fn every_model_answer_is_a_passing_answer_that_states_no_misconception() {
    for q in BANK.questions() {
        let e = rehearse::evaluate::builtin::evaluate(
            q,
            crate::helpers::rubric_for(q),
            &q.model_answer,
        );
        assert!(
            e.incorrect_claims.is_empty(),
            "{}: {:?}",
            q.id,
            e.incorrect_claims
        );
        assert!(e.passed, "{}: the model answer scored {}", q.id, e.overall);
    }
}

#[test]
fn a_file_with_bad_toml_or_a_wrong_topic_is_reported_and_others_still_checked() {
    let files = vec![
        SourceFile {
            path: "questions/a.toml".into(),
            contents: "topic = \"python-core\"\n[[questions]\n".into(),
        },
        SourceFile {
            path: "questions/b.toml".into(),
            contents: "topic = \"cooking\"\n".into(),
        },
        SourceFile {
            path: "questions/concurrency.toml".into(),
            contents: "topic = \"python-core\"\n[[questions]]\nid = \"x\"\n".into(),
        },
    ];
    let problems: Vec<String> = bank::lint(&files).iter().map(ToString::to_string).collect();
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("questions/a.toml: invalid TOML")),
        "{problems:#?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("questions/b.toml: unknown topic `cooking`")),
        "{problems:#?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("questions/concurrency.toml: file holds topic `python-core`"))
    );
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("questions/concurrency.toml:x: missing field")),
        "{problems:#?}"
    );
}
