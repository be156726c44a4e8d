//! Reporting an incident and reading incidents back, within the actor's scope.

use super::{ActionError, ActionResult, Actor, Ctx, created_changes, service_where};
use crate::store::Tx;
use crate::store::audit::{NewAuditEvent, append};
use crate::store::idempotency::claim_key;
use crate::store::incidents::{
    Incident, IncidentFilter, IncidentInsert, IncidentSummary, ListCursor, insert_incident,
    next_reference,
};
use crate::store::involvements::insert_involved;
use crate::store::organisations::Service;
use candour_domain::ids::{IncidentId, PersonId, ServiceId, UserId};
use candour_domain::incident::{
    Category, IncidentReference, InvolvementRole, NewIncident, ReportDraft, check_idempotency_key,
};
use candour_domain::involvement::{Involved, Party};
use candour_domain::role::Permission;
use candour_domain::validation::FieldErrors;
use jiff::Timestamp;
use serde_json::json;

pub use super::incident_view::{IncidentView, show_incident, show_new_incident};

/// How many rows a list page holds.
pub const PAGE_SIZE: i64 = 50;

/// What the reporter is told once the report is safely stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Reported {
    /// The new incident's id.
    pub incident_id: IncidentId,
    /// Its reference, such as `INC-000123`.
    pub reference: IncidentReference,
    /// True when this was a retry of a report already made with the same key.
    pub replayed: bool,
}

/// Reports an incident, near miss or good practice. Returns only after the
/// report and its audit event are durably committed.
pub async fn report_incident(
    ctx: &Ctx,
    actor: &Actor,
    draft: &ReportDraft,
) -> ActionResult<Reported> {
    report_incident_once(ctx, actor, draft, None).await
}

/// Reports once per idempotency key: a retry with the same key and the same
/// report returns the report already made; the same key with a different
/// report is a conflict. Nothing is half-saved either way.
pub async fn report_incident_once(
    ctx: &Ctx,
    actor: &Actor,
    draft: &ReportDraft,
    key: Option<&str>,
) -> ActionResult<Reported> {
    if let Some(k) = key
        && let Err(message) = check_idempotency_key(k)
    {
        let mut e = FieldErrors::new();
        e.add("idempotency_key", message);
        return Err(ActionError::Invalid(e));
    }
    let now = ctx.clock.now();
    let new = match draft.validate(now) {
        Ok(n) => n,
        Err(errors) => return Err(ActionError::Invalid(errors)),
    };
    let mut errors = FieldErrors::new();
    let service = match service_where(ctx, actor, new.service_id, Permission::ReportIncident).await
    {
        Ok(s) => s,
        Err(ActionError::NotFound | ActionError::Forbidden) => {
            errors.add("service_id", "Choose one of your services");
            return Err(ActionError::Invalid(errors));
        }
        Err(e) => return Err(e),
    };
    if let Some(area) = new.area_id {
        let areas = ctx
            .store
            .areas(actor.organisation_id, service.service_id)
            .await?;
        if !areas.iter().any(|a| a.area_id == area) {
            errors.add("area_id", format!("Choose an area of {}", service.name));
        }
    }
    check_parties(ctx, &service, &new, &mut errors).await?;
    if !errors.is_empty() {
        return Err(ActionError::Invalid(errors));
    }
    let (reporter, entered_by) = match draft.on_behalf_of.trim() {
        "" => (actor.user_id, None),
        named => (
            reporter_for(ctx, actor, &service, named).await?,
            Some(actor.user_id),
        ),
    };
    let incident_id = IncidentId(uuid::Uuid::now_v7());
    let due = super::timescales::triage_due(ctx, &service, new.category, now).await?;
    let mut tx = ctx.store.begin().await?;
    if let Some(key) = key {
        let hash = draft.fingerprint();
        let claimed = claim_key(
            &mut tx,
            actor.user_id,
            key,
            actor.organisation_id,
            &hash,
            incident_id,
            now.as_millisecond(),
        )
        .await?;
        if !claimed {
            drop(tx); // nothing was written
            return replay(ctx, actor, key, &hash).await;
        }
    }
    let reference = write_report(
        &mut tx,
        &service,
        &new,
        incident_id,
        (Some(reporter), entered_by),
        &actor.audit_name(),
        (now, due),
    )
    .await?;
    alert_if_urgent(ctx, &mut tx, &service, &new, (incident_id, reference), due).await?;
    if let Ok(id) = draft.draft_id.trim().parse::<uuid::Uuid>() {
        // The draft is done with: gone in the same transaction as the report is filed.
        crate::store::drafts::delete_draft(&mut tx, actor.user_id, id).await?;
    }
    tx.commit().await?;
    Ok(Reported {
        replayed: false,
        incident_id,
        reference,
    })
}

