//! A real HTTP server that speaks enough of the OpenAI chat-completions API to stand in for an
//! LLM endpoint: scripted replies (statuses, headers, SSE streams with delays, cuts and hangs)
//! and, when the script is empty, a well-behaved judge/coach that answers from the prompt.

#![allow(dead_code)]

use serde_json::{Value, json};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Turns the valid judgement for a prompt into the reply content (to corrupt it on purpose).
pub type JudgeEdit = Arc<dyn Fn(Value) -> String + Send + Sync>;

/// One scripted response.
#[derive(Clone)]
pub enum Reply {
    /// A completion whose content is the valid judgement for the prompt, edited.
    Judge(JudgeEdit),
    /// A complete response with this status, extra headers and body.
    Full {
        status: u16,
        headers: Vec<(String, String)>,
        body: String,
    },
    /// A 200 SSE stream: each piece is written after its delay; `cut` drops the connection
    /// instead of finishing the stream.
    Stream {
        pieces: Vec<(Duration, String)>,
        cut: bool,
    },
    /// Read the request, then say nothing for this long and close.
    Hang(Duration),
    /// The valid judgement cut in half, with `finish_reason: "length"` (the output limit hit).
    JudgeTruncated,
    /// Say nothing for this long, then send the reply (a server that sends a non-streamed reply
    /// only once the whole of it is generated).
    Delayed(Duration, Box<Reply>),
    /// Say nothing until the test opens the gate, then send the reply.
    Gated(Gate, Box<Reply>),
}

/// Holds a [`Reply::Gated`] reply back until [`Gate::open`]; also tells the test when the
/// request has arrived.
#[derive(Clone)]
pub struct Gate {
    open: Arc<tokio::sync::Semaphore>,
    arrived: Arc<tokio::sync::Notify>,
}

impl Gate {
    pub fn new() -> Gate {
        Gate {
            open: Arc::new(tokio::sync::Semaphore::new(0)),
            arrived: Arc::default(),
        }
    }

    /// Lets the held reply go.
    pub fn open(&self) {
        self.open.add_permits(1);
    }

    /// Waits until the request that gets the gated reply has arrived.
    pub async fn arrived(&self) {
        self.arrived.notified().await;
    }
}

impl Reply {
    /// A judge reply built from the valid judgement by `edit`.
    pub fn judge(edit: impl Fn(Value) -> String + Send + Sync + 'static) -> Reply {
        Reply::Judge(Arc::new(edit))
    }

    pub fn json(status: u16, body: Value) -> Reply {
        Reply::Full {
            status,
            headers: vec![],
            body: body.to_string(),
        }
    }

    /// A normal completion with `content`.
    pub fn completion(content: &str) -> Reply {
        Reply::json(
            200,
            json!({
                "id": "cmpl-1", "object": "chat.completion",
                "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 120, "completion_tokens": 40, "total_tokens": 160},
            }),
        )
    }

    /// A normal stream of `tokens`, with a keepalive comment, an empty first chunk and a usage chunk.
    pub fn tokens(tokens: &[&str]) -> Reply {
        let mut pieces = vec![
            (Duration::ZERO, ": keepalive\n\n".to_string()),
            (Duration::ZERO, sse(&json!({"choices": []}))),
            (
                Duration::ZERO,
                sse(&json!({"choices": [{"index": 0, "delta": {"role": "assistant"}}]})),
            ),
        ];
        for t in tokens {
            pieces.push((Duration::ZERO, sse(&json!({"choices": [{"index": 0, "delta": {"content": t}, "finish_reason": null}]}))));
        }
        pieces.push((
            Duration::ZERO,
            sse(&json!({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})),
        ));
        pieces.push((Duration::ZERO, sse(&json!({"choices": [], "usage": {"prompt_tokens": 50, "completion_tokens": tokens.len()}}))));
        pieces.push((Duration::ZERO, "data: [DONE]\n\n".to_string()));
        Reply::Stream { pieces, cut: false }
    }
}

/// `data: <json>` plus the blank line.
pub fn sse(v: &Value) -> String {
    format!("data: {v}\n\n")
}

