//! Photos for circuits and POIs: decoded under limits, turned upright from their EXIF
//! orientation, and re-encoded as JPEG at the widths phones and pages use. Re-encoding
//! from pixels writes no metadata at all: the photographer's GPS position, camera and
//! dates never leave the staff's computer.
//!
//! Limits (a decompression bomb is refused before any pixel is decoded): 40 MiB of file,
//! 60 megapixels, 20,000 pixels a side. JPEG, PNG and WebP are read.

use balade_core::hash::Fnv;
use balade_core::store::{Store, StoreError};
use balade_core::text::plain_text;
use balade_core::{Media, MediaKind, MediaOwner};
use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use std::io::Cursor;

/// Widths of the derivatives: a phone list, a phone screen or page, a large screen. A
/// photo narrower than a width gets its own width instead, never an enlargement.
pub const WIDTHS: [u32; 3] = [320, 800, 1600];
/// The derivative put in offline packages.
pub const PHONE_WIDTH: u32 = 800;
pub const MAX_BYTES: u64 = 40 * 1024 * 1024;
pub const MAX_PIXELS: u64 = 60_000_000;
pub const MAX_SIDE: u32 = 20_000;
/// JPEG quality: good for photos at a fraction of the size.
const QUALITY: u8 = 80;

/// Why a photo was refused.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PhotoError {
    #[error("the file is {0} MiB, over the {max} MiB limit", max = MAX_BYTES >> 20)]
    TooLarge(u64),
    #[error("not a JPEG, PNG or WebP image")]
    Unsupported,
    #[error("{width}×{height} pixels is over the limit of {max} megapixels or {side} a side",
        max = MAX_PIXELS / 1_000_000, side = MAX_SIDE)]
    TooManyPixels { width: u32, height: u32 },
    #[error("the image cannot be decoded: {0}")]
    Corrupt(String),
    #[error("cannot encode the derivative: {0}")]
    Encode(String),
}

/// A photo ready to store: its id, upright size, and JPEG derivatives by width.
#[derive(Debug, Clone, PartialEq)]
pub struct Derived {
    pub id: String,
    pub width: u32,
    pub height: u32,
    pub files: Vec<(u32, Vec<u8>)>,
}

/// The content id of a media item: `m` and the hash of its bytes (or of its URL).
pub fn media_id(bytes: &[u8]) -> String {
    let mut h = Fnv::new();
    h.bytes(bytes);
    format!("m{:016x}", h.finish())
}

/// Decodes, orients and derives a photo; refuses what it cannot do safely.
pub fn derive(bytes: &[u8]) -> Result<Derived, PhotoError> {
    if bytes.len() as u64 > MAX_BYTES {
        return Err(PhotoError::TooLarge(bytes.len() as u64 >> 20));
    }
    let reader = || -> Result<ImageReader<Cursor<&[u8]>>, PhotoError> {
        let reader = ImageReader::new(Cursor::new(bytes))
            .with_guessed_format()
            .map_err(|e| PhotoError::Corrupt(e.to_string()))?;
        match reader.format() {
            // The JPEG decoder fills a cut-off file with grey: a missing end marker is
            // the sign of a truncated upload, refused rather than stored half grey.
            Some(ImageFormat::Jpeg) if !ends_jpeg(bytes) => Err(PhotoError::Corrupt(
                "the JPEG file is truncated (no end marker)".into(),
            )),
            Some(ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP) => Ok(reader),
            _ => Err(PhotoError::Unsupported),
        }
    };
    // The header's size first: a bomb is refused before any allocation.
    let (width, height) = reader()?
        .into_dimensions()
        .map_err(|e| PhotoError::Corrupt(e.to_string()))?;
    if u64::from(width) * u64::from(height) > MAX_PIXELS || width > MAX_SIDE || height > MAX_SIDE {
        return Err(PhotoError::TooManyPixels { width, height });
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_PIXELS * 4 + (64 << 20));
    let mut reader = reader()?;
    reader.limits(limits);
    let mut decoder = reader
        .into_decoder()
        .map_err(|e| PhotoError::Corrupt(e.to_string()))?;
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image =
        DynamicImage::from_decoder(decoder).map_err(|e| PhotoError::Corrupt(e.to_string()))?;
    image.apply_orientation(orientation);
    let upright = flatten(image);
    let (w, h) = (upright.width(), upright.height());
    let mut targets: Vec<u32> = WIDTHS.iter().copied().filter(|&t| t < w).collect();
    if w <= WIDTHS[WIDTHS.len() - 1] {
        targets.push(w);
    }
    // Largest first, each made from the previous one: far cheaper than from the original.
    targets.sort_unstable_by(|a, b| b.cmp(a));
    let mut source = upright;
    let mut files = Vec::with_capacity(targets.len());
    for t in targets {
        let scaled = if t == source.width() {
            source
        } else {
            let th = ((u64::from(h) * u64::from(t)) / u64::from(w)).max(1) as u32;
            source.resize_exact(t, th, FilterType::CatmullRom)
        };
        let mut out = Vec::new();
        JpegEncoder::new_with_quality(&mut out, QUALITY)
            .encode_image(&scaled)
            .map_err(|e| PhotoError::Encode(e.to_string()))?;
        files.push((t, out));
        source = scaled;
    }
    files.sort_by_key(|(width, _)| *width);
    let (largest_w, largest_h) = files
        .last()
        .map(|(fw, _)| {
            (
                *fw,
                ((u64::from(h) * u64::from(*fw)) / u64::from(w)).max(1) as u32,
            )
        })
        .unwrap_or((w, h));
    Ok(Derived {
        id: media_id(bytes),
        width: largest_w,
        height: largest_h,
        files,
    })
}

