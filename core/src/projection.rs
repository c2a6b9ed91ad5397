//! French projected coordinates to WGS84: Lambert 93 (EPSG:2154), the nine conic
//! conformal zones CC42–CC50 (EPSG:3942–3950) and the old NTF Lambert zones I–IV, in
//! their "zone" form (Y near 200 km) and their "carto" form (Y plus the zone's million,
//! Lambert II étendu included). Inventory exports name the system in a free-text field
//! and sometimes name it wrong; [`resolve`] checks the values against the named system
//! and, when they cannot belong to it, finds the system they do belong to.
//!
//! proj4rs works in radians: degrees are converted at this boundary only.

use crate::domain::LonLat;
use proj4rs::proj::Proj;
use std::fmt;
use std::sync::OnceLock;

/// A coordinate reference system found in French inventories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Crs {
    /// Longitude and latitude in degrees.
    Wgs84,
    /// EPSG:2154.
    Lambert93,
    /// Conic conformal zone, 42 to 50 (EPSG:3942–3950).
    Cc(u8),
    /// NTF (Paris) Lambert zone 1 to 4; `carto` adds the zone's million to Y
    /// (zone II carto is also "Lambert II étendu", EPSG:27572).
    Ntf { zone: u8, carto: bool },
}

impl fmt::Display for Crs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Crs::Wgs84 => f.write_str("WGS84"),
            Crs::Lambert93 => f.write_str("Lambert 93"),
            Crs::Cc(z) => write!(f, "CC{z}"),
            Crs::Ntf { zone, carto: false } => write!(f, "NTF Lambert {zone}"),
            Crs::Ntf { zone, carto: true } => write!(f, "NTF Lambert {zone} carto"),
        }
    }
}

/// Why coordinates could not be placed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProjectionError {
    #[error(
        "{x};{y} cannot be {named} coordinates in France, nor Lambert 93, CC42–CC50 or NTF Lambert carto ones"
    )]
    Implausible { x: f64, y: f64, named: String },
    #[error("{x};{y} in {crs} falls outside France ({lon:.4}, {lat:.4})")]
    OutsideFrance {
        x: f64,
        y: f64,
        crs: Crs,
        lon: f64,
        lat: f64,
    },
    #[error("reprojection from {crs} failed: {reason}")]
    Failed { crs: Crs, reason: String },
}

/// Metropolitan France with Corsica and a margin: where inventory coordinates must land.
const FRANCE: [f64; 4] = [-5.8, 41.0, 10.0, 51.3];

impl Crs {
    /// The system named by an inventory's `ZONE` text: "Lambert93", "Lambert 93",
    /// "Lambert2", "Lambert II étendu", "Lambert3 sud", "Lambert zone 1", "CC43",
    /// "WGS84"… `None` when the text names none of them.
    pub fn from_label(label: &str) -> Option<Crs> {
        let t = crate::text::fold(label).replace([' ', '-', '_', '.'], "");
        if t.contains("wgs") || t == "gps" {
            return Some(Crs::Wgs84);
        }
        if t.contains("93") && (t.contains("lambert") || t.starts_with("l") || t == "rgf93") {
            return Some(Crs::Lambert93);
        }
        if let Some(z) = t.strip_prefix("cc").or_else(|| t.strip_prefix("lambertcc")) {
            return z
                .get(..2)
                .and_then(|z| z.parse().ok())
                .filter(|z| (42..=50).contains(z))
                .map(Crs::Cc);
        }
        let rest = t.strip_prefix("lambert")?;
        let rest = rest.strip_prefix("zone").unwrap_or(rest);
        // Roman numerals first, longest first, so that "iii" is not read as "i".
        let zone = [("iv", 4), ("iii", 3), ("ii", 2), ("i", 1)]
            .iter()
            .find(|(r, _)| rest.starts_with(r))
            .map(|&(_, z)| z)
            .or_else(|| rest.chars().next()?.to_digit(10).map(|d| d as u8))
            .filter(|z| (1..=4).contains(z))?;
        Some(Crs::Ntf {
            zone,
            carto: rest.contains("etendu") || rest.contains("carto"),
        })
    }

    /// The system of an EPSG code (4326, 2154, 3942–3950, 27561–27564, 27571–27574).
    pub fn from_epsg(code: u32) -> Option<Crs> {
        Some(match code {
            4326 | 4171 => Crs::Wgs84,
            2154 => Crs::Lambert93,
            3942..=3950 => Crs::Cc((code - 3900) as u8),
            27561..=27564 => Crs::Ntf {
                zone: (code - 27560) as u8,
                carto: false,
            },
            27571..=27574 => Crs::Ntf {
                zone: (code - 27570) as u8,
                carto: true,
            },
            _ => return None,
        })
    }

