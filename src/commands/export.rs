//! `rehearse export SESSION --format md|json|csv`.

use std::path::Path;
use std::process::ExitCode;

use super::UsageError;
use crate::config::Settings;
use crate::content::load_bank;
use crate::staff::{ExportFormat, StaffError, Viewer, export, session_detail};
use crate::store::Store;

pub async fn run(
    settings: &Settings,
    session: &str,
    format: ExportFormat,
    output: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    let store = Store::open(
        settings.database.url.expose(),
        settings.database.connect_options(),
    )
    .await?;
    let bank = load_bank(&settings.content)?;
    let detail = match session_detail(&store, &bank, session, Viewer::Staff).await {
        Ok(d) => d,
        Err(StaffError::NotFound(m)) => return Err(UsageError(m).into()),
        Err(e) => return Err(e.into()),
    };
    let text = export(&detail, format);
    match output {
        Some(path) => std::fs::write(path, text)?,
        None => print!("{text}"),
    }
    store.close().await;
    Ok(ExitCode::SUCCESS)
}
