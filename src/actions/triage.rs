//! Triage: grading harm and risk, choosing the learning response and the
//! handler, within the organisation's timescales; re-grading later with a
//! reason; and the queues managers work from. A grading is never
//! overwritten silently: each carries the version it was made against, and
//! a second manager triaging at the same time is told who got there first.

use super::breaches::alert_urgent;
use super::incidents::{IncidentView, incident_in_scope, list_incidents, staff_of_service};
use super::timescales::{calendar, org_band_edges, org_timescales};
use super::{ActionError, ActionResult, Actor, Ctx, service_where, services_where};
use crate::store::audit::{NewAuditEvent, append};
use crate::store::incidents::{IncidentFilter, IncidentSummary};
use crate::store::triage::{GradingRecord, QueueLine, apply_grading, insert_grading};
use crate::store::workflow::insert_transition;
use candour_domain::display;
use candour_domain::ids::ServiceId;
use candour_domain::incident::{IncidentReference, IncidentStatus};
use candour_domain::role::Permission;
use candour_domain::similar;
use candour_domain::triage::{PhysicalHarm, RiskBand, TriageDraft, is_urgent};
use candour_domain::validation::FieldErrors;
use candour_domain::workflow::{CloseFacts, Move, check_move};
use serde_json::json;

/// How many lines a queue shows.
pub const QUEUE_SIZE: i64 = 200;

