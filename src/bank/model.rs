//! The question bank's types: topics, levels, kinds and questions.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use super::profile::Profile;
use crate::text::{Synonyms, Term};

/// A text that is none of an enum's ids (the message names the value and the ids expected).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct UnknownId(pub String);

macro_rules! string_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $s:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $(#[serde(rename = $s)] $variant),+
        }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable id used in files, URLs and the protocol.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $s),+ }
            }
        }

        // Written by hand: the derive cannot read `rename` values that arrive through a macro.
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($s),+]))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {}

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        // Stored values are read through this: one that is not an id is an error, not a default.
        impl TryFrom<String> for $name {
            type Error = UnknownId;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                s.parse().map_err(UnknownId)
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($s => Ok($name::$variant),)+
                    other => Err(format!(
                        "unknown {} `{other}` (expected one of: {})",
                        stringify!($name).to_lowercase(),
                        [$($s),+].join(", ")
                    )),
                }
            }
        }
    };
}

string_enum!(
    /// What a question is about; one bank file per topic.
    Topic {
        PythonCore => "python-core",
        DataStructures => "data-structures",
        FunctionsOop => "functions-oop",
        IteratorsGenerators => "iterators-generators",
        ErrorsTesting => "errors-testing",
        Concurrency => "concurrency",
        InternalsPerformance => "internals-performance",
        ModernPython => "modern-python",
        Ecosystem => "ecosystem",
        Algorithms => "algorithms",
        SystemDesign => "system-design",
        Scenarios => "scenarios",
        Behavioral => "behavioral",
    }
);

string_enum!(
    /// Seniority the question is pitched at.
    Level {
        Junior => "junior",
        Mid => "mid",
        Senior => "senior",
    }
);

string_enum!(
    /// The shape of answer expected, which decides the rubric that grades it.
    Kind {
        Technical => "technical",
        Behavioral => "behavioral",
        Scenario => "scenario",
        Design => "design",
    }
);

impl Topic {
    /// The readable name of a topic id (the id itself when unknown).
    pub fn title_of(id: &str) -> String {
        id.parse::<Topic>()
            .map_or_else(|_| id.to_string(), |t| t.title().to_string())
    }

    /// A human-readable name for pickers and reports.
    pub fn title(self) -> &'static str {
        match self {
            Topic::PythonCore => "Core language",
            Topic::DataStructures => "Data structures",
            Topic::FunctionsOop => "Functions and OOP",
            Topic::IteratorsGenerators => "Iterators, generators and context managers",
            Topic::ErrorsTesting => "Errors and testing",
            Topic::Concurrency => "Concurrency and the GIL",
            Topic::InternalsPerformance => "Internals and performance",
            Topic::ModernPython => "Modern Python (3.10–3.14)",
            Topic::Ecosystem => "Ecosystem and tooling",
            Topic::Algorithms => "Algorithms",
            Topic::SystemDesign => "System design",
            Topic::Scenarios => "Production scenarios",
            Topic::Behavioral => "Behavioral (STAR)",
        }
    }
}

/// One thing a strong answer covers, with the aliases the built-in evaluator matches on.
#[derive(Debug, Clone, Serialize)]
pub struct KeyPoint {
    /// A short statement of the point.
    pub text: String,
    /// Relative importance (3 = essential).
    pub weight: f64,
    /// Aliases as written in the bank.
    pub terms: Vec<String>,
    /// The area the point is in, in words that do not give it away (shown while the question
    /// is still open: "when the default is created").
    pub hint: String,
    /// A follow-up question that gives the candidate a chance to make this point without
    /// naming it.
    pub follow_up: String,
    #[serde(skip)]
    pub(crate) compiled: Vec<Term>,
    /// Weighted words for recognising the point in other words (built with the whole bank).
    #[serde(skip)]
    pub profile: Profile,
}

