//! `rehearse migrate`.

use std::process::ExitCode;

use crate::config::Settings;
use crate::store::Store;

pub async fn run(settings: &Settings) -> anyhow::Result<ExitCode> {
    let store = Store::connect(
        settings.database.url.expose(),
        settings.database.connect_options(),
    )
    .await?;
    let applied = store.migrate().await?;
    println!("{}: {applied} migration(s) applied", settings.database.url);
    store.close().await;
    Ok(ExitCode::SUCCESS)
}
