//! Shared devices and quick PIN sign-in. A manager trusts a device for a
//! service (the device keeps a secret cookie); on it, staff of that service
//! who have set a PIN sign in with their name and PIN. Wrong PINs are
//! limited per person (five in a row turn the PIN off) and per device (ten
//! in fifteen minutes make it wait); devices and PINs are revocable, and
//! every change is audited.

use super::accounts::{hash_password, verify_password};
use super::incidents::staff_of_service;
use super::sessions::{ABSOLUTE_TIMEOUT_SECONDS, LOCKOUT_SECONDS, SignedIn, actor_for};
use super::{ActionError, ActionResult, Actor, Ctx, service_where};
use crate::secrets::{hash_secret, new_secret};
use crate::store::Tx;
use crate::store::audit::{NewAuditEvent, append};
use crate::store::devices::{
    NewDevice, TrustedDevice, add_pin_failure, clear_pin_failures, delete_pin, device_failures,
    insert_device, insert_pin_attempt, mark_pin_attempt_right, revoke_device, set_pin,
    touch_device,
};
use crate::store::sessions::{SessionRow, delete_session, insert_session};
use candour_domain::ids::{OrganisationId, ServiceId, UserId};
use candour_domain::pin::{MAX_PIN_FAILURES, check_new_pin, looks_like_pin};
use candour_domain::role::Permission;
use candour_domain::validation::FieldErrors;
use serde_json::json;
use uuid::Uuid;

/// Wrong PINs on one device in [`LOCKOUT_SECONDS`] before it makes everyone wait.
pub const MAX_DEVICE_FAILURES: i64 = 10;
/// A session opened with a PIN on a shared device ends after this long unused.
pub const PIN_IDLE_TIMEOUT_SECONDS: i64 = 10 * 60;

fn invalid(field: &str, message: impl Into<String>) -> ActionError {
    let mut e = FieldErrors::new();
    e.add(field, message);
    ActionError::Invalid(e)
}

async fn audit(
    tx: &mut Tx,
    org: OrganisationId,
    actor: &str,
    action: &str,
    (record_type, record_id): (&str, String),
    changes: serde_json::Value,
    now_ms: i64,
) -> ActionResult<()> {
    append(
        tx,
        &NewAuditEvent {
            organisation_id: org,
            occurred_at_ms: now_ms,
            actor,
            action,
            record_type,
            record_id: &record_id,
            changes: &changes.to_string(),
        },
    )
    .await?;
    Ok(())
}

