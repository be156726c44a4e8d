//! Accounts over the API: invite a member of staff, send the invitation
//! again or withdraw it, send a password reset link, give and take roles,
//! disable a leaver, enable an account again. For administrators, and for
//! registered managers over their own services' staff at or below their
//! role: the same actions as the pages.

use super::{ApiJson, Problem};
use crate::actions::invitations::{
    InvitationForm, invite, resend_invitation, send_reset_link, withdraw_invitation,
};
use crate::actions::leavers::{add_grants, disable_account, enable_account, remove_grant};
use crate::actions::staff_sync::{
    AccountPatch, SyncedAccount, account, accounts_page, change_account,
};
use crate::store::users::{AccountStatus, UserQuery};
use crate::web::AppState;
use crate::web::auth::ApiUser;
use crate::web::error::{ApiError, WebError};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use candour_domain::lessons::scope_code;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// What any operation on one account can meet besides its own answers.
#[derive(utoipa::IntoResponses)]
pub enum AccountProblems {
    /// Not an account you manage
    #[response(status = 403, content_type = "application/problem+json")]
    Forbidden(Problem),
    /// No such account in your organisation
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(Problem),
}

/// A member of staff to invite: their account is made without a password
/// and they are emailed a link, valid for 72 hours, to choose one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteRequest {
    /// Their name.
    pub name: String,
    /// Their email: they sign in with it.
    pub email: String,
    /// Role code, such as `care_worker` or `senior_carer`.
    pub role: String,
    /// Where the role applies, one or more of `organisation`,
    /// `region:<id>` and `service:<id>`: a grant for each.
    pub places: Vec<String>,
}

/// A role to give or take, and why.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantRequest {
    /// Role code.
    pub role: String,
    /// Where: `organisation`, `region:<id>` or `service:<id>` (to give, one
    /// or more; to take, exactly one).
    pub places: Vec<String>,
    /// Kept in the audit trail (up to 500 characters).
    pub reason: String,
}

/// A role held somewhere.
#[derive(Debug, Serialize, ToSchema)]
pub struct GrantJson {
    /// Role code.
    pub role: String,
    /// `organisation`, `region:<id>` or `service:<id>`.
    pub place: String,
    /// The role and place in words: "Care worker, Alder House".
    pub words: String,
}

/// An account.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserJson {
    /// Its id.
    pub user_id: String,
    /// Name.
    pub name: String,
    /// Email (lower case).
    pub email: String,
    /// `invited`, `active` or `disabled`.
    pub status: String,
    /// Its roles.
    pub grants: Vec<GrantJson>,
    /// Whether a second factor is on.
    pub second_factor: bool,
    /// The account's version: send it back in `If-Match` with a change.
    pub version: i64,
}

impl From<SyncedAccount> for UserJson {
    fn from(a: SyncedAccount) -> Self {
        UserJson {
            user_id: a.user.user_id.to_string(),
            status: AccountStatus::of(&a.user).code().to_owned(),
            version: a.user.version.unwrap_or_default(),
            name: a.user.display_name,
            email: a.user.email,
            second_factor: a.second_factor,
            grants: a
                .grants
                .into_iter()
                .map(|(g, words)| GrantJson {
                    role: g.role.code().to_owned(),
                    place: scope_code(g.scope),
                    words,
                })
                .collect(),
        }
    }
}

/// An account as the answer, with its version as `ETag`.
async fn user_answer(
    state: &AppState,
    actor: &crate::actions::Actor,
    id: candour_domain::ids::UserId,
    status: StatusCode,
) -> Result<Response, ApiError> {
    let json = UserJson::from(account(&state.ctx, actor, id).await?);
    let mut resp = (status, Json(&json)).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("\"{}\"", json.version)) {
        resp.headers_mut().insert(header::ETAG, v);
    }
    if status == StatusCode::CREATED
        && let Ok(v) = HeaderValue::from_str(&format!("/api/v1/users/{id}"))
    {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    Ok(resp)
}

/// Invite a member of staff.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = InviteRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Invited: the account, with Location", body = UserJson),
        (status = 403, description = "You manage no one's account", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Candour does not know its public address, so no link can be sent", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is missing or wrong, a role or place you cannot give, or the email is taken", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_user(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(body): ApiJson<InviteRequest>,
) -> Result<Response, ApiError> {
    let form = InvitationForm {
        name: body.name,
        email: body.email,
        role: body.role,
        places: body.places,
    };
    let made = invite(&state.ctx, &actor, &form).await?;
    user_answer(&state, &actor, made.user_id, StatusCode::CREATED).await
}

/// One account you manage.
#[utoipa::path(get, path = "/api/v1/users/{user_id}", tag = "users",
    security(("bearer" = [])),
    params(("user_id" = String, Path, description = "The account's id")),
    responses(
        (status = 200, description = "The account", body = UserJson),
        AccountProblems,
    ))]
