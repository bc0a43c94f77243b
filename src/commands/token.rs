//! `rehearse token create|list|revoke`.

use std::process::ExitCode;

use super::UsageError;
use crate::cli::TokenCommand;
use crate::clock::{now_ms, rfc3339};
use crate::config::Settings;
use crate::staff::{StaffError, create_token};
use crate::store::{Store, StoreError};

pub async fn run(settings: &Settings, cmd: TokenCommand) -> anyhow::Result<ExitCode> {
    let store = Store::open(
        settings.database.url.expose(),
        settings.database.connect_options(),
    )
    .await?;
    match cmd {
        TokenCommand::Create { role, name } => match create_token(&store, &name, role).await {
            Ok((record, token)) => {
                println!("{token}");
                eprintln!(
                    "created {} token `{}` in the database {}; it is shown only now — store it \
                     safely (log in at /admin/login of a server using that database)",
                    record.role,
                    record.name,
                    settings.database.url.redacted()
                );
            }
            Err(StaffError::Invalid(m) | StaffError::Conflict(m)) => {
                return Err(UsageError(m).into());
            }
            Err(e) => return Err(e.into()),
        },
        TokenCommand::List => {
            for t in store.tokens().await? {
                println!(
                    "{:<24} {:<10} created {}  last used {}{}",
                    t.name,
                    t.role,
                    rfc3339(t.created_at),
                    t.last_used_at.map_or("never".into(), rfc3339),
                    t.revoked_at
                        .map_or(String::new(), |r| format!("  REVOKED {}", rfc3339(r)))
                );
            }
        }
        TokenCommand::Revoke { name } => match store.revoke_token(&name, now_ms()).await {
            Ok(true) => eprintln!("revoked `{name}`"),
            Ok(false) => eprintln!("`{name}` was already revoked"),
            Err(StoreError::NotFound) => {
                return Err(UsageError(format!("no token named `{name}`")).into());
            }
            Err(e) => return Err(e.into()),
        },
    }
    store.close().await;
    Ok(ExitCode::SUCCESS)
}
