//! Signing in and out, with throttling, and turning a session cookie into an [`Actor`].

use super::{ActionError, ActionResult, Actor, Ctx};
use crate::actions::accounts::verify_password;
use crate::secrets::{hash_secret, new_secret};
use crate::store::sessions::{
    SessionRow, delete_session, insert_login_attempt, insert_session, touch_session,
};
use candour_domain::validation::FieldErrors;

/// Failed attempts on one account before it is locked for a while.
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
/// Failed attempts from one address before it is refused for a while.
pub const MAX_FAILURES_PER_ADDRESS: i64 = 20;
/// The window failures are counted in, and the lockout's length.
pub const LOCKOUT_SECONDS: i64 = 15 * 60;
/// A session ends after this long without a request.
pub const IDLE_TIMEOUT_SECONDS: i64 = 2 * 60 * 60;
/// A session ends this long after sign-in whatever happens (a long shift).
pub const ABSOLUTE_TIMEOUT_SECONDS: i64 = 13 * 60 * 60;

/// A new session: the secret for the cookie, and who it belongs to.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// Goes in the cookie; the database keeps only its hash.
    pub secret: String,
    /// The signed-in person.
    pub actor: Actor,
}

/// Loads the [`Actor`] for a user id.
pub async fn actor_for(ctx: &Ctx, user_id: candour_domain::ids::UserId) -> ActionResult<Actor> {
    let (user, grants) = ctx.store.user_with_grants(user_id).await?;
    if !user.active {
        return Err(ActionError::Unauthenticated);
    }
    Ok(Actor {
        user_id: user.user_id,
        organisation_id: user.organisation_id,
        display_name: user.display_name,
        email: user.email,
        grants,
    })
}

/// Signs in with email and password from `client_ip`. A previous session
/// (`old_secret`) is ended: the session id always changes at sign-in.
pub async fn sign_in(
    ctx: &Ctx,
    email: &str,
    password: &str,
    client_ip: &str,
    old_secret: Option<&str>,
) -> ActionResult<SignedIn> {
    let email = email.trim().to_lowercase();
    let mut errors = FieldErrors::new();
    if email.is_empty() {
        errors.add("email", "Enter your email address");
    }
    if password.is_empty() {
        errors.add("password", "Enter your password");
    }
    if !errors.is_empty() {
        return Err(ActionError::Invalid(errors));
    }
    let now = ctx.clock.now().as_millisecond();
    let window_start = now - LOCKOUT_SECONDS * 1000;
    let (ip_failures, ip_latest) = ctx
        .store
        .recent_failures_for_ip(client_ip, window_start)
        .await?;
    if ip_failures >= MAX_FAILURES_PER_ADDRESS {
        return Err(throttled(ip_latest, now));
    }
    let (failures, latest) = ctx
        .store
        .recent_failures_for_email(&email, window_start)
        .await?;
    if failures >= MAX_FAILURES_PER_ACCOUNT {
        return Err(throttled(latest, now));
    }
    let user = ctx.store.user_by_email(&email).await?;
    let ok = verify_password(
        password,
        user.as_ref().and_then(|u| u.password_hash.as_deref()),
    )
    .await?;
    let user = user.filter(|u| ok && u.active);
    let mut tx = ctx.store.begin().await?;
    insert_login_attempt(&mut tx, &email, client_ip, user.is_some(), now).await?;
    let Some(user) = user else {
        tx.commit().await?;
        let mut errors = FieldErrors::new();
        errors.add("email", "The email address or password is not right");
        return Err(ActionError::Invalid(errors));
    };
    if let Some(old) = old_secret {
        delete_session(&mut tx, &hash_secret(old)).await?;
    }
    let secret = new_secret("")?;
    let row = SessionRow {
        user_id: user.user_id,
        organisation_id: user.organisation_id,
        created_at_ms: now,
        last_seen_at_ms: now,
        expires_at_ms: now + ABSOLUTE_TIMEOUT_SECONDS * 1000,
        device_id: None,
    };
    insert_session(&mut tx, &hash_secret(&secret), &row).await?;
    tx.commit().await?;
    let actor = actor_for(ctx, user.user_id).await?;
    Ok(SignedIn { secret, actor })
}

fn throttled(latest_ms: Option<i64>, now_ms: i64) -> ActionError {
    let until = latest_ms.unwrap_or(now_ms) + LOCKOUT_SECONDS * 1000;
    ActionError::Throttled {
        retry_after_seconds: ((until - now_ms) / 1000).max(1),
    }
}

/// Finds the actor behind a session cookie; `Unauthenticated` when it is
/// unknown, idle too long or past its absolute end.
pub async fn actor_from_session(ctx: &Ctx, secret: &str) -> ActionResult<Actor> {
    let hash = hash_secret(secret);
    let Some(row) = ctx.store.session(&hash).await? else {
        return Err(ActionError::Unauthenticated);
    };
    let now = ctx.clock.now().as_millisecond();
    // A PIN session on a shared device ends sooner, so the next person is not left signed in as the last.
    let idle = match row.device_id {
        Some(_) => super::devices::PIN_IDLE_TIMEOUT_SECONDS,
        None => IDLE_TIMEOUT_SECONDS,
    };
    if now >= row.expires_at_ms || now - row.last_seen_at_ms > idle * 1000 {
        let mut tx = ctx.store.begin().await?;
        delete_session(&mut tx, &hash).await?;
        tx.commit().await?;
        return Err(ActionError::Unauthenticated);
    }
    // Write at most once a minute per session, so reading pages stays cheap.
    if now - row.last_seen_at_ms > 60_000 {
        let mut tx = ctx.store.begin().await?;
        touch_session(&mut tx, &hash, now).await?;
        tx.commit().await?;
    }
    actor_for(ctx, row.user_id).await
}

/// Ends a session.
pub async fn sign_out(ctx: &Ctx, secret: &str) -> ActionResult<()> {
    let mut tx = ctx.store.begin().await?;
    delete_session(&mut tx, &hash_secret(secret)).await?;
    tx.commit().await?;
    Ok(())
}