pub async fn get_user(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    user_answer(&state, &actor, user_id(&id)?, StatusCode::OK).await
}

/// A page of accounts.
#[derive(Debug, Serialize, ToSchema)]
pub struct UsersPage {
    /// The accounts, in the order they were made.
    pub items: Vec<UserJson>,
    /// Give it as `cursor` for the next page; absent on the last.
    pub next_cursor: Option<String>,
}

/// Filters of the list.
#[derive(Debug, Deserialize, IntoParams)]
pub struct UsersParams {
    /// Part of the name or email.
    pub q: Option<String>,
    /// `invited`, `active` or `disabled`.
    pub status: Option<String>,
    /// Only accounts holding this role somewhere, such as `care_worker`.
    pub role: Option<String>,
    /// From `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// How many accounts a page holds.
const PAGE_SIZE: i64 = 200;

/// List the accounts you manage (every account for an administrator, a
/// registered manager's own services' staff).
#[utoipa::path(get, path = "/api/v1/users", tag = "users",
    security(("bearer" = [])),
    params(UsersParams),
    responses(
        (status = 200, description = "A page of accounts", body = UsersPage),
        (status = 403, description = "You manage no one's account", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_users(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Query(p): Query<UsersParams>,
) -> Result<Json<UsersPage>, ApiError> {
    let given = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let bad = |what: &str| ApiError(WebError::BadRequest(what.to_owned()));
    let status = match given(&p.status) {
        Some(s) => Some(
            AccountStatus::parse(&s)
                .ok_or_else(|| bad("The status parameter must be invited, active or disabled"))?,
        ),
        None => None,
    };
    let role =
        match given(&p.role) {
            Some(r) => Some(candour_domain::role::Role::parse(&r).ok_or_else(|| {
                bad("The role parameter must be a role code, such as care_worker")
            })?),
            None => None,
        };
    let after = match given(&p.cursor) {
        Some(c) => Some(
            c.parse()
                .map_err(|_| bad("The cursor parameter must be a next_cursor given before"))?,
        ),
        None => None,
    };
    let q = UserQuery {
        search: given(&p.q).unwrap_or_default(),
        status,
        role,
        ..UserQuery::default()
    };
    let rows = accounts_page(&state.ctx, &actor, &q, after, PAGE_SIZE).await?;
    let next_cursor = (rows.len() as i64 == PAGE_SIZE)
        .then(|| rows.last().map(|a| a.user.user_id.to_string()))
        .flatten();
    Ok(Json(UsersPage {
        items: rows.into_iter().map(UserJson::from).collect(),
        next_cursor,
    }))
}

/// A change to an account: each field given is made.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    /// A new name.
    pub display_name: Option<String>,
    /// `false` disables a leaver at once (sessions, tokens and PIN end);
    /// `true` enables the account again.
    pub active: Option<bool>,
    /// Why, with `active` (kept in the audit trail).
    pub reason: Option<String>,
}

/// Change an account you manage, on the version named in `If-Match`.
#[utoipa::path(patch, path = "/api/v1/users/{user_id}", tag = "users", request_body = UserPatch,
    security(("bearer" = [])),
    params(("user_id" = String, Path, description = "The account's id"),
        ("If-Match" = String, Header, description = "The ETag of the version the change was made on")),
    responses(
        (status = 200, description = "Changed", body = UserJson, headers(("ETag" = String, description = "The new version, quoted"))),
        AccountProblems,
        (status = 409, description = "Already so, or your own account", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since that version", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is wrong, or no reason", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "No If-Match header", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn patch_user(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<UserPatch>,
) -> Result<Response, ApiError> {
    let id = user_id(&id)?;
    let version = super::people::if_match(&headers)?;
    let patch = AccountPatch {
        display_name: body.display_name,
        active: body.active,
        reason: body.reason,
    };
    change_account(&state.ctx, &actor, id, &patch, version)
        .await
        .map_err(super::people::stale)?;
    user_answer(&state, &actor, id, StatusCode::OK).await
}

/// Send the invitation again: a new link, valid for 72 hours; the older stops working.
#[utoipa::path(post, path = "/api/v1/users/{user_id}/invitation", tag = "users",
    security(("bearer" = [])),
    params(("user_id" = String, Path, description = "The account's id")),
    responses(
        (status = 204, description = "Sent"),
        AccountProblems,
        (status = 409, description = "They have already chosen a password, the account is disabled, or no public address is known", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_invitation(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    resend_invitation(&state.ctx, &actor, user_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Withdraw an invitation: its link stops working and the account is disabled.
#[utoipa::path(post, path = "/api/v1/users/{user_id}/invitation/withdraw", tag = "users",
    security(("bearer" = [])),
    params(("user_id" = String, Path, description = "The account's id")),
    responses(
        (status = 204, description = "Withdrawn"),
        AccountProblems,
        (status = 409, description = "They have already chosen a password, or the account is disabled", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_invitation_withdrawal(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    withdraw_invitation(&state.ctx, &actor, user_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Email them a link, valid for 1 hour, to choose a new password.
#[utoipa::path(post, path = "/api/v1/users/{user_id}/reset-link", tag = "users",
    security(("bearer" = [])),
    params(("user_id" = String, Path, description = "The account's id")),
    responses(
        (status = 204, description = "Sent"),
        AccountProblems,
        (status = 409, description = "Disabled, still invited, or no public address is known", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_reset_link(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    send_reset_link(&state.ctx, &actor, user_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Give a role in one or more places.
#[utoipa::path(post, path = "/api/v1/users/{user_id}/grants", tag = "users", request_body = GrantRequest,
    security(("bearer" = [])),
    params(("user_id" = String, Path, description = "The account's id")),
    responses(
        (status = 204, description = "Given"),
        AccountProblems,
        (status = 409, description = "Held already, or your own account", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A role or place you cannot give, or no reason", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_grants(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<GrantRequest>,
) -> Result<StatusCode, ApiError> {
    let asked = (body.role.as_str(), body.places.as_slice());
    add_grants(&state.ctx, &actor, user_id(&id)?, asked, &body.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Take a role (one place) away.
#[utoipa::path(post, path = "/api/v1/users/{user_id}/grants/remove", tag = "users", request_body = GrantRequest,
    security(("bearer" = [])),
    params(("user_id" = String, Path, description = "The account's id")),
    responses(
        (status = 204, description = "Taken away"),
        AccountProblems,
        (status = 409, description = "Not held, their only role, or your own account", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not exactly one place, a role or place you cannot change, or no reason", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_grant_removal(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<GrantRequest>,
) -> Result<StatusCode, ApiError> {
    let [place] = body.places.as_slice() else {
        let mut e = candour_domain::validation::FieldErrors::new();
        e.add("places", "Give exactly one place");
        return Err(crate::actions::ActionError::Invalid(e).into());
    };
    let asked = (body.role.as_str(), place.as_str());
    remove_grant(&state.ctx, &actor, user_id(&id)?, asked, &body.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Why an account is disabled or enabled.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusRequest {
    /// Kept in the audit trail, such as "left on 30 Nov 2026" (up to 500 characters).
    pub reason: String,
}

fn user_id(s: &str) -> Result<candour_domain::ids::UserId, ApiError> {
    s.parse().map_err(|_| ApiError(WebError::NotFound))
}

/// Disable an account (a leaver): its sessions, API tokens and quick
/// sign-in PIN end at once, on every instance; its records keep its name.
#[utoipa::path(post, path = "/api/v1/users/{user_id}/disable", tag = "users", request_body = StatusRequest,
    security(("bearer" = [])),
    params(("user_id" = String, Path, description = "The account's id")),
    responses(
        (status = 204, description = "Disabled"),
        (status = 400, description = "The body could not be read", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        AccountProblems,
        (status = 409, description = "Already disabled, or your own account", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No reason given, or too long", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_disable(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<StatusRequest>,
) -> Result<StatusCode, ApiError> {
    disable_account(&state.ctx, &actor, user_id(&id)?, &body.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Let a disabled account sign in again.
#[utoipa::path(post, path = "/api/v1/users/{user_id}/enable", tag = "users", request_body = StatusRequest,
    security(("bearer" = [])),
    params(("user_id" = String, Path, description = "The account's id")),
    responses(
        (status = 204, description = "Enabled"),
        (status = 400, description = "The body could not be read", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        AccountProblems,
        (status = 409, description = "Not disabled", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No reason given, or too long", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_enable(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<StatusRequest>,
) -> Result<StatusCode, ApiError> {
    enable_account(&state.ctx, &actor, user_id(&id)?, &body.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}
