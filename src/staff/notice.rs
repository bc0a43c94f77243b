//! The notice an invited candidate reads and agrees to before the first question: who invites
//! them, what the interview holds, how answers are graded, who sees them and how long they are
//! kept. Pure: built from the invite and the server's settings. Its version is a digest of its
//! text, so an agreement names exactly the words the candidate agreed to.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::bank::Topic;
use crate::store::InviteRecord;

/// Minutes a main question takes, follow-ups included, for the expected duration.
pub const MINUTES_PER_QUESTION: i64 = 6;

/// What grades the answers, as the notice names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grader {
    /// The built-in evaluator only.
    Builtin,
    /// An AI model, with the built-in evaluator when it is unavailable.
    Llm { model: String },
}

/// The server's side of the notice.
#[derive(Debug, Clone)]
pub struct NoticeSettings {
    pub organisation: String,
    pub retention_days: Option<u32>,
    pub grader: Grader,
}

/// The notice for one invite.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Notice {
    pub organisation: String,
    /// Topic titles.
    pub topics: Vec<String>,
    pub level: String,
    /// Main questions.
    pub count: i64,
    /// Expected duration in minutes.
    pub minutes: i64,
    /// The candidate sees no scores, feedback, key points or model answers.
    pub scores_hidden: bool,
    /// The notice as the candidate reads it, one paragraph per item.
    pub paragraphs: Vec<String>,
    /// Names this exact text; `start` sends it back as `consent`.
    pub version: String,
}

/// The notice an invite shows.
pub fn notice(settings: &NoticeSettings, invite: &InviteRecord) -> Notice {
    let topics: Vec<String> = invite.topics.iter().map(|t| Topic::title_of(t)).collect();
    let minutes = invite.question_count * MINUTES_PER_QUESTION;
    let org = settings.organisation.trim();
    let questions = if invite.question_count == 1 {
        "1 main question".to_string()
    } else {
        format!("{} main questions", invite.question_count)
    };
    let grading = match &settings.grader {
        Grader::Builtin => "Each answer is stored and graded automatically by rehearse's built-in \
             evaluator, a keyword-and-structure estimate against a rubric."
            .to_string(),
        Grader::Llm { model } => format!(
            "Each answer is stored and graded automatically by an AI model ({model}) against a \
             rubric; when the model is unavailable the built-in evaluator, a keyword-and-structure \
             estimate, grades it instead."
        ),
    };
    let retention = match settings.retention_days {
        Some(1) => "Your answers are erased 1 day after the interview ends.".to_string(),
        Some(d) => format!("Your answers are erased {d} days after the interview ends."),
        None => format!(
            "Your answers are kept until {org} erases them; ask them if you want them erased sooner."
        ),
    };
    let results = if invite.show_scores {
        "You will see your scores, feedback and model answers as you go."
    } else {
        "Your scores and feedback go to the recruiter only: you will see that each answer was \
         saved, and any follow-up questions, but no scores."
    };
    let paragraphs = vec![
        format!("{org} invites you to a mock technical interview."),
        format!(
            "It has {questions} on {} at {} level, with follow-up questions where an answer \
             leaves something out, and takes about {minutes} minutes.",
            list(&topics),
            invite.level
        ),
        grading,
        format!("A recruiter at {org} reads your answers and their grades and may change a grade."),
        results.to_string(),
        retention,
    ];
    let digest = Sha256::digest(paragraphs.join("\n").as_bytes());
    Notice {
        organisation: org.to_string(),
        topics,
        level: invite.level.clone(),
        count: invite.question_count,
        minutes,
        scores_hidden: !invite.show_scores,
        version: hex::encode(&digest[..8]),
        paragraphs,
    }
}

/// "a", "a and b", "a, b and c".
fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invite(show_scores: bool) -> InviteRecord {
        InviteRecord {
            id: "i".into(),
            token_hash: String::new(),
            created_by: "rita".into(),
            candidate_name: None,
            candidate_email: None,
            topics: vec!["concurrency".into(), "algorithms".into()],
            level: "mid".into(),
            question_count: 3,
            rubrics: serde_json::json!({}),
            expires_at: 0,
            max_uses: 1,
            uses: 0,
            created_at: 0,
            show_scores,
            revoked_at: None,
            revoked_by: None,
        }
    }

    fn settings(retention_days: Option<u32>, grader: Grader) -> NoticeSettings {
        NoticeSettings {
            organisation: "Acme".into(),
            retention_days,
            grader,
        }
    }

    #[test]
    fn the_notice_names_the_organisation_plan_grading_reviewers_and_retention() {
        let n = notice(&settings(Some(30), Grader::Builtin), &invite(true));
        let text = n.paragraphs.join(" ");
        for expected in [
            "Acme invites you",
            "3 main questions",
            "about 18 minutes",
            "built-in evaluator",
            "A recruiter at Acme reads your answers",
            "erased 30 days after",
            "You will see your scores",
        ] {
            assert!(text.contains(expected), "{expected:?} missing from {text}");
        }
        assert_eq!(n.minutes, 18);
        assert!(!n.scores_hidden);
    }

    #[test]
    fn the_version_changes_with_the_words_and_only_with_them() {
        let base = notice(&settings(Some(30), Grader::Builtin), &invite(true));
        assert_eq!(
            base.version,
            notice(&settings(Some(30), Grader::Builtin), &invite(true)).version
        );
        let ai = notice(
            &settings(
                Some(30),
                Grader::Llm {
                    model: "qwen".into(),
                },
            ),
            &invite(true),
        );
        assert!(ai.paragraphs.join(" ").contains("AI model (qwen)"));
        let hidden = notice(&settings(None, Grader::Builtin), &invite(false));
        assert!(hidden.scores_hidden);
        assert!(hidden.paragraphs.join(" ").contains("recruiter only"));
        assert!(
            hidden
                .paragraphs
                .join(" ")
                .contains("until Acme erases them")
        );
        let versions = [&base.version, &ai.version, &hidden.version];
        assert_eq!(
            versions.len(),
            versions
                .iter()
                .collect::<std::collections::BTreeSet<_>>()
                .len()
        );
    }
}
