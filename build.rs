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
}
