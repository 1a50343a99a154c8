use super::*;

fn png(width: u32, height: u32) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    DynamicImage::new_rgb8(width, height)
        .write_to(&mut out, ImageFormat::Png)
        .expect("encode");
    out.into_inner()
}

fn bmff_box(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let size = u32::try_from(body.len() + 8).expect("small");
    [&size.to_be_bytes()[..], kind, body].concat()
}

/// The boxes an AVIF header needs for its size: ftyp, and meta/iprp/ipco/ispe.
pub fn avif_header(width: u32, height: u32) -> Vec<u8> {
    let ftyp = bmff_box(b"ftyp", b"avif\0\0\0\0mif1miafavif");
    let ispe = bmff_box(
        b"ispe",
        &[&[0u8; 4][..], &width.to_be_bytes(), &height.to_be_bytes()].concat(),
    );
    let thumb = bmff_box(
        b"ispe",
        &[&[0u8; 4][..], &8u32.to_be_bytes(), &6u32.to_be_bytes()].concat(),
    );
    let ipco = bmff_box(b"ipco", &[thumb, ispe].concat());
    let meta = bmff_box(
        b"meta",
        &[&[0u8; 4][..], &bmff_box(b"iprp", &ipco)].concat(),
    );
    [ftyp, meta].concat()
}

#[test]
fn formats_are_recognised_by_their_bytes() {
    assert_eq!(recognise(&png(2, 2)), Some(Format::Png));
    assert_eq!(
        recognise(b"\xff\xd8\xff\xe0\0\x10JFIF\0"),
        Some(Format::Jpeg)
    );
    assert_eq!(recognise(b"GIF89a\x01\0\x01\0"), Some(Format::Gif));
    assert_eq!(recognise(b"RIFF\0\0\0\0WEBPVP8 "), Some(Format::Webp));
    assert_eq!(recognise(&avif_header(4, 3)), Some(Format::Avif));
    for other in [
        &b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>"[..],
        b"<!doctype html><html>",
        b"%PDF-1.7",
        b"II*\0",
        b"",
    ] {
        assert_eq!(recognise(other), None, "{}", String::from_utf8_lossy(other));
    }
}

#[test]
fn sizes_come_from_the_header() {
    let m = measure(&png(30, 20)).expect("png");
    assert_eq!((m.format, m.width, m.height), (Format::Png, 30, 20));
    let m = measure(&avif_header(4000, 3000)).expect("avif");
    assert_eq!((m.format, m.width, m.height), (Format::Avif, 4000, 3000));
}

#[test]
fn a_header_claiming_too_many_pixels_is_refused_without_decoding() {
    let mut bomb = png(1, 1);
    // IHDR width and height, at bytes 16..24; the CRC no longer matches, which the size
    // reader does not check.
    bomb[16..20].copy_from_slice(&100_000u32.to_be_bytes());
    bomb[20..24].copy_from_slice(&100_000u32.to_be_bytes());
    assert!(matches!(
        measure(&bomb),
        Err(Refusal::TooManyPixels { .. }) | Err(Refusal::Unreadable(_))
    ));
    assert_eq!(
        measure(&avif_header(30_000, 10)),
        Err(Refusal::TooManyPixels {
            width: 30_000,
            height: 10
        })
    );
}

#[test]
fn renditions_keep_the_aspect_and_never_upscale() {
    let resized = rendition(&png(1000, 500), Format::Png, 320)
        .expect("resized")
        .expect("narrower");
    let m = measure(&resized).expect("png");
    assert_eq!((m.width, m.height), (320, 160));
    assert_eq!(rendition(&png(300, 500), Format::Png, 320), Ok(None));
    assert_eq!(
        rendition(&avif_header(4000, 3000), Format::Avif, 320),
        Ok(None)
    );
    assert_eq!(scaled_height(3, 1000, 1), 333);
    assert_eq!(scaled_height(10_000, 1, 320), 1);
}
