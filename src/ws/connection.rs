//! One WebSocket connection: a reader loop that enforces limits and keeps the peer alive, a
//! writer fed by the connection's outbox, and a worker that runs the candidate's commands in
//! order without blocking the reader.

use actix_web::{HttpRequest, HttpResponse, web};
use actix_ws::{AggregatedMessage, AggregatedMessageStream, CloseCode, CloseReason, ProtocolError};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

use super::limiter::TokenBucket;
use super::protocol::{ClientMessage, DEFAULT_COUNT, ServerMessage, parse};
use crate::http::AppState;
use crate::runner::{Interviews, Outbox, RunnerError, StartRequest};

const OUTBOX_CAPACITY: usize = 256;
const COMMAND_CAPACITY: usize = 32;

static NEXT_CONNECTION: AtomicU64 = AtomicU64::new(1);

/// `GET /ws`: upgrades to the interview socket.
pub async fn route(
    req: HttpRequest,
    body: web::Payload,
    app: web::Data<AppState>,
) -> actix_web::Result<HttpResponse> {
    let (response, session, stream) = actix_ws::handle(&req, body)?;
    let limit = app.server.max_frame_bytes;
    let stream = stream
        .max_frame_size(limit)
        .aggregate_continuations()
        .max_continuation_size(limit);
    actix_web::rt::spawn(run(app.into_inner(), session, stream));
    Ok(response)
}

fn close(code: CloseCode, description: &str) -> Option<CloseReason> {
    Some(CloseReason {
        code,
        description: Some(description.to_string()),
    })
}

async fn run(
    app: std::sync::Arc<AppState>,
    mut session: actix_ws::Session,
    mut stream: AggregatedMessageStream,
) {
    let conn_id = NEXT_CONNECTION.fetch_add(1, Ordering::Relaxed);
    let (out_tx, mut out_rx) = mpsc::channel::<ServerMessage>(OUTBOX_CAPACITY);
    let (cmd_tx, cmd_rx) = mpsc::channel::<ClientMessage>(COMMAND_CAPACITY);
    tokio::spawn(worker(app.interviews.clone(), conn_id, out_tx, cmd_rx));

    let limits = &app.server;
    let mut bucket = TokenBucket::new(limits.messages_per_second, limits.message_burst);
    let idle_timeout = Duration::from_secs(limits.idle_timeout_secs);
    let mut ping = tokio::time::interval(Duration::from_secs(limits.ping_interval_secs.max(1)));
    ping.tick().await;
    let mut last_seen = Instant::now();
    let mut shutdown = app.interviews.hub.shutdown_signal();

    let reason = loop {
        tokio::select! {
            _ = shutdown.wait_for(|&down| down) => {
                break close(CloseCode::Restart, "server restarting; resume to continue");
            }
            incoming = stream.recv() => {
                let message = match incoming {
                    None => break None,
                    Some(Err(ProtocolError::Overflow)) => {
                        break close(CloseCode::Size, &format!("frame larger than {} bytes", limits.max_frame_bytes));
                    }
                    Some(Err(e)) => break close(CloseCode::Protocol, &e.to_string()),
                    Some(Ok(m)) => m,
                };
                last_seen = Instant::now();
                match message {
                    AggregatedMessage::Text(text) => {
                        let reply = if !bucket.take() {
                            Some(ServerMessage::error("rate_limited", "too many messages; this one was dropped"))
                        } else {
                            match parse(&text) {
                                Ok(cmd) => cmd_tx
                                    .try_send(cmd)
                                    .err()
                                    .map(|_| ServerMessage::error("rate_limited", "too many messages in flight; this one was dropped")),
                                Err(e) => Some(ServerMessage::error(e.code, e.message)),
                            }
                        };
                        if let Some(reply) = reply
                            && session.text(reply.to_json()).await.is_err()
                        {
                            break None;
                        }
                    }
                    AggregatedMessage::Binary(_) => break close(CloseCode::Unsupported, "binary frames are not accepted"),
                    AggregatedMessage::Ping(bytes) => {
                        if session.pong(&bytes).await.is_err() {
                            break None;
                        }
                    }
                    AggregatedMessage::Pong(_) => {}
                    AggregatedMessage::Close(reason) => break reason,
                }
            }
            Some(out) = out_rx.recv() => {
                let fatal = matches!(out, ServerMessage::Error { fatal: true, .. });
                if session.text(out.to_json()).await.is_err() {
                    break None;
                }
                if fatal {
                    break close(CloseCode::Policy, "closed by the server");
                }
            }
            _ = ping.tick() => {
                if last_seen.elapsed() > idle_timeout {
                    break close(CloseCode::Away, "idle timeout");
                }
                if session.ping(b"").await.is_err() {
                    break None;
                }
            }
        }
    };
    // The worker finishes the command in hand (an answer being stored and graded is never cut
    // off) and then detaches the interview from this connection.
    drop(cmd_tx);
    let _ = session.close(reason).await;
}

async fn worker(
    interviews: Interviews,
    conn_id: u64,
    outbox: Outbox,
    mut commands: mpsc::Receiver<ClientMessage>,
) {
    let mut current: Option<String> = None;
    while let Some(cmd) = commands.recv().await {
        let result = handle(&interviews, conn_id, &outbox, &mut current, cmd).await;
        if let Err(e) = result {
            if !matches!(e, RunnerError::Client { .. }) {
                tracing::error!(conn_id, session_id = current.as_deref(), error = %e, "interview command failed");
            }
            let _ = outbox.send(e.to_message()).await;
        }
    }
    if let Some(session_id) = current {
        interviews.hub.detach(&session_id, conn_id);
    }
}

async fn handle(
    interviews: &Interviews,
    conn_id: u64,
    outbox: &Outbox,
    current: &mut Option<String>,
    cmd: ClientMessage,
) -> Result<(), RunnerError> {
    match (cmd, current.as_deref()) {
        (ClientMessage::Start { .. } | ClientMessage::Resume { .. }, Some(_)) => {
            Err(RunnerError::client(
                "session_already_started",
                "this connection already carries an interview",
            ))
        }
        (
            ClientMessage::Start {
                topics,
                level,
                count,
                candidate,
                invite,
            },
            None,
        ) => {
            let candidate = candidate.unwrap_or_default();
            let req = match invite {
                Some(token) => interviews.invite_start(&token, candidate).await?,
                None => StartRequest {
                    level: level.ok_or_else(|| {
                        RunnerError::client(
                            "invalid_message",
                            "invalid `start` message: `level` is required",
                        )
                    })?,
                    topics,
                    count: count.unwrap_or(DEFAULT_COUNT),
                    candidate,
                    invite_id: None,
                    created_by: None,
                    rubrics: Default::default(),
                },
            };
            *current = Some(interviews.start(conn_id, outbox, req).await?);
            Ok(())
        }
        (
            ClientMessage::Resume {
                session_id,
                resume_token,
            },
            None,
        ) => {
            *current = Some(
                interviews
                    .resume(conn_id, outbox, &session_id, &resume_token)
                    .await?,
            );
            Ok(())
        }
        (_, None) => Err(RunnerError::client(
            "no_session",
            "send `start` or `resume` first",
        )),
        (
            ClientMessage::Answer {
                text,
                client_msg_id,
            },
            Some(s),
        ) => interviews.answer(outbox, s, text, client_msg_id).await,
        (ClientMessage::Skip {}, Some(s)) => interviews.skip(s).await,
        (ClientMessage::End {}, Some(s)) => interviews.end(s).await,
    }
}
