//! Leavers and roles: disabling an account ends it everywhere at once (its sessions,
//! API tokens and quick sign-in PIN, on every instance, since all live in
//! the database; emails still queued for it are not sent), keeps its
//! records and name, and is audited with why.
//! Re-enabling lets it sign in again with a password set afresh or reset.
//! Roles are given and taken by the same people, within what they manage.

use super::{ActionError, ActionResult, Actor, Ctx};
use crate::store::Tx;
use crate::store::audit::{NewAuditEvent, append};
use crate::store::sessions::delete_user_sessions;
use crate::store::users::{User, set_active};
use candour_domain::ids::UserId;
use candour_domain::role::{Grant, Permission, Role, Scope};
use candour_domain::validation::FieldErrors;
use serde_json::json;

/// Longest reason, in characters.
const MAX_REASON: usize = 500;

/// Roles a registered manager may disable in their own services: none above their own.
fn below_or_at_manager(role: Role) -> bool {
    matches!(
        role,
        Role::CareWorker | Role::SeniorCarer | Role::RegisteredManager
    )
}

/// Whether `actor` may disable or re-enable an account holding `grants`:
/// an administrator any account of the organisation; a registered manager
/// an account whose every grant is a role no higher than theirs in a
/// service they manage.
pub fn may_manage_account(actor: &Actor, grants: &[Grant]) -> bool {
    if actor.can_anywhere(Permission::ManageUsers) {
        return true;
    }
    let manages = |s| {
        actor
            .grants
            .iter()
            .any(|g| g.role == Role::RegisteredManager && g.scope == Scope::Service(s))
    };
    !grants.is_empty()
        && grants.iter().all(|g| match g.scope {
            Scope::Service(s) => below_or_at_manager(g.role) && manages(s),
            _ => false,
        })
}

fn check_reason(reason: &str) -> Result<String, FieldErrors> {
    let r = reason.trim();
    let mut e = FieldErrors::new();
    if r.is_empty() {
        e.add("reason", "Say why, such as \"left on 30 Nov 2026\"");
    } else if r.chars().count() > MAX_REASON {
        e.add(
            "reason",
            format!("Keep the reason to {MAX_REASON} characters or fewer"),
        );
    }
    e.into_result(r.to_owned())
}

/// The account `actor` may change, or why not.
pub(crate) async fn target(ctx: &Ctx, actor: &Actor, user: UserId) -> ActionResult<User> {
    let (found, grants) = match ctx.store.user_with_grants(user).await {
        Ok(found) => found,
        Err(crate::store::StoreError::NotFound) => return Err(ActionError::NotFound),
        Err(e) => return Err(e.into()),
    };
    if found.organisation_id != actor.organisation_id {
        return Err(ActionError::NotFound);
    }
    if !may_manage_account(actor, &grants) {
        return Err(ActionError::Forbidden);
    }
    Ok(found)
}

/// Disables an account (a leaver) for `reason`.
pub async fn disable_account(
    ctx: &Ctx,
    actor: &Actor,
    user: UserId,
    reason: &str,
) -> ActionResult<()> {
    change(ctx, actor, user, reason, false).await
}

/// Lets a disabled account sign in again, for `reason`.
pub async fn enable_account(
    ctx: &Ctx,
    actor: &Actor,
    user: UserId,
    reason: &str,
) -> ActionResult<()> {
    change(ctx, actor, user, reason, true).await
}

async fn change(
    ctx: &Ctx,
    actor: &Actor,
    user: UserId,
    reason: &str,
    active: bool,
) -> ActionResult<()> {
    let reason = check_reason(reason)?;
    let found = target(ctx, actor, user).await?;
    if !active && found.user_id == actor.user_id {
        return Err(ActionError::Refused(vec![
            "You cannot disable your own account: ask another administrator".into(),
        ]));
    }
    let mut tx = ctx.store.begin().await?;
    set_status_in(ctx, &mut tx, &found, (&actor.audit_name(), &reason), active).await?;
    tx.commit().await?;
    Ok(())
}

/// Disables (`active` false) or enables `user` in `tx`, audited as `by`
/// with `reason`. Disabling ends every session, revokes every API token
/// and removes the PIN. Already so: `Refused`.
pub(crate) async fn set_status_in(
    ctx: &Ctx,
    tx: &mut Tx,
    user: &User,
    (by, reason): (&str, &str),
    active: bool,
) -> ActionResult<()> {
    let now = ctx.clock.now().as_millisecond();
    if !set_active(tx, user.user_id, active, now).await? {
        let already = if active {
            "not disabled"
        } else {
            "already disabled"
        };
        return Err(ActionError::Refused(vec![format!(
            "{} is {already}",
            user.display_name
        )]));
    }
    if !active {
        delete_user_sessions(tx, user.user_id).await?;
        crate::store::devices::delete_pin(tx, user.user_id).await?;
        super::tokens::revoke_all_tokens(tx, user, by, now).await?;
        crate::store::outbox::drop_queued_for(
            tx,
            user.organisation_id,
            &user.email,
            "Not sent: the account was disabled",
        )
        .await?;
    }
    let action = if active {
        "user.enabled"
    } else {
        "user.disabled"
    };
    audit(tx, user, (by, now), action, reason, (!active, active)).await
}

