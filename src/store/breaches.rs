//! Timescale breaches and their escalations, and the schedule slots that
//! make a scheduled run happen once across instances.

use super::{PortableRow, Store, StoreResult, Tx, millis_to_ts, on_read, on_tx, parse_code};
use candour_domain::escalation::{Level, Target};
use candour_domain::ids::{IncidentId, OrganisationId, ServiceId, UserId};
use candour_domain::incident::IncidentReference;
use jiff::Timestamp;
use uuid::Uuid;

/// An incident past a deadline with no breach recorded for it yet.
#[derive(Debug, Clone, PartialEq)]
pub struct Overdue {
    /// The incident.
    pub incident_id: IncidentId,
    /// Its organisation.
    pub organisation_id: OrganisationId,
    /// Which target.
    pub target: Target,
    /// The deadline that passed.
    pub due_at: Timestamp,
}

/// A breach still open (the incident has not moved past that stage).
#[derive(Debug, Clone, PartialEq)]
pub struct OpenBreach {
    /// Its id.
    pub breach_id: Uuid,
    /// The incident.
    pub incident_id: IncidentId,
    /// Its reference.
    pub reference: IncidentReference,
    /// Its organisation.
    pub organisation_id: OrganisationId,
    /// Its service.
    pub service_id: ServiceId,
    /// Which target.
    pub target: Target,
    /// The deadline that passed.
    pub due_at: Timestamp,
}

/// A breach as shown on an incident.
#[derive(Debug, Clone, PartialEq)]
pub struct BreachRecord {
    /// Its id.
    pub breach_id: Uuid,
    /// Which target.
    pub target: Target,
    /// The deadline that passed (the moment of the breach).
    pub due_at: Timestamp,
    /// The reason given, with who gave it.
    pub reason: Option<(String, String)>,
    /// Who was told, by level: (level, name).
    pub told: Vec<(Level, String)>,
}

