//! Query strings parsed by hand: repeatable parameters (`difficulty=easy&difficulty=hard`
//! or `difficulty=easy,hard`) and a precise message naming the parameter at fault.

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

/// The decoded `key=value` pairs of a query string.
#[derive(Debug, Default)]
pub struct Params(Vec<(String, String)>);

impl Params {
    pub fn parse(raw: Option<&str>) -> Result<Self, ApiError> {
        let pairs = serde_urlencoded::from_str::<Vec<(String, String)>>(raw.unwrap_or(""))
            .map_err(|e| ApiError::BadRequest(format!("malformed query string: {e}")))?;
        Ok(Self(pairs))
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
