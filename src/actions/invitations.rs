//! Inviting staff and one-time links to set a password.
//!
//! An administrator (any account) or a registered manager (their own
//! services' staff, at or below their own role) invites a member of staff:
//! the account is made without a password and a link valid for 72 hours is
//! emailed; it can be sent again or withdrawn. A password reset link,
//! valid for 1 hour, is sent by the same managers or asked for from the
//! sign-in page (the same answer whether or not the address has an
//! account, and limited per address and per client). Each link works once;
//! a newer one withdraws the older. Links are made only when Candour knows
//! the address people reach it at (`--public-url`): never from a request's
//! Host header, which an attacker can choose.

use super::leavers::{may_manage_account, target};
use super::{ActionError, ActionResult, Actor, Ctx};
use crate::store::Tx;
use crate::store::account_links::{
    AccountLink, LinkPurpose, insert_link, insert_reset_request, reset_requests_since, use_link,
    withdraw_links,
};
use crate::store::outbox::{NewEmail, enqueue_email};
use crate::store::users::{User, insert_grant, insert_user, set_password_hash};
use candour_domain::display::date_time_ms;
use candour_domain::ids::UserId;
use candour_domain::lessons::{parse_scope, scope_code};
use candour_domain::password::check_new_password;
use candour_domain::role::{Grant, Permission, Role, Scope};
use candour_domain::validation::FieldErrors;
use serde_json::json;

/// How long an invitation works.
pub const INVITATION_HOURS: i64 = 72;
/// How long a password reset link works.
pub const RESET_MINUTES: i64 = 60;
/// Reset links asked for from the sign-in page, per address, per hour.
pub const RESETS_PER_ADDRESS: i64 = 3;
/// Reset links asked for from the sign-in page, per client, per hour.
pub const RESETS_PER_CLIENT: i64 = 10;
const HOUR_MS: i64 = 3_600_000;

/// An invitation as typed: role and places as codes (`organisation`,
/// `region:<id>`, `service:<id>`), one grant per place.
#[derive(Debug, Clone, Default)]
pub struct InvitationForm {
    /// Their name.
    pub name: String,
    /// Their email.
    pub email: String,
    /// Role code.
    pub role: String,
    /// Where the role applies: one or more place codes.
    pub places: Vec<String>,
}

/// What someone who manages staff may give: roles and places, each a code
/// with words.
#[derive(Debug, Clone, Default)]
pub struct GrantChoices {
    /// Roles, in the usual order.
    pub roles: Vec<Role>,
    /// Places: (code, words).
    pub places: Vec<(String, String)>,
}

/// The roles and places `actor` may give, or `Forbidden` when none.
pub async fn grant_choices(ctx: &Ctx, actor: &Actor) -> ActionResult<GrantChoices> {
    let org = actor.organisation_id;
    let services = ctx.store.services(org).await?;
    let regions = ctx.store.regions(org).await?;
    let mut places: Vec<Scope> = vec![Scope::Organisation];
    places.extend(regions.iter().map(|r| Scope::Region(r.region_id)));
    places.extend(services.iter().map(|s| Scope::Service(s.service_id)));
    let may = |g: Grant| may_manage_account(actor, &[g]);
    let roles: Vec<Role> = Role::ALL
        .into_iter()
        .filter(|&role| places.iter().any(|&scope| may(Grant { role, scope })))
        .collect();
    let places: Vec<(String, String)> = places
        .into_iter()
        .filter(|&scope| roles.iter().any(|&role| may(Grant { role, scope })))
        .map(|scope| {
            let words = super::accounts::place_of(scope, (&services, &regions));
            (scope_code(scope), words)
        })
        .collect();
    if roles.is_empty() {
        return Err(ActionError::Forbidden);
    }
    Ok(GrantChoices { roles, places })
}

/// The grants a form asks for, each checked: a role and places that exist
/// in the organisation and that `actor` may give.
pub(crate) async fn grants_asked(
    ctx: &Ctx,
    actor: &Actor,
    role: &str,
    places: &[String],
    errors: &mut FieldErrors,
) -> ActionResult<Vec<Grant>> {
    let choices = grant_choices(ctx, actor).await?;
    let role = match Role::parse(role.trim()) {
        Some(r) if choices.roles.contains(&r) => Some(r),
        Some(r) => {
            errors.add(
                "role",
                format!("You cannot give the role {}", r.label().to_lowercase()),
            );
            None
        }
        None => {
            errors.add("role", "Choose a role");
            None
        }
    };
    let mut scopes = Vec::new();
    for p in places.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
        match parse_scope(p) {
            Some(s) if choices.places.iter().any(|(code, _)| code == p) => {
                if !scopes.contains(&s) {
                    scopes.push(s);
                }
            }
            _ => errors.add("places", "Choose only places you manage"),
        }
    }
    if places.iter().all(|p| p.trim().is_empty()) {
        errors.add("places", "Choose where the role applies");
    }
    let Some(role) = role else {
        return Ok(Vec::new());
    };
    let grants: Vec<Grant> = scopes
        .into_iter()
        .map(|scope| Grant { role, scope })
        .collect();
    if !grants.is_empty() && !may_manage_account(actor, &grants) {
        errors.add(
            "role",
            format!(
                "You cannot give the role {} there",
                role.label().to_lowercase()
            ),
        );
    }
    Ok(grants)
}

