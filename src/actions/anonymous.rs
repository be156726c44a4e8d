//! Anonymous reporting. Each service has a public link that needs no
//! sign-in; the reporter gets a case code (only its hash is kept) and uses it
//! to see the status of the report and to exchange messages with the handler,
//! still anonymously. Guessing codes is throttled per address.

use super::incidents::{incident_in_scope, write_report};
use super::{ActionError, ActionResult, Actor, Ctx};
use crate::secrets::{hash_secret, new_secret};
use crate::store::anonymous::{
    CaseMessage, case_failures, insert_case, insert_lookup, insert_message, mark_lookup_found,
    public_submissions, record_public_submission, set_public_token,
};
use crate::store::audit::{NewAuditEvent, append};
use crate::store::organisations::Service;
use candour_domain::case_code;
use candour_domain::ids::{IncidentId, OrganisationId, ServiceId};
use candour_domain::incident::{IncidentReference, ReportDraft, check_addendum_text};
use candour_domain::role::Permission;
use candour_domain::validation::FieldErrors;
use serde_json::json;

/// Failed code look-ups from one address before it must wait.
pub const MAX_CASE_FAILURES: i64 = 10;
/// The window (and the wait), in seconds.
pub const CASE_WINDOW_SECONDS: i64 = 15 * 60;
/// Anonymous reports accepted from one address in [`SUBMISSION_WINDOW_SECONDS`]
/// (a care home's staff may share one address, so this is generous).
pub const MAX_SUBMISSIONS_PER_ADDRESS: i64 = 10;
/// The window anonymous reports are counted in.
pub const SUBMISSION_WINDOW_SECONDS: i64 = 60 * 60;

/// The service behind a public link; `NotFound` for an unknown link.
pub async fn public_service(ctx: &Ctx, token: &str) -> ActionResult<Service> {
    ctx.store
        .service_by_public_token(token)
        .await?
        .ok_or(ActionError::NotFound)
}

/// A service's public reporting token, made on first use, for someone who
/// oversees the service (to print the poster).
pub async fn public_token(
    ctx: &Ctx,
    actor: &Actor,
    service: ServiceId,
) -> ActionResult<(Service, String)> {
    let s = ctx.store.service(actor.organisation_id, service).await?;
    if !actor.can_in(Permission::ViewIncidents, &s) && !actor.can_in(Permission::ManagePeople, &s) {
        return Err(ActionError::Forbidden);
    }
    if let Some(t) = ctx.store.public_token(service).await? {
        return Ok((s, t));
    }
    let token = new_secret("")?.chars().take(22).collect::<String>();
    let now = ctx.clock.now().as_millisecond();
    let mut tx = ctx.store.begin().await?;
    set_public_token(&mut tx, service, &token).await?;
    append(
        &mut tx,
        &NewAuditEvent {
            organisation_id: actor.organisation_id,
            occurred_at_ms: now,
            actor: &actor.audit_name(),
            action: "service.public_link_created",
            record_type: "service",
            record_id: &service.to_string(),
            changes: &json!({"public_link": {"before": null, "after": "(created)"}}).to_string(),
        },
    )
    .await?;
    tx.commit().await?;
    // Another manager may have made it at the same moment: read back the one kept.
    let token = ctx.store.public_token(service).await?.unwrap_or(token);
    Ok((s, token))
}

/// A new case code, as shown to the reporter.
pub(crate) fn new_case_code() -> anyhow::Result<String> {
    let mut bytes = [0u8; case_code::LENGTH];
    getrandom::fill(&mut bytes)
        .map_err(|e| anyhow::anyhow!("the system random source failed: {e}"))?;
    Ok(case_code::from_random(&bytes))
}

