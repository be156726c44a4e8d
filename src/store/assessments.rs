//! The facts reviewers record about an incident for its statutory duties.

use super::{Store, StoreResult, Tx, on_tx};
use candour_domain::duties::Assessment;
use candour_domain::ids::{IncidentId, OrganisationId, UserId};
use std::collections::HashMap;

impl Store {
    /// An incident's assessment and its version (0 and empty when none is recorded).
    pub async fn assessment(&self, incident: IncidentId) -> StoreResult<(Assessment, i64)> {
        Ok(self
            .assessments_of(&[incident])
            .await?
            .remove(&incident)
            .unwrap_or_default())
    }

    /// The assessments and versions of many incidents (those without one
    /// are left out).
    pub async fn assessments_of(
        &self,
        ids: &[IncidentId],
    ) -> StoreResult<HashMap<IncidentId, (Assessment, i64)>> {
        let rows = self
            .rows_of_incidents(
                "select incident_id, facts, version from incident_assessment where incident_id in ({ids})",
                None,
                ids,
                |r| {
                    Ok((
                        IncidentId(r.uuid("incident_id")?),
                        r.text("facts")?,
                        r.int("version")?,
                    ))
                },
            )
            .await?;
        let mut out = HashMap::with_capacity(rows.len());
        for (incident, facts, version) in rows {
            let facts: Assessment = serde_json::from_str(&facts).map_err(|e| {
                super::StoreError::Corrupt(format!("assessment of {incident}: {e}"))
            })?;
            out.insert(incident, (facts, version));
        }
        Ok(out)
    }
}

/// Stores `facts` if the assessment is still at `version` (0: none yet).
/// Returns false when someone changed it first.
pub async fn save_assessment(
    tx: &mut Tx,
    (org, incident): (OrganisationId, IncidentId),
    facts: &Assessment,
    version: i64,
    (by, now_ms): (UserId, i64),
) -> StoreResult<bool> {
    let json = serde_json::to_string(facts)
        .map_err(|e| super::StoreError::Corrupt(format!("assessment: {e}")))?;
    let n = on_tx!(tx, |c| {
        if version == 0 {
            sqlx::query(
                "insert into incident_assessment (incident_id, organisation_id, facts, version, updated_by, updated_at) \
                 values ($1, $2, $3, 1, $4, $5) on conflict (incident_id) do nothing",
            )
            .bind(incident.0)
            .bind(org.0)
            .bind(&json)
            .bind(by.0)
            .bind(now_ms)
            .execute(&mut *c)
            .await?
            .rows_affected()
        } else {
            sqlx::query(
                "update incident_assessment set facts = $1, version = version + 1, updated_by = $2, updated_at = $3 \
                 where incident_id = $4 and version = $5",
            )
            .bind(&json)
            .bind(by.0)
            .bind(now_ms)
            .bind(incident.0)
            .bind(version)
            .execute(&mut *c)
            .await?
            .rows_affected()
        }
    });
    Ok(n == 1)
}

/// A manager's decision on a duty, as read back.
#[derive(Debug, Clone, PartialEq)]
pub struct ManagerDecision {
    /// Which duty.
    pub duty: candour_domain::duties::Duty,
    /// What they decided.
    pub verdict: candour_domain::duties::Verdict,
    /// What Candour had decided at the time.
    pub engine_verdict: candour_domain::duties::Verdict,
    /// Why.
    pub rationale: String,
    /// Who, by name.
    pub by: String,
    /// When.
    pub at: jiff::Timestamp,
}

/// Records a manager's decision on a duty.
pub async fn insert_duty_decision(
    tx: &mut Tx,
    (org, incident): (OrganisationId, IncidentId),
    d: (
        candour_domain::duties::Duty,
        candour_domain::duties::Verdict,
        candour_domain::duties::Verdict,
    ),
    rationale: &str,
    (by, now_ms): (UserId, i64),
) -> StoreResult<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into duty_decision (decision_id, incident_id, organisation_id, duty, verdict, engine_verdict, rationale, decided_by, decided_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(uuid::Uuid::now_v7())
        .bind(incident.0)
        .bind(org.0)
        .bind(d.0.code())
        .bind(d.1.code())
        .bind(d.2.code())
        .bind(rationale)
        .bind(by.0)
        .bind(now_ms)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

impl Store {
    /// The managers' decisions in force on an incident's duties: the latest per duty.
    pub async fn duty_decisions(&self, incident: IncidentId) -> StoreResult<Vec<ManagerDecision>> {
        Ok(self
            .duty_decisions_of(&[incident])
            .await?
            .remove(&incident)
            .unwrap_or_default())
    }

    /// The latest manager's decision on each duty, for many incidents.
    pub async fn duty_decisions_of(
        &self,
        ids: &[IncidentId],
    ) -> StoreResult<HashMap<IncidentId, Vec<ManagerDecision>>> {
        use candour_domain::duties::{Duty, Verdict};
        let rows = self
            .rows_of_incidents(
                "select d.incident_id, d.duty, d.verdict, d.engine_verdict, d.rationale, u.display_name, d.decided_at \
                 from duty_decision d join app_user u on u.user_id = d.decided_by \
                 where d.incident_id in ({ids}) order by d.decided_at, d.decision_id",
                None,
                ids,
                |r| {
                    Ok((
                        IncidentId(r.uuid("incident_id")?),
                        ManagerDecision {
                            duty: super::parse_code(&r.text("duty")?, Duty::parse, "duty")?,
                            verdict: super::parse_code(&r.text("verdict")?, Verdict::parse, "verdict")?,
                            engine_verdict: super::parse_code(
                                &r.text("engine_verdict")?,
                                Verdict::parse,
                                "verdict",
                            )?,
                            rationale: r.text("rationale")?,
                            by: r.text("display_name")?,
                            at: super::millis_to_ts(r.int("decided_at")?)?,
                        },
                    ))
                },
            )
            .await?;
        let mut out: HashMap<IncidentId, Vec<ManagerDecision>> = HashMap::new();
        for (incident, d) in rows {
            let latest = out.entry(incident).or_default();
            latest.retain(|x| x.duty != d.duty);
            latest.push(d);
        }
        Ok(out)
    }
}