/// The address links start with, or why there is none.
fn link_base(ctx: &Ctx) -> ActionResult<String> {
    match ctx.public_url.as_deref().map(|u| u.trim().trim_end_matches('/')) {
        Some(base) if !base.is_empty() => Ok(base.to_owned()),
        _ => Err(ActionError::Refused(vec![
            "Candour does not know the address people reach it at, so an email cannot carry a link: \
             start it with --public-url (or CANDOUR_PUBLIC_URL), such as https://candour.example.org"
                .to_owned(),
        ])),
    }
}

/// Makes a link for `user` inside `tx` (withdrawing their older ones) and
/// returns its address and when it stops working, as words.
async fn new_link(
    ctx: &Ctx,
    tx: &mut Tx,
    user: &User,
    purpose: LinkPurpose,
    by: Option<UserId>,
) -> ActionResult<(String, String)> {
    let base = link_base(ctx)?;
    let now = ctx.clock.now().as_millisecond();
    let lasts = match purpose {
        LinkPurpose::Invitation => INVITATION_HOURS * HOUR_MS,
        LinkPurpose::Reset => RESET_MINUTES * 60_000,
    };
    let secret = crate::secrets::new_secret("")?;
    let link = AccountLink {
        link_id: uuid::Uuid::now_v7(),
        organisation_id: user.organisation_id,
        user_id: user.user_id,
        purpose,
        created_by: by,
        created_at_ms: now,
        expires_at_ms: now + lasts,
        used_at_ms: None,
        withdrawn_at_ms: None,
    };
    insert_link(tx, &link, &crate::secrets::hash_secret(&secret)).await?;
    Ok((
        format!("{base}/set-password/{secret}"),
        date_time_ms(link.expires_at_ms),
    ))
}

async fn send(
    ctx: &Ctx,
    tx: &mut Tx,
    user: &User,
    email: &crate::email::Rendered,
) -> ActionResult<()> {
    enqueue_email(
        tx,
        &NewEmail {
            organisation_id: user.organisation_id,
            to: &user.email,
            subject: &email.subject,
            body_text: &email.body,
            body_html: None,
        },
        ctx.clock.now().as_millisecond(),
    )
    .await?;
    Ok(())
}

async fn audit(
    ctx: &Ctx,
    tx: &mut Tx,
    user: &User,
    by: &str,
    (action, changes): (&str, serde_json::Value),
) -> ActionResult<()> {
    let now = ctx.clock.now().as_millisecond();
    super::leavers::user_audit(tx, user, (by, now), action, &changes).await
}

async fn send_invitation(ctx: &Ctx, tx: &mut Tx, user: &User, actor: &Actor) -> ActionResult<()> {
    let (link, expires) =
        new_link(ctx, tx, user, LinkPurpose::Invitation, Some(actor.user_id)).await?;
    let org = ctx.store.organisation(user.organisation_id).await?;
    let email = crate::email::invitation(
        &user.display_name,
        &org.name,
        &actor.display_name,
        &link,
        &expires,
    );
    send(ctx, tx, user, &email).await
}

