//! The organisation's accounts, for whoever manages users: a page at a
//! time, by name, searchable by name or email; each account's page, where
//! a leaver is disabled and an account enabled again. Accounts are added
//! with `candour user …`.

use crate::actions::ActionError;
use crate::actions::accounts::{USERS_PER_PAGE, users_csv, users_page};
use crate::actions::leavers::{account_view, disable_account, enable_account};
use crate::store::users::UserQuery;
use crate::web::AppState;
use crate::web::auth::CsrfForm;
use crate::web::auth::CurrentUser;
use crate::web::error::{WebError, render};
use crate::web::layout::Layout;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use candour_domain::display::thousands;
use candour_domain::role::Role;
use candour_domain::validation::FieldErrors;
use std::collections::HashMap;

/// An account in the list.
pub struct UserLine {
    /// Its id, for the link.
    pub id: String,
    /// Name.
    pub name: String,
    /// Email.
    pub email: String,
    /// Whether it may sign in.
    pub active: bool,
    /// Its roles, as words.
    pub roles: Vec<String>,
    /// When it last signed in, or "Never".
    pub last: String,
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
}

/// The search and filters from a query string.
fn query_of(q: &HashMap<String, String>) -> UserQuery {
    let get = |k: &str| q.get(k).map(|s| s.trim().to_owned()).unwrap_or_default();
    UserQuery {
        search: get("q"),
        active: match get("status").as_str() {
            "active" => Some(true),
            "disabled" => Some(false),
            _ => None,
        },
        role: Role::parse(&get("role")),
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
        statuses: [("", "Any"), ("active", "Active"), ("disabled", "Disabled")]
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
                name: u.display_name,
                email: u.email,
                active: u.active,
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

#[derive(Template)]
#[template(path = "user.html")]
struct AccountPage {
    layout: Layout,
    id: String,
    name: String,
    email: String,
    active: bool,
    grants: Vec<(&'static str, String)>,
    reason: String,
    errors: FieldErrors,
}

async fn account_page(
    state: &AppState,
    user: &CurrentUser,
    id: candour_domain::ids::UserId,
    (reason, errors): (String, FieldErrors),
) -> Result<AccountPage, WebError> {
    let v = account_view(&state.ctx, &user.actor, id).await?;
    Ok(AccountPage {
        layout: Layout::new(v.user.display_name.clone(), user, state.demo),
        id: v.user.user_id.to_string(),
        name: v.user.display_name,
        email: v.user.email,
        active: v.user.active,
        grants: v.grants,
        reason,
        errors,
    })
}

fn user_id(s: &str) -> Result<candour_domain::ids::UserId, WebError> {
    s.parse().map_err(|_| WebError::NotFound)
}

/// GET /users/{user_id}
pub async fn show_user(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let page = account_page(&state, &user, user_id(&id)?, Default::default()).await?;
    Ok(render(&page)?.into_response())
}

/// POST /users/{user_id}/disable (`reason`) and /enable.
async fn change_status(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    form: &CsrfForm,
    enable: bool,
) -> Result<Response, WebError> {
    let id = user_id(id)?;
    let reason = form.get("reason");
    let done = if enable {
        enable_account(&state.ctx, &user.actor, id, &reason).await
    } else {
        disable_account(&state.ctx, &user.actor, id, &reason).await
    };
    match done {
        Ok(()) => Ok(Redirect::to(&format!("/users/{id}")).into_response()),
        Err(ActionError::Invalid(errors)) => {
            let page = account_page(state, user, id, (reason, errors)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// POST /users/{user_id}/disable: disable a leaver's account, with `reason`.
pub async fn disable_user(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    form: CsrfForm,
) -> Result<Response, WebError> {
    change_status(&state, &user, &id, &form, false).await
}

/// POST /users/{user_id}/enable: let a disabled account sign in again, with `reason`.
pub async fn enable_user(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    form: CsrfForm,
) -> Result<Response, WebError> {
    change_status(&state, &user, &id, &form, true).await
}