/// Claims a scheduled run's slot; only the first instance to ask gets it.
pub async fn claim_slot(tx: &mut Tx, schedule: &str, slot: &str, now_ms: i64) -> StoreResult<bool> {
    let n = on_tx!(tx, |c| {
        sqlx::query(
            "insert into schedule_run (schedule, slot, claimed_at) values ($1, $2, $3) on conflict (schedule, slot) do nothing",
        )
        .bind(schedule)
        .bind(slot)
        .bind(now_ms)
        .execute(&mut *c)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

/// Records a breach (once per incident, target and deadline).
pub async fn insert_breach(tx: &mut Tx, o: &Overdue, now_ms: i64) -> StoreResult<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into timescale_breach (breach_id, incident_id, organisation_id, target, due_at, recorded_at) values ($1, $2, $3, $4, $5, $6) \
             on conflict (incident_id, target, due_at) do nothing",
        )
        .bind(Uuid::now_v7())
        .bind(o.incident_id.0)
        .bind(o.organisation_id.0)
        .bind(o.target.code())
        .bind(o.due_at.as_millisecond())
        .bind(now_ms)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

/// Records that `user` was told of a breach at `level`; false if they already were.
pub async fn insert_escalation(
    tx: &mut Tx,
    breach: Uuid,
    level: Level,
    user: UserId,
    now_ms: i64,
) -> StoreResult<bool> {
    let n = on_tx!(tx, |c| {
        sqlx::query(
            "insert into breach_escalation (breach_id, level, user_id, notified_at) values ($1, $2, $3, $4) \
             on conflict (breach_id, level, user_id) do nothing",
        )
        .bind(breach)
        .bind(level.code())
        .bind(user.0)
        .bind(now_ms)
        .execute(&mut *c)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

/// Records why a deadline was missed.
pub async fn set_breach_reason(
    tx: &mut Tx,
    org: OrganisationId,
    breach: Uuid,
    reason: &str,
    by: UserId,
    now_ms: i64,
) -> StoreResult<bool> {
    let n = on_tx!(tx, |c| {
        sqlx::query(
            "update timescale_breach set reason = $1, reason_by = $2, reason_at = $3 where breach_id = $4 and organisation_id = $5",
        )
        .bind(reason)
        .bind(by.0)
        .bind(now_ms)
        .bind(breach)
        .bind(org.0)
        .execute(&mut *c)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

/// The statuses in which a review is still to be finished; migration
/// 0044's partial index repeats them word for word, and the queries must too.
const REVIEWING: &str = "('triaged', 'under_review', 'under_investigation')";

impl Store {
    /// Whether a scheduled run's slot has been claimed already.
    pub async fn slot_taken(&self, schedule: &str, slot: &str) -> StoreResult<bool> {
        let n: i64 = on_read!(self, |p| {
            sqlx::query_scalar(
                "select count(*) from schedule_run where schedule = $1 and slot = $2",
            )
            .bind(schedule)
            .bind(slot)
            .fetch_one(p)
            .await?
        });
        Ok(n > 0)
    }

    /// Incidents past a deadline with no breach recorded for it, in every organisation.
    pub async fn overdue_without_breach(&self, now: Timestamp) -> StoreResult<Vec<Overdue>> {
        let sql = format!(
            "select incident_id, organisation_id, 'triage' as target, triage_due_at as due_at from incident i \
             where status = 'reported' and triage_due_at < $1 and not exists (select 1 from timescale_breach b \
               where b.incident_id = i.incident_id and b.target = 'triage' and b.due_at = i.triage_due_at) \
             union all \
             select incident_id, organisation_id, 'review' as target, review_due_at as due_at from incident i \
             where status in {REVIEWING} and review_due_at < $1 and not exists (select 1 from timescale_breach b \
               where b.incident_id = i.incident_id and b.target = 'review' and b.due_at = i.review_due_at)"
        );
        on_read!(self, |p| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(now.as_millisecond())
                .fetch_all(p)
                .await?;
            rows.iter()
                .map(|r| {
                    Ok(Overdue {
                        incident_id: IncidentId(r.uuid("incident_id")?),
                        organisation_id: OrganisationId(r.uuid("organisation_id")?),
                        target: parse_code(&r.text("target")?, Target::parse, "target")?,
                        due_at: millis_to_ts(r.int("due_at")?)?,
                    })
                })
                .collect()
        })
    }

    /// Breaches whose incident is still at the stage that was late.
    pub async fn open_breaches(&self) -> StoreResult<Vec<OpenBreach>> {
        // Read from the open reports (each stage through its partial
        // index, migrations 0039 and 0044), not from every breach ever
        // recorded: 3.8 s a minute against 60 ms on 2,000,000 incidents.
        // `cross join` keeps SQLite to that order even before the nightly
        // statistics know the new index (PostgreSQL plans it freely).
        let columns = "b.breach_id, b.incident_id, i.reference_number, b.organisation_id, i.service_id, b.target, b.due_at";
        let sql = format!(
            "select {columns} from incident i cross join timescale_breach b \
             where b.incident_id = i.incident_id and b.target = 'triage' and i.status = 'reported' \
             union all \
             select {columns} from incident i cross join timescale_breach b \
             where b.incident_id = i.incident_id and b.target = 'review' and i.status in {REVIEWING} \
             order by due_at"
        );
        on_read!(self, |p| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .fetch_all(p)
                .await?;
            rows.iter()
                .map(|r| {
                    Ok(OpenBreach {
                        breach_id: r.uuid("breach_id")?,
                        incident_id: IncidentId(r.uuid("incident_id")?),
                        reference: IncidentReference(r.int("reference_number")?),
                        organisation_id: OrganisationId(r.uuid("organisation_id")?),
                        service_id: ServiceId(r.uuid("service_id")?),
                        target: parse_code(&r.text("target")?, Target::parse, "target")?,
                        due_at: millis_to_ts(r.int("due_at")?)?,
                    })
                })
                .collect()
        })
    }

    /// An incident's breaches, oldest first, with reasons and who was told.
    pub async fn breaches(&self, incident: IncidentId) -> StoreResult<Vec<BreachRecord>> {
        let rows = on_read!(self, |p| {
            sqlx::query(
                "select b.breach_id, b.target, b.due_at, b.reason, u.display_name as reason_by_name \
                 from timescale_breach b left join app_user u on u.user_id = b.reason_by \
                 where b.incident_id = $1 order by b.due_at, b.breach_id",
            )
            .bind(incident.0)
            .fetch_all(p)
            .await?
            .iter()
            .map(|r| {
                Ok(BreachRecord {
                    breach_id: r.uuid("breach_id")?,
                    target: parse_code(&r.text("target")?, Target::parse, "target")?,
                    due_at: millis_to_ts(r.int("due_at")?)?,
                    reason: match (r.opt_text("reason")?, r.opt_text("reason_by_name")?) {
                        (Some(reason), Some(by)) => Some((reason, by)),
                        _ => None,
                    },
                    told: Vec::new(),
                })
            })
            .collect::<StoreResult<Vec<_>>>()?
        });
        let mut out = rows;
        for b in &mut out {
            let told: Vec<(String, String)> = on_read!(self, |p| {
                sqlx::query_as(
                    "select e.level, u.display_name from breach_escalation e join app_user u on u.user_id = e.user_id \
                     where e.breach_id = $1 order by e.notified_at, u.display_name",
                )
                .bind(b.breach_id)
                .fetch_all(p)
                .await?
            });
            b.told = told
                .into_iter()
                .map(|(l, n)| Ok((parse_code(&l, Level::parse, "level")?, n)))
                .collect::<StoreResult<Vec<_>>>()?;
        }
        Ok(out)
    }
}

/// Forgets the minute-by-minute sweep's claimed slots older than `before_ms`
/// (daily and monthly slots are kept: they say what was sent).
pub async fn forget_slots_before(tx: &mut Tx, before_ms: i64) -> StoreResult<()> {
    on_tx!(tx, |c| {
        sqlx::query("delete from schedule_run where schedule = 'breach_sweep' and claimed_at < $1")
            .bind(before_ms)
            .execute(&mut *c)
            .await?;
    });
    Ok(())
}
