//! Reports about staff, as the actions apply `candour_domain::about_staff`:
//! a report naming someone as alleged to have caused harm does not exist
//! for them (`incident_in_scope`, the lists and the queues leave it out);
//! on a report about staff the reporter is withheld from all but those who
//! handle it, and every reading of it is in the audit trail; and staff can
//! be named after the report was made, at triage or in review.

use super::incident_view::IncidentView;
use super::incidents::{incident_in_scope, staff_of_service};
use super::{ActionError, ActionResult, Actor, Ctx, audit_now};
use crate::store::improvement::ImprovementAction;
use crate::store::incidents::Incident;
use crate::store::involvements::{StaffInvolvement, insert_involved};
use crate::store::organisations::Service;
use candour_domain::about_staff::{handles_reports_about_staff, hides_report, is_about_staff};
use candour_domain::details::Details;
use candour_domain::ids::UserId;
use candour_domain::incident::{IncidentReference, InvolvementRole};
use candour_domain::involvement::{Involved, Party};
use candour_domain::role::Permission;
use candour_domain::validation::FieldErrors;
use serde_json::json;

/// What is shown for a withheld reporter.
pub const WITHHELD: &str = "The reporter (withheld)";

/// Whether `actor` handles reports about staff in `service`: a registered
/// manager or above in the line over it, or quality assurance.
pub fn handles_in(actor: &Actor, service: &Service) -> bool {
    service.organisation_id == actor.organisation_id
        && actor.grants.iter().any(|g| {
            handles_reports_about_staff(g.role)
                && g.scope.covers(service.service_id, service.region_id)
        })
}

/// Whether `incident`, with `staff` named in it, is a report about staff.
pub fn report_is_about_staff(incident: &Incident, staff: &[StaffInvolvement]) -> bool {
    is_about_staff(
        staff.iter().any(|s| hides_report(s.role)),
        &Details::from_json(&incident.details_json),
    )
}

/// Whether `actor` is kept from knowing who reported `incident` (with
/// `staff` named in it), in `service`.
pub fn reporter_withheld_from(
    actor: &Actor,
    (incident, service): (&Incident, &Service),
    staff: &[StaffInvolvement],
) -> bool {
    report_is_about_staff(incident, staff)
        && incident.reported_by != Some(actor.user_id)
        && !handles_in(actor, service)
}

/// Applies the rules to a view about to be shown to `actor`: a report
/// about staff has its reading recorded in the audit trail and, unless the
/// reader made it or handles it, who reported it withheld.
pub(crate) async fn protect(
    ctx: &Ctx,
    actor: &Actor,
    service: &Service,
    view: &mut IncidentView,
) -> ActionResult<()> {
    if !report_is_about_staff(&view.incident, &view.staff) {
        return Ok(());
    }
    let mut tx = ctx.store.begin().await?;
    audit_now(
        ctx,
        &mut tx,
        actor,
        (
            "incident",
            &view.incident.incident_id.to_string(),
            "incident.read_about_staff",
        ),
        &json!({}),
    )
    .await?;
    tx.commit().await?;
    if !view.is_reporter && !handles_in(actor, service) {
        withhold_reporter(view);
    }
    Ok(())
}

/// Takes every trace of who reported it out of `view`.
fn withhold_reporter(view: &mut IncidentView) {
    let reporter = view.incident.reported_by.take();
    let name = view.incident.reporter_name.take();
    view.incident.entered_by = None;
    view.reporter_withheld = true;
    for a in &mut view.addenda {
        if Some(a.author_id) == reporter {
            a.author_name = WITHHELD.to_owned();
        }
    }
    for a in &mut view.attachments {
        if name.is_some() && a.uploaded_by_name == name {
            a.uploaded_by_name = Some(WITHHELD.to_owned());
        }
    }
}

/// Names a member of staff who works at the report's service as having
/// `part` in it, after it was made: for those who triage the service's
/// reports, and for the reporter. Someone named as alleged to have caused
/// harm loses sight of the report from then on (even the actor, if they
/// name themselves). Naming someone twice in one part changes nothing.
/// Answers whether the actor may still see the report.
pub async fn name_staff(
    ctx: &Ctx,
    actor: &Actor,
    reference: IncidentReference,
    user: &str,
    part: &str,
) -> ActionResult<bool> {
    let (incident, service) =
        incident_in_scope(ctx, actor, reference, Permission::TriageIncidents, true).await?;
    let mut errors = FieldErrors::new();
    let staff = staff_of_service(ctx, &service).await?;
    let named = user
        .trim()
        .parse::<UserId>()
        .ok()
        .and_then(|u| staff.iter().find(|(id, _)| *id == u));
    if named.is_none() {
        errors.add(
            "user_id",
            format!("Choose a member of staff who works at {}", service.name),
        );
    }
    let role = InvolvementRole::parse(part.trim());
    if role.is_none() {
        errors.add(
            "role",
            "Say what part they played: witness, alleged to have caused harm, affected or staff involved",
        );
    }
    let (Some((user_id, _)), Some(role)) = (named, role) else {
        return Err(ActionError::Invalid(errors));
    };
    let already = ctx
        .store
        .staff_involvements(incident.incident_id)
        .await?
        .iter()
        .any(|s| s.user_id == *user_id && s.role == role);
    let still_seen = !(hides_report(role)
        && *user_id == actor.user_id
        && incident.reported_by != Some(actor.user_id));
    if already {
        return Ok(still_seen);
    }
    let mut tx = ctx.store.begin().await?;
    insert_involved(
        &mut tx,
        actor.organisation_id,
        incident.incident_id,
        &Involved {
            party: Party::Staff(*user_id),
            role,
        },
    )
    .await?;
    audit_now(
        ctx,
        &mut tx,
        actor,
        (
            "incident",
            &incident.incident_id.to_string(),
            "incident.staff_named",
        ),
        &json!({ "staff": { "before": null, "after": { "user_id": user_id, "role": role.code() } } }),
    )
    .await?;
    tx.commit().await?;
    Ok(still_seen)
}

/// `incident`, unless it names `actor` as alleged to have caused harm (then
/// it does not exist for them).
pub(crate) async fn unless_hidden(
    ctx: &Ctx,
    actor: &Actor,
    incident: Option<Incident>,
) -> ActionResult<Option<Incident>> {
    Ok(match incident {
        Some(i)
            if ctx
                .store
                .is_hidden_from(i.incident_id, actor.user_id)
                .await? =>
        {
            None
        }
        other => other,
    })
}

/// Takes the reports hidden from `actor` out of `actions`: their links go,
/// and an action that came only from such reports goes with them.
pub(crate) async fn without_hidden_actions(
    ctx: &Ctx,
    actor: &Actor,
    actions: Vec<ImprovementAction>,
) -> ActionResult<Vec<ImprovementAction>> {
    let hidden = ctx.store.hidden_from(actor.user_id).await?;
    if hidden.is_empty() {
        return Ok(actions);
    }
    Ok(actions
        .into_iter()
        .filter_map(|mut a| {
            let linked = !a.incidents.is_empty();
            a.incidents.retain(|(id, _)| !hidden.contains(id));
            (!linked || !a.incidents.is_empty()).then_some(a)
        })
        .collect())
}
