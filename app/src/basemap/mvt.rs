//! Mapbox Vector Tile encoding (specification 2.1): layers of points, lines and
//! polygons in tile coordinates, clipped to the tile with a margin so that strokes meet
//! across tile edges.
//!
//! Written here rather than taken from a crate: the few messages it needs are a page of
//! protobuf, and the crates that encode them bring a protobuf compiler or a geometry
//! stack along.

use std::collections::HashMap;

/// Tile coordinates run from 0 to `EXTENT` across a tile, y downwards.
pub const EXTENT: i32 = 4096;
/// How far beyond its edges a tile keeps geometry, in tile units (a stroke's width).
const MARGIN: f64 = 64.0;

/// A position in Web Mercator "world" units at zoom 0: x and y in `[0, 1)`, y down.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct World(pub f64, pub f64);

impl World {
    pub fn of(lon: f64, lat: f64) -> Self {
        let lat = lat.clamp(-85.051_128, 85.051_128).to_radians();
        let x = (lon + 180.0) / 360.0;
        let y = (1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0;
        Self(x, y)
    }
}

/// A feature's geometry in world units. Polygon rings are closed implicitly.
#[derive(Debug, Clone)]
pub enum Geometry {
    Point(World),
    Lines(Vec<Vec<World>>),
    /// Each polygon: its outer ring first, then its holes.
    Polygons(Vec<Vec<Vec<World>>>),
}

/// A property value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Value {
    Text(String),
    Int(i64),
}

#[derive(Debug, Clone)]
pub struct Feature {
    pub geometry: Geometry,
    pub properties: Vec<(&'static str, Value)>,
}

/// One tile being encoded: `layer name → features`, in the order layers were added.
pub struct TileEncoder {
    z: u8,
    x: u32,
    y: u32,
    layers: Vec<EncodedLayer>,
}

struct EncodedLayer {
    name: &'static str,
    features: Vec<u8>,
    count: usize,
    keys: Vec<&'static str>,
    values: Vec<Value>,
}

impl TileEncoder {
    pub fn new(z: u8, x: u32, y: u32) -> Self {
        Self {
            z,
            x,
            y,
            layers: Vec::new(),
        }
    }

    /// Tile units of a world position.
    fn project(&self, w: World) -> (f64, f64) {
        let n = f64::from(1u32 << self.z);
        (
            (w.0 * n - f64::from(self.x)) * f64::from(EXTENT),
            (w.1 * n - f64::from(self.y)) * f64::from(EXTENT),
        )
    }

    /// Adds the parts of `features` that fall on this tile to layer `name`.
    pub fn add_layer<'f>(
        &mut self,
        name: &'static str,
        features: impl IntoIterator<Item = &'f Feature>,
    ) {
        let mut layer = EncodedLayer {
            name,
            features: Vec::new(),
            count: 0,
            keys: Vec::new(),
            values: Vec::new(),
        };
        let mut key_index: HashMap<&'static str, u32> = HashMap::new();
        let mut value_index: HashMap<Value, u32> = HashMap::new();
        for f in features {
            let Some((kind, commands)) = self.geometry(&f.geometry) else {
                continue;
            };
            let mut tags = Vec::with_capacity(f.properties.len() * 2);
            for (k, v) in &f.properties {
                let key = *key_index.entry(k).or_insert_with(|| {
                    layer.keys.push(k);
                    (layer.keys.len() - 1) as u32
                });
                // By a map, not a search of the list: a layer may name thousands.
                let value = *value_index.entry(v.clone()).or_insert_with(|| {
                    layer.values.push(v.clone());
                    (layer.values.len() - 1) as u32
                });
                tags.extend([key, value]);
            }
            let mut feature = Vec::new();
            packed(&mut feature, 2, &tags);
            field_varint(&mut feature, 3, kind);
            packed(&mut feature, 4, &commands);
            field_bytes(&mut layer.features, 2, &feature);
            layer.count += 1;
        }
        if layer.count > 0 {
            self.layers.push(layer);
        }
    }

