//! The register of external guidance and safety alerts.

use super::{PortableRow, Store, StoreResult, Tx, millis_to_ts, on_read, on_tx, parse_code};
use candour_domain::alerts::{AlertKind, NewAlert, Progress};
use candour_domain::ids::{OrganisationId, UserId};
use jiff::Timestamp;
use jiff::civil::Date;
use uuid::Uuid;

/// An alert as stored, with names for the people on it.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    /// Its id.
    pub alert_id: Uuid,
    /// Organisation.
    pub organisation_id: OrganisationId,
    /// Reference, title, kind.
    pub reference: String,
    /// Title.
    pub title: String,
    /// Kind.
    pub kind: AlertKind,
    /// Issued.
    pub issued_on: Date,
    /// Received.
    pub received_on: Date,
    /// The alert's deadline.
    pub deadline: Option<Date>,
    /// What it asks.
    pub summary: String,
    /// Logged by (name) and when.
    pub logged: (String, Timestamp),
    /// Acknowledged by (name) and when.
    pub acknowledged: Option<(String, Timestamp)>,
    /// Relevant or not, with the reason, by whom and when.
    pub decision: Option<(bool, String, String, Timestamp)>,
    /// The owner (id, name).
    pub owner: Option<(UserId, String)>,
    /// How and when staff were told.
    pub staff_told: Option<(String, Date)>,
    /// Evidence of completion, by whom and when.
    pub completed: Option<(String, String, Timestamp)>,
    /// Signed off by, when, with the note.
    pub signed_off: Option<(String, Timestamp, String)>,
    /// Version.
    pub version: i64,
    /// Last changed by (name) and when.
    pub updated: (String, Timestamp),
}

impl Alert {
    /// What the status needs.
    pub fn progress(&self) -> Progress {
        Progress {
            acknowledged: self.acknowledged.is_some(),
            relevant: self.decision.as_ref().map(|d| d.0),
            completed: self.completed.is_some(),
            signed_off: self.signed_off.is_some(),
        }
    }
}

/// One action on an alert.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertAction {
    /// Its id.
    pub action_id: Uuid,
    /// What will be done.
    pub title: String,
    /// Owner (id, name).
    pub owner: (UserId, String),
    /// Due.
    pub due_on: Date,
    /// Done by (name) and when.
    pub done: Option<(String, Timestamp)>,
}

const SELECT: &str = "select a.*, lu.display_name as logged_name, au.display_name as ack_name, du.display_name as decided_name, \
    ou.display_name as owner_name, cu.display_name as completed_name, su.display_name as signed_name, uu.display_name as updated_name \
    from safety_alert a join app_user lu on lu.user_id = a.logged_by join app_user uu on uu.user_id = a.updated_by \
    left join app_user au on au.user_id = a.acknowledged_by left join app_user du on du.user_id = a.decided_by \
    left join app_user ou on ou.user_id = a.owner_id left join app_user cu on cu.user_id = a.completed_by \
    left join app_user su on su.user_id = a.signed_off_by";

fn date(s: &str) -> StoreResult<Date> {
    s.parse()
        .map_err(|e| super::StoreError::Corrupt(format!("alert date {s}: {e}")))
}

fn with_name(name: Option<String>, at: Option<i64>) -> StoreResult<Option<(String, Timestamp)>> {
    Ok(match (name, at) {
        (Some(n), Some(at)) => Some((n, millis_to_ts(at)?)),
        _ => None,
    })
}