/// Invites a member of staff: makes their account (no password yet) with
/// the grants asked for, and emails them a link to choose a password.
pub async fn invite(ctx: &Ctx, actor: &Actor, form: &InvitationForm) -> ActionResult<User> {
    let mut errors = FieldErrors::new();
    let name = form.name.trim();
    let email = form.email.trim().to_lowercase();
    if name.is_empty() {
        errors.add("name", "Enter their name");
    } else if name.chars().count() > 200 {
        errors.add("name", "Keep the name to 200 characters or fewer");
    }
    if !email.contains('@') || email.starts_with('@') || email.ends_with('@') || email.len() > 254 {
        errors.add("email", "Enter an email address like name@example.org");
    }
    let grants = grants_asked(ctx, actor, &form.role, &form.places, &mut errors).await?;
    if !errors.is_empty() {
        return Err(ActionError::Invalid(errors));
    }
    link_base(ctx)?;
    if ctx.store.user_by_email(&email).await?.is_some() {
        let mut e = FieldErrors::new();
        e.add(
            "email",
            format!("An account with the email {email} already exists"),
        );
        return Err(ActionError::Invalid(e));
    }
    let now = ctx.clock.now().as_millisecond();
    let user = User {
        user_id: UserId(uuid::Uuid::now_v7()),
        organisation_id: actor.organisation_id,
        email,
        display_name: name.to_owned(),
        password_hash: None,
        active: true,
        last_signed_in_at_ms: None,
        version: None,
    };
    let mut tx = ctx.store.begin().await?;
    match insert_user(&mut tx, &user, now).await {
        Err(crate::store::StoreError::Conflict { .. }) => {
            let mut e = FieldErrors::new();
            e.add(
                "email",
                format!("An account with the email {} already exists", user.email),
            );
            return Err(ActionError::Invalid(e));
        }
        other => other?,
    }
    for g in &grants {
        insert_grant(&mut tx, actor.organisation_id, user.user_id, *g, now).await?;
    }
    let granted: Vec<_> = grants
        .iter()
        .map(|g| json!({"role": g.role.code(), "scope": g.scope}))
        .collect();
    let changes = json!({
        "email": {"before": null, "after": user.email},
        "display_name": {"before": null, "after": user.display_name},
        "grants": {"before": null, "after": granted},
    });
    audit(
        ctx,
        &mut tx,
        &user,
        &actor.audit_name(),
        ("user.invited", changes),
    )
    .await?;
    send_invitation(ctx, &mut tx, &user, actor).await?;
    tx.commit().await?;
    Ok(user)
}

/// An account `actor` manages that has not yet chosen a password.
async fn invited(ctx: &Ctx, actor: &Actor, user: UserId) -> ActionResult<User> {
    let found = target(ctx, actor, user).await?;
    if !found.active {
        return Err(ActionError::Refused(vec![format!(
            "{}'s account is disabled: enable it first",
            found.display_name
        )]));
    }
    if found.password_hash.is_some() {
        return Err(ActionError::Refused(vec![format!(
            "{} has already chosen a password: send a password reset link instead",
            found.display_name
        )]));
    }
    Ok(found)
}

