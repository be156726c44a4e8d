//! One incident as its reader sees it: what they may know of it, with the
//! reporter withheld on a report about staff from all but those handling it.

use super::incidents::{Reported, incident_in_scope};
use super::{ActionResult, Actor, Ctx};
use crate::store::addenda::Addendum;
use crate::store::anonymous::CaseMessage;
use crate::store::incidents::Incident;
use crate::store::involvements::{Involvement, StaffInvolvement};
use candour_domain::incident::IncidentReference;
use candour_domain::role::Permission;

/// An incident as its reader sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct IncidentView {
    /// The incident.
    pub incident: Incident,
    /// People using the service recorded against it.
    pub people: Vec<Involvement>,
    /// Staff recorded against it.
    pub staff: Vec<StaffInvolvement>,
    /// Whether the reader may open its history.
    pub can_view_history: bool,
    /// Addenda, correction requests and corrections, oldest first.
    pub addenda: Vec<Addendum>,
    /// Whether the reader reported it (may add and answer corrections).
    pub is_reporter: bool,
    /// Whether who reported it is kept from the reader (a report about
    /// staff, read by someone who does not handle it): the reporter, who
    /// entered it and the reporter's own additions carry no name.
    pub reporter_withheld: bool,
    /// Whether the reader reviews the service's incidents (may ask for corrections).
    pub is_reviewer: bool,
    /// For an anonymous report with a case code: the messages with its reporter.
    pub case_messages: Option<Vec<CaseMessage>>,
    /// Photos and documents added to it.
    pub attachments: Vec<crate::store::attachments::Attachment>,
    /// Feedback to the reporter, oldest first.
    pub feedback: Vec<crate::store::feedback::Feedback>,
    /// Whether the reader may triage and grade it.
    pub can_triage: bool,
    /// Whether the reader may sign it off and close it.
    pub can_sign_off: bool,
    /// Its status moves, oldest first (for reviewers).
    pub transitions: Vec<crate::store::workflow::TransitionRecord>,
    /// Managers' sign-offs with their recommendations, oldest first.
    pub sign_offs: Vec<crate::store::workflow::SignOffRecord>,
    /// Timescales missed, oldest first (for reviewers).
    pub breaches: Vec<crate::store::breaches::BreachRecord>,
    /// Actions from it (for reviewers).
    pub actions: Vec<crate::store::improvement::ImprovementAction>,
    /// Openness with the person and family (for reviewers).
    pub openness: Vec<crate::store::openness::OpennessRecord>,
    /// Its serious incident investigation, if there is one (for reviewers).
    pub investigation: Option<crate::store::investigations::InvestigationRecord>,
}

/// Opens one incident: for someone who may see incidents in its service, or
/// who reported it.
pub async fn show_incident(
    ctx: &Ctx,
    actor: &Actor,
    reference: IncidentReference,
) -> ActionResult<IncidentView> {
    let (incident, service) =
        incident_in_scope(ctx, actor, reference, Permission::ViewIncidents, true).await?;
    let people = ctx.store.involvements(incident.incident_id).await?;
    let staff = ctx.store.staff_involvements(incident.incident_id).await?;
    let can_view_history = actor.can_in(Permission::ViewAuditHistory, &service);
    let addenda = ctx.store.addenda(incident.incident_id).await?;
    let is_reporter = incident.reported_by == Some(actor.user_id);
    let is_reviewer = actor.can_in(Permission::ViewIncidents, &service);
    let case_messages = if ctx.store.has_case(incident.incident_id).await? {
        Some(ctx.store.case_messages(incident.incident_id).await?)
    } else {
        None
    };
    let attachments = ctx.store.attachments(incident.incident_id).await?;
    let feedback = ctx.store.feedback(incident.incident_id).await?;
    // The reporter has now seen what was new about this report. Checked
    // for this report only: a new report has nothing to mark, and its
    // submission should not queue for the writer a second time.
    if is_reporter
        && ctx
            .store
            .unread_about(actor.user_id, incident.incident_id)
            .await?
            > 0
    {
        let mut tx = ctx.store.begin().await?;
        crate::store::notifications::mark_read(
            &mut tx,
            actor.user_id,
            incident.incident_id,
            ctx.clock.now().as_millisecond(),
        )
        .await?;
        tx.commit().await?;
    }
    let (transitions, sign_offs, breaches, actions, openness) = if is_reviewer {
        (
            ctx.store.transitions(incident.incident_id).await?,
            ctx.store.sign_offs(incident.incident_id).await?,
            ctx.store.breaches(incident.incident_id).await?,
            ctx.store.incident_actions(incident.incident_id).await?,
            ctx.store.openness(incident.incident_id).await?,
        )
    } else {
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new())
    };
    let investigation = if is_reviewer {
        ctx.store
            .incident_investigation(incident.incident_id)
            .await?
    } else {
        None
    };
    let mut view = IncidentView {
        can_triage: actor.can_in(Permission::TriageIncidents, &service),
        can_sign_off: actor.can_in(Permission::SignOffIncidents, &service),
        reporter_withheld: false,
        transitions,
        sign_offs,
        breaches,
        actions,
        openness,
        investigation,
        feedback,
        attachments,
        case_messages,
        incident,
        people,
        staff,
        can_view_history,
        addenda,
        is_reporter,
        is_reviewer,
    };
    super::about_staff::protect(ctx, actor, &service, &mut view).await?;
    Ok(view)
}

/// The report `reported` has just made, as [`show_incident`] would show it,
/// without asking for what a report made in this request cannot have yet
/// (addenda, attachments, feedback, a case, unread news, transitions,
/// sign-offs, breaches, actions, openness, an investigation). Each read is
/// a round trip to the database's thread, so this keeps a submission's
/// answer to the three reads that can hold anything. A retry of a report
/// made earlier is shown in full.
pub async fn show_new_incident(
    ctx: &Ctx,
    actor: &Actor,
    reported: &Reported,
) -> ActionResult<IncidentView> {
    if reported.replayed {
        return show_incident(ctx, actor, reported.reference).await;
    }
    let (incident, service) = incident_in_scope(
        ctx,
        actor,
        reported.reference,
        Permission::ViewIncidents,
        true,
    )
    .await?;
    let people = ctx.store.involvements(incident.incident_id).await?;
    let staff = ctx.store.staff_involvements(incident.incident_id).await?;
    let mut view = IncidentView {
        can_triage: actor.can_in(Permission::TriageIncidents, &service),
        can_sign_off: actor.can_in(Permission::SignOffIncidents, &service),
        reporter_withheld: false,
        transitions: Vec::new(),
        sign_offs: Vec::new(),
        breaches: Vec::new(),
        actions: Vec::new(),
        openness: Vec::new(),
        investigation: None,
        feedback: Vec::new(),
        attachments: Vec::new(),
        case_messages: None,
        is_reporter: incident.reported_by == Some(actor.user_id),
        is_reviewer: actor.can_in(Permission::ViewIncidents, &service),
        can_view_history: actor.can_in(Permission::ViewAuditHistory, &service),
        incident,
        people,
        staff,
        addenda: Vec::new(),
    };
    super::about_staff::protect(ctx, actor, &service, &mut view).await?;
    Ok(view)
}
