//! Staff accounts and their role grants.

use super::{PortableRow, Store, StoreError, StoreResult, Tx, on_read, on_tx, parse_code};
use candour_domain::ids::{OrganisationId, RegionId, RoleGrantId, ServiceId, UserId};
use candour_domain::role::{Grant, Role, Scope};

/// A staff account.
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    /// Its id.
    pub user_id: UserId,
    /// The organisation it belongs to.
    pub organisation_id: OrganisationId,
    /// Login email, lower case.
    pub email: String,
    /// Name shown to colleagues.
    pub display_name: String,
    /// Argon2id PHC string; `None` until a password is set.
    pub password_hash: Option<String>,
    /// Whether the account may sign in.
    pub active: bool,
    /// When it last signed in (password or PIN), epoch ms: read for the
    /// users list, `None` elsewhere.
    pub last_signed_in_at_ms: Option<i64>,
    /// When the account last changed (its name, email, password or
    /// status), epoch ms, as its version for the API: read by the users
    /// list and [`Store::user_version`], `None` elsewhere.
    pub version: Option<i64>,
}

/// Which accounts a list shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UserQuery {
    /// Part of the name or email (empty: any).
    pub search: String,
    /// Only accounts in this state.
    pub status: Option<AccountStatus>,
    /// Only accounts holding this role somewhere.
    pub role: Option<Role>,
    /// Only accounts holding a grant in one of these services (a registered
    /// manager's own staff); `None`: every account.
    pub services: Option<Vec<ServiceId>>,
    /// Only accounts with (`Some(true)`) or without a second factor on.
    pub second_factor: Option<bool>,
    /// Page by id instead of by name: only accounts after this id (the nil
    /// id for the first page), in id order, for a client keeping in step.
    pub after: Option<UserId>,
}

/// Where an account stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountStatus {
    /// Made, but no password set and never signed in: an invitation is out.
    Invited,
    /// May sign in.
    Active,
    /// A leaver: may not sign in.
    Disabled,
}

impl AccountStatus {
    /// The status of an account as the users list reads it.
    pub fn of(user: &User) -> AccountStatus {
        if !user.active {
            AccountStatus::Disabled
        } else if user.password_hash.is_none() && user.last_signed_in_at_ms.is_none() {
            AccountStatus::Invited
        } else {
            AccountStatus::Active
        }
    }

    /// Its code, as in links: `invited`, `active`, `disabled`.
    pub fn code(self) -> &'static str {
        match self {
            AccountStatus::Invited => "invited",
            AccountStatus::Active => "active",
            AccountStatus::Disabled => "disabled",
        }
    }

    /// Reads a code.
    pub fn parse(code: &str) -> Option<AccountStatus> {
        [
            AccountStatus::Invited,
            AccountStatus::Active,
            AccountStatus::Disabled,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }

    /// In words: "Invited", "Active", "Disabled".
    pub fn label(self) -> &'static str {
        match self {
            AccountStatus::Invited => "Invited",
            AccountStatus::Active => "Active",
            AccountStatus::Disabled => "Disabled",
        }
    }
}

/// A value bound to a placeholder of a query built at run time.
enum Param {
    Uuid(uuid::Uuid),
    Int(i64),
    Text(String),
    Bool(bool),
}

fn user_from(r: &impl PortableRow) -> StoreResult<User> {
    Ok(User {
        user_id: UserId(r.uuid("user_id")?),
        organisation_id: OrganisationId(r.uuid("organisation_id")?),
        email: r.text("email")?,
        display_name: r.text("display_name")?,
        password_hash: r.opt_text("password_hash")?,
        active: r.boolean("active")?,
        // Read by the users list only (the column came with migration 0050).
        last_signed_in_at_ms: None,
        version: None,
    })
}

/// `text` with LIKE's wildcards (and the escape character) escaped by `\`.
fn like_escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

const USER_COLUMNS: &str = "user_id, organisation_id, email, display_name, password_hash, active";

