//! The workflow's records: status moves with their notes, and managers'
//! sign-offs with their recommendations.

use super::{PortableRow, Store, StoreResult, Tx, millis_to_ts, on_read, on_tx, parse_code};
use candour_domain::ids::{IncidentId, OrganisationId, UserId};
use candour_domain::incident::IncidentStatus;
use jiff::Timestamp;

/// Records a status move with its note.
pub async fn insert_transition(
    tx: &mut Tx,
    org: OrganisationId,
    incident: IncidentId,
    (from, to): (IncidentStatus, IncidentStatus),
    note: &str,
    actor: UserId,
    at: Timestamp,
) -> StoreResult<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into incident_transition (transition_id, incident_id, organisation_id, from_status, to_status, note, actor_id, moved_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(uuid::Uuid::now_v7())
        .bind(incident.0)
        .bind(org.0)
        .bind(from.code())
        .bind(to.code())
        .bind(note)
        .bind(actor.0)
        .bind(at.as_millisecond())
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

/// Moves an incident to `to` if it is still at `version` (and sets or
/// clears its closing time); returns whether it was.
pub async fn move_status(
    tx: &mut Tx,
    incident: IncidentId,
    to: IncidentStatus,
    version: i64,
    now: Timestamp,
) -> StoreResult<bool> {
    let closed_at = (to == IncidentStatus::Closed).then(|| now.as_millisecond());
    let n = on_tx!(tx, |c| {
        sqlx::query(
            "update incident set status = $1, closed_at = $2, version = version + 1, updated_at = $3 \
             where incident_id = $4 and version = $5",
        )
        .bind(to.code())
        .bind(closed_at)
        .bind(now.as_millisecond())
        .bind(incident.0)
        .bind(version)
        .execute(&mut *c)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

/// Records a manager's sign-off with their recommendations.
pub async fn insert_sign_off(
    tx: &mut Tx,
    org: OrganisationId,
    incident: IncidentId,
    (note, recommendations): (&str, &str),
    by: UserId,
    at: Timestamp,
) -> StoreResult<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into incident_sign_off (sign_off_id, incident_id, organisation_id, note, recommendations, signed_by, signed_at) \
             values ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(uuid::Uuid::now_v7())
        .bind(incident.0)
        .bind(org.0)
        .bind(note)
        .bind(recommendations)
        .bind(by.0)
        .bind(at.as_millisecond())
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

/// A status move as read back, with who made it.
#[derive(Debug, Clone, PartialEq)]
pub struct TransitionRecord {
    /// From.
    pub from: IncidentStatus,
    /// To.
    pub to: IncidentStatus,
    /// The note given.
    pub note: String,
    /// Who.
    pub actor_name: String,
    /// When.
    pub at: Timestamp,
}

/// A sign-off as read back.
#[derive(Debug, Clone, PartialEq)]
pub struct SignOffRecord {
    /// What was decided and why.
    pub note: String,
    /// How to prevent it happening again.
    pub recommendations: String,
    /// Who signed it off.
    pub signed_by_name: String,
    /// When.
    pub signed_at: Timestamp,
}

impl Store {
    /// Every status move of an incident, oldest first.
    pub async fn transitions(&self, incident: IncidentId) -> StoreResult<Vec<TransitionRecord>> {
        on_read!(self, |p| {
            let rows = sqlx::query(
                "select t.from_status, t.to_status, t.note, u.display_name, t.moved_at from incident_transition t \
                 join app_user u on u.user_id = t.actor_id where t.incident_id = $1 order by t.moved_at, t.transition_id",
            )
            .bind(incident.0)
            .fetch_all(p)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(TransitionRecord {
                        from: parse_code(&r.text("from_status")?, IncidentStatus::parse, "status")?,
                        to: parse_code(&r.text("to_status")?, IncidentStatus::parse, "status")?,
                        note: r.text("note")?,
                        actor_name: r.text("display_name")?,
                        at: millis_to_ts(r.int("moved_at")?)?,
                    })
                })
                .collect()
        })
    }

    /// Every sign-off of an incident, oldest first.
    pub async fn sign_offs(&self, incident: IncidentId) -> StoreResult<Vec<SignOffRecord>> {
        on_read!(self, |p| {
            let rows = sqlx::query(
                "select s.note, s.recommendations, u.display_name, s.signed_at from incident_sign_off s \
                 join app_user u on u.user_id = s.signed_by where s.incident_id = $1 order by s.signed_at, s.sign_off_id",
            )
            .bind(incident.0)
            .fetch_all(p)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(SignOffRecord {
                        note: r.text("note")?,
                        recommendations: r.text("recommendations")?,
                        signed_by_name: r.text("display_name")?,
                        signed_at: millis_to_ts(r.int("signed_at")?)?,
                    })
                })
                .collect()
        })
    }
}
