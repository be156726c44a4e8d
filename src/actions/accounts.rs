//! Staff accounts: adding users, passwords (argon2id), and the organisation
//! set-up the CLI and demo use.

use super::{ActionError, ActionResult, Actor, Ctx, created_changes};
use crate::store::audit::{NewAuditEvent, append};
use crate::store::sessions::delete_user_sessions;
use crate::store::users::{
    AccountStatus, User, UserQuery, insert_grant, insert_user, set_password_hash,
};
use crate::store::{StoreError, Tx};
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use candour_domain::ids::{OrganisationId, ServiceId, UserId};
use candour_domain::password::check_new_password;
use candour_domain::role::{Grant, Permission, Role, Scope};
use candour_domain::validation::FieldErrors;
use serde_json::json;

/// How many accounts a page of the users list shows.
pub const USERS_PER_PAGE: i64 = 100;

/// One page of the organisation's accounts, for someone who manages users.
#[derive(Debug, Clone)]
pub struct UsersPage {
    /// Accounts in the organisation.
    pub total: i64,
    /// Of those, how many may sign in.
    pub active: i64,
    /// How many match the search and filters (all of them without any).
    pub matching: i64,
    /// This page (1 is the first); past the last, the last.
    pub page: i64,
    /// How many pages the matches fill (at least 1).
    pub pages: i64,
    /// The accounts on this page, by name, each with its roles as words
    /// ("Care worker, Alder House").
    pub users: Vec<(User, Vec<String>)>,
    /// Which accounts have a second factor on.
    pub with_second_factor: std::collections::HashSet<UserId>,
}

/// The accounts `actor` may list: every one for an administrator; for a
/// registered manager, those holding a role in a service they manage.
pub(crate) fn listing(actor: &Actor, q: &UserQuery) -> ActionResult<UserQuery> {
    if actor.can_anywhere(Permission::ManageUsers) {
        return Ok(q.clone());
    }
    let managed: Vec<ServiceId> = actor
        .grants
        .iter()
        .filter_map(|g| match (g.role, g.scope) {
            (Role::RegisteredManager, Scope::Service(s)) => Some(s),
            _ => None,
        })
        .collect();
    if managed.is_empty() {
        return Err(ActionError::Forbidden);
    }
    Ok(UserQuery {
        services: Some(managed),
        ..q.clone()
    })
}

/// The accounts of the reader's organisation matching `q`, a page at a
/// time, by name. Only for someone who manages users.
pub async fn users_page(
    ctx: &Ctx,
    actor: &Actor,
    q: &UserQuery,
    page: i64,
) -> ActionResult<UsersPage> {
    let q = &listing(actor, q)?;
    let org = actor.organisation_id;
    let (total, active) = if q.services.is_none() {
        ctx.store.user_counts(org).await?
    } else {
        let all = UserQuery {
            services: q.services.clone(),
            ..UserQuery::default()
        };
        let active = UserQuery {
            status: Some(AccountStatus::Active),
            ..all.clone()
        };
        (
            ctx.store.users_page(org, &all, 0, 0).await?.0,
            ctx.store.users_page(org, &active, 0, 0).await?.0,
        )
    };
    let offset = |page: i64| (page - 1) * USERS_PER_PAGE;
    let mut page = page.max(1);
    let (matching, mut users) = ctx
        .store
        .users_page(org, q, offset(page), USERS_PER_PAGE)
        .await?;
    let pages = ((matching + USERS_PER_PAGE - 1) / USERS_PER_PAGE).max(1);
    if page > pages {
        page = pages;
        users = ctx
            .store
            .users_page(org, q, offset(page), USERS_PER_PAGE)
            .await?
            .1;
    }
    Ok(UsersPage {
        total,
        active,
        matching,
        page,
        pages,
        users: with_roles(ctx, org, users).await?,
        with_second_factor: ctx.store.with_second_factor(org).await?,
    })
}