/// Sends a fresh invitation (the older link stops working).
pub async fn resend_invitation(ctx: &Ctx, actor: &Actor, user: UserId) -> ActionResult<()> {
    let found = invited(ctx, actor, user).await?;
    link_base(ctx)?;
    let mut tx = ctx.store.begin().await?;
    send_invitation(ctx, &mut tx, &found, actor).await?;
    audit(
        ctx,
        &mut tx,
        &found,
        &actor.audit_name(),
        ("user.invitation_resent", json!({})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Withdraws an invitation: its link stops working and the account is
/// disabled (kept, as its making is in the audit trail).
pub async fn withdraw_invitation(ctx: &Ctx, actor: &Actor, user: UserId) -> ActionResult<()> {
    let found = invited(ctx, actor, user).await?;
    let now = ctx.clock.now().as_millisecond();
    let by = actor.audit_name();
    let mut tx = ctx.store.begin().await?;
    withdraw_links(&mut tx, found.user_id, now).await?;
    super::leavers::set_status_in(ctx, &mut tx, &found, (&by, "Invitation withdrawn"), false)
        .await?;
    audit(
        ctx,
        &mut tx,
        &found,
        &by,
        ("user.invitation_withdrawn", json!({})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Emails a member of staff a link to choose a new password (their
/// password keeps working until they use it).
pub async fn send_reset_link(ctx: &Ctx, actor: &Actor, user: UserId) -> ActionResult<()> {
    let found = target(ctx, actor, user).await?;
    if !found.active {
        return Err(ActionError::Refused(vec![format!(
            "{}'s account is disabled: enable it first",
            found.display_name
        )]));
    }
    if found.password_hash.is_none() {
        return Err(ActionError::Refused(vec![format!(
            "{} has not accepted their invitation yet: send it again instead",
            found.display_name
        )]));
    }
    let by = actor.audit_name();
    let mut tx = ctx.store.begin().await?;
    let (link, expires) = new_link(
        ctx,
        &mut tx,
        &found,
        LinkPurpose::Reset,
        Some(actor.user_id),
    )
    .await?;
    let email = crate::email::password_reset(&link, &expires, Some(&actor.display_name));
    send(ctx, &mut tx, &found, &email).await?;
    audit(
        ctx,
        &mut tx,
        &found,
        &by,
        ("user.reset_link_sent", json!({})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Someone at the sign-in page asks for a reset link for `email` from
/// `client_ip`. The answer is the same whether or not the address has an
/// account; a link is emailed only to an active account. More than
/// [`RESETS_PER_ADDRESS`] requests for one address, or [`RESETS_PER_CLIENT`]
/// from one client, in an hour: `Throttled`.
pub async fn forgot_password(ctx: &Ctx, email: &str, client_ip: &str) -> ActionResult<()> {
    let email = email.trim().to_lowercase();
    if !email.contains('@') || email.len() > 254 {
        let mut e = FieldErrors::new();
        e.add("email", "Enter your email address, like name@example.org");
        return Err(ActionError::Invalid(e));
    }
    link_base(ctx)?;
    let now = ctx.clock.now().as_millisecond();
    let mut tx = ctx.store.begin().await?;
    // Serialised like sign-in attempts, so concurrent requests each count the ones before.
    tx.serialise_on(&format!("reset address:{email}")).await?;
    tx.serialise_on(&format!("reset client:{client_ip}"))
        .await?;
    let (by_email, by_client) =
        reset_requests_since(&mut tx, &email, client_ip, now - HOUR_MS).await?;
    if by_email >= RESETS_PER_ADDRESS || by_client >= RESETS_PER_CLIENT {
        return Err(ActionError::Throttled {
            retry_after_seconds: HOUR_MS / 1000,
        });
    }
    insert_reset_request(&mut tx, &email, client_ip, now).await?;
    if let Some(user) = ctx.store.user_by_email(&email).await?
        && user.active
    {
        let (link, expires) = new_link(ctx, &mut tx, &user, LinkPurpose::Reset, None).await?;
        let mail = crate::email::password_reset(&link, &expires, None);
        send(ctx, &mut tx, &user, &mail).await?;
        audit(
            ctx,
            &mut tx,
            &user,
            "self",
            ("user.reset_link_sent", json!({})),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A link that still works, and whose password it sets.
#[derive(Debug, Clone)]
pub struct OpenLink {
    /// The link.
    pub link: AccountLink,
    /// The account.
    pub user: User,
}

/// The link behind `secret` while it still works and its account is
/// active; otherwise `NotFound` (used, withdrawn, run out or never made
/// look the same).
pub async fn open_link(ctx: &Ctx, secret: &str) -> ActionResult<OpenLink> {
    let now = ctx.clock.now().as_millisecond();
    let Some(link) = ctx
        .store
        .link_by_hash(&crate::secrets::hash_secret(secret))
        .await?
    else {
        return Err(ActionError::NotFound);
    };
    if !link.open_at(now) {
        return Err(ActionError::NotFound);
    }
    let user = ctx.store.user(link.user_id).await?;
    if !user.active || user.organisation_id != link.organisation_id {
        return Err(ActionError::NotFound);
    }
    Ok(OpenLink { link, user })
}

/// Sets the password of the link's account and uses the link up. Ends the
/// account's sessions and quick sign-in PIN; a reset also revokes its API
/// tokens (someone else may know the old password).
pub async fn set_password_by_link(
    ctx: &Ctx,
    secret: &str,
    new: &str,
    confirm: &str,
) -> ActionResult<User> {
    let OpenLink { link, user } = open_link(ctx, secret).await?;
    let mut errors = FieldErrors::new();
    if let Err(e) = check_new_password(new, &user.email, &user.display_name) {
        errors.add("new_password", e.to_string());
    } else if new != confirm {
        errors.add("confirm_password", "The two passwords do not match");
    }
    if !errors.is_empty() {
        return Err(ActionError::Invalid(errors));
    }
    let hash = super::accounts::hash_password(new).await?;
    let now = ctx.clock.now().as_millisecond();
    let by = user.user_id.to_string();
    let mut tx = ctx.store.begin().await?;
    if !use_link(&mut tx, link.link_id, now).await? {
        return Err(ActionError::NotFound);
    }
    withdraw_links(&mut tx, user.user_id, now).await?;
    set_password_hash(&mut tx, user.user_id, &hash, now).await?;
    crate::store::sessions::delete_user_sessions(&mut tx, user.user_id).await?;
    crate::store::devices::delete_pin(&mut tx, user.user_id).await?;
    let action = match link.purpose {
        LinkPurpose::Invitation => "user.invitation_accepted",
        LinkPurpose::Reset => {
            super::tokens::revoke_all_tokens(&mut tx, &user, &by, now).await?;
            "user.password_reset"
        }
    };
    let changes = json!({"password": {"before": "(hidden)", "after": "(changed)"}});
    audit(ctx, &mut tx, &user, &by, (action, changes)).await?;
    tx.commit().await?;
    Ok(user)
}

/// Whether `actor` may invite anyone at all (to offer the button).
pub fn may_invite(actor: &Actor) -> bool {
    actor.can_anywhere(Permission::ManageUsers) || actor.has_role(Role::RegisteredManager)
}