/// A received request.
#[derive(Clone)]
pub struct Received {
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Value,
    pub at: Instant,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The concatenated message contents.
    pub fn prompt(&self) -> String {
        self.body["messages"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|m| m["content"].as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }

    pub fn is_stream(&self) -> bool {
        self.body["stream"] == true
    }
}

#[derive(Default)]
struct State {
    script: VecDeque<Reply>,
    received: Vec<Received>,
    /// When each streamed content token was written (for relay measurements).
    token_times: Vec<(String, Instant)>,
    /// Judge scores the default responder gives (None = 4 on every criterion).
    judge_score: Option<i64>,
    coach_tokens: Vec<String>,
}

/// The running mock.
#[derive(Clone)]
pub struct MockLlm {
    pub base_url: String,
    state: Arc<Mutex<State>>,
}

impl MockLlm {
    pub async fn start() -> MockLlm {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State {
            coach_tokens: [
                "Good ", "start: ", "you ", "named ", "the ", "key ", "idea. ", "Add ", "an ",
                "example.",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
            ..Default::default()
        }));
        let shared = state.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(serve_connection(socket, shared.clone()));
            }
        });
        MockLlm {
            base_url: format!("http://127.0.0.1:{port}/v1"),
            state,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queues replies used before the default responder.
    pub fn script(&self, replies: impl IntoIterator<Item = Reply>) {
        self.lock().script.extend(replies);
    }

    pub fn clear_script(&self) {
        self.lock().script.clear();
    }

    pub fn received(&self) -> Vec<Received> {
        self.lock().received.clone()
    }

    pub fn token_times(&self) -> Vec<(String, Instant)> {
        self.lock().token_times.clone()
    }

    pub fn set_judge_score(&self, score: i64) {
        self.lock().judge_score = Some(score);
    }

    pub fn set_coach_tokens(&self, tokens: &[&str]) {
        self.lock().coach_tokens = tokens.iter().map(|s| s.to_string()).collect();
    }
}

async fn serve_connection(mut socket: TcpStream, state: Arc<Mutex<State>>) {
    // Like real inference servers, send each token as soon as it is written.
    let _ = socket.set_nodelay(true);
    let mut buf = Vec::new();
    loop {
        let Some(request) = read_request(&mut socket, &mut buf).await else {
            return;
        };
        let reply = {
            let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
            s.received.push(request.clone());
            s.script
                .pop_front()
                .unwrap_or_else(|| default_reply(&request, &s))
        };
        if !write_reply(&mut socket, reply, &state, &request).await {
            return;
        }
    }
}

