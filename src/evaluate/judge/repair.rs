//! Lenient reading of a judge's reply before strict validation. Models that are not held to a
//! schema write nearly the right object: wrapped in a code fence or prose, a one-element list
//! where one quote belongs, a quote where a list belongs, `"4"` or `4.0` for a score, criterion
//! ids in another case or with other separators, criteria as a list of `{id, …}` instead of an
//! object keyed by id. Each such repair is named, so the stored evaluation says what was mended.
//! Nothing here invents content: a missing criterion, a score off the scale or a wrong nonce is
//! left for validation to reject.

use serde::Deserialize;
use serde_json::{Map, Value};

use super::Rejected;
use super::validate::reject;
use crate::rubric::Rubric;

/// A repair applied to a reply, as recorded in the evaluation's provenance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, strum::IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum Repair {
    /// Text (prose or a code fence) around the JSON object was dropped.
    TextAroundJson,
    /// A list came wrapped as `{"items": […]}` (the schema's shape echoed).
    SchemaEcho,
    /// A one-element list where one string belongs.
    ListForString,
    /// A string where a list belongs.
    StringForList,
    /// A score written as a string or a whole float.
    ScoreCoerced,
    /// `"true"`/`"false"` written as strings.
    BoolCoerced,
    /// A criterion id matched the rubric's only when case and separators are ignored.
    IdNormalised,
    /// Criteria or key points written as a list of entries with ids instead of an object.
    ListOfEntries,
}