/// Whether a JPEG ends with its end-of-image marker (some writers pad a little after it).
fn ends_jpeg(bytes: &[u8]) -> bool {
    let tail = &bytes[bytes.len().saturating_sub(64)..];
    tail.windows(2).any(|w| w == [0xFF, 0xD9])
}

/// RGB on white: JPEG has no transparency.
fn flatten(image: DynamicImage) -> DynamicImage {
    if !image.color().has_alpha() {
        return DynamicImage::ImageRgb8(image.into_rgb8());
    }
    let rgba = image.into_rgba8();
    let mut rgb = image::RgbImage::new(rgba.width(), rgba.height());
    for (out, px) in rgb.pixels_mut().zip(rgba.pixels()) {
        let a = u16::from(px[3]);
        for c in 0..3 {
            out[c] = ((u16::from(px[c]) * a + 255 * (255 - a)) / 255) as u8;
        }
    }
    DynamicImage::ImageRgb8(rgb)
}

/// What to attach.
#[derive(Debug, Clone)]
pub enum MediaSource {
    /// A photo file, derived and stored.
    Photo(std::path::PathBuf),
    /// A link to a video or an audio file hosted elsewhere.
    Link(MediaKind, String),
}

/// Credits and texts of a media item.
#[derive(Debug, Clone, Default)]
pub struct Credits {
    pub title: Option<String>,
    pub author: Option<String>,
    pub license: Option<String>,
    /// Required for photos: what the photo shows, for screen readers.
    pub alt: Option<String>,
}

impl Credits {
    /// Plain text only, empty texts as none.
    pub fn cleaned(self) -> Credits {
        let clean = |t: Option<String>| t.map(|t| plain_text(&t)).filter(|t| !t.is_empty());
        Credits {
            title: clean(self.title),
            author: clean(self.author),
            license: clean(self.license),
            alt: clean(self.alt),
        }
    }
}

/// Why an attachment was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum AttachError {
    #[error("{path}: {reason}")]
    Refused { path: String, reason: String },
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Attaches a photo or a link to its owner, in one transaction; returns the item stored.
pub async fn attach(
    store: &dyn Store,
    owner: MediaOwner,
    source: &MediaSource,
    credits: Credits,
) -> Result<Media, AttachError> {
    let credits = credits.cleaned();
    let (media, files) = match source {
        MediaSource::Photo(path) => {
            let refuse = |reason: String| AttachError::Refused {
                path: path.display().to_string(),
                reason,
            };
            if credits.alt.is_none() {
                return Err(AttachError::Invalid(
                    "a photo needs --alt: what it shows, for walkers who cannot see it".into(),
                ));
            }
            let size = std::fs::metadata(path)
                .map_err(|e| refuse(format!("cannot read: {e}")))?
                .len();
            if size > MAX_BYTES {
                return Err(refuse(PhotoError::TooLarge(size >> 20).to_string()));
            }
            let bytes = std::fs::read(path).map_err(|e| refuse(format!("cannot read: {e}")))?;
            let id = media_id(&bytes);
            photo_media(owner, id, bytes, credits)
                .await
                .map_err(|e| refuse(e.to_string()))?
        }
        MediaSource::Link(kind, url) => {
            let ok = (url.starts_with("https://") || url.starts_with("http://"))
                && url.len() <= 2048
                && !url
                    .chars()
                    .any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '<');
            if !ok || *kind == MediaKind::Photo {
                return Err(AttachError::Invalid(format!(
                    "`{url}` is not an http(s) link to a video or an audio file"
                )));
            }
            let media = Media {
                id: media_id(url.as_bytes()),
                owner,
                kind: *kind,
                url: Some(url.clone()),
                title: credits.title,
                author: credits.author,
                license: credits.license,
                alt: credits.alt,
                width: None,
                height: None,
                position: 0,
                files: Vec::new(),
            };
            (media, Vec::new())
        }
    };
    let mut tx = store.begin_import().await?;
    tx.upsert_media(&media, &files).await?;
    tx.commit().await?;
    Ok(media)
}