    /// Whether projected values can belong to this system somewhere in France.
    pub fn plausible(self, x: f64, y: f64) -> bool {
        match self {
            Crs::Wgs84 => (-180.0..=180.0).contains(&x) && (-90.0..=90.0).contains(&y),
            Crs::Lambert93 => {
                (50_000.0..1_300_000.0).contains(&x) && (6_000_000.0..7_150_000.0).contains(&y)
            }
            Crs::Cc(z) => {
                let y0 = cc_false_northing(z);
                (1_000_000.0..2_400_000.0).contains(&x)
                    && (y0 - 150_000.0..y0 + 150_000.0).contains(&y)
            }
            Crs::Ntf { zone, carto } => {
                let base = if carto {
                    f64::from(zone) * 1_000_000.0
                } else {
                    0.0
                };
                // Lambert II étendu covers the whole country from zone II's origin.
                let (low, high) = if carto && zone == 2 {
                    (1_550_000.0, 2_750_000.0)
                } else {
                    (base, base + 500_000.0)
                };
                (0.0..1_300_000.0).contains(&x) && (low..high).contains(&y)
            }
        }
    }

    /// The projected system that values must belong to, judged by their magnitude:
    /// Lambert 93, then the CC zone given by Y's million, then NTF Lambert carto.
    pub fn guess(x: f64, y: f64) -> Option<Crs> {
        if Crs::Lambert93.plausible(x, y) {
            return Some(Crs::Lambert93);
        }
        let z = ((y - 200_000.0) / 1_000_000.0).round() + 41.0;
        if (42.0..=50.0).contains(&z) && Crs::Cc(z as u8).plausible(x, y) {
            return Some(Crs::Cc(z as u8));
        }
        (1..=4)
            .map(|zone| Crs::Ntf { zone, carto: true })
            .find(|c| c.plausible(x, y))
    }

    fn proj_string(self) -> String {
        const RGF93: &str = "+ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs";
        // NTF: Clarke 1880 (IGN), Paris meridian, the IGN's three-parameter shift.
        const NTF: &str =
            "+a=6378249.2 +b=6356515 +towgs84=-168,-60,320,0,0,0,0 +pm=paris +units=m +no_defs";
        match self {
            Crs::Wgs84 => "+proj=longlat +datum=WGS84 +no_defs".to_owned(),
            Crs::Lambert93 => format!(
                "+proj=lcc +lat_0=46.5 +lon_0=3 +lat_1=49 +lat_2=44 +x_0=700000 +y_0=6600000 {RGF93}"
            ),
            Crs::Cc(z) => format!(
                "+proj=lcc +lat_0={z} +lon_0=3 +lat_1={} +lat_2={} +x_0=1700000 +y_0={} {RGF93}",
                f64::from(z) - 0.75,
                f64::from(z) + 0.75,
                cc_false_northing(z)
            ),
            Crs::Ntf { zone, carto } => {
                // Latitude of origin in grads (IGN's definition), scale, false easting and northing.
                let (lat_gr, k, x0, y0) = match zone {
                    1 => (55.0, 0.999_877_341, 600_000.0, 200_000.0),
                    2 => (52.0, 0.999_877_42, 600_000.0, 200_000.0),
                    3 => (49.0, 0.999_877_499, 600_000.0, 200_000.0),
                    _ => (46.85, 0.999_944_71, 234.358, 185_861.369),
                };
                let y0 = if carto {
                    y0 + f64::from(zone) * 1_000_000.0
                } else {
                    y0
                };
                format!(
                    "+proj=lcc +lat_1={lat} +lat_0={lat} +lon_0=0 +k_0={k} +x_0={x0} +y_0={y0} {NTF}",
                    lat = lat_gr * 0.9
                )
            }
        }
    }

    fn proj(self) -> Result<&'static Proj, ProjectionError> {
        static CACHE: OnceLock<std::sync::Mutex<Vec<(Crs, &'static Proj)>>> = OnceLock::new();
        let cache = CACHE.get_or_init(Default::default);
        let mut cache = cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((_, p)) = cache.iter().find(|(c, _)| *c == self) {
            return Ok(p);
        }
        let proj =
            Proj::from_proj_string(&self.proj_string()).map_err(|e| ProjectionError::Failed {
                crs: self,
                reason: e.to_string(),
            })?;
        // A handful of systems exist: each is built once and kept for the process.
        let proj: &'static Proj = Box::leak(Box::new(proj));
        cache.push((self, proj));
        Ok(proj)
    }