/// Trusts the device the manager is using for quick sign-in at a service.
/// Returns the secret for the device's cookie (only its hash is kept).
pub async fn trust_device(
    ctx: &Ctx,
    actor: &Actor,
    service: ServiceId,
    label: &str,
) -> ActionResult<String> {
    let s = service_where(ctx, actor, service, Permission::ManageDevices).await?;
    let label = label.trim();
    if label.is_empty() {
        return Err(invalid(
            "label",
            "Give the device a name people will recognise, like Ground floor tablet",
        ));
    }
    if label.chars().count() > 60 {
        return Err(invalid("label", "Keep the name to 60 characters or fewer"));
    }
    let secret = new_secret("cdv_")?;
    let now = ctx.clock.now().as_millisecond();
    let device_id = Uuid::now_v7();
    let mut tx = ctx.store.begin().await?;
    insert_device(
        &mut tx,
        &NewDevice {
            device_id,
            organisation_id: s.organisation_id,
            service_id: s.service_id,
            label,
            token_hash: &hash_secret(&secret),
            created_by: actor.user_id,
        },
        now,
    )
    .await?;
    audit(
        &mut tx,
        s.organisation_id,
        &actor.audit_name(),
        "device.trusted",
        ("device", device_id.to_string()),
        json!({"label": {"before": null, "after": label}, "service_id": {"before": null, "after": s.service_id}}),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(secret)
}

/// Revokes a device: no more quick sign-in on it, and its sessions end.
pub async fn revoke(
    ctx: &Ctx,
    actor: &Actor,
    service: ServiceId,
    device: Uuid,
) -> ActionResult<()> {
    let s = service_where(ctx, actor, service, Permission::ManageDevices).await?;
    let now = ctx.clock.now().as_millisecond();
    let mut tx = ctx.store.begin().await?;
    if !revoke_device(&mut tx, s.service_id, device, actor.user_id, now).await? {
        return Err(ActionError::NotFound);
    }
    audit(
        &mut tx,
        s.organisation_id,
        &actor.audit_name(),
        "device.revoked",
        ("device", device.to_string()),
        json!({"revoked": {"before": false, "after": true}}),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A service's trusted devices, for those who manage them.
pub async fn list_devices(
    ctx: &Ctx,
    actor: &Actor,
    service: ServiceId,
) -> ActionResult<(crate::store::organisations::Service, Vec<TrustedDevice>)> {
    let s = service_where(ctx, actor, service, Permission::ManageDevices).await?;
    let devices = ctx.store.devices(s.service_id).await?;
    Ok((s, devices))
}

/// The live device behind a device cookie, if it is one.
pub async fn device_from_cookie(ctx: &Ctx, secret: &str) -> ActionResult<Option<TrustedDevice>> {
    Ok(ctx
        .store
        .device_by_token(&hash_secret(secret))
        .await?
        .filter(|d| d.revoked_at_ms.is_none()))
}

/// Who may sign in with a PIN on a device: staff of its service with a PIN, by name.
pub async fn pin_people(ctx: &Ctx, device: &TrustedDevice) -> ActionResult<Vec<(UserId, String)>> {
    let service = ctx
        .store
        .service(device.organisation_id, device.service_id)
        .await?;
    let with_pin = ctx.store.users_with_pin(device.organisation_id).await?;
    Ok(staff_of_service(ctx, &service)
        .await?
        .into_iter()
        .filter(|(id, _)| with_pin.contains(id))
        .collect())
}

/// Sets the signed-in person's PIN, after they prove who they are with their password.
pub async fn set_own_pin(
    ctx: &Ctx,
    actor: &Actor,
    password: &str,
    pin: &str,
    confirm: &str,
) -> ActionResult<()> {
    let user = ctx.store.user(actor.user_id).await?;
    if !verify_password(password, user.password_hash.as_deref()).await? {
        return Err(invalid("current_password", "Your password is not right"));
    }
    if let Err(problem) = check_new_pin(pin.trim()) {
        return Err(invalid("pin", problem.to_string()));
    }
    if pin.trim() != confirm.trim() {
        return Err(invalid("confirm_pin", "The two PINs do not match"));
    }
    let hash = hash_password(pin.trim()).await?;
    let now = ctx.clock.now().as_millisecond();
    let mut tx = ctx.store.begin().await?;
    set_pin(&mut tx, actor.organisation_id, actor.user_id, &hash, now).await?;
    audit(
        &mut tx,
        actor.organisation_id,
        &actor.audit_name(),
        "user.pin_set",
        ("user", actor.user_id.to_string()),
        json!({"pin": {"before": "(hidden)", "after": "(set)"}}),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Turns the signed-in person's PIN off.
pub async fn remove_own_pin(ctx: &Ctx, actor: &Actor) -> ActionResult<()> {
    let now = ctx.clock.now().as_millisecond();
    let mut tx = ctx.store.begin().await?;
    if delete_pin(&mut tx, actor.user_id).await? {
        audit(
            &mut tx,
            actor.organisation_id,
            &actor.audit_name(),
            "user.pin_removed",
            ("user", actor.user_id.to_string()),
            json!({"pin": {"before": "(set)", "after": null}}),
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Signs in with a PIN on a trusted device. `old_session` is ended.
pub async fn sign_in_with_pin(
    ctx: &Ctx,
    device_secret: &str,
    user: &str,
    pin: &str,
    old_session: Option<&str>,
) -> ActionResult<SignedIn> {
    let device = device_from_cookie(ctx, device_secret)
        .await?
        .ok_or_else(|| invalid("pin_user", "This device is no longer trusted for quick sign-in: sign in with your email and password"))?;
    let now = ctx.clock.now().as_millisecond();
    let people = pin_people(ctx, &device).await?;
    let chosen = user
        .parse::<UserId>()
        .ok()
        .filter(|u| people.iter().any(|(id, _)| id == u))
        .ok_or_else(|| invalid("pin_user", "Choose your name from the list"))?;
    if !looks_like_pin(pin.trim()) {
        return Err(invalid("pin", "Enter your 6-digit PIN"));
    }
    let (hash, tries, attempt) = count_pin_attempt(ctx, &device, chosen, now).await?;
    let right = verify_password(pin.trim(), Some(&hash)).await?;
    let mut tx = ctx.store.begin().await?;
    if !right {
        let message = if tries >= MAX_PIN_FAILURES {
            if delete_pin(&mut tx, chosen).await? {
                audit(
                    &mut tx,
                    device.organisation_id,
                    &format!("device:{}", device.device_id),
                    "user.pin_turned_off",
                    ("user", chosen.to_string()),
                    json!({"pin": {"before": "(set)", "after": null}, "wrong_in_a_row": {"before": null, "after": tries}}),
                    now,
                )
                .await?;
            }
            format!(
                "That PIN was wrong {MAX_PIN_FAILURES} times in a row, so it has been turned off. Sign in with your email and password, then set a new PIN."
            )
        } else {
            let left = MAX_PIN_FAILURES - tries;
            format!(
                "That PIN is not right. After {left} more wrong {} it will be turned off.",
                if left == 1 { "try" } else { "tries" }
            )
        };
        tx.commit().await?;
        return Err(invalid("pin", message));
    }
    // A wrong try made meanwhile may have turned this PIN off: then it no longer opens anything.
    if !clear_pin_failures(&mut tx, chosen, &hash).await? {
        return Err(pin_turned_off());
    }
    mark_pin_attempt_right(&mut tx, attempt).await?;
    touch_device(&mut tx, device.device_id, now).await?;
    if let Some(old) = old_session {
        delete_session(&mut tx, &hash_secret(old)).await?;
    }
    let secret = new_secret("")?;
    insert_session(
        &mut tx,
        &hash_secret(&secret),
        &SessionRow {
            user_id: chosen,
            organisation_id: device.organisation_id,
            created_at_ms: now,
            last_seen_at_ms: now,
            expires_at_ms: now + ABSOLUTE_TIMEOUT_SECONDS * 1000,
            device_id: Some(device.device_id),
        },
    )
    .await?;
    crate::store::users::record_sign_in(&mut tx, chosen, now).await?;
    tx.commit().await?;
    let actor = actor_for(ctx, chosen).await?;
    Ok(SignedIn { secret, actor })
}

/// Counts a try of `user`'s PIN on `device` before it is checked: refuses it
/// while the device must wait or when the PIN is off or used up, and
/// otherwise records it as wrong (until marked right), in one step with the
/// counting, so that concurrent tries on any instance each see the ones
/// before. Returns the PIN's hash, the tries in a row now and the attempt's id.
async fn count_pin_attempt(
    ctx: &Ctx,
    device: &TrustedDevice,
    user: UserId,
    now: i64,
) -> ActionResult<(String, i64, Uuid)> {
    let mut tx = ctx.store.begin().await?;
    tx.serialise_on(&format!("pin device:{}", device.device_id))
        .await?;
    let (failures, latest) =
        device_failures(&mut tx, device.device_id, now - LOCKOUT_SECONDS * 1000).await?;
    if failures >= MAX_DEVICE_FAILURES {
        let until = latest.unwrap_or(now) + LOCKOUT_SECONDS * 1000;
        return Err(ActionError::Throttled {
            retry_after_seconds: ((until - now + 999) / 1000).max(1),
        });
    }
    let Some((hash, tries)) = add_pin_failure(&mut tx, user, MAX_PIN_FAILURES).await? else {
        return Err(pin_turned_off());
    };
    let attempt = insert_pin_attempt(&mut tx, device.device_id, Some(user), now).await?;
    tx.commit().await?;
    Ok((hash, tries, attempt))
}

fn pin_turned_off() -> ActionError {
    invalid(
        "pin",
        "Your PIN has been turned off after too many wrong tries. Sign in with your email and password, then set a new PIN.",
    )
}
