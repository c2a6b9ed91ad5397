//! Every route of the API, readable in one place, and the OpenAPI document built from
//! the handlers' annotations.

pub mod circuits;
pub mod health;
pub mod landscapes;
pub mod media;
pub mod offline;
pub mod pois;
pub mod push;
pub mod species;
pub mod tiles;

use crate::state::AppState;
use axum::Router;
use axum::routing::get;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Balade API",
        description = "Circuits and points of interest of a territory, for planning and guiding walks."
    ),
    paths(
        health::healthz,
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
    )
)]
#[derive(Debug)]
pub struct ApiDoc;

/// Every route; the expensive ones (packages, downloads, tiles that may be fetched
/// upstream) behind a per-client rate limit.
pub fn router(state: &AppState) -> Router<AppState> {
    let expensive = Router::new()
        .route("/api/v1/circuits/{id}/download", get(circuits::download))
        .route("/api/v1/circuits/{id}/offline", get(offline::offline))
        .route("/tiles/{z}/{x}/{y}", get(tiles::tile))
        .layer(axum::middleware::from_fn_with_state(
            state.expensive(),
            crate::limits::expensive,
        ));
    Router::new()
        .merge(expensive)
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

async fn openapi() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(ApiDoc::openapi())
}