/// Triages (or re-grades) an incident. `version` is the incident's version
/// the decision was made against.
pub async fn triage_incident(
    ctx: &Ctx,
    actor: &Actor,
    reference: IncidentReference,
    draft: &TriageDraft,
    version: i64,
) -> ActionResult<GradingRecord> {
    let (incident, service) =
        incident_in_scope(ctx, actor, reference, Permission::TriageIncidents, false).await?;
    // A decision made on an older version is a conflict whatever it says:
    // the manager must first see what changed.
    if version != incident.version {
        return Err(ActionError::Conflict(
            who_got_there_first(ctx, &incident).await?,
        ));
    }
    let regrading = incident.grading.is_some();
    let edges = org_band_edges(ctx, service.organisation_id).await?;
    let grading = draft
        .validate(edges, regrading)
        .map_err(ActionError::Invalid)?;
    if let Some(h) = grading.handler {
        let staff = staff_of_service(ctx, &service).await?;
        if !staff.iter().any(|(id, _)| *id == h) {
            let mut e = FieldErrors::new();
            e.add(
                "handler",
                format!("Choose someone who works at {}", service.name),
            );
            return Err(ActionError::Invalid(e));
        }
        if ctx.store.is_hidden_from(incident.incident_id, h).await? {
            let mut e = FieldErrors::new();
            e.add(
                "handler",
                "Choose someone who is not alleged in this report to have caused harm",
            );
            return Err(ActionError::Invalid(e));
        }
    }
    if incident.status == IncidentStatus::Closed {
        return Err(ActionError::Conflict(
            "It is closed: reopen it before grading it again".to_owned(),
        ));
    }
    let now = ctx.clock.now();
    let triaged_at = incident.grading.as_ref().map_or(now, |g| g.triaged_at);
    let timescales = org_timescales(ctx, service.organisation_id).await?;
    let cal = calendar(ctx, service.organisation_id, service.nation).await?;
    let review_due_at = timescales.review_due(
        &cal,
        triaged_at,
        grading.category,
        grading.risk_band,
        grading.learning_response,
    );
    let status = match incident.status {
        IncidentStatus::Reported => {
            check_move(incident.status, Move::Triage, "", CloseFacts::default())
                .map_err(|reasons| ActionError::Conflict(reasons.join(". ")))?
        }
        other => other,
    };
    let record = GradingRecord {
        incident_id: incident.incident_id,
        organisation_id: incident.organisation_id,
        grading,
        review_due_at,
        graded_by: actor.user_id,
        graded_by_name: actor.display_name.clone(),
        graded_at: now,
    };
    let mut tx = ctx.store.begin().await?;
    if !apply_grading(&mut tx, &record, status, triaged_at, version).await? {
        drop(tx);
        return Err(ActionError::Conflict(
            who_got_there_first(ctx, &incident).await?,
        ));
    }
    insert_grading(&mut tx, &record).await?;
    if status != incident.status {
        insert_transition(
            &mut tx,
            incident.organisation_id,
            incident.incident_id,
            (incident.status, status),
            &record.grading.reason,
            actor.user_id,
            now,
        )
        .await?;
    }
    let g = &record.grading;
    let before = incident.grading.as_ref().map(|b| {
        json!({"physical_harm": b.physical_harm.code(), "psychological_harm": b.psychological_harm.code(),
               "risk_score": b.risk_score, "risk_band": b.risk_band.code(), "learning_response": b.learning_response.code(),
               "category": b.category.code(), "kind": b.kind.code()})
    });
    let after = json!({"physical_harm": g.physical_harm.code(), "psychological_harm": g.psychological_harm.code(),
        "risk_score": g.risk_score, "risk_band": g.risk_band.code(), "learning_response": g.learning_response.code(),
        "category": g.category.code(), "kind": g.kind.code(), "reason": g.reason, "handler": g.handler,
        "review_due_at": review_due_at.as_millisecond(), "status": status.code()});
    append(
        &mut tx,
        &NewAuditEvent {
            organisation_id: incident.organisation_id,
            occurred_at_ms: now.as_millisecond(),
            actor: &actor.audit_name(),
            action: if regrading {
                "incident.regraded"
            } else {
                "incident.triaged"
            },
            record_type: "incident",
            record_id: &incident.incident_id.to_string(),
            changes: &json!({"grading": {"before": before, "after": after}}).to_string(),
        },
    )
    .await?;
    let was_urgent = incident
        .grading
        .as_ref()
        .is_some_and(|b| is_urgent(b.physical_harm, b.psychological_harm, b.risk_band));
    if is_urgent(g.physical_harm, g.psychological_harm, g.risk_band) && !was_urgent {
        let why = match (g.physical_harm, g.risk_band) {
            (PhysicalHarm::Fatal, _) => "graded fatal",
            (PhysicalHarm::Severe, _) => "graded severe harm",
            (_, RiskBand::Extreme) => "graded extreme risk",
            _ => "graded severe psychological harm",
        };
        let due = timescales.urgent_due(now);
        let named: Vec<_> = ctx
            .store
            .staff_involvements(incident.incident_id)
            .await?
            .into_iter()
            .filter(|s| candour_domain::about_staff::hides_report(s.role))
            .map(|s| s.user_id)
            .collect();
        alert_urgent(
            ctx,
            &mut tx,
            &service,
            (incident.incident_id, incident.reference),
            why,
            due,
            (&named, false),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(record)
}

/// The conflict message: who changed the incident since the form was opened.
async fn who_got_there_first(
    ctx: &Ctx,
    incident: &crate::store::incidents::Incident,
) -> ActionResult<String> {
    let latest = ctx.store.gradings(incident.incident_id).await?.pop();
    Ok(match latest {
        Some(g) => format!(
            "{} graded it at {} while you were working: their decision is shown now. Check it, then grade again if you need to.",
            g.graded_by_name,
            display::date_time(g.graded_at)
        ),
        None => "Someone changed it while you were working: the latest is shown now. Check it, then grade again if you need to.".to_owned(),
    })
}

/// The triage queue of one service, or of every service the actor triages.
pub async fn triage_queue(
    ctx: &Ctx,
    actor: &Actor,
    service: Option<ServiceId>,
) -> ActionResult<Vec<QueueLine>> {
    let ids: Vec<ServiceId> = match service {
        Some(id) => vec![
            service_where(ctx, actor, id, Permission::TriageIncidents)
                .await?
                .service_id,
        ],
        None => {
            if !actor.can_anywhere(Permission::TriageIncidents) {
                return Err(ActionError::Forbidden);
            }
            services_where(ctx, actor, Permission::TriageIncidents)
                .await?
                .into_iter()
                .map(|s| s.service_id)
                .collect()
        }
    };
    let hidden = ctx.store.hidden_from(actor.user_id).await?;
    Ok(ctx
        .store
        .triage_queue(actor.organisation_id, &ids, QUEUE_SIZE)
        .await?
        .into_iter()
        .filter(|l| !hidden.contains(&l.summary.incident_id))
        .collect())
}

/// An incident's gradings, oldest first, for someone who may triage it.
pub async fn grading_history(
    ctx: &Ctx,
    actor: &Actor,
    reference: IncidentReference,
) -> ActionResult<Vec<GradingRecord>> {
    let (incident, _) =
        incident_in_scope(ctx, actor, reference, Permission::ViewIncidents, false).await?;
    Ok(ctx.store.gradings(incident.incident_id).await?)
}

/// What the triage form shows beside the decision: other reports that may
/// be part of the same story.
#[derive(Debug, Default)]
pub struct SimilarIncidents {
    /// The same people's incidents in the last 90 days.
    pub same_person: Vec<IncidentSummary>,
    /// The same category in the same area (or service) in the last 90 days.
    pub same_area: Vec<IncidentSummary>,
    /// Reports with words like this one's, best first, from every service
    /// the reader may see.
    pub similar_words: Vec<IncidentSummary>,
}

/// How far back the person and area panels look.
const SIMILAR_DAYS: i64 = 90;
/// At most this many reports in each panel.
const SIMILAR_LIMIT: usize = 10;
/// At most this many reports with similar words.
const SIMILAR_WORDS_LIMIT: i64 = 5;

/// Similar incidents for `view`, within what the reader may see.
pub async fn similar_incidents(
    ctx: &Ctx,
    actor: &Actor,
    view: &IncidentView,
) -> ActionResult<SimilarIncidents> {
    let i = &view.incident;
    let since = ctx
        .clock
        .now()
        .checked_sub(jiff::Span::new().hours(SIMILAR_DAYS * 24))
        .ok();
    let mut same_person: Vec<IncidentSummary> = Vec::new();
    for p in view.people.iter().take(3) {
        let filter = IncidentFilter {
            person: Some(p.person_id),
            occurred_from: since,
            ..IncidentFilter::default()
        };
        for s in list_incidents(ctx, actor, Some(i.service_id), &filter, None).await? {
            if s.incident_id != i.incident_id
                && !same_person.iter().any(|r| r.incident_id == s.incident_id)
                && same_person.len() < SIMILAR_LIMIT
            {
                same_person.push(s);
            }
        }
    }
    let filter = IncidentFilter {
        category: Some(i.grading.as_ref().map_or(i.category, |g| g.category)),
        area: i.area_id,
        occurred_from: since,
        ..IncidentFilter::default()
    };
    let same_area = list_incidents(ctx, actor, Some(i.service_id), &filter, None)
        .await?
        .into_iter()
        .filter(|s| s.incident_id != i.incident_id)
        .take(SIMILAR_LIMIT)
        .collect();
    // What happened, not what was done about it: immediate actions are
    // much alike from report to report ("made safe", "told the nurse").
    let words = similar::terms(&i.description);
    let services: Vec<ServiceId> = services_where(ctx, actor, Permission::ViewIncidents)
        .await?
        .into_iter()
        .map(|s| s.service_id)
        .collect();
    let similar_words = ctx
        .store
        .similar_by_text(
            actor.organisation_id,
            &services,
            i.incident_id,
            &words,
            SIMILAR_WORDS_LIMIT,
        )
        .await?;
    let hidden = ctx.store.hidden_from(actor.user_id).await?;
    let similar_words = similar_words
        .into_iter()
        .filter(|s| !hidden.contains(&s.incident_id))
        .collect();
    Ok(SimilarIncidents {
        same_person,
        same_area,
        similar_words,
    })
}
