//! Balade's importers: each reader turns a source file into domain records, with errors
//! located in the file (path, line, column, field, reason). Writing goes through the
//! store's import transaction, one file at a time, all or nothing unless partial.
//!
//! - [`source`]: what an import reads, file by file, as records or located rejections.
//! - [`driver`]: the one import driver: plans every record (create, update with its
//!   fields, unchanged, delete, rejected), tells the plan as [`plan`] events, commits.
//! - [`report`]: rejections and the run summary printed by every import command.
//! - [`gpx`]: circuits from GPX 1.0/1.1 files, their waypoints as POIs.
//! - [`circuits`]: whole circuits from the national hiking-trail schema.
//! - [`landscapes`]: landscape units from GeoJSON polygons.
//! - [`heritage`]: inventory notices (Mérimée/POP exports) as heritage POIs.
//! - [`stream`]: the sink every streaming reader writes to.
//! - [`tourism`]: tourism and practical places from OSM (XML, PBF, Overpass) and APIDAE.
//! - [`dwc`], [`biodiversity`]: species observations from Darwin Core archives and occurrence tables.
//! - [`xml_guard`], [`delimited`]: the limits every XML and delimited reader reads under.
//! - [`media`]: photos decoded under limits, turned upright, stripped and derived.
//! - [`photo_refs`], [`remote_photos`]: the photos sources name by URL, fetched once
//!   under limits and attached with their credits.
//! - [`demo`]: the demo set of `fixtures/`.
#![forbid(unsafe_code)]

pub mod apidae_trek;
pub mod biodiversity;
pub mod circuits;
pub mod communes;
pub mod delimited;
pub mod demo;
pub mod driver;
pub mod dwc;
pub mod features;
pub mod gpx;
pub mod heritage;
pub mod landscapes;
pub mod media;
pub mod photo_refs;
pub mod plan;
pub mod remote_photos;
pub mod report;
pub mod source;
pub mod stream;
pub mod tourism;
pub mod xml_guard;
pub mod xml_pull;

pub use demo::import_demo;
pub use driver::{Deletion, ImportOptions, import};
pub use plan::{ImportEvent, Observer, PlanCounts, Planned, Status};
pub use report::{ImportReport, Rejection};
pub use source::Source;