    /// Projected `x`, `y` (or lon, lat for WGS84) to WGS84.
    pub fn to_wgs84(self, x: f64, y: f64) -> Result<LonLat, ProjectionError> {
        let failed = |reason: String| ProjectionError::Failed { crs: self, reason };
        if self == Crs::Wgs84 {
            return LonLat::new(x, y).map_err(|e| failed(e.to_string()));
        }
        let (src, dst) = (self.proj()?, Crs::Wgs84.proj()?);
        let mut p = (x, y, 0.0);
        proj4rs::transform::transform(src, dst, &mut p).map_err(|e| failed(e.to_string()))?;
        let (lon, lat) = (p.0.to_degrees(), p.1.to_degrees());
        let inside =
            (FRANCE[0]..=FRANCE[2]).contains(&lon) && (FRANCE[1]..=FRANCE[3]).contains(&lat);
        if !inside {
            return Err(ProjectionError::OutsideFrance {
                x,
                y,
                crs: self,
                lon,
                lat,
            });
        }
        LonLat::new(lon, lat).map_err(|e| failed(e.to_string()))
    }
}

/// A WGS84 position in Lambert 93 metres (for grids: valid over metropolitan France).
pub fn to_lambert93(p: LonLat) -> Result<(f64, f64), ProjectionError> {
    let mut q = (p.lon().to_radians(), p.lat().to_radians(), 0.0);
    proj4rs::transform::transform(Crs::Wgs84.proj()?, Crs::Lambert93.proj()?, &mut q).map_err(
        |e| ProjectionError::Failed {
            crs: Crs::Lambert93,
            reason: e.to_string(),
        },
    )?;
    Ok((q.0, q.1))
}

fn cc_false_northing(zone: u8) -> f64 {
    (f64::from(zone) - 41.0) * 1_000_000.0 + 200_000.0
}

