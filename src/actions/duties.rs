//! Statutory duties of an incident: the facts reviewers record over time
//! (a versioned, audited assessment) and the decisions the domain's rule
//! engine makes from them, with managers' own decisions beside Candour's.
//! Doing a required duty is in `duty_tasks`.

use super::incidents::incident_in_scope;
use super::timescales::calendar;
use super::{ActionError, ActionResult, Actor, Ctx};
use crate::store::assessments::{ManagerDecision, insert_duty_decision, save_assessment};
use crate::store::audit::{NewAuditEvent, append};
use crate::store::incidents::Incident;
use crate::store::organisations::Service;
use candour_domain::calendar::Calendar;
use candour_domain::duties::{
    Assessment, Decision, Duty, IncidentFacts, Verdict, apply_patch, decide,
};
use candour_domain::ids::{IncidentId, OrganisationId, ServiceId};
use candour_domain::incident::IncidentReference;
use candour_domain::organisation::Nation;
use candour_domain::role::Permission;
use serde_json::{Map, Value, json};

/// An incident's assessment and its duties.
#[derive(Debug, Clone, PartialEq)]
pub struct DutiesView {
    /// The facts recorded so far.
    pub assessment: Assessment,
    /// The assessment's version (0: nothing recorded yet).
    pub version: i64,
    /// Each duty, decided.
    pub decisions: Vec<Decision>,
    /// Managers' decisions in force (confirming or overriding Candour's).
    pub managers: Vec<ManagerDecision>,
    /// Whether the reader may decide a duty themselves.
    pub can_decide: bool,
    /// The steps recorded for every duty, oldest first.
    pub steps: Vec<crate::store::duty_steps::RecordedStep>,
}

impl DutiesView {
    /// How far `duty` has got, from its steps.
    pub fn progress(&self, duty: Duty) -> candour_domain::duty_tasks::Progress {
        let steps: Vec<_> = self
            .steps
            .iter()
            .filter(|s| s.duty == duty)
            .map(|s| s.step.clone())
            .collect();
        candour_domain::duty_tasks::progress(duty, &steps)
    }

    /// The manager's decision in force on `duty`, if any.
    pub fn manager(&self, duty: Duty) -> Option<&ManagerDecision> {
        self.managers.iter().find(|m| m.duty == duty)
    }
}

/// An incident's duties as they stand, whoever asks (for the scheduled
/// reminders and the dashboards, which check scope themselves).
pub(crate) async fn duties_of(
    ctx: &Ctx,
    incident: &Incident,
    service: &Service,
) -> ActionResult<DutiesView> {
    let current = ctx.store.assessment(incident.incident_id).await?;
    view(ctx, incident, service, current).await
}

/// What deciding an incident's duties needs beside the incident: the
/// organisation's deadlines and each nation's working days, read once for
/// the many incidents of a board report or the duty board.
pub(crate) struct DutyRules {
    settings: candour_domain::duties::DutySettings,
    calendars: std::collections::HashMap<Nation, Calendar>,
}

impl DutyRules {
    /// The organisation's rules (calendars are read as first needed).
    pub(crate) async fn of(ctx: &Ctx, org: OrganisationId) -> ActionResult<DutyRules> {
        Ok(DutyRules {
            settings: super::timescales::org_duty_settings(ctx, org).await?,
            calendars: std::collections::HashMap::new(),
        })
    }

    async fn calendar(&mut self, ctx: &Ctx, service: &Service) -> ActionResult<&Calendar> {
        Ok(match self.calendars.entry(service.nation) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(calendar(ctx, service.organisation_id, service.nation).await?)
            }
        })
    }
}

async fn view(
    ctx: &Ctx,
    incident: &Incident,
    service: &Service,
    current: (Assessment, i64),
) -> ActionResult<DutiesView> {
    let mut rules = DutyRules::of(ctx, service.organisation_id).await?;
    view_with(ctx, incident, service, current, &mut rules).await
}

async fn view_with(
    ctx: &Ctx,
    incident: &Incident,
    service: &Service,
    current: (Assessment, i64),
    rules: &mut DutyRules,
) -> ActionResult<DutiesView> {
    let settings = rules.settings;
    let cal = rules.calendar(ctx, service).await?;
    Ok(assemble(
        incident,
        (cal, settings),
        current,
        ctx.store.duty_decisions(incident.incident_id).await?,
        ctx.store.duty_steps(incident.incident_id).await?,
    ))
}

