//! Turning a rubric document (TOML or JSON) into a [`Rubric`], reporting every problem with its
//! field path (`criteria[2].weight: must be > 0`). Nothing is returned unless all of it is valid.

use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashSet};

use super::model::{CalibrationExample, Criterion, Rubric, Scale, Signal};
use crate::bank::Kind;
use crate::lint::Problem;

/// Widest scale accepted (e.g. 0–10).
const MAX_SCALE_SPAN: i64 = 10;

/// Parses and validates a TOML rubric.
pub fn from_toml(text: &str, file: Option<&str>) -> Result<Rubric, Vec<Problem>> {
    match toml::from_str::<Value>(text) {
        Ok(v) => from_value(&v, file),
        Err(e) => Err(vec![Problem::new(
            file,
            "",
            format!("invalid TOML: {}", e.message()),
        )]),
    }
}

/// Parses and validates a JSON rubric.
pub fn from_json(text: &str, file: Option<&str>) -> Result<Rubric, Vec<Problem>> {
    match serde_json::from_str::<Value>(text) {
        Ok(v) => from_value(&v, file),
        Err(e) => Err(vec![Problem::new(file, "", format!("invalid JSON: {e}"))]),
    }
}

struct Walker<'f> {
    file: Option<&'f str>,
    problems: Vec<Problem>,
}

impl Walker<'_> {
    fn err(&mut self, path: &str, message: impl Into<String>) {
        self.problems.push(Problem::new(self.file, path, message));
    }

    fn object<'v>(
        &mut self,
        v: Option<&'v Value>,
        path: &str,
        allowed: &[&str],
    ) -> Option<&'v Map<String, Value>> {
        match v {
            None => {
                self.err(path, "is required");
                None
            }
            Some(Value::Object(m)) => {
                for key in m.keys().filter(|k| !allowed.contains(&k.as_str())) {
                    let at = if path.is_empty() {
                        key.clone()
                    } else {
                        format!("{path}.{key}")
                    };
                    self.err(
                        &at,
                        format!("unknown field (expected one of: {})", allowed.join(", ")),
                    );
                }
                Some(m)
            }
            Some(_) => {
                self.err(path, "must be a table/object");
                None
            }
        }
    }

    fn text(
        &mut self,
        m: &Map<String, Value>,
        key: &str,
        path: &str,
        required: bool,
    ) -> Option<String> {
        match m.get(key) {
            None if !required => Some(String::new()),
            None => {
                self.err(path, "is required");
                None
            }
            Some(Value::String(s)) if s.trim().is_empty() && required => {
                self.err(path, "must not be empty");
                None
            }
            Some(Value::String(s)) => Some(s.trim().to_string()),
            Some(_) => {
                self.err(path, "must be a string");
                None
            }
        }
    }

    fn int(
        &mut self,
        m: &Map<String, Value>,
        key: &str,
        path: &str,
        range: (i64, i64),
    ) -> Option<i64> {
        match m.get(key) {
            None => {
                self.err(path, "is required");
                None
            }
            Some(v) => match v.as_i64() {
                Some(n) if n >= range.0 && n <= range.1 => Some(n),
                Some(_) => {
                    self.err(path, format!("must be between {} and {}", range.0, range.1));
                    None
                }
                None => {
                    self.err(path, "must be an integer");
                    None
                }
            },
        }
    }

    fn anchors(
        &mut self,
        v: &Value,
        path: &str,
        min: Option<i64>,
        max: Option<i64>,
    ) -> BTreeMap<u8, String> {
        let mut out = BTreeMap::new();
        let Value::Object(m) = v else {
            self.err(
                path,
                "must be a table mapping each score to its description",
            );
            return out;
        };
        for (key, text) in m {
            let at = format!("{path}.{key}");
            let score = key.parse::<i64>().ok();
            match (score, min, max) {
                (None, ..) => self.err(&at, "anchor keys must be integer scores"),
                (Some(s), Some(lo), Some(hi)) if s < lo || s > hi => {
                    self.err(&at, format!("score is outside the scale {lo}–{hi}"))
                }
                (Some(s), ..) => match text.as_str().map(str::trim) {
                    Some(t) if !t.is_empty() => {
                        out.insert(s as u8, t.to_string());
                    }
                    _ => self.err(&at, "must be a non-empty string"),
                },
            }
        }
        if let (Some(lo), Some(hi)) = (min, max) {
            let missing: Vec<String> = (lo..=hi)
                .filter(|s| !m.contains_key(&s.to_string()))
                .map(|s| s.to_string())
                .collect();
            if !missing.is_empty() {
                self.err(
                    path,
                    format!("missing an anchor for score(s) {}", missing.join(", ")),
                );
            }
        }
        out
    }
}

fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        && s.as_bytes()[0].is_ascii_lowercase()
}

const ROOT_FIELDS: &[&str] = &[
    "id",
    "version",
    "name",
    "description",
    "kinds",
    "scale",
    "criteria",
    "pass_mark",
    "calibration",
];
const CRITERION_FIELDS: &[&str] = &["id", "name", "description", "weight", "signal", "anchors"];

/// Validates a rubric held as a JSON value (TOML is converted to this first).
pub fn from_value(v: &Value, file: Option<&str>) -> Result<Rubric, Vec<Problem>> {
    let mut w = Walker {
        file,
        problems: Vec::new(),
    };
    let Some(root) = w.object(Some(v), "", ROOT_FIELDS) else {
        return Err(w.problems);
    };
    let id = w.text(root, "id", "id", true);
    if let Some(id) = id.as_deref().filter(|id| !is_id(id)) {
        w.err(
            "id",
            format!("`{id}` must be lowercase letters, digits, '-' or '_'"),
        );
    }
    let version = w.int(root, "version", "version", (1, i64::from(u32::MAX)));
    let name = w.text(root, "name", "name", true);
    let description = w.text(root, "description", "description", false);
    let kinds = kinds(&mut w, root.get("kinds"));
    let scale = scale(&mut w, root.get("scale"));
    let criteria = criteria(&mut w, root.get("criteria"), scale.as_ref());
    let pass_mark = w.int(root, "pass_mark", "pass_mark", (0, 100));
    let calibration = calibration(&mut w, root.get("calibration"));
    match (
        id,
        version,
        name,
        description,
        kinds,
        scale,
        criteria,
        pass_mark,
    ) {
        (
            Some(id),
            Some(version),
            Some(name),
            Some(description),
            Some(kinds),
            Some(scale),
            Some(criteria),
            Some(pass_mark),
        ) if w.problems.is_empty() => Ok(Rubric {
            id,
            version: version as u32,
            name,
            description,
            kinds,
            scale,
            criteria,
            pass_mark: pass_mark as u8,
            calibration,
        }),
        _ => Err(w.problems),
    }
}

fn kinds(w: &mut Walker, v: Option<&Value>) -> Option<Vec<Kind>> {
    let Some(Value::Array(items)) = v else {
        w.err(
            "kinds",
            "must be a non-empty list of kinds (technical, behavioral, scenario, design)",
        );
        return None;
    };
    if items.is_empty() {
        w.err("kinds", "must name at least one kind");
    }
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        match item.as_str().map(str::parse::<Kind>) {
            Some(Ok(k)) if out.contains(&k) => {
                w.err(&format!("kinds[{i}]"), format!("`{k}` is listed twice"))
            }
            Some(Ok(k)) => out.push(k),
            Some(Err(e)) => w.err(&format!("kinds[{i}]"), e),
            None => w.err(&format!("kinds[{i}]"), "must be a string"),
        }
    }
    Some(out)
}

fn scale(w: &mut Walker, v: Option<&Value>) -> Option<Scale> {
    let m = w.object(v, "scale", &["min", "max", "anchors"])?;
    let min = w.int(m, "min", "scale.min", (0, 100));
    let max = w.int(m, "max", "scale.max", (0, 100));
    let (lo, hi) = match (min, max) {
        (Some(lo), Some(hi)) if hi <= lo => {
            w.err("scale.max", "must be greater than scale.min");
            (None, None)
        }
        (Some(lo), Some(hi)) if hi - lo > MAX_SCALE_SPAN => {
            w.err("scale", format!("spans more than {MAX_SCALE_SPAN} points"));
            (None, None)
        }
        other => other,
    };
    let anchors = match m.get("anchors") {
        Some(a) => w.anchors(a, "scale.anchors", lo, hi),
        None => {
            w.err("scale.anchors", "is required: one description per score");
            BTreeMap::new()
        }
    };
    Some(Scale {
        min: lo? as u8,
        max: hi? as u8,
        anchors,
    })
}

