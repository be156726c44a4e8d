//! The facts reviewers record about an incident for its statutory duties.

use super::{PortableRow, Store, StoreResult, Tx, on_read, on_tx};
use candour_domain::duties::Assessment;
use candour_domain::ids::{IncidentId, OrganisationId, UserId};

impl Store {
    /// An incident's assessment and its version (0 and empty when none is recorded).
    pub async fn assessment(&self, incident: IncidentId) -> StoreResult<(Assessment, i64)> {
        let row = on_read!(self, |p| {
            let row = sqlx::query(
                "select facts, version from incident_assessment where incident_id = $1",
            )
            .bind(incident.0)
            .fetch_optional(p)
            .await?;
            match row {
                Some(r) => Some((r.text("facts")?, r.int("version")?)),
                None => None,
            }
        });
        Ok(match row {
            Some((facts, version)) => (
                serde_json::from_str(&facts).map_err(|e| {
                    super::StoreError::Corrupt(format!("assessment of {incident}: {e}"))
                })?,
                version,
            ),
            None => (Assessment::default(), 0),
        })
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