/// Decides an incident's duties from what was read.
fn assemble(
    incident: &Incident,
    (calendar, settings): (&Calendar, candour_domain::duties::DutySettings),
    (assessment, version): (Assessment, i64),
    managers: Vec<crate::store::assessments::ManagerDecision>,
    steps: Vec<crate::store::duty_steps::RecordedStep>,
) -> DutiesView {
    let grading = incident.grading.as_ref();
    let facts = IncidentFacts {
        occurred_at: incident.occurred_at,
        reported_at: incident.reported_at,
        category: grading.map_or(incident.category, |g| g.category),
        physical_harm: grading.map(|g| g.physical_harm),
        calendar,
        settings,
    };
    DutiesView {
        decisions: decide(&assessment, &facts),
        managers,
        steps,
        can_decide: false,
        assessment,
        version,
    }
}

/// The duties of many incidents of `org` in `services` (others are left
/// out), in no order: the incidents, assessments, managers' decisions and
/// steps are read a few hundred incidents at a time, four reads a batch
/// rather than four an incident (the minute's reminders and the duty board
/// decide thousands).
pub(crate) async fn duties_of_many(
    ctx: &Ctx,
    org: OrganisationId,
    ids: &[IncidentId],
    services: &std::collections::HashMap<ServiceId, Service>,
    rules: &mut DutyRules,
) -> ActionResult<Vec<(Incident, DutiesView)>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(crate::store::IDS_PER_READ) {
        let incidents: Vec<Incident> = ctx
            .store
            .incidents_by_ids(org, chunk)
            .await?
            .into_iter()
            .filter(|i| services.contains_key(&i.service_id))
            .collect();
        let found: Vec<IncidentId> = incidents.iter().map(|i| i.incident_id).collect();
        let mut assessments = ctx.store.assessments_of(&found).await?;
        let mut managers = ctx.store.duty_decisions_of(&found).await?;
        let mut steps = ctx.store.duty_steps_of(&found).await?;
        for incident in incidents {
            let Some(service) = services.get(&incident.service_id) else {
                continue;
            };
            let id = incident.incident_id;
            let settings = rules.settings;
            let cal = rules.calendar(ctx, service).await?;
            let view = assemble(
                &incident,
                (cal, settings),
                assessments.remove(&id).unwrap_or_default(),
                managers.remove(&id).unwrap_or_default(),
                steps.remove(&id).unwrap_or_default(),
            );
            out.push((incident, view));
        }
    }
    Ok(out)
}

/// The duties of an incident, for those who review its service.
pub async fn incident_duties(
    ctx: &Ctx,
    actor: &Actor,
    reference: IncidentReference,
) -> ActionResult<DutiesView> {
    let (incident, service) =
        incident_in_scope(ctx, actor, reference, Permission::ViewIncidents, false).await?;
    let current = ctx.store.assessment(incident.incident_id).await?;
    let mut v = view(ctx, &incident, &service, current).await?;
    v.can_decide = actor.can_in(Permission::SignOffIncidents, &service);
    Ok(v)
}

/// The conflict when the assessment moved on: who changed it, and when.
async fn assessment_conflict(
    ctx: &Ctx,
    incident: &Incident,
    reference: IncidentReference,
    version: i64,
    at: i64,
) -> ActionError {
    let who = match ctx.store.assessment_changed_by(incident.incident_id).await {
        Ok(Some((by, when))) => format!(
            " {by} changed it at {}.",
            candour_domain::display::date_time(when)
        ),
        _ => String::new(),
    };
    ActionError::Conflict(format!(
        "The assessment of {reference} was changed since you opened it (version {version}, now {at}).{who} Check the facts as they are now, then answer again."
    ))
}

