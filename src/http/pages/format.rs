//! How values read on the pages: times, durations, labels, query strings.

use time::OffsetDateTime;
use time::macros::format_description;

use crate::bank::Topic;
use crate::evaluate::{Flag, Source};

/// `2025-03-01 14:05 UTC`.
pub fn datetime(ms: i64) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| {
            t.format(format_description!(
                "[year]-[month]-[day] [hour]:[minute] UTC"
            ))
            .ok()
        })
        .unwrap_or_default()
}

/// `42 s`, `3 min 05 s`.
pub fn duration(ms: i64) -> String {
    let secs = (ms.max(0) + 500) / 1000;
    if secs < 60 {
        format!("{secs} s")
    } else {
        format!("{} min {:02} s", secs / 60, secs % 60)
    }
}

/// A `YYYY-MM-DD` date (UTC) as Unix milliseconds at its midnight, or at the next midnight when
/// `end_of_day` (so that a "to" date includes that whole day).
pub fn date_ms(text: &str, end_of_day: bool) -> Option<i64> {
    let date = time::Date::parse(text, format_description!("[year]-[month]-[day]")).ok()?;
    let date = if end_of_day { date.next_day()? } else { date };
    Some(date.midnight().assume_utc().unix_timestamp() * 1000)
}

/// The readable name of a topic id (the id itself when unknown).
pub fn topic_title(id: &str) -> String {
    Topic::title_of(id)
}

/// The readable names of an interview's topics.
pub fn topic_titles(topics: &[Topic]) -> String {
    topics
        .iter()
        .map(|t| t.title())
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn source(s: Source) -> &'static str {
    match s {
        Source::Builtin => "built-in grader",
        Source::Llm => "LLM judge",
        Source::Fallback => "built-in grader (LLM fallback)",
        Source::Human => "human review",
    }
}

pub fn flag(f: Flag) -> &'static str {
    match f {
        Flag::TooShort => "Too short",
        Flag::OffTopic => "Off topic",
        Flag::KeywordStuffing => "Keyword stuffing",
        Flag::Repetitive => "Repetitive",
        Flag::CopiedQuestion => "Copies the question",
        Flag::PossiblePromptInjection => "Possible prompt injection",
        Flag::EvidenceNotInAnswer => "Evidence not found in the answer",
        Flag::IncorrectClaim => "Incorrect claim",
    }
}

/// A query string (`?a=1&b=x%20y`) from the pairs with a value; `""` when none has one.
pub fn query(pairs: &[(&str, &str)]) -> String {
    let parts: Vec<String> = pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

/// Percent-encodes everything but unreserved characters (RFC 3986), for query values and path
/// segments alike.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_cover_whole_days() {
        assert_eq!(date_ms("1970-01-02", false), Some(86_400_000));
        assert_eq!(date_ms("1970-01-02", true), Some(2 * 86_400_000));
        assert_eq!(date_ms("02/01/1970", false), None);
        assert_eq!(datetime(86_400_000 + 61_000), "1970-01-02 00:01 UTC");
    }

    #[test]
    fn durations_and_queries_read_well() {
        assert_eq!(duration(41_600), "42 s");
        assert_eq!(duration(185_000), "3 min 05 s");
        assert_eq!(query(&[("a", ""), ("b", "x y&z")]), "?b=x%20y%26z");
        assert_eq!(query(&[("a", "")]), "");
    }
}
