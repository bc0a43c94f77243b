//! `rehearse migrate`.

use std::process::ExitCode;

use crate::config::Settings;
use crate::store::{ConnectOptions, Store};

pub async fn run(settings: &Settings) -> anyhow::Result<ExitCode> {
    let store = Store::connect(settings.database.url.expose(), connect_options(settings)).await?;
    let applied = store.migrate().await?;
    println!("{}: {applied} migration(s) applied", settings.database.url);
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

/// Pool options from settings.
pub fn connect_options(settings: &Settings) -> ConnectOptions {
    ConnectOptions {
        max_connections: settings.database.max_connections,
        busy_timeout: std::time::Duration::from_millis(settings.database.busy_timeout_ms),
    }
}
