//! Where a notice is. Candidates are tried in this order, the inventory's own fields
//! first:
//! 1. `COOR` in the system named by `ZONE` (Lambert 93, CC zones, NTF Lambert, WGS84);
//! 2. `COORLB93` (Toulouse export), said to be Lambert 93;
//! 3. `COORWGS84` (`lat, lon`);
//! 4. positions stated outside the fields: GeoJSON geometry, POP point or coordinates.
//!
//! Projected values are checked against their named system and, when they cannot belong
//! to it, placed in the system their magnitude gives ([`balade_core::projection::resolve`]):
//! the Toulouse `chpcoorlb93` values are in fact CC43. Empty values, placeholders
//! (`X ; Y`) and 0/0 are no location. A candidate that holds numbers no system can place
//! is skipped when a later one places the notice, and refuses the notice otherwise.

use super::Notice;
use balade_core::LonLat;
use balade_core::projection::{Crs, resolve};

/// How a notice was placed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Location {
    /// Placed from `field` in `crs`.
    Placed {
        pos: LonLat,
        crs: Crs,
        field: &'static str,
    },
    /// No usable coordinates anywhere: imported without position.
    None,
}

impl Location {
    pub fn position(self) -> Option<LonLat> {
        match self {
            Location::Placed { pos, .. } => Some(pos),
            Location::None => None,
        }
    }
}

