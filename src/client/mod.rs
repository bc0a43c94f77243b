//! `rehearse chat`: a terminal client for the interview socket. Questions and streamed feedback
//! are printed; answers are read from the terminal, or piped from a file (one answer per
//! blank-line-separated block). A dropped connection is resumed and an unacknowledged answer is
//! resent with the same `client_msg_id`.

mod input;
mod render;

pub use input::{AnswerSource, Entry};
pub use render::Renderer;

use anyhow::{Context, bail};
use futures_util::{SinkExt, StreamExt};
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

use crate::bank::{Level, Topic};
use crate::rich_text::TerminalStyle;
use crate::ws::protocol::{Candidate, ClientMessage, SERVER_TYPES, ServerMessage};

/// What to start, or which interview to resume.
pub struct ChatOptions {
    pub url: String,
    pub begin: Begin,
    /// How text is laid out for the terminal.
    pub style: TerminalStyle,
    /// The interview's id and resume token once known, for the caller (an interrupted chat
    /// prints how to resume it).
    pub session: Arc<Mutex<Option<(String, String)>>>,
}

/// How a chat begins.
pub enum Begin {
    Start {
        topics: Vec<Topic>,
        level: Level,
        count: usize,
        name: Option<String>,
        seed: Option<u64>,
    },
    Resume {
        session_id: String,
        token: String,
    },
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Reconnection attempts after a dropped connection.
const RECONNECTS: u32 = 5;

struct State {
    session: Option<(String, String)>,
    /// The answer sent and not yet acknowledged: (client_msg_id, text).
    pending: Option<(String, String)>,
}

/// Runs an interview to its summary. Returns the summary (or, when the recruiter keeps the
/// results, the `finished` message).
pub async fn run(
    opts: ChatOptions,
    mut input: AnswerSource,
    out: &mut dyn Write,
) -> anyhow::Result<ServerMessage> {
    let mut renderer = Renderer::new(opts.style);
    let mut state = State {
        session: None,
        pending: None,
    };
    let mut ws = connect(&opts.url).await?;
    let first = match &opts.begin {
        Begin::Start {
            topics,
            level,
            count,
            name,
            seed,
        } => ClientMessage::Start {
            topics: topics.clone(),
            level: Some(*level),
            count: Some(*count),
            candidate: Some(Candidate {
                name: name.clone(),
                email: None,
            }),
            invite: None,
            profile: None,
            practice: None,
            seed: *seed,
            consent: None,
        },
        Begin::Resume { session_id, token } => resume(session_id, token),
    };
    send(&mut ws, &first).await?;
    let mut reconnects = 0;
    loop {
        let frame = match ws.next().await {
            Some(Ok(Message::Text(t))) => t,
            Some(Ok(Message::Close(frame))) => {
                let reason = frame
                    .map(|f| format!("{} {}", u16::from(f.code), f.reason))
                    .unwrap_or_default();
                bail!("the server closed the connection {reason}");
            }
            Some(Ok(_)) => continue,
            Some(Err(_)) | None => {
                // Dropped: reattach to the interview and resend what was not acknowledged.
                let Some((id, token)) = state.session.clone() else {
                    bail!("connection lost before the interview started")
                };
                reconnects += 1;
                if reconnects > RECONNECTS {
                    bail!("connection lost; resume later with session {id}");
                }
                writeln!(out, "\n(connection lost; reconnecting…)")?;
                tokio::time::sleep(Duration::from_millis(500 * 2u64.pow(reconnects - 1))).await;
                let Ok(mut fresh) = connect(&opts.url).await else {
                    continue;
                };
                send(&mut fresh, &resume(&id, &token)).await?;
                if let Some((msg_id, text)) = &state.pending {
                    // Resent under the same id: stored once however often it arrives.
                    let again = ClientMessage::Answer {
                        text: text.clone(),
                        client_msg_id: msg_id.clone(),
                    };
                    send(&mut fresh, &again).await?;
                }
                ws = fresh;
                continue;
            }
        };
        let Some(msg) = read_frame(&frame)? else {
            continue;
        };
        write!(out, "{}", renderer.render(&msg))?;
        out.flush()?;
        match msg {
            ServerMessage::Session {
                session_id,
                resume_token,
                ..
            } => {
                reconnects = 0;
                if let Ok(mut shared) = opts.session.lock() {
                    *shared = Some((session_id.clone(), resume_token.clone()));
                }
                state.session = Some((session_id, resume_token));
            }
            ServerMessage::Question { .. } => {
                if state.pending.is_some() {
                    continue; // a re-sent question while our answer is in flight
                }
                let command = next_command(&mut input, out, &mut state).await?;
                send(&mut ws, &command).await?;
            }
            ServerMessage::Ack { .. } => state.pending = None,
            ServerMessage::Summary { .. } | ServerMessage::Finished { .. } => return Ok(msg),
            ServerMessage::Error {
                message,
                fatal: true,
                ..
            } => bail!("{message}"),
            ServerMessage::Error { message, .. } => {
                // The answer was refused (too long, empty…): ask for it again.
                if state.pending.take().is_some() {
                    let command = next_command(&mut input, out, &mut state).await?;
                    send(&mut ws, &command).await?;
                } else if state.session.is_none() {
                    bail!("{message}");
                }
            }
            ServerMessage::FeedbackDelta { .. }
            | ServerMessage::Evaluation { .. }
            | ServerMessage::Transcript { .. } => {}
        }
    }
}

fn resume(session_id: &str, token: &str) -> ClientMessage {
    ClientMessage::Resume {
        session_id: session_id.to_string(),
        resume_token: token.to_string(),
    }
}

/// A server frame. A frame of a type this client does not know (from a newer server) is
/// skipped; a frame that is not JSON, or a known type with the wrong shape, is an error.
fn read_frame(frame: &str) -> anyhow::Result<Option<ServerMessage>> {
    match serde_json::from_str::<ServerMessage>(frame) {
        Ok(msg) => Ok(Some(msg)),
        Err(e) => {
            let value: serde_json::Value =
                serde_json::from_str(frame).context("the server sent invalid JSON")?;
            let kind = value["type"].as_str().unwrap_or_default();
            if SERVER_TYPES.contains(&kind) {
                bail!("the server sent a `{kind}` message this client cannot read: {e}");
            }
            Ok(None)
        }
    }
}

/// Reads the next answer (or /skip, /end) and turns it into a message, remembering an answer
/// until it is acknowledged.
async fn next_command(
    input: &mut AnswerSource,
    out: &mut dyn Write,
    state: &mut State,
) -> anyhow::Result<ClientMessage> {
    Ok(match input.next_entry(out).await? {
        Entry::Answer(text) => {
            let id = uuid::Uuid::new_v4().to_string();
            state.pending = Some((id.clone(), text.clone()));
            ClientMessage::Answer {
                text,
                client_msg_id: id,
            }
        }
        Entry::Skip => ClientMessage::Skip {},
        Entry::End => ClientMessage::End {},
    })
}

async fn connect(url: &str) -> anyhow::Result<Socket> {
    let (ws, _) = tokio_tungstenite::connect_async(url)
        .await
        .with_context(|| format!("connecting to {url}"))?;
    Ok(ws)
}

async fn send(ws: &mut Socket, m: &ClientMessage) -> anyhow::Result<()> {
    let text = serde_json::to_string(m).context("writing a message")?;
    ws.send(Message::text(text))
        .await
        .context("sending to the server")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_of_an_unknown_type_is_skipped_and_a_malformed_known_one_is_an_error() {
        assert!(
            read_frame(r#"{"type": "typing", "who": "interviewer"}"#)
                .unwrap()
                .is_none()
        );
        assert!(read_frame(r#"{"type": "ack", "turn": "one"}"#).is_err());
        assert!(read_frame("not json").is_err());
        assert!(matches!(
            read_frame(r#"{"type": "ack", "turn": 1, "client_msg_id": "a"}"#).unwrap(),
            Some(ServerMessage::Ack { turn: 1, .. })
        ));
    }

    #[test]
    fn what_the_client_sends_is_what_the_server_reads() {
        let start = ClientMessage::Start {
            topics: vec![Topic::Concurrency],
            level: Some(Level::Mid),
            count: Some(2),
            candidate: Some(Candidate {
                name: Some("Ada".into()),
                email: None,
            }),
            invite: None,
            profile: None,
            practice: None,
            seed: Some(7),
            consent: None,
        };
        let text = serde_json::to_string(&start).unwrap();
        assert!(!text.contains("null") && !text.contains("invite"), "{text}");
        assert_eq!(crate::ws::protocol::parse(&text), Ok(start));
    }
}
