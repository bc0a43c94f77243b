//! The pure interview logic: planning, what comes next, the summary.

use std::collections::HashSet;

use rehearse::bank::{Level, Topic};
use rehearse::evaluate::{FollowUp, builtin};
use rehearse::interview::{
    PlanError, Scope, Step, SummaryTurn, TurnView, answer_chain, asked_follow_ups, make_plan,
    make_plan_ranked, next_step, question_open, summarize,
};

use crate::helpers::{BANK, question, rubric_for};

#[test]
fn a_plan_is_reproducible_from_its_seed_and_never_repeats() {
    let topics = [Topic::Concurrency, Topic::Behavioral, Topic::Algorithms];
    let a = make_plan(&BANK, &topics, Level::Mid, 9, 42).unwrap();
    let b = make_plan(&BANK, &topics, Level::Mid, 9, 42).unwrap();
    let c = make_plan(&BANK, &topics, Level::Mid, 9, 43).unwrap();
    assert_eq!(a, b);
    assert_ne!(a.question_ids, c.question_ids);
    let unique: HashSet<&String> = a.question_ids.iter().collect();
    assert_eq!(unique.len(), 9);
    for id in &a.question_ids {
        let q = question(id);
        assert_eq!(q.level, Level::Mid);
        assert!(topics.contains(&q.topic));
    }
}

#[test]
fn a_plan_spreads_questions_evenly_across_topics() {
    let topics = [
        Topic::PythonCore,
        Topic::DataStructures,
        Topic::SystemDesign,
        Topic::Scenarios,
    ];
    for seed in 0..20 {
        let plan = make_plan(&BANK, &topics, Level::Senior, 6, seed).unwrap();
        for t in topics {
            let n = plan
                .question_ids
                .iter()
                .filter(|id| question(id).topic == t)
                .count();
            assert!((1..=2).contains(&n), "seed {seed}: {t} got {n} of 6");
        }
        // Consecutive questions come from different topics.
        for pair in plan.question_ids.windows(2) {
            assert_ne!(question(&pair[0]).topic, question(&pair[1]).topic);
        }
    }
}

#[test]
fn a_plan_refuses_impossible_requests() {
    assert_eq!(
        make_plan(&BANK, &[], Level::Mid, 3, 1),
        Err(PlanError::NoTopics)
    );
    assert_eq!(
        make_plan(&BANK, &[Topic::Ecosystem], Level::Mid, 0, 1),
        Err(PlanError::CountOutOfRange(0))
    );
    assert_eq!(
        make_plan(&BANK, &[Topic::Ecosystem], Level::Mid, 21, 1),
        Err(PlanError::CountOutOfRange(21))
    );
    let available = BANK.count(Topic::Ecosystem, Level::Mid);
    assert!(matches!(
        make_plan(&BANK, &[Topic::Ecosystem], Level::Mid, available + 1, 1),
        Err(PlanError::NotEnoughQuestions { available: a, .. }) if a == available
    ));
}

fn view<'a>(
    turn: i64,
    qid: &'a str,
    parent: Option<i64>,
    answer: Option<&'a str>,
    follow_up: Option<&'a FollowUp>,
) -> TurnView<'a> {
    TurnView {
        turn,
        question_id: qid,
        is_follow_up: parent.is_some(),
        parent_turn: parent,
        answer,
        skipped: false,
        evaluated: answer.is_some(),
        follow_up,
    }
}

#[test]
fn the_flow_asks_follow_ups_only_when_proposed_and_at_most_twice() {
    let plan = make_plan(&BANK, &[Topic::Behavioral], Level::Junior, 2, 7).unwrap();
    let (q1, q2) = (plan.question_ids[0].as_str(), plan.question_ids[1].as_str());
    let ask = |turns: &[TurnView]| match next_step(&plan, &BANK, turns) {
        Step::Ask(a) => a,
        other => panic!("expected a question, got {other:?}"),
    };
    let first = ask(&[]);
    assert_eq!(
        (
            first.turn,
            first.question_id.as_str(),
            first.follow_up,
            first.index
        ),
        (1, q1, false, 1)
    );

    let fu = FollowUp {
        text: "What was the result?".into(),
        reason: "missing STAR part: result".into(),
        target: Some("star:result".into()),
    };
    let fu2 = FollowUp {
        text: "What did you do yourself?".into(),
        reason: "missing STAR part: action".into(),
        target: Some("star:action".into()),
    };
    let mut turns = vec![view(1, q1, None, Some("a"), Some(&fu))];
    let second = ask(&turns);
    assert_eq!(
        (
            second.turn,
            second.follow_up,
            second.parent_turn,
            second.text.as_str()
        ),
        (2, true, Some(1), "What was the result?")
    );
    let mut repeated = turns.clone();
    repeated.push(view(2, q1, Some(1), Some("b"), Some(&fu)));
    assert!(
        !ask(&repeated).follow_up,
        "the same follow-up is never asked twice about one question"
    );
    turns.push(view(2, q1, Some(1), Some("b"), Some(&fu2)));
    assert!(ask(&turns).follow_up);
    turns.push(view(3, q1, Some(1), Some("c"), Some(&fu)));
    let after_two = ask(&turns);
    assert_eq!(
        (
            after_two.question_id.as_str(),
            after_two.follow_up,
            after_two.index
        ),
        (q2, false, 2)
    );

    turns.push(view(4, q2, None, Some("d"), None));
    assert_eq!(
        next_step(&plan, &BANK, &turns),
        Step::Finished,
        "no proposal, no follow-up, plan done"
    );
}