/// Each account with its roles as words.
async fn with_roles(
    ctx: &Ctx,
    org: OrganisationId,
    users: Vec<User>,
) -> ActionResult<Vec<(User, Vec<String>)>> {
    let ids: Vec<UserId> = users.iter().map(|u| u.user_id).collect();
    let mut grants = ctx.store.grants_of(org, &ids).await?;
    let services = ctx.store.services(org).await?;
    let regions = ctx.store.regions(org).await?;
    let place = |scope: Scope| place_of(scope, (&services, &regions));
    Ok(users
        .into_iter()
        .map(|u| {
            let roles = grants
                .remove(&u.user_id)
                .unwrap_or_default()
                .into_iter()
                .map(|g| format!("{}, {}", g.role.label(), place(g.scope)))
                .collect();
            (u, roles)
        })
        .collect())
}

/// Where a grant applies, as words: "the whole organisation", "North West
/// region", "Alder House".
pub(crate) fn place_of(
    scope: Scope,
    (services, regions): (
        &[crate::store::organisations::Service],
        &[crate::store::organisations::Region],
    ),
) -> String {
    match scope {
        Scope::Organisation => "the whole organisation".to_owned(),
        Scope::Region(r) => regions
            .iter()
            .find(|x| x.region_id == r)
            .map_or_else(String::new, |x| format!("{} region", x.name)),
        Scope::Service(s) => services
            .iter()
            .find(|x| x.service_id == s)
            .map_or_else(String::new, |x| x.name.clone()),
    }
}

/// Every account matching `q` as CSV, for the annual access review (the
/// NHS Data Security and Protection Toolkit asks for one): name, email,
/// status, roles and last sign-in. Audited, as it lists every account.
pub async fn users_csv(ctx: &Ctx, actor: &Actor, q: &UserQuery) -> ActionResult<String> {
    let q = &listing(actor, q)?;
    let org = actor.organisation_id;
    let (_, users) = ctx.store.users_page(org, q, 0, 1_000_000).await?;
    let users = with_roles(ctx, org, users).await?;
    let factors = ctx.store.with_second_factor(org).await?;
    let mut out = candour_domain::csv::row(&[
        "Name",
        "Email",
        "Status",
        "Roles",
        "Second factor",
        "Last sign-in",
    ]);
    for (u, roles) in &users {
        let last = u
            .last_signed_in_at_ms
            .and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
            .map(candour_domain::display::date_time)
            .unwrap_or_else(|| "Never".to_owned());
        out.push_str(&candour_domain::csv::row(&[
            u.display_name.as_str(),
            u.email.as_str(),
            AccountStatus::of(u).label(),
            roles.join("; ").as_str(),
            if factors.contains(&u.user_id) {
                "On"
            } else {
                "Off"
            },
            last.as_str(),
        ]));
    }
    let mut tx = ctx.store.begin().await?;
    super::audit_now(
        ctx,
        &mut tx,
        actor,
        ("organisation", &org.to_string(), "users.exported"),
        &json!({"accounts": users.len()}),
    )
    .await?;
    tx.commit().await?;
    Ok(out)
}

/// Hashes a password with Argon2id (off the async runtime: it is slow on purpose).
pub async fn hash_password(password: &str) -> anyhow::Result<String> {
    let pw = password.to_owned();
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(pw.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("hashing the password failed: {e}"))
    })
    .await?
}

/// Checks a password against a stored hash. A missing hash still costs one
/// hash's time, so timing does not tell whether an account exists.
pub async fn verify_password(password: &str, stored: Option<&str>) -> anyhow::Result<bool> {
    let pw = password.to_owned();
    let stored = stored.map(str::to_owned);
    tokio::task::spawn_blocking(move || {
        let argon = Argon2::default();
        match stored.as_deref().map(PasswordHash::new) {
            Some(Ok(hash)) => Ok(argon.verify_password(pw.as_bytes(), &hash).is_ok()),
            Some(Err(e)) => Err(anyhow::anyhow!("a stored password hash is malformed: {e}")),
            None => {
                let _ = argon.hash_password(pw.as_bytes());
                Ok(false)
            }
        }
    })
    .await?
}

/// A new account to add.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// The organisation.
    pub organisation_id: OrganisationId,
    /// Email (any case; stored lower case).
    pub email: String,
    /// Name.
    pub display_name: String,
    /// First grant.
    pub grant: Grant,
    /// Initial password, checked against the password rules.
    pub password: Option<String>,
}

