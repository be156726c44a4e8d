//! Feedback to the reporter, and telling them about it: in the app, and by
//! email through the outbox, in the same transaction as the feedback.

use super::incidents::incident_in_scope;
use super::{ActionError, ActionResult, Actor, Ctx};
use crate::email::{Rendered, correction_requested, feedback_given};
use crate::store::Tx;
use crate::store::audit::{NewAuditEvent, append};
use crate::store::feedback::{Feedback, insert_feedback};
use crate::store::incidents::Incident;
use crate::store::notifications::insert_notification;
use crate::store::outbox::{NewEmail, enqueue_email};
use candour_domain::display;
use candour_domain::feedback::check_feedback;
use candour_domain::incident::IncidentReference;
use candour_domain::notification::NotificationKind;
use candour_domain::role::Permission;
use serde_json::json;

/// A reviewer of the service gives feedback on a report: what was found and
/// what changed. The reporter is told in the app and by email; an anonymous
/// reporter reads it with their case code.
pub async fn give_feedback(
    ctx: &Ctx,
    actor: &Actor,
    reference: IncidentReference,
    text: &str,
) -> ActionResult<Feedback> {
    let (incident, _) =
        incident_in_scope(ctx, actor, reference, Permission::ViewIncidents, false).await?;
    let body = check_feedback(text).map_err(ActionError::Invalid)?;
    let now = ctx.clock.now().as_millisecond();
    let mut tx = ctx.store.begin().await?;
    let feedback = write_feedback(ctx, &mut tx, actor, &incident, body, now).await?;
    tx.commit().await?;
    Ok(feedback)
}

/// Writes checked feedback inside `tx`: the row, the audit event, and
/// telling the reporter. Closing an incident uses it too.
pub(crate) async fn write_feedback(
    ctx: &Ctx,
    tx: &mut Tx,
    actor: &Actor,
    incident: &Incident,
    body: String,
    now: i64,
) -> ActionResult<Feedback> {
    let feedback = Feedback {
        feedback_id: uuid::Uuid::now_v7(),
        incident_id: incident.incident_id,
        author_id: actor.user_id,
        author_name: actor.display_name.clone(),
        body,
        created_at_ms: now,
    };
    insert_feedback(tx, actor.organisation_id, &feedback).await?;
    append(
        tx,
        &NewAuditEvent {
            organisation_id: actor.organisation_id,
            occurred_at_ms: now,
            actor: &actor.audit_name(),
            action: "incident.feedback_given",
            record_type: "incident",
            record_id: &incident.incident_id.to_string(),
            changes: &json!({"feedback": {"before": null, "after": feedback.body}}).to_string(),
        },
    )
    .await?;
    tell_reporter(ctx, tx, actor, incident, NotificationKind::Feedback, now).await?;
    Ok(feedback)
}

/// Tells the reporter (when they are known and are not the actor) in the
/// app and, through the outbox, by email. Runs inside the caller's transaction.
pub(crate) async fn tell_reporter(
    ctx: &Ctx,
    tx: &mut Tx,
    actor: &Actor,
    incident: &Incident,
    kind: NotificationKind,
    now_ms: i64,
) -> ActionResult<()> {
    let Some(reporter) = incident.reported_by.filter(|r| *r != actor.user_id) else {
        return Ok(());
    };
    let what = format!("{}: {}", incident.kind.label(), incident.category.label());
    let on = display::date(incident.reported_at);
    let url = ctx.public_url.as_deref();
    let email = match kind {
        NotificationKind::CorrectionRequest => {
            correction_requested(url, incident.reference, &what, &on)
        }
        _ => feedback_given(url, incident.reference, &what, &on),
    };
    notify(
        ctx,
        tx,
        (incident.organisation_id, incident.incident_id),
        reporter,
        kind,
        &email,
        now_ms,
    )
    .await
}

/// Tells one person about an incident: a notification in the app and,
/// when their account is active, an email through the outbox. Runs inside
/// the caller's transaction.
pub(crate) async fn notify(
    ctx: &Ctx,
    tx: &mut Tx,
    (org, incident): (
        candour_domain::ids::OrganisationId,
        candour_domain::ids::IncidentId,
    ),
    user: candour_domain::ids::UserId,
    kind: NotificationKind,
    email: &Rendered,
    now_ms: i64,
) -> ActionResult<()> {
    insert_notification(tx, org, user, kind, incident, now_ms).await?;
    let account = ctx.store.user(user).await?;
    if !account.active {
        return Ok(());
    }
    enqueue_email(
        tx,
        &NewEmail {
            organisation_id: org,
            to: &account.email,
            subject: &email.subject,
            body_text: &email.body,
            body_html: None,
        },
        now_ms,
    )
    .await?;
    Ok(())
}

/// Tells one person about an action: a notification in the app and, when
/// their account is active, an email. Runs inside the caller's transaction.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn notify_about_action(
    ctx: &Ctx,
    tx: &mut Tx,
    org: candour_domain::ids::OrganisationId,
    action: uuid::Uuid,
    user: candour_domain::ids::UserId,
    kind: NotificationKind,
    email: &Rendered,
    now_ms: i64,
) -> ActionResult<()> {
    crate::store::notifications::insert_action_notification(tx, org, user, kind, action, now_ms)
        .await?;
    let account = ctx.store.user(user).await?;
    if !account.active {
        return Ok(());
    }
    enqueue_email(
        tx,
        &NewEmail {
            organisation_id: org,
            to: &account.email,
            subject: &email.subject,
            body_text: &email.body,
            body_html: None,
        },
        now_ms,
    )
    .await?;
    Ok(())
}
