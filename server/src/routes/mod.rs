//! Every route of the API, readable in one place, and the OpenAPI document built from
//! the handlers' annotations.

pub mod admin;
pub mod auth;
pub mod circuits;
pub mod contributions;
pub mod exports;
pub mod health;
pub mod imports;
pub mod landscapes;
pub mod media;
pub mod moderation;
pub mod offline;
pub mod pois;
pub mod push;
pub mod species;
pub mod tiles;
pub mod users;

use crate::error::{
    ApiError, BadRequest, Conflict, ErrorBody, Forbidden, InternalError, NotFound, TooManyRequests,
    Unauthorized, Unavailable,
};
use crate::state::AppState;
use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::routing::{get, post};
use serde::de::DeserializeOwned;
use utoipa::openapi::{Ref, RefOr};
use utoipa::{Modify, OpenApi, ToResponse};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Balade API",
        description = "Circuits and points of interest of a territory, for planning and guiding walks."
    ),
    paths(
        health::healthz,
        openapi,
        circuits::list,
        circuits::sheet,
        circuits::elevation_profile,
        circuits::download,
        pois::nearby,
        pois::one,
        offline::offline,
        offline::guide,
        push::push,
        tiles::tile,
        tiles::basemap,
        landscapes::list,
        landscapes::one,
        species::near,
        species::along,
        media::file,
        auth::login,
        auth::logout,
        auth::me,
        admin::read,
        admin::edit,
        admin::history,
        admin::revert,
        admin::circuits,
        admin::circuit_pois,
        admin::pois,
        admin::add_photo,
        users::list,
        users::add,
        users::disable,
        imports::upload,
        imports::list,
        imports::one,
        imports::records,
        imports::commit,
        imports::report,
        exports::catalogue,
        exports::export,
        contributions::add_review,
        contributions::reviews,
        contributions::flag,
        contributions::add_report,
        contributions::followed_report,
        contributions::add_correction,
        contributions::photo,
        moderation::queue,
        moderation::item,
        moderation::decide,
        moderation::decide_many,
        moderation::export,
    ),
    components(
        schemas(ErrorBody),
        responses(BadRequest, NotFound, Unauthorized, Forbidden, Conflict, TooManyRequests, Unavailable, InternalError)
    ),
    modifiers(&EveryOperation)
)]
#[derive(Debug)]
pub struct ApiDoc;

/// What every operation may answer whatever its handler: the in-flight guard around the
/// whole router (`503` with `Retry-After`, see [`crate::headers`]), and a fault.
struct EveryOperation;

impl Modify for EveryOperation {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let common = [
            ("503", Unavailable::response().0),
            ("500", InternalError::response().0),
        ];
        for item in doc.paths.paths.values_mut() {
            for op in [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                for (status, name) in common {
                    op.responses
                        .responses
                        .entry(status.to_owned())
                        .or_insert_with(|| RefOr::Ref(Ref::from_response_name(name)));
                }
            }
        }
    }
}

/// The `Accept-Language` header of the operations that answer in a language (for the
/// document only: handlers read it through [`crate::lang::pick`]).
#[derive(Debug, utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)]
pub struct AcceptLanguage {
    /// Used when `lang` is not given: the first of `fr`, `en` it names, else French.
    #[param(rename = "Accept-Language", required = false)]
    accept_language: String,
}

/// The `If-None-Match` header of the operations answering `304` for a copy held (for
/// the document only).
#[derive(Debug, utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)]
pub struct IfNoneMatch {
    /// The ETag of the copy held: `304` when it is still the current one.
    #[param(rename = "If-None-Match", required = false)]
    if_none_match: String,
}

/// The bytes of a file (an image, an archive), as the document describes such a body.
#[derive(Debug)]
pub struct Binary;

impl utoipa::PartialSchema for Binary {
    fn schema() -> RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
            .into()
    }
}

impl utoipa::ToSchema for Binary {}

/// This server's catalogue, reloaded after a staff write so that its next public answer
/// shows it (other servers follow their change feed or poll).
async fn show_at_once(state: &AppState) {
    if let Err(e) = state.app.catalog.refresh(state.app.store.as_ref()).await {
        tracing::warn!(error = %e, "catalogue refresh after a write failed");
    }
}

/// A text field of a multipart form, cut to its first `max_chars` characters, read a
/// chunk at a time so that an oversized field is never held whole (the body limit of
/// an upload is hundreds of megabytes). `bad` tells a malformed form.
async fn form_text(
    field: &mut axum::extract::multipart::Field<'_>,
    max_chars: usize,
    bad: impl Fn(axum::extract::multipart::MultipartError) -> ApiError,
) -> Result<String, ApiError> {
    let cap = max_chars.saturating_mul(4);
    let mut kept: Vec<u8> = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(&bad)? {
        let room = cap.saturating_sub(kept.len());
        kept.extend_from_slice(&chunk[..chunk.len().min(room)]);
    }
    let text = match std::str::from_utf8(&kept) {
        Ok(text) => text,
        // Cut inside a character at the cap: what precedes it is whole.
        Err(e) if e.error_len().is_none() => {
            std::str::from_utf8(&kept[..e.valid_up_to()]).unwrap_or_default()
        }
        Err(_) => {
            let name = field.name().unwrap_or("a field");
            return Err(ApiError::BadRequest(format!("`{name}` is not UTF-8 text")));
        }
    };
    Ok(text.chars().take(max_chars).collect())
}