/// Inserts a user.
pub async fn insert_user(tx: &mut Tx, u: &User, now_ms: i64) -> StoreResult<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into app_user (user_id, organisation_id, email, display_name, password_hash, active, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $7)",
        )
        .bind(u.user_id.0)
        .bind(u.organisation_id.0)
        .bind(&u.email)
        .bind(&u.display_name)
        .bind(&u.password_hash)
        .bind(u.active)
        .bind(now_ms)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

/// Grants `role` over `scope` to a user of `org`.
pub async fn insert_grant(
    tx: &mut Tx,
    org: OrganisationId,
    user: UserId,
    grant: Grant,
    now_ms: i64,
) -> StoreResult<RoleGrantId> {
    let id = RoleGrantId(uuid::Uuid::now_v7());
    let (region, service) = match grant.scope {
        Scope::Organisation => (None, None),
        Scope::Region(r) => (Some(r.0), None),
        Scope::Service(s) => (None, Some(s.0)),
    };
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into role_grant (role_grant_id, organisation_id, user_id, role, scope_kind, region_id, service_id, created_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id.0)
        .bind(org.0)
        .bind(user.0)
        .bind(grant.role.code())
        .bind(grant.scope.kind_code())
        .bind(region)
        .bind(service)
        .bind(now_ms)
        .execute(&mut *c)
        .await?;
    });
    Ok(id)
}

