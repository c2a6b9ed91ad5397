//! Staff accounts and sessions: the command line's `balade user …` and the back-office's
//! login. Passwords are hashed with Argon2id; a session is a random token the browser
//! keeps in a cookie and the store keeps by its SHA-256, so that neither a copy of the
//! database nor its logs open a session. A login with an unknown e-mail verifies the
//! password against a hash made for that purpose, so that it costs what a wrong
//! password costs and the answer's time tells nothing about which accounts exist.

pub mod throttle;

use crate::now_s;
use crate::{AppError, AppResult};
use balade_core::accounts::{
    Account, AccountError, NewAccount, Role, TerritoryCode, normalise_email,
};
use balade_core::hash::sha256_hex;
use balade_core::store::{AccountStore, StoreError};
use std::sync::OnceLock;
use std::time::Duration;

/// How long a session lasts after its login.
pub const SESSION_LIFETIME: Duration = Duration::from_secs(12 * 3600);

/// The shortest password accepted: long passphrases over composition rules.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// The longest: hashing is linear in the password's length.
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// Who is logged in, as the back-office sees them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Staff {
    #[serde(skip)]
    pub id: i64,
    pub email: String,
    /// `admin`, `editor` or `moderator`.
    #[schema(value_type = String)]
    #[serde(serialize_with = "role_text")]
    pub role: Role,
    /// INSEE commune and SIREN intercommunality codes (editors work within them).
    #[schema(value_type = Vec<String>)]
    #[serde(serialize_with = "codes_text")]
    pub territory: Vec<TerritoryCode>,
}

fn role_text<S: serde::Serializer>(r: &Role, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(r.as_str())
}

fn codes_text<S: serde::Serializer>(c: &[TerritoryCode], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(c.iter().map(TerritoryCode::as_str))
}

impl From<Account> for Staff {
    fn from(a: Account) -> Self {
        Staff {
            id: a.id,
            email: a.email,
            role: a.role,
            territory: a.territory,
        }
    }
}

impl From<AccountError> for AppError {
    fn from(e: AccountError) -> Self {
        AppError::Invalid(e.to_string())
    }
}

/// A session's token, as the cookie carries it (64 hex digits, 256 random bits).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionToken(pub String);

impl SessionToken {
    fn new() -> AppResult<Self> {
        Ok(Self(crate::random_hex::<32>()?))
    }

    /// What the store keeps.
    fn stored(&self) -> String {
        sha256_hex(self.0.as_bytes())
    }
}

/// Why a login failed.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// One answer for an unknown e-mail, a wrong password and a disabled account.
    #[error("wrong e-mail or password")]
    BadCredentials,
    #[error(transparent)]
    App(#[from] AppError),
}

fn check_password(password: &str) -> AppResult<()> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AppError::Invalid(format!(
            "the password is too short: at least {MIN_PASSWORD_CHARS} characters"
        )));
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(AppError::Invalid(format!(
            "the password is too long: at most {MAX_PASSWORD_BYTES} bytes"
        )));
    }
    Ok(())
}

/// Argon2id with the crate's parameters (19 MiB, 2 passes), off the async threads.
async fn hash_password(password: &str) -> AppResult<String> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || password_auth::generate_hash(password))
        .await
        .map_err(|e| AppError::Encode(format!("password hashing stopped: {e}")))
}

async fn verify_password(password: &str, hash: &str) -> bool {
    let (password, hash) = (password.to_owned(), hash.to_owned());
    tokio::task::spawn_blocking(move || password_auth::verify_password(password, &hash).is_ok())
        .await
        .unwrap_or(false)
}

/// Makes the decoy hash now (the server calls it at start), so that the first login
/// with an unknown e-mail does not take longer than the others.
pub fn warm_up() {
    let _ = decoy_hash();
}

/// The hash an unknown e-mail's password is checked against (made once per process).
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| password_auth::generate_hash("balade: no such account"))
}

fn not_found(email: &str) -> AppError {
    AppError::NotFound(format!("no account has the e-mail {email}"))
}