impl KeyPoint {
    /// Builds a key point and compiles its terms.
    pub fn new(
        text: String,
        weight: f64,
        terms: Vec<String>,
        hint: String,
        follow_up: String,
        synonyms: &Synonyms,
    ) -> Self {
        let compiled = terms.iter().map(|t| Term::new(t, synonyms)).collect();
        KeyPoint {
            text,
            weight,
            terms,
            hint,
            follow_up,
            compiled,
            profile: Profile::default(),
        }
    }

    /// The compiled terms.
    pub fn compiled_terms(&self) -> &[Term] {
        &self.compiled
    }
}

/// A wrong claim candidates make about a question, how they phrase it, and the correction.
#[derive(Debug, Clone, Serialize)]
pub struct Misconception {
    /// The wrong claim, as candidates say it.
    pub text: String,
    /// Phrasings that state the wrong claim.
    pub terms: Vec<String>,
    /// One sentence that sets it right.
    pub correction: String,
    #[serde(skip)]
    pub(crate) compiled: Vec<Term>,
    /// The correction's own words: content tokens of the correction that neither the wrong
    /// claim nor any of its terms use ("shallow" for "copy() makes a full copy").
    #[serde(skip)]
    pub(crate) correction_words: Vec<String>,
}

impl Misconception {
    /// Builds a misconception and compiles its terms.
    pub fn new(text: String, terms: Vec<String>, correction: String, synonyms: &Synonyms) -> Self {
        let compiled: Vec<Term> = terms.iter().map(|t| Term::new(t, synonyms)).collect();
        let own: std::collections::HashSet<String> = compiled
            .iter()
            .flat_map(|t| t.all_tokens().cloned())
            .chain(crate::text::content_tokens(&text))
            .collect();
        let mut correction_words: Vec<String> = crate::text::content_tokens(&correction)
            .into_iter()
            // A single letter is notation ("O(n log n)"), not a word the correction says.
            .filter(|t| t != "not" && t.chars().count() > 1 && !own.contains(t))
            .collect();
        correction_words.sort_unstable();
        correction_words.dedup();
        Misconception {
            text,
            terms,
            correction,
            compiled,
            correction_words,
        }
    }

    /// True when the words a match of this claim skipped over in `s` include the correction's
    /// own words, asserted ("`cfg.copy()` is a shallow copy so the nested list …" is not
    /// "copy() copies the nested lists"): the sentence says what the correction says.
    pub fn read_through_correction(
        &self,
        s: &crate::text::Sentence,
        m: &crate::text::Match,
    ) -> bool {
        use crate::text::Role;
        (m.first_word..=m.last_word).any(|i| {
            let w = &s.words[i];
            w.role == Role::Content
                && (i == 0 || s.words[i - 1].role != Role::Negator)
                && w.token()
                    .is_some_and(|t| self.correction_words.binary_search(&t).is_ok())
        })
    }

    /// The compiled terms.
    pub fn compiled_terms(&self) -> &[Term] {
        &self.compiled
    }
}

/// What each STAR part of a behavioral answer should contain for one prompt.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct StarExpectations {
    pub situation: String,
    pub task: String,
    pub action: String,
    pub result: String,
}

/// A curated interview question.
#[derive(Debug, Clone, Serialize)]
pub struct Question {
    pub id: String,
    pub topic: Topic,
    pub level: Level,
    pub kind: Kind,
    pub text: String,
    pub key_points: Vec<KeyPoint>,
    /// Wrong claims to watch for (technical, scenario and design questions).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub misconceptions: Vec<Misconception>,
    /// A strong answer in 80–200 words, shown once the question is closed.
    pub model_answer: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub star: Option<StarExpectations>,
    /// The synonym table the terms were compiled with; answers are read with the same one.
    #[serde(skip)]
    pub synonyms: Arc<Synonyms>,
    /// The question's own content tokens, sorted and without repeats (an answer that only
    /// restates the question is told apart with them).
    #[serde(skip)]
    pub text_tokens: Vec<String>,
}