#[test]
fn the_flow_waits_for_open_turns_and_regrades_unevaluated_answers() {
    let plan = make_plan(&BANK, &[Topic::Concurrency], Level::Mid, 1, 3).unwrap();
    let q = plan.question_ids[0].as_str();
    assert_eq!(
        next_step(&plan, &BANK, &[view(1, q, None, None, None)]),
        Step::AwaitAnswer { turn: 1 }
    );
    let mut answered = view(1, q, None, Some("x"), None);
    answered.evaluated = false;
    assert_eq!(
        next_step(&plan, &BANK, &[answered]),
        Step::Grade { turn: 1 },
        "an answer stored before a crash is graded"
    );
    let fu = FollowUp {
        text: "More?".into(),
        reason: "r".into(),
        target: None,
    };
    let mut skipped = view(1, q, None, None, Some(&fu));
    skipped.skipped = true;
    assert_eq!(
        next_step(&plan, &BANK, &[skipped]),
        Step::Finished,
        "a skipped question gets no follow-up"
    );
}

#[test]
fn follow_up_answers_are_graded_together_with_the_main_answer() {
    let turns = [
        view(1, "q", None, Some("main"), None),
        view(2, "q", Some(1), Some("more"), None),
        view(3, "r", None, Some("other"), None),
    ];
    assert_eq!(answer_chain(&turns, 2), "main\n\nmore");
    assert_eq!(answer_chain(&turns, 1), "main");
    assert_eq!(answer_chain(&turns, 3), "other");
}

#[test]
fn the_summary_scores_each_question_by_its_latest_evaluation() {
    let gil = question("conc-gil-basics");
    let url = question("sd-url-shortener");
    let weak = builtin::evaluate(
        gil,
        rubric_for(gil),
        "Threads let you run things at once, I think, in Python.",
    );
    let better = builtin::evaluate(
        gil,
        rubric_for(gil),
        "The global interpreter lock lets only one thread execute bytecode at a time, so CPU bound code gets no \
         faster with threads. The GIL is released during blocking I/O, so threads still help I/O bound work, \
         because waiting threads let others run. Compound operations still need locks.",
    );
    let turns = [
        SummaryTurn {
            turn: 1,
            question_id: "conc-gil-basics",
            topic: Topic::Concurrency,
            is_follow_up: false,
            parent_turn: None,
            skipped: false,
            answered: true,
            evaluation: Some(&weak),
            question: &gil.text,
            model_answer: &gil.model_answer,
        },
        SummaryTurn {
            turn: 2,
            question_id: "conc-gil-basics",
            topic: Topic::Concurrency,
            is_follow_up: true,
            parent_turn: Some(1),
            skipped: false,
            answered: true,
            evaluation: Some(&better),
            question: "What else?",
            model_answer: &gil.model_answer,
        },
        SummaryTurn {
            turn: 3,
            question_id: &url.id,
            topic: Topic::SystemDesign,
            is_follow_up: false,
            parent_turn: None,
            skipped: true,
            answered: false,
            evaluation: None,
            question: &url.text,
            model_answer: &url.model_answer,
        },
    ];
    let scope = Scope {
        pass_mark: 60,
        planned: 3,
        topics: vec![Topic::Algorithms, Topic::Concurrency, Topic::SystemDesign],
        cut_short: false,
    };
    let s = summarize(&turns, &scope);
    // Two of three planned questions: ended early, and one chosen topic was never reached.
    assert!(s.ended_early);
    assert_eq!(s.planned, 3);
    assert_eq!(s.pass_mark, 60);
    assert_eq!(s.topics_not_reached, [Topic::Algorithms]);
    assert_eq!(s.overall, ((f64::from(better.overall)) / 2.0).round() as u8);
    let by: Vec<(Topic, u8)> = s.by_topic.iter().map(|t| (t.topic, t.overall)).collect();
    assert_eq!(
        by,
        [
            (Topic::Concurrency, better.overall),
            (Topic::SystemDesign, 0)
        ]
    );
    assert!(
        s.focus_areas
            .iter()
            .any(|f| f.starts_with("System design: skipped")),
        "{:?}",
        s.focus_areas
    );
    assert_eq!(s.turns.len(), 3);
    assert!(!s.passed);
    // The review shows every main question once, with its latest key points and model answer.
    assert_eq!(s.review.len(), 2);
    assert_eq!(s.review[0].question, gil.text);
    assert_eq!(s.review[0].model_answer, gil.model_answer);
    assert_eq!(s.review[0].key_points, better.key_points);
    assert!(s.review[1].skipped && s.review[1].model_answer == url.model_answer);
}

