//! Paints the demo's photos: small landscape-like pictures made from code for the
//! project (sky, sun, layered hills, water, rocks or roofs), one per demo circuit, and
//! writes them as JPEG into a folder (`fixtures/media/` by default). Seeded: the same
//! run paints the same pictures. No photograph of anyone's is used; CC0.
//!
//! `cargo run -p balade-import --example demo_photos -- fixtures/media`

use image::codecs::jpeg::JpegEncoder;
use image::{Rgb, RgbImage};

const WIDTH: u32 = 960;
const HEIGHT: u32 = 600;
/// Low enough for files under 60 KB, high enough to show no blocks on a phone.
const QUALITY: u8 = 72;

/// What a picture shows, in broad strokes.
struct Scene {
    file: &'static str,
    seed: u64,
    sky: ([u8; 3], [u8; 3]),
    hills: [[u8; 3]; 3],
    water: bool,
    /// Sandstone boulders in the foreground (Fontainebleau's rocks).
    rocks: bool,
    /// Towers or a nave on the skyline: (x, width, height) in pixels.
    towers: &'static [(u32, u32, u32)],
}

const SCENES: [Scene; 7] = [
    Scene {
        file: "provins-remparts.jpg",
        seed: 1,
        sky: ([110, 160, 220], [235, 225, 200]),
        hills: [[120, 150, 90], [95, 130, 70], [170, 150, 110]],
        water: false,
        rocks: false,
        towers: &[
            (180, 70, 230),
            (420, 40, 170),
            (520, 300, 90),
            (700, 50, 190),
        ],
    },
    Scene {
        file: "franchard-gorges.jpg",
        seed: 2,
        sky: ([140, 180, 225], [230, 235, 240]),
        hills: [[70, 110, 70], [55, 95, 55], [40, 80, 45]],
        water: false,
        rocks: true,
        towers: &[],
    },
    Scene {
        file: "moret-loing.jpg",
        seed: 3,
        sky: ([120, 170, 230], [250, 220, 180]),
        hills: [[110, 140, 90], [80, 125, 70], [60, 105, 60]],
        water: true,
        rocks: false,
        towers: &[(600, 45, 200), (640, 160, 70)],
    },
    Scene {
        file: "meaux-cite-episcopale.jpg",
        seed: 4,
        sky: ([90, 140, 210], [220, 215, 215]),
        hills: [[140, 150, 110], [110, 135, 90], [90, 120, 80]],
        water: true,
        rocks: false,
        towers: &[(380, 60, 260), (440, 220, 150), (660, 60, 210)],
    },
    Scene {
        file: "grand-morin-guerard-coulommiers.jpg",
        seed: 5,
        sky: ([150, 190, 235], [245, 240, 220]),
        hills: [[130, 160, 100], [100, 145, 80], [75, 120, 65]],
        water: true,
        rocks: false,
        towers: &[],
    },
    Scene {
        file: "barbizon-apremont.jpg",
        seed: 6,
        sky: ([200, 150, 120], [250, 215, 150]),
        hills: [[120, 120, 90], [90, 100, 70], [150, 130, 100]],
        water: false,
        rocks: true,
        towers: &[],
    },
    Scene {
        file: "larchant-dame-jouanne.jpg",
        seed: 7,
        sky: ([100, 150, 215], [225, 230, 235]),
        hills: [[150, 140, 110], [110, 125, 85], [70, 105, 60]],
        water: false,
        rocks: true,
        towers: &[(300, 80, 190), (370, 120, 120)],
    },
];

/// A small seeded generator (xorshift): reproducible pictures without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 40) as f32 / (1u64 << 24) as f32
    }
}

fn mix(a: [u8; 3], b: [u8; 3], t: f32) -> [u8; 3] {
    let t = t.clamp(0.0, 1.0);
    [0, 1, 2].map(|i| (f32::from(a[i]) * (1.0 - t) + f32::from(b[i]) * t) as u8)
}

fn shade(c: [u8; 3], f: f32) -> [u8; 3] {
    c.map(|v| (f32::from(v) * f).clamp(0.0, 255.0) as u8)
}

/// Towers and naves, dark against the sky; nearer ridges then hide their feet.
fn skyline(img: &mut RgbImage, towers: &[(u32, u32, u32)], h: f32) {
    for &(x0, tw, th) in towers {
        let foot = h * 0.72;
        for x in x0..(x0 + tw).min(WIDTH) {
            let roof = if tw < 100 {
                // A pointed roof on narrow towers.
                let mid = (x as f32 - (x0 + tw / 2) as f32).abs() / (tw as f32 / 2.0);
                th as f32 + 30.0 * (1.0 - mid)
            } else {
                th as f32
            };
            let top = (foot - roof).max(0.0) as u32;
            for y in top..(foot as u32) {
                img.put_pixel(x, y, Rgb([92, 84, 80]));
            }
        }
    }
}

