//! A second factor for password sign-in: a time-based one-time password
//! from an authenticator app (RFC 6238), set up from the account page with
//! a QR code, with ten single-use recovery codes shown once and kept only
//! as hashes. After a right password, the code is asked for; wrong codes
//! count toward the sign-in lockout like wrong passwords. An administrator
//! can reset a person's second factor (a lost phone). Sign-in with a PIN
//! on a trusted shared device is not changed: the device is the other
//! factor there.

use super::sessions::{SignedIn, actor_for, count_attempt, start_session};
use super::{ActionError, ActionResult, Actor, Ctx};
use crate::secrets::hash_secret;
use crate::store::Tx;
use crate::store::second_factor::{
    delete_challenge, delete_second_factor, replace_recovery_codes, replace_secret,
    use_recovery_code, use_step,
};
use crate::store::sessions::{delete_user_sessions, mark_login_succeeded};
use crate::store::users::User;
use candour_domain::ids::UserId;
use candour_domain::role::{Permission, Role};
use candour_domain::totp;
use candour_domain::validation::FieldErrors;
use serde_json::json;

/// How many recovery codes are made.
pub const RECOVERY_CODES: usize = 10;

/// The organisation setting saying whether managers must have a second factor.
pub const REQUIRED_KEY: &str = "second_factor_required";

/// The roles whose holders must have a second factor when the organisation
/// requires it: those who see personal data at scale or manage accounts.
pub const REQUIRED_ROLES: [Role; 5] = [
    Role::Administrator,
    Role::HeadOfOperations,
    Role::RegionalManager,
    Role::RegisteredManager,
    Role::QualityAssurance,
];

/// Whether `org` requires a second factor of its managers (on for an
/// organisation made by Candour; off for one made before the setting).
pub async fn required_in(
    ctx: &Ctx,
    org: candour_domain::ids::OrganisationId,
) -> ActionResult<bool> {
    Ok(ctx
        .store
        .org_setting(org, REQUIRED_KEY)
        .await?
        .and_then(|v| serde_json::from_str::<bool>(&v).ok())
        .unwrap_or(false))
}

/// An administrator turns the requirement on or off (audited).
pub async fn set_required(ctx: &Ctx, actor: &Actor, on: bool) -> ActionResult<()> {
    super::settings::may_manage(actor)?;
    let before = required_in(ctx, actor.organisation_id).await?;
    super::settings::put_setting(ctx, actor, REQUIRED_KEY, (before, on)).await
}

/// Whether `actor` must set up a second factor before going on: they hold
/// a role that needs one, their organisation requires it, and they have none.
pub async fn must_set_up(ctx: &Ctx, actor: &Actor) -> ActionResult<bool> {
    if !actor
        .grants
        .iter()
        .any(|g| REQUIRED_ROLES.contains(&g.role))
    {
        return Ok(false);
    }
    if !required_in(ctx, actor.organisation_id).await? {
        return Ok(false);
    }
    Ok(!is_on(ctx, actor.user_id).await?)
}

/// A second factor being set up: what the app is given.
#[derive(Debug, Clone)]
pub struct Setup {
    /// The secret, base32 in groups of four, to type if the QR code cannot be read.
    pub secret: String,
    /// The `otpauth://` address the QR code holds.
    pub uri: String,
    /// The QR code, as SVG.
    pub qr_svg: String,
}

fn setup_of(user_email: &str, secret: &str) -> ActionResult<Setup> {
    let uri = totp::otpauth_uri("Candour", user_email, secret);
    let qr = qrcode::QrCode::new(uri.as_bytes())
        .map_err(|e| ActionError::Internal(anyhow::anyhow!("making the QR code: {e}")))?;
    let qr_svg = qr
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .build();
    let grouped = secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    Ok(Setup {
        secret: grouped,
        uri,
        qr_svg,
    })
}

async fn audit(
    ctx: &Ctx,
    tx: &mut Tx,
    user: &User,
    (by, action): (&str, &str),
) -> ActionResult<()> {
    let now = ctx.clock.now().as_millisecond();
    super::leavers::user_audit(tx, user, (by, now), action, &json!({})).await
}

