//! `rehearse chat`.

use anyhow::Context;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use std::sync::{Arc, Mutex};

use crate::cli::ChatArgs;
use crate::client::{self, AnswerSource, Begin, ChatOptions};
use crate::rich_text::TerminalStyle;

/// Width used when the output is not a terminal.
const DEFAULT_WIDTH: usize = 100;

pub async fn run(args: ChatArgs) -> anyhow::Result<ExitCode> {
    let interactive = std::io::stdin().is_terminal();
    let input = AnswerSource::new(tokio::io::BufReader::new(tokio::io::stdin()), interactive);
    let stdout = std::io::stdout();
    let style = TerminalStyle {
        width: terminal_size::terminal_size()
            .map(|(w, _)| usize::from(w.0))
            .or_else(|| std::env::var("COLUMNS").ok()?.parse().ok())
            .unwrap_or(DEFAULT_WIDTH),
        colour: stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let begin = match (args.resume, args.token) {
        (Some(session_id), Some(token)) => Begin::Resume { session_id, token },
        _ => Begin::Start {
            topics: args.topics,
            level: args
                .level
                .context("--level is required to start an interview")?,
            count: args.count,
            name: args.name,
            seed: args.seed,
        },
    };
    let session = Arc::new(Mutex::new(None));
    let opts = ChatOptions {
        url: args.url.clone(),
        begin,
        style,
        session: session.clone(),
    };
    let mut out = std::io::stdout();
    tokio::select! {
        result = client::run(opts, input, &mut out) => {
            result?;
            Ok(ExitCode::SUCCESS)
        }
        _ = tokio::signal::ctrl_c() => {
            let known = session.lock().ok().and_then(|s| s.clone());
            let mut out = std::io::stdout();
            match known {
                Some((id, token)) => writeln!(
                    out,
                    "\nInterrupted. Your answers so far are saved in interview {id}.\n\
                     Continue it with:\n  rehearse chat --url {} --resume {id} --token {token}",
                    args.url
                )?,
                None => writeln!(out, "\nInterrupted before the interview started.")?,
            }
            out.flush()?;
            // 130: the conventional status of a program stopped by Ctrl-C. Exiting here rather
            // than returning: the runtime would otherwise wait for its blocked stdin reader.
            std::process::exit(130)
        }
    }
}
