//! The rubrics in force at run time: every stored version (old evaluations keep pointing at the
//! version they used), the latest version of each rubric, and which rubric grades which kind of
//! question — an invite's choice first, then an admin assignment for the kind and topic, then one
//! for the kind, then the shipped default.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, RwLock};

use super::Assignment;
use super::{Rubric, RubricSet};
use crate::bank::{Kind, Topic};

#[derive(Default)]
struct Inner {
    versions: HashMap<(String, u32), Arc<Rubric>>,
    latest: HashMap<String, u32>,
    defaults: HashMap<Kind, String>,
    assignments: Vec<Assignment>,
}

/// Thread-safe registry; updated in place when an admin saves a version or an assignment.
#[derive(Default)]
pub struct RubricRegistry {
    inner: RwLock<Inner>,
}

impl RubricRegistry {
    /// A registry whose defaults come from the shipped rubric files.
    pub fn new(shipped: &RubricSet) -> Self {
        let reg = RubricRegistry::default();
        {
            let mut inner = reg.write();
            for &k in Kind::ALL {
                inner.defaults.insert(k, shipped.for_kind(k).id.clone());
            }
            for r in shipped.all() {
                insert(&mut inner, r.clone());
            }
        }
        reg
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Inner> {
        self.inner.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Inner> {
        self.inner.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds (or replaces) stored versions.
    pub fn add_versions(&self, rubrics: impl IntoIterator<Item = Rubric>) {
        let mut inner = self.write();
        for r in rubrics {
            insert(&mut inner, r);
        }
    }

    /// Replaces the admin assignments.
    pub fn set_assignments(&self, assignments: Vec<Assignment>) {
        self.write().assignments = assignments;
    }

    /// The admin assignments.
    pub fn assignments(&self) -> Vec<Assignment> {
        self.read().assignments.clone()
    }

    /// The shipped rubric that grades `kind` when no assignment says otherwise.
    pub fn default_for(&self, kind: Kind) -> Option<String> {
        self.read().defaults.get(&kind).cloned()
    }

    /// One version of a rubric.
    pub fn version(&self, id: &str, version: u32) -> Option<Arc<Rubric>> {
        self.read()
            .versions
            .get(&(id.to_string(), version))
            .cloned()
    }

    /// The newest version of a rubric.
    pub fn latest(&self, id: &str) -> Option<Arc<Rubric>> {
        let inner = self.read();
        let v = *inner.latest.get(id)?;
        inner.versions.get(&(id.to_string(), v)).cloned()
    }

    /// How many versions of a rubric are loaded.
    pub fn version_count(&self, id: &str) -> usize {
        self.read()
            .versions
            .keys()
            .filter(|(rid, _)| rid == id)
            .count()
    }

    /// The newest version of every rubric, by id.
    pub fn all_latest(&self) -> Vec<Arc<Rubric>> {
        let inner = self.read();
        let mut out: Vec<Arc<Rubric>> = inner
            .latest
            .iter()
            .filter_map(|(id, v)| inner.versions.get(&(id.clone(), *v)).cloned())
            .collect();
        out.sort_by(|a, b| a.id.cmp(&b.id));
        out
    }

    /// The rubric that grades a question of `kind` on `topic`, honouring an invite's `overrides`.
    pub fn resolve(
        &self,
        kind: Kind,
        topic: Topic,
        overrides: &BTreeMap<Kind, String>,
    ) -> Arc<Rubric> {
        let id = {
            let inner = self.read();
            let assigned = |t: &str| {
                inner
                    .assignments
                    .iter()
                    .find(|a| a.kind == kind.as_str() && a.topic == t)
                    .map(|a| a.rubric_id.clone())
            };
            let candidates = [
                overrides.get(&kind).cloned(),
                assigned(topic.as_str()),
                assigned(""),
                inner.defaults.get(&kind).cloned(),
            ];
            candidates
                .into_iter()
                .flatten()
                .find(|id| inner.latest.contains_key(id))
        };
        id.and_then(|id| self.latest(&id))
            .expect("every kind has a shipped default rubric")
    }
}

fn insert(inner: &mut Inner, r: Rubric) {
    let latest = inner.latest.entry(r.id.clone()).or_insert(r.version);
    if r.version > *latest {
        *latest = r.version;
    }
    inner
        .versions
        .insert((r.id.clone(), r.version), Arc::new(r));
}