/// Whether `user` has a second factor turned on.
pub async fn is_on(ctx: &Ctx, user: UserId) -> ActionResult<bool> {
    Ok(ctx
        .store
        .second_factor(user)
        .await?
        .is_some_and(|s| s.confirmed_at_ms.is_some()))
}

/// The set-up under way for the actor, or a new one: a fresh secret for
/// their app. Already on: `Refused`.
pub async fn begin_setup(ctx: &Ctx, actor: &Actor) -> ActionResult<Setup> {
    match ctx.store.second_factor(actor.user_id).await? {
        Some(s) if s.confirmed_at_ms.is_some() => Err(ActionError::Refused(vec![
            "Your second factor is already on. To move it to a new phone, turn it off first"
                .to_owned(),
        ])),
        Some(s) => setup_of(&actor.email, &s.secret),
        None => {
            let mut bytes = [0u8; 20];
            getrandom::fill(&mut bytes)
                .map_err(|e| anyhow::anyhow!("the system random source failed: {e}"))?;
            let secret = totp::base32(&bytes);
            let mut tx = ctx.store.begin().await?;
            replace_secret(
                &mut tx,
                (actor.user_id, actor.organisation_id),
                &secret,
                ctx.clock.now().as_millisecond(),
            )
            .await?;
            tx.commit().await?;
            setup_of(&actor.email, &secret)
        }
    }
}

fn code_error(message: &str) -> ActionError {
    let mut e = FieldErrors::new();
    e.add("code", message);
    ActionError::Invalid(e)
}

/// A new recovery code: ten base32 letters and digits in two groups.
fn recovery_code() -> ActionResult<String> {
    let mut bytes = [0u8; 7];
    getrandom::fill(&mut bytes)
        .map_err(|e| anyhow::anyhow!("the system random source failed: {e}"))?;
    let text = totp::base32(&bytes).to_lowercase();
    Ok(format!("{}-{}", &text[..5], &text[5..10]))
}