    /// `(type, commands)` of a geometry on this tile, `None` when nothing of it is here.
    fn geometry(&self, g: &Geometry) -> Option<(u64, Vec<u32>)> {
        let low = -MARGIN;
        let high = f64::from(EXTENT) + MARGIN;
        let mut cursor = (0i32, 0i32);
        let mut commands = Vec::new();
        match g {
            Geometry::Point(w) => {
                let (px, py) = self.project(*w);
                if !(0.0..f64::from(EXTENT)).contains(&px)
                    || !(0.0..f64::from(EXTENT)).contains(&py)
                {
                    return None;
                }
                let p = (px.round() as i32, py.round() as i32);
                commands.push(command(1, 1));
                move_to(&mut commands, &mut cursor, p);
                Some((1, commands))
            }
            Geometry::Lines(lines) => {
                for line in lines {
                    let projected: Vec<(f64, f64)> =
                        line.iter().map(|w| self.project(*w)).collect();
                    for run in runs_within(&projected, low, high) {
                        let points = quantized(&run);
                        if points.len() < 2 {
                            continue;
                        }
                        commands.push(command(1, 1));
                        move_to(&mut commands, &mut cursor, points[0]);
                        commands.push(command(2, points.len() as u32 - 1));
                        for &p in &points[1..] {
                            move_to(&mut commands, &mut cursor, p);
                        }
                    }
                }
                (!commands.is_empty()).then_some((2, commands))
            }
            Geometry::Polygons(polygons) => {
                for rings in polygons {
                    for (i, ring) in rings.iter().enumerate() {
                        let projected: Vec<(f64, f64)> =
                            ring.iter().map(|w| self.project(*w)).collect();
                        let mut points = quantized(&clip_ring(&projected, low, high));
                        if points.len() > 1 && points.first() == points.last() {
                            points.pop();
                        }
                        if points.len() < 3 || area2(&points) == 0 {
                            // An outer ring gone takes its holes with it.
                            if i == 0 {
                                break;
                            }
                            continue;
                        }
                        // Outer rings turn clockwise on screen (positive area with y
                        // down), holes the other way.
                        if (area2(&points) > 0) != (i == 0) {
                            points.reverse();
                        }
                        commands.push(command(1, 1));
                        move_to(&mut commands, &mut cursor, points[0]);
                        commands.push(command(2, points.len() as u32 - 1));
                        for &p in &points[1..] {
                            move_to(&mut commands, &mut cursor, p);
                        }
                        commands.push(command(7, 1));
                    }
                }
                (!commands.is_empty()).then_some((3, commands))
            }
        }
    }

    /// The encoded tile; empty when no layer holds anything.
    pub fn finish(self) -> Vec<u8> {
        let mut tile = Vec::new();
        for layer in self.layers {
            let mut body = Vec::new();
            field_varint(&mut body, 15, 2);
            field_bytes(&mut body, 1, layer.name.as_bytes());
            body.extend_from_slice(&layer.features);
            for k in &layer.keys {
                field_bytes(&mut body, 3, k.as_bytes());
            }
            for v in &layer.values {
                let mut value = Vec::new();
                match v {
                    Value::Text(s) => field_bytes(&mut value, 1, s.as_bytes()),
                    Value::Int(i) => field_varint(&mut value, 6, zigzag64(*i)),
                }
                field_bytes(&mut body, 4, &value);
            }
            field_varint(&mut body, 5, EXTENT as u64);
            field_bytes(&mut tile, 3, &body);
        }
        tile
    }
}

/// Consecutive points rounded to tile units, repeats dropped.
fn quantized(points: &[(f64, f64)]) -> Vec<(i32, i32)> {
    let mut out: Vec<(i32, i32)> = Vec::with_capacity(points.len());
    for &(x, y) in points {
        let p = (x.round() as i32, y.round() as i32);
        if out.last() != Some(&p) {
            out.push(p);
        }
    }
    out
}

/// What is left of a segment in a square.
struct Clipped {
    start: (f64, f64),
    end: (f64, f64),
    /// Whether each end is the segment's own.
    start_kept: bool,
    end_kept: bool,
}

