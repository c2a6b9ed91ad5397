//! A vector basemap of the territory made from the store's own open data, in the layers
//! and fields of the Protomaps basemap schema so that its style draws it: the land
//! (`earth`), commune limits (`boundaries`), commune names (`places`) and the circuits'
//! paths (`roads`). Written as one PMTiles file.
//!
//! It is what the demo draws out of the box and what the tests cut the network under; a
//! deployment draws a full Protomaps extract of its region the same way.

use super::TileError;
use super::mvt::{EXTENT, Feature, Geometry, TileEncoder, Value, World};
use balade_core::store::Store;
use balade_core::{Area, LonLat};
use pmtiles::{PmTilesWriter, TileCoord, TileId, TileType};
use std::ops::RangeInclusive;
use std::path::Path;

/// Zooms written: from the whole département to the streets of a village. Maps zoom
/// further by drawing the deepest tiles larger.
pub const ZOOMS: RangeInclusive<u8> = 6..=14;
/// Land drawn around the data, in degrees.
const MARGIN_DEG: f64 = 0.05;
const ATTRIBUTION: &str = "Balade – données du territoire";
const NAME: &str = "Territoire (Balade)";

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Built {
    pub tiles: usize,
    pub bytes: u64,
}

/// One layer's features with their boxes in world units (`[x0, y0, x1, y1]`), to skip
/// the tiles they do not reach.
struct Layer {
    name: &'static str,
    features: Vec<(Feature, [f64; 4])>,
}

fn boxed(feature: Feature) -> (Feature, [f64; 4]) {
    let mut b = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
    let mut grow = |w: &World| {
        b = [b[0].min(w.0), b[1].min(w.1), b[2].max(w.0), b[3].max(w.1)];
    };
    match &feature.geometry {
        Geometry::Point(w) => grow(w),
        Geometry::Lines(lines) => lines.iter().flatten().for_each(grow),
        Geometry::Polygons(p) => p.iter().flatten().flatten().for_each(grow),
    }
    (feature, b)
}

fn world(p: LonLat) -> World {
    World::of(p.lon(), p.lat())
}

fn text(s: &str) -> Value {
    Value::Text(s.to_owned())
}

/// The label point of a commune: the centroid of its largest polygon's outer ring.
fn label_point(polygons: &[Vec<Vec<LonLat>>]) -> Option<World> {
    let ring_of = |p: &Vec<Vec<LonLat>>| p.first().cloned().unwrap_or_default();
    let area_centroid = |ring: &[LonLat]| {
        let (mut a, mut cx, mut cy) = (0.0, 0.0, 0.0);
        for (i, p) in ring.iter().enumerate() {
            let q = ring[(i + 1) % ring.len()];
            let cross = p.lon() * q.lat() - q.lon() * p.lat();
            a += cross;
            cx += (p.lon() + q.lon()) * cross;
            cy += (p.lat() + q.lat()) * cross;
        }
        (a / 2.0, cx / (3.0 * a), cy / (3.0 * a))
    };
    polygons
        .iter()
        .map(|p| area_centroid(&ring_of(p)))
        .filter(|(a, x, y)| *a != 0.0 && x.is_finite() && y.is_finite())
        .max_by(|a, b| a.0.abs().total_cmp(&b.0.abs()))
        .map(|(_, x, y)| World::of(x, y))
}

/// The layers of the territory, and its box in degrees `[west, south, east, north]`.
async fn layers(store: &dyn Store) -> Result<(Vec<Layer>, [f64; 4]), TileError> {
    let read = |e: &dyn std::fmt::Display| TileError::Read(e.to_string());
    let communes = store.communes().await.map_err(|e| read(&e))?;
    let circuits = store.all_circuits().await.map_err(|e| read(&e))?;
    let mut bounds = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
    let mut grow = |p: LonLat| {
        bounds = [
            bounds[0].min(p.lon()),
            bounds[1].min(p.lat()),
            bounds[2].max(p.lon()),
            bounds[3].max(p.lat()),
        ];
    };
    for c in &communes {
        c.polygons()
            .iter()
            .flatten()
            .flatten()
            .for_each(|p| grow(*p));
    }
    for c in &circuits {
        c.trace.points().for_each(|p| grow(p.pos));
    }
    if bounds[0] > bounds[2] {
        return Err(TileError::Read(
            "the store holds no commune and no circuit: nothing to draw".into(),
        ));
    }
    let bounds = [
        bounds[0] - MARGIN_DEG,
        bounds[1] - MARGIN_DEG,
        bounds[2] + MARGIN_DEG,
        bounds[3] + MARGIN_DEG,
    ];
    let [w, s, e, n] = bounds;
    let earth = Feature {
        geometry: Geometry::Polygons(vec![vec![vec![
            World::of(w, n),
            World::of(e, n),
            World::of(e, s),
            World::of(w, s),
        ]]]),
        properties: vec![("kind", text("earth"))],
    };
    let boundaries = communes
        .iter()
        .map(|c| {
            let rings = c
                .polygons()
                .iter()
                .flatten()
                .map(|ring| ring.iter().copied().map(world).collect())
                .collect();
            Feature {
                geometry: Geometry::Lines(rings),
                // A commune is administrative level 8 in France.
                properties: vec![("kind", text("locality")), ("kind_detail", Value::Int(8))],
            }
        })
        .collect::<Vec<_>>();
    let places = communes
        .iter()
        .filter_map(|c| {
            let at = label_point(c.polygons())?;
            Some(Feature {
                geometry: Geometry::Point(at),
                properties: vec![
                    ("kind", text("locality")),
                    ("name", text(&c.name)),
                    ("min_zoom", Value::Int(9)),
                    ("population_rank", Value::Int(8)),
                    ("sort_key", Value::Int(9)),
                ],
            })
        })
        .collect::<Vec<_>>();
    let roads = circuits
        .iter()
        .map(|c| Feature {
            geometry: Geometry::Lines(vec![c.trace.points().map(|p| world(p.pos)).collect()]),
            properties: vec![
                ("kind", text("path")),
                ("kind_detail", text("path")),
                ("name", text(&c.name)),
                ("min_zoom", Value::Int(12)),
            ],
        })
        .collect::<Vec<_>>();
    let layer = |name, features: Vec<Feature>| Layer {
        name,
        features: features.into_iter().map(boxed).collect(),
    };
    Ok((
        vec![
            layer("earth", vec![earth]),
            layer("boundaries", boundaries),
            layer("roads", roads),
            layer("places", places),
        ],
        bounds,
    ))
}