/// The notice's location, or the field whose coordinates cannot be placed and why.
pub fn locate(notice: &Notice) -> Result<Location, (String, String)> {
    let zone = notice.get("ZONE").and_then(Crs::from_label);
    let mut first_fault: Option<(String, String)> = None;
    let mut fault = |field: &str, reason: String| {
        first_fault.get_or_insert((field.to_owned(), reason));
    };
    let projected: [(&'static str, Option<Crs>); 2] =
        [("COOR", zone), ("COORLB93", Some(Crs::Lambert93))];
    for (field, named) in projected {
        let Some((x, y)) = notice.get(field).and_then(pair) else {
            continue;
        };
        // WGS84 pairs are written latitude first in inventories.
        let placed = match named {
            Some(Crs::Wgs84) => wgs84_lat_first(field, x, y),
            _ => resolve(named, x, y)
                .map(|(crs, pos)| Location::Placed { pos, crs, field })
                .map_err(|e| (field.to_owned(), e.to_string())),
        };
        match placed {
            Ok(l) => return Ok(l),
            Err((f, r)) => fault(&f, r),
        }
    }
    if let Some((lat, lon)) = notice.get("COORWGS84").and_then(pair) {
        match wgs84_lat_first("COORWGS84", lat, lon) {
            Ok(l) => return Ok(l),
            Err((f, r)) => fault(&f, r),
        }
    }
    for &(field, lon, lat) in &notice.wgs84 {
        if lon == 0.0 && lat == 0.0 {
            continue;
        }
        match LonLat::new(lon, lat) {
            Ok(pos) => {
                return Ok(Location::Placed {
                    pos,
                    crs: Crs::Wgs84,
                    field,
                });
            }
            Err(e) => fault(field, e.to_string()),
        }
    }
    match first_fault {
        Some(f) => Err(f),
        None => Ok(Location::None),
    }
}

fn wgs84_lat_first(field: &'static str, lat: f64, lon: f64) -> Result<Location, (String, String)> {
    LonLat::new(lon, lat)
        .map(|pos| Location::Placed {
            pos,
            crs: Crs::Wgs84,
            field,
        })
        .map_err(|e| (field.to_owned(), e.to_string()))
}

/// Two numbers from `"0794409;6291409"`, `1576050.27 ; 2271665.12`, `43.63, 1.46` or
/// `829 000 ; 1 829 000`; `None` for empty values, placeholders and 0/0.
pub fn pair(text: &str) -> Option<(f64, f64)> {
    let t = text.trim().trim_matches('"').trim();
    // `;` separates when present, so a comma can be the decimal mark; else a comma.
    let (a, b) = t.split_once(';').or_else(|| t.split_once(','))?;
    let num = |s: &str| -> Option<f64> {
        let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        s.replace(',', ".")
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
    };
    let (x, y) = (num(a)?, num(b)?);
    (x != 0.0 || y != 0.0).then_some((x, y))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notice(fields: &[(&str, &str)]) -> Notice {
        let mut n = Notice::default();
        for (k, v) in fields {
            n.push(k, (*v).to_owned());
        }
        n
    }

    #[test]
    fn pairs_and_placeholders() {
        assert_eq!(pair("\"0794409;6291409\""), Some((794_409.0, 6_291_409.0)));
        assert_eq!(
            pair("1576050.27 ; 2271665.12"),
            Some((1_576_050.27, 2_271_665.12))
        );
        assert_eq!(
            pair("43.6348977, 1.4638762"),
            Some((43.634_897_7, 1.463_876_2))
        );
        assert_eq!(
            pair("829 000,5 ; 1 829 000"),
            Some((829_000.5, 1_829_000.0))
        );
        for none in ["", "X ; Y", "x;y", "0;0", "0 ; 0", ";", "12"] {
            assert_eq!(pair(none), None, "{none}");
        }
    }

    #[test]
    fn zone_decides_and_mislabels_are_resolved() {
        let l3 = notice(&[
            ("chpzone", "Lambert3 sud"),
            ("chpcoor", "529649.175553827 ; 148831.737097628"),
        ]);
        match locate(&l3).expect("placed") {
            Location::Placed { crs, field, .. } => {
                assert_eq!(
                    (crs, field),
                    (
                        Crs::Ntf {
                            zone: 3,
                            carto: false
                        },
                        "COOR"
                    )
                )
            }
            Location::None => panic!("not placed"),
        }
        // Placeholder in COOR: the (mislabelled) Lambert 93 field places it, as CC43.
        let cc = notice(&[
            ("chpzone", "Lambert93"),
            ("chpcoor", "X ; Y"),
            ("chpcoorlb93", "1576050.2707128527 ; 2271665.1204843521"),
        ]);
        match locate(&cc).expect("placed") {
            Location::Placed { crs, field, pos } => {
                assert_eq!((crs, field), (Crs::Cc(43), "COORLB93"));
                assert!((pos.lon() - 1.4639).abs() < 1e-3 && (pos.lat() - 43.6349).abs() < 1e-3);
            }
            Location::None => panic!("not placed"),
        }
    }

    #[test]
    fn garbage_refuses_only_when_nothing_else_places_the_notice() {
        let bad = notice(&[("ZONE", "Lambert93"), ("COOR", "12;34")]);
        let (field, reason) = locate(&bad).expect_err("refused");
        assert_eq!(field, "COOR");
        assert!(reason.contains("12;34"), "{reason}");
        let mut rescued = bad.clone();
        rescued.wgs84.push(("geometry", 2.9, 48.5));
        assert!(matches!(
            locate(&rescued),
            Ok(Location::Placed {
                field: "geometry",
                ..
            })
        ));
        let empty = notice(&[("ZONE", "Lambert93"), ("COOR", "")]);
        assert_eq!(locate(&empty), Ok(Location::None));
        let mut zero = empty.clone();
        zero.wgs84.push(("POP_COORDONNEES", 0.0, 0.0));
        assert_eq!(locate(&zero), Ok(Location::None), "0/0 is no location");
    }

    #[test]
    fn wgs84_fields_are_latitude_first() {
        let n = notice(&[("chpcoorwgs84", "43.6348977447777, 1.46387624120789")]);
        let pos = locate(&n).expect("placed").position().expect("pos");
        assert!((pos.lon() - 1.4638).abs() < 1e-3 && (pos.lat() - 43.6349).abs() < 1e-3);
        let z = notice(&[("ZONE", "WGS84"), ("COOR", "48.5;2.9")]);
        let pos = locate(&z).expect("placed").position().expect("pos");
        assert_eq!((pos.lon(), pos.lat()), (2.9, 48.5));
    }
}