/// The segment `a → b` cut to the square `[low, high]²` (Liang–Barsky).
fn clip_segment(a: (f64, f64), b: (f64, f64), low: f64, high: f64) -> Option<Clipped> {
    let d = (b.0 - a.0, b.1 - a.1);
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    for (p, q) in [
        (-d.0, a.0 - low),
        (d.0, high - a.0),
        (-d.1, a.1 - low),
        (d.1, high - a.1),
    ] {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
        } else if p < 0.0 {
            t0 = t0.max(q / p);
        } else {
            t1 = t1.min(q / p);
        }
        if t0 > t1 {
            return None;
        }
    }
    let at = |t: f64| (a.0 + t * d.0, a.1 + t * d.1);
    Some(Clipped {
        start: if t0 == 0.0 { a } else { at(t0) },
        end: if t1 == 1.0 { b } else { at(t1) },
        start_kept: t0 == 0.0,
        end_kept: t1 == 1.0,
    })
}

/// The stretches of a line within the square `[low, high]²`, cut where they cross
/// its edges: renderers refuse coordinates far outside a tile.
fn runs_within(points: &[(f64, f64)], low: f64, high: f64) -> Vec<Vec<(f64, f64)>> {
    let mut runs = Vec::new();
    let mut run: Vec<(f64, f64)> = Vec::new();
    for pair in points.windows(2) {
        match clip_segment(pair[0], pair[1], low, high) {
            Some(Clipped {
                start,
                end,
                start_kept,
                end_kept,
            }) => {
                // A run goes on only from the point it reached.
                if !start_kept || run.is_empty() {
                    if run.len() > 1 {
                        runs.push(std::mem::take(&mut run));
                    }
                    run.clear();
                    run.push(start);
                }
                run.push(end);
                if !end_kept {
                    runs.push(std::mem::take(&mut run));
                }
            }
            None => {
                if run.len() > 1 {
                    runs.push(std::mem::take(&mut run));
                }
                run.clear();
            }
        }
    }
    if run.len() > 1 {
        runs.push(run);
    }
    runs
}

/// The ring cut to the square `[low, high]²` (Sutherland–Hodgman, one edge at a time).
fn clip_ring(ring: &[(f64, f64)], low: f64, high: f64) -> Vec<(f64, f64)> {
    let mut out = ring.to_vec();
    // (axis, bound, keep below?)
    for (axis, bound, below) in [
        (0, low, false),
        (0, high, true),
        (1, low, false),
        (1, high, true),
    ] {
        let inside = |p: (f64, f64)| {
            let v = if axis == 0 { p.0 } else { p.1 };
            if below { v <= bound } else { v >= bound }
        };
        let cut = |a: (f64, f64), b: (f64, f64)| {
            let (va, vb) = if axis == 0 { (a.0, b.0) } else { (a.1, b.1) };
            let t = (bound - va) / (vb - va);
            (a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1))
        };
        let input = std::mem::take(&mut out);
        let Some(&last) = input.last() else {
            return out;
        };
        let mut prev = last;
        for &p in &input {
            match (inside(prev), inside(p)) {
                (true, true) => out.push(p),
                (true, false) => out.push(cut(prev, p)),
                (false, true) => {
                    out.push(cut(prev, p));
                    out.push(p);
                }
                (false, false) => {}
            }
            prev = p;
        }
    }
    out
}

/// Twice the signed area (shoelace), in tile units: positive is clockwise on screen.
fn area2(points: &[(i32, i32)]) -> i64 {
    let mut sum = 0i64;
    for (i, a) in points.iter().enumerate() {
        let b = points[(i + 1) % points.len()];
        sum += i64::from(a.0) * i64::from(b.1) - i64::from(b.0) * i64::from(a.1);
    }
    sum
}

fn command(id: u32, count: u32) -> u32 {
    (id & 0x7) | (count << 3)
}

fn move_to(commands: &mut Vec<u32>, cursor: &mut (i32, i32), p: (i32, i32)) {
    commands.push(zigzag32(p.0 - cursor.0));
    commands.push(zigzag32(p.1 - cursor.1));
    *cursor = p;
}

fn zigzag32(n: i32) -> u32 {
    ((n << 1) ^ (n >> 31)) as u32
}

fn zigzag64(n: i64) -> u64 {
    ((n << 1) ^ (n >> 63)) as u64
}

fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn field_varint(out: &mut Vec<u8>, field: u32, v: u64) {
    varint(out, u64::from(field << 3));
    varint(out, v);
}

fn field_bytes(out: &mut Vec<u8>, field: u32, bytes: &[u8]) {
    varint(out, u64::from(field << 3 | 2));
    varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

fn packed(out: &mut Vec<u8>, field: u32, values: &[u32]) {
    let mut body = Vec::with_capacity(values.len() * 2);
    for &v in values {
        varint(&mut body, u64::from(v));
    }
    field_bytes(out, field, &body);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads back what `finish` wrote, field by field: (field, wire type, payload).
    fn fields(mut bytes: &[u8]) -> Vec<(u32, u8, Vec<u8>)> {
        fn read_varint(bytes: &mut &[u8]) -> u64 {
            let mut v = 0u64;
            let mut shift = 0;
            loop {
                let b = bytes[0];
                *bytes = &bytes[1..];
                v |= u64::from(b & 0x7f) << shift;
                if b < 0x80 {
                    return v;
                }
                shift += 7;
            }
        }
        let mut out = Vec::new();
        while !bytes.is_empty() {
            let key = read_varint(&mut bytes);
            let (field, wire) = ((key >> 3) as u32, (key & 7) as u8);
            let payload = match wire {
                0 => {
                    let mut v = Vec::new();
                    varint(&mut v, read_varint(&mut bytes));
                    v
                }
                2 => {
                    let len = read_varint(&mut bytes) as usize;
                    let (p, rest) = bytes.split_at(len);
                    bytes = rest;
                    p.to_vec()
                }
                other => panic!("wire type {other}"),
            };
            out.push((field, wire, payload));
        }
        out
    }

    fn unpacked(bytes: &[u8]) -> Vec<u32> {
        let mut out = Vec::new();
        let (mut v, mut shift) = (0u32, 0);
        for &b in bytes {
            v |= u32::from(b & 0x7f) << shift;
            if b < 0x80 {
                out.push(v);
                (v, shift) = (0, 0);
            } else {
                shift += 7;
            }
        }
        out
    }

    /// The absolute positions a command stream visits.
    fn absolute(commands: &[u32]) -> Vec<(i32, i32)> {
        let (mut x, mut y) = (0i64, 0i64);
        let mut points = Vec::new();
        let unzig = |v: u32| i64::from((v >> 1) as i32 ^ -((v & 1) as i32));
        let mut i = 0;
        while i < commands.len() {
            let (id, count) = (commands[i] & 7, commands[i] >> 3);
            i += 1;
            if id == 7 {
                continue;
            }
            for _ in 0..count {
                x += unzig(commands[i]);
                y += unzig(commands[i + 1]);
                points.push((x as i32, y as i32));
                i += 2;
            }
        }
        points
    }

    fn square(w: f64, n: f64, size: f64) -> Vec<World> {
        vec![
            World(w, n),
            World(w + size, n),
            World(w + size, n + size),
            World(w, n + size),
        ]
    }

    #[test]
    fn a_point_is_encoded_as_the_specification_example() {
        // The specification's example: a point at (25, 17) is [9, 50, 34].
        let mut t = TileEncoder::new(0, 0, 0);
        let at = World(25.0 / 4096.0, 17.0 / 4096.0);
        t.add_layer(
            "places",
            &[Feature {
                geometry: Geometry::Point(at),
                properties: vec![
                    ("name", Value::Text("Provins".into())),
                    ("min_zoom", Value::Int(8)),
                ],
            }],
        );
        let tile = t.finish();
        let layers = fields(&tile);
        assert_eq!(layers.len(), 1);
        assert_eq!(layers[0].0, 3);
        let layer = fields(&layers[0].2);
        let name = layer.iter().find(|f| f.0 == 1).unwrap();
        assert_eq!(name.2, b"places");
        let feature = fields(&layer.iter().find(|f| f.0 == 2).unwrap().2);
        let geometry = unpacked(&feature.iter().find(|f| f.0 == 4).unwrap().2);
        assert_eq!(geometry, vec![9, 50, 34]);
        let tags = unpacked(&feature.iter().find(|f| f.0 == 2).unwrap().2);
        assert_eq!(tags, vec![0, 0, 1, 1]);
        let keys: Vec<_> = layer
            .iter()
            .filter(|f| f.0 == 3)
            .map(|f| f.2.clone())
            .collect();
        assert_eq!(keys, vec![b"name".to_vec(), b"min_zoom".to_vec()]);
        let extent = layer.iter().find(|f| f.0 == 5).unwrap();
        assert_eq!(extent.2, vec![0x80, 0x20]);
    }

    #[test]
    fn polygons_are_clipped_and_wound_clockwise() {
        // A square spanning four tiles at zoom 1, drawn anticlockwise on screen.
        let mut ring = square(0.25, 0.25, 0.5);
        ring.reverse();
        let mut t = TileEncoder::new(1, 0, 0);
        let (kind, commands) = t
            .geometry(&Geometry::Polygons(vec![vec![ring]]))
            .expect("on the tile");
        assert_eq!(kind, 3);
        assert_eq!(commands[0], command(1, 1));
        assert_eq!(*commands.last().unwrap(), command(7, 1));
        // Decoded back to absolute points: every one within the tile and its margin.
        let points = absolute(&commands);
        assert!(
            points
                .iter()
                .all(|&(x, y)| (-64..=4160).contains(&x) && (-64..=4160).contains(&y)),
            "{points:?}"
        );
        assert!(area2(&points) > 0, "outer rings turn clockwise");
        assert!(
            points.contains(&(2048, 2048)),
            "the square's corner inside the tile stays"
        );
        // Nothing of it on a tile far away.
        t = TileEncoder::new(3, 7, 7);
        assert!(
            t.geometry(&Geometry::Polygons(vec![vec![square(0.25, 0.25, 0.1)]]))
                .is_none()
        );
    }

    #[test]
    fn lines_keep_only_their_stretches_on_the_tile() {
        let line = vec![
            World(0.1, 0.1),
            World(0.2, 0.1),
            World(0.7, 0.1),
            World(0.8, 0.1),
        ];
        let t = TileEncoder::new(1, 0, 0);
        let (kind, commands) = t.geometry(&Geometry::Lines(vec![line.clone()])).unwrap();
        assert_eq!(kind, 2);
        // MoveTo 1, LineTo 2: (0.1) → (0.2) → (0.7) which crosses the edge; (0.8) is off.
        assert_eq!(commands[0], command(1, 1));
        assert_eq!(commands[3], command(2, 2));
        assert_eq!(commands.len(), 8);
        // Cut at the tile's edge plus its margin: 4096 + 64.
        assert_eq!(absolute(&commands).iter().map(|p| p.0).max(), Some(4160));
        let right = TileEncoder::new(1, 1, 0);
        let (_, commands) = right.geometry(&Geometry::Lines(vec![line])).unwrap();
        assert_eq!(commands[3], command(2, 2), "(edge) → (0.7) → (0.8)");
        assert_eq!(absolute(&commands)[0].0, -64);
        // A line crossing the tile with no point on it keeps the crossing only.
        let across = vec![World(0.1, 0.3), World(0.4, 0.3)];
        let (_, commands) = TileEncoder::new(3, 1, 2)
            .geometry(&Geometry::Lines(vec![across]))
            .unwrap();
        let xs: Vec<i32> = absolute(&commands).iter().map(|p| p.0).collect();
        assert_eq!(xs, vec![-64, 4160]);
        assert!(
            TileEncoder::new(1, 0, 1)
                .geometry(&Geometry::Lines(vec![vec![
                    World(0.1, 0.1),
                    World(0.2, 0.1)
                ]]))
                .is_none()
        );
    }

    #[test]
    fn world_positions_match_web_mercator() {
        let w = World::of(0.0, 0.0);
        assert!((w.0 - 0.5).abs() < 1e-12 && (w.1 - 0.5).abs() < 1e-12);
        // Provins is on tile 14/8345/5650 (the same rule as the tile server's).
        let w = World::of(3.2995, 48.5594);
        let n = f64::from(1u32 << 14);
        assert_eq!(
            ((w.0 * n) as u32, (w.1 * n) as u32),
            crate::basemap::tile_of(3.2995, 48.5594, 14)
        );
    }
}
