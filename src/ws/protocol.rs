//! Protocol v1 messages (docs/protocol.md): JSON text frames tagged by `type`.

use crate::error_code::Code;
use serde::{Deserialize, Serialize};

use crate::bank::{Kind, Level, Topic};
use crate::evaluate::Evaluation;
use crate::interview::{QuestionReview, Summary, TopicScore, TurnScore};

/// Default number of questions when `start` gives no count.
pub const DEFAULT_COUNT: usize = 5;

/// Optional details a candidate gives about themself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Candidate {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// Messages from the client (read by the server, written by `rehearse chat`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientMessage {
    Start {
        /// Required unless `invite` is given (the invite fixes the plan).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        topics: Vec<Topic>,
        #[serde(skip_serializing_if = "Option::is_none")]
        level: Option<Level>,
        #[serde(skip_serializing_if = "Option::is_none")]
        count: Option<usize>,
        #[serde(skip_serializing_if = "Option::is_none")]
        candidate: Option<Candidate>,
        /// An invite token from a recruiter's link.
        #[serde(skip_serializing_if = "Option::is_none")]
        invite: Option<String>,
        /// A practice profile key: the interview joins that profile's history, and (without an
        /// invite) is planned from it.
        #[serde(skip_serializing_if = "Option::is_none")]
        profile: Option<String>,
        /// How a profile's interview prefers questions (default `fresh`: unseen first).
        #[serde(skip_serializing_if = "Option::is_none")]
        practice: Option<crate::practice::Mode>,
        /// Seed for choosing the questions, to make a scripted interview reproducible.
        #[serde(skip_serializing_if = "Option::is_none")]
        seed: Option<u64>,
        /// With an invite: the version of the invite's notice the candidate agreed to
        /// (`POST /api/invites/check` returns the notice). Required for invites.
        #[serde(skip_serializing_if = "Option::is_none")]
        consent: Option<String>,
    },
    Answer {
        text: String,
        client_msg_id: String,
    },
    Skip {},
    End {},
    Resume {
        session_id: String,
        resume_token: String,
    },
}

/// Every client message type, for telling an unknown type from a malformed known one.
pub const CLIENT_TYPES: &[&str] = &["start", "answer", "skip", "end", "resume"];

/// Every server message type, for the same distinction on the client's side.
pub const SERVER_TYPES: &[&str] = <ServerType as strum::VariantNames>::VARIANTS;

/// The plan as the client sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanInfo {
    pub topics: Vec<Topic>,
    pub level: Level,
    pub count: usize,
}

/// One turn replayed on resume.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TranscriptTurn {
    pub turn: i64,
    pub question_id: String,
    pub topic: String,
    pub level: String,
    pub kind: String,
    pub text: String,
    pub follow_up: bool,
    pub index: usize,
    pub answer: Option<String>,
    pub skipped: bool,
    /// Shown as [`Evaluation`]'s open form (hints, no missing points) until `closed`.
    pub evaluation: Option<Evaluation>,
    /// The question will get no more follow-ups: its key points and model answer are shown.
    #[serde(default)]
    pub closed: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_answer: Option<String>,
}

/// Messages to the client (written by the server, read by `rehearse chat`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, strum::EnumDiscriminants)]
#[serde(tag = "type", rename_all = "snake_case")]
#[strum_discriminants(
    name(ServerType),
    derive(strum::VariantNames),
    strum(serialize_all = "snake_case")
)]
pub enum ServerMessage {
    Session {
        session_id: String,
        resume_token: String,
        plan: PlanInfo,
        /// The recruiter keeps this interview's results: no `feedback_delta`, `evaluation` or
        /// `summary` frames come, the transcript carries no evaluations, and the end is
        /// `finished`.
        #[serde(default)]
        scores_hidden: bool,
    },
    Question {
        turn: i64,
        question_id: String,
        topic: Topic,
        level: Level,
        kind: Kind,
        text: String,
        index: usize,
        of: usize,
        follow_up: bool,
    },
    Ack {
        turn: i64,
        client_msg_id: String,
    },
    FeedbackDelta {
        turn: i64,
        text: String,
    },
    Evaluation {
        turn: i64,
        /// While the question is open, missing key points are withheld and shown as hints.
        evaluation: Box<Evaluation>,
        /// No more follow-ups on this question: everything is shown, with the model answer.
        #[serde(default)]
        closed: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        model_answer: Option<String>,
    },
    Summary {
        session_id: String,
        overall: u8,
        passed: bool,
        by_topic: Vec<TopicScore>,
        strengths: Vec<String>,
        focus_areas: Vec<String>,
        topics_to_review: Vec<String>,
        turns: Vec<TurnScore>,
        /// Every question with its key points, the wrong claims and the model answer.
        #[serde(default)]
        review: Vec<QuestionReview>,
        /// The score `passed` compares with.
        #[serde(default)]
        pass_mark: u8,
        /// Main questions the plan held.
        #[serde(default)]
        planned: usize,
        /// The interview ended before every planned question was asked.
        #[serde(default)]
        ended_early: bool,
        /// Main questions answered or skipped before the end.
        #[serde(default)]
        reached: usize,
        /// Chosen topics no question was asked from.
        #[serde(default)]
        topics_not_reached: Vec<Topic>,
    },
    Transcript {
        session_id: String,
        turns: Vec<TranscriptTurn>,
    },
    /// The end of an interview whose results the recruiter keeps (instead of `summary`).
    Finished {
        session_id: String,
        /// Main questions the plan held.
        planned: usize,
        /// Main questions answered or skipped before the end.
        reached: usize,
        ended_early: bool,
    },
    Error {
        code: Code,
        message: String,
        fatal: bool,
    },
}

