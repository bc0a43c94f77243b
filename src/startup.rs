//! Building the server: content, database, routes, a bound listener.

use actix_web::dev::{Server, ServerHandle};
use actix_web::{App, HttpServer, web};
use anyhow::Context;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;
use tracing_actix_web::TracingLogger;
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;

use crate::config::{EvaluatorKind, Settings};
use crate::content::{load_bank, load_rubric_sources};
use crate::evaluate::judge::Judge;
use crate::http::{self, AppState};
use crate::llm::LlmClient;
use crate::prompts::Prompts;
use crate::runner::{Hub, Interviews};
use crate::store::Store;
use crate::supervise::Supervisor;

/// How often rubric edits made through other replicas are picked up.
const RUBRIC_REFRESH: Duration = Duration::from_secs(15);

/// A built, bound server ready to run.
pub struct Application {
    port: u16,
    metrics_port: Option<u16>,
    server: Server,
    shutdown: Shutdown,
}

/// Stops the server the graceful way: connections are told to resume elsewhere (close 1012),
/// answers being graded are given time to finish, then the listener stops.
#[derive(Clone)]
pub struct Shutdown {
    hub: Hub,
    /// The background tasks (regrade worker, rubric refresh, replica events).
    tasks: Supervisor,
    server: ServerHandle,
    metrics: Option<ServerHandle>,
    grace: Duration,
}

impl Shutdown {
    /// Runs the shutdown sequence and waits until the server is down.
    pub async fn trigger(&self) {
        self.hub.begin_shutdown();
        if !self.hub.drained(self.grace).await {
            tracing::warn!(
                "grading still running at shutdown; those answers are stored and will be graded on resume"
            );
        }
        self.server.stop(true).await;
        if !self.tasks.stop(self.grace).await {
            tracing::warn!("a background task did not stop in time");
        }
        if let Some(metrics) = &self.metrics {
            metrics.stop(true).await;
        }
    }
}

/// Connections the kernel queues before the server accepts them.
const LISTEN_BACKLOG: i32 = 1024;

impl Application {
    /// Loads and validates content, opens (and migrates) the database, binds the listener.
    pub async fn build(settings: Settings) -> anyhow::Result<Application> {
        Self::build_with_clock(settings, crate::clock::Clock::default()).await
    }

    /// [`Application::build`] judging expiries by `clock`.
    pub async fn build_with_clock(
        settings: Settings,
        clock: crate::clock::Clock,
    ) -> anyhow::Result<Application> {
        let listener = TcpListener::bind(&settings.server.bind)
            .with_context(|| format!("binding {}", settings.server.bind))?;
        // std listens with a backlog of 128, which a reconnect storm overflows: raise it
        // (listen() again on a listening socket only changes the backlog).
        socket2::SockRef::from(&listener)
            .listen(LISTEN_BACKLOG)
            .context("raising the listen backlog")?;
        let port = listener.local_addr()?.port();
        crate::telemetry::install();
        let interviews = Interviews {
            clock,
            ..services(&settings).await?
        };
        if let Some(judge) = interviews.judge.clone() {
            // `json_mode = "auto"`: find the server's schema dialect now rather than on the first
            // answer (a probe that cannot reach the server is tried again by that answer).
            tokio::spawn(async move {
                judge.client.json_mode(judge.judge_model()).await;
            });
        }
        let hub = interviews.hub.clone();
        if interviews
            .store
            .tokens()
            .await
            .map(|t| {
                t.iter()
                    .all(|t| t.revoked_at.is_some() || t.role != "admin")
            })
            .unwrap_or(false)
        {
            tracing::warn!(
                "no admin API token exists yet: create one with `rehearse token create --role admin --name <you>` \
                 (it is shown once), then log in at /admin/login"
            );
        }
        let tasks = Supervisor::default();
        let background = tasks.clone();
        let refresh = interviews.clone();
        tasks.spawn("rubric_refresh", move || {
            crate::staff::keep_registry_fresh(refresh.clone(), RUBRIC_REFRESH)
        });
        if let Some(days) = settings.server.retention_days {
            let retention = interviews.clone();
            tasks.spawn("retention", move || {
                crate::staff::keep_retention(retention.clone(), days)
            });
        }
        let replicas = interviews.clone();
        if replicas.store.backend() == crate::store::Backend::Postgres {
            tasks.spawn("replica_events", move || {
                crate::replicas::listen(replicas.clone())
            });
        }
        if let Some(judge) = interviews.judge.clone() {
            let interval =
                Duration::from_secs_f64(settings.llm.regrade_interval_secs.clamp(0.05, 3600.0));
            let lease =
                Duration::from_secs_f64(settings.llm.regrade_lease_secs.clamp(0.05, 3600.0));
            let worker = interviews.clone();
            tasks.spawn("regrade_worker", move || {
                worker
                    .clone()
                    .run_regrade_worker(judge.clone(), interval, lease)
            });
        }
        let auth = crate::http::auth::Auth::new(&settings.server)?;
        let state = web::Data::new(AppState {
            interviews,
            server: settings.server.clone(),
            auth,
            pages: http::pages::Pages::load(&settings.content.templates)?,
            tasks: tasks.clone(),
            starts: Default::default(),
        });
        let state_for_metrics = state.clone();
        let mut server = HttpServer::new(move || {
            App::new()
                .wrap(actix_web::middleware::from_fn(http::nul::refuse_nul))
                .wrap(actix_web::middleware::from_fn(crate::logging::access_log))
                .wrap(TracingLogger::default())
                .wrap(actix_web::middleware::ErrorHandlers::new().handler(
                    actix_web::http::StatusCode::METHOD_NOT_ALLOWED,
                    http::error::method_not_allowed,
                ))
                .app_data(state.clone())
                .into_utoipa_app()
                .openapi(http::api::ApiDoc::openapi())
                .configure(http::configure)
                .openapi_service(http::api::docs)
                .into_app()
        })
        .disable_signals()
        // Feedback is streamed token by token: small frames must not wait for Nagle's algorithm.
        .tcp_nodelay(true)
        .shutdown_timeout(settings.server.shutdown_timeout_secs);
        if settings.server.workers > 0 {
            server = server.workers(settings.server.workers);
        }
        let server = server.listen(listener)?.run();
        let (metrics, metrics_port) = match &settings.server.metrics_bind {
            Some(bind) => {
                let (server, port) = metrics_server(bind, state_for_metrics)?;
                let handle = server.handle();
                tokio::spawn(server);
                (Some(handle), Some(port))
            }
            None => (None, None),
        };
        let shutdown = Shutdown {
            hub,
            tasks: background,
            metrics,
            server: server.handle(),
            grace: Duration::from_secs(settings.server.shutdown_timeout_secs),
        };
        Ok(Application {
            port,
            metrics_port,
            server,
            shutdown,
        })
    }