/// Adds a user inside `tx`, recording `actor` (a user id, or `cli`/`demo`) in the audit trail.
pub async fn add_user_in(
    tx: &mut Tx,
    new: &NewUser,
    password_hash: Option<String>,
    actor: &str,
    now_ms: i64,
) -> ActionResult<User> {
    let user = User {
        user_id: UserId(uuid::Uuid::now_v7()),
        organisation_id: new.organisation_id,
        email: new.email.trim().to_lowercase(),
        display_name: new.display_name.trim().to_owned(),
        password_hash,
        active: true,
        last_signed_in_at_ms: None,
        version: None,
    };
    match insert_user(tx, &user, now_ms).await {
        Err(StoreError::Conflict { .. }) => {
            let mut e = FieldErrors::new();
            e.add(
                "email",
                format!("An account with the email {} already exists", user.email),
            );
            return Err(ActionError::Invalid(e));
        }
        other => other?,
    }
    insert_grant(tx, new.organisation_id, user.user_id, new.grant, now_ms).await?;
    let changes = created_changes(&[
        ("email", json!(user.email)),
        ("display_name", json!(user.display_name)),
        ("role", json!(new.grant.role.code())),
        ("scope", json!(new.grant.scope)),
    ]);
    append(
        tx,
        &NewAuditEvent {
            organisation_id: new.organisation_id,
            occurred_at_ms: now_ms,
            actor,
            action: "user.added",
            record_type: "user",
            record_id: &user.user_id.to_string(),
            changes: &changes,
        },
    )
    .await?;
    Ok(user)
}

fn check_identity(new: &NewUser) -> ActionResult<()> {
    let mut errors = FieldErrors::new();
    let email = new.email.trim();
    if !email.contains('@') || email.starts_with('@') || email.ends_with('@') || email.len() > 254 {
        errors.add("email", "Enter an email address like name@example.org");
    }
    if new.display_name.trim().is_empty() {
        errors.add("name", "Enter the person's name");
    }
    if let Some(pw) = &new.password
        && let Err(e) = check_new_password(pw, email, &new.display_name)
    {
        errors.add("password", e.to_string());
    }
    errors.into_result(()).map_err(ActionError::Invalid)
}

/// Adds a user in its own transaction (the CLI's `user add`).
pub async fn add_user(ctx: &Ctx, new: &NewUser, actor: &str) -> ActionResult<User> {
    check_identity(new)?;
    let hash = match &new.password {
        Some(pw) => Some(hash_password(pw).await?),
        None => None,
    };
    let now = ctx.clock.now().as_millisecond();
    let mut tx = ctx.store.begin().await?;
    let user = add_user_in(&mut tx, new, hash, actor, now).await?;
    tx.commit().await?;
    Ok(user)
}

/// Sets a new password for a user and ends all their sessions.
pub async fn set_password(
    ctx: &Ctx,
    user: &User,
    new_password: &str,
    actor: &str,
) -> ActionResult<()> {
    replace_password(ctx, user, new_password, actor, false).await?;
    Ok(())
}

/// Resets a person's password for them (they forgot it, or it may be known
/// to someone else): as [`set_password`], and every API token of theirs is
/// revoked too, each audited. Returns how many tokens were revoked.
pub async fn reset_password(
    ctx: &Ctx,
    user: &User,
    new_password: &str,
    actor: &str,
) -> ActionResult<usize> {
    replace_password(ctx, user, new_password, actor, true).await
}

async fn replace_password(
    ctx: &Ctx,
    user: &User,
    new_password: &str,
    actor: &str,
    revoke_tokens: bool,
) -> ActionResult<usize> {
    if let Err(e) = check_new_password(new_password, &user.email, &user.display_name) {
        let mut errors = FieldErrors::new();
        errors.add("new_password", e.to_string());
        return Err(ActionError::Invalid(errors));
    }
    let hash = hash_password(new_password).await?;
    let now = ctx.clock.now().as_millisecond();
    let mut tx = ctx.store.begin().await?;
    set_password_hash(&mut tx, user.user_id, &hash, now).await?;
    delete_user_sessions(&mut tx, user.user_id).await?;
    // A new password turns a quick sign-in PIN off too: it is set again after.
    crate::store::devices::delete_pin(&mut tx, user.user_id).await?;
    append(
        &mut tx,
        &NewAuditEvent {
            organisation_id: user.organisation_id,
            occurred_at_ms: now,
            actor,
            action: if revoke_tokens {
                "user.password_reset"
            } else {
                "user.password_changed"
            },
            record_type: "user",
            record_id: &user.user_id.to_string(),
            // Never the hash: only that it changed.
            changes: &json!({ "password": { "before": "(hidden)", "after": "(changed)" } })
                .to_string(),
        },
    )
    .await?;
    let revoked = if revoke_tokens {
        super::tokens::revoke_all_tokens(&mut tx, user, actor, now).await?
    } else {
        0
    };
    tx.commit().await?;
    Ok(revoked)
}

