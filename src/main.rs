#![forbid(unsafe_code)]

use clap::Parser;
use std::process::ExitCode;

use rehearse::cli::Cli;

/// jemalloc with background threads gives memory back to the system once connections are gone
/// (glibc's allocator kept what a storm of connections had used).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;
use rehearse::commands::{self, UsageError};

/// A command whose output is piped into a reader that stops early (`rehearse grade … | head`)
/// ends quietly, as other command-line tools do, instead of reporting the closed pipe as a crash.
fn quiet_on_closed_stdout() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .unwrap_or_default();
        if message.starts_with("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(0);
        }
        default(info);
    }));
}

#[tokio::main]
async fn main() -> ExitCode {
    quiet_on_closed_stdout();
    let cli = Cli::parse();
    rehearse::tokens::install_crypto_provider();
    match commands::run(cli).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            if e.downcast_ref::<UsageError>().is_some() {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}