/// `balade user add`: a new account. Editors need a territory.
pub async fn add_user(
    store: &dyn AccountStore,
    email: &str,
    role: Role,
    territory: Vec<TerritoryCode>,
    password: &str,
) -> AppResult<Account> {
    let email = normalise_email(email)?;
    if role == Role::Editor && territory.is_empty() {
        return Err(AppError::Invalid(
            "an editor works within a territory: give --territory with INSEE or SIREN codes".into(),
        ));
    }
    check_password(password)?;
    let password_hash = hash_password(password).await?;
    let new = NewAccount {
        email,
        role,
        territory,
        password_hash,
    };
    store.add_account(&new).await.map_err(|e| match e {
        StoreError::Conflict(m) => AppError::Invalid(m),
        other => other.into(),
    })
}

/// `balade user passwd`: a new password, and every session of the account ended.
pub async fn set_password(store: &dyn AccountStore, email: &str, password: &str) -> AppResult<()> {
    let email = normalise_email(email)?;
    check_password(password)?;
    let hash = hash_password(password).await?;
    if store.set_password(&email, &hash).await? {
        Ok(())
    } else {
        Err(not_found(&email))
    }
}

/// `balade user disable`: the account can no longer log in; its sessions end.
pub async fn disable(store: &dyn AccountStore, email: &str) -> AppResult<()> {
    let email = normalise_email(email)?;
    if store.disable_account(&email).await? {
        Ok(())
    } else {
        Err(not_found(&email))
    }
}

/// `balade user list`.
pub async fn list(store: &dyn AccountStore) -> AppResult<Vec<Account>> {
    Ok(store.accounts().await?)
}

/// Account care from the back-office is for admins.
pub fn require_admin(staff: &Staff) -> AppResult<()> {
    if staff.role == Role::Admin {
        Ok(())
    } else {
        Err(AppError::Forbidden("accounts are managed by admins".into()))
    }
}

/// An account as the back-office lists it (never its password hash).
#[derive(Debug, Clone, serde::Serialize)]
pub struct AccountView {
    pub email: String,
    pub role: &'static str,
    pub territory: Vec<String>,
    pub disabled: bool,
}

impl From<Account> for AccountView {
    fn from(a: Account) -> Self {
        AccountView {
            email: a.email,
            role: a.role.as_str(),
            territory: a.territory.iter().map(|t| t.as_str().to_owned()).collect(),
            disabled: a.disabled,
        }
    }
}

/// Checks an e-mail and password pair and opens a session. The caller ends the
/// session the browser came with, if any, so that a login always renews the id.
pub async fn login(
    store: &dyn AccountStore,
    email: &str,
    password: &str,
) -> Result<(SessionToken, Staff), LoginError> {
    // Malformed input costs a hash too: its time tells nothing either.
    let account = match normalise_email(email) {
        Ok(email) => store
            .account_by_email(&email)
            .await
            .map_err(AppError::from)?,
        Err(_) => None,
    };
    let (hash, usable) = match &account {
        Some(a) => (a.password_hash.as_str(), !a.disabled),
        None => (decoy_hash(), false),
    };
    let too_long = password.len() > MAX_PASSWORD_BYTES;
    let verified = verify_password(if too_long { "" } else { password }, hash).await && !too_long;
    let account = match account {
        Some(a) if verified && usable => a,
        _ => return Err(LoginError::BadCredentials),
    };
    let token = SessionToken::new()?;
    let expires = now_s() + SESSION_LIFETIME.as_secs() as i64;
    store
        .create_session(&token.stored(), account.id, expires)
        .await
        .map_err(AppError::from)?;
    Ok((token, account.into()))
}

/// The staff member a session token belongs to, if it is open.
pub async fn who(store: &dyn AccountStore, token: &str) -> AppResult<Option<Staff>> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let stored = SessionToken(token.to_owned()).stored();
    Ok(store
        .session_account(&stored, now_s())
        .await?
        .map(Staff::from))
}

/// Ends a session (nothing when it is not open).
pub async fn logout(store: &dyn AccountStore, token: &str) -> AppResult<()> {
    let stored = SessionToken(token.to_owned()).stored();
    Ok(store.end_session(&stored, now_s()).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_tokens_are_256_random_bits_stored_hashed() {
        let (a, b) = (
            SessionToken::new().expect("value"),
            SessionToken::new().expect("value"),
        );
        assert_eq!(a.0.len(), 64);
        assert!(a.0.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
        assert_ne!(a.stored(), a.0);
        assert_eq!(a.stored(), SessionToken(a.0.clone()).stored());
    }
}