/// Places projected coordinates: in the `named` system when the values fit it, else in
/// the system their magnitude gives ([`Crs::guess`]). Returns the system used.
pub fn resolve(named: Option<Crs>, x: f64, y: f64) -> Result<(Crs, LonLat), ProjectionError> {
    let crs = match named {
        Some(c) if c.plausible(x, y) => c,
        _ => Crs::guess(x, y).ok_or_else(|| ProjectionError::Implausible {
            x,
            y,
            named: named.map_or_else(|| "unnamed".to_owned(), |c| c.to_string()),
        })?,
    };
    Ok((crs, crs.to_wgs84(x, y)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::distance_m;

    fn close(p: LonLat, lon: f64, lat: f64, within_m: f64) {
        let d = distance_m(p, LonLat::new(lon, lat).expect("pos"));
        assert!(d < within_m, "{p:?} is {d:.3} m from {lon}, {lat}");
    }

    #[test]
    fn origins_of_the_projections_land_on_their_defining_points() {
        // Each projection's false origin is its central meridian at its latitude of origin.
        close(
            Crs::Lambert93
                .to_wgs84(700_000.0, 6_600_000.0)
                .expect("l93"),
            3.0,
            46.5,
            0.01,
        );
        close(
            Crs::Cc(43)
                .to_wgs84(1_700_000.0, 2_200_000.0)
                .expect("cc43"),
            3.0,
            43.0,
            0.01,
        );
        close(
            Crs::Cc(49)
                .to_wgs84(1_700_000.0, 8_200_000.0)
                .expect("cc49"),
            3.0,
            49.0,
            0.01,
        );
        // NTF origins are on the Paris meridian (2°20'14.025" E) in the NTF datum; the
        // datum shift to WGS84 moves them by a few tens of metres at most.
        let paris = 2.0 + 20.0 / 60.0 + 14.025 / 3600.0;
        close(
            Crs::Ntf {
                zone: 2,
                carto: true,
            }
            .to_wgs84(600_000.0, 2_200_000.0)
            .expect("l2e"),
            paris,
            46.8,
            150.0,
        );
        close(
            Crs::Ntf {
                zone: 3,
                carto: false,
            }
            .to_wgs84(600_000.0, 200_000.0)
            .expect("l3"),
            paris,
            44.1,
            150.0,
        );
    }

    #[test]
    fn the_same_place_in_every_system_agrees() {
        // A point in Seine-et-Marne given in Lambert 93, back and forth through the others.
        let l93 = Crs::Lambert93
            .to_wgs84(728_950.0, 6_826_350.0)
            .expect("l93");
        for crs in [
            Crs::Cc(48),
            Crs::Cc(49),
            Crs::Ntf {
                zone: 1,
                carto: false,
            },
            Crs::Ntf {
                zone: 2,
                carto: true,
            },
        ] {
            // Forward through proj4rs from WGS84, then back with to_wgs84.
            let src = Crs::Wgs84.proj().expect("wgs");
            let mut p = (l93.lon().to_radians(), l93.lat().to_radians(), 0.0);
            proj4rs::transform::transform(src, crs.proj().expect("proj"), &mut p).expect("forward");
            assert!(crs.plausible(p.0, p.1), "{crs}: {p:?}");
            close(
                crs.to_wgs84(p.0, p.1).expect("back"),
                l93.lon(),
                l93.lat(),
                0.01,
            );
        }
        // Inside Seine-et-Marne's box, as the made-up Lambert 93 point was chosen.
        assert!(
            (2.39..3.56).contains(&l93.lon()) && (48.12..49.12).contains(&l93.lat()),
            "{l93:?}"
        );
    }

    #[test]
    fn lambert93_forward_inverts_to_wgs84() {
        let p = LonLat::new(3.2995, 48.5601).expect("pos");
        let (x, y) = to_lambert93(p).expect("forward");
        assert!(Crs::Lambert93.plausible(x, y));
        close(
            Crs::Lambert93.to_wgs84(x, y).expect("back"),
            p.lon(),
            p.lat(),
            0.001,
        );
        let (x0, y0) = to_lambert93(LonLat::new(3.0, 46.5).expect("origin")).expect("origin");
        assert!((x0 - 700_000.0).abs() < 0.01 && (y0 - 6_600_000.0).abs() < 0.01);
    }

    #[test]
    fn zone_labels() {
        assert_eq!(Crs::from_label("Lambert93"), Some(Crs::Lambert93));
        assert_eq!(Crs::from_label("Lambert 93"), Some(Crs::Lambert93));
        assert_eq!(
            Crs::from_label("Lambert3 sud"),
            Some(Crs::Ntf {
                zone: 3,
                carto: false
            })
        );
        assert_eq!(
            Crs::from_label("Lambert II étendu"),
            Some(Crs::Ntf {
                zone: 2,
                carto: true
            })
        );
        assert_eq!(
            Crs::from_label("Lambert zone 1"),
            Some(Crs::Ntf {
                zone: 1,
                carto: false
            })
        );
        assert_eq!(
            Crs::from_label("Lambert IV"),
            Some(Crs::Ntf {
                zone: 4,
                carto: false
            })
        );
        assert_eq!(
            Crs::from_label("Lambert III"),
            Some(Crs::Ntf {
                zone: 3,
                carto: false
            })
        );
        assert_eq!(Crs::from_label("CC43"), Some(Crs::Cc(43)));
        assert_eq!(Crs::from_label("WGS84"), Some(Crs::Wgs84));
        assert_eq!(Crs::from_label("CC51"), None);
        assert_eq!(Crs::from_label("Lambert 7"), None);
        assert_eq!(Crs::from_label(""), None);
    }

    #[test]
    fn mislabelled_values_are_resolved_by_their_magnitude() {
        // Labelled Lambert 93, but a CC43 northing: a Toulouse inventory trap.
        let (crs, p) = resolve(Some(Crs::Lambert93), 1_576_050.27, 2_271_665.12).expect("resolved");
        assert_eq!(crs, Crs::Cc(43));
        close(p, 1.463876, 43.634898, 2.0);
        // Correctly labelled values keep their label.
        let (crs, p) = resolve(
            Some(Crs::Ntf {
                zone: 3,
                carto: false,
            }),
            529_649.18,
            148_831.74,
        )
        .expect("l3");
        assert_eq!(
            crs,
            Crs::Ntf {
                zone: 3,
                carto: false
            }
        );
        close(p, 1.464670, 43.636049, 10.0);
        // Values that belong nowhere are refused with both numbers in the message.
        let e = resolve(Some(Crs::Lambert93), 12.0, 34.0).expect_err("implausible");
        assert!(e.to_string().contains("12;34"), "{e}");
        // Plausible for the label's ranges but outside France once projected.
        assert!(matches!(
            Crs::Cc(42).to_wgs84(2_390_000.0, 1_060_000.0),
            Err(ProjectionError::OutsideFrance { .. })
        ));
    }
}
