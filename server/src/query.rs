//! Query strings parsed by hand: repeatable parameters (`difficulty=easy&difficulty=hard`
//! or `difficulty=easy,hard`) and a precise message naming the parameter at fault.
//!
//! Bounded, so that no request costs more than its answer is worth: at most
//! [`MAX_QUERY_BYTES`] of query string, [`MAX_VALUES`] values of one parameter, and
//! texts of at most [`MAX_TEXT_CHARS`] characters and [`MAX_WORDS`] words.

use crate::error::ApiError;
use std::str::FromStr;

/// A path id, checked: a malformed one is a 400, an unknown one a 404.
pub fn parse_id<T: FromStr>(raw: &str) -> Result<T, ApiError>
where
    T::Err: std::fmt::Display,
{
    raw.parse()
        .map_err(|e| ApiError::BadRequest(format!("{e}")))
}

/// The longest query string answered.
pub const MAX_QUERY_BYTES: usize = 4_096;
/// The most values one parameter may have (repeated or comma-separated).
pub const MAX_VALUES: usize = 20;
/// The longest free text (`q`).
pub const MAX_TEXT_CHARS: usize = 200;
/// The most words a free text may hold.
pub const MAX_WORDS: usize = 12;

/// The decoded `key=value` pairs of a query string.
#[derive(Debug, Default)]
pub struct Params(Vec<(String, String)>);

impl Params {
    pub fn parse(raw: Option<&str>) -> Result<Self, ApiError> {
        let raw = raw.unwrap_or("");
        let pairs = serde_urlencoded::from_str::<Vec<(String, String)>>(raw)
            .map_err(|e| ApiError::BadRequest(format!("malformed query string: {e}")))?;
        let mut counts: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        for (k, v) in &pairs {
            let n = counts.entry(k.as_str()).or_default();
            *n += v.split(',').count().max(1);
            if *n > MAX_VALUES {
                return Err(ApiError::BadRequest(format!(
                    "`{k}`: more than {MAX_VALUES} values"
                )));
            }
        }
        if raw.len() > MAX_QUERY_BYTES {
            // Named after its longest value: what the client must shorten.
            let longest = pairs
                .iter()
                .max_by_key(|(_, v)| v.len())
                .map_or("query", |(k, _)| k.as_str());
            return Err(ApiError::BadRequest(format!(
                "`{longest}`: the query string is {} bytes long, over {MAX_QUERY_BYTES}",
                raw.len()
            )));
        }
        Ok(Self(pairs))
    }

    /// A free text: at most [`MAX_TEXT_CHARS`] characters and [`MAX_WORDS`] words.
    pub fn free_text(&self, key: &str) -> Result<Option<&str>, ApiError> {
        let Some(text) = self.text(key) else {
            return Ok(None);
        };
        if text.chars().count() > MAX_TEXT_CHARS {
            return Err(ApiError::BadRequest(format!(
                "`{key}`: longer than {MAX_TEXT_CHARS} characters"
            )));
        }
        if text.split_whitespace().count() > MAX_WORDS {
            return Err(ApiError::BadRequest(format!(
                "`{key}`: more than {MAX_WORDS} words"
            )));
        }
        Ok(Some(text))
    }

    /// Refuses parameters this endpoint does not know, so a typo is not silently ignored.
    pub fn only(&self, known: &[&str]) -> Result<(), ApiError> {
        match self.0.iter().find(|(k, _)| !known.contains(&k.as_str())) {
            Some((k, _)) => Err(ApiError::BadRequest(format!(
                "unknown parameter `{k}` (known: {})",
                known.join(", ")
            ))),
            None => Ok(()),
        }
    }

    /// The last non-empty value of `key`.
    pub fn text(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, v)| k == key && !v.trim().is_empty())
            .map(|(_, v)| v.trim())
    }

    pub fn get<T: FromStr>(&self, key: &str) -> Result<Option<T>, ApiError>
    where
        T::Err: std::fmt::Display,
    {
        self.text(key)
            .map(|v| {
                v.parse::<T>()
                    .map_err(|e| ApiError::BadRequest(format!("`{key}`: `{v}`: {e}")))
            })
            .transpose()
    }

    /// Every value of a repeatable parameter, commas splitting values too.
    pub fn all<T: FromStr>(&self, key: &str) -> Result<Vec<T>, ApiError>
    where
        T::Err: std::fmt::Display,
    {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .flat_map(|(_, v)| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(|v| {
                v.parse::<T>()
                    .map_err(|e| ApiError::BadRequest(format!("`{key}`: {e}")))
            })
            .collect()
    }

    /// A number within `range`, or the default.
    pub fn number(
        &self,
        key: &str,
        range: std::ops::RangeInclusive<f64>,
        default: f64,
    ) -> Result<f64, ApiError> {
        let Some(v) = self.get::<f64>(key)? else {
            return Ok(default);
        };
        if v.is_finite() && range.contains(&v) {
            Ok(v)
        } else {
            Err(ApiError::BadRequest(format!(
                "`{key}` {v} is outside {}..{}",
                range.start(),
                range.end()
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use balade_core::Difficulty;

    #[test]
    fn repeatable_and_comma_values() {
        let p = Params::parse(Some(
            "difficulty=easy&difficulty=hard,medium&q=%C3%A9glise+romane",
        ))
        .unwrap();
        let d: Vec<Difficulty> = p.all("difficulty").unwrap();
        assert_eq!(d, [Difficulty::Easy, Difficulty::Hard, Difficulty::Medium]);
        assert_eq!(p.text("q"), Some("église romane"));
        assert!(p.only(&["difficulty"]).is_err());
        assert!(p.only(&["difficulty", "q"]).is_ok());
    }

    #[test]
    fn requests_are_bounded_and_the_bound_named() {
        let many = vec!["theme=eau"; 30_000].join("&");
        let e = Params::parse(Some(&many)).unwrap_err().to_string();
        assert!(e.contains("`theme`") && e.contains("20"), "{e}");
        let commas = format!("difficulty={}", vec!["easy"; 21].join(","));
        let e = Params::parse(Some(&commas)).unwrap_err().to_string();
        assert!(e.contains("`difficulty`"), "{e}");
        let words = format!("q={}", vec!["mot"; 30_000].join("+"));
        let e = Params::parse(Some(&words)).unwrap_err().to_string();
        assert!(e.contains("`q`") && e.contains("bytes long"), "{e}");
        let p = Params::parse(Some(&format!("q={}", vec!["mot"; 13].join("+")))).unwrap();
        let e = p.free_text("q").unwrap_err().to_string();
        assert!(e.contains("`q`") && e.contains("12 words"), "{e}");
        let p = Params::parse(Some("q=église+romane")).unwrap();
        assert_eq!(p.free_text("q").unwrap(), Some("église romane"));
    }

    #[test]
    fn errors_name_the_parameter() {
        let p = Params::parse(Some("difficulty=extreme&limit=abc&radius=-5")).unwrap();
        let e = p.all::<Difficulty>("difficulty").unwrap_err().to_string();
        assert!(e.contains("`difficulty`") && e.contains("extreme"), "{e}");
        let e = p.get::<u32>("limit").unwrap_err().to_string();
        assert!(e.contains("`limit`"), "{e}");
        let e = p
            .number("radius", 0.0..=50_000.0, 1_000.0)
            .unwrap_err()
            .to_string();
        assert!(e.contains("`radius` -5"), "{e}");
        assert_eq!(p.number("other", 0.0..=1.0, 0.5).unwrap(), 0.5);
    }
}
