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
use serde_json::{Value, json};
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

use crate::bank::{Level, Topic};
use crate::rich_text::TerminalStyle;

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

/// Runs an interview to its summary. Returns the summary message.
pub async fn run(
    opts: ChatOptions,
    mut input: AnswerSource,
    out: &mut dyn Write,
) -> anyhow::Result<Value> {
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
        } => {
            let mut start = json!({
                "type": "start",
                "topics": topics,
                "level": level,
                "count": count,
                "candidate": { "name": name },
            });
            if let Some(seed) = seed {
                start["seed"] = json!(seed);
            }
            start
        }
        Begin::Resume { session_id, token } => {
            json!({"type": "resume", "session_id": session_id, "resume_token": token})
        }
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
                send(
                    &mut fresh,
                    &json!({"type": "resume", "session_id": id, "resume_token": token}),
                )
                .await?;
                if let Some((msg_id, text)) = &state.pending {
                    // Resent under the same id: stored once however often it arrives.
                    send(
                        &mut fresh,
                        &json!({"type": "answer", "text": text, "client_msg_id": msg_id}),
                    )
                    .await?;
                }
                ws = fresh;
                continue;
            }
        };
        let msg: Value = serde_json::from_str(&frame).context("the server sent invalid JSON")?;
        write!(out, "{}", renderer.render(&msg))?;
        out.flush()?;
        match msg["type"].as_str().unwrap_or_default() {
            "session" => {
                reconnects = 0;
                let id = msg["session_id"].as_str().unwrap_or_default().to_string();
                let token = msg["resume_token"].as_str().unwrap_or_default().to_string();
                if let Ok(mut shared) = opts.session.lock() {
                    *shared = Some((id.clone(), token.clone()));
                }
                state.session = Some((id, token));
            }
            "question" => {
                if state.pending.is_some() {
                    continue; // a re-sent question while our answer is in flight
                }
                let command = next_command(&mut input, out, &mut state).await?;
                send(&mut ws, &command).await?;
            }
            "ack" => state.pending = None,
            "summary" | "finished" => return Ok(msg),
            "error" if msg["fatal"] == true => {
                bail!("{}", msg["message"].as_str().unwrap_or("fatal error"))
            }
            "error" => {
                // The answer was refused (too long, empty…): ask for it again.
                if state.pending.take().is_some() {
                    let command = next_command(&mut input, out, &mut state).await?;
                    send(&mut ws, &command).await?;
                } else if state.session.is_none() {
                    bail!("{}", msg["message"].as_str().unwrap_or("could not start"));
                }
            }
            _ => {}
        }
    }
}

/// Reads the next answer (or /skip, /end) and turns it into a message, remembering an answer
/// until it is acknowledged.
async fn next_command(
    input: &mut AnswerSource,
    out: &mut dyn Write,
    state: &mut State,
) -> anyhow::Result<Value> {
    Ok(match input.next_entry(out).await? {
        Entry::Answer(text) => {
            let id = uuid::Uuid::new_v4().to_string();
            state.pending = Some((id.clone(), text.clone()));
            json!({"type": "answer", "text": text, "client_msg_id": id})
        }
        Entry::Skip => json!({"type": "skip"}),
        Entry::End => json!({"type": "end"}),
    })
}

async fn connect(url: &str) -> anyhow::Result<Socket> {
    let (ws, _) = tokio_tungstenite::connect_async(url)
        .await
        .with_context(|| format!("connecting to {url}"))?;
    Ok(ws)
}

async fn send(ws: &mut Socket, v: &Value) -> anyhow::Result<()> {
    ws.send(Message::text(v.to_string()))
        .await
        .context("sending to the server")
}
