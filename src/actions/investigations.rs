//! Serious incident investigations: opening one for a triaged incident with
//! a lead and terms of reference (the incident moves under investigation),
//! recording the team's meetings, the timeline, contributory factors,
//! findings and the family's part, and completing it once nothing is
//! missing. Reviewers of the service (and the lead) work on it; a manager
//! who may sign off completes it.

use super::incidents::incident_in_scope;
use super::timescales::{calendar, org_timescales};
use super::{ActionError, ActionResult, Actor, Ctx};
use crate::store::audit::{NewAuditEvent, append};
use crate::store::counters::reserve_numbers;
use crate::store::improvement::ImprovementAction;
use crate::store::incidents::Incident;
use crate::store::investigations::{
    InvestigationRecord, Recorded, complete_investigation, insert_event, insert_factor,
    insert_investigation, insert_meeting, update_findings, upsert_factor_type,
};
use crate::store::openness::OpennessRecord;
use crate::store::organisations::Service;
use crate::store::workflow::{insert_transition, move_status};
use candour_domain::display;
use candour_domain::ids::UserId;
use candour_domain::incident::{IncidentReference, IncidentStatus};
use candour_domain::investigation::{
    CompletionFacts, Event, EventDraft, Factor, FactorDraft, FactorType, Findings, FindingsDraft,
    Framework, InvestigationStatus, Meeting, MeetingDraft, OpeningDraft, completion_gaps,
    framework_of, investigation_reference, local_code, parse_investigation_reference,
    shipped_factors,
};
use candour_domain::notification::NotificationKind;
use candour_domain::role::Permission;
use candour_domain::validation::FieldErrors;
use serde_json::json;

/// The factors an organisation tags from: the shipped ones it has not
/// retired, then its own.
pub async fn available_factors(
    ctx: &Ctx,
    org: candour_domain::ids::OrganisationId,
) -> ActionResult<Vec<FactorType>> {
    let settings = ctx.store.factor_types(org).await?;
    let retired = |code: &str| settings.iter().any(|(c, _, r)| c == code && *r);
    let mut out: Vec<FactorType> = shipped_factors()
        .into_iter()
        .filter(|f| !retired(&f.code))
        .collect();
    out.extend(
        settings
            .iter()
            .filter(|(code, _, retired)| !retired && framework_of(code) == Some(Framework::Local))
            .map(|(code, label, _)| FactorType {
                code: code.clone(),
                framework: Framework::Local,
                label: label.clone(),
            }),
    );
    Ok(out)
}

/// Every factor the organisation has ever had, retired or not, for labelling what was tagged.
pub async fn known_factors(
    ctx: &Ctx,
    org: candour_domain::ids::OrganisationId,
) -> ActionResult<Vec<FactorType>> {
    let mut out = shipped_factors();
    out.extend(
        ctx.store
            .factor_types(org)
            .await?
            .into_iter()
            .filter(|(code, _, _)| framework_of(code) == Some(Framework::Local))
            .map(|(code, label, _)| FactorType {
                code,
                framework: Framework::Local,
                label,
            }),
    );
    Ok(out)
}

/// Every factor the organisation has, shipped and its own, with whether it is retired.
pub async fn factor_settings(ctx: &Ctx, actor: &Actor) -> ActionResult<Vec<(FactorType, bool)>> {
    if !actor.can_anywhere(Permission::ManageOrganisation) {
        return Err(ActionError::Forbidden);
    }
    let settings = ctx.store.factor_types(actor.organisation_id).await?;
    let retired = |code: &str| settings.iter().any(|(c, _, r)| c == code && *r);
    let mut out: Vec<(FactorType, bool)> = shipped_factors()
        .into_iter()
        .map(|f| {
            let r = retired(&f.code);
            (f, r)
        })
        .collect();
    for (code, label, r) in &settings {
        if framework_of(code) == Some(Framework::Local) {
            out.push((
                FactorType {
                    code: code.clone(),
                    framework: Framework::Local,
                    label: label.clone(),
                },
                *r,
            ));
        }
    }
    Ok(out)
}

