//! Personal API tokens: created once (the secret is shown only then), used as
//! bearer tokens acting with the owner's grants, revocable.

use super::{ActionError, ActionResult, Actor, Ctx};
use crate::actions::sessions::actor_for;
use crate::secrets::{hash_secret, new_secret};
use crate::store::Tx;
use crate::store::audit::{NewAuditEvent, append};
use crate::store::tokens::{ApiToken, insert_token, revoke_token};
use crate::store::users::User;
use candour_domain::ids::{ApiTokenId, UserId};
use candour_domain::validation::FieldErrors;
use serde_json::json;

/// Every token starts with this, so a leaked one is easy to recognise.
pub const TOKEN_PREFIX: &str = "cdr_";

/// Creates a token for `user`, recording `actor` in the audit trail. Returns
/// the record and the secret, which is never stored.
pub async fn create_token(
    ctx: &Ctx,
    user: UserId,
    label: &str,
    actor: &str,
) -> ActionResult<(ApiToken, String)> {
    let label = label.trim();
    if label.is_empty() || label.chars().count() > 100 {
        let mut e = FieldErrors::new();
        e.add(
            "label",
            "Give the token a label of up to 100 characters, saying what it is for",
        );
        return Err(ActionError::Invalid(e));
    }
    let owner = ctx.store.user(user).await?;
    let secret = new_secret(TOKEN_PREFIX)?;
    let now = ctx.clock.now().as_millisecond();
    let token = ApiToken {
        api_token_id: ApiTokenId(uuid::Uuid::now_v7()),
        user_id: owner.user_id,
        organisation_id: owner.organisation_id,
        label: label.to_owned(),
        created_at_ms: now,
        revoked_at_ms: None,
    };
    let mut tx = ctx.store.begin().await?;
    insert_token(&mut tx, &token, &hash_secret(&secret)).await?;
    append(
        &mut tx,
        &NewAuditEvent {
            organisation_id: owner.organisation_id,
            occurred_at_ms: now,
            actor,
            action: "api_token.created",
            record_type: "api_token",
            record_id: &token.api_token_id.to_string(),
            changes: &json!({ "label": { "before": null, "after": label }, "user_id": { "before": null, "after": owner.user_id } }).to_string(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok((token, secret))
}

/// The actor a bearer token acts as; `Unauthenticated` when unknown or revoked.
pub async fn actor_from_token(ctx: &Ctx, secret: &str) -> ActionResult<Actor> {
    if !secret.starts_with(TOKEN_PREFIX) {
        return Err(ActionError::Unauthenticated);
    }
    match ctx.store.live_token(&hash_secret(secret)).await? {
        Some(t) => actor_for(ctx, t.user_id).await,
        None => Err(ActionError::Unauthenticated),
    }
}

/// Revokes every token of `user` inside `tx` (a password reset; an account
/// disabled), each audited as by `actor`; returns how many.
pub(crate) async fn revoke_all_tokens(
    tx: &mut Tx,
    user: &User,
    actor: &str,
    now: i64,
) -> ActionResult<usize> {
    let ids = crate::store::tokens::revoke_all_tokens(tx, user.user_id, now).await?;
    for id in &ids {
        append(
            tx,
            &NewAuditEvent {
                organisation_id: user.organisation_id,
                occurred_at_ms: now,
                actor,
                action: "api_token.revoked",
                record_type: "api_token",
                record_id: &id.to_string(),
                changes: &json!({ "revoked_at": { "before": null, "after": now } }).to_string(),
            },
        )
        .await?;
    }
    Ok(ids.len())
}

/// Revokes one of the actor's own tokens.
pub async fn revoke_own_token(ctx: &Ctx, actor: &Actor, id: ApiTokenId) -> ActionResult<()> {
    let now = ctx.clock.now().as_millisecond();
    let mut tx = ctx.store.begin().await?;
    revoke_token(&mut tx, actor.user_id, id, now).await?;
    append(
        &mut tx,
        &NewAuditEvent {
            organisation_id: actor.organisation_id,
            occurred_at_ms: now,
            actor: &actor.audit_name(),
            action: "api_token.revoked",
            record_type: "api_token",
            record_id: &id.to_string(),
            changes: &json!({ "revoked_at": { "before": null, "after": now } }).to_string(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
