//! The curated question bank: `questions/<topic>.toml`, loaded, validated and queried.

mod lint;
mod load;
mod model;

pub use lint::MIN_PER_CELL;
pub use model::{KeyPoint, Kind, Level, Question, StarExpectations, Topic};

use std::collections::HashMap;

use crate::assets::SourceFile;
use crate::lint::{Problem, Problems};

/// Every problem in a set of bank files (parse errors and content checks).
pub fn lint(files: &[SourceFile]) -> Vec<Problem> {
    let (located, mut problems) = load::parse(files);
    problems.extend(lint::check(&located));
    problems
}

/// The validated bank, indexed by id.
#[derive(Debug, Clone)]
pub struct Bank {
    questions: Vec<Question>,
    by_id: HashMap<String, usize>,
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
        let (located, mut problems) = load::parse(files);
        problems.extend(lint::check(&located));
        if !problems.is_empty() {
            return Err(Problems(problems));
        }
        let questions: Vec<Question> = located.into_iter().map(|l| l.question).collect();
        let by_id = questions
            .iter()
            .enumerate()
            .map(|(i, q)| (q.id.clone(), i))
            .collect();
        Ok(Bank { questions, by_id })
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
