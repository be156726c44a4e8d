//! Reading the Cookie header and writing Set-Cookie values.

use axum::http::HeaderMap;

/// The session cookie's name.
pub const SESSION: &str = "candour_session";
/// The anti-forgery cookie's name.
pub const CSRF: &str = "candour_csrf";
/// A shared device's cookie: it is trusted for quick PIN sign-in.
pub const DEVICE: &str = "candour_device";

/// The value of cookie `name`, if the request sent it.
pub fn get(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
        .filter(|v| !v.is_empty())
}

/// A Set-Cookie value: HttpOnly, path `/`, with the given SameSite and lifetime.
pub fn set(
    name: &str,
    value: &str,
    same_site: &str,
    secure: bool,
    max_age_seconds: Option<i64>,
) -> String {
    let mut s = format!("{name}={value}; Path=/; HttpOnly; SameSite={same_site}");
    if secure {
        s.push_str("; Secure");
    }
    if let Some(age) = max_age_seconds {
        s.push_str(&format!("; Max-Age={age}"));
    }
    s
}

/// A Set-Cookie value that deletes `name`.
pub fn clear(name: &str, secure: bool) -> String {
    set(name, "", "Lax", secure, Some(0))
}

/// Whether cookies must carry `Secure`: when configured, or when a TLS proxy
/// says the browser used HTTPS. (Trusting the header is safe: a forged one can
/// only make a cookie stricter.)
pub fn secure(configured: bool, headers: &HeaderMap) -> bool {
    configured
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}
