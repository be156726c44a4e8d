//! Records retention: which closed incidents have reached the end of their
//! retention period (domain `retention`), and destroying them, each audited
//! with its reference and the rule that allowed it. A record of a
//! RIDDOR-reportable event (a report required in force, or one recorded as
//! made) is kept at least three years from the event whatever the settings.

use super::duties::{DutyRules, duties_of_many};
use super::{ActionResult, Ctx};
use crate::store::audit::{NewAuditEvent, append, destroy_values};
use crate::store::retention::{
    destroy_incident, investigations_of, put_legal_hold, release_legal_hold,
};
use candour_domain::duties::{Duty, Verdict};
use candour_domain::ids::{IncidentId, OrganisationId};
use candour_domain::incident::IncidentReference;
use candour_domain::retention::{Kept, RIDDOR_YEARS, Retention, keep_until, may_destroy};
use jiff::Timestamp;
use serde_json::json;
use std::collections::HashSet;

/// The organisation setting that holds the retention periods.
pub const RETENTION: &str = "retention";

/// The organisation's retention periods.
pub async fn org_retention(ctx: &Ctx, org: OrganisationId) -> ActionResult<Retention> {
    Ok(match ctx.store.org_setting(org, RETENTION).await? {
        Some(json) => serde_json::from_str(&json)
            .map_err(|e| anyhow::anyhow!("the stored retention periods are not readable: {e}"))?,
        None => Retention::default(),
    })
}

/// One closed incident reviewed for destruction.
#[derive(Debug, Clone, PartialEq)]
pub struct Reviewed {
    /// The incident.
    pub reference: IncidentReference,
    /// When it was closed.
    pub closed_at: Timestamp,
    /// Until when it must be kept.
    pub keep_until: Timestamp,
    /// It was RIDDOR-reportable.
    pub riddor: bool,
    /// It had a serious incident investigation.
    pub serious: bool,
    /// `Ok`: may be destroyed now; `Err`: why it is kept.
    pub verdict: Result<(), String>,
}

/// Every incident of `org` closed at least three years ago, with whether it
/// may be destroyed now and, if not, why it is kept.
pub async fn review(ctx: &Ctx, org: OrganisationId) -> ActionResult<Vec<Reviewed>> {
    let now = ctx.clock.now();
    let r = org_retention(ctx, org).await?;
    let floor = now
        .to_zoned(candour_domain::incident::london())
        .checked_sub(jiff::Span::new().years(i64::from(RIDDOR_YEARS)))
        .map_or(0, |z| z.timestamp().as_millisecond());
    let services = ctx.store.services_by_id(org).await?;
    let candidates = ctx.store.retention_candidates(org, floor).await?;
    // RIDDOR reports not recorded as made: decide whether one was due.
    let unsure: Vec<IncidentId> = candidates
        .iter()
        .filter(|c| !c.riddor_reported)
        .map(|c| c.incident_id)
        .collect();
    let mut rules = DutyRules::of(ctx, org).await?;
    let riddor_due: HashSet<IncidentId> = duties_of_many(ctx, org, &unsure, &services, &mut rules)
        .await?
        .into_iter()
        .filter(|(_, view)| view.verdict(Duty::RiddorReport) == Verdict::Required)
        .map(|(i, _)| i.incident_id)
        .collect();
    let mut out = Vec::new();
    for c in candidates {
        let riddor = c.riddor_reported || riddor_due.contains(&c.incident_id);
        let kept = Kept {
            occurred_at: c.occurred_at,
            closed_at: Some(c.closed_at),
            serious: c.serious,
            riddor,
            held: c.hold.is_some(),
        };
        out.push(Reviewed {
            reference: c.reference,
            closed_at: c.closed_at,
            keep_until: keep_until(r, kept).unwrap_or(Timestamp::MAX),
            riddor,
            serious: c.serious,
            verdict: may_destroy(r, kept, now).map_err(|m| match &c.hold {
                Some(why) => format!("{m}: {why}"),
                None => m,
            }),
        });
    }
    Ok(out)
}

