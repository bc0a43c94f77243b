//! The shared synonym table (`questions/_synonyms.toml`): groups of phrases an interviewer hears
//! as the same thing ("same object" ≈ "identity"). The first phrase of a group is its canonical
//! form. A term is compiled in its own words and in canonical words; a sentence gets the
//! canonical form of every phrase it contains laid over the words that said it, so a term
//! written one way matches an answer that says it another.

use serde::Deserialize;
use std::collections::HashMap;

use super::content_tokens;
use crate::lint::Problem;

/// One group's phrases compiled to tokens; index 0 is the canonical form.
#[derive(Debug, Clone)]
struct Group {
    canonical: Vec<String>,
}

/// A phrase found in a token sequence, to be read as its group's canonical form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alt {
    /// First token of the phrase.
    pub start: usize,
    /// One past its last token.
    pub end: usize,
    /// The canonical tokens it stands for.
    pub tokens: Vec<String>,
}

/// The compiled synonym table.
#[derive(Debug, Clone, Default)]
pub struct Synonyms {
    groups: Vec<Group>,
    /// First token of a phrase → (phrase tokens, group, is the canonical form), longest first.
    /// Canonical forms are indexed too, so a variant never matches inside a longer canonical
    /// phrase ("race" inside "race condition").
    index: HashMap<String, Vec<(Vec<String>, usize, bool)>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    group: Vec<RawGroup>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGroup {
    phrases: Vec<String>,
}

impl Synonyms {
    /// A table with no groups (every phrase means only itself).
    pub fn empty() -> Self {
        Synonyms::default()
    }

    /// Parses and checks a synonym file; every problem is reported, nothing is half-loaded.
    pub fn parse(path: &str, contents: &str) -> Result<Synonyms, Vec<Problem>> {
        let file = Some(path);
        let raw: RawFile = toml::from_str(contents).map_err(|e| {
            vec![Problem::new(
                file,
                "",
                format!("invalid TOML: {}", e.message()),
            )]
        })?;
        let mut problems = Vec::new();
        let mut table = Synonyms::default();
        let mut seen: HashMap<Vec<String>, usize> = HashMap::new();
        for (g, group) in raw.group.iter().enumerate() {
            let at = |p: usize| format!("group[{g}].phrases[{p}]");
            if group.phrases.len() < 2 {
                problems.push(Problem::new(
                    file,
                    format!("group[{g}]"),
                    "a group needs at least two phrases",
                ));
                continue;
            }
            let compiled: Vec<Vec<String>> =
                group.phrases.iter().map(|p| content_tokens(p)).collect();
            for (p, tokens) in compiled.iter().enumerate() {
                let written = group.phrases[p]
                    .split(|c: char| c.is_whitespace() || c == '-')
                    .filter(|w| !w.is_empty())
                    .count();
                if tokens.is_empty() {
                    problems.push(Problem::new(
                        file,
                        at(p),
                        format!("`{}` has no content words", group.phrases[p]),
                    ));
                } else if p > 0 && written > 1 && tokens.len() < 2 {
                    problems.push(Problem::new(
                        file,
                        at(p),
                        format!(
                            "`{}` shrinks to the single word `{}` once stop words are dropped, \
                             and would stand for every use of it",
                            group.phrases[p], tokens[0]
                        ),
                    ));
                } else if let Some(other) = seen.insert(tokens.clone(), g)
                    && other != g
                {
                    problems.push(Problem::new(
                        file,
                        at(p),
                        format!(
                            "`{}` is already in group[{other}]; a phrase belongs to one group",
                            group.phrases[p]
                        ),
                    ));
                }
            }
            let index = table.groups.len();
            table.groups.push(Group {
                canonical: compiled[0].clone(),
            });
            for (p, tokens) in compiled.into_iter().enumerate() {
                if !tokens.is_empty() {
                    table
                        .index
                        .entry(tokens[0].clone())
                        .or_default()
                        .push((tokens, index, p == 0));
                }
            }
        }
        for entries in table.index.values_mut() {
            entries.sort_by_key(|(t, _, _)| std::cmp::Reverse(t.len()));
        }
        if problems.is_empty() {
            Ok(table)
        } else {
            Err(problems)
        }
    }

