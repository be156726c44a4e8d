//! The register of external guidance and safety alerts (domain `alerts`).
//! The organisation's alert leads (those who triage across the whole
//! organisation) log, acknowledge and judge each alert and give it an
//! owner; the owner and the leads add actions, record how staff were told
//! and complete it with evidence; a senior manager (who signs off across
//! the organisation) signs it off. Overdue alerts escalate by email.

use super::{ActionError, ActionResult, Actor, Ctx};
use crate::store::alerts::{
    Alert, AlertAction, Step, claim_escalation, insert_alert, insert_alert_action,
    mark_action_done, record_step,
};
use crate::store::outbox::{NewEmail, enqueue_email};
use candour_domain::alerts::{AlertDraft, AlertStatus, escalations_due, status};
use candour_domain::display;
use candour_domain::ids::{OrganisationId, UserId};
use candour_domain::incident::london;
use candour_domain::role::{Permission, Role, Scope};
use candour_domain::validation::{FieldErrors, checked_text};
use jiff::civil::Date;
use serde_json::json;
use uuid::Uuid;

/// Whether the actor leads on alerts: they triage across the whole organisation.
pub fn leads_alerts(actor: &Actor) -> bool {
    actor
        .grants
        .iter()
        .any(|g| g.scope == Scope::Organisation && g.role.allows(Permission::TriageIncidents))
}

/// Whether the actor may sign an alert off: they sign off across the whole organisation.
pub fn signs_off_alerts(actor: &Actor) -> bool {
    actor
        .grants
        .iter()
        .any(|g| g.scope == Scope::Organisation && g.role.allows(Permission::SignOffIncidents))
}

fn may_view(actor: &Actor) -> ActionResult<()> {
    if actor.can_anywhere(Permission::TriageIncidents) || actor.has_role(Role::BoardMember) {
        Ok(())
    } else {
        Err(ActionError::Forbidden)
    }
}

fn today(ctx: &Ctx) -> Date {
    ctx.clock.now().to_zoned(london()).date()
}

/// An alert with where it stands today.
#[derive(Debug, Clone)]
pub struct AlertLine {
    /// The alert.
    pub alert: Alert,
    /// Its status today.
    pub status: AlertStatus,
}

/// The register: every alert, newest received first.
pub async fn register(ctx: &Ctx, actor: &Actor) -> ActionResult<Vec<AlertLine>> {
    may_view(actor)?;
    let today = today(ctx);
    Ok(ctx
        .store
        .alerts(actor.organisation_id, false)
        .await?
        .into_iter()
        .map(|alert| AlertLine {
            status: status(alert.progress(), alert.deadline, today),
            alert,
        })
        .collect())
}

/// One alert, its actions, the lessons shared from it (by reference) and
/// what the reader may do.
#[derive(Debug, Clone)]
pub struct AlertView {
    /// The alert and its status.
    pub line: AlertLine,
    /// Its actions.
    pub actions: Vec<AlertAction>,
    /// Lessons shared from it: (id, title, read by, asked).
    pub lessons: Vec<(Uuid, String, usize, usize)>,
    /// The reader leads on alerts.
    pub leads: bool,
    /// The reader owns it.
    pub owns: bool,
    /// The reader may sign it off.
    pub signs_off: bool,
}

/// One alert for its page.
pub async fn alert_view(ctx: &Ctx, actor: &Actor, id: Uuid) -> ActionResult<AlertView> {
    may_view(actor)?;
    let alert = ctx
        .store
        .alert(actor.organisation_id, id)
        .await?
        .ok_or(ActionError::NotFound)?;
    let mut lessons = Vec::new();
    for l in super::lessons::lessons_for(ctx, actor).await? {
        if l.lesson.source == candour_domain::lessons::Source::Guidance
            && l.lesson.source_ref.trim() == alert.reference
        {
            let (read, asked) = l.counts.unwrap_or((0, 0));
            lessons.push((l.lesson.lesson_id, l.lesson.title, read, asked));
        }
    }
    Ok(AlertView {
        actions: ctx.store.alert_actions(id).await?,
        leads: leads_alerts(actor),
        owns: alert
            .owner
            .as_ref()
            .is_some_and(|(o, _)| *o == actor.user_id),
        signs_off: signs_off_alerts(actor),
        line: AlertLine {
            status: status(alert.progress(), alert.deadline, today(ctx)),
            alert,
        },
        lessons,
    })
}

async fn audit(
    ctx: &Ctx,
    tx: &mut crate::store::Tx,
    actor: &Actor,
    (id, action): (Uuid, &str),
    changes: serde_json::Value,
) -> ActionResult<()> {
    super::audit_now(
        ctx,
        tx,
        actor,
        ("safety_alert", &id.to_string(), action),
        &changes,
    )
    .await
}

