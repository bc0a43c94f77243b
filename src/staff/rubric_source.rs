//! Changes to a rubric document's source text that keep the admin's formatting and comments:
//! a copy to start a new rubric from, the id of a new rubric, one more calibration example.
//! Each TOML change is made as text, then checked by parsing; when the text route cannot give the
//! intended document (an unusual layout), the document is rewritten from its parsed form instead.

use crate::rubric::CalibrationExample;
use crate::store::RubricVersionRecord;

/// A stored version's document as text: its source as submitted, or, for a version stored
/// without one, its stored JSON form.
pub fn stored_source(v: &RubricVersionRecord) -> &str {
    if v.source_text.trim().is_empty() {
        &v.body
    } else {
        &v.source_text
    }
}

/// Whether a submitted document is JSON (versions created through the API may be) or TOML.
pub fn is_json(text: &str) -> bool {
    text.trim_start().starts_with('{')
}

/// Top-level keys whose lines a copy leaves out: a copy gets its own id, and versions are
/// numbered by the server.
const NOT_COPIED: &[&str] = &["id", "version"];

/// `text` without its `id` and `version`, to start a new rubric from an existing one.
pub fn copy_source(text: &str) -> String {
    if is_json(text) {
        return match serde_json::from_str::<serde_json::Value>(text) {
            Ok(serde_json::Value::Object(mut m)) => {
                for k in NOT_COPIED {
                    m.remove(*k);
                }
                serde_json::to_string_pretty(&m).unwrap_or_else(|_| text.to_string())
            }
            _ => text.to_string(),
        };
    }
    let Ok(mut intended) = toml::from_str::<toml::Table>(text) else {
        return text.to_string();
    };
    for k in NOT_COPIED {
        intended.remove(*k);
    }
    let mut out = String::with_capacity(text.len());
    let mut top_level = true;
    let mut open = None;
    for line in text.split_inclusive('\n') {
        let inside = open.is_some();
        open = multi_line_state(line, open);
        if inside {
            out.push_str(line);
            continue;
        }
        let t = line.trim_start();
        top_level &= !t.starts_with('[');
        let key = t.split('=').next().unwrap_or_default().trim();
        if top_level && t.contains('=') && NOT_COPIED.contains(&key) {
            continue;
        }
        out.push_str(line);
    }
    if toml::from_str::<toml::Table>(&out).is_ok_and(|t| t == intended) {
        out
    } else {
        toml::to_string(&intended).unwrap_or_else(|_| text.to_string())
    }
}

/// Whether a TOML multi-line string is still open after `line`, and with which delimiter.
fn multi_line_state(line: &str, mut open: Option<&'static str>) -> Option<&'static str> {
    let mut rest = line;
    loop {
        match open {
            Some(d) => match rest.find(d) {
                Some(i) => {
                    rest = &rest[i + d.len()..];
                    open = None;
                }
                None => return open,
            },
            None => {
                let next = ["\"\"\"", "'''"]
                    .into_iter()
                    .filter_map(|d| rest.find(d).map(|i| (i, d)))
                    .min();
                match next {
                    Some((i, d)) => {
                        rest = &rest[i + d.len()..];
                        open = Some(d);
                    }
                    None => return None,
                }
            }
        }
    }
}

/// Why a new rubric's id and its document disagree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdMismatch {
    pub in_document: String,
}

/// `text` with `id` as its rubric id: added when the document has none; a document naming
/// another id is refused. A document that does not parse is returned as it is (validation
/// then reports why).
pub fn with_id(text: &str, id: &str) -> Result<String, IdMismatch> {
    let present = |v: Option<&str>| match v {
        Some(d) if d == id => Ok(true),
        Some(d) => Err(IdMismatch {
            in_document: d.to_string(),
        }),
        None => Ok(false),
    };
    if is_json(text) {
        let Ok(serde_json::Value::Object(mut m)) = serde_json::from_str(text) else {
            return Ok(text.to_string());
        };
        if present(m.get("id").map(|v| v.as_str().unwrap_or_default()))? {
            return Ok(text.to_string());
        }
        let mut with = serde_json::Map::new();
        with.insert("id".into(), serde_json::Value::String(id.to_string()));
        with.append(&mut m);
        return Ok(serde_json::to_string_pretty(&with).unwrap_or_else(|_| text.to_string()));
    }
    let Ok(table) = toml::from_str::<toml::Table>(text) else {
        return Ok(text.to_string());
    };
    if present(table.get("id").map(|v| v.as_str().unwrap_or_default()))? {
        return Ok(text.to_string());
    }
    // A key before any table header is a top-level key, whatever follows.
    Ok(format!(
        "id = {}\n{text}",
        toml::Value::String(id.to_string())
    ))
}

