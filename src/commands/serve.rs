//! `rehearse serve`.

use std::process::ExitCode;

use crate::config::Settings;
use crate::startup::Application;

pub async fn run(settings: Settings) -> anyhow::Result<ExitCode> {
    let evaluator = match settings.evaluator_kind() {
        crate::config::EvaluatorKind::Builtin => "builtin".to_string(),
        crate::config::EvaluatorKind::Llm => format!(
            "llm ({} at {})",
            settings
                .llm
                .judge_model
                .as_deref()
                .unwrap_or(&settings.llm.model),
            settings.llm.base_url.as_deref().unwrap_or_default()
        ),
    };
    let database = settings.database.url.to_string();
    let app = Application::build(settings).await?;
    // The first line on stdout names the address, so scripts can start the server on port 0.
    println!("rehearse listening on http://127.0.0.1:{}", app.port());
    tracing::info!(port = app.port(), %database, %evaluator, "serving; stop with Ctrl+C or SIGTERM");
    app.run_until_signalled().await?;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}