fn criteria(w: &mut Walker, v: Option<&Value>, scale: Option<&Scale>) -> Option<Vec<Criterion>> {
    let Some(Value::Array(items)) = v else {
        w.err("criteria", "must be a non-empty list of criteria");
        return None;
    };
    if items.is_empty() {
        w.err("criteria", "must hold at least one criterion");
    }
    let (lo, hi) = (
        scale.map(|s| i64::from(s.min)),
        scale.map(|s| i64::from(s.max)),
    );
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let path = format!("criteria[{i}]");
        let Some(m) = w.object(Some(item), &path, CRITERION_FIELDS) else {
            continue;
        };
        let id = w.text(m, "id", &format!("{path}.id"), true);
        if let Some(id) = &id {
            if !is_id(id) {
                w.err(
                    &format!("{path}.id"),
                    format!("`{id}` must be lowercase letters, digits, '-' or '_'"),
                );
            } else if !seen.insert(id.clone()) {
                w.err(
                    &format!("{path}.id"),
                    format!("`{id}` is used by another criterion"),
                );
            }
        }
        let name = w.text(m, "name", &format!("{path}.name"), true);
        let description = w.text(m, "description", &format!("{path}.description"), true);
        let weight = match m.get("weight").map(Value::as_f64) {
            Some(Some(x)) if x.is_finite() && x > 0.0 => Some(x),
            Some(Some(_)) => {
                w.err(&format!("{path}.weight"), "must be > 0");
                None
            }
            Some(None) => {
                w.err(&format!("{path}.weight"), "must be a number");
                None
            }
            None => {
                w.err(&format!("{path}.weight"), "is required");
                None
            }
        };
        let signal = match m.get("signal") {
            None => Some(Signal::KeyPoints),
            Some(Value::String(s)) => s
                .parse::<Signal>()
                .map_err(|e| w.err(&format!("{path}.signal"), e))
                .ok(),
            Some(_) => {
                w.err(&format!("{path}.signal"), "must be a string");
                None
            }
        };
        let anchors = m
            .get("anchors")
            .map(|a| w.anchors(a, &format!("{path}.anchors"), lo, hi))
            .unwrap_or_default();
        if let (Some(id), Some(name), Some(description), Some(weight), Some(signal)) =
            (id, name, description, weight, signal)
        {
            out.push(Criterion {
                id,
                name,
                description,
                weight,
                signal,
                anchors,
            });
        }
    }
    Some(out)
}

fn calibration(w: &mut Walker, v: Option<&Value>) -> Vec<CalibrationExample> {
    let items = match v {
        None => return Vec::new(),
        Some(Value::Array(items)) => items,
        Some(_) => {
            w.err("calibration", "must be a list of examples");
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let path = format!("calibration[{i}]");
        let Some(m) = w.object(
            Some(item),
            &path,
            &["question_id", "answer", "expected_overall"],
        ) else {
            continue;
        };
        let q = w.text(m, "question_id", &format!("{path}.question_id"), true);
        let a = w.text(m, "answer", &format!("{path}.answer"), true);
        let e = w.int(
            m,
            "expected_overall",
            &format!("{path}.expected_overall"),
            (0, 100),
        );
        if let (Some(question_id), Some(answer), Some(e)) = (q, a, e) {
            out.push(CalibrationExample {
                question_id,
                answer,
                expected_overall: e as u8,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
id = "mini"
version = 1
name = "Mini"
kinds = ["technical"]
pass_mark = 60
[scale]
min = 1
max = 3
anchors = { 1 = "weak", 2 = "fair", 3 = "strong" }
[[criteria]]
id = "accuracy"
name = "Accuracy"
description = "Covers the key points"
weight = 2
signal = "key_points"
"#;

    #[test]
    fn a_valid_rubric_parses() {
        let r = from_toml(GOOD, None).unwrap();
        assert_eq!(r.criteria[0].signal, Signal::KeyPoints);
        assert_eq!(r.scale.anchors.len(), 3);
    }

    #[test]
    fn every_problem_is_reported_with_its_field_path() {
        let bad = GOOD
            .replace("weight = 2", "weight = 0")
            .replace("3 = \"strong\"", "4 = \"strong\"")
            .replace("\"technical\"]", "\"technical\", \"poetry\"]")
            .replace("signal = \"key_points\"", "signal = \"vibes\"");
        let problems: Vec<String> = from_toml(&bad, Some("rubrics/mini.toml"))
            .unwrap_err()
            .iter()
            .map(|p| p.to_string())
            .collect();
        for expected in [
            "rubrics/mini.toml:criteria[0].weight: must be > 0",
            "rubrics/mini.toml:scale.anchors.4: score is outside the scale 1–3",
            "rubrics/mini.toml:scale.anchors: missing an anchor for score(s) 3",
            "rubrics/mini.toml:kinds[1]: unknown kind `poetry`",
            "rubrics/mini.toml:criteria[0].signal: unknown signal `vibes`",
        ] {
            assert!(
                problems.iter().any(|p| p.starts_with(expected)),
                "missing `{expected}` in {problems:#?}"
            );
        }
    }

    #[test]
    fn json_bodies_validate_the_same_way() {
        let v: Value = toml::from_str(GOOD).unwrap();
        let r = from_json(&v.to_string(), None).unwrap();
        assert_eq!(r, from_toml(GOOD, None).unwrap());
    }
}
