//! The command line as a user runs it.

use crate::helpers::{BANK, rehearse};

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn questions_list_json_prints_full_question_objects() {
    let out = rehearse(
        &[
            "questions",
            "list",
            "--json",
            "--topic",
            "behavioral",
            "--level",
            "senior",
        ],
        None,
    );
    assert!(out.status.success(), "{out:?}");
    let list: Vec<serde_json::Value> = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(list.len() >= 4);
    for q in &list {
        assert_eq!(q["topic"], "behavioral");
        assert_eq!(q["level"], "senior");
        for field in ["id", "kind", "text", "key_points", "model_answer", "star"] {
            assert!(!q[field].is_null(), "{field} in {q}");
        }
        assert!(q["key_points"][0]["terms"].is_array());
        assert!(q["key_points"][0]["follow_up"].is_string());
        assert!(q["key_points"][0]["hint"].is_string());
    }
}

#[test]
fn output_into_a_reader_that_stops_early_ends_quietly() {
    use std::io::Read;
    // The whole bank as JSON is far larger than a pipe holds, so the writer meets the closed pipe.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_rehearse"))
        .args(["questions", "list", "--json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 64];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{:?}: {stderr}", out.status);
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn questions_and_rubrics_lint_pass_on_the_shipped_content() {
    for args in [&["questions", "lint"][..], &["rubrics", "lint"]] {
        let out = rehearse(args, None);
        assert!(out.status.success(), "{args:?}: {}", stdout(&out));
    }
}

#[test]
fn questions_lint_fails_listing_each_problem() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("python-core.toml"),
        "topic = \"python-core\"\n[[questions]]\nid = \"Q\"\n",
    )
    .unwrap();
    let out = rehearse(
        &["questions", "lint", "--dir", dir.path().to_str().unwrap()],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("python-core.toml:Q: missing field"), "{text}");
    assert!(
        text.contains("concurrency/junior: has 0 question(s)"),
        "{text}"
    );
}

#[test]
fn grade_prints_json_from_an_argument_a_file_or_stdin() {
    let answer = "The global interpreter lock lets only one thread execute bytecode at a time, so CPU bound \
                  code gets no faster with threads, but the GIL is released during blocking I/O.";
    let from_arg = rehearse(
        &[
            "grade",
            "--question",
            "conc-gil-basics",
            "--answer",
            answer,
            "--json",
        ],
        None,
    );
    assert!(from_arg.status.success(), "{from_arg:?}");
    let e: serde_json::Value = serde_json::from_str(&stdout(&from_arg)).unwrap();
    assert_eq!(e["source"], "builtin");
    assert_eq!(e["rubric"]["id"], "technical");
    assert!(e["star"].is_null());
    assert!(e["overall"].as_u64().unwrap() > 0);

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("answer.txt");
    std::fs::write(&file, answer).unwrap();
    let from_file = rehearse(
        &[
            "grade",
            "--question",
            "conc-gil-basics",
            "--answer-file",
            file.to_str().unwrap(),
            "--json",
        ],
        None,
    );
    let from_stdin = rehearse(
        &["grade", "--question", "conc-gil-basics", "--json"],
        Some(answer),
    );
    assert_eq!(stdout(&from_file), stdout(&from_arg));
    assert_eq!(stdout(&from_stdin), stdout(&from_arg));

    let human = rehearse(
        &["grade", "--question", "conc-gil-basics", "--answer", answer],
        None,
    );
    assert!(stdout(&human).contains("Key points"));
}

#[test]
fn grade_with_an_unknown_question_exits_2_with_a_clear_error() {
    let out = rehearse(
        &["grade", "--question", "no-such-question", "--answer", "x"],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unknown question id `no-such-question`"),
        "{err}"
    );
}

#[test]
fn grade_works_for_every_question() {
    // One process per question would be slow; the JSON list proves each id resolves, and the
    // evaluator test grades every question in-process. Here a sample across kinds goes end to end.
    for id in [
        "core-mutable-vs-immutable",
        "sd-url-shortener",
        "scen-latency-regression-after-release",
        "beh-teammate-conflict",
    ] {
        assert!(BANK.get(id).is_some());
        let out = rehearse(
            &[
                "grade",
                "--question",
                id,
                "--answer",
                "I would start by explaining the idea in my own words.",
            ],
            None,
        );
        assert!(out.status.success(), "{id}: {out:?}");
    }
}

#[test]
fn migrate_creates_the_sqlite_file_and_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("m.db").display());
    let first = rehearse(&["--database-url", &url, "migrate"], None);
    assert!(first.status.success(), "{first:?}");
    let shipped = std::fs::read_dir("migrations/sqlite").unwrap().count();
    let expected = format!("{shipped} migration(s) applied");
    assert!(stdout(&first).contains(&expected), "{}", stdout(&first));
    let again = rehearse(&["--database-url", &url, "migrate"], None);
    assert!(stdout(&again).contains("0 migration(s) applied"));
}