/// A recovery code as typed, in the form its hash was taken of.
fn normalised(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Turns the second factor on once the actor types a right code from their
/// app; returns their recovery codes, shown once.
pub async fn confirm_setup(ctx: &Ctx, actor: &Actor, code: &str) -> ActionResult<Vec<String>> {
    let Some(pending) = ctx.store.second_factor(actor.user_id).await? else {
        return Err(ActionError::Refused(vec![
            "Start setting up your second factor first".to_owned(),
        ]));
    };
    if pending.confirmed_at_ms.is_some() {
        return Err(ActionError::Refused(vec![
            "Your second factor is already on".to_owned(),
        ]));
    }
    let secret = totp::from_base32(&pending.secret)
        .ok_or_else(|| anyhow::anyhow!("a stored second-factor secret is not base32"))?;
    let now = ctx.clock.now();
    let Some(step) = totp::verify(&secret, code, now.as_second(), None) else {
        return Err(code_error(
            "That code is not right: type the 6 digits your authenticator app shows now",
        ));
    };
    let codes: Vec<String> = (0..RECOVERY_CODES)
        .map(|_| recovery_code())
        .collect::<ActionResult<_>>()?;
    let hashes: Vec<String> = codes.iter().map(|c| hash_secret(&normalised(c))).collect();
    let user = ctx.store.user(actor.user_id).await?;
    let now_ms = now.as_millisecond();
    let mut tx = ctx.store.begin().await?;
    if !use_step(&mut tx, actor.user_id, step, now_ms).await? {
        return Err(code_error(
            "That code was used already: wait for the next one",
        ));
    }
    replace_recovery_codes(&mut tx, actor.user_id, &hashes, now_ms).await?;
    audit(
        ctx,
        &mut tx,
        &user,
        (&actor.audit_name(), "user.second_factor_on"),
    )
    .await?;
    tx.commit().await?;
    Ok(codes)
}

/// The actor turns their own second factor off, proving their password.
/// Required of them by their organisation: `Refused`.
pub async fn turn_off(ctx: &Ctx, actor: &Actor, password: &str) -> ActionResult<()> {
    if actor
        .grants
        .iter()
        .any(|g| REQUIRED_ROLES.contains(&g.role))
        && required_in(ctx, actor.organisation_id).await?
    {
        return Err(ActionError::Refused(vec![
            "Your organisation requires a second factor of your role: it cannot be turned off. \
             To move it to a new phone, ask an administrator to reset it"
                .to_owned(),
        ]));
    }
    let user = ctx.store.user(actor.user_id).await?;
    if !super::accounts::verify_password(password, user.password_hash.as_deref()).await? {
        let mut e = FieldErrors::new();
        e.add("password", "Your password is not right");
        return Err(ActionError::Invalid(e));
    }
    let mut tx = ctx.store.begin().await?;
    if delete_second_factor(&mut tx, user.user_id).await? {
        audit(
            ctx,
            &mut tx,
            &user,
            (&actor.audit_name(), "user.second_factor_off"),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// An administrator resets someone's second factor (a lost phone): it is
/// removed with their recovery codes and their sessions end; they set it up
/// again after signing in with their password.
pub async fn reset_for(ctx: &Ctx, actor: &Actor, user: UserId) -> ActionResult<()> {
    if !actor.can_anywhere(Permission::ManageUsers) {
        return Err(ActionError::Forbidden);
    }
    let found = super::leavers::target(ctx, actor, user).await?;
    let mut tx = ctx.store.begin().await?;
    if !delete_second_factor(&mut tx, found.user_id).await? {
        return Err(ActionError::Refused(vec![format!(
            "{} has no second factor to reset",
            found.display_name
        )]));
    }
    delete_user_sessions(&mut tx, found.user_id).await?;
    audit(
        ctx,
        &mut tx,
        &found,
        (&actor.audit_name(), "user.second_factor_reset"),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Finishes a sign-in with the code from the authenticator app (or a
/// recovery code) for `challenge`, from `client_ip`. A wrong code counts
/// toward the lockout; a challenge that ran out is `Unauthenticated`.
pub async fn sign_in_with_code(
    ctx: &Ctx,
    challenge: &str,
    code: &str,
    client_ip: &str,
    old_secret: Option<&str>,
) -> ActionResult<SignedIn> {
    let now = ctx.clock.now();
    let now_ms = now.as_millisecond();
    let hash = hash_secret(challenge);
    let Some(user_id) = ctx.store.challenge(&hash, now_ms).await? else {
        return Err(ActionError::Unauthenticated);
    };
    let user = ctx.store.user(user_id).await?;
    if !user.active {
        return Err(ActionError::Unauthenticated);
    }
    if code.trim().is_empty() {
        return Err(code_error("Enter the code from your authenticator app"));
    }
    let attempt = count_attempt(ctx, &user.email, client_ip, now_ms).await?;
    let Some(second) = ctx.store.second_factor(user_id).await? else {
        return Err(ActionError::Unauthenticated);
    };
    let secret = totp::from_base32(&second.secret)
        .ok_or_else(|| anyhow::anyhow!("a stored second-factor secret is not base32"))?;
    let step = totp::verify(&secret, code, now.as_second(), second.last_used_step);
    let mut tx = ctx.store.begin().await?;
    let used = match step {
        Some(step) => use_step(&mut tx, user_id, step, now_ms).await?,
        None => {
            let recovered =
                use_recovery_code(&mut tx, user_id, &hash_secret(&normalised(code)), now_ms)
                    .await?;
            if recovered {
                audit(
                    ctx,
                    &mut tx,
                    &user,
                    (&user.user_id.to_string(), "user.recovery_code_used"),
                )
                .await?;
            }
            recovered
        }
    };
    if !used {
        // The attempt stays counted as failed.
        drop(tx);
        return Err(code_error(
            "The code is not right. Type the 6 digits your authenticator app shows now, or one of your recovery codes",
        ));
    }
    mark_login_succeeded(&mut tx, attempt).await?;
    delete_challenge(&mut tx, &hash).await?;
    let secret = start_session(&mut tx, &user, old_secret, now_ms).await?;
    tx.commit().await?;
    let actor = actor_for(ctx, user_id).await?;
    Ok(SignedIn { secret, actor })
}