impl ServerMessage {
    /// The `summary` message for a session.
    pub fn summary(session_id: &str, s: Summary) -> Self {
        ServerMessage::Summary {
            session_id: session_id.to_string(),
            overall: s.overall,
            passed: s.passed,
            by_topic: s.by_topic,
            strengths: s.strengths,
            focus_areas: s.focus_areas,
            topics_to_review: s.topics_to_review,
            turns: s.turns,
            review: s.review,
            pass_mark: s.pass_mark,
            planned: s.planned,
            ended_early: s.ended_early,
            reached: s.reached,
            topics_not_reached: s.topics_not_reached,
        }
    }

    /// The `evaluation` message for a turn: its open form while the question may still get a
    /// follow-up, otherwise the whole evaluation with the question's model answer.
    pub fn evaluation(turn: i64, e: &Evaluation, open: bool, model_answer: Option<&str>) -> Self {
        ServerMessage::Evaluation {
            turn,
            evaluation: Box::new(if open {
                crate::evaluate::while_open(e)
            } else {
                e.clone()
            }),
            closed: !open,
            model_answer: model_answer.filter(|_| !open).map(str::to_string),
        }
    }

    /// The frame a candidate whose results are hidden gets instead of this one: no feedback,
    /// evaluation or scores; the summary becomes `finished`; transcripts lose their evaluations
    /// and model answers. `None` when nothing is sent.
    pub fn without_scores(self) -> Option<Self> {
        match self {
            ServerMessage::FeedbackDelta { .. } | ServerMessage::Evaluation { .. } => None,
            ServerMessage::Summary {
                session_id,
                planned,
                reached,
                ended_early,
                ..
            } => Some(ServerMessage::Finished {
                session_id,
                planned,
                reached,
                ended_early,
            }),
            ServerMessage::Transcript { session_id, turns } => Some(ServerMessage::Transcript {
                session_id,
                turns: turns
                    .into_iter()
                    .map(|t| TranscriptTurn {
                        evaluation: None,
                        model_answer: None,
                        ..t
                    })
                    .collect(),
            }),
            other => Some(other),
        }
    }

    /// An `error` frame; it ends the connection when the code is fatal.
    pub fn error(code: Code, message: impl Into<String>) -> Self {
        ServerMessage::Error {
            code,
            message: message.into(),
            fatal: code.fatal(),
        }
    }

    /// The `error` frame for a code, with the code's own message.
    pub fn from_code(code: Code) -> Self {
        Self::error(code, code.message())
    }

    /// The JSON text frame.
    pub fn to_json(&self) -> String {
        // Serialising these types cannot fail: no maps with non-string keys, no foreign types.
        serde_json::to_string(self).unwrap_or_else(|e| {
            tracing::error!(error = %e, "a server message could not be serialised");
            r#"{"type":"error","code":"internal","message":"the server could not write this message","fatal":false}"#.to_string()
        })
    }
}

/// Why a client frame could not be understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub code: Code,
    pub message: String,
}

/// Parses a client text frame, telling invalid JSON, an unknown type and a malformed message apart.
pub fn parse(text: &str) -> Result<ClientMessage, ParseError> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| ParseError {
        code: Code::InvalidJson,
        message: format!("the frame is not valid JSON: {e}"),
    })?;
    let kind = value
        .get("type")
        .and_then(|t| t.as_str())
        .unwrap_or_default()
        .to_string();
    if !CLIENT_TYPES.contains(&kind.as_str()) {
        return Err(ParseError {
            code: Code::UnknownType,
            message: if kind.is_empty() {
                "the message has no `type` field".into()
            } else {
                format!(
                    "unknown message type `{kind}` (expected one of: {})",
                    CLIENT_TYPES.join(", ")
                )
            },
        });
    }
    if carries_nul(&value) {
        return Err(ParseError {
            code: Code::InvalidMessage,
            message: format!(
                "invalid `{kind}` message: text may not contain the NUL character (U+0000)"
            ),
        });
    }
    serde_json::from_value(value).map_err(|e| ParseError {
        code: Code::InvalidMessage,
        message: format!("invalid `{kind}` message: {e}"),
    })
}