    /// How many groups the table holds.
    pub fn len(&self) -> usize {
        self.groups.len()
    }

    /// True when the table has no groups.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// The longest phrase starting at `tokens[i]`: its length, group, and whether it is the
    /// canonical form itself.
    fn phrase_at(&self, tokens: &[String], i: usize) -> Option<(usize, usize, bool)> {
        self.index
            .get(&tokens[i])?
            .iter()
            .find_map(|(phrase, g, canonical)| {
                tokens[i..]
                    .starts_with(phrase)
                    .then_some((phrase.len(), *g, *canonical))
            })
    }

    /// `tokens` with every phrase replaced by its canonical form (how a term is also compiled).
    pub fn canonical(&self, tokens: &[String]) -> Vec<String> {
        let mut out = Vec::with_capacity(tokens.len());
        let mut i = 0;
        while i < tokens.len() {
            match self.phrase_at(tokens, i) {
                Some((len, g, _)) => {
                    out.extend(self.groups[g].canonical.iter().cloned());
                    i += len;
                }
                None => {
                    out.push(tokens[i].clone());
                    i += 1;
                }
            }
        }
        out
    }

    /// The canonical readings to lay over a sentence's tokens.
    pub fn overlay(&self, tokens: &[String]) -> Vec<Alt> {
        let mut out = Vec::new();
        if self.index.is_empty() {
            return out;
        }
        let mut covered_to = 0;
        for i in 0..tokens.len() {
            let Some((len, g, canonical)) = self.phrase_at(tokens, i) else {
                continue;
            };
            // A phrase inside a longer one already read (or inside the canonical form) adds nothing.
            if i + len <= covered_to {
                continue;
            }
            covered_to = i + len;
            if !canonical {
                out.push(Alt {
                    start: i,
                    end: i + len,
                    tokens: self.groups[g].canonical.clone(),
                });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE: &str = r#"
[[group]]
phrases = ["identity", "same object", "same memory address"]
[[group]]
phrases = ["shallow copy", "copy of the outer list"]
"#;

    #[test]
    fn phrases_read_as_their_canonical_form() {
        let s = Synonyms::parse("_synonyms.toml", TABLE).unwrap();
        assert_eq!(s.len(), 2);
        let toks = content_tokens("both names point to the same object");
        let alts = s.overlay(&toks);
        assert_eq!(alts.len(), 1);
        assert_eq!(alts[0].tokens, ["identity"]);
        assert_eq!(
            s.canonical(&content_tokens("a copy of the outer list")),
            ["shallow", "copy"]
        );
    }

    #[test]
    fn a_variant_inside_a_longer_canonical_phrase_is_left_alone() {
        let s = Synonyms::parse(
            "_synonyms.toml",
            "[[group]]\nphrases = [\"race condition\", \"race\", \"data race\"]\n",
        )
        .unwrap();
        assert_eq!(
            s.canonical(&content_tokens("a race condition")),
            ["rac", "condition"]
        );
        assert!(
            s.overlay(&content_tokens("a race condition here"))
                .is_empty()
        );
        assert_eq!(s.overlay(&content_tokens("a data race")).len(), 1);
    }

    #[test]
    fn a_phrase_in_two_groups_is_refused() {
        let bad = "[[group]]\nphrases = [\"alpha beta\", \"gamma delta\"]\n[[group]]\nphrases = [\"zeta eta\", \"gamma delta\"]\n";
        let problems = Synonyms::parse("_synonyms.toml", bad).unwrap_err();
        assert!(
            problems[0].message.contains("already in group[0]"),
            "{problems:?}"
        );
        let lonely = "[[group]]\nphrases = [\"alone\"]\n";
        assert!(Synonyms::parse("_synonyms.toml", lonely).is_err());
    }
}
