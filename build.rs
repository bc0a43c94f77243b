// Rebuild when embedded content changes: `sqlx::migrate!` embeds the migrations and rust-embed
// embeds the bank, rubrics, prompts, templates and static files in release builds.
fn main() {
    for dir in [
        "migrations",
        "questions",
        "rubrics",
        "prompts",
        "templates",
        "static",
    ] {
        println!("cargo:rerun-if-changed={dir}");
    }
    // The PostgreSQL tests run when a server is named at build time, and are reported as
    // ignored (never as passed) when none is.
    println!("cargo::rustc-check-cfg=cfg(postgres_tests)");
    println!("cargo:rerun-if-env-changed=REHEARSE_TEST_POSTGRES_URL");
    if std::env::var("REHEARSE_TEST_POSTGRES_URL").is_ok_and(|url| !url.is_empty()) {
        println!("cargo::rustc-cfg=postgres_tests");
    }
}
