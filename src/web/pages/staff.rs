//! A member of staff's account, for whoever manages it: inviting them,
//! sending the invitation again or withdrawing it, a password reset link,
//! their roles, and disabling a leaver or enabling the account again.

use crate::actions::ActionError;
use crate::actions::invitations::{
    InvitationForm, grant_choices, invite, resend_invitation, send_reset_link, withdraw_invitation,
};
use crate::actions::leavers::{
    account_view, add_grants, disable_account, enable_account, remove_grant,
};
use crate::store::account_links::LinkPurpose;
use crate::store::users::AccountStatus;
use crate::web::AppState;
use crate::web::auth::{CsrfForm, CurrentUser};
use crate::web::error::{WebError, render};
use crate::web::layout::Layout;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use candour_domain::display::date_time_ms;
use candour_domain::ids::UserId;
use candour_domain::lessons::scope_code;
use candour_domain::validation::FieldErrors;
use std::collections::HashMap;

/// A role or place to choose: (code, words, chosen).
type Option3 = (String, String, bool);

/// What the forms on the account page hold when shown again with errors.
#[derive(Debug, Default)]
struct Typed {
    /// Why, for disabling or enabling.
    reason: String,
    /// Why, for giving a role.
    grant_reason: String,
    /// Why, for taking one.
    remove_reason: String,
    /// The role chosen to add.
    role: String,
    /// The places chosen to add it in.
    places: Vec<String>,
    errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "user.html")]
struct AccountPage {
    layout: Layout,
    id: String,
    name: String,
    email: String,
    active: bool,
    status: &'static str,
    /// Whether it is the reader's own account (its roles and status are
    /// changed by someone else).
    own: bool,
    /// About its newest link: "Invitation sent 7 Dec 2026 at 10:12; it works until …".
    link_note: String,
    /// (role words, place words, role code, place code).
    grants: Vec<(&'static str, String, &'static str, String)>,
    roles: Vec<Option3>,
    places: Vec<Option3>,
    notice: &'static str,
    typed: Typed,
    /// Whether a second factor is on.
    second_factor: bool,
    /// Whether the reader may reset it (an administrator, not their own).
    may_reset_second_factor: bool,
}

fn notice_for(done: Option<&str>) -> &'static str {
    match done {
        Some("invited") => "Invitation sent. It works for 72 hours.",
        Some("resent") => "Invitation sent again. The earlier link no longer works.",
        Some("withdrawn") => {
            "Invitation withdrawn: the link no longer works and the account is disabled."
        }
        Some("reset") => "Password reset link sent. It works for 1 hour.",
        Some("roles") => "Roles changed.",
        Some("disabled") => "Account disabled.",
        Some("enabled") => "Account enabled.",
        Some("second_factor_reset") => {
            "Second factor reset. They sign in with their password and set it up again."
        }
        _ => "",
    }
}

async fn account_page(
    state: &AppState,
    user: &CurrentUser,
    id: UserId,
    (typed, done): (Typed, Option<&str>),
) -> Result<AccountPage, WebError> {
    let v = account_view(&state.ctx, &user.actor, id).await?;
    let choices = grant_choices(&state.ctx, &user.actor).await?;
    let now = state.ctx.clock.now().as_millisecond();
    let status = AccountStatus::of(&v.user);
    let link_note = match (&v.latest_link, status) {
        (Some(l), AccountStatus::Invited | AccountStatus::Active) if l.open_at(now) => format!(
            "{} sent {}; it works until {}.",
            match l.purpose {
                LinkPurpose::Invitation => "Invitation",
                LinkPurpose::Reset => "Password reset link",
            },
            date_time_ms(l.created_at_ms),
            date_time_ms(l.expires_at_ms)
        ),
        (Some(l), AccountStatus::Invited) if l.purpose == LinkPurpose::Invitation => format!(
            "The invitation sent {} has run out or was replaced: send it again.",
            date_time_ms(l.created_at_ms)
        ),
        (None, AccountStatus::Invited) => {
            "No invitation has been sent: send one so they can choose a password.".to_owned()
        }
        _ => String::new(),
    };
    let second_factor = crate::actions::second_factor::is_on(&state.ctx, id).await?;
    let own = v.user.user_id == user.actor.user_id;
    Ok(AccountPage {
        second_factor,
        may_reset_second_factor: second_factor
            && !own
            && user
                .actor
                .can_anywhere(candour_domain::role::Permission::ManageUsers),
        layout: Layout::new(v.user.display_name.clone(), user, state.demo),
        id: v.user.user_id.to_string(),
        own,
        name: v.user.display_name,
        email: v.user.email,
        active: v.user.active,
        status: status.label(),
        link_note,
        grants: v
            .grants
            .into_iter()
            .map(|(g, role, place)| (role, place, g.role.code(), scope_code(g.scope)))
            .collect(),
        roles: choices
            .roles
            .iter()
            .map(|r| {
                (
                    r.code().to_owned(),
                    r.label().to_owned(),
                    typed.role == r.code(),
                )
            })
            .collect(),
        places: choices
            .places
            .into_iter()
            .map(|(code, words)| {
                let chosen = typed.places.contains(&code);
                (code, words, chosen)
            })
            .collect(),
        notice: notice_for(done),
        typed,
    })
}

fn user_id(s: &str) -> Result<UserId, WebError> {
    s.parse().map_err(|_| WebError::NotFound)
}

/// GET /users/{user_id}?done=…
pub async fn show_user(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let done = q.get("done").map(String::as_str);
    let page = account_page(&state, &user, user_id(&id)?, (Typed::default(), done)).await?;
    Ok(render(&page)?.into_response())
}