/// Adds one of the organisation's own factors.
pub async fn add_local_factor(ctx: &Ctx, actor: &Actor, label: &str) -> ActionResult<String> {
    if !actor.can_anywhere(Permission::ManageOrganisation) {
        return Err(ActionError::Forbidden);
    }
    let label = label.trim();
    let code = local_code(label);
    let mut e = FieldErrors::new();
    if code == "local." {
        e.add(
            "label",
            "Name the factor, for example \"Agency staff induction\"",
        );
    } else if label.chars().count() > 200 {
        e.add("label", "Keep it to 200 characters or fewer");
    } else if available_factors(ctx, actor.organisation_id)
        .await?
        .iter()
        .any(|f| f.code == code || f.label.eq_ignore_ascii_case(label))
    {
        e.add("label", format!("\"{label}\" is already in the list"));
    }
    if !e.is_empty() {
        return Err(ActionError::Invalid(e));
    }
    set_factor(ctx, actor, (&code, label), false).await?;
    Ok(code)
}

/// Retires a factor (or brings it back): retired factors are no longer
/// offered, and stay on investigations that used them.
pub async fn retire_factor(
    ctx: &Ctx,
    actor: &Actor,
    code: &str,
    retired: bool,
) -> ActionResult<()> {
    let all = factor_settings(ctx, actor).await?;
    let (f, _) = all
        .into_iter()
        .find(|(f, _)| f.code == code)
        .ok_or(ActionError::NotFound)?;
    set_factor(ctx, actor, (&f.code, &f.label), retired).await
}