/// Files an anonymous report through a public link. Returns the reference and
/// the case code (formatted), which is shown once and never stored.
pub async fn report_anonymously(
    ctx: &Ctx,
    token: &str,
    draft: &ReportDraft,
    ip: &str,
) -> ActionResult<(IncidentReference, String)> {
    let service = public_service(ctx, token).await?;
    let now_ms = ctx.clock.now().as_millisecond();
    let window_start = now_ms - SUBMISSION_WINDOW_SECONDS * 1000;
    let mut draft = draft.clone();
    draft.service_id = service.service_id.to_string();
    let now = ctx.clock.now();
    let new = draft.validate(now).map_err(ActionError::Invalid)?;
    let mut errors = FieldErrors::new();
    if !new.affected.is_empty() {
        errors.add(
            "affected_person_ids",
            "People cannot be named on the public form: describe them instead",
        );
    }
    if !new.involved.is_empty() {
        errors.add(
            "involved",
            "People cannot be named on the public form: describe them instead",
        );
    }
    if let Some(area) = new.area_id
        && !ctx
            .store
            .areas(service.organisation_id, service.service_id)
            .await?
            .iter()
            .any(|a| a.area_id == area)
    {
        errors.add("area_id", format!("Choose an area of {}", service.name));
    }
    if !errors.is_empty() {
        return Err(ActionError::Invalid(errors));
    }
    let code = new_case_code()?;
    let incident_id = IncidentId(uuid::Uuid::now_v7());
    let due = super::timescales::triage_due(ctx, &service, new.category, now).await?;
    let mut tx = ctx.store.begin().await?;
    // Counted in the report's own transaction, so reports sent at once count each other.
    tx.serialise_on(&format!("public address:{ip}")).await?;
    let (sent, earliest) = public_submissions(&mut tx, ip, window_start).await?;
    if sent >= MAX_SUBMISSIONS_PER_ADDRESS {
        let free_at = earliest.unwrap_or(now_ms) + SUBMISSION_WINDOW_SECONDS * 1000;
        return Err(ActionError::Throttled {
            retry_after_seconds: ((free_at - now_ms) / 1000).max(1),
        });
    }
    let reference = write_report(
        &mut tx,
        &service,
        &new,
        incident_id,
        (None, None),
        "anonymous",
        (now, due),
    )
    .await?;
    super::incidents::alert_if_urgent(ctx, &mut tx, &service, &new, (incident_id, reference), due)
        .await?;
    insert_case(
        &mut tx,
        service.organisation_id,
        incident_id,
        &hash_secret(&code),
        now.as_millisecond(),
    )
    .await?;
    record_public_submission(
        &mut tx,
        ip,
        now_ms,
        (window_start, now_ms - CASE_WINDOW_SECONDS * 1000),
    )
    .await?;
    tx.commit().await?;
    Ok((reference, case_code::formatted(&code)))
}

/// What an anonymous reporter sees with their code.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseView {
    /// The report's reference.
    pub reference: IncidentReference,
    /// Kind label.
    pub kind: &'static str,
    /// Category label.
    pub category: &'static str,
    /// Status label.
    pub status: &'static str,
    /// The service.
    pub service_name: String,
    /// When it was reported.
    pub reported_at: jiff::Timestamp,
    /// Messages, oldest first.
    pub messages: Vec<CaseMessage>,
    /// Feedback from the service: what they found and what changed.
    pub feedback: Vec<crate::store::feedback::Feedback>,
}

/// Opens a case by its code from `ip`. A wrong code and a code that never
/// existed get the same answer (`NotFound`) by the same path.
pub async fn open_case(
    ctx: &Ctx,
    code: &str,
    ip: &str,
) -> ActionResult<(CaseView, OrganisationId, IncidentId)> {
    let (org, incident_id) = find_by_code(ctx, code, ip, |hash| async move {
        ctx.store.case_by_hash(&hash).await
    })
    .await?;
    let view = case_view(ctx, org, incident_id).await?;
    Ok((view, org, incident_id))
}

