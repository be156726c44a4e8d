//! The organisation's accounts, for whoever manages users: a page at a
//! time, by name, searchable by name or email; each account's page, where
//! a leaver is disabled and an account enabled again. Accounts are added
//! with `candour user …`.

use crate::actions::ActionError;
use crate::actions::accounts::{USERS_PER_PAGE, users_page};
use crate::actions::leavers::{account_view, disable_account, enable_account};
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
                id: u.user_id.to_string(),
                name: u.display_name,
                email: u.email,
                active: u.active,
            })
            .collect(),
    };
    Ok(render(&page)?.into_response())
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