/// Destroys every incident of `org` whose retention has ended, each in its
/// own transaction with an audit event naming the reference and the rule
/// (the audit trail itself is kept). Returns the references destroyed.
pub async fn destroy_due(ctx: &Ctx, org: OrganisationId) -> ActionResult<Vec<IncidentReference>> {
    let r = org_retention(ctx, org).await?;
    let mut done = Vec::new();
    for x in review(ctx, org).await? {
        if x.verdict.is_err() {
            continue;
        }
        let Some(incident) = ctx.store.incident_by_reference(org, x.reference).await? else {
            continue;
        };
        let now = ctx.clock.now().as_millisecond();
        let mut tx = ctx.store.begin().await?;
        // The values of its audit events go with it (and its investigations'):
        // the events stay, naming which fields changed, so the chain still verifies.
        let investigations = investigations_of(&mut tx, incident.incident_id).await?;
        let mut records = vec![("incident", incident.incident_id.to_string())];
        records.extend(
            investigations
                .iter()
                .map(|i| ("investigation", i.to_string())),
        );
        destroy_values(&mut tx, org, &records).await?;
        destroy_incident(&mut tx, org, incident.incident_id).await?;
        append(
            &mut tx,
            &NewAuditEvent {
                organisation_id: org,
                occurred_at_ms: now,
                actor: "candour retention",
                action: candour_domain::audit::DESTROYED,
                record_type: "incident",
                record_id: &incident.incident_id.to_string(),
                changes: &json!({
                    "reference": x.reference.to_string(),
                    "closed_at": x.closed_at.to_string(),
                    "kept_until": x.keep_until.to_string(),
                    "years": if x.serious { r.serious_years } else { r.incident_years },
                    "serious": x.serious,
                    "riddor": x.riddor,
                    "records": investigations
                        .iter()
                        .map(|i| format!("investigation:{i}"))
                        .collect::<Vec<_>>(),
                })
                .to_string(),
            },
        )
        .await?;
        tx.commit().await?;
        done.push(x.reference);
    }
    Ok(done)
}

/// Places a legal hold on an incident, or releases one, audited with the
/// reason and who did it (`by`, as the operator gave it).
pub async fn set_legal_hold(
    ctx: &Ctx,
    org: OrganisationId,
    reference: &str,
    (hold, reason, by): (bool, &str, &str),
) -> ActionResult<()> {
    let mut e = candour_domain::validation::FieldErrors::new();
    let reason = candour_domain::validation::checked_text(
        &mut e,
        "reason",
        reason,
        500,
        Some(if hold {
            "Say why the record is held: an inquest, a claim, a safeguarding adults review or an inquiry"
        } else {
            "Say why the hold is released"
        }),
    );
    let found = match IncidentReference::parse(reference.trim()) {
        Some(r) => ctx.store.incident_by_reference(org, r).await?,
        None => None,
    };
    if found.is_none() {
        e.add(
            "reference",
            "Give the reference of an incident of this organisation, like INC-000123",
        );
    }
    let (Some(incident), true) = (found, e.is_empty()) else {
        return Err(super::ActionError::Invalid(e));
    };
    let now = ctx.clock.now().as_millisecond();
    let mut tx = ctx.store.begin().await?;
    let before = if hold {
        put_legal_hold(&mut tx, (org, incident.incident_id), &reason, by, now).await?;
        None
    } else {
        match release_legal_hold(&mut tx, incident.incident_id).await? {
            Some(was) => Some(was),
            None => {
                let mut e = candour_domain::validation::FieldErrors::new();
                e.add(
                    "reference",
                    format!("{} is not on legal hold", incident.reference),
                );
                return Err(super::ActionError::Invalid(e));
            }
        }
    };
    append(
        &mut tx,
        &NewAuditEvent {
            organisation_id: org,
            occurred_at_ms: now,
            actor: by,
            action: if hold {
                "incident.legal_hold_placed"
            } else {
                "incident.legal_hold_released"
            },
            record_type: "incident",
            record_id: &incident.incident_id.to_string(),
            changes: &json!({"reason": reason, "hold_reason": before}).to_string(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