/// The account page again after `done`, or with the form's errors.
async fn after(
    state: &AppState,
    user: &CurrentUser,
    id: UserId,
    result: Result<&'static str, ActionError>,
    typed: impl FnOnce(FieldErrors) -> Typed,
) -> Result<Response, WebError> {
    match result {
        Ok(done) => Ok(Redirect::to(&format!("/users/{id}?done={done}")).into_response()),
        Err(ActionError::Invalid(errors)) => {
            let page = account_page(state, user, id, (typed(errors), None)).await?;
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
    let id = user_id(&id)?;
    let reason = form.get("reason");
    let done = disable_account(&state.ctx, &user.actor, id, &reason).await;
    let typed = |errors| Typed {
        reason,
        errors,
        ..Typed::default()
    };
    after(&state, &user, id, done.map(|()| "disabled"), typed).await
}

/// POST /users/{user_id}/enable: let a disabled account sign in again, with `reason`.
pub async fn enable_user(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let id = user_id(&id)?;
    let reason = form.get("reason");
    let done = enable_account(&state.ctx, &user.actor, id, &reason).await;
    let typed = |errors| Typed {
        reason,
        errors,
        ..Typed::default()
    };
    after(&state, &user, id, done.map(|()| "enabled"), typed).await
}

/// POST /users/{user_id}/invitation: send the invitation again.
pub async fn resend_user_invitation(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    _form: CsrfForm,
) -> Result<Response, WebError> {
    let id = user_id(&id)?;
    let done = resend_invitation(&state.ctx, &user.actor, id).await;
    after(&state, &user, id, done.map(|()| "resent"), typed_errors).await
}

/// POST /users/{user_id}/invitation/withdraw
pub async fn withdraw_user_invitation(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    _form: CsrfForm,
) -> Result<Response, WebError> {
    let id = user_id(&id)?;
    let done = withdraw_invitation(&state.ctx, &user.actor, id).await;
    after(&state, &user, id, done.map(|()| "withdrawn"), typed_errors).await
}

/// POST /users/{user_id}/reset-link: email them a link to choose a new password.
pub async fn send_user_reset_link(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    _form: CsrfForm,
) -> Result<Response, WebError> {
    let id = user_id(&id)?;
    let done = send_reset_link(&state.ctx, &user.actor, id).await;
    after(&state, &user, id, done.map(|()| "reset"), typed_errors).await
}

fn typed_errors(errors: FieldErrors) -> Typed {
    Typed {
        errors,
        ..Typed::default()
    }
}

/// POST /users/{user_id}/roles: give a role (`role`) in one or more places
/// (`places`), with `grant_reason`.
pub async fn add_user_roles(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let id = user_id(&id)?;
    let (role, places, reason) = (
        form.get("role"),
        form.all("places"),
        form.get("grant_reason"),
    );
    let done = add_grants(&state.ctx, &user.actor, id, (&role, &places), &reason).await;
    let typed = |errors: FieldErrors| Typed {
        grant_reason: reason,
        role,
        places,
        errors: errors.renamed("reason", "grant_reason"),
        ..Typed::default()
    };
    after(&state, &user, id, done.map(|()| "roles"), typed).await
}

/// POST /users/{user_id}/roles/remove: take a role (`grant`, as
/// `role|place`), with `remove_reason`.
pub async fn remove_user_role(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let id = user_id(&id)?;
    let reason = form.get("remove_reason");
    let grant = form.get("grant");
    let (role, place) = grant.split_once('|').unwrap_or(("", ""));
    let done = remove_grant(&state.ctx, &user.actor, id, (role, place), &reason).await;
    let typed = |errors: FieldErrors| Typed {
        remove_reason: reason,
        errors: errors
            .renamed("reason", "remove_reason")
            .renamed("role", "grant")
            .renamed("places", "grant"),
        ..Typed::default()
    };
    after(&state, &user, id, done.map(|()| "roles"), typed).await
}

#[derive(Template)]
#[template(path = "user_new.html")]
struct InvitePage {
    layout: Layout,
    name: String,
    email: String,
    roles: Vec<Option3>,
    places: Vec<Option3>,
    errors: FieldErrors,
}

async fn invite_page(
    state: &AppState,
    user: &CurrentUser,
    form: InvitationForm,
    errors: FieldErrors,
) -> Result<InvitePage, WebError> {
    let choices = grant_choices(&state.ctx, &user.actor).await?;
    // With one place to choose from, it is chosen.
    let only = choices.places.len() == 1;
    Ok(InvitePage {
        layout: Layout::new("Invite a member of staff", user, state.demo),
        roles: choices
            .roles
            .iter()
            .map(|r| {
                (
                    r.code().to_owned(),
                    r.label().to_owned(),
                    form.role == r.code(),
                )
            })
            .collect(),
        places: choices
            .places
            .into_iter()
            .map(|(code, words)| {
                let chosen = only || form.places.contains(&code);
                (code, words, chosen)
            })
            .collect(),
        name: form.name,
        email: form.email,
        errors,
    })
}

/// GET /users/new
pub async fn new_user_form(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, WebError> {
    let page = invite_page(&state, &user, InvitationForm::default(), FieldErrors::new()).await?;
    Ok(render(&page)?.into_response())
}

/// POST /users/new: invite them (`name`, `email`, `role`, `places`).
pub async fn invite_user(
    State(state): State<AppState>,
    user: CurrentUser,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let typed = InvitationForm {
        name: form.get("name"),
        email: form.get("email"),
        role: form.get("role"),
        places: form.all("places"),
    };
    match invite(&state.ctx, &user.actor, &typed).await {
        Ok(made) => {
            Ok(Redirect::to(&format!("/users/{}?done=invited", made.user_id)).into_response())
        }
        Err(ActionError::Invalid(errors)) => {
            let page = invite_page(&state, &user, typed, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
