//! The organisation's accounts, for whoever manages staff (an administrator
//! every account, a registered manager their own services' staff): a page
//! at a time, by name, searchable by name or email and filtered by status
//! and role, and as CSV. Each account's page is in `staff`.

use crate::actions::accounts::{USERS_PER_PAGE, users_csv, users_page};
use crate::store::users::{AccountStatus, UserQuery};
use crate::web::AppState;
use crate::web::auth::CurrentUser;
use crate::web::error::{WebError, render};
use crate::web::layout::Layout;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use candour_domain::display::thousands;
use candour_domain::role::Role;
use std::collections::HashMap;

/// An account in the list.
pub struct UserLine {
    /// Its id, for the link.
    pub id: String,
    /// Name.
    pub name: String,
    /// Email.
    pub email: String,
    /// Invited, Active or Disabled.
    pub status: &'static str,
    /// Its roles, as words.
    pub roles: Vec<String>,
    /// When it last signed in, or "Never".
    pub last: String,
    /// Whether a second factor is on.
    pub second_factor: bool,
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
    /// The status filter: (value, label, chosen).
    statuses: Vec<(&'static str, &'static str, bool)>,
    /// The role filter: (code, label, chosen).
    roles: Vec<(&'static str, &'static str, bool)>,
    /// The second-factor filter: (value, label, chosen).
    factors: Vec<(&'static str, &'static str, bool)>,
    /// Whether to offer "Invite a member of staff".
    may_invite: bool,
    /// For an administrator: whether managers must have a second factor.
    factor_required: Option<bool>,
}

/// The search and filters from a query string.
fn query_of(q: &HashMap<String, String>) -> UserQuery {
    let get = |k: &str| q.get(k).map(|s| s.trim().to_owned()).unwrap_or_default();
    UserQuery {
        search: get("q"),
        status: AccountStatus::parse(&get("status")),
        role: Role::parse(&get("role")),
        services: None,
        second_factor: match get("second_factor").as_str() {
            "on" => Some(true),
            "off" => Some(false),
            _ => None,
        },
        after: None,
    }
}

/// GET /users?q=…&status=…&role=…&page=…
pub async fn list_users(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let query = query_of(&q);
    let page = q
        .get("page")
        .and_then(|p| p.trim().parse::<i64>().ok())
        .unwrap_or(1);
    let found = users_page(&state.ctx, &user.actor, &query, page).await?;
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
    let status = q.get("status").map(|s| s.trim()).unwrap_or_default();
    // The search always; the filters only when chosen.
    let mut params = vec![("q", query.search.as_str())];
    if !status.is_empty() {
        params.push(("status", status));
    }
    if let Some(r) = query.role {
        params.push(("role", r.code()));
    }
    let factor = q.get("second_factor").map(|s| s.trim()).unwrap_or_default();
    if !factor.is_empty() {
        params.push(("second_factor", factor));
    }

    let search_query = serde_urlencoded::to_string(params).unwrap_or_default();
    let page = UsersPage {
        layout: Layout::new("Users", &user, state.demo),
        search_query,
        search: query.search.clone(),
        total: thousands(found.total),
        active: thousands(found.active),
        matching: found.matching,
        showing,
        page: found.page,
        pages: found.pages,
        may_invite: crate::actions::invitations::may_invite(&user.actor),
        factor_required: if user
            .actor
            .can_anywhere(candour_domain::role::Permission::ManageOrganisation)
        {
            Some(
                crate::actions::second_factor::required_in(&state.ctx, user.actor.organisation_id)
                    .await?,
            )
        } else {
            None
        },
        statuses: [
            ("", "Any"),
            ("invited", "Invited"),
            ("active", "Active"),
            ("disabled", "Disabled"),
        ]
        .into_iter()
        .map(|(v, l)| (v, l, v == status))
        .collect(),
        roles: std::iter::once(("", "Any role", query.role.is_none()))
            .chain(
                Role::ALL
                    .iter()
                    .map(|r| (r.code(), r.label(), query.role == Some(*r))),
            )
            .collect(),
        factors: [("", "Any"), ("on", "On"), ("off", "Off")]
            .into_iter()
            .map(|(v, l)| (v, l, v == factor))
            .collect(),
        users: found
            .users
            .into_iter()
            .map(|(u, roles)| UserLine {
                id: u.user_id.to_string(),
                last: u
                    .last_signed_in_at_ms
                    .and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
                    .map(candour_domain::display::date_time)
                    .unwrap_or_else(|| "Never".to_owned()),
                status: AccountStatus::of(&u).label(),
                second_factor: found.with_second_factor.contains(&u.user_id),
                name: u.display_name,
                email: u.email,
                roles,
            })
            .collect(),
    };
    Ok(render(&page)?.into_response())
}

/// GET /users.csv?q=…&status=…&role=…: every matching account, for the access review.
pub async fn users_csv_download(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let csv = users_csv(&state.ctx, &user.actor, &query_of(&q)).await?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"candour-users.csv\"",
            ),
        ],
        csv,
    )
        .into_response())
}

/// POST /users/second-factor-policy (`required`: `yes` or `no`): an
/// administrator says whether managers must have a second factor.
pub async fn change_second_factor_policy(
    State(state): State<AppState>,
    user: CurrentUser,
    form: crate::web::auth::CsrfForm,
) -> Result<Response, WebError> {
    let on = form.get("required") == "yes";
    crate::actions::second_factor::set_required(&state.ctx, &user.actor, on).await?;
    Ok(axum::response::Redirect::to("/users").into_response())
}