/// True when any string (or key) in the message holds U+0000, which no database column takes.
fn carries_nul(value: &serde_json::Value) -> bool {
    use serde_json::Value;
    match value {
        Value::String(s) => s.contains('\0'),
        Value::Array(items) => items.iter().any(carries_nul),
        Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || carries_nul(v)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_server_types_are_the_wire_names_of_every_server_message() {
        let ack = ServerMessage::Ack {
            turn: 1,
            client_msg_id: "a".into(),
        };
        let wire: serde_json::Value = serde_json::from_str(&ack.to_json()).unwrap();
        assert!(SERVER_TYPES.contains(&wire["type"].as_str().unwrap()));
        assert_eq!(SERVER_TYPES.len(), 9, "{SERVER_TYPES:?}");
        for t in [
            "feedback_delta",
            "summary",
            "finished",
            "transcript",
            "error",
        ] {
            assert!(SERVER_TYPES.contains(&t), "{t}");
        }
    }

    #[test]
    fn hidden_results_drop_feedback_and_evaluations_and_end_with_finished() {
        let feedback = ServerMessage::FeedbackDelta {
            turn: 1,
            text: "Good".into(),
        };
        assert_eq!(feedback.without_scores(), None);
        let ack = ServerMessage::Ack {
            turn: 1,
            client_msg_id: "a".into(),
        };
        assert_eq!(ack.clone().without_scores(), Some(ack));
        let summary = ServerMessage::Summary {
            session_id: "s".into(),
            overall: 80,
            passed: true,
            by_topic: vec![],
            strengths: vec![],
            focus_areas: vec![],
            topics_to_review: vec![],
            turns: vec![],
            review: vec![],
            pass_mark: 60,
            planned: 3,
            ended_early: true,
            reached: 2,
            topics_not_reached: vec![],
        };
        assert_eq!(
            summary.without_scores(),
            Some(ServerMessage::Finished {
                session_id: "s".into(),
                planned: 3,
                reached: 2,
                ended_early: true,
            })
        );
        let transcript = ServerMessage::Transcript {
            session_id: "s".into(),
            turns: vec![TranscriptTurn {
                turn: 1,
                question_id: "q".into(),
                topic: "algorithms".into(),
                level: "junior".into(),
                kind: "technical".into(),
                text: "Why?".into(),
                follow_up: false,
                index: 1,
                answer: Some("Because.".into()),
                skipped: false,
                evaluation: None,
                closed: true,
                model_answer: Some("The model answer.".into()),
            }],
        };
        let Some(ServerMessage::Transcript { turns, .. }) = transcript.without_scores() else {
            panic!("a transcript stays a transcript");
        };
        assert_eq!(
            (turns[0].answer.as_deref(), turns[0].model_answer.as_deref()),
            (Some("Because."), None)
        );
    }

    #[test]
    fn parse_tells_the_failure_kinds_apart() {
        assert_eq!(parse("{not json").unwrap_err().code, Code::InvalidJson);
        assert_eq!(
            parse(r#"{"type":"dance"}"#).unwrap_err().code,
            Code::UnknownType
        );
        assert_eq!(
            parse(r#"{"text":"x"}"#).unwrap_err().code,
            Code::UnknownType
        );
        let e = parse(r#"{"type":"start","topics":["cooking"],"level":"mid"}"#).unwrap_err();
        assert_eq!(e.code, Code::InvalidMessage);
        assert!(e.message.contains("cooking"), "{}", e.message);
        assert_eq!(
            parse(r#"{"type":"answer","text":"x"}"#).unwrap_err().code,
            Code::InvalidMessage
        );
    }

    #[test]
    fn known_messages_parse() {
        assert_eq!(parse(r#"{"type":"skip"}"#).unwrap(), ClientMessage::Skip {});
        let m = parse(r#"{"type":"start","topics":["concurrency"],"level":"mid","count":2,"candidate":{"name":"Ada"}}"#).unwrap();
        assert!(matches!(m, ClientMessage::Start { count: Some(2), .. }));
    }

    #[test]
    fn server_messages_carry_their_type() {
        let v: serde_json::Value =
            serde_json::from_str(&ServerMessage::error(Code::EmptyAnswer, "x").to_json()).unwrap();
        assert_eq!(v["type"], "error");
        assert_eq!(v["fatal"], false);
    }
}