/// The tile `z/x/y` of `layers`, empty when nothing reaches it.
fn encode(layers: &[Layer], z: u8, x: u32, y: u32) -> Vec<u8> {
    let n = f64::from(1u32 << z);
    // The tile in world units, grown by the encoder's margin.
    let pad = 64.0 / f64::from(EXTENT) / n;
    let [x0, y0] = [f64::from(x) / n - pad, f64::from(y) / n - pad];
    let [x1, y1] = [f64::from(x + 1) / n + pad, f64::from(y + 1) / n + pad];
    let mut tile = TileEncoder::new(z, x, y);
    for layer in layers {
        let here = (layer.features.iter())
            .filter(|(_, b)| b[0] <= x1 && b[2] >= x0 && b[1] <= y1 && b[3] >= y0)
            .map(|(f, _)| f);
        tile.add_layer(layer.name, here);
    }
    tile.finish()
}

/// Writes the territory's basemap to `out` (aside, then renamed: never half a file).
pub async fn build(store: &dyn Store, out: &Path) -> Result<Built, TileError> {
    let (layers, [w, s, e, n]) = layers(store).await?;
    let write = |e: &dyn std::fmt::Display| TileError::Read(format!("{}: {e}", out.display()));
    let mut coords = Vec::new();
    for z in ZOOMS {
        let (x0, y0) = super::tile_of(w, n, z);
        let (x1, y1) = super::tile_of(e, s, z);
        for x in x0..=x1 {
            for y in y0..=y1 {
                coords.push(TileCoord::new(z, x, y).map_err(|e| write(&e))?);
            }
        }
    }
    // The archive reads fastest with tiles in the order of their ids.
    coords.sort_by_key(|c| TileId::from(*c).value());
    let metadata = serde_json::json!({
        "name": NAME,
        "attribution": ATTRIBUTION,
        "vector_layers": layers.iter().map(|l| serde_json::json!({"id": l.name, "fields": {}})).collect::<Vec<_>>(),
    });
    let aside = out.with_extension("partial");
    let file = std::fs::File::create(&aside).map_err(|e| write(&e))?;
    let result = (|| {
        let mut writer = PmTilesWriter::new(TileType::Mvt)
            .min_zoom(*ZOOMS.start())
            .max_zoom(*ZOOMS.end())
            .bounds(w, s, e, n)
            .center((w + e) / 2.0, (s + n) / 2.0)
            .center_zoom(10)
            .metadata(metadata.to_string())
            .create(file)
            .map_err(|e| write(&e))?;
        let mut tiles = 0;
        for c in coords {
            let bytes = encode(&layers, c.z(), c.x(), c.y());
            if !bytes.is_empty() {
                writer.add_tile(c, &bytes).map_err(|e| write(&e))?;
                tiles += 1;
            }
        }
        writer.finalize().map_err(|e| write(&e))?;
        Ok(tiles)
    })();
    let tiles = match result.and_then(|t| {
        std::fs::rename(&aside, out).map_err(|e| write(&e))?;
        Ok(t)
    }) {
        Ok(t) => t,
        Err(e) => {
            let _ = std::fs::remove_file(&aside);
            return Err(e);
        }
    };
    let bytes = std::fs::metadata(out).map_err(|e| write(&e))?.len();
    Ok(Built { tiles, bytes })
}

/// The credit of a basemap built here.
pub fn attribution() -> &'static str {
    ATTRIBUTION
}