/// Derives a photo's bytes (off the async threads: decoding is CPU work) into the item
/// to store under `id`, with its derivative files.
pub async fn photo_media(
    owner: MediaOwner,
    id: String,
    bytes: Vec<u8>,
    credits: Credits,
) -> Result<(Media, Vec<(u32, Vec<u8>)>), PhotoError> {
    let derived = tokio::task::spawn_blocking(move || derive(&bytes))
        .await
        .map_err(|e| PhotoError::Corrupt(format!("decoding failed: {e}")))??;
    let media = Media {
        id,
        owner,
        kind: MediaKind::Photo,
        url: None,
        title: credits.title,
        author: credits.author,
        license: credits.license,
        alt: credits.alt,
        width: Some(derived.width),
        height: Some(derived.height),
        position: 0,
        files: derived
            .files
            .iter()
            .map(|(w, b)| (*w, b.len() as u64))
            .collect(),
    };
    Ok((media, derived.files))
}

/// Test photos as cameras write them, for this crate's tests and the end-to-end ones.
#[doc(hidden)]
pub mod testing {
    use image::codecs::jpeg::JpegEncoder;

    /// A JPEG of `width` × `height`: left half red, right half blue.
    pub fn photo_jpeg(width: u32, height: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(width, height, |x, _| {
            if x < width / 2 {
                image::Rgb([220, 20, 20])
            } else {
                image::Rgb([20, 20, 220])
            }
        });
        let mut out = Vec::new();
        // Encoding an in-memory RGB buffer cannot fail; an empty file would fail the test.
        let _ = JpegEncoder::new_with_quality(&mut out, 90).encode_image(&img);
        out
    }