/// What a case code opens, looked up from `ip` by `find` (given the code's
/// hash). Ten failures from one address in [`CASE_WINDOW_SECONDS`] must
/// wait, whatever kind of case they tried; a malformed code is hashed and
/// looked up like any other, so it takes the same time and path.
pub(crate) async fn find_by_code<T, F, Fut>(
    ctx: &Ctx,
    code: &str,
    ip: &str,
    find: F,
) -> ActionResult<T>
where
    F: FnOnce(String) -> Fut,
    Fut: std::future::Future<Output = crate::store::StoreResult<Option<T>>>,
{
    let now = ctx.clock.now().as_millisecond();
    // Counted before the code is looked up, in one step with the counting,
    // so look-ups sent at once count each other.
    let mut tx = ctx.store.begin().await?;
    tx.serialise_on(&format!("case address:{ip}")).await?;
    if case_failures(&mut tx, ip, now - CASE_WINDOW_SECONDS * 1000).await? >= MAX_CASE_FAILURES {
        return Err(ActionError::Throttled {
            retry_after_seconds: CASE_WINDOW_SECONDS,
        });
    }
    let lookup = insert_lookup(&mut tx, ip, now).await?;
    tx.commit().await?;
    let normalised = case_code::normalise(code).unwrap_or_else(|| code.to_owned());
    let found = find(hash_secret(&normalised)).await?;
    if found.is_some() {
        let mut tx = ctx.store.begin().await?;
        mark_lookup_found(&mut tx, lookup).await?;
        tx.commit().await?;
    }
    found.ok_or(ActionError::NotFound)
}

async fn case_view(
    ctx: &Ctx,
    org: OrganisationId,
    incident_id: IncidentId,
) -> ActionResult<CaseView> {
    let summary = ctx
        .store
        .incident_by_id(org, incident_id)
        .await?
        .ok_or(ActionError::NotFound)?;
    Ok(CaseView {
        reference: summary.reference,
        kind: summary.kind.label(),
        category: summary.category.label(),
        status: summary.status.label(),
        service_name: summary.service_name,
        reported_at: summary.reported_at,
        messages: ctx.store.case_messages(incident_id).await?,
        feedback: ctx.store.feedback(incident_id).await?,
    })
}

/// The anonymous reporter sends a message on their case.
pub async fn message_from_reporter(
    ctx: &Ctx,
    code: &str,
    ip: &str,
    text: &str,
) -> ActionResult<CaseView> {
    let (_, org, incident_id) = open_case(ctx, code, ip).await?;
    let body = check_addendum_text(text).map_err(ActionError::Invalid)?;
    add_message(ctx, org, incident_id, None, "anonymous", &body).await?;
    case_view(ctx, org, incident_id).await
}

/// The handler replies to an anonymous reporter.
pub async fn reply_to_reporter(
    ctx: &Ctx,
    actor: &Actor,
    reference: IncidentReference,
    text: &str,
) -> ActionResult<()> {
    let (incident, _) =
        incident_in_scope(ctx, actor, reference, Permission::ViewIncidents, false).await?;
    if !ctx.store.has_case(incident.incident_id).await? {
        return Err(ActionError::NotFound);
    }
    let body = check_addendum_text(text).map_err(ActionError::Invalid)?;
    add_message(
        ctx,
        actor.organisation_id,
        incident.incident_id,
        Some(actor),
        &actor.audit_name(),
        &body,
    )
    .await
}

async fn add_message(
    ctx: &Ctx,
    org: OrganisationId,
    incident: IncidentId,
    author: Option<&Actor>,
    audit_actor: &str,
    body: &str,
) -> ActionResult<()> {
    let now = ctx.clock.now().as_millisecond();
    let mut tx = ctx.store.begin().await?;
    insert_message(&mut tx, org, incident, author.map(|a| a.user_id), body, now).await?;
    let side = if author.is_some() {
        "to_reporter"
    } else {
        "from_reporter"
    };
    append(
        &mut tx,
        &NewAuditEvent {
            organisation_id: org,
            occurred_at_ms: now,
            actor: audit_actor,
            action: &format!("incident.message_{side}"),
            record_type: "incident",
            record_id: &incident.to_string(),
            changes: &json!({"message": {"before": null, "after": body}}).to_string(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
