//! Every error code the product puts on the wire — HTTP `{"code", "message"}` bodies and
//! WebSocket `error` frames — each once, with its HTTP status, whether it closes a socket, and
//! the message a client sees when the error carries no more specific one.
//!
//! Module errors say which code they are ([`HasCode`]); the HTTP and WebSocket layers only turn a
//! code and a message into their own frame, so a code's spelling, status and meaning live here.

use std::str::FromStr;

macro_rules! error_codes {
    ($( $(#[$doc:meta])* $variant:ident => $status:literal, $fatal:literal, $message:literal; )*) => {
        /// A stable snake_case error code.
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, strum::IntoStaticStr, strum::EnumString,
            strum::EnumIter,
        )]
        #[strum(serialize_all = "snake_case")]
        pub enum Code {
            $( $(#[$doc])* $variant, )*
        }

        impl Code {
            /// The HTTP status an API answer with this code carries.
            pub const fn status(self) -> u16 {
                match self { $( Code::$variant => $status, )* }
            }

            /// True when a WebSocket `error` frame with this code ends the connection.
            pub const fn fatal(self) -> bool {
                match self { $( Code::$variant => $fatal, )* }
            }

            /// What the client is told when nothing more specific is known. Server-side failures
            /// (5xx) are always told this, never their cause.
            pub const fn message(self) -> &'static str {
                match self { $( Code::$variant => $message, )* }
            }
        }
    };
}

error_codes! {
    // A request or frame that could not be read.
    /// The body or frame is not JSON.
    InvalidJson => 400, false, "the body is not valid JSON";
    /// A query-string parameter is missing or malformed.
    InvalidQuery => 400, false, "the query string is not valid";
    /// A path parameter is malformed.
    InvalidPath => 400, false, "the path is not valid";
    /// A page form could not be read.
    InvalidForm => 400, false, "the form is not valid";
    /// The body is not UTF-8 text.
    InvalidBody => 400, false, "the body is not UTF-8 text";
    /// The body is over its size limit.
    PayloadTooLarge => 413, false, "the body is too large";
    /// The body has a content type this route does not read.
    UnsupportedMediaType => 415, false, "the body has an unsupported content type";
    /// The path exists but does not serve this method (`Allow` lists those it does).
    MethodNotAllowed => 405, false, "this path does not serve this method";
    /// No such route or resource.
    NotFound => 404, false, "not found";
    /// The request was read but asks for something invalid.
    InvalidRequest => 422, false, "the request is not valid";
    /// A rubric document has problems (listed in `problems`); nothing was saved.
    InvalidRubric => 422, false, "the rubric has problems; nothing was saved";
    /// A list cursor that was not issued for this listing.
    InvalidCursor => 422, false, "the cursor does not belong to this listing";
    /// The resource changed since it was read.
    Conflict => 409, false, "the resource changed; reload and try again";

    // Who is calling.
    /// No valid, unrevoked token was presented.
    Unauthorized => 401, false, "send `Authorization: Bearer <token>`";
    /// The caller may not do this.
    Forbidden => 403, false, "this token may not do this";
    /// Too many requests, messages or attempts.
    RateLimited => 429, false, "too many requests; slow down";

    // Invites.
    /// The invite link matches no invite.
    InviteInvalid => 404, false, "this invite link is not valid";
    /// The invite's expiry has passed.
    InviteExpired => 410, false, "this invite has expired; ask your recruiter for a new link";
    /// The invite has been used as often as it may be.
    InviteUsedUp => 410, false, "this invite has already been used";
    /// The recruiter revoked the invite.
    InviteRevoked => 410, false, "this invite was withdrawn by the recruiter";
    /// An invited interview starts only once the candidate agreed to the current notice.
    ConsentRequired => 409, false, "read the notice and agree to it before the first question";

    // Practice profiles.
    /// `start` named a practice profile key that matches no profile.
    UnknownProfile => 404, false, "this practice profile does not exist (it may have been deleted)";
    /// Weak-spot practice asked for before the profile has any graded question at this level.
    NoPracticeHistory => 422, false, "there is no practice history to review yet; pick topics instead";

    // The interview protocol.
    /// A frame whose `type` is missing or unknown.
    UnknownType => 400, false, "unknown message type";
    /// A frame of a known type with missing or malformed fields.
    InvalidMessage => 400, false, "the message is not valid";
    /// An interview message before `start` or `resume`.
    NoSession => 409, false, "send `start` or `resume` first";
    /// `resume` named an interview that does not exist.
    UnknownSession => 404, false, "no interview has this session id";
    /// `resume` with a token that is not this interview's.
    InvalidResumeToken => 403, false, "the resume token does not match this interview";
    /// `start` or `resume` on a connection that already carries an interview.
    SessionAlreadyStarted => 409, false, "this connection already carries an interview";
    /// The chosen topics and level hold fewer questions than asked for.
    NotEnoughQuestions => 422, false, "the chosen topics and level hold too few questions";
    /// An answer while none is awaited (the previous one is being graded, or none is open).
    NotExpectingAnswer => 409, false, "no question is waiting for an answer";
    /// An answer with no text.
    EmptyAnswer => 422, false, "the answer is empty";
    /// An answer over the size limit.
    AnswerTooLong => 422, false, "the answer is over the size limit";
    /// The interview is over.
    InterviewFinished => 409, false, "this interview is over";
    /// Another connection resumed the interview; this one is closed.
    SessionTakenOver => 409, true, "this interview was resumed on another connection; this one is closed";
    /// An admin erased the interview while it was connected; the connection is closed.
    SessionErased => 410, true, "this interview was erased by the organisation; nothing more can be saved";
    /// The answer is saved but storing its grade is delayed by a storage problem.
    GradingDelayed => 503, false, "your answer is saved; its grading is delayed by a storage problem and will arrive as soon as it is stored";

    // Server-side failures: the client sees only the code's message (and the request id).
    /// The database cannot be reached or refused the write; nothing was saved.
    StorageUnavailable => 503, false, "the database is unavailable; nothing was saved — please try again";
    /// Anything else that went wrong on the server.
    Internal => 500, false, "something went wrong on the server; it has been logged";
}

impl Code {
    /// The code's wire spelling.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// True for failures on the server's side (5xx), whose cause is logged and never shown.
    pub const fn server_side(self) -> bool {
        self.status() >= 500
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Code {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Code::from_str(&text)
            .map_err(|_| serde::de::Error::custom(format!("unknown error code `{text}`")))
    }
}

/// An error that knows which wire code it is.
pub trait HasCode {
    fn code(&self) -> Code;
}

/// The error and every cause under it, joined with `: ` — what the log gets, once.
pub fn cause_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let next = s.to_string();
        // thiserror's `{0}` display often repeats its source's text; say it once.
        if !text.ends_with(&next) {
            text.push_str(": ");
            text.push_str(&next);
        }
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::IntoEnumIterator;

    #[test]
    fn every_code_round_trips_and_has_a_valid_status_and_message() {
        let mut seen = std::collections::HashSet::new();
        for code in Code::iter() {
            let text = code.as_str();
            assert!(seen.insert(text), "{text} twice");
            assert!(
                text.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{text} is snake_case"
            );
            assert_eq!(Code::from_str(text), Ok(code));
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(serde_json::from_str::<Code>(&json).unwrap(), code);
            assert!((400..600).contains(&code.status()), "{text}");
            assert!(!code.message().is_empty());
        }
        assert!(serde_json::from_str::<Code>("\"no_such_code\"").is_err());
    }

    #[test]
    fn only_a_takeover_or_an_erasure_closes_the_socket() {
        let fatal: Vec<_> = Code::iter().filter(|c| c.fatal()).collect();
        assert_eq!(fatal, [Code::SessionTakenOver, Code::SessionErased]);
    }

    #[test]
    fn server_side_codes_are_the_5xx_ones() {
        assert!(Code::Internal.server_side());
        assert!(Code::StorageUnavailable.server_side());
        assert!(!Code::NotFound.server_side());
    }

    #[test]
    fn a_cause_chain_names_every_cause_once() {
        #[derive(Debug, thiserror::Error)]
        #[error("outer failed")]
        struct Outer(#[source] std::io::Error);
        let e = Outer(std::io::Error::other("disk on fire"));
        assert_eq!(cause_chain(&e), "outer failed: disk on fire");
    }
}