async fn audit(
    tx: &mut Tx,
    user: &User,
    at: (&str, i64),
    action: &str,
    reason: &str,
    (before, after): (bool, bool),
) -> ActionResult<()> {
    let changes = json!({
        "active": {"before": before, "after": after},
        "reason": {"before": null, "after": reason},
    });
    user_audit(tx, user, at, action, &changes).await
}

/// Appends `action` on `user`'s account to the audit trail, as `by` at `now`.
pub(crate) async fn user_audit(
    tx: &mut Tx,
    user: &User,
    (by, now): (&str, i64),
    action: &str,
    changes: &serde_json::Value,
) -> ActionResult<()> {
    append(
        tx,
        &NewAuditEvent {
            organisation_id: user.organisation_id,
            occurred_at_ms: now,
            actor: by,
            action,
            record_type: "user",
            record_id: &user.user_id.to_string(),
            changes: &changes.to_string(),
        },
    )
    .await?;
    Ok(())
}

/// `actor` gives an account they manage a further role in places they
/// manage, saying why. Their own account: `Refused`.
pub async fn add_grants(
    ctx: &Ctx,
    actor: &Actor,
    user: UserId,
    (role, places): (&str, &[String]),
    reason: &str,
) -> ActionResult<()> {
    let (found, grants, reason) = asked(ctx, actor, user, (role, places), reason).await?;
    let held = ctx.store.grants(found.user_id).await?;
    let new: Vec<Grant> = grants.into_iter().filter(|g| !held.contains(g)).collect();
    if new.is_empty() {
        return Err(ActionError::Refused(vec![format!(
            "{} already holds that role there",
            found.display_name
        )]));
    }
    let now = ctx.clock.now().as_millisecond();
    let by = actor.audit_name();
    let mut tx = ctx.store.begin().await?;
    for g in new {
        crate::store::users::insert_grant(&mut tx, found.organisation_id, found.user_id, g, now)
            .await?;
        grant_audit(
            &mut tx,
            &found,
            (&by, now),
            ("user.granted", g),
            Some(&reason),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// `actor` takes a role they manage from an account they manage, saying
/// why. Their own account, or the account's only role: `Refused`.
pub async fn remove_grant(
    ctx: &Ctx,
    actor: &Actor,
    user: UserId,
    (role, place): (&str, &str),
    reason: &str,
) -> ActionResult<()> {
    let places = [place.to_owned()];
    let (found, grants, reason) = asked(ctx, actor, user, (role, &places), reason).await?;
    let [grant] = grants.as_slice() else {
        return Err(ActionError::NotFound);
    };
    let mut tx = ctx.store.begin().await?;
    revoke_in(
        ctx,
        &mut tx,
        &found,
        *grant,
        (&actor.audit_name(), Some(&reason)),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The account, the grants a form asks for and the reason, each checked.
async fn asked(
    ctx: &Ctx,
    actor: &Actor,
    user: UserId,
    (role, places): (&str, &[String]),
    reason: &str,
) -> ActionResult<(User, Vec<Grant>, String)> {
    let found = target(ctx, actor, user).await?;
    if found.user_id == actor.user_id {
        return Err(ActionError::Refused(vec![
            "You cannot change your own roles: ask another administrator".into(),
        ]));
    }
    let mut errors = FieldErrors::new();
    let grants = super::invitations::grants_asked(ctx, actor, role, places, &mut errors).await?;
    let reason = match check_reason(reason) {
        Ok(r) => r,
        Err(e) => {
            errors.0.extend(e.0);
            String::new()
        }
    };
    if !errors.is_empty() {
        return Err(ActionError::Invalid(errors));
    }
    Ok((found, grants, reason))
}

/// Gives `user` a further grant, as an operator (`by`), audited. Holding
/// it already: `Refused`.
pub async fn grant_as(ctx: &Ctx, user: &User, grant: Grant, by: &str) -> ActionResult<()> {
    let held = ctx.store.grants(user.user_id).await?;
    if held.contains(&grant) {
        return Err(ActionError::Refused(vec![format!(
            "{} already holds that role there",
            user.display_name
        )]));
    }
    let now = ctx.clock.now().as_millisecond();
    let mut tx = ctx.store.begin().await?;
    crate::store::users::insert_grant(&mut tx, user.organisation_id, user.user_id, grant, now)
        .await?;
    grant_audit(&mut tx, user, (by, now), ("user.granted", grant), None).await?;
    tx.commit().await?;
    Ok(())
}

/// Takes a grant from `user`, as an operator (`by`), audited. Not held, or
/// their only one (disable the account instead): `Refused`.
pub async fn revoke_as(ctx: &Ctx, user: &User, grant: Grant, by: &str) -> ActionResult<()> {
    let mut tx = ctx.store.begin().await?;
    revoke_in(ctx, &mut tx, user, grant, (by, None)).await?;
    tx.commit().await?;
    Ok(())
}

async fn revoke_in(
    ctx: &Ctx,
    tx: &mut Tx,
    user: &User,
    grant: Grant,
    (by, reason): (&str, Option<&str>),
) -> ActionResult<()> {
    let held = ctx.store.grants(user.user_id).await?;
    if !held.contains(&grant) {
        return Err(ActionError::Refused(vec![format!(
            "{} does not hold that role there",
            user.display_name
        )]));
    }
    if held.len() == 1 {
        return Err(ActionError::Refused(vec![format!(
            "That is {}'s only role: disable the account instead",
            user.display_name
        )]));
    }
    let now = ctx.clock.now().as_millisecond();
    crate::store::users::delete_grant(tx, user.user_id, grant).await?;
    grant_audit(tx, user, (by, now), ("user.revoked", grant), reason).await
}

async fn grant_audit(
    tx: &mut Tx,
    user: &User,
    at: (&str, i64),
    (action, grant): (&str, Grant),
    reason: Option<&str>,
) -> ActionResult<()> {
    let value = json!({"role": grant.role.code(), "scope": grant.scope});
    let (before, after) = if action == "user.granted" {
        (serde_json::Value::Null, value)
    } else {
        (value, serde_json::Value::Null)
    };
    let mut changes = json!({"grant": {"before": before, "after": after}});
    if let Some(reason) = reason {
        changes["reason"] = json!({"before": null, "after": reason});
    }
    user_audit(tx, user, at, action, &changes).await
}

/// An account as the person who manages it sees it.
#[derive(Debug, Clone)]
pub struct AccountView {
    /// The account.
    pub user: User,
    /// Its grants, each with its role's and place's words: "Care worker",
    /// "Alder House".
    pub grants: Vec<(Grant, &'static str, String)>,
    /// The newest link to set its password, if one was ever made.
    pub latest_link: Option<crate::store::account_links::AccountLink>,
}

/// An account for someone who manages it.
pub async fn account_view(ctx: &Ctx, actor: &Actor, user: UserId) -> ActionResult<AccountView> {
    let found = target(ctx, actor, user).await?;
    let org = actor.organisation_id;
    let services = ctx.store.services(org).await?;
    let regions = ctx.store.regions(org).await?;
    let grants = ctx
        .store
        .grants(user)
        .await?
        .into_iter()
        .map(|g| {
            let place = super::accounts::place_of(g.scope, (&services, &regions));
            (g, g.role.label(), place)
        })
        .collect();
    Ok(AccountView {
        user: found,
        grants,
        latest_link: ctx.store.latest_link(user).await?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use candour_domain::ids::{OrganisationId, RegionId, ServiceId};
    use uuid::Uuid;

    fn actor(grants: Vec<Grant>) -> Actor {
        Actor {
            user_id: UserId(Uuid::from_u128(1)),
            organisation_id: OrganisationId(Uuid::from_u128(2)),
            display_name: "A".into(),
            email: "a@example.org".into(),
            grants,
        }
    }

    #[test]
    fn a_registered_manager_manages_only_their_own_services_staff_at_or_below_them() {
        let (s1, s2) = (
            ServiceId(Uuid::from_u128(10)),
            ServiceId(Uuid::from_u128(11)),
        );
        let g = |role, scope| Grant { role, scope };
        let manager = actor(vec![g(Role::RegisteredManager, Scope::Service(s1))]);
        let admin = actor(vec![g(Role::Administrator, Scope::Organisation)]);
        let region = Scope::Region(RegionId(Uuid::from_u128(20)));
        let cases = [
            (vec![g(Role::CareWorker, Scope::Service(s1))], true),
            (vec![g(Role::SeniorCarer, Scope::Service(s1))], true),
            (vec![g(Role::RegisteredManager, Scope::Service(s1))], true),
            (vec![g(Role::CareWorker, Scope::Service(s2))], false),
            (
                vec![
                    g(Role::CareWorker, Scope::Service(s1)),
                    g(Role::CareWorker, Scope::Service(s2)),
                ],
                false,
            ),
            (vec![g(Role::RegionalManager, region)], false),
            (vec![g(Role::QualityAssurance, Scope::Service(s1))], false),
            (vec![], false),
        ];
        for (grants, want) in cases {
            assert_eq!(may_manage_account(&manager, &grants), want, "{grants:?}");
            assert!(
                may_manage_account(&admin, &grants),
                "an administrator: {grants:?}"
            );
        }
    }
}
