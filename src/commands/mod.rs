//! One function per CLI command. Each returns the process exit code.

mod chat;
mod export;
mod grade;
mod llm_check;
mod migrate;
mod questions;
mod rubrics;
mod serve;
mod token;

use std::process::ExitCode;

use crate::cli::{Cli, Command};
use crate::config::Settings;

/// An error that maps to exit code 2: the user named something that does not exist.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Runs the parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let settings = Settings::load(cli.config.as_deref(), &cli.overrides())?;
    crate::logging::init(settings.server.log_format);
    match cli.command {
        Command::Serve { .. } => serve::run(settings).await,
        Command::Chat(args) => chat::run(args).await,
        Command::Migrate => migrate::run(&settings).await,
        Command::Token(cmd) => token::run(&settings, cmd).await,
        Command::Export {
            session,
            format,
            output,
        } => export::run(&settings, &session, format, output.as_deref()).await,
        Command::LlmCheck { rubrics, examples } => {
            llm_check::run(&settings, &llm_check::Options { rubrics, examples }).await
        }
        Command::Questions(cmd) => questions::run(&settings, cmd),
        Command::Rubrics(cmd) => rubrics::run(&settings, cmd).await,
        Command::Grade(args) => grade::run(&settings, &args),
    }
}

/// Prints lint problems and turns them into an exit code.
fn report_problems(what: &str, problems: &[crate::lint::Problem]) -> ExitCode {
    if problems.is_empty() {
        println!("{what}: no problems");
        return ExitCode::SUCCESS;
    }
    for p in problems {
        println!("{p}");
    }
    eprintln!("{what}: {} problem(s)", problems.len());
    ExitCode::FAILURE
}