/// Replaces a user's password hash.
pub async fn set_password_hash(
    tx: &mut Tx,
    user: UserId,
    hash: &str,
    now_ms: i64,
) -> StoreResult<()> {
    let n = on_tx!(tx, |c| {
        sqlx::query("update app_user set password_hash = $1, updated_at = $2 where user_id = $3")
            .bind(hash)
            .bind(now_ms)
            .bind(user.0)
            .execute(&mut *c)
            .await?
            .rows_affected()
    });
    if n == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

/// Removes `user`'s grant of `grant`; false when they held none such.
pub async fn delete_grant(tx: &mut Tx, user: UserId, grant: Grant) -> StoreResult<bool> {
    let (region, service) = scope_columns(grant.scope);
    let n = on_tx!(tx, |c| {
        sqlx::query(
            "delete from role_grant where user_id = $1 and role = $2 and scope_kind = $3 \
             and (region_id = $4 or ($4 is null and region_id is null)) \
             and (service_id = $5 or ($5 is null and service_id is null))",
        )
        .bind(user.0)
        .bind(grant.role.code())
        .bind(grant.scope.kind_code())
        .bind(region)
        .bind(service)
        .execute(&mut *c)
        .await?
        .rows_affected()
    });
    Ok(n > 0)
}

/// Records that an account signed in now.
pub async fn record_sign_in(tx: &mut Tx, user: UserId, now_ms: i64) -> StoreResult<()> {
    on_tx!(tx, |c| {
        sqlx::query("update app_user set last_signed_in_at = $1 where user_id = $2")
            .bind(now_ms)
            .bind(user.0)
            .execute(&mut *c)
            .await?;
    });
    Ok(())
}

/// Sets whether an account may sign in; false when it already was so.
pub async fn set_active(tx: &mut Tx, user: UserId, active: bool, now_ms: i64) -> StoreResult<bool> {
    let n = on_tx!(tx, |c| {
        sqlx::query(
            "update app_user set active = $1, updated_at = $2 where user_id = $3 and active = $4",
        )
        .bind(active)
        .bind(now_ms)
        .bind(user.0)
        .bind(!active)
        .execute(&mut *c)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

/// Renames `user` if it is still at `version` (its `updated_at`); false
/// when it changed first.
pub async fn rename_user(
    tx: &mut Tx,
    user: UserId,
    name: &str,
    version: i64,
    now_ms: i64,
) -> StoreResult<bool> {
    let n = on_tx!(tx, |c| {
        sqlx::query(
            "update app_user set display_name = $1, updated_at = $2 where user_id = $3 and updated_at = $4",
        )
        .bind(name)
        .bind(now_ms)
        .bind(user.0)
        .bind(version)
        .execute(&mut *c)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

impl Store {
    /// An account's version: when it last changed, epoch ms.
    pub async fn user_version(&self, user: UserId) -> StoreResult<i64> {
        on_read!(self, |p| {
            Ok(
                sqlx::query("select updated_at from app_user where user_id = $1")
                    .bind(user.0)
                    .fetch_optional(p)
                    .await?
                    .ok_or(StoreError::NotFound)?
                    .int("updated_at")?,
            )
        })
    }

    /// The account with this email (lower case), in any organisation.
    pub async fn user_by_email(&self, email: &str) -> StoreResult<Option<User>> {
        let sql = format!("select {USER_COLUMNS} from app_user where email = $1");
        on_read!(self, |p| {
            match sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(email)
                .fetch_optional(p)
                .await?
            {
                Some(r) => Ok(Some(user_from(&r)?)),
                None => Ok(None),
            }
        })
    }

    /// One account by id.
    pub async fn user(&self, id: UserId) -> StoreResult<User> {
        let sql = format!("select {USER_COLUMNS} from app_user where user_id = $1");
        on_read!(self, |p| {
            let r = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(id.0)
                .fetch_one(p)
                .await?;
            user_from(&r)
        })
    }

    /// An account with its role grants, oldest grant first, in one query
    /// (asked on every request, so one round trip rather than two).
    pub async fn user_with_grants(&self, id: UserId) -> StoreResult<(User, Vec<Grant>)> {
        // Made once: this is asked on every request.
        static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
            let columns: Vec<String> = USER_COLUMNS.split(", ").map(|c| format!("u.{c}")).collect();
            format!(
                "select {}, g.role, g.scope_kind, g.region_id, g.service_id \
                 from app_user u left join role_grant g on g.user_id = u.user_id \
                 where u.user_id = $1 order by g.created_at, g.role_grant_id",
                columns.join(", ")
            )
        });
        on_read!(self, |p| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(SQL.as_str()))
                .bind(id.0)
                .fetch_all(p)
                .await?;
            let user = user_from(rows.first().ok_or(StoreError::NotFound)?)?;
            let mut grants = Vec::new();
            for r in &rows {
                // An account without grants has one row, with no grant.
                if r.opt_text("role")?.is_some() {
                    grants.push(grant_from(r)?);
                }
            }
            Ok((user, grants))
        })
    }

    /// Every account of an organisation, by name.
    pub async fn users(&self, org: OrganisationId) -> StoreResult<Vec<User>> {
        let sql = format!(
            "select {USER_COLUMNS} from app_user where organisation_id = $1 order by display_name, email"
        );
        on_read!(self, |p| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(org.0)
                .fetch_all(p)
                .await?;
            rows.iter().map(user_from).collect()
        })
    }

    /// How many accounts an organisation has, and how many may sign in.
    pub async fn user_counts(&self, org: OrganisationId) -> StoreResult<(i64, i64)> {
        on_read!(self, |p| {
            let r = sqlx::query(
                "select count(*) as n, coalesce(sum(case when active = $2 then 1 else 0 end), 0) as active \
                 from app_user where organisation_id = $1",
            )
            .bind(org.0)
            .bind(true)
            .fetch_one(p)
            .await?;
            Ok((r.int("n")?, r.int("active")?))
        })
    }

    /// One page of an organisation's accounts by name: those whose name or
    /// email holds `search` (in any case; all when it is empty), skipping
    /// `offset` and at most `limit`; and how many match in all.
    pub async fn users_page(
        &self,
        org: OrganisationId,
        q: &UserQuery,
        offset: i64,
        limit: i64,
    ) -> StoreResult<(i64, Vec<User>)> {
        let mut params = vec![
            Param::Uuid(org.0),
            Param::Text(format!(
                "%{}%",
                like_escaped(&q.search.trim().to_lowercase())
            )),
        ];
        let mut push = |p: Param| {
            params.push(p);
            format!("${}", params.len())
        };
        // The SQL is built from fixed fragments and placeholder numbers only.
        let mut matching = vec![
            "organisation_id = $1".to_owned(),
            "(lower(display_name) like $2 escape '\\' or lower(email) like $2 escape '\\')"
                .to_owned(),
        ];
        let invited = "password_hash is null and last_signed_in_at is null";
        match q.status {
            None => {}
            Some(AccountStatus::Disabled) => {
                matching.push(format!("active = {}", push(Param::Bool(false))));
            }
            Some(AccountStatus::Invited) => {
                matching.push(format!(
                    "active = {} and {invited}",
                    push(Param::Bool(true))
                ));
            }
            Some(AccountStatus::Active) => {
                matching.push(format!(
                    "active = {} and not ({invited})",
                    push(Param::Bool(true))
                ));
            }
        }
        if let Some(role) = q.role {
            matching.push(format!(
                "exists (select 1 from role_grant g where g.user_id = app_user.user_id and g.role = {})",
                push(Param::Text(role.code().to_owned()))
            ));
        }
        if let Some(services) = &q.services {
            let list: Vec<String> = services.iter().map(|s| push(Param::Uuid(s.0))).collect();
            let list = if list.is_empty() {
                "null".to_owned()
            } else {
                list.join(", ")
            };
            matching.push(format!(
                "exists (select 1 from role_grant g where g.user_id = app_user.user_id and g.service_id in ({list}))"
            ));
        }
        if let Some(on) = q.second_factor {
            matching.push(format!(
                "{} exists (select 1 from second_factor f where f.user_id = app_user.user_id and f.confirmed_at is not null)",
                if on { "" } else { "not" }
            ));
        }
        let order = match q.after {
            Some(after) => {
                matching.push(format!("user_id > {}", push(Param::Uuid(after.0))));
                "user_id"
            }
            None => "display_name, email",
        };
        let limit = push(Param::Int(limit));
        let offset = push(Param::Int(offset));
        let matching = matching.join(" and ");
        let count = format!("select count(*) as n from app_user where {matching}");
        let page = format!(
            "select {USER_COLUMNS}, last_signed_in_at, updated_at from app_user where {matching} \
             order by {order} limit {limit} offset {offset}"
        );
        let count_params = &params[..params.len() - 2];
        on_read!(self, |p| {
            let mut c = sqlx::query(sqlx::AssertSqlSafe(count.as_str()));
            for v in count_params {
                c = match v {
                    Param::Uuid(u) => c.bind(*u),
                    Param::Int(i) => c.bind(*i),
                    Param::Text(t) => c.bind(t.as_str()),
                    Param::Bool(b) => c.bind(*b),
                };
            }
            let n = c.fetch_one(p).await?.int("n")?;
            let mut q = sqlx::query(sqlx::AssertSqlSafe(page.as_str()));
            for v in &params {
                q = match v {
                    Param::Uuid(u) => q.bind(*u),
                    Param::Int(i) => q.bind(*i),
                    Param::Text(t) => q.bind(t.as_str()),
                    Param::Bool(b) => q.bind(*b),
                };
            }
            let rows = q.fetch_all(p).await?;
            let users = rows
                .iter()
                .map(|r| {
                    Ok(User {
                        last_signed_in_at_ms: r.opt_int("last_signed_in_at")?,
                        version: Some(r.int("updated_at")?),
                        ..user_from(r)?
                    })
                })
                .collect::<StoreResult<_>>()?;
            Ok((n, users))
        })
    }

    /// The grants of each of `users` (of `org`), in one read per few hundred.
    pub async fn grants_of(
        &self,
        org: OrganisationId,
        users: &[UserId],
    ) -> StoreResult<std::collections::HashMap<UserId, Vec<Grant>>> {
        let ids: Vec<uuid::Uuid> = users.iter().map(|u| u.0).collect();
        let rows = self
            .rows_of_ids(
                "select user_id, role, scope_kind, region_id, service_id from role_grant \
                 where organisation_id = $1 and user_id in ({ids}) order by created_at, role_grant_id",
                (org, None),
                &ids,
                |r| Ok((UserId(r.uuid("user_id")?), grant_from(r)?)),
            )
            .await?;
        let mut out: std::collections::HashMap<UserId, Vec<Grant>> = Default::default();
        for (u, g) in rows {
            out.entry(u).or_default().push(g);
        }
        Ok(out)
    }

    /// Every active account of an organisation with its grants, by name (one query).
    pub async fn staff_with_grants(
        &self,
        org: OrganisationId,
    ) -> StoreResult<Vec<(UserId, String, Vec<Grant>)>> {
        let rows = on_read!(self, |p| {
            let rows = sqlx::query(
                "select u.user_id, u.display_name, g.role, g.scope_kind, g.region_id, g.service_id from app_user u \
                 join role_grant g on g.user_id = u.user_id where u.organisation_id = $1 and u.active = $2 \
                 order by u.display_name, u.user_id",
            )
            .bind(org.0)
            .bind(true)
            .fetch_all(p)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok((
                        UserId(r.uuid("user_id")?),
                        r.text("display_name")?,
                        grant_from(r)?,
                    ))
                })
                .collect::<StoreResult<Vec<_>>>()?
        });
        let mut out: Vec<(UserId, String, Vec<Grant>)> = Vec::new();
        for (id, name, grant) in rows {
            match out.last_mut() {
                Some((last, _, grants)) if *last == id => grants.push(grant),
                _ => out.push((id, name, vec![grant])),
            }
        }
        Ok(out)
    }

    /// The active staff of `org` among `ids`, with their grants: as
    /// [`Store::staff_with_grants`] for only the people a form names, so a
    /// report naming two colleagues reads two, not the whole organisation.
    pub async fn named_staff_with_grants(
        &self,
        org: OrganisationId,
        ids: &[UserId],
    ) -> StoreResult<Vec<(UserId, String, Vec<Grant>)>> {
        let mut out: Vec<(UserId, String, Vec<Grant>)> = Vec::new();
        for id in ids {
            if out.iter().any(|(u, _, _)| u == id) {
                continue;
            }
            let rows = on_read!(self, |p| {
                let rows = sqlx::query(
                    "select u.user_id, u.display_name, g.role, g.scope_kind, g.region_id, g.service_id from app_user u \
                     join role_grant g on g.user_id = u.user_id \
                     where u.user_id = $1 and u.organisation_id = $2 and u.active = $3",
                )
                .bind(id.0)
                .bind(org.0)
                .bind(true)
                .fetch_all(p)
                .await?;
                rows.iter()
                    .map(|r| Ok((r.text("display_name")?, grant_from(r)?)))
                    .collect::<StoreResult<Vec<_>>>()?
            });
            if let Some((name, _)) = rows.first() {
                let name = name.clone();
                out.push((*id, name, rows.into_iter().map(|(_, g)| g).collect()));
            }
        }
        Ok(out)
    }

    /// A user's grants.
    pub async fn grants(&self, user: UserId) -> StoreResult<Vec<Grant>> {
        on_read!(self, |p| {
            let rows = sqlx::query(
                "select role, scope_kind, region_id, service_id from role_grant where user_id = $1 order by created_at, role_grant_id",
            )
            .bind(user.0)
            .fetch_all(p)
            .await?;
            rows.iter().map(grant_from).collect()
        })
    }
}