/// Deaths and safeguarding concerns need a manager at once: tells them,
/// inside the report's transaction.
pub(crate) async fn alert_if_urgent(
    ctx: &Ctx,
    tx: &mut Tx,
    service: &Service,
    new: &NewIncident,
    ids: (IncidentId, IncidentReference),
    due: Timestamp,
) -> ActionResult<()> {
    if candour_domain::timescales::urgent_on_report(new.category) {
        let why = match new.category {
            candour_domain::incident::Category::Death => "a death",
            _ => "a safeguarding concern",
        };
        let named: Vec<UserId> = new
            .involved
            .iter()
            .filter_map(|l| match l.party {
                Party::Staff(u) if candour_domain::about_staff::hides_report(l.role) => Some(u),
                _ => None,
            })
            .collect();
        let leads_too = new.category == candour_domain::incident::Category::Safeguarding;
        super::breaches::alert_urgent(ctx, tx, service, ids, why, due, (&named, leads_too)).await?;
    }
    Ok(())
}

/// Checks that everyone named belongs to the service: people on its
/// register, staff who work there. Adds an error per field that fails.
async fn check_parties(
    ctx: &Ctx,
    service: &Service,
    new: &NewIncident,
    errors: &mut FieldErrors,
) -> ActionResult<()> {
    let org = service.organisation_id;
    let named = |lines: &[Involved]| -> Vec<PersonId> {
        lines
            .iter()
            .filter_map(|l| match l.party {
                Party::Person(p) => Some(p),
                Party::Staff(_) => None,
            })
            .collect()
    };
    let found = ctx
        .store
        .people_in_service(org, service.service_id, &new.affected)
        .await?;
    if found.len() != new.affected.len() {
        errors.add(
            "affected_person_ids",
            format!("Choose people who use {}", service.name),
        );
    }
    let mut others = named(&new.involved);
    others.sort();
    others.dedup();
    let found = ctx
        .store
        .people_in_service(org, service.service_id, &others)
        .await?;
    let staff: Vec<UserId> = new
        .involved
        .iter()
        .filter_map(|l| match l.party {
            Party::Staff(u) => Some(u),
            Party::Person(_) => None,
        })
        .collect();
    let working_here = works_at(ctx, service, &staff).await?;
    if found.len() != others.len() || staff.iter().any(|u| !working_here.contains(u)) {
        errors.add(
            "involved",
            format!(
                "Choose people who use {0} and staff who work at {0}",
                service.name
            ),
        );
    }
    Ok(())
}

/// The staff who work at a service (may report there), by name: the staff
/// list for "who was involved" and for reporting on someone's behalf.
pub async fn staff_of_service(ctx: &Ctx, service: &Service) -> ActionResult<Vec<(UserId, String)>> {
    let all = ctx.store.staff_with_grants(service.organisation_id).await?;
    Ok(all
        .into_iter()
        .filter(|(_, _, grants)| may_report_at(grants, service))
        .map(|(id, name, _)| (id, name))
        .collect())
}

/// Whether these grants let someone report at `service` (work there).
fn may_report_at(grants: &[candour_domain::role::Grant], service: &Service) -> bool {
    candour_domain::role::grants_allow(
        grants,
        Permission::ReportIncident,
        service.service_id,
        service.region_id,
    )
}

/// Those of `staff` who work at `service` (may report there). Reads only the
/// people named, so it costs nothing when no one is.
async fn works_at(ctx: &Ctx, service: &Service, staff: &[UserId]) -> ActionResult<Vec<UserId>> {
    if staff.is_empty() {
        return Ok(Vec::new());
    }
    let named = ctx
        .store
        .named_staff_with_grants(service.organisation_id, staff)
        .await?;
    Ok(named
        .into_iter()
        .filter(|(_, _, grants)| may_report_at(grants, service))
        .map(|(id, _, _)| id)
        .collect())
}

