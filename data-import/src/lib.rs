//! Balade's importers: each reader turns a source file into domain records, with errors
//! located in the file (path, line, column, field, reason). Writing goes through the
//! store's import transaction, one file at a time, all or nothing unless partial.
//!
//! - [`report`]: rejections and the run summary printed by every import command.
//! - [`gpx`]: circuits from GPX 1.0/1.1 files, their waypoints as POIs.
//! - [`circuits`]: whole circuits from the national hiking-trail schema.
//! - [`landscapes`]: landscape units from GeoJSON polygons.
//! - [`dwc`]: species observations from Darwin Core archives and occurrence tables.
//! - [`run`]: finds the files, drives the import and its progress display.
#![forbid(unsafe_code)]

pub mod circuits;
pub mod dwc;
pub mod features;
pub mod gpx;
pub mod landscapes;
pub mod report;
pub mod run;
pub mod stream;

pub use report::{ImportReport, Rejection};
pub use run::{ImportOptions, import_circuits, import_demo, import_gpx, import_landscapes};
