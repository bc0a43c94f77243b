#![forbid(unsafe_code)]

use clap::Parser;
use std::process::ExitCode;

use rehearse::cli::Cli;

/// jemalloc with background threads gives memory back to the system once connections are gone
/// (glibc's allocator kept what a storm of connections had used).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;
use rehearse::commands::{self, UsageError};

#[tokio::main]
async fn main() -> ExitCode {
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