/// Writes a checked report inside `tx`: its reference, the row, who was
/// involved and the audit event. Shared by signed-in and anonymous reporting.
pub(crate) async fn write_report(
    tx: &mut Tx,
    service: &Service,
    new: &NewIncident,
    incident_id: IncidentId,
    (reporter, entered_by): (Option<UserId>, Option<UserId>),
    audit_actor: &str,
    (now, triage_due_at): (Timestamp, Timestamp),
) -> ActionResult<IncidentReference> {
    let org = service.organisation_id;
    let details_json = new.details.to_json();
    let told_codes: Vec<&str> = new.told.iter().map(|t| t.code()).collect();
    let told_json = serde_json::to_string(&told_codes).unwrap_or_else(|_| "[]".to_owned());
    let reference = next_reference(tx, org).await?;
    insert_incident(
        tx,
        &IncidentInsert {
            incident_id,
            organisation_id: org,
            service_id: service.service_id,
            area_id: new.area_id,
            reference,
            kind: new.kind,
            category: new.category,
            occurred_at: new.occurred_at,
            reported_at: now,
            reported_by: reporter,
            description: &new.description,
            immediate_actions: &new.immediate_actions,
            others_involved: &new.others_involved,
            details: &details_json,
            told: &told_json,
            written_at: new.written_at,
            entered_by,
            triage_due_at,
            progress: None,
        },
    )
    .await?;
    let affected = new.affected.iter().map(|p| Involved {
        party: Party::Person(*p),
        role: InvolvementRole::Affected,
    });
    let mut lines: Vec<Involved> = Vec::new();
    for line in affected.chain(new.involved.iter().copied()) {
        if !lines.contains(&line) {
            insert_involved(tx, org, incident_id, &line).await?;
            lines.push(line);
        }
    }
    let changes = created_changes(&[
        ("reference", json!(reference.to_string())),
        ("kind", json!(new.kind.code())),
        ("category", json!(new.category.code())),
        ("service_id", json!(service.service_id)),
        ("area_id", json!(new.area_id)),
        ("occurred_at", json!(new.occurred_at.as_millisecond())),
        ("description", json!(new.description)),
        ("immediate_actions", json!(new.immediate_actions)),
        ("others_involved", json!(new.others_involved)),
        (
            "details",
            serde_json::from_str(&details_json).unwrap_or_default(),
        ),
        ("told", json!(told_codes)),
        ("reported_by", json!(reporter)),
        ("entered_by", json!(entered_by)),
        ("affected_person_ids", json!(new.affected)),
        (
            "involved",
            json!(
                new.involved
                    .iter()
                    .map(|l| json!({"who": l.party.code(), "role": l.role.code()}))
                    .collect::<Vec<_>>()
            ),
        ),
    ]);
    append(
        tx,
        &NewAuditEvent {
            organisation_id: org,
            occurred_at_ms: now.as_millisecond(),
            actor: audit_actor,
            action: "incident.reported",
            record_type: "incident",
            record_id: &incident_id.to_string(),
            changes: &changes,
        },
    )
    .await?;
    Ok(reference)
}

/// Checks a report entered for someone else: the person entering must review
/// the service's incidents, and the named colleague must be able to report there.
async fn reporter_for(
    ctx: &Ctx,
    actor: &Actor,
    service: &Service,
    named: &str,
) -> ActionResult<UserId> {
    let refuse = |message: &str| {
        let mut e = FieldErrors::new();
        e.add("on_behalf_of", message);
        ActionError::Invalid(e)
    };
    if !actor.can_in(Permission::ViewIncidents, service) {
        return Err(refuse(
            "Only a senior carer or a manager of this service can enter a report for someone else",
        ));
    }
    let id: UserId = named
        .parse()
        .map_err(|_| refuse("Choose the member of staff from the list"))?;
    let can_report = works_at(ctx, service, &[id]).await?.contains(&id);
    if can_report {
        Ok(id)
    } else {
        Err(refuse(&format!(
            "Choose someone who works at {}",
            service.name
        )))
    }
}

/// Answers a retried submission from what its key was first used for.
async fn replay(ctx: &Ctx, actor: &Actor, key: &str, hash: &str) -> ActionResult<Reported> {
    let used = ctx
        .store
        .used_key(actor.user_id, key)
        .await?
        .ok_or_else(|| {
            anyhow::anyhow!("idempotency key {key:?} was claimed but its report is missing")
        })?;
    if used.request_hash != hash {
        return Err(ActionError::Conflict(format!(
            "This Idempotency-Key was already used for a different report ({}). Use a new key for a new report.",
            used.reference
        )));
    }
    Ok(Reported {
        incident_id: used.incident_id,
        reference: used.reference,
        replayed: true,
    })
}

