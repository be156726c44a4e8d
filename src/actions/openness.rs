//! Recording openness with the person and their family.

use super::incidents::incident_in_scope;
use super::{ActionError, ActionResult, Actor, Ctx};
use crate::store::audit::{NewAuditEvent, append};
use crate::store::openness::insert_openness;
use candour_domain::incident::IncidentReference;
use candour_domain::openness::{Openness, OpennessDraft};
use candour_domain::role::Permission;
use serde_json::json;

/// A reviewer records whether, when and how the person or their family were told.
pub async fn record_openness(
    ctx: &Ctx,
    actor: &Actor,
    reference: IncidentReference,
    draft: &OpennessDraft,
) -> ActionResult<()> {
    let (incident, _) =
        incident_in_scope(ctx, actor, reference, Permission::TriageIncidents, false).await?;
    let now = ctx.clock.now();
    let record = draft
        .validate(incident.occurred_at, now)
        .map_err(ActionError::Invalid)?;
    let mut tx = ctx.store.begin().await?;
    insert_openness(
        &mut tx,
        incident.organisation_id,
        incident.incident_id,
        &record,
        actor.user_id,
        now.as_millisecond(),
    )
    .await?;
    let summary = match &record {
        Openness::Told {
            who, how, apology, ..
        } => json!({"told": true, "who": who, "how": how.code(), "apology": apology}),
        Openness::NotTold { reason } => json!({"told": false, "reason": reason}),
    };
    append(
        &mut tx,
        &NewAuditEvent {
            organisation_id: incident.organisation_id,
            occurred_at_ms: now.as_millisecond(),
            actor: &actor.audit_name(),
            action: "incident.openness_recorded",
            record_type: "incident",
            record_id: &incident.incident_id.to_string(),
            changes: &json!({"openness": {"before": null, "after": summary}}).to_string(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
