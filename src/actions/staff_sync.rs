//! Staff accounts for a client keeping Candour in step (an HR system): the
//! accounts someone manages, a page at a time by id, and a change to one
//! (its name, or disabling a leaver and enabling them again) made on the
//! version the client read, so that a change made since is not overwritten.

use super::leavers::{set_status_in, target};
use super::{ActionError, ActionResult, Actor, Ctx};
use crate::store::users::{User, UserQuery, rename_user};
use candour_domain::display::date_time_ms;
use candour_domain::ids::UserId;
use candour_domain::role::Grant;
use candour_domain::validation::FieldErrors;
use serde_json::json;

/// An account with what a client needs of it.
#[derive(Debug, Clone)]
pub struct SyncedAccount {
    /// The account, with its version.
    pub user: User,
    /// Its roles, each with its words: "Care worker, Alder House".
    pub grants: Vec<(Grant, String)>,
    /// Whether a second factor is on.
    pub second_factor: bool,
}

/// The accounts `actor` manages matching `q`, after `after` in id order
/// (`None`: from the first), at most `limit`.
pub async fn accounts_page(
    ctx: &Ctx,
    actor: &Actor,
    q: &UserQuery,
    after: Option<UserId>,
    limit: i64,
) -> ActionResult<Vec<SyncedAccount>> {
    let q = UserQuery {
        after: Some(after.unwrap_or(UserId(uuid::Uuid::nil()))),
        ..super::accounts::listing(actor, q)?
    };
    let org = actor.organisation_id;
    let (_, users) = ctx
        .store
        .users_page(org, &q, 0, limit.clamp(1, 500))
        .await?;
    let ids: Vec<UserId> = users.iter().map(|u| u.user_id).collect();
    let mut grants = ctx.store.grants_of(org, &ids).await?;
    let factors = ctx.store.with_second_factor(org).await?;
    let words = worded(ctx, actor).await?;
    Ok(users
        .into_iter()
        .map(|u| SyncedAccount {
            grants: words(grants.remove(&u.user_id).unwrap_or_default()),
            second_factor: factors.contains(&u.user_id),
            user: u,
        })
        .collect())
}

/// Puts grants into words ("Care worker, Alder House").
async fn worded(
    ctx: &Ctx,
    actor: &Actor,
) -> ActionResult<impl Fn(Vec<Grant>) -> Vec<(Grant, String)>> {
    let org = actor.organisation_id;
    let services = ctx.store.services(org).await?;
    let regions = ctx.store.regions(org).await?;
    Ok(move |grants: Vec<Grant>| {
        grants
            .into_iter()
            .map(|g| {
                let place = super::accounts::place_of(g.scope, (&services, &regions));
                (g, format!("{}, {place}", g.role.label()))
            })
            .collect()
    })
}

/// One account `actor` manages, with its version.
pub async fn account(ctx: &Ctx, actor: &Actor, id: UserId) -> ActionResult<SyncedAccount> {
    let mut user = target(ctx, actor, id).await?;
    user.version = Some(ctx.store.user_version(id).await?);
    let words = worded(ctx, actor).await?;
    Ok(SyncedAccount {
        grants: words(ctx.store.grants(id).await?),
        second_factor: super::second_factor::is_on(ctx, id).await?,
        user,
    })
}

/// A change to an account: each part given is made.
#[derive(Debug, Clone, Default)]
pub struct AccountPatch {
    /// A new name.
    pub display_name: Option<String>,
    /// `false` to disable a leaver, `true` to enable again.
    pub active: Option<bool>,
    /// Why the account is disabled or enabled (required with `active`).
    pub reason: Option<String>,
}

/// Changes an account `actor` manages, made on `version`. Changed since:
/// `Conflict`, saying when.
pub async fn change_account(
    ctx: &Ctx,
    actor: &Actor,
    id: UserId,
    patch: &AccountPatch,
    version: i64,
) -> ActionResult<()> {
    let found = target(ctx, actor, id).await?;
    let mut errors = FieldErrors::new();
    let name = patch.display_name.as_deref().map(str::trim);
    match name {
        Some("") => errors.add("display_name", "Give their name"),
        Some(n) if n.chars().count() > 200 => {
            errors.add("display_name", "Keep the name to 200 characters or fewer");
        }
        _ => {}
    }
    let reason = patch.reason.as_deref().map(str::trim).unwrap_or_default();
    if patch.active.is_some() && reason.is_empty() {
        errors.add("reason", "Say why the account is disabled or enabled");
    }
    if name.is_none() && patch.active.is_none() {
        errors.add(
            "display_name",
            "Give a change: display_name, or active with a reason",
        );
    }
    if !errors.is_empty() {
        return Err(ActionError::Invalid(errors));
    }
    let held = ctx.store.user_version(id).await?;
    let stale = || {
        ActionError::Conflict(format!(
            "{}'s account changed at {}, after the version you read: read it again",
            found.display_name,
            date_time_ms(held)
        ))
    };
    if held != version {
        return Err(stale());
    }
    if patch.active == Some(false) && found.user_id == actor.user_id {
        return Err(ActionError::Refused(vec![
            "You cannot disable your own account: ask another administrator".into(),
        ]));
    }
    let now = ctx.clock.now().as_millisecond().max(version + 1);
    let by = actor.audit_name();
    let mut tx = ctx.store.begin().await?;
    if let Some(n) = name.filter(|n| *n != found.display_name) {
        if !rename_user(&mut tx, id, n, version, now).await? {
            return Err(stale());
        }
        let changes = json!({"display_name": {"before": found.display_name, "after": n}});
        super::leavers::user_audit(&mut tx, &found, (&by, now), "user.renamed", &changes).await?;
    }
    if let Some(active) = patch.active.filter(|a| *a != found.active) {
        set_status_in(ctx, &mut tx, &found, (&by, reason), active).await?;
    }
    tx.commit().await?;
    Ok(())
}
