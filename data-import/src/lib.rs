//! Balade's importers: each reader turns a source file into domain records, with errors
//! located in the file (path, line, column, field, reason). Writing goes through the
//! store's import transaction, one file at a time, all or nothing unless partial.
//!
//! - [`report`]: rejections and the run summary printed by every import command.
//! - [`gpx`]: circuits from GPX 1.0/1.1 files, their waypoints as POIs.
//! - [`circuits`]: whole circuits from the national hiking-trail schema.
//! - [`landscapes`]: landscape units from GeoJSON polygons.
//! - [`heritage`]: inventory notices (Mérimée/POP exports) as heritage POIs.
//! - [`stream`], [`pipeline`]: streamed reading and batched writing of big files.
//! - [`tourism`]: tourism and practical places from OSM (XML, PBF, Overpass) and APIDAE.
//! - [`dwc`], [`biodiversity`]: species observations from Darwin Core archives and occurrence tables.
//! - [`media`]: photos decoded under limits, turned upright, stripped and derived.
//! - [`run`]: finds the files, drives the import and its progress display.
#![forbid(unsafe_code)]

pub mod apidae_trek;
pub mod biodiversity;
pub mod circuits;
pub mod communes;
pub mod dwc;
pub mod features;
pub mod gpx;
pub mod heritage;
pub mod landscapes;
pub mod media;
pub mod pipeline;
pub mod report;
pub mod run;
pub mod stream;
pub mod tourism;

pub use report::{ImportReport, Rejection};
pub use run::{
    ImportOptions, import_biodiversity, import_circuits, import_communes, import_demo, import_gpx,
    import_heritage, import_landscapes, import_tourism,
};