async fn set_factor(
    ctx: &Ctx,
    actor: &Actor,
    (code, label): (&str, &str),
    retired: bool,
) -> ActionResult<()> {
    let now = ctx.clock.now().as_millisecond();
    let mut tx = ctx.store.begin().await?;
    upsert_factor_type(&mut tx, actor.organisation_id, (code, label), retired, now).await?;
    append(
        &mut tx,
        &NewAuditEvent {
            organisation_id: actor.organisation_id,
            occurred_at_ms: now,
            actor: &actor.audit_name(),
            action: "organisation.factor_set",
            record_type: "organisation",
            record_id: &actor.organisation_id.to_string(),
            changes: &json!({"factor": {"before": null, "after": {"code": code, "label": label, "retired": retired}}}).to_string(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The people who may lead an investigation in `service`: those who may see its incidents.
pub async fn investigators(ctx: &Ctx, service: &Service) -> ActionResult<Vec<(UserId, String)>> {
    let all = ctx.store.staff_with_grants(service.organisation_id).await?;
    Ok(all
        .into_iter()
        .filter(|(_, _, grants)| {
            candour_domain::role::grants_allow(
                grants,
                Permission::ViewIncidents,
                service.service_id,
                service.region_id,
            )
        })
        .map(|(id, name, _)| (id, name))
        .collect())
}

/// Appends an audit event about an investigation.
async fn audit(
    tx: &mut crate::store::Tx,
    v: &InvestigationRecord,
    actor: &Actor,
    action: &str,
    changes: serde_json::Value,
    now_ms: i64,
) -> ActionResult<()> {
    append(
        tx,
        &NewAuditEvent {
            organisation_id: v.organisation_id,
            occurred_at_ms: now_ms,
            actor: &actor.audit_name(),
            action,
            record_type: "investigation",
            record_id: &v.investigation_id.to_string(),
            changes: &changes.to_string(),
        },
    )
    .await?;
    Ok(())
}

/// Opens the investigation of an incident that has been triaged and is not
/// closed. If it was triaged, under review or awaiting sign-off, it moves
/// under investigation.
pub async fn open_investigation(
    ctx: &Ctx,
    actor: &Actor,
    reference: IncidentReference,
    draft: &OpeningDraft,
) -> ActionResult<i64> {
    let (incident, service) =
        incident_in_scope(ctx, actor, reference, Permission::TriageIncidents, false).await?;
    if let Some(v) = ctx
        .store
        .incident_investigation(incident.incident_id)
        .await?
    {
        return Err(ActionError::Conflict(format!(
            "{} is already open for {reference}, led by {}.",
            investigation_reference(v.number),
            v.lead.1
        )));
    }
    let mut reasons = Vec::new();
    match incident.status {
        IncidentStatus::Reported => reasons.push("Triage it first".to_owned()),
        IncidentStatus::Closed => reasons.push("It is closed: reopen it first".to_owned()),
        _ => {}
    }
    if !reasons.is_empty() {
        return Err(ActionError::Refused(reasons));
    }
    let opening = draft.validate().map_err(ActionError::Invalid)?;
    if !investigators(ctx, &service)
        .await?
        .iter()
        .any(|(id, _)| id.0 == opening.lead)
    {
        let mut e = FieldErrors::new();
        e.add(
            "lead",
            format!("Choose someone who can see incidents at {}", service.name),
        );
        return Err(ActionError::Invalid(e));
    }
    let lead = candour_domain::ids::UserId(opening.lead);
    if ctx.store.is_hidden_from(incident.incident_id, lead).await? {
        let mut e = FieldErrors::new();
        e.add(
            "lead",
            "Choose someone who is not alleged in this report to have caused harm",
        );
        return Err(ActionError::Invalid(e));
    }
    let now = ctx.clock.now();
    let days = org_timescales(ctx, service.organisation_id)
        .await?
        .investigation_working_days;
    let due_at = calendar(ctx, service.organisation_id, service.nation)
        .await?
        .deadline(now, days);
    let id = uuid::Uuid::now_v7();
    let mut tx = ctx.store.begin().await?;
    let number = reserve_numbers(&mut tx, service.organisation_id, "INV", 1).await?;
    insert_investigation(
        &mut tx,
        (id, number),
        service.organisation_id,
        (service.service_id, incident.incident_id),
        &opening,
        actor.user_id,
        due_at,
        now.as_millisecond(),
    )
    .await?;
    // Awaiting sign-off too: a manager may decide at sign-off that it needs
    // an investigation, and it cannot be signed off while one is open.
    if matches!(
        incident.status,
        IncidentStatus::Triaged | IncidentStatus::UnderReview | IncidentStatus::AwaitingSignOff
    ) {
        let to = IncidentStatus::UnderInvestigation;
        if !move_status(&mut tx, incident.incident_id, to, incident.version, now).await? {
            return Err(ActionError::Conflict(
                "Someone changed the incident while you were working: check it as it is now."
                    .to_owned(),
            ));
        }
        let note = format!("{} opened", investigation_reference(number));
        insert_transition(
            &mut tx,
            incident.organisation_id,
            incident.incident_id,
            (incident.status, to),
            &note,
            actor.user_id,
            now,
        )
        .await?;
        append(
            &mut tx,
            &NewAuditEvent {
                organisation_id: incident.organisation_id,
                occurred_at_ms: now.as_millisecond(),
                actor: &actor.audit_name(),
                action: "incident.moved",
                record_type: "incident",
                record_id: &incident.incident_id.to_string(),
                changes: &json!({
                    "status": {"before": incident.status.code(), "after": to.code()},
                    "note": {"before": null, "after": note},
                })
                .to_string(),
            },
        )
        .await?;
    }
    append(
        &mut tx,
        &NewAuditEvent {
            organisation_id: service.organisation_id,
            occurred_at_ms: now.as_millisecond(),
            actor: &actor.audit_name(),
            action: "investigation.opened",
            record_type: "investigation",
            record_id: &id.to_string(),
            changes: &super::created_changes(&[
                ("reference", json!(investigation_reference(number))),
                ("incident", json!(reference.to_string())),
                ("lead", json!(opening.lead)),
                ("terms_of_reference", json!(opening.terms_of_reference)),
                ("due_at", json!(display::date_time(due_at))),
            ]),
        },
    )
    .await?;
    if lead != actor.user_id {
        let inv = investigation_reference(number);
        let link = match ctx.public_url.as_deref().map(|u| u.trim_end_matches('/')) {
            Some(base) if !base.is_empty() => format!("Open it here:\n{base}/investigations/{inv}"),
            _ => "Sign in to Candour to open it.".to_owned(),
        };
        let email = crate::email::Rendered {
            subject: format!("You lead {inv} at {}", service.name),
            body: format!(
                "Hello,\n\nYou have been asked to lead the serious incident investigation {inv} of {reference} at {}. \
                 Its report is due by {}.\n\n{link}\n\n\
                 This email was sent by Candour. It holds no personal details of people using the service.",
                service.name,
                display::date_time(due_at)
            ),
        };
        super::feedback::notify(
            ctx,
            &mut tx,
            (incident.organisation_id, incident.incident_id),
            lead,
            NotificationKind::InvestigationLead,
            &email,
            now.as_millisecond(),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(number)
}

/// Everything about an investigation, for its page and its report.
#[derive(Debug, Clone)]
pub struct InvestigationView {
    /// The record.
    pub record: InvestigationRecord,
    /// The incident.
    pub incident: Incident,
    /// Its service.
    pub service: Service,
    /// Meetings of the team.
    pub meetings: Vec<Recorded<Meeting>>,
    /// The timeline.
    pub timeline: Vec<Recorded<Event>>,
    /// Factors with their label and framework (as they stood when shown).
    pub factors: Vec<(Recorded<Factor>, String, Option<Framework>)>,
    /// Actions from it.
    pub actions: Vec<ImprovementAction>,
    /// What the person or family were told (openness records on the incident).
    pub openness: Vec<OpennessRecord>,
    /// Factors offered for tagging.
    pub available_factors: Vec<FactorType>,
    /// Whether the reader may add to it.
    pub can_edit: bool,
    /// Whether the reader may complete it.
    pub can_complete: bool,
    /// What is missing before it can be completed.
    pub gaps: Vec<String>,
}

async fn find(
    ctx: &Ctx,
    actor: &Actor,
    reference: &str,
) -> ActionResult<(InvestigationRecord, Incident, Service)> {
    let number = parse_investigation_reference(reference).ok_or(ActionError::NotFound)?;
    let record = ctx
        .store
        .investigation(actor.organisation_id, number)
        .await?
        .ok_or(ActionError::NotFound)?;
    let (incident, service) = incident_in_scope(
        ctx,
        actor,
        record.incident_reference,
        Permission::ViewIncidents,
        false,
    )
    .await?;
    Ok((record, incident, service))
}

fn may_edit(actor: &Actor, record: &InvestigationRecord, service: &Service) -> bool {
    actor.can_in(Permission::TriageIncidents, service) || record.lead.0 == actor.user_id
}

/// Opens an investigation for someone who may see its incident.
pub async fn show_investigation(
    ctx: &Ctx,
    actor: &Actor,
    reference: &str,
) -> ActionResult<InvestigationView> {
    let (record, incident, service) = find(ctx, actor, reference).await?;
    let meetings = ctx.store.meetings(record.investigation_id).await?;
    let timeline = ctx.store.timeline(record.investigation_id).await?;
    let available = available_factors(ctx, record.organisation_id).await?;
    let known = known_factors(ctx, record.organisation_id).await?;
    let label_of = |code: &str| {
        known
            .iter()
            .find(|f| f.code == code)
            .map_or_else(|| code.to_owned(), |f| f.label.clone())
    };
    let factors = ctx
        .store
        .factors(record.investigation_id)
        .await?
        .into_iter()
        .map(|f| {
            let label = label_of(&f.item.code);
            let framework = framework_of(&f.item.code);
            (f, label, framework)
        })
        .collect::<Vec<_>>();
    let actions = ctx
        .store
        .investigation_actions(record.investigation_id)
        .await?;
    let openness = ctx.store.openness(incident.incident_id).await?;
    let gaps = completion_gaps(CompletionFacts {
        meetings: meetings.len(),
        events: timeline.len(),
        factors: factors.len(),
        has_findings: !record.findings.findings.is_empty(),
        has_involvement: !record.findings.family_questions.is_empty()
            || !record.findings.family_account.is_empty()
            || !openness.is_empty(),
        actions: actions.len(),
    });
    let open = record.status == InvestigationStatus::Open;
    Ok(InvestigationView {
        can_edit: open && may_edit(actor, &record, &service),
        can_complete: open && actor.can_in(Permission::SignOffIncidents, &service),
        record,
        incident,
        service,
        meetings,
        timeline,
        factors,
        actions,
        openness,
        available_factors: available,
        gaps,
    })
}

/// Loads an investigation the actor may add to, still open.
pub(crate) async fn editable(
    ctx: &Ctx,
    actor: &Actor,
    reference: &str,
) -> ActionResult<(InvestigationRecord, Incident, Service)> {
    let (record, incident, service) = find(ctx, actor, reference).await?;
    if !may_edit(actor, &record, &service) {
        return Err(ActionError::Forbidden);
    }
    if record.status != InvestigationStatus::Open {
        return Err(ActionError::Refused(vec![format!(
            "{} is completed: nothing more can be added",
            investigation_reference(record.number)
        )]));
    }
    Ok((record, incident, service))
}

/// Records a meeting of the multi-disciplinary team.
pub async fn add_meeting(
    ctx: &Ctx,
    actor: &Actor,
    reference: &str,
    draft: &MeetingDraft,
) -> ActionResult<()> {
    let (v, incident, _) = editable(ctx, actor, reference).await?;
    let now = ctx.clock.now();
    let m = draft
        .validate(incident.occurred_at, now)
        .map_err(ActionError::Invalid)?;
    let mut tx = ctx.store.begin().await?;
    insert_meeting(
        &mut tx,
        (v.investigation_id, v.organisation_id),
        &m,
        actor.user_id,
        now.as_millisecond(),
    )
    .await?;
    audit(
        &mut tx,
        &v,
        actor,
        "investigation.meeting_added",
        json!({"meeting": {"before": null, "after": {
        "held_on": m.held_on.to_string(), "attendees": m.attendees, "discussion": m.discussion, "decisions": m.decisions}}}),
        now.as_millisecond(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Adds an entry to the timeline.
pub async fn add_event(
    ctx: &Ctx,
    actor: &Actor,
    reference: &str,
    draft: &EventDraft,
) -> ActionResult<()> {
    let (v, _, _) = editable(ctx, actor, reference).await?;
    let now = ctx.clock.now();
    let e = draft.validate(now).map_err(ActionError::Invalid)?;
    let mut tx = ctx.store.begin().await?;
    insert_event(
        &mut tx,
        (v.investigation_id, v.organisation_id),
        &e,
        actor.user_id,
        now.as_millisecond(),
    )
    .await?;
    audit(
        &mut tx,
        &v,
        actor,
        "investigation.event_added",
        json!({"timeline": {"before": null, "after": {
        "on": e.on.to_string(), "at": e.at.map(|t| t.strftime("%H:%M").to_string()), "what": e.what, "source": e.source}}}),
        now.as_millisecond(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Tags a contributory factor.
pub async fn add_factor(
    ctx: &Ctx,
    actor: &Actor,
    reference: &str,
    draft: &FactorDraft,
) -> ActionResult<()> {
    let (v, _, _) = editable(ctx, actor, reference).await?;
    let available = available_factors(ctx, v.organisation_id).await?;
    let f = draft.validate(&available).map_err(ActionError::Invalid)?;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    insert_factor(
        &mut tx,
        (v.investigation_id, v.organisation_id),
        &f,
        actor.user_id,
        now.as_millisecond(),
    )
    .await?;
    audit(
        &mut tx,
        &v,
        actor,
        "investigation.factor_added",
        json!({"factor": {"before": null, "after": {"code": f.code, "note": f.note, "evidence": f.evidence}}}),
        now.as_millisecond(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The message for a change made on an older version.
fn changed_meanwhile() -> ActionError {
    ActionError::Conflict(
        "Someone saved the investigation while you were writing: your text is below the latest. Merge them and save again."
            .to_owned(),
    )
}

/// Saves the findings and the family's part, if nobody saved since `version`.
pub async fn save_findings(
    ctx: &Ctx,
    actor: &Actor,
    reference: &str,
    draft: &FindingsDraft,
    version: i64,
) -> ActionResult<()> {
    let (v, _, _) = editable(ctx, actor, reference).await?;
    let f: Findings = draft.validate().map_err(ActionError::Invalid)?;
    if version != v.version {
        return Err(changed_meanwhile());
    }
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    if !update_findings(
        &mut tx,
        v.investigation_id,
        &f,
        version,
        now.as_millisecond(),
    )
    .await?
    {
        return Err(changed_meanwhile());
    }
    let mut changes = serde_json::Map::new();
    for (field, before, after) in [
        ("findings", &v.findings.findings, &f.findings),
        (
            "family_questions",
            &v.findings.family_questions,
            &f.family_questions,
        ),
        (
            "family_account",
            &v.findings.family_account,
            &f.family_account,
        ),
    ] {
        if before != after {
            changes.insert(field.to_owned(), json!({"before": before, "after": after}));
        }
    }
    audit(
        &mut tx,
        &v,
        actor,
        "investigation.findings_saved",
        serde_json::Value::Object(changes),
        now.as_millisecond(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Completes the investigation: a manager who may sign off, with nothing missing.
pub async fn complete(ctx: &Ctx, actor: &Actor, reference: &str, version: i64) -> ActionResult<()> {
    let view = show_investigation(ctx, actor, reference).await?;
    if !actor.can_in(Permission::SignOffIncidents, &view.service) {
        return Err(ActionError::Forbidden);
    }
    let v = &view.record;
    if v.status != InvestigationStatus::Open {
        return Err(ActionError::Refused(vec![format!(
            "{} is already completed",
            investigation_reference(v.number)
        )]));
    }
    if !view.gaps.is_empty() {
        return Err(ActionError::Refused(view.gaps));
    }
    if version != v.version {
        return Err(changed_meanwhile());
    }
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    if !complete_investigation(
        &mut tx,
        v.investigation_id,
        actor.user_id,
        version,
        now.as_millisecond(),
    )
    .await?
    {
        return Err(changed_meanwhile());
    }
    audit(
        &mut tx,
        v,
        actor,
        "investigation.completed",
        json!({"status": {"before": "open", "after": "completed"}}),
        now.as_millisecond(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The investigations in every service where the actor may see incidents.
pub async fn investigation_list(
    ctx: &Ctx,
    actor: &Actor,
) -> ActionResult<Vec<InvestigationRecord>> {
    let services = super::services_where(ctx, actor, Permission::ViewIncidents).await?;
    if services.is_empty() {
        return Err(ActionError::Forbidden);
    }
    let ids: Vec<_> = services.iter().map(|s| s.service_id).collect();
    let hidden = ctx.store.hidden_from(actor.user_id).await?;
    Ok(ctx
        .store
        .investigations(actor.organisation_id, &ids)
        .await?
        .into_iter()
        .filter(|i| !hidden.contains(&i.incident_id))
        .collect())
}