/// Sets some facts (`null` clears one) if the assessment is still at
/// `version`; each changed fact is audited with what it was and is.
pub async fn update_assessment(
    ctx: &Ctx,
    actor: &Actor,
    reference: IncidentReference,
    patch: &Map<String, Value>,
    version: i64,
) -> ActionResult<DutiesView> {
    let (incident, service) =
        incident_in_scope(ctx, actor, reference, Permission::TriageIncidents, false).await?;
    let (current, at) = ctx.store.assessment(incident.incident_id).await?;
    if at != version {
        return Err(assessment_conflict(ctx, &incident, reference, version, at).await);
    }
    let (next, changed) = apply_patch(&current, patch).map_err(ActionError::Invalid)?;
    let late =
        candour_domain::duties::check_times(&next, &changed, incident.occurred_at, ctx.clock.now());
    if !late.is_empty() {
        return Err(ActionError::Invalid(late));
    }
    if changed.is_empty() {
        return view(ctx, &incident, &service, (current, at)).await;
    }
    let now = ctx.clock.now().as_millisecond();
    let before = serde_json::to_value(&current).unwrap_or(Value::Null);
    let after = serde_json::to_value(&next).unwrap_or(Value::Null);
    let changes: Map<String, Value> = changed
        .iter()
        .map(|k| {
            (
                k.clone(),
                json!({"before": before.get(k), "after": after.get(k)}),
            )
        })
        .collect();
    let mut tx = ctx.store.begin().await?;
    if !save_assessment(
        &mut tx,
        (incident.organisation_id, incident.incident_id),
        &next,
        version,
        (actor.user_id, now),
    )
    .await?
    {
        drop(tx);
        let (_, at) = ctx.store.assessment(incident.incident_id).await?;
        return Err(assessment_conflict(ctx, &incident, reference, version, at).await);
    }
    append(
        &mut tx,
        &NewAuditEvent {
            organisation_id: incident.organisation_id,
            occurred_at_ms: now,
            actor: &actor.audit_name(),
            action: "incident.assessment_changed",
            record_type: "incident",
            record_id: &incident.incident_id.to_string(),
            changes: &Value::Object(changes).to_string(),
        },
    )
    .await?;
    tx.commit().await?;
    view(ctx, &incident, &service, (next, version + 1)).await
}

/// A manager confirms Candour's decision on a duty, or decides otherwise
/// with a written rationale; kept, audited and shown with the duty.
pub async fn decide_duty(
    ctx: &Ctx,
    actor: &Actor,
    reference: IncidentReference,
    (duty, verdict, rationale): (&str, &str, &str),
) -> ActionResult<DutiesView> {
    let (incident, service) =
        incident_in_scope(ctx, actor, reference, Permission::SignOffIncidents, false).await?;
    let current = ctx.store.assessment(incident.incident_id).await?;
    let before = view(ctx, &incident, &service, current).await?;
    let mut e = candour_domain::validation::FieldErrors::new();
    let duty = Duty::parse(duty.trim());
    if duty.is_none() {
        e.add("duty", "Choose the duty you are deciding");
    }
    let verdict = Verdict::parse(verdict.trim()).filter(|v| *v != Verdict::NeedsInformation);
    if verdict.is_none() {
        e.add(
            "verdict",
            "Choose whether the duty is required or not required",
        );
    }
    let rationale = rationale.trim();
    if rationale.chars().count() > 2_000 {
        e.add("rationale", "Keep the reason to 2000 characters or fewer");
    }
    let engine = duty.and_then(|d| {
        before
            .decisions
            .iter()
            .find(|x| x.duty == d)
            .map(|x| x.verdict)
    });
    if let (Some(v), Some(engine)) = (verdict, engine)
        && v != engine
        && rationale.is_empty()
    {
        e.add(
            "rationale",
            format!(
                "Say why you decide differently from Candour, which says {}",
                engine.label().to_lowercase()
            ),
        );
    }
    let (Some(duty), Some(verdict), Some(engine), true) = (duty, verdict, engine, e.is_empty())
    else {
        return Err(ActionError::Invalid(e));
    };
    let now = ctx.clock.now().as_millisecond();
    let mut tx = ctx.store.begin().await?;
    insert_duty_decision(
        &mut tx,
        (incident.organisation_id, incident.incident_id),
        (duty, verdict, engine),
        rationale,
        (actor.user_id, now),
    )
    .await?;
    append(
        &mut tx,
        &NewAuditEvent {
            organisation_id: incident.organisation_id,
            occurred_at_ms: now,
            actor: &actor.audit_name(),
            action: if verdict == engine {
                "incident.duty_confirmed"
            } else {
                "incident.duty_overridden"
            },
            record_type: "incident",
            record_id: &incident.incident_id.to_string(),
            changes: &json!({
                "duty": duty.code(),
                "verdict": {"candour": engine.code(), "manager": verdict.code()},
                "rationale": rationale,
            })
            .to_string(),
        },
    )
    .await?;
    tx.commit().await?;
    let current = ctx.store.assessment(incident.incident_id).await?;
    view(ctx, &incident, &service, current).await
}
