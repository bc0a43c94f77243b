//! Building the server: content, database, routes, a bound listener.

use actix_web::dev::{Server, ServerHandle};
use actix_web::{App, HttpServer, web};
use anyhow::Context;
use std::net::TcpListener;
use std::sync::Arc;
use tracing_actix_web::TracingLogger;

use crate::config::Settings;
use crate::content::{load_bank, load_rubrics};
use crate::http::{self, AppState};
use crate::runner::{Hub, Interviews};
use crate::store::Store;

/// A built, bound server ready to run.
pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    /// Loads and validates content, opens (and migrates) the database, binds the listener.
    pub async fn build(settings: Settings) -> anyhow::Result<Application> {
        let bank = Arc::new(load_bank(&settings.content)?);
        let rubrics = Arc::new(load_rubrics(&settings.content)?);
        let store = Store::open(
            settings.database.url.expose(),
            settings.database.connect_options(),
        )
        .await
        .with_context(|| format!("opening the database {}", settings.database.url))?;
        let listener = TcpListener::bind(&settings.server.bind)
            .with_context(|| format!("binding {}", settings.server.bind))?;
        let port = listener.local_addr()?.port();
        let interviews = Interviews {
            store,
            bank,
            rubrics,
            hub: Hub::default(),
            max_answer_bytes: settings.server.max_answer_bytes,
        };
        let state = web::Data::new(AppState {
            interviews,
            server: settings.server.clone(),
        });
        let mut server = HttpServer::new(move || {
            App::new()
                .wrap(TracingLogger::default())
                .app_data(state.clone())
                .configure(http::configure)
        })
        .shutdown_timeout(settings.server.shutdown_timeout_secs);
        if settings.server.workers > 0 {
            server = server.workers(settings.server.workers);
        }
        let server = server.listen(listener)?.run();
        Ok(Application { port, server })
    }

    /// The port the server listens on (useful with port 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A handle to stop the server gracefully.
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until SIGINT/SIGTERM (graceful: in-flight requests get the shutdown timeout).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}
