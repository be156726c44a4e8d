//! Destroying an incident record at the end of its retention period: every
//! row that belongs to it goes in one transaction (foreign keys refuse a
//! row forgotten here, so nothing is half-destroyed). The improvement
//! actions it led to stay with their service's plan; only the link goes.

use super::{PortableRow, Store, StoreResult, Tx, on_read, on_tx};
use candour_domain::ids::{IncidentId, OrganisationId};
use candour_domain::incident::IncidentReference;

/// A closed incident that may have reached the end of its retention.
#[derive(Debug, Clone, PartialEq)]
pub struct RetentionCandidate {
    /// Its id.
    pub incident_id: IncidentId,
    /// Its reference.
    pub reference: IncidentReference,
    /// When it happened.
    pub occurred_at: jiff::Timestamp,
    /// When it was closed.
    pub closed_at: jiff::Timestamp,
    /// It had a serious incident investigation.
    pub serious: bool,
    /// A RIDDOR report was recorded as made.
    pub riddor_reported: bool,
    /// Why it is on legal hold, if it is.
    pub hold: Option<String>,
}

impl Store {
    /// Incidents of `org` closed before `closed_before_ms`, oldest first.
    pub async fn retention_candidates(
        &self,
        org: OrganisationId,
        closed_before_ms: i64,
    ) -> StoreResult<Vec<RetentionCandidate>> {
        on_read!(self, |p| {
            let rows = sqlx::query(
                "select i.incident_id, i.reference_number, i.occurred_at, i.closed_at, \
                 (select count(*) from investigation v where v.incident_id = i.incident_id) as investigations, \
                 (select count(*) from duty_step s where s.incident_id = i.incident_id and s.duty = 'riddor_report' and s.kind = 'submitted') as riddor, \
                 (select h.reason from legal_hold h where h.incident_id = i.incident_id) as hold \
                 from incident i where i.organisation_id = $1 and i.closed_at is not null and i.closed_at < $2 \
                 order by i.closed_at, i.reference_number",
            )
            .bind(org.0)
            .bind(closed_before_ms)
            .fetch_all(p)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(RetentionCandidate {
                        incident_id: IncidentId(r.uuid("incident_id")?),
                        reference: IncidentReference(r.int("reference_number")?),
                        occurred_at: super::millis_to_ts(r.int("occurred_at")?)?,
                        closed_at: super::millis_to_ts(r.int("closed_at")?)?,
                        serious: r.int("investigations")? > 0,
                        riddor_reported: r.int("riddor")? > 0,
                        hold: r.opt_text("hold")?,
                    })
                })
                .collect()
        })
    }
}

/// Places a legal hold on an incident (or changes its reason).
pub async fn put_legal_hold(
    tx: &mut Tx,
    (org, id): (OrganisationId, IncidentId),
    reason: &str,
    by: &str,
    now_ms: i64,
) -> StoreResult<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into legal_hold (incident_id, organisation_id, reason, placed_by, placed_at) values ($1, $2, $3, $4, $5) \
             on conflict (incident_id) do update set reason = excluded.reason, placed_by = excluded.placed_by, placed_at = excluded.placed_at",
        )
        .bind(id.0)
        .bind(org.0)
        .bind(reason)
        .bind(by)
        .bind(now_ms)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

/// Releases a legal hold; the reason it had, if there was one.
pub async fn release_legal_hold(tx: &mut Tx, id: IncidentId) -> StoreResult<Option<String>> {
    let reason: Option<(String,)> = on_tx!(tx, |c| {
        sqlx::query_as("delete from legal_hold where incident_id = $1 returning reason")
            .bind(id.0)
            .fetch_optional(&mut *c)
            .await?
    });
    Ok(reason.map(|r| r.0))
}