impl Repair {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// A judgement in canonical form, every field typed.
#[derive(Debug, Clone)]
pub struct RawJudgement {
    pub nonce: String,
    /// (criterion id as the rubric spells it when it matched one, else as written; entry).
    pub criteria: Vec<(String, RawCriterion)>,
    pub key_points: Vec<(usize, RawKeyPoint)>,
    pub star: Option<RawStar>,
    pub strengths: Vec<String>,
    pub improvements: Vec<String>,
    pub follow_up: Option<crate::evaluate::FollowUp>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RawCriterion {
    pub score: Value,
    #[serde(default)]
    pub rationale: String,
    #[serde(default)]
    pub evidence: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RawKeyPoint {
    pub covered: bool,
    #[serde(default)]
    pub evidence: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RawPart {
    pub present: bool,
    #[serde(default)]
    pub evidence: Option<String>,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RawStar {
    pub situation: RawPart,
    pub task: RawPart,
    pub action: RawPart,
    pub result: RawPart,
}

/// True when the reply's JSON stops before it closes: an unterminated string, or more `{`/`[`
/// opened than closed. Such a reply was cut off by the output-token limit.
pub fn looks_truncated(content: &str) -> bool {
    let Some(start) = content.find('{') else {
        return false;
    };
    let (mut depth, mut in_string, mut escaped) = (0i64, false, false);
    for c in content[start..].chars() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '{' | '[' => depth += 1,
            '}' | ']' => depth -= 1,
            _ => {}
        }
    }
    in_string || depth > 0
}

/// Lower-case with every run of separators (`-`, `_`, space, `.`) as one `_`.
fn id_key(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for c in id.trim().chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    out.trim_end_matches('_').to_string()
}

struct Mender {
    repairs: Vec<Repair>,
}

impl Mender {
    fn note(&mut self, r: Repair) {
        if !self.repairs.contains(&r) {
            self.repairs.push(r);
        }
    }

    /// `{"items": […]}` → `[…]`.
    fn unwrap_items(&mut self, v: &mut Value) {
        if let Some(items) = v.get("items").filter(|i| i.is_array()).cloned()
            && v.as_object().is_some_and(|o| o.len() <= 2)
        {
            *v = items;
            self.note(Repair::SchemaEcho);
        }
    }

    /// A value that should be one string (or null): a one-element list becomes its element.
    fn one_string(&mut self, v: &mut Value) {
        if let Value::Array(a) = v {
            if a.len() == 1 && a[0].is_string() {
                *v = a.remove(0);
                self.note(Repair::ListForString);
            } else if a.is_empty() {
                *v = Value::Null;
                self.note(Repair::ListForString);
            }
        }
    }

    /// A value that should be text: a one-element list becomes its element, nothing becomes "".
    fn text(&mut self, v: &mut Value) {
        self.one_string(v);
        if v.is_null() {
            *v = Value::String(String::new());
        }
    }

    /// A value that should be a list of strings: one string becomes a one-element list.
    fn string_list(&mut self, v: &mut Value) {
        self.unwrap_items(v);
        match v {
            Value::String(s) => {
                *v = if s.trim().is_empty() {
                    Value::Array(vec![])
                } else {
                    Value::Array(vec![Value::String(s.clone())])
                };
                self.note(Repair::StringForList);
            }
            Value::Null => *v = Value::Array(vec![]),
            _ => {}
        }
    }

    fn boolean(&mut self, v: &mut Value) {
        if let Some(s) = v.as_str() {
            match s.trim().to_ascii_lowercase().as_str() {
                "true" | "yes" => *v = Value::Bool(true),
                "false" | "no" => *v = Value::Bool(false),
                _ => return,
            }
            self.note(Repair::BoolCoerced);
        }
    }

    fn score(&mut self, v: &mut Value) {
        let whole = match v {
            Value::String(s) => s.trim().parse::<f64>().ok(),
            Value::Number(n) if !n.is_i64() && !n.is_u64() => n.as_f64(),
            _ => None,
        };
        if let Some(f) = whole.filter(|f| f.fract() == 0.0 && f.abs() < 1e6) {
            *v = Value::from(f as i64);
            self.note(Repair::ScoreCoerced);
        }
    }

    /// Entries keyed by id: an object as is, or a list of objects each carrying `id_field`.
    fn entries(&mut self, v: Value, id_fields: &[&str]) -> Result<Vec<(String, Value)>, Rejected> {
        match v {
            Value::Object(map) => Ok(map.into_iter().collect()),
            Value::Array(items) => {
                if !items.is_empty() {
                    self.note(Repair::ListOfEntries);
                }
                items
                    .into_iter()
                    .map(|mut item| {
                        let id = id_fields
                            .iter()
                            .find_map(|f| item.as_object_mut().and_then(|o| o.remove(*f)))
                            .ok_or_else(|| reject(format!("an entry has no `{}`", id_fields[0])))?;
                        let id = match id {
                            Value::String(s) => s,
                            Value::Number(n) => n.to_string(),
                            other => return Err(reject(format!("an entry's id is {other}"))),
                        };
                        Ok((id, item))
                    })
                    .collect()
            }
            Value::Null => Ok(vec![]),
            other => Err(reject(format!(
                "expected an object or a list of entries, got {other}"
            ))),
        }
    }
}

fn typed<T: serde::de::DeserializeOwned>(v: Value, what: &str) -> Result<T, Rejected> {
    serde_json::from_value(v).map_err(|e| reject(format!("{what} is not the expected JSON: {e}")))
}

/// The JSON object in a reply, mended leniently and typed; the repairs it needed.
pub fn parse(content: &str, rubric: &Rubric) -> Result<(RawJudgement, Vec<Repair>), Rejected> {
    let mut m = Mender { repairs: vec![] };
    let text = content.trim();
    let candidate = match (text.find('{'), text.rfind('}')) {
        (Some(a), Some(b)) if b > a => &text[a..=b],
        _ => return Err(reject("the reply holds no JSON object")),
    };
    if candidate.len() != text.len() {
        m.note(Repair::TextAroundJson);
    }
    let value: Value = serde_json::from_str(candidate)
        .map_err(|e| reject(format!("the reply is not JSON: {e}")))?;
    let Value::Object(mut root) = value else {
        return Err(reject("the reply is not a JSON object"));
    };
    let mut take = |k: &str| root.remove(k).unwrap_or(Value::Null);

    let nonce = match take("nonce") {
        Value::String(s) => s,
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    };

    let mut criteria_value = take("criteria");
    m.unwrap_items(&mut criteria_value);
    let mut criteria = Vec::new();
    for (id, mut entry) in m.entries(criteria_value, &["id", "criterion"])? {
        let id = match rubric.criteria.iter().find(|c| c.id == id) {
            Some(c) => c.id.clone(),
            None => match rubric
                .criteria
                .iter()
                .find(|c| id_key(&c.id) == id_key(&id))
            {
                Some(c) => {
                    m.note(Repair::IdNormalised);
                    c.id.clone()
                }
                None => id,
            },
        };
        if let Some(o) = entry.as_object_mut() {
            if let Some(s) = o.get_mut("score") {
                m.score(s);
            }
            if let Some(r) = o.get_mut("rationale") {
                m.text(r);
            }
            if let Some(e) = o.get_mut("evidence") {
                m.string_list(e);
            }
        }
        criteria.push((id.clone(), typed(entry, &format!("criterion `{id}`"))?));
    }

    let mut key_points_value = take("key_points");
    m.unwrap_items(&mut key_points_value);
    let mut key_points = Vec::new();
    for (id, mut entry) in m.entries(key_points_value, &["index", "id"])? {
        let digits: String = id.chars().filter(char::is_ascii_digit).collect();
        let Ok(index) = digits.parse::<usize>() else {
            return Err(reject(format!("key point `{id}` has no index")));
        };
        if let Some(o) = entry.as_object_mut() {
            if let Some(c) = o.get_mut("covered") {
                m.boolean(c);
            }
            if let Some(e) = o.get_mut("evidence") {
                m.one_string(e);
            }
        }
        key_points.push((index, typed(entry, &format!("key point {index}"))?));
    }

    let star = match take("star") {
        Value::Null => None,
        mut star => {
            if let Some(o) = star.as_object_mut() {
                for part in o.values_mut().filter_map(Value::as_object_mut) {
                    if let Some(p) = part.get_mut("present") {
                        m.boolean(p);
                    }
                    if let Some(e) = part.get_mut("evidence") {
                        m.one_string(e);
                    }
                    if let Some(n) = part.get_mut("note") {
                        m.text(n);
                    }
                }
            }
            Some(typed(star, "the STAR breakdown")?)
        }
    };

    let mut strings = |mut v: Value, what: &str| -> Result<Vec<String>, Rejected> {
        m.string_list(&mut v);
        typed(v, what)
    };
    let strengths = strings(take("strengths"), "strengths")?;
    let improvements = strings(take("improvements"), "improvements")?;

    let follow_up = match take("follow_up") {
        Value::Object(mut f) => {
            for field in ["text", "reason"] {
                if let Some(v) = f.get_mut(field) {
                    m.one_string(v);
                }
            }
            let text = f.get("text").and_then(Value::as_str).unwrap_or("").trim();
            if text.is_empty() {
                None
            } else {
                let mut map = Map::new();
                map.insert("text".into(), Value::String(text.to_string()));
                map.insert(
                    "reason".into(),
                    f.get("reason")
                        .cloned()
                        .unwrap_or(Value::String(String::new())),
                );
                Some(typed(Value::Object(map), "the follow-up")?)
            }
        }
        _ => None,
    };
    let mut repairs = m.repairs;
    repairs.sort();
    Ok((
        RawJudgement {
            nonce,
            criteria,
            key_points,
            star,
            strengths,
            improvements,
            follow_up,
        },
        repairs,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_is_told_from_a_complete_object() {
        assert!(looks_truncated(
            r#"{"nonce": "a", "criteria": {"x": {"score": 4"#
        ));
        assert!(looks_truncated(r#"{"nonce": "a", "note": "the {brace"#));
        assert!(!looks_truncated(
            r#"{"nonce": "a", "note": "a } and ] in text"}"#
        ));
        assert!(!looks_truncated("no json at all"));
    }

    #[test]
    fn ids_compare_without_case_or_separators() {
        assert_eq!(id_key("Technical-Accuracy"), id_key("technical_accuracy"));
        assert_eq!(id_key(" technical accuracy "), "technical_accuracy");
        assert_ne!(id_key("depth"), id_key("clarity"));
    }
}