/// The signed-in user changes their own password, proving the current one first.
pub async fn change_own_password(
    ctx: &Ctx,
    actor: &Actor,
    current: &str,
    new: &str,
    confirm: &str,
) -> ActionResult<()> {
    let user = ctx.store.user(actor.user_id).await?;
    if !verify_password(current, user.password_hash.as_deref()).await? {
        let mut errors = FieldErrors::new();
        errors.add("current_password", "Your current password is not right");
        return Err(ActionError::Invalid(errors));
    }
    if new != confirm {
        let mut errors = FieldErrors::new();
        errors.add("confirm_password", "The two new passwords do not match");
        return Err(ActionError::Invalid(errors));
    }
    set_password(ctx, &user, new, &actor.audit_name()).await
}

/// Picks the organisation for a CLI command: the named one, or the only one.
pub async fn pick_organisation(ctx: &Ctx, name: Option<&str>) -> ActionResult<OrganisationId> {
    let mut orgs = Vec::new();
    for id in ctx.store.organisation_ids().await? {
        orgs.push(ctx.store.organisation(id).await?);
    }
    let found: Vec<_> = match name {
        Some(n) => orgs
            .iter()
            .filter(|o| o.name.eq_ignore_ascii_case(n.trim()))
            .collect(),
        None => orgs.iter().collect(),
    };
    match (found.as_slice(), name) {
        ([one], _) => Ok(one.organisation_id),
        ([], Some(n)) => Err(invalid(
            "organisation",
            format!("There is no organisation called {n:?}"),
        )),
        ([], None) => Err(invalid(
            "organisation",
            "The database has no organisation yet: run `candour demo` or create one first",
        )),
        (_, _) => Err(invalid(
            "organisation",
            "The database has several organisations: name one with --organisation",
        )),
    }
}

/// Reads a scope written as `organisation`, `region:NAME` or `service:NAME`.
pub async fn resolve_scope(
    ctx: &Ctx,
    org: OrganisationId,
    text: &str,
) -> ActionResult<candour_domain::role::Scope> {
    use candour_domain::role::Scope;
    let text = text.trim();
    if text.eq_ignore_ascii_case("organisation") {
        return Ok(Scope::Organisation);
    }
    match text.split_once(':') {
        Some((kind, name)) if kind.eq_ignore_ascii_case("region") => {
            let regions = ctx.store.regions(org).await?;
            regions
                .iter()
                .find(|r| {
                    r.name.eq_ignore_ascii_case(name.trim())
                        || r.region_id.to_string() == name.trim()
                })
                .map(|r| Scope::Region(r.region_id))
                .ok_or_else(|| {
                    invalid(
                        "scope",
                        format!("There is no region called {:?}", name.trim()),
                    )
                })
        }
        Some((kind, name)) if kind.eq_ignore_ascii_case("service") => {
            let services = ctx.store.services(org).await?;
            services
                .iter()
                .find(|s| {
                    s.name.eq_ignore_ascii_case(name.trim())
                        || s.service_id.to_string() == name.trim()
                })
                .map(|s| Scope::Service(s.service_id))
                .ok_or_else(|| {
                    invalid(
                        "scope",
                        format!("There is no service called {:?}", name.trim()),
                    )
                })
        }
        _ => Err(invalid(
            "scope",
            "Give the scope as organisation, region:NAME or service:NAME",
        )),
    }
}

fn invalid(field: &str, message: impl Into<String>) -> ActionError {
    let mut e = FieldErrors::new();
    e.add(field, message);
    ActionError::Invalid(e)
}