fn alert_from(r: &impl PortableRow) -> StoreResult<Alert> {
    let decided = with_name(r.opt_text("decided_name")?, r.opt_int("decided_at")?)?;
    Ok(Alert {
        alert_id: r.uuid("alert_id")?,
        organisation_id: OrganisationId(r.uuid("organisation_id")?),
        reference: r.text("reference")?,
        title: r.text("title")?,
        kind: parse_code(&r.text("kind")?, AlertKind::parse, "alert kind")?,
        issued_on: date(&r.text("issued_on")?)?,
        received_on: date(&r.text("received_on")?)?,
        deadline: r.opt_text("deadline")?.map(|d| date(&d)).transpose()?,
        summary: r.text("summary")?,
        logged: (r.text("logged_name")?, millis_to_ts(r.int("logged_at")?)?),
        acknowledged: with_name(r.opt_text("ack_name")?, r.opt_int("acknowledged_at")?)?,
        decision: match (r.opt_text("relevant")?, decided) {
            (Some(rel), Some((by, at))) => Some((
                rel == "yes",
                r.opt_text("rationale")?.unwrap_or_default(),
                by,
                at,
            )),
            _ => None,
        },
        owner: match (r.opt_uuid("owner_id")?, r.opt_text("owner_name")?) {
            (Some(id), Some(name)) => Some((UserId(id), name)),
            _ => None,
        },
        staff_told: match (r.opt_text("staff_told")?, r.opt_text("staff_told_on")?) {
            (Some(how), Some(on)) => Some((how, date(&on)?)),
            _ => None,
        },
        completed: match with_name(r.opt_text("completed_name")?, r.opt_int("completed_at")?)? {
            Some((by, at)) => Some((r.opt_text("evidence")?.unwrap_or_default(), by, at)),
            None => None,
        },
        signed_off: match with_name(r.opt_text("signed_name")?, r.opt_int("signed_off_at")?)? {
            Some((by, at)) => Some((by, at, r.opt_text("sign_off_note")?.unwrap_or_default())),
            None => None,
        },
        version: r.int("version")?,
        updated: (r.text("updated_name")?, millis_to_ts(r.int("updated_at")?)?),
    })
}

/// Logs an alert; returns its id.
pub async fn insert_alert(
    tx: &mut Tx,
    org: OrganisationId,
    a: &NewAlert,
    (by, now_ms): (UserId, i64),
) -> StoreResult<Uuid> {
    let id = Uuid::now_v7();
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into safety_alert (alert_id, organisation_id, reference, title, kind, issued_on, received_on, deadline, \
             summary, logged_by, logged_at, version, updated_by, updated_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1, $10, $11)",
        )
        .bind(id)
        .bind(org.0)
        .bind(&a.reference)
        .bind(&a.title)
        .bind(a.kind.code())
        .bind(a.issued_on.to_string())
        .bind(a.received_on.to_string())
        .bind(a.deadline.map(|d| d.to_string()))
        .bind(&a.summary)
        .bind(by.0)
        .bind(now_ms)
        .execute(&mut *c)
        .await?;
    });
    Ok(id)
}

