//! Integer fields that also accept integral JSON numbers such as `3.0`, which JSON Schema (and
//! so the API description) counts as integers.

use serde::{Deserialize, Deserializer, de::Error};
use serde_json::Number;
use std::collections::BTreeMap;

fn whole<E: Error>(n: &Number) -> Result<i64, E> {
    if let Some(i) = n.as_i64() {
        return Ok(i);
    }
    match n.as_f64() {
        Some(v) if v.fract() == 0.0 && v.abs() < 9.0e18 => Ok(v as i64),
        _ => Err(E::custom(format!("expected a whole number, got {n}"))),
    }
}

/// An optional whole number converted to `T` (out of range is an error).
pub fn option<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<i64>,
{
    match Option::<Number>::deserialize(d)? {
        None => Ok(None),
        Some(n) => {
            let i = whole(&n)?;
            T::try_from(i)
                .map(Some)
                .map_err(|_| D::Error::custom(format!("{i} is out of range")))
        }
    }
}

/// A whole number (`3` or `3.0`).
pub fn int<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    whole(&Number::deserialize(d)?)
}

/// A map of whole numbers; `null` is an empty map.
pub fn map<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, i64>, D::Error> {
    let raw = Option::<BTreeMap<String, Number>>::deserialize(d)?.unwrap_or_default();
    raw.into_iter()
        .map(|(k, n)| whole(&n).map(|i| (k, i)))
        .collect()
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct T {
        #[serde(default, deserialize_with = "super::option")]
        n: Option<u8>,
    }

    #[test]
    fn integral_floats_count_and_fractions_or_overflow_do_not() {
        let n = |s: &str| serde_json::from_str::<T>(s).map(|t| t.n);
        assert_eq!(n(r#"{"n": 3}"#).unwrap(), Some(3));
        assert_eq!(n(r#"{"n": 3.0}"#).unwrap(), Some(3));
        assert_eq!(n(r#"{"n": null}"#).unwrap(), None);
        assert_eq!(n(r#"{}"#).unwrap(), None);
        assert!(n(r#"{"n": 3.5}"#).is_err());
        assert!(n(r#"{"n": 300}"#).is_err());
    }
}
