//! Balade's core: the domain model, the geometry computed on it, the store that keeps it
//! and the in-memory spatial index that answers "what is near".
//!
//! - [`domain`]: circuits, POIs and the checked values they are made of.
//! - [`geometry`]: lengths, elevation gain, walking time, circuit type, positions along a trace.
//! - [`corridor`]: how far from a trace each kind of POI counts as along it.
//! - [`guidance`]: the on-trail rules (POI triggers, off route, progress), shared with the PWA;
//!   [`guide_data`]: their input for one circuit, built once for packages and push.
//! - [`sensitivity`]: which taxa and POIs are sensitive, one rule for every output.
//! - [`accounts`]: staff accounts, roles and territories; [`edit`]: their edits of
//!   circuits and POIs, as merge patches of an editable view.
//! - [`contributions`]: walkers' reviews, trail reports and corrections, and their moderation.
//! - [`jobs`]: the back-office's import jobs and their plans.
//! - [`store`]: the [`store::Store`] trait and its backends, chosen once from a URL.
//! - [`index`]: R-trees of POIs and circuit starts, rebuilt from the store.
#![forbid(unsafe_code)]

pub mod accounts;
pub mod contributions;
pub mod corridor;
pub mod domain;
pub mod edit;
pub mod geometry;
pub mod guidance;
pub mod guide_data;
pub mod hash;
pub mod index;
pub mod jobs;
pub mod projection;
pub mod record;
pub mod sensitivity;
pub mod species;
pub mod store;
pub mod text;

pub use domain::*;