#[tokio::test]
async fn chat_runs_an_interview_from_piped_answers() {
    use tokio::io::AsyncWriteExt;
    let app = crate::app::spawn_app().await;
    let answers = "The global interpreter lock lets only one thread run bytecode at a time.\nSo CPU bound \
                   work gets no faster with threads.\n\n/skip\n\nLast year I was responsible for a release and \
                   I rolled it back within ten minutes.\n";
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_rehearse"))
        .args([
            "chat",
            "--url",
            &format!("ws://127.0.0.1:{}/ws", app.port),
            "--topic",
            "concurrency",
            "--topic",
            "behavioral",
            "--level",
            "junior",
            "--count",
            "4",
            "--name",
            "Pipe Tester",
        ])
        .env("REHEARSE_LOG", "warn")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(answers.as_bytes())
        .await
        .unwrap();
    let out = tokio::time::timeout(std::time::Duration::from_secs(30), child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    let text = stdout(&out);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("── Question 1 of 4"), "{text}");
    assert!(text.contains("(saved)"));
    assert!(text.contains("Score "), "evaluations are printed: {text}");
    assert!(text.contains("══ Summary:"), "{text}");

    // Two answers and one skip were piped; the input then ran out, which ends the interview.
    let store = app.store().await;
    let id = text.split_whitespace().nth(1).unwrap();
    let session = store.session(id).await.unwrap();
    assert_eq!(session.candidate_name.as_deref(), Some("Pipe Tester"));
    let turns = store.turns(id).await.unwrap();
    let answered: Vec<&str> = turns
        .iter()
        .filter_map(|t| t.answer_text.as_deref())
        .collect();
    assert_eq!(answered.len(), 2, "{turns:#?}");
    assert!(
        answered[0].contains("\nSo CPU bound"),
        "a multi-line block is one answer"
    );
    assert!(turns.iter().any(|t| t.skipped));
    assert_eq!(session.status, rehearse::store::SessionStatus::Finished);
}

/// Runs `rehearse chat ARGS` against `app` with `input` piped in and a 60-column terminal.
async fn chat(
    app: &crate::app::TestApp,
    args: &[&str],
    input: &str,
) -> (std::process::Output, String) {
    use tokio::io::AsyncWriteExt;
    let url = format!("ws://127.0.0.1:{}/ws", app.port);
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_rehearse"))
        .args(["chat", "--url", &url])
        .args(args)
        .env("REHEARSE_LOG", "warn")
        .env("COLUMNS", "60")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(input.as_bytes()).await.unwrap();
    drop(stdin);
    let out = tokio::time::timeout(std::time::Duration::from_secs(30), child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    let text = stdout(&out);
    (out, text)
}

fn session_id_of(text: &str) -> String {
    text.split_whitespace().nth(1).unwrap().to_string()
}

#[tokio::test]
async fn chat_with_a_seed_is_reproducible_and_wraps_questions_to_the_terminal_width() {
    let app = crate::app::spawn_app().await;
    let args = [
        "--topic",
        "concurrency",
        "--topic",
        "algorithms",
        "--level",
        "mid",
        "--count",
        "3",
        "--seed",
        "42",
    ];
    let (first, text) = chat(&app, &args, "/skip\n\n/skip\n\n/skip\n").await;
    assert!(first.status.success(), "{text}");
    let (_, again) = chat(&app, &args, "/skip\n\n/skip\n\n/skip\n").await;
    let store = app.store().await;
    let plan = |text: &str| {
        let id = session_id_of(text);
        let store = store.clone();
        async move { store.session(&id).await.unwrap().plan["question_ids"].clone() }
    };
    assert_eq!(
        plan(&text).await,
        plan(&again).await,
        "the same seed asks the same questions"
    );

    // Questions wrap to 60 columns, code is never shown with backticks, topics by their titles.
    let mut in_question = false;
    for line in text.lines() {
        if line.starts_with("── Question") || line.starts_with("── Follow-up") {
            in_question = true;
            assert!(
                line.contains("Concurrency and the GIL") || line.contains("Algorithms"),
                "{line}"
            );
            continue;
        }
        if line.is_empty() {
            in_question = false;
        }
        if in_question && !line.starts_with("    ") {
            assert!(
                line.chars().count() <= 60,
                "{line:?} is wider than the terminal"
            );
        }
    }
    assert!(!text.contains('`'), "{text}");
    assert!(text.contains("pass mark"), "{text}");
}

#[tokio::test]
async fn an_interrupted_chat_prints_how_to_resume_and_resume_continues_it() {
    use tokio::io::AsyncBufReadExt;
    let app = crate::app::spawn_app().await;
    let url = format!("ws://127.0.0.1:{}/ws", app.port);
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_rehearse"))
        .args([
            "chat",
            "--url",
            &url,
            "--topic",
            "ecosystem",
            "--level",
            "junior",
            "--count",
            "2",
        ])
        .env("REHEARSE_LOG", "warn")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The chat waits for an answer on its (open) standard input once the question is shown.
    let _stdin = child.stdin.take().unwrap();
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let mut seen = Vec::new();
    while !seen
        .iter()
        .any(|l: &String| l.starts_with("── Question 1 of 2"))
    {
        let line = tokio::time::timeout(crate::app::WAIT, lines.next_line())
            .await
            .unwrap()
            .unwrap()
            .expect("the chat prints its first question");
        seen.push(line);
    }
    let id = session_id_of(&seen[0]);
    let pid = child.id().unwrap().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap();
    assert!(killed.success());
    let mut rest = String::new();
    while let Some(line) = tokio::time::timeout(crate::app::WAIT, lines.next_line())
        .await
        .unwrap()
        .unwrap()
    {
        rest.push_str(&line);
        rest.push('\n');
    }
    let status = tokio::time::timeout(crate::app::WAIT, child.wait())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(status.code(), Some(130), "{rest}");
    assert!(rest.contains(&format!("--resume {id} --token ")), "{rest}");
    let token = rest
        .split("--token ")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();

    let (out, text) = chat(
        &app,
        &["--resume", &id, "--token", &token],
        "/skip\n\n/skip\n",
    )
    .await;
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("(resumed: 1 earlier turn(s))"), "{text}");
    assert!(text.contains("══ Summary:"), "{text}");
    let session = app.store().await.session(&id).await.unwrap();
    assert_eq!(session.status, rehearse::store::SessionStatus::Finished);
}
