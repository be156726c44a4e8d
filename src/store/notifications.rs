//! In-app notifications: something new for a person about a report.

use super::{PortableRow, Store, StoreResult, Tx, on_read, on_tx, parse_code};
use candour_domain::ids::{IncidentId, OrganisationId, UserId};
use candour_domain::incident::{IncidentReference, InvolvementRole};
use candour_domain::notification::NotificationKind;

/// A notification as its reader sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    /// What it is about.
    pub kind: NotificationKind,
    /// The reference of the report (`INC-…`) or action (`ACT-…`) it is about.
    pub reference: String,
    /// Where to read it.
    pub path: String,
    /// When, epoch ms.
    pub created_at_ms: i64,
    /// Whether it has been read.
    pub read: bool,
}

/// Tells `user` something new about `incident`.
pub async fn insert_notification(
    tx: &mut Tx,
    org: OrganisationId,
    user: UserId,
    kind: NotificationKind,
    incident: IncidentId,
    now_ms: i64,
) -> StoreResult<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into notification (notification_id, organisation_id, user_id, kind, incident_id, created_at, read_at) \
             values ($1, $2, $3, $4, $5, $6, null)",
        )
        .bind(uuid::Uuid::now_v7())
        .bind(org.0)
        .bind(user.0)
        .bind(kind.code())
        .bind(incident.0)
        .bind(now_ms)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

/// Marks every unread notification of `user` about `incident` as read.
pub async fn mark_read(
    tx: &mut Tx,
    user: UserId,
    incident: IncidentId,
    now_ms: i64,
) -> StoreResult<u64> {
    let n = on_tx!(tx, |c| {
        sqlx::query(
            "update notification set read_at = $1 where user_id = $2 and incident_id = $3 and read_at is null",
        )
        .bind(now_ms)
        .bind(user.0)
        .bind(incident.0)
        .execute(&mut *c)
        .await?
        .rows_affected()
    });
    Ok(n)
}

impl Store {
    /// How many notifications `user` has not read, leaving out those about
    /// a report that names them as alleged to have caused harm (it does not
    /// exist for them, though they may have been told of it before).
    pub async fn unread_count(&self, user: UserId) -> StoreResult<i64> {
        on_read!(self, |p| {
            let row = sqlx::query(
                "select count(*) as n from notification n where n.user_id = $1 and n.read_at is null \
                 and not exists (select 1 from incident_staff h where h.incident_id = n.incident_id \
                 and h.user_id = n.user_id and h.role = $2)",
            )
            .bind(user.0)
            .bind(InvolvementRole::AllegedPerpetrator.code())
            .fetch_one(p)
            .await?;
            row.int("n")
        })
    }

    /// How many of a person's unread notifications are about one incident.
    pub async fn unread_about(&self, user: UserId, incident: IncidentId) -> StoreResult<i64> {
        self.unread_on(user, "incident_id", incident.0).await
    }

    /// How many of a person's unread notifications are about one
    /// improvement action.
    pub async fn unread_about_action(&self, user: UserId, action: uuid::Uuid) -> StoreResult<i64> {
        self.unread_on(user, "action_id", action).await
    }

    /// How many of a person's unread notifications have `id` in `column`
    /// (one of the fixed names above, never input).
    async fn unread_on(
        &self,
        user: UserId,
        column: &'static str,
        id: uuid::Uuid,
    ) -> StoreResult<i64> {
        let sql = format!(
            "select count(*) as n from notification where user_id = $1 and read_at is null and {column} = $2"
        );
        on_read!(self, |p| {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(user.0)
                .bind(id)
                .fetch_one(p)
                .await?;
            row.int("n")
        })
    }

    /// A person's latest notifications, newest first.
    pub async fn notifications(&self, user: UserId, limit: i64) -> StoreResult<Vec<Notification>> {
        on_read!(self, |p| {
            let rows = sqlx::query(
                "select n.kind, i.reference_number, a.reference_number as action_number, n.created_at, n.read_at from notification n \
                 left join incident i on i.incident_id = n.incident_id left join improvement_action a on a.action_id = n.action_id \
                 where n.user_id = $1 order by n.created_at desc, n.notification_id desc limit $2",
            )
            .bind(user.0)
            .bind(limit)
            .fetch_all(p)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(Notification {
                        kind: parse_code(
                            &r.text("kind")?,
                            NotificationKind::parse,
                            "notification kind",
                        )?,
                        reference: match (
                            r.opt_int("reference_number")?,
                            r.opt_int("action_number")?,
                        ) {
                            (Some(n), _) => IncidentReference(n).to_string(),
                            (None, Some(a)) => candour_domain::improvement::action_reference(a),
                            (None, None) => String::new(),
                        },
                        path: match (r.opt_int("reference_number")?, r.opt_int("action_number")?) {
                            (Some(n), _) => format!("/incidents/{}", IncidentReference(n)),
                            (None, Some(a)) => format!(
                                "/actions/{}",
                                candour_domain::improvement::action_reference(a)
                            ),
                            (None, None) => "/my-reports".to_owned(),
                        },
                        created_at_ms: r.int("created_at")?,
                        read: r.opt_int("read_at")?.is_some(),
                    })
                })
                .collect()
        })
    }
}

/// Tells `user` something new about an action.
pub async fn insert_action_notification(
    tx: &mut Tx,
    org: OrganisationId,
    user: UserId,
    kind: NotificationKind,
    action: uuid::Uuid,
    now_ms: i64,
) -> StoreResult<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into notification (notification_id, organisation_id, user_id, kind, incident_id, created_at, read_at, action_id) \
             values ($1, $2, $3, $4, null, $5, null, $6)",
        )
        .bind(uuid::Uuid::now_v7())
        .bind(org.0)
        .bind(user.0)
        .bind(kind.code())
        .bind(now_ms)
        .bind(action)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

/// Marks every unread notification of `user` about `action` as read.
pub async fn mark_action_read(
    tx: &mut Tx,
    user: UserId,
    action: uuid::Uuid,
    now_ms: i64,
) -> StoreResult<()> {
    on_tx!(tx, |c| {
        sqlx::query("update notification set read_at = $1 where user_id = $2 and action_id = $3 and read_at is null")
            .bind(now_ms)
            .bind(user.0)
            .bind(action)
            .execute(&mut *c)
            .await?;
    });
    Ok(())
}