    /// Inserts an EXIF segment (orientation, and a GPS position to be stripped) after the
    /// JPEG's start marker, as cameras write it.
    pub fn with_exif(jpeg: &[u8], orientation: u16) -> Vec<u8> {
        // TIFF, little endian: IFD0 with Orientation and a GPS IFD pointer; the GPS IFD
        // with a latitude reference "N".
        let mut tiff: Vec<u8> = b"II*\0".to_vec();
        tiff.extend(8u32.to_le_bytes());
        tiff.extend(2u16.to_le_bytes());
        tiff.extend(0x0112u16.to_le_bytes()); // Orientation, SHORT, 1
        tiff.extend(3u16.to_le_bytes());
        tiff.extend(1u32.to_le_bytes());
        tiff.extend(u32::from(orientation).to_le_bytes());
        tiff.extend(0x8825u16.to_le_bytes()); // GPS IFD pointer, LONG, 1
        tiff.extend(4u16.to_le_bytes());
        tiff.extend(1u32.to_le_bytes());
        tiff.extend(38u32.to_le_bytes());
        tiff.extend(0u32.to_le_bytes()); // no next IFD
        tiff.extend(1u16.to_le_bytes()); // GPS IFD at 38: GPSLatitudeRef "N"
        tiff.extend(0x0001u16.to_le_bytes());
        tiff.extend(2u16.to_le_bytes());
        tiff.extend(2u32.to_le_bytes());
        tiff.extend(b"N\0\0\0");
        tiff.extend(0u32.to_le_bytes());
        let mut app1 = b"Exif\0\0".to_vec();
        app1.extend(tiff);
        let mut out = jpeg[..2].to_vec();
        out.extend([0xFF, 0xE1]);
        out.extend(((app1.len() + 2) as u16).to_be_bytes());
        out.extend(app1);
        out.extend(&jpeg[2..]);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A landscape test photo: left half red, right half blue.
    fn photo(width: u32, height: u32) -> image::RgbImage {
        image::RgbImage::from_fn(width, height, |x, _| {
            if x < width / 2 {
                image::Rgb([220, 20, 20])
            } else {
                image::Rgb([20, 20, 220])
            }
        })
    }

    use super::testing::with_exif;

    fn jpeg(img: &image::RgbImage) -> Vec<u8> {
        let mut out = Vec::new();
        JpegEncoder::new_with_quality(&mut out, 90)
            .encode_image(img)
            .expect("encode");
        out
    }

    #[test]
    fn derivatives_at_each_width_without_enlarging() {
        let d = derive(&jpeg(&photo(2000, 1000))).expect("derived");
        let widths: Vec<u32> = d.files.iter().map(|(w, _)| *w).collect();
        assert_eq!(widths, [320, 800, 1600]);
        assert_eq!((d.width, d.height), (1600, 800));
        for (w, bytes) in &d.files {
            let back = image::load_from_memory(bytes).expect("decodes");
            assert_eq!(back.width(), *w);
            assert_eq!(back.height(), w / 2);
        }
        let small = derive(&jpeg(&photo(500, 400))).expect("derived");
        let widths: Vec<u32> = small.files.iter().map(|(w, _)| *w).collect();
        assert_eq!(
            widths,
            [320, 500],
            "the original width, never an enlargement"
        );
        assert_eq!(
            small.id,
            media_id(&jpeg(&photo(500, 400))),
            "content-addressed"
        );
    }

    #[test]
    fn exif_orientation_is_applied_and_metadata_stripped() {
        // Orientation 6: the camera was turned; the stored pixels must be rotated 90°
        // clockwise to stand upright: a 600×300 sensor image becomes 300×600.
        let raw = with_exif(&jpeg(&photo(600, 300)), 6);
        assert!(raw.windows(4).any(|w| w == b"Exif"));
        let d = derive(&raw).expect("derived");
        let (w, bytes) = d.files.last().expect("file");
        assert_eq!(*w, 300);
        let upright = image::load_from_memory(bytes).expect("decodes").into_rgb8();
        assert_eq!((upright.width(), upright.height()), (300, 600));
        // Red was on the left of the sensor: after a clockwise turn it is on top.
        let top = upright.get_pixel(150, 50);
        let bottom = upright.get_pixel(150, 550);
        assert!(top[0] > 150 && top[2] < 100, "{top:?}");
        assert!(bottom[2] > 150 && bottom[0] < 100, "{bottom:?}");
        for (_, bytes) in &d.files {
            assert!(!bytes.windows(4).any(|w| w == b"Exif"), "no EXIF left");
            assert!(
                !bytes.windows(2).any(|w| w == [0xFF, 0xE1]),
                "no APP1 segment"
            );
        }
    }

    #[test]
    fn transparency_is_flattened_on_white() {
        let img = image::RgbaImage::from_pixel(400, 200, image::Rgba([0, 0, 0, 0]));
        let mut png = Vec::new();
        DynamicImage::ImageRgba8(img)
            .write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
            .expect("png");
        let d = derive(&png).expect("derived");
        let px = image::load_from_memory(&d.files[0].1)
            .expect("decodes")
            .into_rgb8();
        assert!(px.get_pixel(10, 10).0.iter().all(|&c| c > 245), "white");
    }

    /// CRC-32 (IEEE), as PNG chunks carry it.
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    #[test]
    fn hostile_and_broken_images_are_refused() {
        assert_eq!(
            derive(b"GIF89a not supported"),
            Err(PhotoError::Unsupported)
        );
        assert_eq!(derive(b"<html>hello</html>"), Err(PhotoError::Unsupported));
        let good = jpeg(&photo(400, 300));
        let truncated = &good[..good.len() / 3];
        match derive(truncated) {
            Err(PhotoError::Corrupt(reason)) => assert!(reason.contains("truncated"), "{reason}"),
            other => panic!("a truncated JPEG was accepted: {:?}", other.map(|d| d.id)),
        }
        let mut garbled = good.clone();
        for b in garbled.iter_mut().skip(200).take(400) {
            *b = 0xFF;
        }
        assert!(derive(&garbled).is_err(), "a garbled JPEG is refused");
        // A PNG header claiming 100,000 × 100,000 pixels: refused from the header alone.
        let mut bomb = Vec::new();
        DynamicImage::ImageRgb8(image::RgbImage::new(1, 1))
            .write_to(&mut Cursor::new(&mut bomb), ImageFormat::Png)
            .expect("png");
        bomb[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&100_000u32.to_be_bytes());
        // A valid checksum on the forged header, as an attacker would write it.
        let crc = crc32(&bomb[12..29]);
        bomb[29..33].copy_from_slice(&crc.to_be_bytes());
        assert_eq!(
            derive(&bomb),
            Err(PhotoError::TooManyPixels {
                width: 100_000,
                height: 100_000
            })
        );
        let huge = vec![0u8; (MAX_BYTES + 1) as usize];
        assert_eq!(derive(&huge), Err(PhotoError::TooLarge(40)));
    }
}
