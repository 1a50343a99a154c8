//! Reading an upload's `multipart/form-data` body part by part: the file is streamed into
//! memory with the size limit enforced while it arrives (413 the moment it is passed), and the
//! texts are checked like JSON fields (422 with a pointer naming the part).

use actix_multipart::{Field, Multipart, MultipartError};
use actix_web::http::header;
use actix_web::web::BytesMut;
use actix_web::{HttpMessage, HttpRequest};
use futures_util::StreamExt;

use super::dto::{MAX_ALT, MAX_CAPTION, MAX_CREDIT};
use super::Upload;
use crate::error::{AppError, FieldErrors};

/// Room for the form's other parts and boundaries on top of the file, when the declared
/// `Content-Length` is checked before anything is read.
const FORM_OVERHEAD: usize = 64 * 1024;

/// Checks the content type and the declared length, before anything is read.
pub fn check_request(req: &HttpRequest, max_bytes: usize) -> Result<(), AppError> {
    let multipart = req
        .mime_type()
        .ok()
        .flatten()
        .is_some_and(|m| m.type_() == "multipart" && m.subtype() == "form-data");
    if !multipart {
        return Err(AppError::UnsupportedMediaType(
            "send the file as multipart/form-data, in a part named file".into(),
        ));
    }
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let allowed = u64::try_from(max_bytes.saturating_add(FORM_OVERHEAD)).unwrap_or(u64::MAX);
    if declared.is_some_and(|n| n > allowed) {
        return Err(AppError::PayloadTooLarge(max_bytes));
    }
    Ok(())
}

/// Reads the parts `file`, `alt`, `caption` and `credit`; any other part is a 422, and so is a
/// form without `file`. Empty texts count as absent, as browsers send unfilled fields.
pub async fn read(mut form: Multipart, max_bytes: usize) -> Result<Upload, AppError> {
    let mut file = None;
    let (mut alt, mut caption, mut credit) = (None, None, None);
    let mut errs = FieldErrors::default();
    while let Some(field) = form.next().await {
        let field = field.map_err(malformed)?;
        let name = field.name().unwrap_or_default().to_owned();
        let pointer = format!("/{}", crate::error::pointer_token(&name));
        let (slot, max_chars) = match name.as_str() {
            "file" => {
                if file.is_some() {
                    errs.push(pointer, "send one file per upload");
                    drain(field).await?;
                } else {
                    file = Some(read_file(field, max_bytes).await?);
                }
                continue;
            }
            "alt" => (&mut alt, MAX_ALT),
            "caption" => (&mut caption, MAX_CAPTION),
            "credit" => (&mut credit, MAX_CREDIT),
            "" => return Err(AppError::BadRequest("a form part has no name".into())),
            _ => {
                errs.push(
                    pointer,
                    "unknown field; the form takes file, alt, caption and credit",
                );
                drain(field).await?;
                continue;
            }
        };
        if slot.is_some() {
            errs.push(pointer, "given twice");
            drain(field).await?;
            continue;
        }
        *slot = read_text(field, &pointer, max_chars, &mut errs).await?;
    }
    if file.is_none() {
        errs.push(
            "/file",
            "the image is missing: send it in a part named file",
        );
    }
    let file = errs.finish(file)?;
    Ok(Upload {
        file: file.unwrap_or_default().freeze(),
        alt,
        caption,
        credit,
    })
}

fn malformed(e: MultipartError) -> AppError {
    match e {
        MultipartError::Payload(e) => {
            AppError::BadRequest(format!("could not read the request body: {e}"))
        }
        other => AppError::BadRequest(format!("malformed multipart/form-data body: {other}")),
    }
}

async fn read_file(mut field: Field, max_bytes: usize) -> Result<BytesMut, AppError> {
    let mut bytes = BytesMut::new();
    while let Some(chunk) = field.next().await {
        let chunk = chunk.map_err(malformed)?;
        if bytes.len() + chunk.len() > max_bytes {
            return Err(AppError::PayloadTooLarge(max_bytes));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

// Reads a text part, holding at most four bytes a character of its limit: a longer part is
// answered without being kept.
async fn read_text(
    mut field: Field,
    pointer: &str,
    max_chars: usize,
    errs: &mut FieldErrors,
) -> Result<Option<String>, AppError> {
    let mut bytes = Vec::new();
    let mut too_long = false;
    while let Some(chunk) = field.next().await {
        let chunk = chunk.map_err(malformed)?;
        if bytes.len() + chunk.len() > max_chars * 4 {
            too_long = true;
            continue;
        }
        bytes.extend_from_slice(&chunk);
    }
    let Ok(text) = String::from_utf8(bytes) else {
        errs.push(pointer, "must be UTF-8 text");
        return Ok(None);
    };
    if too_long {
        errs.push(pointer, format!("must be at most {max_chars} characters"));
        return Ok(None);
    }
    crate::validate::text(errs, pointer, &text, 0, max_chars);
    Ok((!text.is_empty()).then_some(text))
}

async fn drain(mut field: Field) -> Result<(), AppError> {
    while let Some(chunk) = field.next().await {
        chunk.map_err(malformed)?;
    }
    Ok(())
}
