//! Rubrics: how answers are scored. Shipped as `rubrics/*.toml`; admins add versions later.

mod assignment;
mod calibrate;
mod diff;
mod model;
mod registry;
mod validate;

pub use assignment::Assignment;
pub use calibrate::{
    Agreement, CalibrationAgreement, Correlation, MIN_EXAMPLES_FOR_CORRELATION, agreement,
    calibration_agreement,
};
pub use diff::{Change, DiffLine, Piece, line_diff, with_context};
pub use model::{CalibrationExample, Criterion, Rubric, Scale, Signal};
pub use registry::RubricRegistry;
pub use validate::{from_json, from_toml, from_value};

use std::collections::HashMap;

use crate::assets::SourceFile;
use crate::bank::{Bank, Kind};
use crate::lint::{Problem, Problems};

/// The rubrics in force, one per kind.
#[derive(Debug, Clone)]
pub struct RubricSet {
    rubrics: Vec<Rubric>,
    by_kind: HashMap<Kind, usize>,
}

impl RubricSet {
    /// Builds a set where each kind is graded by the rubric that lists it.
    /// Every kind must be covered exactly once.
    pub fn new(rubrics: Vec<Rubric>) -> Result<RubricSet, Problems> {
        let mut problems = Vec::new();
        let mut by_kind = HashMap::new();
        let mut ids = HashMap::new();
        for (i, r) in rubrics.iter().enumerate() {
            if ids.insert(r.id.as_str(), i).is_some() {
                problems.push(Problem::new(
                    None,
                    "id",
                    format!("rubric id `{}` is used twice", r.id),
                ));
            }
            for &k in &r.kinds {
                if let Some(j) = by_kind.insert(k, i) {
                    problems.push(Problem::new(
                        None,
                        "kinds",
                        format!(
                            "kind `{k}` is claimed by both `{}` and `{}`",
                            rubrics[j].id, r.id
                        ),
                    ));
                }
            }
        }
        for &k in Kind::ALL {
            if !by_kind.contains_key(&k) {
                problems.push(Problem::new(
                    None,
                    "kinds",
                    format!("no rubric grades kind `{k}`"),
                ));
            }
        }
        if problems.is_empty() {
            Ok(RubricSet { rubrics, by_kind })
        } else {
            Err(Problems(problems))
        }
    }

    /// Loads and validates rubric files; fails with every problem found.
    pub fn load(files: &[SourceFile]) -> Result<RubricSet, Problems> {
        let (rubrics, problems) = parse_files(files);
        if !problems.is_empty() {
            return Err(Problems(problems));
        }
        RubricSet::new(rubrics)
    }

    /// The rubric that grades `kind`.
    pub fn for_kind(&self, kind: Kind) -> &Rubric {
        // `new` guarantees every kind is covered.
        &self.rubrics[self.by_kind[&kind]]
    }

    /// The rubric with this id.
    pub fn get(&self, id: &str) -> Option<&Rubric> {
        self.rubrics.iter().find(|r| r.id == id)
    }

    /// All rubrics, in file order.
    pub fn all(&self) -> &[Rubric] {
        &self.rubrics
    }
}

fn parse_files(files: &[SourceFile]) -> (Vec<Rubric>, Vec<Problem>) {
    let mut rubrics = Vec::new();
    let mut problems = Vec::new();
    for f in files {
        match from_toml(&f.contents, Some(&f.path)) {
            Ok(r) => {
                if r.id != f.stem() {
                    problems.push(Problem::new(
                        Some(&f.path),
                        "id",
                        format!("`{}` should match the file name ({}.toml)", r.id, r.id),
                    ));
                }
                rubrics.push(r);
            }
            Err(p) => problems.extend(p),
        }
    }
    (rubrics, problems)
}

/// Every problem in the rubric files: field validation, duplicate ids, kinds without a rubric,
/// and calibration examples that name an unknown question or one of another kind.
pub fn lint(files: &[SourceFile], bank: Option<&Bank>) -> Vec<Problem> {
    let (rubrics, mut problems) = parse_files(files);
    let file_of = |id: &str| {
        files
            .iter()
            .find(|f| f.stem() == id)
            .map(|f| f.path.clone())
    };
    if let Some(bank) = bank {
        for r in &rubrics {
            for (i, ex) in r.calibration.iter().enumerate() {
                let path = format!("calibration[{i}].question_id");
                match bank.get(&ex.question_id) {
                    None => problems.push(Problem::new(
                        file_of(&r.id).as_deref(),
                        path,
                        format!("unknown question `{}`", ex.question_id),
                    )),
                    Some(q) if !r.kinds.contains(&q.kind) => problems.push(Problem::new(
                        file_of(&r.id).as_deref(),
                        path,
                        format!(
                            "question `{}` is {}, which this rubric does not grade",
                            q.id, q.kind
                        ),
                    )),
                    Some(_) => {}
                }
            }
        }
    }
    if let Err(Problems(set_problems)) = RubricSet::new(rubrics) {
        problems.extend(set_problems.into_iter().map(|mut p| {
            p.file = Some("rubrics".into());
            p
        }));
    }
    problems
}
