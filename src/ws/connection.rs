//! One WebSocket connection: a reader loop that enforces limits and keeps the peer alive, a
//! writer fed by the connection's outbox, and a worker that runs the candidate's commands in
//! order without blocking the reader.

use crate::error_code::Code;
use actix_web::error::PayloadError;
use actix_web::web::Bytes;
use actix_web::{FromRequest, HttpRequest, HttpResponse, dev, web};
use actix_ws::{AggregatedMessage, AggregatedMessageStream, CloseCode, CloseReason, ProtocolError};
use futures_util::Stream;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

use super::frame_guard::GuardedPayload;
use super::limiter::TokenBucket;
use super::protocol::{ClientMessage, DEFAULT_COUNT, ServerMessage, parse};
use crate::http::AppState;
use crate::runner::{Interviews, Outbox, RunnerError, StartRequest};
use crate::telemetry;

/// Messages queued for one connection; a full queue means the client stopped reading.
const OUTBOX_CAPACITY: usize = 1024;
const COMMAND_CAPACITY: usize = 32;

static NEXT_CONNECTION: AtomicU64 = AtomicU64::new(1);

/// `GET /ws`: upgrades to the interview socket.
pub async fn route(
    req: HttpRequest,
    body: web::Payload,
    app: web::Data<AppState>,
) -> actix_web::Result<HttpResponse> {
    let limit = app.server.max_frame_bytes;
    // Oversized frames are refused from their header, before their payload is read.
    let refused = Arc::new(AtomicBool::new(false));
    let guarded: Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>> = Box::pin(
        GuardedPayload::new(body.into_inner(), limit, refused.clone()),
    );
    let body = web::Payload::from_request(&req, &mut dev::Payload::from(guarded)).await?;
    let (response, session, stream) = actix_ws::handle(&req, body)?;
    let stream = stream
        .max_frame_size(limit)
        .aggregate_continuations()
        .max_continuation_size(limit);
    let address = req
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default();
    actix_web::rt::spawn(run(app.into_inner(), session, stream, refused, address));
    Ok(response)
}

fn close(code: CloseCode, description: &str) -> Option<CloseReason> {
    Some(CloseReason {
        code,
        description: Some(description.to_string()),
    })
}

async fn run(
    app: Arc<AppState>,
    mut session: actix_ws::Session,
    mut stream: AggregatedMessageStream,
    refused: Arc<AtomicBool>,
    address: String,
) {
    let conn_id = NEXT_CONNECTION.fetch_add(1, Ordering::Relaxed);
    let (outbox, mut out_rx) = Outbox::channel(OUTBOX_CAPACITY);
    let stalled_signal = out_rx.stalled.clone();
    // Boxed, like the outbox's messages: the channel's first block holds room for 32 commands.
    let (cmd_tx, cmd_rx) = mpsc::channel::<Box<ClientMessage>>(COMMAND_CAPACITY);
    tokio::spawn(worker(app.interviews.clone(), conn_id, outbox, cmd_rx));

    let limits = &app.server;
    let mut bucket = TokenBucket::new(limits.messages_per_second, limits.message_burst);
    let idle_timeout = Duration::from_secs(limits.idle_timeout_secs);
    let write_timeout = Duration::from_secs(limits.write_timeout_secs.max(1));
    let mut ping = tokio::time::interval(Duration::from_secs(limits.ping_interval_secs.max(1)));
    ping.tick().await;
    // Liveness is what the peer reads, not what it sends: our pings answered, or its messages.
    // A peer that sends pings but never reads is not alive for this purpose.
    let mut last_seen = Instant::now();
    let mut shutdown = app.interviews.hub.shutdown_signal();
    let too_big = || {
        close(
            CloseCode::Size,
            &format!("frame larger than {} bytes", limits.max_frame_bytes),
        )
    };

    let reason = loop {
        let sent = tokio::select! {
            _ = shutdown.wait_for(|&down| down) => {
                break close(CloseCode::Restart, "server restarting; resume to continue");
            }
            _ = stalled_signal.notified() => break stalled(),
            incoming = stream.recv() => {
                let message = match incoming {
                    Some(Err(_)) | None if refused.load(Ordering::Relaxed) => break too_big(),
                    Some(Err(ProtocolError::Overflow)) => break too_big(),
                    None => break None,
                    Some(Err(e)) => break close(CloseCode::Protocol, &e.to_string()),
                    Some(Ok(m)) => m,
                };
                match message {
                    AggregatedMessage::Text(text) => {
                        last_seen = Instant::now();
                        let reply = if !bucket.take() {
                            Some(ServerMessage::error(Code::RateLimited, "too many messages; this one was dropped"))
                        } else {
                            match parse(&text) {
                                Ok(ClientMessage::Start { .. }) if !app.allow_start("start", &address) => Some(ServerMessage::error(
                                    Code::RateLimited,
                                    "too many interviews started from this address; wait a minute",
                                )),
                                Ok(cmd) => cmd_tx
                                    .try_send(Box::new(cmd))
                                    .err()
                                    .map(|_| ServerMessage::error(Code::RateLimited, "too many messages in flight; this one was dropped")),
                                Err(e) => Some(ServerMessage::error(e.code, e.message)),
                            }
                        };
                        match reply {
                            Some(reply) => {
                                count_error(&reply);
                                bounded(write_timeout, session.text(reply.to_json())).await
                            }
                            None => Sent::Ok,
                        }
                    }
                    AggregatedMessage::Binary(_) => break close(CloseCode::Unsupported, "binary frames are not accepted"),
                    AggregatedMessage::Ping(bytes) => bounded(write_timeout, session.pong(&bytes)).await,
                    AggregatedMessage::Pong(_) => {
                        last_seen = Instant::now();
                        Sent::Ok
                    }
                    AggregatedMessage::Close(reason) => break reason,
                }
            }
            Some(out) = out_rx.recv() => {
                count_error(&out);
                let fatal = matches!(out, ServerMessage::Error { fatal: true, .. });
                match bounded(write_timeout, session.text(out.to_json())).await {
                    Sent::Ok if fatal => break close(CloseCode::Policy, "closed by the server"),
                    sent => sent,
                }
            }
            _ = ping.tick() => {
                if last_seen.elapsed() > idle_timeout {
                    break close(CloseCode::Away, "idle timeout");
                }
                bounded(write_timeout, session.ping(b"")).await
            }
        };
        match sent {
            Sent::Ok => {}
            Sent::Gone => break None,
            Sent::Stalled => break stalled(),
        }
    };
    // The worker finishes the command in hand (an answer being stored and graded is never cut
    // off) and then detaches the interview from this connection.
    drop(cmd_tx);
    // A peer that does not read cannot take a close frame either: do not wait for it.
    telemetry::ws_closed(reason.as_ref().map(|r| u16::from(r.code)));
    let _ = tokio::time::timeout(write_timeout, session.close(reason)).await;
}

