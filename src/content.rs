//! Loading the question bank and rubrics named by the settings.

use anyhow::Context;

use crate::assets::{ContentDir, read_dir};
use crate::bank::Bank;
use crate::config::ContentSettings;
use crate::rubric::RubricSet;

/// The validated bank.
pub fn load_bank(content: &ContentSettings) -> anyhow::Result<Bank> {
    let files = read_dir(ContentDir::Questions, &content.questions)?;
    Bank::load(&files).context("question bank is invalid (run `rehearse questions lint`)")
}

/// The validated rubrics from the rubric files.
pub fn load_rubrics(content: &ContentSettings) -> anyhow::Result<RubricSet> {
    Ok(load_rubric_sources(content)?.0)
}

/// The shipped rubrics with each one's source text, keyed by rubric id.
pub fn load_rubric_sources(
    content: &ContentSettings,
) -> anyhow::Result<(RubricSet, Vec<(String, String)>)> {
    let files = read_dir(ContentDir::Rubrics, &content.rubrics)?;
    let set =
        RubricSet::load(&files).context("rubrics are invalid (run `rehearse rubrics lint`)")?;
    let sources = files
        .into_iter()
        .map(|f| (f.stem().to_string(), f.contents))
        .collect();
    Ok((set, sources))
}
