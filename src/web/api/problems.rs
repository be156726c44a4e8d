//! The problems any operation can answer, added to every operation of the
//! OpenAPI document in one place rather than written out on each: a request
//! that cannot be read (400), no valid token (401, where a token is asked
//! for), a body over the limit (413, where there is a body) and the
//! database too busy to take it (503, with `Retry-After`). An operation that
//! says more about one of these keeps its own words.

use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::path::Operation;
use utoipa::openapi::{OpenApi, Ref, RefOr, ResponseBuilder};

fn problem(description: &str) -> RefOr<utoipa::openapi::Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/problem+json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Problem")))
                    .build(),
            )
            .build(),
    )
}

fn add(op: &mut Operation, status: &str, description: &str) {
    op.responses
        .responses
        .entry(status.to_owned())
        .or_insert_with(|| problem(description));
}

/// Adds the problems every operation can answer to each operation of `doc`.
pub fn add_standard_problems(doc: &mut OpenApi) {
    for item in doc.paths.paths.values_mut() {
        for op in [
            item.get.as_mut(),
            item.post.as_mut(),
            item.put.as_mut(),
            item.delete.as_mut(),
            item.patch.as_mut(),
        ]
        .into_iter()
        .flatten()
        {
            add(
                op,
                "400",
                "The request could not be read: a body that is not JSON of this shape, or a parameter of the wrong kind",
            );
            if op.security.as_ref().is_some_and(|s| !s.is_empty()) {
                add(op, "401", "No valid token");
            }
            if op.request_body.is_some() {
                add(op, "413", "The body is larger than Candour accepts");
            }
            add(
                op,
                "503",
                "Candour is busy and nothing was saved: try again after the seconds in Retry-After",
            );
        }
    }
}

/// Turns any error the API answers in another form (a path, query or
/// multipart body the extractors could not read, a method the route does
/// not take) into problem+json, so every API error has one shape.
pub async fn as_problems(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::header;
    let resp = next.run(req).await;
    let status = resp.status();
    let is_problem = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/problem+json"));
    if status.as_u16() < 400 || is_problem {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let said = axum::body::to_bytes(body, 4096).await.unwrap_or_default();
    let detail = String::from_utf8_lossy(&said).trim().to_owned();
    let mut out = axum::response::IntoResponse::into_response((
        status,
        serde_json::json!({
            "type": format!("https://candour.invalid/problems/{}", status.as_u16()),
            "title": status.canonical_reason().unwrap_or("Error"),
            "status": status.as_u16(),
            "detail": if detail.is_empty() { status.to_string() } else { detail },
        })
        .to_string(),
    ));
    for (name, value) in parts.headers.iter() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            out.headers_mut().insert(name.clone(), value.clone());
        }
    }
    out.headers_mut().insert(
        header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/problem+json"),
    );
    out
}