    /// The port the server listens on (useful with port 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The port of the separate metrics listener, when `server.metrics_bind` is set.
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics_port
    }

    /// A handle to stop the server gracefully.
    pub fn shutdown(&self) -> Shutdown {
        self.shutdown.clone()
    }

    /// Serves until stopped through [`Application::shutdown`].
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }

    /// Serves until SIGINT or SIGTERM, then shuts down gracefully.
    pub async fn run_until_signalled(self) -> std::io::Result<()> {
        let shutdown = self.shutdown.clone();
        tokio::spawn(async move {
            wait_for_signal().await;
            tracing::info!("shutting down");
            shutdown.trigger().await;
        });
        self.server.await
    }
}

/// A one-worker server for `/metrics` alone on `bind`; returns it and its port.
fn metrics_server(bind: &str, state: web::Data<AppState>) -> anyhow::Result<(Server, u16)> {
    let listener =
        TcpListener::bind(bind).with_context(|| format!("binding server.metrics_bind {bind}"))?;
    let port = listener.local_addr()?.port();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .route("/metrics", web::get().to(http::metrics::render))
    })
    .disable_signals()
    .workers(1)
    .listen(listener)?
    .run();
    Ok((server, port))
}

/// Everything the server and the admin commands work with: the bank, the rubric versions in
/// force (shipped files synced into the database), the store (migrated), and the LLM judge.
pub async fn services(settings: &Settings) -> anyhow::Result<Interviews> {
    let bank = Arc::new(load_bank(&settings.content)?);
    let (shipped, sources) = load_rubric_sources(&settings.content)?;
    let store = Store::open(
        settings.database.url.expose(),
        settings.database.connect_options(),
    )
    .await
    .with_context(|| format!("opening the database {}", settings.database.url))?;
    let rubrics = Arc::new(
        crate::staff::load_registry(&store, &shipped, &sources)
            .await
            .map_err(|e| anyhow::anyhow!("loading rubric versions: {e}"))?,
    );
    Ok(Interviews {
        store,
        bank,
        rubrics,
        hub: Hub::default(),
        max_answer_bytes: settings.server.max_answer_bytes,
        judge: build_judge(settings)?,
        owner: crate::runner::process_owner(),
        clock: crate::clock::Clock::default(),
        notice: Arc::new(notice_settings(settings)),
    })
}

/// What invite notices say about the organisation, grading and retention.
fn notice_settings(settings: &Settings) -> crate::staff::NoticeSettings {
    crate::staff::NoticeSettings {
        organisation: settings.server.organisation.clone(),
        retention_days: settings.server.retention_days,
        grader: match settings.evaluator_kind() {
            EvaluatorKind::Llm => crate::staff::Grader::Llm {
                model: settings
                    .llm
                    .judge_model
                    .clone()
                    .unwrap_or_else(|| settings.llm.model.clone()),
            },
            EvaluatorKind::Builtin => crate::staff::Grader::Builtin,
        },
    }
}

/// The LLM judge when the evaluator is `llm`.
fn build_judge(settings: &Settings) -> anyhow::Result<Option<Arc<Judge>>> {
    if settings.evaluator_kind() != EvaluatorKind::Llm {
        return Ok(None);
    }
    if settings.llm.base_url.is_none() {
        anyhow::bail!("evaluator = \"llm\" needs [llm] base_url (REHEARSE_LLM__BASE_URL)");
    }
    let client = Arc::new(LlmClient::new(&settings.llm)?);
    let prompts = Arc::new(Prompts::load(&settings.content.prompts)?);
    Ok(Some(Arc::new(Judge::new(client, prompts, &settings.llm))))
}

async fn wait_for_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
