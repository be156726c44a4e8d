//! Signing in and out, with throttling, and turning a session cookie into an [`Actor`].

use super::{ActionError, ActionResult, Actor, Ctx};
use crate::actions::accounts::verify_password;
use crate::secrets::{hash_secret, new_secret};
use crate::store::sessions::{
    SessionRow, account_failures, address_failures, delete_session, insert_login_attempt,
    insert_session, mark_login_succeeded, touch_session,
};
use candour_domain::throttle::{WINDOW_SECONDS, account_wait, address_wait};
use candour_domain::validation::FieldErrors;

/// The window wrong passwords and PINs are counted in, and a lockout's length.
pub const LOCKOUT_SECONDS: i64 = WINDOW_SECONDS;
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

/// What a right password leads to.
#[derive(Debug, Clone)]
pub enum SignInStep {
    /// Signed in.
    Done(SignedIn),
    /// The account has a second factor: its code is asked for next, with
    /// this challenge (valid a few minutes) standing for the right password.
    Code {
        /// Goes back with the code; the database keeps only its hash.
        challenge: String,
    },
}

/// How long a challenge waits for its code.
pub const CHALLENGE_SECONDS: i64 = 5 * 60;

/// Signs in with email and password from `client_ip`. A previous session
/// (`old_secret`) is ended: the session id always changes at sign-in. An
/// account with a second factor is not signed in yet: its code is asked
/// for, and the attempt counts as failed until the code is right.
pub async fn sign_in(
    ctx: &Ctx,
    email: &str,
    password: &str,
    client_ip: &str,
    old_secret: Option<&str>,
) -> ActionResult<SignInStep> {
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
    let attempt = count_attempt(ctx, &email, client_ip, now).await?;
    let user = ctx.store.user_by_email(&email).await?;
    let ok = verify_password(
        password,
        user.as_ref().and_then(|u| u.password_hash.as_deref()),
    )
    .await?;
    let Some(user) = user.filter(|u| ok && u.active) else {
        let mut errors = FieldErrors::new();
        errors.add("email", "The email address or password is not right");
        return Err(ActionError::Invalid(errors));
    };
    let second = ctx.store.second_factor(user.user_id).await?;
    if second.is_some_and(|s| s.confirmed_at_ms.is_some()) {
        let challenge = new_secret("")?;
        let mut tx = ctx.store.begin().await?;
        crate::store::second_factor::insert_challenge(
            &mut tx,
            &hash_secret(&challenge),
            (user.user_id, client_ip),
            (now, now + CHALLENGE_SECONDS * 1000),
        )
        .await?;
        tx.commit().await?;
        return Ok(SignInStep::Code { challenge });
    }
    let mut tx = ctx.store.begin().await?;
    mark_login_succeeded(&mut tx, attempt).await?;
    let secret = start_session(&mut tx, &user, old_secret, now).await?;
    tx.commit().await?;
    let actor = actor_for(ctx, user.user_id).await?;
    Ok(SignInStep::Done(SignedIn { secret, actor }))
}

/// Starts a session for `user` in `tx` (ending `old_secret`'s) and records
/// the sign-in; returns the session's secret.
pub(crate) async fn start_session(
    tx: &mut crate::store::Tx,
    user: &crate::store::users::User,
    old_secret: Option<&str>,
    now: i64,
) -> ActionResult<String> {
    if let Some(old) = old_secret {
        delete_session(tx, &hash_secret(old)).await?;
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
    insert_session(tx, &hash_secret(&secret), &row).await?;
    crate::store::users::record_sign_in(tx, user.user_id, now).await?;
    Ok(secret)
}

/// Counts an attempt to sign in as `email` from `ip` before its password is
/// checked: refuses it while the account is locked or the address must
/// wait, and otherwise records it as failed (until marked good) in one step
/// with the counting, so that concurrent attempts, on any instance, each
/// see the ones before. Returns the attempt's id.
pub(crate) async fn count_attempt(
    ctx: &Ctx,
    email: &str,
    ip: &str,
    now: i64,
) -> ActionResult<uuid::Uuid> {
    let since = now - WINDOW_SECONDS * 1000;
    let mut tx = ctx.store.begin().await?;
    // Always the account before the address, so two attempts never wait on each other in a circle.
    tx.serialise_on(&format!("sign-in account:{email}")).await?;
    tx.serialise_on(&format!("sign-in address:{ip}")).await?;
    let (failures, latest) = account_failures(&mut tx, email, since).await?;
    if let Some(wait) = account_wait(failures, latest, now) {
        return Err(ActionError::Throttled {
            retry_after_seconds: wait,
        });
    }
    let (accounts, latest) = address_failures(&mut tx, ip, since).await?;
    if let Some(wait) = address_wait(accounts, latest, now) {
        return Err(ActionError::Throttled {
            retry_after_seconds: wait,
        });
    }
    let attempt = insert_login_attempt(&mut tx, email, ip, now).await?;
    tx.commit().await?;
    Ok(attempt)
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