/// Every statement that removes a part of an incident's record, children
/// first; `$1` is the incident. `legal_hold` is deliberately absent: its
/// foreign key refuses the destruction of a held incident.
const DESTROY: &[&str] = &[
    "delete from investigation_meeting where investigation_id in (select investigation_id from investigation where incident_id = $1)",
    "delete from investigation_event where investigation_id in (select investigation_id from investigation where incident_id = $1)",
    "delete from investigation_factor where investigation_id in (select investigation_id from investigation where incident_id = $1)",
    "delete from action_investigation where investigation_id in (select investigation_id from investigation where incident_id = $1)",
    "delete from notification where incident_id = $1",
    "delete from reflective_practice where incident_id = $1",
    "delete from review_involvement where incident_id = $1",
    "delete from investigation where incident_id = $1",
    "delete from breach_escalation where breach_id in (select breach_id from timescale_breach where incident_id = $1)",
    "delete from timescale_breach where incident_id = $1",
    "delete from duty_alert where incident_id = $1",
    "delete from duty_draft where incident_id = $1",
    "delete from duty_step where incident_id = $1",
    "delete from duty_decision where incident_id = $1",
    "delete from incident_assessment where incident_id = $1",
    "delete from duty_state where incident_id = $1",
    "delete from openness_record where incident_id = $1",
    "delete from action_incident where incident_id = $1",
    "delete from incident_sign_off where incident_id = $1",
    "delete from incident_transition where incident_id = $1",
    "delete from incident_grading where incident_id = $1",
    "delete from incident_feedback where incident_id = $1",
    "delete from incident_staff where incident_id = $1",
    "delete from attachment where incident_id = $1",
    "delete from case_message where incident_id = $1",
    "delete from anonymous_case where incident_id = $1",
    "delete from incident_addendum where incident_id = $1",
    "delete from incident_person where incident_id = $1",
    "delete from idempotency_key where incident_id = $1",
];

/// Removes every row of one incident's record, then the incident.
/// The investigations of an incident, destroyed with it.
pub async fn investigations_of(tx: &mut Tx, id: IncidentId) -> StoreResult<Vec<uuid::Uuid>> {
    on_tx!(tx, |c| {
        Ok(
            sqlx::query_scalar("select investigation_id from investigation where incident_id = $1")
                .bind(id.0)
                .fetch_all(&mut *c)
                .await?,
        )
    })
}

pub async fn destroy_incident(tx: &mut Tx, org: OrganisationId, id: IncidentId) -> StoreResult<()> {
    let sqlite = matches!(tx, Tx::Sqlite(..));
    on_tx!(tx, |c| {
        for sql in DESTROY {
            sqlx::query(sqlx::AssertSqlSafe(*sql))
                .bind(id.0)
                .execute(&mut *c)
                .await?;
        }
        if sqlite {
            // Its text by rowid (migration 0042), not a read of every row.
            sqlx::query(
                "delete from incident_search where rowid = (select rowid from incident where incident_id = $1)",
            )
                .bind(id.0)
                .execute(&mut *c)
                .await?;
        }
        sqlx::query("delete from incident where incident_id = $1 and organisation_id = $2")
            .bind(id.0)
            .bind(org.0)
            .execute(&mut *c)
            .await?;
    });
    Ok(())
}

/// Every table whose rows carry an `incident_id` (checked after destruction).
const INCIDENT_TABLES: &[&str] = &[
    "notification",
    "investigation",
    "timescale_breach",
    "duty_alert",
    "duty_draft",
    "duty_step",
    "duty_decision",
    "incident_assessment",
    "openness_record",
    "action_incident",
    "incident_sign_off",
    "incident_transition",
    "incident_grading",
    "incident_feedback",
    "incident_staff",
    "attachment",
    "case_message",
    "anonymous_case",
    "incident_addendum",
    "incident_person",
    "idempotency_key",
    "legal_hold",
];

impl Store {
    /// How many rows of `table` (one of the incident's own tables) belong to `id`.
    pub async fn count_rows_for_incident(&self, table: &str, id: IncidentId) -> StoreResult<i64> {
        if !INCIDENT_TABLES.contains(&table) {
            return Err(super::StoreError::Corrupt(format!(
                "{table} is not an incident table"
            )));
        }
        let sql = format!("select count(*) as n from {table} where incident_id = $1");
        let n = on_read!(self, |p| {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(id.0)
                .fetch_one(p)
                .await?;
            row.int("n")?
        });
        Ok(n)
    }

    /// Rows anywhere that name an incident no longer there (0 after a
    /// correct destruction; the check behind the retention tests).
    pub async fn rows_without_incident(&self) -> StoreResult<i64> {
        let mut total = 0;
        for table in INCIDENT_TABLES {
            let sql = format!(
                "select count(*) as n from {table} t where t.incident_id is not null \
                 and not exists (select 1 from incident i where i.incident_id = t.incident_id)"
            );
            total += on_read!(self, |p| {
                let row = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                    .fetch_one(p)
                    .await?;
                row.int("n")?
            });
        }
        Ok(total)
    }
}
