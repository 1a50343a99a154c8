//! Recognising, measuring and resizing images: pure functions over bytes, meant to run on the
//! blocking pool. The type comes from the bytes, never from a file name or a client's word.
//!
//! JPEG, PNG, WebP and GIF are read with the `image` crate. AVIF is recognised by its `ftyp`
//! brand and measured from its `ispe` property without decoding (an AV1 decoder would be a
//! native dependency), so AVIF files are stored and served but not resized.

use std::io::Cursor;

use image::imageops::FilterType;
use image::{DynamicImage, ImageFormat, ImageReader, Limits};

/// The widest or tallest image accepted, in pixels.
pub const MAX_SIDE: u32 = 20_000;
/// The most pixels an accepted image may have (50 megapixels).
pub const MAX_PIXELS: u64 = 50_000_000;
/// The most memory one decode may allocate, so that a decompression bomb fails early.
const MAX_DECODE_ALLOC: u64 = 512 * 1024 * 1024;
/// The widths `?w=` may ask for.
pub const RENDITION_WIDTHS: [u32; 4] = [320, 640, 1024, 1600];

/// An image format Byline accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jpeg,
    Png,
    Webp,
    Gif,
    Avif,
}

impl Format {
    /// Every accepted format.
    pub const ALL: [Self; 5] = [Self::Jpeg, Self::Png, Self::Webp, Self::Gif, Self::Avif];

    /// The media type, as served and stored.
    pub fn mime(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Webp => "image/webp",
            Self::Gif => "image/gif",
            Self::Avif => "image/avif",
        }
    }

    /// The file extension of its URL.
    pub fn ext(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::Png => "png",
            Self::Webp => "webp",
            Self::Gif => "gif",
            Self::Avif => "avif",
        }
    }

    /// The format with this media type.
    pub fn from_mime(mime: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.mime() == mime)
    }

    /// The format with this URL extension.
    pub fn from_ext(ext: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.ext() == ext)
    }

    fn decoder_format(self) -> Option<ImageFormat> {
        match self {
            Self::Jpeg => Some(ImageFormat::Jpeg),
            Self::Png => Some(ImageFormat::Png),
            Self::Webp => Some(ImageFormat::WebP),
            Self::Gif => Some(ImageFormat::Gif),
            Self::Avif => None,
        }
    }
}

/// Why bytes are not an image Byline takes.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Not one of the accepted formats (SVG, HTML, PDF, TIFF, …): 415.
    Unsupported,
    /// The right magic bytes but an unreadable header: 415 as well.
    Unreadable(String),
    /// Readable, but too large to process: 422.
    TooManyPixels { width: u32, height: u32 },
}

/// What an upload turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Measured {
    /// Its format.
    pub format: Format,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

/// Recognises the format from the bytes and reads the size from the header; decodes nothing.
pub fn measure(bytes: &[u8]) -> Result<Measured, Refusal> {
    let format = recognise(bytes).ok_or(Refusal::Unsupported)?;
    let (width, height) = match format.decoder_format() {
        Some(f) => ImageReader::with_format(Cursor::new(bytes), f)
            .into_dimensions()
            .map_err(|e| Refusal::Unreadable(e.to_string()))?,
        None => avif_dimensions(bytes)
            .ok_or_else(|| Refusal::Unreadable("no image size in the AVIF header".into()))?,
    };
    if width == 0 || height == 0 {
        return Err(Refusal::Unreadable("the image has no pixels".into()));
    }
    if width > MAX_SIDE || height > MAX_SIDE || u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(Refusal::TooManyPixels { width, height });
    }
    Ok(Measured {
        format,
        width,
        height,
    })
}

/// The format of `bytes`, from their first bytes only.
pub fn recognise(bytes: &[u8]) -> Option<Format> {
    if is_avif(bytes) {
        return Some(Format::Avif);
    }
    match image::guess_format(bytes).ok()? {
        ImageFormat::Jpeg => Some(Format::Jpeg),
        ImageFormat::Png => Some(Format::Png),
        ImageFormat::WebP => Some(Format::Webp),
        ImageFormat::Gif => Some(Format::Gif),
        _ => None,
    }
}

