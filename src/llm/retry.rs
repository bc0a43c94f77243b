//! Retry timing: jittered exponential backoff, and the server's `retry-after-ms`/`retry-after`.

use reqwest::header::HeaderMap;
use std::time::Duration;

/// Longest wait a server may ask for.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(120);
/// Longest backoff between two attempts.
const CAP: f64 = 8.0;

/// Delay before retry number `attempt` (1-based): `base` seconds (`llm.retry_backoff_secs`,
/// 0.5 by default) doubling to 8 s, minus up to 25% jitter. `jitter` is a number in [0, 1).
pub fn backoff(base: f64, attempt: u32, jitter: f64) -> Duration {
    let base = if base.is_finite() { base.max(0.0) } else { 0.5 };
    let exp = (base * 2f64.powi(attempt.saturating_sub(1) as i32)).min(CAP);
    Duration::from_secs_f64(exp * (1.0 - 0.25 * jitter.clamp(0.0, 1.0)))
}

/// The wait a response asks for: `retry-after-ms` (milliseconds) first, then `retry-after`
/// (seconds, or an HTTP date), capped at two minutes.
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    // Values that are not finite numbers ("inf", "NaN") are ignored, as if absent.
    let number = |v: &str| v.parse::<f64>().ok().filter(|n| n.is_finite());
    if let Some(ms) = header("retry-after-ms").and_then(number) {
        return Some(capped_secs(ms / 1000.0));
    }
    let value = header("retry-after")?;
    match value.parse::<f64>() {
        Ok(secs) if secs.is_finite() => Some(capped_secs(secs)),
        Ok(_) => None,
        Err(_) => http_date_delay(value).map(|d| d.min(MAX_RETRY_AFTER)),
    }
}

/// A finite number of seconds as a wait between zero and [`MAX_RETRY_AFTER`].
fn capped_secs(secs: f64) -> Duration {
    Duration::from_secs_f64(secs.clamp(0.0, MAX_RETRY_AFTER.as_secs_f64()))
}

fn http_date_delay(value: &str) -> Option<Duration> {
    let format = time::format_description::well_known::Rfc2822;
    let at = time::OffsetDateTime::parse(value, &format).ok()?;
    let now = time::OffsetDateTime::now_utc();
    Some(Duration::try_from(at - now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderMap, HeaderValue};

    #[test]
    fn backoff_doubles_with_jitter_and_caps() {
        assert_eq!(backoff(0.5, 1, 0.0), Duration::from_millis(500));
        assert_eq!(backoff(0.5, 2, 0.0), Duration::from_secs(1));
        assert_eq!(backoff(0.5, 3, 0.99).as_millis(), 1505);
        assert_eq!(backoff(0.5, 10, 0.0), Duration::from_secs(8));
        assert_eq!(backoff(0.01, 2, 0.0), Duration::from_millis(20));
        assert_eq!(backoff(f64::NAN, 1, 0.0), Duration::from_millis(500));
    }

    #[test]
    fn retry_after_headers_are_honoured_and_capped() {
        let mut h = HeaderMap::new();
        assert_eq!(retry_after(&h), None);
        h.insert("retry-after", HeaderValue::from_static("3"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(3)));
        h.insert("retry-after-ms", HeaderValue::from_static("250"));
        assert_eq!(
            retry_after(&h),
            Some(Duration::from_millis(250)),
            "the ms header wins"
        );
        let mut h = HeaderMap::new();
        h.insert("retry-after", HeaderValue::from_static("3600"));
        assert_eq!(retry_after(&h), Some(MAX_RETRY_AFTER));
        let mut h = HeaderMap::new();
        h.insert(
            "retry-after",
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(
            retry_after(&h),
            Some(Duration::ZERO),
            "a date in the past means now"
        );
    }

    #[test]
    fn absurd_retry_after_values_never_panic() {
        for (name, value, expected) in [
            ("retry-after", "1e20", Some(MAX_RETRY_AFTER)),
            ("retry-after", "1e308", Some(MAX_RETRY_AFTER)),
            ("retry-after", "inf", None),
            ("retry-after", "-inf", None),
            ("retry-after", "NaN", None),
            ("retry-after", "-5", Some(Duration::ZERO)),
            ("retry-after-ms", "inf", None),
            ("retry-after-ms", "1e300", Some(MAX_RETRY_AFTER)),
            (
                "retry-after",
                "Fri, 31 Dec 9999 23:59:59 GMT",
                Some(MAX_RETRY_AFTER),
            ),
        ] {
            let mut h = HeaderMap::new();
            h.insert(name, HeaderValue::from_static(value));
            assert_eq!(retry_after(&h), expected, "{name}: {value}");
        }
        let mut h = HeaderMap::new();
        h.insert("retry-after-ms", HeaderValue::from_static("inf"));
        h.insert("retry-after", HeaderValue::from_static("2"));
        assert_eq!(
            retry_after(&h),
            Some(Duration::from_secs(2)),
            "an unusable ms header gives way to retry-after"
        );
    }
}
