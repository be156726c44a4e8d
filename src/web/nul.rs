//! U+0000 (NUL) is removed from everything a request carries as text, at
//! the edge, before any handler sees it: the path and query string (before
//! routing, in `web::server`), and form and JSON bodies (this middleware).
//!
//! PostgreSQL's text cannot hold NUL (it refuses the whole statement), while
//! SQLite stores it, so without one rule the same report would be kept by
//! one engine and refused by the other: an offline report queued on a phone
//! would never be accepted by a PostgreSQL server. NUL is invisible and
//! means nothing to a reader, so it is removed rather than refused: nothing
//! a person typed is lost, and both engines store the same text.
//!
//! Multipart bodies (uploads) are left alone: their file bytes may hold
//! zeros, and the one text part that is stored, the file's name, is checked
//! by `candour_domain::attachment::check`, which refuses control characters.

use super::MAX_BODY_BYTES;
use super::error::{ApiError, WebError};
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Removes every percent-encoded NUL (`%00`) and raw NUL byte from URL-encoded
/// text (a path, a query string or a form body); `None` when there is none.
///
/// Exact: in valid percent-encoding every `%` starts an escape of two hex
/// digits, so `%00` always stands for NUL (a `%` typed by someone arrives
/// as `%25`, and `%2500` holds no `%00`).
pub fn strip_encoded(text: &[u8]) -> Option<Vec<u8>> {
    let has = text.contains(&0) || text.windows(3).any(|w| w == b"%00");
    if !has {
        return None;
    }
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        if text[i] == 0 {
            i += 1;
        } else if text[i..].starts_with(b"%00") {
            i += 3;
        } else {
            out.push(text[i]);
            i += 1;
        }
    }
    Some(out)
}

/// Removes every `\u0000` escape from JSON text; `None` when there is none.
///
/// Exact: a backslash appears only inside strings, where it starts an escape,
/// so reading each escape whole (`\\` is one) never mistakes an escaped
/// backslash followed by `u0000` for NUL. A raw NUL byte is not valid JSON and
/// is left for the JSON reader to refuse.
pub fn strip_json(text: &[u8]) -> Option<Vec<u8>> {
    const NUL: &[u8] = b"\\u0000";
    if !text.windows(NUL.len()).any(|w| w == NUL) {
        return None;
    }
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        if text[i] == b'\\' {
            if text[i..].starts_with(NUL) {
                i += NUL.len();
                continue;
            }
            // Any other escape is copied whole: the backslash and what it escapes.
            out.extend_from_slice(&text[i..(i + 2).min(text.len())]);
            i += 2;
        } else {
            out.push(text[i]);
            i += 1;
        }
    }
    Some(out)
}

/// The kinds of body whose text is cleaned.
#[derive(Clone, Copy)]
enum Text {
    Form,
    Json,
}

fn text_kind(headers: &axum::http::HeaderMap) -> Option<Text> {
    let ct = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let essence = ct.split(';').next()?.trim().to_ascii_lowercase();
    if essence == "application/x-www-form-urlencoded" {
        Some(Text::Form)
    } else if essence == "application/json" || essence.ends_with("+json") {
        Some(Text::Json)
    } else {
        None
    }
}

fn clean_uri(uri: &Uri) -> Option<Uri> {
    let pq = uri.path_and_query()?.as_str().as_bytes();
    let cleaned = strip_encoded(pq)?;
    let mut parts = uri.clone().into_parts();
    parts.path_and_query = Some(cleaned.try_into().ok()?);
    Uri::from_parts(parts).ok()
}

/// Cleans a request's path and query; done before the request is routed,
/// so that path parameters are read from the cleaned path.
pub fn clean_request_uri(req: &mut Request) {
    if let Some(uri) = clean_uri(req.uri()) {
        *req.uri_mut() = uri;
    }
}

/// The middleware: cleans a form or JSON body.
pub async fn strip_nul(req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let Some(kind) = text_kind(&parts.headers) else {
        return next.run(Request::from_parts(parts, body)).await;
    };
    // Forms and JSON are read whole by their extractors anyway, under the same limit.
    let bytes = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(b) => b,
        Err(_) if parts.uri.path().starts_with("/api/") => {
            return ApiError(WebError::TooLarge).into_response();
        }
        Err(_) => return WebError::TooLarge.into_response(),
    };
    let cleaned = match kind {
        Text::Form => strip_encoded(&bytes),
        Text::Json => strip_json(&bytes),
    };
    let bytes = match cleaned {
        Some(c) => {
            parts
                .headers
                .insert(header::CONTENT_LENGTH, HeaderValue::from(c.len()));
            axum::body::Bytes::from(c)
        }
        None => bytes,
    };
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn percent_encoded_nul_goes_and_everything_else_stays() {
        for (given, want) in [
            ("a=1&b=2", None),
            ("a=x%00y", Some("a=xy")),
            ("a=%2500", None),
            ("a=%00%00&b=%0", Some("a=&b=%0")),
            ("/report/abc%00", Some("/report/abc")),
            ("a=x\0y", Some("a=xy")),
        ] {
            let got = strip_encoded(given.as_bytes()).map(|v| String::from_utf8(v).unwrap());
            assert_eq!(got.as_deref(), want, "{given:?}");
        }
    }

    #[test]
    fn json_nul_escapes_go_but_an_escaped_backslash_before_u0000_stays() {
        for (given, want) in [
            (r#"{"a":"x"}"#, None),
            (r#"{"a":"x\u0000y"}"#, Some(r#"{"a":"xy"}"#)),
            (r#"{"a":"x\\u0000y"}"#, Some(r#"{"a":"x\\u0000y"}"#)),
            (r#"{"a":"\\\u0000"}"#, Some(r#"{"a":"\\"}"#)),
            (r#"{"a\u0000":"\u0000"}"#, Some(r#"{"a":""}"#)),
            (r#"{"a":"\u00001"}"#, Some(r#"{"a":"1"}"#)),
        ] {
            let got = strip_json(given.as_bytes()).map(|v| String::from_utf8(v).unwrap());
            assert_eq!(got.as_deref(), want, "{given}");
        }
    }

    proptest! {
        #[test]
        fn a_form_with_nul_reads_as_the_same_form_without_it(
            pairs in proptest::collection::vec(("\\PC{0,12}", "[\\PC\u{0}]{0,24}"), 0..6)
        ) {
            let encoded = serde_urlencoded::to_string(&pairs).unwrap();
            let cleaned = strip_encoded(encoded.as_bytes()).unwrap_or_else(|| encoded.clone().into_bytes());
            let read: Vec<(String, String)> = serde_urlencoded::from_bytes(&cleaned).unwrap();
            let want: Vec<(String, String)> = pairs
                .iter()
                .map(|(k, v)| (k.replace('\0', ""), v.replace('\0', "")))
                .collect();
            prop_assert_eq!(read, want);
        }

        #[test]
        fn json_with_nul_reads_as_the_same_json_without_it(
            values in proptest::collection::btree_map("[a-z\\\\\u{0}]{1,6}", "[\\PC\\\\\"\u{0}]{0,24}", 0..6)
        ) {
            let text = serde_json::to_string(&values).unwrap();
            let cleaned = strip_json(text.as_bytes()).unwrap_or_else(|| text.clone().into_bytes());
            let read: std::collections::BTreeMap<String, String> = serde_json::from_slice(&cleaned).unwrap();
            let want: std::collections::BTreeMap<String, String> = values
                .iter()
                .map(|(k, v)| (k.replace('\0', ""), v.replace('\0', "")))
                .collect();
            prop_assert_eq!(read, want);
        }
    }
}
