//! Prompt templates (`prompts/*.hbs`): handlebars in strict mode with HTML escaping off (this
//! registry never renders HTML; the pages use their own, escaping, registry).
//!
//! A template holds the system message, a line `=== user ===`, then the user message.

use handlebars::Handlebars;
use serde::Serialize;
use std::collections::HashMap;
use std::path::Path;

use crate::assets::{ContentDir, read_dir};
use crate::llm::ChatMessage;
use crate::tokens::sha256_hex;

/// Templates every deployment needs.
pub const REQUIRED: &[&str] = &["judge", "coach", "follow_up", "summary", "rewrite"];
const USER_MARKER: &str = "=== user ===";

/// The loaded templates and the SHA-256 of each one's text.
pub struct Prompts {
    registry: Handlebars<'static>,
    hashes: HashMap<String, String>,
}

/// A rendered prompt, ready to send.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub messages: Vec<ChatMessage>,
    /// SHA-256 of the template text it came from.
    pub template_hash: String,
}

impl Prompts {
    /// Loads and compiles every template in `dir` (the embedded copy when the default
    /// directory is missing). Fails when a required template is missing or does not compile.
    pub fn load(dir: &Path) -> anyhow::Result<Prompts> {
        let mut registry = Handlebars::new();
        registry.set_strict_mode(true);
        registry.register_escape_fn(handlebars::no_escape);
        let mut hashes = HashMap::new();
        for file in read_dir(ContentDir::Prompts, dir)? {
            let name = file.stem().to_string();
            registry
                .register_template_string(&name, &file.contents)
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.path))?;
            hashes.insert(name, sha256_hex(&file.contents));
        }
        for name in REQUIRED {
            if !hashes.contains_key(*name) {
                anyhow::bail!(
                    "prompt template {name}.hbs is missing from {}",
                    dir.display()
                );
            }
        }
        Ok(Prompts { registry, hashes })
    }

    /// Renders a template into system and user messages.
    pub fn render(
        &self,
        name: &str,
        context: &impl Serialize,
    ) -> Result<Rendered, handlebars::RenderError> {
        let text = self.registry.render(name, context)?;
        let (system, user) = match text.split_once(USER_MARKER) {
            Some((s, u)) => (s.trim(), u.trim()),
            None => ("", text.trim()),
        };
        let mut messages = Vec::with_capacity(2);
        if !system.is_empty() {
            messages.push(ChatMessage::system(system));
        }
        messages.push(ChatMessage::user(user));
        Ok(Rendered {
            messages,
            template_hash: self.hashes.get(name).cloned().unwrap_or_default(),
        })
    }

    /// SHA-256 of a template's text.
    pub fn hash(&self, name: &str) -> Option<&str> {
        self.hashes.get(name).map(String::as_str)
    }
}

/// An estimate of how many tokens a prompt takes, for choosing a prompt profile that fits a
/// model's context window: about four characters of a word per token, each punctuation mark its
/// own token, four tokens of overhead per message, all times 0.85 (tokenizers merge punctuation
/// with words). It errs high: on the judge prompts Qwen2.5's tokenizer counted 0.76–0.79 of the
/// unscaled figure (12 prompts, technical and behavioral, both profiles), so this lands about
/// 8–12 % above the real count (`rehearse llm-check` prints both when the server reports usage).
pub fn estimate_tokens(messages: &[ChatMessage]) -> u32 {
    let mut n = 0usize;
    for m in messages {
        n += 4;
        for word in m.content.split_whitespace() {
            let letters = word.chars().filter(|c| c.is_alphanumeric()).count();
            let marks = word.chars().count() - letters;
            n += letters.div_ceil(4).max(usize::from(letters > 0)) + marks;
        }
    }
    u32::try_from(n * 85 / 100).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::estimate_tokens;
    use crate::llm::ChatMessage;

    #[test]
    fn token_estimates_grow_with_words_and_punctuation() {
        let short = estimate_tokens(&[ChatMessage::user("What is a generator?")]);
        assert!((5..=11).contains(&short), "{short}");
        let json = estimate_tokens(&[ChatMessage::user(r#"{"a": [1, 2], "b": null}"#)]);
        assert!(json > short, "{json}");
        let long = estimate_tokens(&[ChatMessage::user("word ".repeat(1000))]);
        assert!((850..=860).contains(&long), "{long}");
    }
}