async fn read_request(socket: &mut TcpStream, buf: &mut Vec<u8>) -> Option<Received> {
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let mut lines = head.lines();
    let path = lines.next()?.split_whitespace().nth(1)?.to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let len: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + len {
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = serde_json::from_slice(&buf[head_end..head_end + len]).unwrap_or(Value::Null);
    buf.drain(..head_end + len);
    Some(Received {
        path,
        headers,
        body,
        at: Instant::now(),
    })
}

/// Writes a reply; false when the connection must close.
async fn write_reply(
    socket: &mut TcpStream,
    reply: Reply,
    state: &Arc<Mutex<State>>,
    request: &Received,
) -> bool {
    match reply {
        Reply::Judge(edit) => {
            let valid = valid_judgement(request, 4);
            let Reply::Full {
                status,
                headers,
                body,
            } = Reply::completion(&edit(valid))
            else {
                unreachable!()
            };
            Box::pin(write_reply(
                socket,
                Reply::Full {
                    status,
                    headers,
                    body,
                },
                state,
                request,
            ))
            .await
        }
        Reply::Full {
            status,
            headers,
            body,
        } => {
            let mut head = format!(
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
                body.len()
            );
            for (k, v) in headers {
                head.push_str(&format!("{k}: {v}\r\n"));
            }
            head.push_str("\r\n");
            socket.write_all(head.as_bytes()).await.is_ok()
                && socket.write_all(body.as_bytes()).await.is_ok()
        }
        Reply::Hang(d) => {
            tokio::time::sleep(d).await;
            false
        }
        Reply::JudgeTruncated => {
            let text = valid_judgement(request, 4).to_string();
            let half: String = text.chars().take(text.chars().count() / 2).collect();
            let body = json!({
                "choices": [{"index": 0, "message": {"role": "assistant", "content": half}, "finish_reason": "length"}],
                "usage": {"prompt_tokens": 120, "completion_tokens": 1500, "total_tokens": 1620},
            });
            Box::pin(write_reply(socket, Reply::json(200, body), state, request)).await
        }
        Reply::Delayed(d, reply) => {
            tokio::time::sleep(d).await;
            Box::pin(write_reply(socket, *reply, state, request)).await
        }
        Reply::Gated(gate, reply) => {
            gate.arrived.notify_one();
            let _permit = gate.open.acquire().await;
            Box::pin(write_reply(socket, *reply, state, request)).await
        }
        Reply::Stream { pieces, cut } => {
            let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nTransfer-Encoding: chunked\r\n\r\n";
            if socket.write_all(head.as_bytes()).await.is_err() {
                return false;
            }
            for (delay, piece) in pieces {
                if !delay.is_zero() {
                    tokio::time::sleep(delay).await;
                }
                let chunk = format!("{:x}\r\n{piece}\r\n", piece.len());
                if socket.write_all(chunk.as_bytes()).await.is_err()
                    || socket.flush().await.is_err()
                {
                    return false;
                }
                if let Some(text) = token_of(&piece) {
                    state
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .token_times
                        .push((text, Instant::now()));
                }
            }
            if cut {
                let _ = socket.shutdown().await;
                return false;
            }
            socket.write_all(b"0\r\n\r\n").await.is_ok()
        }
    }
}

fn token_of(piece: &str) -> Option<String> {
    let data = piece.strip_prefix("data: ")?.trim();
    let v: Value = serde_json::from_str(data).ok()?;
    v.pointer("/choices/0/delta/content")
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// The answer text between the nonce delimiters, and the nonce.
pub fn answer_and_nonce(prompt: &str) -> Option<(String, String)> {
    let start = prompt.find("<<<ANSWER ")?;
    let rest = &prompt[start + 10..];
    let nonce = rest[..rest.find(">>>")?].to_string();
    let body_start = start + 10 + nonce.len() + 3;
    let end = prompt.find(&format!("<<<END ANSWER {nonce}>>>"))?;
    Some((prompt[body_start..end].trim().to_string(), nonce))
}

/// The JSON schema a request asks the reply to follow, in any dialect.
pub fn schema_of(body: &Value) -> Option<&Value> {
    let format = body.get("response_format")?;
    format
        .pointer("/json_schema/schema")
        .or_else(|| format.get("schema"))
}

/// The valid judgement for a judge request: generated from its schema alone when it sends one,
/// else read off the prompt.
pub fn valid_judgement(request: &Received, score: i64) -> Value {
    match schema_of(&request.body) {
        Some(schema) => from_schema(schema, score, &[]),
        None => judgement_for(&request.prompt(), score),
    }
}

/// A value that follows `schema`, built from the schema alone, as a decoder held to it as a
/// grammar would write one: `const` as given; from an `enum`, the integer nearest `score` or the
/// first string (the last for a follow-up's reason); the first branch of an `anyOf`; every
/// property in order; one item per list.
/// Booleans are true except for the last key point and a STAR result (so an answer has something
/// missing), and free text is short and plausible for its field.
pub fn from_schema(schema: &Value, score: i64, path: &[String]) -> Value {
    if let Some(c) = schema.get("const") {
        return c.clone();
    }
    if let Some(choices) = schema.get("enum").and_then(Value::as_array) {
        if choices.iter().any(Value::is_i64) {
            return choices
                .iter()
                .filter_map(Value::as_i64)
                .min_by_key(|c| (c - score).abs())
                .map(Value::from)
                .unwrap_or(Value::Null);
        }
        // A follow-up probes the last gap offered (the first key points are covered here).
        if path.last().is_some_and(|f| f == "reason") {
            return choices.last().cloned().unwrap_or(Value::Null);
        }
        return choices
            .iter()
            .find(|c| c.is_string())
            .or(choices.first())
            .cloned()
            .unwrap_or(Value::Null);
    }
    if let Some(first) = schema.get("anyOf").and_then(|a| a.get(0)) {
        return from_schema(first, score, path);
    }
    let kind = match schema.get("type") {
        Some(Value::String(t)) => t.clone(),
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .unwrap_or("null")
            .to_string(),
        _ => "object".to_string(),
    };
    let field = path.last().map(String::as_str).unwrap_or("");
    let behavioral = path.iter().any(|p| p == "star");
    match kind.as_str() {
        "object" => {
            let mut out = serde_json::Map::new();
            if let Some(props) = schema.get("properties").and_then(Value::as_object) {
                for (k, sub) in props {
                    let mut p = path.to_vec();
                    p.push(k.clone());
                    out.insert(k.clone(), from_schema(sub, score, &p));
                }
            }
            // Every key point but the last is covered.
            if field == "key_points"
                && let Some((_, last)) = out.iter_mut().last()
            {
                last["covered"] = json!(false);
            }
            Value::Object(out)
        }
        "array" => {
            if schema.get("maxItems").and_then(Value::as_u64) == Some(0) {
                return json!([]);
            }
            let mut p = path.to_vec();
            p.push("item".into());
            let item = from_schema(
                schema.get("items").unwrap_or(&json!({"type": "string"})),
                score,
                &p,
            );
            let item = match (field, item) {
                ("strengths", _) => json!("Names the central idea."),
                ("improvements", _) => json!("Give a concrete example."),
                (_, item) => item,
            };
            json!([item])
        }
        "boolean" => {
            let parent = path
                .len()
                .checked_sub(2)
                .and_then(|i| path.get(i))
                .map(String::as_str);
            json!(parent != Some("result"))
        }
        "integer" | "number" => json!(score),
        "string" => json!(match field {
            "rationale" => "Clear and mostly complete.",
            "note" => "noted",
            "text" => "Could you give an example?",
            "reason" if behavioral => "missing STAR part: result",
            "reason" => "missing key point: example",
            _ => "ok",
        }),
        _ => Value::Null,
    }
}

/// A valid judgement for the judge prompt in `prompt` (servers that enforce no schema): every
/// criterion listed in it scored `score`, every key point but the last covered with the answer's
/// first sentence as evidence. Criteria and key points come as lists of entries, as models that follow
/// only the prompt often write them.
pub fn judgement_for(prompt: &str, score: i64) -> Value {
    let (answer, nonce) = answer_and_nonce(prompt).expect("the judge prompt delimits the answer");
    let quote = answer
        .split(['.', '\n'])
        .next()
        .unwrap_or(&answer)
        .trim()
        .to_string();
    let criteria: Vec<Value> = prompt
        .lines()
        .filter_map(|l| l.strip_prefix("## "))
        .filter_map(|l| l.split(':').next())
        .map(|id| json!({"id": id.trim(), "score": score, "rationale": "Clear and mostly complete.", "evidence": [quote]}))
        .collect();
    let behavioral = prompt.contains("What each STAR part");
    let criteria: Vec<Value> = criteria
        .into_iter()
        .chain(
            prompt
                .lines()
                .filter(|_| prompt.contains("Criteria:\n- "))
                .skip_while(|l| *l != "Criteria:")
                .skip(1)
                .take_while(|l| l.starts_with("- "))
                .filter_map(|l| l[2..].split(':').next())
                .map(|id| json!({"id": id.trim(), "score": score, "rationale": "Clear and mostly complete.", "evidence": [quote]})),
        )
        .collect();
    let key_points: Vec<Value> = if behavioral {
        vec![]
    } else {
        let section = prompt.split("# Key points").nth(1).unwrap_or("");
        let indices: Vec<usize> = section
            .lines()
            .take_while(|l| !l.starts_with("# Your output"))
            .filter_map(|l| {
                l.strip_prefix("- ")
                    .and_then(|r| r.split(':').next())
                    .and_then(|n| n.parse::<usize>().ok())
            })
            .collect();
        let last = indices.last().copied();
        indices
            .into_iter()
            .map(|i| {
                let covered = Some(i) != last;
                json!({"index": i, "covered": covered, "evidence": if covered { json!(quote) } else { Value::Null }})
            })
            .collect()
    };
    let part = |present: bool| json!({"present": present, "evidence": if present { json!(quote) } else { Value::Null }, "note": "noted"});
    json!({
        "nonce": nonce,
        "criteria": criteria,
        "key_points": key_points,
        "star": if behavioral { json!({"situation": part(true), "task": part(true), "action": part(true), "result": part(false)}) } else { Value::Null },
        "strengths": ["Names the central idea."],
        "improvements": ["Give a concrete example."],
        "follow_up": {"text": "Could you give an example?", "reason": if behavioral { "missing STAR part: result" } else { "missing key point: example" }},
    })
}

fn default_reply(req: &Received, state: &State) -> Reply {
    let prompt = req.prompt();
    if req.is_stream() {
        let tokens: Vec<&str> = state.coach_tokens.iter().map(String::as_str).collect();
        return Reply::tokens(&tokens);
    }
    if prompt.contains("end-of-interview summary") {
        return Reply::completion(
            &json!({"strengths": ["Explains ideas clearly"], "focus_areas": ["Quantify results"], "topics_to_review": ["asyncio cancellation"]}).to_string(),
        );
    }
    if let Some(schema) = schema_of(&req.body) {
        // The JSON-mode probe and the judge alike: a reply held to the schema.
        let score = state.judge_score.unwrap_or(4);
        return Reply::completion(&from_schema(schema, score, &[]).to_string());
    }
    if prompt.contains("<<<ANSWER") && prompt.contains("# Rubric:") {
        return Reply::completion(
            &judgement_for(&prompt, state.judge_score.unwrap_or(4)).to_string(),
        );
    }
    if prompt.contains("Reply with the rewritten answer only") {
        return Reply::completion(
            "I would explain it from the start: what it is, why it matters and a short example of it in use, \
             then the trade-offs an interviewer asks about next.",
        );
    }
    if prompt.contains("Reply with the follow-up question only") {
        return Reply::completion("What measurable result did your change have?");
    }
    Reply::completion("ok")
}