/// Loads an incident of the actor's organisation with its service, if the
/// actor holds `permission` there (or, when `own_allowed`, reported it).
/// Absent, another organisation's and out-of-scope all answer `NotFound`, so
/// existence does not leak.
pub(crate) async fn incident_in_scope(
    ctx: &Ctx,
    actor: &Actor,
    reference: IncidentReference,
    permission: Permission,
    own_allowed: bool,
) -> ActionResult<(Incident, Service)> {
    let incident = ctx
        .store
        .incident_by_reference(actor.organisation_id, reference)
        .await?
        .ok_or(ActionError::NotFound)?;
    let service = ctx
        .store
        .service(actor.organisation_id, incident.service_id)
        .await?;
    let own = own_allowed && incident.reported_by == Some(actor.user_id);
    if own {
        return Ok((incident, service));
    }
    // A designated safeguarding lead reads the safeguarding concerns of
    // their scope (as reported or as triaged), and nothing else.
    let safeguarding = incident.category == Category::Safeguarding
        || incident
            .grading
            .as_ref()
            .is_some_and(|g| g.category == Category::Safeguarding);
    let reads_concern = safeguarding
        && matches!(
            permission,
            Permission::ViewIncidents | Permission::ViewAuditHistory
        )
        && actor.can_in(Permission::ViewSafeguarding, &service);
    // The board-level person the organisation designates reads a report
    // alleging harm by a head of operations (and no other).
    let reading = matches!(
        permission,
        Permission::ViewIncidents | Permission::ViewAuditHistory
    );
    let designate = reading
        && !actor.can_in(permission, &service)
        && super::designate::reads_as_designate(ctx, actor, (&incident, &service)).await?;
    // A report naming the actor as alleged to have caused harm does not
    // exist for them, whatever they may otherwise do in its service.
    if (actor.can_in(permission, &service) || reads_concern || designate)
        && !ctx
            .store
            .is_hidden_from(incident.incident_id, actor.user_id)
            .await?
    {
        Ok((incident, service))
    } else {
        Err(ActionError::NotFound)
    }
}

/// A page of incidents in the services the actor may see, optionally one service only.
pub async fn list_incidents(
    ctx: &Ctx,
    actor: &Actor,
    service: Option<ServiceId>,
    filter: &IncidentFilter,
    after: Option<ListCursor>,
) -> ActionResult<Vec<IncidentSummary>> {
    // Services where the actor sees every report, and those where they see
    // only safeguarding concerns (as a designated safeguarding lead).
    let services = match service {
        Some(id) => vec![ctx.store.service(actor.organisation_id, id).await?],
        None => ctx.store.services(actor.organisation_id).await?,
    };
    let (mut every, mut safeguarding) = (Vec::new(), Vec::new());
    for s in services {
        if actor.can_in(Permission::ViewIncidents, &s) {
            every.push(s.service_id);
        } else if actor.can_in(Permission::ViewSafeguarding, &s) {
            safeguarding.push(s.service_id);
        }
    }
    if every.is_empty() && safeguarding.is_empty() {
        return Err(ActionError::Forbidden);
    }
    let filter = IncidentFilter {
        hidden_from: Some(actor.user_id),
        ..filter.clone()
    };
    let mut page = ctx
        .store
        .incidents_in_services(actor.organisation_id, &every, &filter, after, PAGE_SIZE)
        .await?;
    if !safeguarding.is_empty() && filter.category.is_none_or(|c| c == Category::Safeguarding) {
        let only = IncidentFilter {
            category: Some(Category::Safeguarding),
            ..filter
        };
        page.extend(
            ctx.store
                .incidents_in_services(
                    actor.organisation_id,
                    &safeguarding,
                    &only,
                    after,
                    PAGE_SIZE,
                )
                .await?,
        );
        page.sort_by_key(|s| std::cmp::Reverse((s.reported_at, s.incident_id)));
        page.truncate(usize::try_from(PAGE_SIZE).unwrap_or(0));
    }
    Ok(page)
}

/// The actor's own reports, newest first.
pub async fn my_reports(ctx: &Ctx, actor: &Actor) -> ActionResult<Vec<IncidentSummary>> {
    Ok(ctx.store.incidents_reported_by(actor.user_id, 200).await?)
}

/// The actor's notifications, newest first, without any about a report
/// that names them as alleged to have caused harm (they may have been told
/// of it before they were named).
pub async fn my_notifications(
    ctx: &Ctx,
    actor: &Actor,
    limit: i64,
) -> ActionResult<Vec<crate::store::notifications::Notification>> {
    let all = ctx.store.notifications(actor.user_id, limit).await?;
    let hidden: Vec<IncidentId> = ctx
        .store
        .hidden_from(actor.user_id)
        .await?
        .into_iter()
        .collect();
    if hidden.is_empty() {
        return Ok(all);
    }
    let references: std::collections::HashSet<String> = ctx
        .store
        .incidents_by_ids(actor.organisation_id, &hidden)
        .await?
        .into_iter()
        .map(|i| i.reference.to_string())
        .collect();
    Ok(all
        .into_iter()
        .filter(|n| !references.contains(&n.reference))
        .collect())
}