#[test]
fn a_summary_lists_a_strength_shared_by_two_questions_once_and_a_full_interview_is_not_early() {
    let gil = question("conc-gil-basics");
    let good = builtin::evaluate(gil, rubric_for(gil), &gil.model_answer);
    assert!(good.passed && !good.strengths.is_empty(), "{good:?}");
    let turn = |n: i64| SummaryTurn {
        turn: n,
        question_id: "conc-gil-basics",
        topic: Topic::Concurrency,
        is_follow_up: false,
        parent_turn: None,
        skipped: false,
        answered: true,
        evaluation: Some(&good),
        question: &gil.text,
        model_answer: &gil.model_answer,
    };
    let scope = Scope {
        pass_mark: 60,
        planned: 2,
        topics: vec![Topic::Concurrency],
        cut_short: false,
    };
    let s = summarize(&[turn(1), turn(2)], &scope);
    assert_eq!(s.strengths.len(), 1, "{:?}", s.strengths);
    assert!(!s.ended_early);
    assert!(s.topics_not_reached.is_empty());
    // Ended by the candidate while a follow-up on an answered question was open: early, and
    // that question still counts as reached.
    let cut = summarize(
        &[turn(1), turn(2)],
        &Scope {
            cut_short: true,
            ..scope.clone()
        },
    );
    assert!(cut.ended_early);
    assert_eq!(cut.reached, 2);
}

#[test]
fn a_question_stays_open_while_a_follow_up_is_coming() {
    let fu = FollowUp {
        text: "What did you do yourself?".into(),
        reason: "missing STAR part: action".into(),
        target: Some("star:action".into()),
    };
    let q = "beh-teammate-conflict";
    let awaiting = [view(1, q, None, None, None)];
    assert!(question_open(&awaiting, 1, false), "unanswered");
    let proposing = [view(1, q, None, Some("a"), Some(&fu))];
    assert!(
        question_open(&proposing, 1, false),
        "a follow-up will be asked"
    );
    assert!(!question_open(&proposing, 1, true), "the interview is over");
    let complete = [view(1, q, None, Some("a"), None)];
    assert!(!question_open(&complete, 1, false), "nothing more to ask");
    let mut skipped = view(2, q, Some(1), None, None);
    skipped.skipped = true;
    let after_skip = [view(1, q, None, Some("a"), Some(&fu)), skipped];
    assert!(
        !question_open(&after_skip, 1, false),
        "skipping the follow-up closes it"
    );
    assert!(!question_open(&after_skip, 2, false));
    let asked_twice = [
        view(1, q, None, Some("a"), Some(&fu)),
        view(2, q, Some(1), Some("b"), Some(&fu)),
    ];
    assert!(
        !question_open(&asked_twice, 2, false),
        "a repeated proposal is not asked, so the question closes"
    );
    assert_eq!(asked_follow_ups(&asked_twice, 2), [&fu]);
}

#[test]
fn a_ranked_plan_takes_the_best_ranked_questions_of_any_topic_first() {
    let topics = [Topic::Ecosystem, Topic::InternalsPerformance];
    let plain = make_plan(&BANK, &topics, Level::Junior, 6, 11).unwrap();
    let equal = make_plan_ranked(&BANK, &topics, Level::Junior, 6, 11, |_| 0).unwrap();
    assert_eq!(plain, equal, "equal ranks give the plain round-robin plan");
    // Only three performance questions rank best: they come first, then the round-robin.
    let best: HashSet<&str> = BANK
        .questions()
        .iter()
        .filter(|q| q.topic == Topic::InternalsPerformance && q.level == Level::Junior)
        .take(3)
        .map(|q| q.id.as_str())
        .collect();
    let ranked = make_plan_ranked(&BANK, &topics, Level::Junior, 6, 11, |id| {
        u8::from(!best.contains(id))
    })
    .unwrap();
    let first: HashSet<&str> = ranked.question_ids[..3]
        .iter()
        .map(String::as_str)
        .collect();
    assert_eq!(first, best);
    let rest: Vec<Topic> = ranked.question_ids[3..]
        .iter()
        .map(|id| question(id).topic)
        .collect();
    assert!(
        rest.contains(&Topic::Ecosystem) && rest.contains(&Topic::InternalsPerformance),
        "{rest:?}"
    );
}
