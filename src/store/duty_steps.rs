//! The evidence that a statutory duty was done (steps, only ever added) and
//! a manager's versioned draft of a duty's content.

use super::{PortableRow, Store, StoreError, StoreResult, Tx, on_read, on_tx};
use candour_domain::duties::Duty;
use candour_domain::duty_tasks::{CqcAnswers, Step};
use candour_domain::ids::{IncidentId, OrganisationId, UserId};
use jiff::Timestamp;
use std::collections::HashMap;

/// A step as read back.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedStep {
    /// The duty it belongs to.
    pub duty: Duty,
    /// What was done.
    pub step: Step,
    /// Who recorded it, by name.
    pub recorded_by: String,
    /// When it was recorded.
    pub recorded_at: Timestamp,
}

/// Adds a step.
pub async fn insert_duty_step(
    tx: &mut Tx,
    (org, incident): (OrganisationId, IncidentId),
    duty: Duty,
    step: &Step,
    (by, now_ms): (UserId, i64),
) -> StoreResult<()> {
    let json =
        serde_json::to_string(step).map_err(|e| StoreError::Corrupt(format!("step: {e}")))?;
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into duty_step (step_id, incident_id, organisation_id, duty, kind, occurred_at, details, recorded_by, recorded_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(uuid::Uuid::now_v7())
        .bind(incident.0)
        .bind(org.0)
        .bind(duty.code())
        .bind(step.kind().code())
        .bind(step.at().as_millisecond())
        .bind(&json)
        .bind(by.0)
        .bind(now_ms)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

/// Stores a draft if it is still at `version` (0: none yet); false when
/// someone changed it first.
pub async fn save_duty_draft(
    tx: &mut Tx,
    (org, incident): (OrganisationId, IncidentId),
    duty: Duty,
    body: &CqcAnswers,
    version: i64,
    (by, now_ms): (UserId, i64),
) -> StoreResult<bool> {
    let json =
        serde_json::to_string(body).map_err(|e| StoreError::Corrupt(format!("draft: {e}")))?;
    let n = on_tx!(tx, |c| {
        if version == 0 {
            sqlx::query(
                "insert into duty_draft (incident_id, duty, organisation_id, body, version, updated_by, updated_at) \
                 values ($1, $2, $3, $4, 1, $5, $6) on conflict (incident_id, duty) do nothing",
            )
            .bind(incident.0)
            .bind(duty.code())
            .bind(org.0)
            .bind(&json)
            .bind(by.0)
            .bind(now_ms)
            .execute(&mut *c)
            .await?
            .rows_affected()
        } else {
            sqlx::query(
                "update duty_draft set body = $1, version = version + 1, updated_by = $2, updated_at = $3 \
                 where incident_id = $4 and duty = $5 and version = $6",
            )
            .bind(&json)
            .bind(by.0)
            .bind(now_ms)
            .bind(incident.0)
            .bind(duty.code())
            .bind(version)
            .execute(&mut *c)
            .await?
            .rows_affected()
        }
    });
    Ok(n == 1)
}

/// A versioned draft as read back.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DutyDraft {
    /// The answers.
    pub answers: CqcAnswers,
    /// Its version (0: nothing saved yet).
    pub version: i64,
    /// Who saved it last, and when.
    pub saved: Option<(String, Timestamp)>,
}

/// Records that `user` was sent `alert` about a duty with this deadline;
/// false when they already were.
pub async fn insert_duty_alert(
    tx: &mut Tx,
    (org, incident): (OrganisationId, IncidentId),
    (duty, due_at, alert): (Duty, Timestamp, &str),
    user: UserId,
    now_ms: i64,
) -> StoreResult<bool> {
    let n = on_tx!(tx, |c| {
        sqlx::query(
            "insert into duty_alert (incident_id, duty, due_at, alert, user_id, organisation_id, sent_at) \
             values ($1, $2, $3, $4, $5, $6, $7) on conflict do nothing",
        )
        .bind(incident.0)
        .bind(duty.code())
        .bind(due_at.as_millisecond())
        .bind(alert)
        .bind(user.0)
        .bind(org.0)
        .bind(now_ms)
        .execute(&mut *c)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

/// Marks incidents' duties settled, each only if nothing they are decided
/// from has changed since `generation` was read (a change bumps it).
/// Returns how many were marked.
pub async fn settle_duties(tx: &mut Tx, settled: &[(IncidentId, i64)]) -> StoreResult<u64> {
    let mut n = 0;
    on_tx!(tx, |c| {
        for (id, generation) in settled {
            n += sqlx::query(
                "update duty_state set settled = 1 where incident_id = $1 and generation = $2",
            )
            .bind(id.0)
            .bind(*generation)
            .execute(&mut *c)
            .await?
            .rows_affected();
        }
    });
    Ok(n)
}

impl Store {
    /// The incidents of `org` reported in `[since_ms, until_ms)` whose
    /// duties have facts or a manager's decision recorded (the only ones
    /// with duties to do), by report time.
    pub async fn incidents_with_duties(
        &self,
        org: OrganisationId,
        (since_ms, until_ms): (i64, i64),
    ) -> StoreResult<Vec<IncidentId>> {
        Ok(self
            .duty_states(org, (since_ms, until_ms), false)
            .await?
            .into_iter()
            .map(|(id, _)| id)
            .collect())
    }

    /// Those of [`Store::incidents_with_duties`] not known to be settled
    /// (every duty required in force done), each with the generation of
    /// what its duties are decided from, for [`settle_duties`].
    pub async fn unsettled_duties(
        &self,
        org: OrganisationId,
        (since_ms, until_ms): (i64, i64),
    ) -> StoreResult<Vec<(IncidentId, i64)>> {
        self.duty_states(org, (since_ms, until_ms), true).await
    }

    async fn duty_states(
        &self,
        org: OrganisationId,
        (since_ms, until_ms): (i64, i64),
        unsettled: bool,
    ) -> StoreResult<Vec<(IncidentId, i64)>> {
        // The condition is written out for the partial index to be used.
        let sql = format!(
            "select incident_id, generation from duty_state where organisation_id = $1 \
             and reported_at >= $2 and reported_at < $3{} order by reported_at",
            if unsettled { " and settled = 0" } else { "" }
        );
        on_read!(self, |p| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(org.0)
                .bind(since_ms)
                .bind(until_ms)
                .fetch_all(p)
                .await?;
            rows.iter()
                .map(|r| Ok((IncidentId(r.uuid("incident_id")?), r.int("generation")?)))
                .collect::<StoreResult<Vec<_>>>()
        })
    }

    /// Every step recorded for an incident's duties, oldest first.
    pub async fn duty_steps(&self, incident: IncidentId) -> StoreResult<Vec<RecordedStep>> {
        Ok(self
            .duty_steps_of(&[incident])
            .await?
            .remove(&incident)
            .unwrap_or_default())
    }

    /// The steps of many incidents' duties, each incident's oldest first.
    pub async fn duty_steps_of(
        &self,
        ids: &[IncidentId],
    ) -> StoreResult<HashMap<IncidentId, Vec<RecordedStep>>> {
        let rows = self
            .rows_of_incidents(
                "select s.incident_id, s.duty, s.details, u.display_name, s.recorded_at from duty_step s \
                 join app_user u on u.user_id = s.recorded_by \
                 where s.incident_id in ({ids}) order by s.occurred_at, s.recorded_at, s.step_id",
                None,
                ids,
                |r| {
                    Ok((
                        IncidentId(r.uuid("incident_id")?),
                        r.text("duty")?,
                        r.text("details")?,
                        r.text("display_name")?,
                        r.int("recorded_at")?,
                    ))
                },
            )
            .await?;
        let mut out: HashMap<IncidentId, Vec<RecordedStep>> = HashMap::new();
        for (incident, duty, details, by, at) in rows {
            out.entry(incident).or_default().push(RecordedStep {
                duty: super::parse_code(&duty, Duty::parse, "duty")?,
                step: serde_json::from_str(&details)
                    .map_err(|e| StoreError::Corrupt(format!("step of {incident}: {e}")))?,
                recorded_by: by,
                recorded_at: super::millis_to_ts(at)?,
            });
        }
        Ok(out)
    }

    /// The draft of one duty's content.
    pub async fn duty_draft(&self, incident: IncidentId, duty: Duty) -> StoreResult<DutyDraft> {
        let row = on_read!(self, |p| {
            let row = sqlx::query(
                "select d.body, d.version, u.display_name, d.updated_at from duty_draft d \
                 join app_user u on u.user_id = d.updated_by \
                 where d.incident_id = $1 and d.duty = $2",
            )
            .bind(incident.0)
            .bind(duty.code())
            .fetch_optional(p)
            .await?;
            match row {
                Some(r) => Some((
                    r.text("body")?,
                    r.int("version")?,
                    r.text("display_name")?,
                    r.int("updated_at")?,
                )),
                None => None,
            }
        });
        match row {
            None => Ok(DutyDraft::default()),
            Some((body, version, by, at)) => Ok(DutyDraft {
                answers: serde_json::from_str(&body)
                    .map_err(|e| StoreError::Corrupt(format!("draft of {incident}: {e}")))?,
                version,
                saved: Some((by, super::millis_to_ts(at)?)),
            }),
        }
    }

    /// Who last changed an incident's assessment, and when.
    pub async fn assessment_changed_by(
        &self,
        incident: IncidentId,
    ) -> StoreResult<Option<(String, Timestamp)>> {
        let row = on_read!(self, |p| {
            let row = sqlx::query(
                "select u.display_name, a.updated_at from incident_assessment a \
                 join app_user u on u.user_id = a.updated_by where a.incident_id = $1",
            )
            .bind(incident.0)
            .fetch_optional(p)
            .await?;
            match row {
                Some(r) => Some((r.text("display_name")?, r.int("updated_at")?)),
                None => None,
            }
        });
        row.map(|(by, at)| Ok((by, super::millis_to_ts(at)?)))
            .transpose()
    }
}