fn paint(scene: &Scene) -> RgbImage {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ scene.seed.wrapping_mul(0x2545_F491));
    let (w, h) = (WIDTH as f32, HEIGHT as f32);
    let mut img = RgbImage::new(WIDTH, HEIGHT);
    // Sky: a vertical gradient, a sun with a soft halo.
    let sun = (
        w * (0.15 + 0.7 * rng.next()),
        h * (0.12 + 0.15 * rng.next()),
    );
    for (x, y, px) in img.enumerate_pixels_mut() {
        let t = y as f32 / (h * 0.7);
        let mut c = mix(scene.sky.0, scene.sky.1, t);
        let d = ((x as f32 - sun.0).powi(2) + (y as f32 - sun.1).powi(2)).sqrt();
        let glow = (1.0 - d / 160.0).max(0.0).powi(2);
        c = mix(c, [255, 245, 215], if d < 28.0 { 1.0 } else { glow * 0.6 });
        *px = Rgb(c);
    }
    // Three ridges, far to near: sums of sines with seeded phases.
    let water_line = if scene.water { h * 0.74 } else { h + 1.0 };
    for (layer, colour) in scene.hills.iter().enumerate() {
        if layer == 1 {
            skyline(&mut img, scene.towers, h);
        }
        let base = h * (0.45 + 0.12 * layer as f32);
        let amp = h * (0.05 + 0.03 * layer as f32);
        let phases: Vec<f32> = (0..3).map(|_| rng.next() * std::f32::consts::TAU).collect();
        for x in 0..WIDTH {
            let xf = x as f32 / w;
            let ridge = base
                - amp * (xf * 3.0 + phases[0]).sin()
                - amp * 0.5 * (xf * 7.0 + phases[1]).sin()
                - amp * 0.2 * (xf * 17.0 + phases[2]).sin();
            for y in (ridge.max(0.0) as u32)..HEIGHT {
                if y as f32 >= water_line {
                    break;
                }
                // Nearer the foot, darker: depth without a lighting model.
                let depth = (y as f32 - ridge) / h;
                img.put_pixel(x, y, Rgb(shade(*colour, 1.0 - depth * 0.6)));
            }
        }
    }
    // Water: the sky and hills mirrored, darkened, with ripples.
    if scene.water {
        let line = water_line as u32;
        for y in line..HEIGHT {
            let ripple = ((y as f32 * 0.9).sin() * 3.0) as i32;
            let mirror = (2 * line).saturating_sub(y + 1).min(HEIGHT - 1);
            for x in 0..WIDTH {
                let sx = (x as i32 + ripple).clamp(0, WIDTH as i32 - 1) as u32;
                let c = img.get_pixel(sx, mirror).0;
                img.put_pixel(x, y, Rgb(shade(mix(c, [40, 70, 90], 0.35), 0.85)));
            }
        }
    }
    // Rocks: rounded sandstone boulders in the foreground.
    if scene.rocks {
        for _ in 0..5 {
            let cx = w * rng.next();
            let cy = h * (0.82 + 0.12 * rng.next());
            let (rx, ry) = (40.0 + 90.0 * rng.next(), 25.0 + 45.0 * rng.next());
            let stone = mix([190, 175, 150], [150, 140, 125], rng.next());
            for y in (cy - ry).max(0.0) as u32..((cy + ry) as u32).min(HEIGHT) {
                for x in (cx - rx).max(0.0) as u32..((cx + rx) as u32).min(WIDTH) {
                    let (dx, dy) = ((x as f32 - cx) / rx, (y as f32 - cy) / ry);
                    let r = dx * dx + dy * dy;
                    if r <= 1.0 {
                        // Lit from above left.
                        let light = 1.05 - 0.35 * (dx + dy).max(-1.0) * 0.5 - 0.2 * r;
                        img.put_pixel(x, y, Rgb(shade(stone, light)));
                    }
                }
            }
        }
    }
    // Fine grain so the picture reads as a photo rather than a flat drawing.
    for px in img.pixels_mut() {
        let n = (rng.next() - 0.5) * 10.0;
        px.0 = px.0.map(|v| (f32::from(v) + n).clamp(0.0, 255.0) as u8);
    }
    img
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "fixtures/media".into());
    std::fs::create_dir_all(&dir)?;
    for scene in &SCENES {
        let mut out = Vec::new();
        JpegEncoder::new_with_quality(&mut out, QUALITY).encode_image(&paint(scene))?;
        let path = std::path::Path::new(&dir).join(scene.file);
        std::fs::write(&path, &out)?;
        println!("{} ({} KB)", path.display(), out.len().div_ceil(1024));
    }
    Ok(())
}
