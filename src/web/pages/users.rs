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
use candour_domain::display::thousands;
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
    /// The search as a link's query, `q=…`.
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
            thousands(first),
            thousands(last),
            thousands(found.matching)
        )
    };
    let page = UsersPage {
        layout: Layout::new("Users", &user, state.demo),
        search_query: serde_urlencoded::to_string([("q", search.as_str())]).unwrap_or_default(),
        search,
        total: thousands(found.total),
        active: thousands(found.active),
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
