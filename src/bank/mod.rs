//! The curated question bank: `questions/<topic>.toml`, loaded, validated and queried.

mod lint;
mod load;
mod model;
mod profile;

pub use lint::MIN_PER_CELL;
pub use load::SYNONYMS_FILE;
pub use model::{KeyPoint, Kind, Level, Misconception, Question, StarExpectations, Topic};
pub use profile::Profile;

use std::collections::HashMap;

use crate::assets::SourceFile;
use crate::lint::{Problem, Problems};
use crate::text::Synonyms;

/// Every problem in a set of bank files (parse errors and content checks).
pub fn lint(files: &[SourceFile]) -> Vec<Problem> {
    let mut parsed = load::parse(files);
    parsed
        .problems
        .extend(lint::check(&parsed.located, &parsed.synonyms));
    parsed.problems
}

/// Every question that could be parsed, without the content checks (for authoring tools that
/// must work on a bank that is still being written).
pub fn parse_unchecked(files: &[SourceFile]) -> Vec<Question> {
    load::parse(files)
        .located
        .into_iter()
        .map(|l| l.question)
        .collect()
}

/// The validated bank, indexed by id.
#[derive(Debug, Clone)]
pub struct Bank {
    questions: Vec<Question>,
    by_id: HashMap<String, usize>,
    synonyms: std::sync::Arc<Synonyms>,
}

/// Filters for [`Bank::filter`]; `None` matches everything.
#[derive(Debug, Clone, Copy, Default)]
pub struct Filter {
    pub topic: Option<Topic>,
    pub level: Option<Level>,
    pub kind: Option<Kind>,
}

impl Bank {
    /// Loads and validates; any problem refuses the whole bank.
    pub fn load(files: &[SourceFile]) -> Result<Bank, Problems> {
        let mut parsed = load::parse(files);
        parsed
            .problems
            .extend(lint::check(&parsed.located, &parsed.synonyms));
        if !parsed.problems.is_empty() {
            return Err(Problems(parsed.problems));
        }
        let questions: Vec<Question> = parsed.located.into_iter().map(|l| l.question).collect();
        let by_id = questions
            .iter()
            .enumerate()
            .map(|(i, q)| (q.id.clone(), i))
            .collect();
        Ok(Bank {
            questions,
            by_id,
            synonyms: parsed.synonyms,
        })
    }

    /// The shared synonym table every term was compiled with; answers are read with it too.
    pub fn synonyms(&self) -> &Synonyms {
        &self.synonyms
    }

    /// The question with this id.
    pub fn get(&self, id: &str) -> Option<&Question> {
        self.by_id.get(id).map(|&i| &self.questions[i])
    }

    /// All questions in file order.
    pub fn questions(&self) -> &[Question] {
        &self.questions
    }

    /// Questions matching every given filter, in file order.
    pub fn filter(&self, f: Filter) -> impl Iterator<Item = &Question> {
        self.questions.iter().filter(move |q| {
            f.topic.is_none_or(|t| q.topic == t)
                && f.level.is_none_or(|l| q.level == l)
                && f.kind.is_none_or(|k| q.kind == k)
        })
    }

    /// How many questions each (topic, level) cell holds.
    pub fn count(&self, topic: Topic, level: Level) -> usize {
        self.questions
            .iter()
            .filter(|q| q.topic == topic && q.level == level)
            .count()
    }
}