/// `text` with `example` appended to its calibration examples.
pub fn with_example(text: &str, example: &CalibrationExample) -> Result<String, String> {
    if is_json(text) {
        let mut doc: serde_json::Value =
            serde_json::from_str(text).map_err(|e| format!("the stored document: {e}"))?;
        let item = serde_json::to_value(example).map_err(|e| e.to_string())?;
        let root = doc
            .as_object_mut()
            .ok_or("the stored document is not an object")?;
        match root
            .entry("calibration")
            .or_insert_with(|| serde_json::Value::Array(Vec::new()))
        {
            serde_json::Value::Array(list) => list.push(item),
            _ => return Err("the stored document's calibration is not a list".into()),
        }
        return serde_json::to_string_pretty(&doc).map_err(|e| e.to_string());
    }
    let mut intended: toml::Table =
        toml::from_str(text).map_err(|e| format!("the stored document: {e}"))?;
    let item = toml::Value::try_from(example).map_err(|e| e.to_string())?;
    match intended
        .entry("calibration")
        .or_insert_with(|| toml::Value::Array(Vec::new()))
    {
        toml::Value::Array(list) => list.push(item),
        _ => return Err("the stored document's calibration is not a list".into()),
    }
    let separator = if text.ends_with('\n') { "\n" } else { "\n\n" };
    let appended = format!(
        "{text}{separator}[[calibration]]\nquestion_id = {}\nexpected_overall = {}\nanswer = {}\n",
        toml::Value::String(example.question_id.clone()),
        example.expected_overall,
        multi_line(&example.answer),
    );
    if toml::from_str::<toml::Table>(&appended).is_ok_and(|t| t == intended) {
        Ok(appended)
    } else {
        toml::to_string(&intended).map_err(|e| e.to_string())
    }
}

/// A TOML multi-line basic string holding `s` exactly, readable line by line.
fn multi_line(s: &str) -> String {
    let mut out = String::from("\"\"\"\n");
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' | '\t' => out.push(c),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push_str("\"\"\"");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"# Grades technical questions.
id = "technical"
version = 3
name = "Technical"
description = """Multi-line,
id = "not-a-key"."""
kinds = ["technical"]
pass_mark = 60

[scale]
min = 1
max = 5

# Examples.
[[calibration]]
question_id = "q1"
expected_overall = 80
answer = "first"
"#;

    fn example(answer: &str) -> CalibrationExample {
        CalibrationExample {
            question_id: "q2".into(),
            answer: answer.into(),
            expected_overall: 42,
        }
    }

    fn table(text: &str) -> toml::Table {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn a_copy_drops_id_and_version_and_keeps_comments() {
        let copy = copy_source(DOC);
        assert!(copy.starts_with("# Grades technical questions.\nname = \"Technical\"\n"));
        assert!(copy.contains("# Examples."), "{copy}");
        let t = table(&copy);
        assert!(t.get("id").is_none() && t.get("version").is_none());
        assert_eq!(
            t["description"].as_str(),
            Some("Multi-line,\nid = \"not-a-key\".")
        );
        assert_eq!(t["scale"]["max"].as_integer(), Some(5));
    }

    #[test]
    fn a_copy_the_text_route_cannot_make_is_rewritten_from_its_parsed_form() {
        // A quoted key is no `id =` line: the text route misses it, the parsed form does not.
        let copy = copy_source("\"id\" = \"a\"\nname = \"x\"\n");
        assert_eq!(table(&copy), table("name = \"x\""));
        let copy = copy_source("name = \"x\"\nid = \"a\"; \n");
        assert_eq!(
            copy, "name = \"x\"\nid = \"a\"; \n",
            "unparsable: left alone"
        );
        let json = copy_source(r#"{"id": "a", "version": 2, "name": "x"}"#);
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v, serde_json::json!({"name": "x"}));
    }

    #[test]
    fn a_new_id_is_added_at_the_top_and_a_different_one_is_refused() {
        let copy = copy_source(DOC);
        let named = with_id(&copy, "strict").unwrap();
        assert!(named.starts_with("id = \"strict\"\n# Grades"));
        assert_eq!(table(&named)["id"].as_str(), Some("strict"));
        assert_eq!(
            with_id(DOC, "technical").unwrap(),
            DOC,
            "the same id: unchanged"
        );
        assert_eq!(
            with_id(DOC, "other"),
            Err(IdMismatch {
                in_document: "technical".into()
            })
        );
        let json = with_id(r#"{"name": "x"}"#, "j").unwrap();
        assert!(json.find("\"id\"").unwrap() < json.find("\"name\"").unwrap());
        assert_eq!(with_id("not toml [", "x").unwrap(), "not toml [");
    }

    #[test]
    fn an_example_is_appended_as_text_with_the_answer_exactly() {
        let answer =
            "Line one with \"quotes\" and a back\\slash.\n\tIndented \"\"\" and\u{7} a bell.";
        let out = with_example(DOC, &example(answer)).unwrap();
        assert!(out.starts_with(DOC), "the document is kept as written");
        assert!(out.contains("\n[[calibration]]\nquestion_id = \"q2\"\nexpected_overall = 42\nanswer = \"\"\"\nLine one"));
        let t = table(&out);
        let list = t["calibration"].as_array().unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[1]["answer"].as_str(), Some(answer));
        assert_eq!(list[1]["expected_overall"].as_integer(), Some(42));
    }

    #[test]
    fn an_inline_calibration_list_is_extended_through_the_parsed_form() {
        let doc = "name = \"x\"\ncalibration = [{question_id = \"q1\", answer = \"a\", expected_overall = 1}]";
        let out = with_example(doc, &example("b")).unwrap();
        let t = table(&out);
        let list = t["calibration"].as_array().unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[1]["answer"].as_str(), Some("b"));
        assert_eq!(t["name"].as_str(), Some("x"));
        assert!(with_example("calibration = 3", &example("b")).is_err());
    }

    #[test]
    fn a_json_document_gets_its_example_in_the_list() {
        let out = with_example(r#"{"id": "j", "name": "x"}"#, &example("b")).unwrap();
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["calibration"][0]["question_id"], "q2");
        assert_eq!(v["id"], "j");
    }
}