/// What became of one write to the socket.
enum Sent {
    Ok,
    /// The connection is closed.
    Gone,
    /// The peer has not read for `write_timeout`.
    Stalled,
}

/// Counts an error sent to the client, and a rate-limit refusal among them.
fn count_error(message: &ServerMessage) {
    if let ServerMessage::Error { code, .. } = message {
        telemetry::ws_error(code.as_str());
        if *code == Code::RateLimited {
            telemetry::rate_limited("websocket");
        }
    }
}

/// Counts an interview start against the client address's allowance.
/// The close sent to a client that does not read what it is sent.
fn stalled() -> Option<CloseReason> {
    close(
        CloseCode::Policy,
        "the client is not reading its messages; resume to continue",
    )
}

/// A write that gives up after `timeout`.
async fn bounded<E>(
    timeout: Duration,
    write: impl std::future::Future<Output = Result<(), E>>,
) -> Sent {
    match tokio::time::timeout(timeout, write).await {
        Ok(Ok(())) => Sent::Ok,
        Ok(Err(_)) => Sent::Gone,
        Err(_) => Sent::Stalled,
    }
}

async fn worker(
    interviews: Interviews,
    conn_id: u64,
    outbox: Outbox,
    mut commands: mpsc::Receiver<Box<ClientMessage>>,
) {
    let mut current: Option<String> = None;
    while let Some(cmd) = commands.recv().await {
        // Boxed: an interview step's future (grading, the summary) is large, and an idle
        // connection would otherwise hold room for it the whole time it waits for a message.
        let result = Box::pin(handle(&interviews, conn_id, &outbox, &mut current, *cmd)).await;
        if let Err(e) = result {
            if !matches!(e, RunnerError::Client { .. }) {
                tracing::error!(conn_id, session_id = current.as_deref(), error = %e, "interview command failed");
            }
            outbox.send(e.to_message());
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
                Code::SessionAlreadyStarted,
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
                profile,
                practice,
                seed,
                consent,
            },
            None,
        ) => {
            let candidate = candidate.unwrap_or_default();
            let req = match invite {
                // An invite interview joins the profile only when the candidate sends it.
                Some(token) => {
                    let r = crate::staff::Redemption {
                        candidate,
                        consent,
                        profile,
                    };
                    crate::staff::redeem(interviews, &token, r).await?
                }
                None => StartRequest {
                    level: level.ok_or_else(|| {
                        RunnerError::client(
                            Code::InvalidMessage,
                            "invalid `start` message: `level` is required",
                        )
                    })?,
                    topics,
                    count: count.unwrap_or(DEFAULT_COUNT),
                    candidate,
                    invite_id: None,
                    created_by: None,
                    rubrics: Default::default(),
                    profile_key: profile,
                    practice,
                    seed,
                    scores_hidden: false,
                    consent: None,
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
            Code::NoSession,
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
