//! The organisation's accounts, for whoever manages users: a page at a
//! time, by name, searchable by name or email. Accounts are added and
//! changed with `candour user …`.

use crate::actions::accounts::{USERS_PER_PAGE, users_page};
use crate::web::AppState;
use crate::web::auth::CurrentUser;
use crate::web::error::{WebError, render};
use crate::web::layout::Layout;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;

/// An account in the list.
pub struct UserLine {
    /// Name.
    pub name: String,
    /// Email.
    pub email: String,
    /// Whether it may sign in.
    pub active: bool,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    layout: Layout,
    /// The search as typed.
    search: String,
    /// The search, ready for a link's query.
    search_query: String,
    total: String,
    active: String,
    matching: i64,
    /// "101 to 200 of 2,116", or empty when nothing matches.
    showing: String,
    page: i64,
    pages: i64,
    users: Vec<UserLine>,
}

/// GET /users?q=…&page=…
pub async fn list_users(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let search = q.get("q").map(|s| s.trim().to_owned()).unwrap_or_default();
    let page = q
        .get("page")
        .and_then(|p| p.trim().parse::<i64>().ok())
        .unwrap_or(1);
    let found = users_page(&state.ctx, &user.actor, &search, page).await?;
    let first = (found.page - 1) * USERS_PER_PAGE + 1;
    let last = first + i64::try_from(found.users.len()).unwrap_or(0) - 1;
    let showing = if found.users.is_empty() {
        String::new()
    } else {
        format!(
            "{} to {} of {}",
            with_commas(first),
            with_commas(last),
            with_commas(found.matching)
        )
    };
    let page = UsersPage {
        layout: Layout::new("Users", &user, state.demo),
        search_query: form_urlencoded(&search),
        search,
        total: with_commas(found.total),
        active: with_commas(found.active),
        matching: found.matching,
        showing,
        page: found.page,
        pages: found.pages,
        users: found
            .users
            .into_iter()
            .map(|u| UserLine {
                name: u.display_name,
                email: u.email,
                active: u.active,
            })
            .collect(),
    };
    Ok(render(&page)?.into_response())
}

/// `n` with its thousands separated by commas, as in 2,116.
pub fn with_commas(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `text` escaped for a URL's query (letters, digits and `-._~` as they are).
fn form_urlencoded(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_have_their_thousands_separated() {
        for (n, shown) in [
            (0, "0"),
            (7, "7"),
            (999, "999"),
            (1_000, "1,000"),
            (2_116, "2,116"),
            (1_234_567, "1,234,567"),
            (-4_500, "-4,500"),
        ] {
            assert_eq!(with_commas(n), shown);
        }
    }

    #[test]
    fn a_search_is_escaped_for_a_link() {
        assert_eq!(form_urlencoded("ann o'neil&x=1"), "ann%20o%27neil%26x%3D1");
        assert_eq!(form_urlencoded("ré"), "r%C3%A9");
    }
}