/// One step recorded on an alert.
#[derive(Debug, Clone, PartialEq)]
pub enum Step<'a> {
    /// Acknowledged.
    Acknowledge,
    /// Relevant or not, why, and the owner when relevant.
    Decide(bool, &'a str, Option<UserId>),
    /// How staff were told, and on which day.
    StaffTold(&'a str, Date),
    /// Done, with the evidence.
    Complete(&'a str),
    /// Signed off, with a note.
    SignOff(&'a str),
}

/// Records a step at `version`; `false` when the alert has moved on.
pub async fn record_step(
    tx: &mut Tx,
    (id, version): (Uuid, i64),
    step: &Step<'_>,
    (by, now_ms): (UserId, i64),
) -> StoreResult<bool> {
    let (set, a, b): (&str, Option<String>, Option<String>) = match step {
        Step::Acknowledge => ("acknowledged_by = $1, acknowledged_at = $2", None, None),
        Step::Decide(relevant, why, _) => (
            "relevant = $5, rationale = $6, owner_id = $7, decided_by = $1, decided_at = $2",
            Some(if *relevant { "yes" } else { "no" }.to_owned()),
            Some((*why).to_owned()),
        ),
        Step::StaffTold(how, on) => (
            "staff_told = $5, staff_told_on = $6",
            Some((*how).to_owned()),
            Some(on.to_string()),
        ),
        Step::Complete(evidence) => (
            "evidence = $5, completed_by = $1, completed_at = $2",
            Some((*evidence).to_owned()),
            None,
        ),
        Step::SignOff(note) => (
            "sign_off_note = $5, signed_off_by = $1, signed_off_at = $2",
            Some((*note).to_owned()),
            None,
        ),
    };
    let owner = match step {
        Step::Decide(_, _, o) => o.map(|o| o.0),
        _ => None,
    };
    let sql = format!(
        "update safety_alert set {set}, version = version + 1, updated_by = $1, updated_at = $2 \
         where alert_id = $3 and version = $4"
    );
    let uses = |n: &str| set.contains(n);
    let n = on_tx!(tx, |c| {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(by.0)
            .bind(now_ms)
            .bind(id)
            .bind(version);
        if uses("$5") {
            q = q.bind(a.clone());
        }
        if uses("$6") {
            q = q.bind(b.clone());
        }
        if uses("$7") {
            q = q.bind(owner);
        }
        q.execute(&mut *c).await?.rows_affected()
    });
    Ok(n == 1)
}

/// Adds an action to an alert.
pub async fn insert_alert_action(
    tx: &mut Tx,
    alert: Uuid,
    (title, owner, due_on): (&str, UserId, Date),
    (by, now_ms): (UserId, i64),
) -> StoreResult<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into safety_alert_action (action_id, alert_id, title, owner_id, due_on, added_by, added_at) \
             values ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(Uuid::now_v7())
        .bind(alert)
        .bind(title)
        .bind(owner.0)
        .bind(due_on.to_string())
        .bind(by.0)
        .bind(now_ms)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

/// Marks an action done; `false` when it already was.
pub async fn mark_action_done(
    tx: &mut Tx,
    (alert, action): (Uuid, Uuid),
    (by, now_ms): (UserId, i64),
) -> StoreResult<bool> {
    let n = on_tx!(tx, |c| {
        sqlx::query(
            "update safety_alert_action set done_by = $1, done_at = $2 \
             where action_id = $3 and alert_id = $4 and done_at is null",
        )
        .bind(by.0)
        .bind(now_ms)
        .bind(action)
        .bind(alert)
        .execute(&mut *c)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

/// Claims one escalation of an overdue alert for one person; `false` when sent before.
pub async fn claim_escalation(
    tx: &mut Tx,
    alert: Uuid,
    (level, user): (u8, UserId),
    now_ms: i64,
) -> StoreResult<bool> {
    let n = on_tx!(tx, |c| {
        sqlx::query(
            "insert into safety_alert_escalation (alert_id, level, user_id, sent_at) values ($1, $2, $3, $4) \
             on conflict do nothing",
        )
        .bind(alert)
        .bind(i32::from(level))
        .bind(user.0)
        .bind(now_ms)
        .execute(&mut *c)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

impl Store {
    /// Every alert of `org`, newest received first (with `open_only`, only
    /// those neither signed off nor judged not relevant).
    pub async fn alerts(&self, org: OrganisationId, open_only: bool) -> StoreResult<Vec<Alert>> {
        let filter = if open_only {
            " and a.signed_off_at is null and (a.relevant is null or a.relevant = 'yes')"
        } else {
            ""
        };
        let sql = format!(
            "{SELECT} where a.organisation_id = $1{filter} order by a.received_on desc, a.logged_at desc"
        );
        on_read!(self, |p| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(org.0)
                .fetch_all(p)
                .await?;
            rows.iter().map(alert_from).collect()
        })
    }

    /// Every organisation's open alerts with a deadline before `today`.
    pub async fn overdue_alerts(&self, today: Date) -> StoreResult<Vec<Alert>> {
        let sql = format!(
            "{SELECT} where a.deadline is not null and a.deadline < $1 and a.completed_at is null \
             and a.signed_off_at is null and (a.relevant is null or a.relevant = 'yes') order by a.deadline"
        );
        on_read!(self, |p| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(today.to_string())
                .fetch_all(p)
                .await?;
            rows.iter().map(alert_from).collect()
        })
    }

    /// One alert of `org`.
    pub async fn alert(&self, org: OrganisationId, id: Uuid) -> StoreResult<Option<Alert>> {
        let sql = format!("{SELECT} where a.organisation_id = $1 and a.alert_id = $2");
        Ok(on_read!(self, |p| {
            match sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(org.0)
                .bind(id)
                .fetch_optional(p)
                .await?
            {
                Some(r) => Some(alert_from(&r)?),
                None => None,
            }
        }))
    }

    /// The actions of an alert, by due date.
    pub async fn alert_actions(&self, alert: Uuid) -> StoreResult<Vec<AlertAction>> {
        on_read!(self, |p| {
            let rows = sqlx::query(
                "select x.action_id, x.title, x.owner_id, o.display_name as owner_name, x.due_on, \
                 d.display_name as done_name, x.done_at from safety_alert_action x \
                 join app_user o on o.user_id = x.owner_id left join app_user d on d.user_id = x.done_by \
                 where x.alert_id = $1 order by x.due_on, x.added_at",
            )
            .bind(alert)
            .fetch_all(p)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(AlertAction {
                        action_id: r.uuid("action_id")?,
                        title: r.text("title")?,
                        owner: (UserId(r.uuid("owner_id")?), r.text("owner_name")?),
                        due_on: date(&r.text("due_on")?)?,
                        done: with_name(r.opt_text("done_name")?, r.opt_int("done_at")?)?,
                    })
                })
                .collect()
        })
    }
}
