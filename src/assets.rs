//! Content files (questions, rubrics, prompts, static pages, templates).
//!
//! Each is read from its configured directory when that directory exists, and otherwise from
//! the copy compiled into the binary, so a bare `rehearse serve` works from any directory.

use anyhow::{Context, bail};
use rust_embed::RustEmbed;
use std::borrow::Cow;
use std::path::Path;

#[derive(RustEmbed)]
#[folder = "questions/"]
#[include = "*.toml"]
struct Questions;

#[derive(RustEmbed)]
#[folder = "rubrics/"]
#[include = "*.toml"]
struct Rubrics;

#[derive(RustEmbed)]
#[folder = "prompts/"]
#[include = "*.hbs"]
struct Prompts;

#[derive(RustEmbed)]
#[folder = "static/"]
struct Static;

#[derive(RustEmbed)]
#[folder = "templates/"]
#[include = "*.hbs"]
struct Templates;

/// Which kind of content directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentDir {
    Questions,
    Rubrics,
    Prompts,
    Templates,
}

impl ContentDir {
    /// The default directory name, relative to the working directory.
    pub fn default_dir(self) -> &'static str {
        match self {
            ContentDir::Questions => "questions",
            ContentDir::Rubrics => "rubrics",
            ContentDir::Prompts => "prompts",
            ContentDir::Templates => "templates",
        }
    }

    fn extension(self) -> &'static str {
        match self {
            ContentDir::Questions | ContentDir::Rubrics => "toml",
            ContentDir::Prompts | ContentDir::Templates => "hbs",
        }
    }

    fn embedded(self) -> Vec<(String, Cow<'static, [u8]>)> {
        fn all<E: RustEmbed>() -> Vec<(String, Cow<'static, [u8]>)> {
            E::iter()
                .filter_map(|name| E::get(&name).map(|f| (name.to_string(), f.data)))
                .collect()
        }
        match self {
            ContentDir::Questions => all::<Questions>(),
            ContentDir::Rubrics => all::<Rubrics>(),
            ContentDir::Prompts => all::<Prompts>(),
            ContentDir::Templates => all::<Templates>(),
        }
    }
}

/// A content file: its display path (for messages) and its text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: String,
    pub contents: String,
}

impl SourceFile {
    /// The file name without directory or extension (`python-core` for `questions/python-core.toml`).
    pub fn stem(&self) -> &str {
        let name = self.path.rsplit('/').next().unwrap_or(&self.path);
        name.rsplit_once('.').map_or(name, |(s, _)| s)
    }
}

/// Reads every content file of `kind`, sorted by path. `dir` is used when it exists; when it is
/// the default name and missing, the embedded copy is used; a missing explicit directory is an error.
pub fn read_dir(kind: ContentDir, dir: &Path) -> anyhow::Result<Vec<SourceFile>> {
    let mut files = if dir.is_dir() {
        read_from_disk(kind, dir)?
    } else if dir == Path::new(kind.default_dir()) {
        kind.embedded()
            .into_iter()
            .map(|(name, data)| {
                let contents = String::from_utf8(data.into_owned())
                    .with_context(|| format!("embedded {name} is not UTF-8"))?;
                Ok(SourceFile {
                    path: format!("{}/{name}", kind.default_dir()),
                    contents,
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?
    } else {
        bail!(
            "{} directory `{}` does not exist",
            kind.default_dir(),
            dir.display()
        );
    };
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

fn read_from_disk(kind: ContentDir, dir: &Path) -> anyhow::Result<Vec<SourceFile>> {
    let mut files = Vec::new();
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("reading directory {}", dir.display()))?;
    for entry in entries {
        let path = entry?.path();
        if path.extension().and_then(|e| e.to_str()) != Some(kind.extension()) {
            continue;
        }
        let contents = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        files.push(SourceFile {
            path: path.display().to_string(),
            contents,
        });
    }
    Ok(files)
}

/// A static file for the chat page (`index.html`, `app.js`, …) and its content type.
pub fn static_file(path: &str) -> Option<(Cow<'static, [u8]>, &'static str)> {
    let file = Static::get(path)?;
    let mime = match path.rsplit_once('.').map(|(_, e)| e) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("json") => "application/json",
        Some("ico") => "image/x-icon",
        _ => "application/octet-stream",
    };
    Some((file.data, mime))
}
