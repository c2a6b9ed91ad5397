//! The language of an answer: `?lang=` when given, else `Accept-Language`, else French
//! (the rule itself is the application's, [`balade_app::lang::pick`]).

use crate::error::ApiError;
use axum::http::{HeaderMap, header};

/// The language to answer in.
pub fn pick(param: Option<&str>, headers: &HeaderMap) -> Result<&'static str, ApiError> {
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    Ok(balade_app::lang::pick(param, accept)?)
}