/// `axum::extract::Path` answering its rejections (a segment that is not UTF-8) as the
/// API's JSON errors.
#[derive(Debug)]
pub struct Path<T>(pub T);

impl<T, S> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let axum::extract::Path(value) =
            axum::extract::Path::<T>::from_request_parts(parts, state).await?;
        Ok(Path(value))
    }
}

/// Every route; the expensive ones (packages, downloads, exports, tiles that may be
/// fetched upstream) behind a per-client rate limit.
pub fn router(state: &AppState) -> Router<AppState> {
    let expensive = Router::new()
        .route("/api/v1/circuits/{id}/download", get(circuits::download))
        .route("/api/v1/exports", get(exports::catalogue))
        .route("/api/v1/exports/{format}", get(exports::export))
        .route("/api/v1/circuits/{id}/offline", get(offline::offline))
        .route("/tiles/{z}/{x}/{y}", get(tiles::tile))
        .layer(axum::middleware::from_fn_with_state(
            state.expensive(),
            crate::limits::expensive,
        ));
    // Staff: bounded bodies, and writes from this site only.
    let staff = Router::new()
        .route("/api/v1/auth/login", post(auth::login))
        .route("/api/v1/auth/logout", post(auth::logout))
        .route("/api/v1/auth/me", get(auth::me))
        .route("/api/v1/admin/users", get(users::list).post(users::add))
        .route("/api/v1/admin/users/{email}/disable", post(users::disable))
        .route("/api/v1/admin/circuits", get(admin::circuits))
        .route("/api/v1/admin/pois", get(admin::pois))
        .route("/api/v1/admin/circuits/{id}/pois", get(admin::circuit_pois))
        .route(
            "/api/v1/admin/{kind}/{id}",
            get(admin::read).patch(admin::edit),
        )
        .route("/api/v1/admin/{kind}/{id}/history", get(admin::history))
        .route("/api/v1/admin/{kind}/{id}/revert", post(admin::revert))
        .route(
            "/api/v1/admin/{kind}/{id}/media",
            post(admin::add_photo).layer(axum::extract::DefaultBodyLimit::max(26 << 20)),
        )
        .route("/api/v1/admin/imports/{id}", get(imports::one))
        .route("/api/v1/admin/imports/{id}/records", get(imports::records))
        .route("/api/v1/admin/imports/{id}/commit", post(imports::commit))
        .route("/api/v1/admin/imports/{id}/report", get(imports::report))
        .route(
            "/api/v1/admin/moderation",
            get(moderation::queue).post(moderation::decide_many),
        )
        .route(
            "/api/v1/admin/moderation/{id}",
            get(moderation::item).post(moderation::decide),
        )
        .route("/api/v1/admin/reports/export", get(moderation::export))
        .layer(axum::extract::DefaultBodyLimit::max(256 * 1024))
        // Uploads stream to disk under their own limit (see `imports::upload`).
        .route(
            "/api/v1/admin/imports",
            post(imports::upload)
                .get(imports::list)
                .layer(axum::extract::DefaultBodyLimit::max(
                    usize::try_from(state.jobs.max_upload_bytes)
                        .unwrap_or(usize::MAX)
                        .saturating_add(1 << 20),
                )),
        )
        .layer(axum::middleware::from_fn_with_state(
            state.behind_proxy,
            crate::session::same_origin,
        ));
    // Walkers' contributions: small JSON bodies, or forms with a few photos.
    let json = || axum::extract::DefaultBodyLimit::max(contributions::MAX_JSON_BYTES);
    let form = || axum::extract::DefaultBodyLimit::max(contributions::MAX_FORM_BYTES);
    let public_writes = Router::new()
        .route(
            "/api/v1/circuits/{id}/reviews",
            get(contributions::reviews)
                .post(contributions::add_review)
                .layer(form()),
        )
        .route(
            "/api/v1/reports",
            post(contributions::add_report).layer(form()),
        )
        .route(
            "/api/v1/reviews/{id}/flag",
            post(contributions::flag).layer(json()),
        )
        .route(
            "/api/v1/corrections",
            post(contributions::add_correction).layer(json()),
        )
        .route("/api/v1/reports/{id}", get(contributions::followed_report))
        .route(
            "/api/v1/contributions/{id}/photos/{n}",
            get(contributions::photo),
        );
    Router::new()
        .merge(expensive)
        .merge(staff)
        .merge(public_writes)
        .route("/healthz", get(health::healthz))
        .route("/api/v1/openapi.json", get(openapi))
        .route("/api/v1/circuits", get(circuits::list))
        .route("/api/v1/circuits/{id}", get(circuits::sheet))
        .route(
            "/api/v1/circuits/{id}/profile",
            get(circuits::elevation_profile),
        )
        .route("/api/v1/circuits/{id}/guide", get(offline::guide))
        .route("/api/v1/pois/nearby", get(pois::nearby))
        .route("/api/v1/pois/{id}", get(pois::one))
        .route("/api/v1/push", get(push::push))
        .route("/api/v1/basemap", get(tiles::basemap))
        .route("/api/v1/landscapes", get(landscapes::list))
        .route("/api/v1/landscapes/{id}", get(landscapes::one))
        .route("/api/v1/species", get(species::near))
        .route("/api/v1/circuits/{id}/species", get(species::along))
        .route("/media/{id}/{file}", get(media::file))
}

/// This document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "operations", operation_id = "openapi",
    responses((status = 200, description = "The OpenAPI 3.1 document of this API", body = Object)))]
async fn openapi() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(ApiDoc::openapi())
}