/// Logs an alert received (alert leads); a reference already logged is refused by field.
pub async fn log_alert(ctx: &Ctx, actor: &Actor, draft: &AlertDraft) -> ActionResult<Uuid> {
    if !leads_alerts(actor) {
        return Err(ActionError::Forbidden);
    }
    let new = draft.validate(today(ctx)).map_err(ActionError::Invalid)?;
    let org = actor.organisation_id;
    if ctx
        .store
        .alerts(org, false)
        .await?
        .iter()
        .any(|a| a.reference == new.reference)
    {
        let mut e = FieldErrors::new();
        e.add("reference", "This alert is already in the register");
        return Err(ActionError::Invalid(e));
    }
    let now = ctx.clock.now().as_millisecond();
    let mut tx = ctx.store.begin().await?;
    let id = insert_alert(&mut tx, org, &new, (actor.user_id, now)).await?;
    audit(
        ctx,
        &mut tx,
        actor,
        (id, "alert.logged"),
        json!({
            "reference": new.reference,
            "title": new.title,
            "kind": new.kind.code(),
            "deadline": new.deadline.map(|d| d.to_string()),
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// A step as typed on the alert's page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StepDraft {
    /// `acknowledge`, `decide`, `staff_told`, `complete` or `sign_off`.
    pub step: String,
    /// For `decide`: `yes` or `no`.
    pub relevant: String,
    /// For `decide`: why; for `staff_told`: how; for `complete`: the evidence; for `sign_off`: a note.
    pub text: String,
    /// For `decide` (relevant): the owner's user id.
    pub owner: String,
    /// For `staff_told`: the day, `YYYY-MM-DD`.
    pub on: String,
}

/// Records the next step of an alert at the version the reader saw, each
/// by those allowed to take it and in order; audited.
pub async fn record(
    ctx: &Ctx,
    actor: &Actor,
    (id, version): (Uuid, i64),
    d: &StepDraft,
) -> ActionResult<()> {
    let v = alert_view(ctx, actor, id).await?;
    let a = &v.line.alert;
    let mut e = FieldErrors::new();
    let refuse = |why: &str| Err(ActionError::Refused(vec![why.to_owned()]));
    let text =
        |e: &mut FieldErrors, missing: &str| checked_text(e, "text", &d.text, 4_000, Some(missing));
    let staff: Vec<(UserId, String)> = ctx
        .store
        .staff_with_grants(actor.organisation_id)
        .await?
        .into_iter()
        .map(|(id, name, _)| (id, name))
        .collect();
    let step = match d.step.as_str() {
        "acknowledge" if v.leads => {
            if a.acknowledged.is_some() {
                return refuse("It is already acknowledged");
            }
            Step::Acknowledge
        }
        "decide" if v.leads => {
            if a.acknowledged.is_none() || a.decision.is_some() {
                return refuse("Acknowledge it first; relevance is decided once");
            }
            let relevant = match d.relevant.as_str() {
                "yes" => Some(true),
                "no" => Some(false),
                _ => {
                    e.add("relevant", "Say whether it applies to our services");
                    None
                }
            };
            let owner = staff
                .iter()
                .find(|(u, _)| u.to_string() == d.owner)
                .map(|(u, _)| *u);
            if relevant == Some(true) && owner.is_none() {
                e.add("owner", "Choose who owns the response");
            }
            let why = text(&mut e, "Say why, so an inspector can follow the decision");
            if !e.is_empty() {
                return Err(ActionError::Invalid(e));
            }
            let relevant = relevant == Some(true);
            return save(ctx, actor, (id, version), a, &Step::Decide(relevant, &why, owner.filter(|_| relevant)), json!({"relevant": relevant, "rationale": why, "owner": owner.map(|o| o.to_string())})).await;
        }
        "staff_told" if v.leads || v.owns => {
            if !a.decision.as_ref().is_some_and(|x| x.0) || a.completed.is_some() {
                return refuse("Staff are told about a relevant alert before it is completed");
            }
            let how = text(
                &mut e,
                "Say how staff were told, such as at handover and by a lesson to read",
            );
            let on = match d.on.trim().parse::<Date>() {
                Ok(day) if day <= today(ctx) && day >= a.received_on => Some(day),
                _ => {
                    e.add(
                        "on",
                        "Enter the day staff were told, between receiving it and today",
                    );
                    None
                }
            };
            let (Some(on), true) = (on, e.is_empty()) else {
                return Err(ActionError::Invalid(e));
            };
            return save(
                ctx,
                actor,
                (id, version),
                a,
                &Step::StaffTold(&how, on),
                json!({"how": how, "on": on.to_string()}),
            )
            .await;
        }
        "complete" if v.leads || v.owns => {
            let mut reasons = Vec::new();
            if !a.decision.as_ref().is_some_and(|x| x.0) {
                reasons.push("Only a relevant alert is completed".to_owned());
            }
            if a.completed.is_some() {
                reasons.push("It is already completed".to_owned());
            }
            if a.staff_told.is_none() {
                reasons.push("Record how staff were told".to_owned());
            }
            let open: Vec<String> = v
                .actions
                .iter()
                .filter(|x| x.done.is_none())
                .map(|x| x.title.clone())
                .collect();
            if v.actions.is_empty() {
                reasons.push("Add the actions taken".to_owned());
            } else if !open.is_empty() {
                reasons.push(format!("Finish the open actions: {}", open.join("; ")));
            }
            if !reasons.is_empty() {
                return Err(ActionError::Refused(reasons));
            }
            let evidence = text(&mut e, "Describe the evidence that it is done");
            if !e.is_empty() {
                return Err(ActionError::Invalid(e));
            }
            return save(
                ctx,
                actor,
                (id, version),
                a,
                &Step::Complete(&evidence),
                json!({"evidence": evidence}),
            )
            .await;
        }
        "sign_off" if v.signs_off => {
            if a.completed.is_none() || a.signed_off.is_some() {
                return refuse("Only a completed alert is signed off, once");
            }
            let note = checked_text(&mut e, "text", &d.text, 2_000, None);
            return save(
                ctx,
                actor,
                (id, version),
                a,
                &Step::SignOff(&note),
                json!({"note": note}),
            )
            .await;
        }
        "acknowledge" | "decide" | "staff_told" | "complete" | "sign_off" => {
            return Err(ActionError::Forbidden);
        }
        _ => return Err(ActionError::NotFound),
    };
    save(ctx, actor, (id, version), a, &step, json!({})).await
}

async fn save(
    ctx: &Ctx,
    actor: &Actor,
    (id, version): (Uuid, i64),
    a: &Alert,
    step: &Step<'_>,
    changes: serde_json::Value,
) -> ActionResult<()> {
    let name = match step {
        Step::Acknowledge => "alert.acknowledged",
        Step::Decide(..) => "alert.relevance_decided",
        Step::StaffTold(..) => "alert.staff_told",
        Step::Complete(_) => "alert.completed",
        Step::SignOff(_) => "alert.signed_off",
    };
    let now = ctx.clock.now().as_millisecond();
    let mut tx = ctx.store.begin().await?;
    if !record_step(&mut tx, (id, version), step, (actor.user_id, now)).await? {
        return Err(ActionError::Conflict(format!(
            "{} changed this alert at {}; open it again to see their changes",
            a.updated.0,
            display::date_time(a.updated.1)
        )));
    }
    audit(ctx, &mut tx, actor, (id, name), changes).await?;
    tx.commit().await?;
    Ok(())
}

/// Adds an action to a relevant alert (its leads or owner), due by the
/// alert's deadline at the latest.
pub async fn add_alert_action(
    ctx: &Ctx,
    actor: &Actor,
    id: Uuid,
    (title, owner, due_on): (&str, &str, &str),
) -> ActionResult<()> {
    let v = alert_view(ctx, actor, id).await?;
    if !(v.leads || v.owns) {
        return Err(ActionError::Forbidden);
    }
    let a = &v.line.alert;
    if !a.decision.as_ref().is_some_and(|x| x.0) || a.completed.is_some() {
        return Err(ActionError::Refused(vec![
            "Actions are added to a relevant alert before it is completed".to_owned(),
        ]));
    }
    let mut e = FieldErrors::new();
    let title = checked_text(
        &mut e,
        "action_title",
        title,
        200,
        Some("Say what will be done"),
    );
    let staff = ctx.store.staff_with_grants(actor.organisation_id).await?;
    let owner = staff
        .iter()
        .find(|(u, _, _)| u.to_string() == owner)
        .map(|(u, _, _)| *u);
    if owner.is_none() {
        e.add("action_owner", "Choose who will do it");
    }
    let due = match due_on.trim().parse::<Date>() {
        Ok(d) if a.deadline.is_some_and(|dl| d > dl) => {
            e.add(
                "action_due_on",
                format!(
                    "The alert asks for action by {}: choose that day or before",
                    a.deadline.map(display::civil_date).unwrap_or_default()
                ),
            );
            None
        }
        Ok(d) => Some(d),
        Err(_) => {
            e.add(
                "action_due_on",
                "Enter the day it is due, such as 2026-12-01",
            );
            None
        }
    };
    let (Some(owner), Some(due), true) = (owner, due, e.is_empty()) else {
        return Err(ActionError::Invalid(e));
    };
    let mut tx = ctx.store.begin().await?;
    insert_alert_action(
        &mut tx,
        id,
        (&title, owner, due),
        (actor.user_id, ctx.clock.now().as_millisecond()),
    )
    .await?;
    audit(
        ctx,
        &mut tx,
        actor,
        (id, "alert.action_added"),
        json!({"title": title, "owner": owner.to_string(), "due_on": due.to_string()}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Marks an action done (its owner, the alert's owner or its leads).
pub async fn finish_alert_action(
    ctx: &Ctx,
    actor: &Actor,
    (id, action): (Uuid, Uuid),
) -> ActionResult<()> {
    let v = alert_view(ctx, actor, id).await?;
    let x = v
        .actions
        .iter()
        .find(|x| x.action_id == action)
        .ok_or(ActionError::NotFound)?;
    if !(v.leads || v.owns || x.owner.0 == actor.user_id) {
        return Err(ActionError::Forbidden);
    }
    let mut tx = ctx.store.begin().await?;
    if mark_action_done(
        &mut tx,
        (id, action),
        (actor.user_id, ctx.clock.now().as_millisecond()),
    )
    .await?
    {
        audit(
            ctx,
            &mut tx,
            actor,
            (id, "alert.action_done"),
            json!({"action": x.title}),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Emails about every overdue alert: its owner and the organisation's alert
/// leads the day after the deadline, the head of operations after 5 days;
/// each person once per level. Returns how many were queued.
pub async fn escalate_overdue_alerts(ctx: &Ctx) -> ActionResult<usize> {
    let today = today(ctx);
    let now = ctx.clock.now().as_millisecond();
    let mut queued = 0;
    for a in ctx.store.overdue_alerts(today).await? {
        let Some(deadline) = a.deadline else { continue };
        let staff = ctx.store.staff_with_grants(a.organisation_id).await?;
        let org_wide = |role_ok: &dyn Fn(Role) -> bool| -> Vec<UserId> {
            staff
                .iter()
                .filter(|(_, _, g)| {
                    g.iter()
                        .any(|g| g.scope == Scope::Organisation && role_ok(g.role))
                })
                .map(|(u, _, _)| *u)
                .collect()
        };
        let mut tx = ctx.store.begin().await?;
        for level in escalations_due(deadline, today) {
            let mut to: Vec<UserId> = if level == 1 {
                let mut v = org_wide(&|r| r.allows(Permission::TriageIncidents));
                v.extend(a.owner.as_ref().map(|(o, _)| *o));
                v
            } else {
                org_wide(&|r| r == Role::HeadOfOperations)
            };
            to.sort();
            to.dedup();
            for user in to {
                if !claim_escalation(&mut tx, a.alert_id, (level, user), now).await? {
                    continue;
                }
                let account = ctx.store.user(user).await?;
                let email = alert_overdue_email(ctx, &a, deadline);
                enqueue_email(
                    &mut tx,
                    &NewEmail {
                        organisation_id: a.organisation_id,
                        to: &account.email,
                        subject: &email.subject,
                        body_text: &email.body,
                        body_html: None,
                    },
                    now,
                )
                .await?;
                queued += 1;
            }
        }
        tx.commit().await?;
    }
    Ok(queued)
}

fn alert_overdue_email(ctx: &Ctx, a: &Alert, deadline: Date) -> crate::email::Rendered {
    let link = match ctx.public_url.as_deref().map(|u| u.trim_end_matches('/')) {
        Some(base) if !base.is_empty() => format!("Open it here:\n{base}/alerts/{}", a.alert_id),
        _ => "Sign in to Candour and open Alerts to see it.".to_owned(),
    };
    crate::email::Rendered {
        subject: format!("Safety alert overdue: {}", a.reference),
        body: format!(
            "Hello,\n\nThe safety alert {} (\"{}\") asked for action by {}, and it is not completed yet{}.\n\n{link}\n\n\
             This email was sent by Candour.",
            a.reference,
            a.title,
            display::civil_date(deadline),
            a.owner
                .as_ref()
                .map(|(_, n)| format!(" (owner: {n})"))
                .unwrap_or_default()
        ),
    }
}

/// The organisation's open alerts (not signed off, not judged irrelevant), for the home page.
pub async fn open_alerts(ctx: &Ctx, org: OrganisationId) -> ActionResult<Vec<AlertLine>> {
    let today = today(ctx);
    Ok(ctx
        .store
        .alerts(org, true)
        .await?
        .into_iter()
        .map(|alert| AlertLine {
            status: status(alert.progress(), alert.deadline, today),
            alert,
        })
        .collect())
}