fn grant_from(r: &(impl PortableRow + ?Sized)) -> StoreResult<Grant> {
    let role = parse_code(&r.text("role")?, Role::parse, "role")?;
    Ok(Grant {
        role,
        scope: scope_from(r)?,
    })
}

/// A scope's `region_id` and `service_id` columns (its `scope_kind` is `Scope::kind_code`).
pub(crate) fn scope_columns(scope: Scope) -> (Option<uuid::Uuid>, Option<uuid::Uuid>) {
    match scope {
        Scope::Organisation => (None, None),
        Scope::Region(r) => (Some(r.0), None),
        Scope::Service(s) => (None, Some(s.0)),
    }
}

/// Reads a scope stored as `scope_kind`, `region_id` and `service_id`.
pub(crate) fn scope_from(r: &(impl PortableRow + ?Sized)) -> StoreResult<Scope> {
    Ok(
        match (
            r.text("scope_kind")?.as_str(),
            r.opt_uuid("region_id")?,
            r.opt_uuid("service_id")?,
        ) {
            ("organisation", None, None) => Scope::Organisation,
            ("region", Some(reg), None) => Scope::Region(RegionId(reg)),
            ("service", None, Some(s)) => Scope::Service(ServiceId(s)),
            (kind, _, _) => {
                return Err(StoreError::Corrupt(format!(
                    "scope {kind:?} does not match its ids"
                )));
            }
        },
    )
}
