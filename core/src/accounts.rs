//! Staff accounts: who may curate what. An account has one role; an editor works within
//! a territory, a set of communes (INSEE codes) and intercommunalities (SIREN codes).
//! Passwords are stored as Argon2id hashes (PHC strings) made by the application layer;
//! sessions are stored by the SHA-256 of their token, never the token itself.

use std::fmt;
use std::str::FromStr;

/// What an account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Manages accounts, and everything else everywhere.
    Admin,
    /// Imports and edits within a territory.
    Editor,
    /// Handles the public contributions (reviews, reports, corrections).
    Moderator,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::Editor, Role::Moderator];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Editor => "editor",
            Role::Moderator => "moderator",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = AccountError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| AccountError::Role(s.to_owned()))
    }
}

/// One code of a territory: a commune's INSEE code (5 characters, Corsica's `2A`/`2B`
/// included) or an intercommunality's SIREN (9 digits).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TerritoryCode(String);

impl TerritoryCode {
    pub fn parse(code: &str) -> Result<Self, AccountError> {
        let c = code.trim().to_ascii_uppercase();
        let commune = c.len() == 5
            && (c.bytes().all(|b| b.is_ascii_digit())
                || ((c.starts_with("2A") || c.starts_with("2B"))
                    && c[2..].bytes().all(|b| b.is_ascii_digit())));
        let siren = c.len() == 9 && c.bytes().all(|b| b.is_ascii_digit());
        if commune || siren {
            Ok(Self(c))
        } else {
            Err(AccountError::Territory(code.to_owned()))
        }
    }

    /// A SIREN (intercommunality) rather than an INSEE code (commune).
    pub fn is_intercommunality(&self) -> bool {
        self.0.len() == 9
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Parses a comma-separated list of territory codes (blank entries ignored), sorted and
/// without repeats.
pub fn parse_territory(codes: &str) -> Result<Vec<TerritoryCode>, AccountError> {
    let mut out = codes
        .split(',')
        .filter(|c| !c.trim().is_empty())
        .map(TerritoryCode::parse)
        .collect::<Result<Vec<_>, _>>()?;
    out.sort();
    out.dedup();
    Ok(out)
}

/// An e-mail address as accounts are keyed: trimmed and lower-cased, with one `@`
/// between a non-empty local part and a domain holding a dot.
pub fn normalise_email(email: &str) -> Result<String, AccountError> {
    let e = email.trim().to_lowercase();
    let ok = e.len() <= 254
        && !e.chars().any(|c| c.is_whitespace() || c.is_control())
        && matches!(e.split_once('@'), Some((local, domain))
            if !local.is_empty() && !domain.contains('@') && domain.contains('.')
                && !domain.starts_with('.') && !domain.ends_with('.'));
    if ok {
        Ok(e)
    } else {
        Err(AccountError::Email(email.to_owned()))
    }
}

/// A stored account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: i64,
    pub email: String,
    pub role: Role,
    pub territory: Vec<TerritoryCode>,
    /// Argon2id, as a PHC string.
    pub password_hash: String,
    pub disabled: bool,
}

/// An account to create.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub email: String,
    pub role: Role,
    pub territory: Vec<TerritoryCode>,
    pub password_hash: String,
}

/// Why an account value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountError {
    #[error("unknown role `{0}` (expected admin, editor or moderator)")]
    Role(String),
    #[error(
        "`{0}` is not a territory code (a commune's 5-character INSEE code or an intercommunality's 9-digit SIREN)"
    )]
    Territory(String),
    #[error("`{0}` is not an e-mail address")]
    Email(String),
}

/// The territory as stored: codes joined by commas.
pub fn territory_to_text(codes: &[TerritoryCode]) -> String {
    codes
        .iter()
        .map(TerritoryCode::as_str)
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn territory_codes_are_communes_or_intercommunalities() {
        let t = parse_territory(" 77379,200072130, 2a004,77379,").expect("codes");
        let codes: Vec<&str> = t.iter().map(TerritoryCode::as_str).collect();
        assert_eq!(codes, ["200072130", "2A004", "77379"]);
        assert!(t[0].is_intercommunality() && !t[2].is_intercommunality());
        for bad in ["7737", "77379a", "20007213", "2C004", "../..", "77 379"] {
            assert_eq!(
                parse_territory(bad),
                Err(AccountError::Territory(bad.to_owned())),
                "{bad}"
            );
        }
    }

    #[test]
    fn emails_are_keyed_lower_case_and_checked() {
        assert_eq!(
            normalise_email("  Agent@Departement77.FR ").as_deref(),
            Ok("agent@departement77.fr")
        );
        for bad in [
            "", "agent", "@x.fr", "a@b", "a@@b.fr", "a b@c.fr", "a@b.fr.",
        ] {
            assert!(normalise_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn roles_read_back_as_written() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>(), Ok(r));
        }
        assert_eq!(
            "root".parse::<Role>(),
            Err(AccountError::Role("root".into()))
        );
    }
}