/// An ISO-BMFF file whose `ftyp` box names `avif` (still image) or `avis` (sequence) as its
/// major or a compatible brand.
fn is_avif(bytes: &[u8]) -> bool {
    let Some((b"ftyp", body)) = boxes(bytes).next() else {
        return false;
    };
    // major brand, minor version, then compatible brands, four bytes each
    body.chunks_exact(4)
        .enumerate()
        .any(|(i, brand)| i != 1 && (brand == b"avif" || brand == b"avis"))
}

/// The largest `ispe` (image spatial extent) property in `meta/iprp/ipco`: the primary image's
/// size (the others are thumbnails or auxiliary images).
fn avif_dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    let (_, meta) = boxes(bytes).find(|(kind, _)| *kind == b"meta")?;
    let (_, iprp) = boxes(meta.get(4..)?).find(|(kind, _)| *kind == b"iprp")?;
    let (_, ipco) = boxes(iprp).find(|(kind, _)| *kind == b"ipco")?;
    boxes(ipco)
        .filter(|(kind, _)| *kind == b"ispe")
        .filter_map(|(_, ispe)| {
            let w = u32::from_be_bytes(ispe.get(4..8)?.try_into().ok()?);
            let h = u32::from_be_bytes(ispe.get(8..12)?.try_into().ok()?);
            Some((w, h))
        })
        .max_by_key(|&(w, h)| u64::from(w) * u64::from(h))
}

/// The boxes of an ISO-BMFF byte range: (type, body). Stops at the first malformed one.
fn boxes(mut data: &[u8]) -> impl Iterator<Item = (&[u8; 4], &[u8])> {
    std::iter::from_fn(move || {
        let size = u32::from_be_bytes(data.get(..4)?.try_into().ok()?);
        let kind: &[u8; 4] = data.get(4..8)?.try_into().ok()?;
        let (header, size) = match size {
            0 => (8, data.len()),
            1 => {
                let large = u64::from_be_bytes(data.get(8..16)?.try_into().ok()?);
                (16, usize::try_from(large).ok()?)
            }
            n => (8, usize::try_from(n).ok()?),
        };
        let body = data.get(header..size)?;
        data = data.get(size..)?;
        Some((kind, body))
    })
}

/// A rendition of the original `width` pixels wide, aspect kept, encoded in the original's
/// format. `None` when there is nothing to make: the original is that wide or narrower (never
/// upscaled), or its format is not resized (GIF, whose animation a resize would lose, and
/// AVIF).
pub fn rendition(bytes: &[u8], format: Format, width: u32) -> Result<Option<Vec<u8>>, String> {
    let (Some(decoder_format), false) = (format.decoder_format(), format == Format::Gif) else {
        return Ok(None);
    };
    // The header says whether there is anything to do, before a costly decode.
    let (original_width, _) = ImageReader::with_format(Cursor::new(bytes), decoder_format)
        .into_dimensions()
        .map_err(|e| e.to_string())?;
    if original_width <= width {
        return Ok(None);
    }
    let image = decode(bytes, decoder_format)?;
    let height = scaled_height(image.width(), image.height(), width);
    let resized = image.resize_exact(width, height, FilterType::Triangle);
    encode(resized, format).map(Some)
}

fn decode(bytes: &[u8], format: ImageFormat) -> Result<DynamicImage, String> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    reader.limits(limits);
    reader.decode().map_err(|e| e.to_string())
}

/// The height that keeps the aspect ratio at `width`, at least one pixel.
pub fn scaled_height(original_width: u32, original_height: u32, width: u32) -> u32 {
    let h = (u64::from(original_height) * u64::from(width) + u64::from(original_width) / 2)
        / u64::from(original_width.max(1));
    u32::try_from(h.max(1)).unwrap_or(u32::MAX)
}

fn encode(image: DynamicImage, format: Format) -> Result<Vec<u8>, String> {
    let mut out = Cursor::new(Vec::new());
    let written = match format {
        Format::Jpeg => {
            let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 82);
            DynamicImage::ImageRgb8(image.to_rgb8()).write_with_encoder(encoder)
        }
        Format::Webp if image.color().has_alpha() => {
            DynamicImage::ImageRgba8(image.to_rgba8()).write_to(&mut out, ImageFormat::WebP)
        }
        Format::Webp => {
            DynamicImage::ImageRgb8(image.to_rgb8()).write_to(&mut out, ImageFormat::WebP)
        }
        _ => image.write_to(&mut out, ImageFormat::Png),
    };
    written.map_err(|e| e.to_string())?;
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests;
