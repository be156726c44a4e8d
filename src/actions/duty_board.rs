//! Statutory duties still to be done, across services: the dashboard per
//! service, region and organisation (overdue first, then by due time), and
//! the scheduled reminders and escalations through notifications and the
//! email outbox, each sent once.

use super::breaches::Reach;
use super::duties::{DutiesView, DutyRules, duties_of_many};
use super::feedback::notify;
use super::{ActionResult, Actor, Ctx, scope_of};
use crate::email::Rendered;
use crate::store::duty_steps::{insert_duty_alert, settle_duties};
use crate::store::incidents::Incident;
use crate::store::organisations::Service;
use candour_domain::display;
use candour_domain::duties::{Duty, Verdict};
use candour_domain::duty_tasks::{DutyAlert, alerts_reached};
use candour_domain::escalation::Level;
use candour_domain::ids::{OrganisationId, RegionId, ServiceId};
use candour_domain::incident::IncidentReference;
use candour_domain::notification::NotificationKind;
use candour_domain::role::{Permission, Role};
use jiff::Timestamp;
use std::collections::HashMap;

/// The scheduled reminders look at incidents reported this recently (older
/// ones have reached every escalation level already).
const REMIND_WINDOW_MS: i64 = 90 * 24 * 60 * 60 * 1000;

/// A duty required in force and not yet done.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenDuty {
    /// The incident.
    pub reference: IncidentReference,
    /// Its id.
    pub incident_id: candour_domain::ids::IncidentId,
    /// Its service.
    pub service_id: ServiceId,
    /// The service's name.
    pub service_name: String,
    /// The service's region.
    pub region_id: RegionId,
    /// Which duty.
    pub duty: Duty,
    /// When it is due, if a deadline applies.
    pub due_at: Option<Timestamp>,
    /// Whether it is past due.
    pub overdue: bool,
    /// The first thing still to do.
    pub next: &'static str,
    /// When the service became aware (reminders count from here).
    pub aware_at: Timestamp,
    /// When the incident was reported.
    pub reported_at: Timestamp,
}

fn open_in(
    view: &DutiesView,
    incident: &Incident,
    service: &Service,
    now: Timestamp,
) -> Vec<OpenDuty> {
    let aware = view.assessment.awareness_at.unwrap_or(incident.reported_at);
    view.decisions
        .iter()
        .filter(|d| view.verdict(d.duty) == Verdict::Required)
        .filter_map(|d| {
            let p = view.progress(d.duty);
            if p.done_at.is_some() {
                return None;
            }
            let next = p
                .items
                .iter()
                .find(|i| !i.optional && i.done_at.is_none())
                .map_or("", |i| i.label);
            Some(OpenDuty {
                reference: incident.reference,
                incident_id: incident.incident_id,
                service_id: service.service_id,
                service_name: service.name.clone(),
                region_id: service.region_id,
                duty: d.duty,
                due_at: d.due_at,
                overdue: d.due_at.is_some_and(|due| due < now),
                next,
                aware_at: if d.duty == Duty::IcoBreachReport {
                    view.assessment.became_aware_at.unwrap_or(aware)
                } else {
                    aware
                },
                reported_at: incident.reported_at,
            })
        })
        .collect()
}

/// How many incidents' duties are decided at once (their records are read
/// together).
const DECIDED_AT_ONCE: usize = 2_000;

/// Every open duty of `org` in `services`, for incidents reported since
/// `since_ms`. Only incidents not known to be settled are decided; with
/// `settle`, those found to have nothing left to do are marked settled
/// (unless something they are decided from changed meanwhile), so the next
/// reader skips them.
async fn open_duties_in(
    ctx: &Ctx,
    org: OrganisationId,
    services: &HashMap<ServiceId, Service>,
    (since_ms, settle): (i64, bool),
) -> ActionResult<Vec<OpenDuty>> {
    let now = ctx.clock.now();
    let mut out = Vec::new();
    let mut rules = DutyRules::of(ctx, org).await?;
    let unsettled = ctx
        .store
        .unsettled_duties(org, (since_ms, i64::MAX))
        .await?;
    let generation: HashMap<_, _> = unsettled.iter().copied().collect();
    let ids: Vec<_> = unsettled.iter().map(|(id, _)| *id).collect();
    let mut settled = Vec::new();
    // Decided a batch at a time: the first pass after an upgrade or a bulk
    // load finds every assessed incident unsettled (221,000 on the large
    // demo), and their records all at once held about 1 GiB.
    for batch in ids.chunks(DECIDED_AT_ONCE) {
        for (incident, view) in duties_of_many(ctx, org, batch, services, &mut rules).await? {
            let Some(service) = services.get(&incident.service_id) else {
                continue;
            };
            let open = open_in(&view, &incident, service, now);
            if open.is_empty()
                && let Some(g) = generation.get(&incident.incident_id)
            {
                settled.push((incident.incident_id, *g));
            }
            out.extend(open);
        }
    }
    if settle {
        // A transaction per 500, so the first pass after an upgrade (every
        // assessed incident) does not hold SQLite's one writer for minutes.
        for chunk in settled.chunks(crate::store::IDS_PER_READ) {
            let mut tx = ctx.store.begin().await?;
            settle_duties(&mut tx, chunk).await?;
            tx.commit().await?;
        }
    }
    out.sort_by_key(|d| (!d.overdue, d.due_at.is_none(), d.due_at, d.reference));
    Ok(out)
}

/// The duties still to be done in the services the actor triages, or in
/// one service or region of them: overdue first, then by due time; with
/// the scope chosen (for the page's filters).
pub async fn open_duties(
    ctx: &Ctx,
    actor: &Actor,
    service: Option<ServiceId>,
    region: Option<RegionId>,
) -> ActionResult<(Vec<OpenDuty>, super::Scope)> {
    let scope = scope_of(ctx, actor, Permission::TriageIncidents, (service, region)).await?;
    let chosen: HashMap<ServiceId, Service> = scope
        .chosen
        .iter()
        .map(|s| (s.service_id, s.clone()))
        .collect();
    let hidden = ctx.store.hidden_from(actor.user_id).await?;
    let mut open = open_duties_in(ctx, actor.organisation_id, &chosen, (0, false)).await?;
    open.retain(|d| !hidden.contains(&d.incident_id));
    Ok((open, scope))
}

fn duty_email(ctx: &Ctx, d: &OpenDuty, overdue: bool) -> Rendered {
    let link = match ctx.public_url.as_deref().map(|u| u.trim_end_matches('/')) {
        Some(base) if !base.is_empty() => format!(
            "Open it here:\n{base}/incidents/{}/duties/{}",
            d.reference,
            d.duty.code()
        ),
        _ => "Sign in to Candour to open it.".to_owned(),
    };
    let due = d.due_at.map(display::date_time).unwrap_or_default();
    let (subject, what) = if overdue {
        (
            format!(
                "Overdue at {}: {} for {}",
                d.service_name,
                d.duty.label(),
                d.reference
            ),
            format!("was due by {due} and is not yet done"),
        )
    } else {
        (
            format!(
                "Due soon at {}: {} for {}",
                d.service_name,
                d.duty.label(),
                d.reference
            ),
            format!("is due by {due}"),
        )
    };
    Rendered {
        subject,
        body: format!(
            "Hello,\n\nThe {} for {} at {} {what}.\n\nStill to do: {}.\n\n{link}\n\n\
             This email was sent by Candour. It holds no personal details of people using the service.",
            d.duty.label(),
            d.reference,
            d.service_name,
            d.next.to_lowercase(),
        ),
    }
}

/// Reminds and escalates every open duty that has reached a new alert:
/// the registered manager halfway to the deadline, then each escalation
/// level once it is overdue; each person once per duty, deadline and alert.
/// Returns how many people were told.
pub async fn remind_duties(ctx: &Ctx) -> ActionResult<usize> {
    let now = ctx.clock.now();
    let mut told = 0;
    let mut reach = Reach::default();
    let alleged = ctx.store.alleged_staff().await?;
    for org in ctx.store.organisation_ids().await? {
        let services = ctx.store.services_by_id(org).await?;
        // Every unsettled incident is decided (and settled when it can
        // be); reminders go out for those reported in the window only.
        let open = open_duties_in(ctx, org, &services, (0, true)).await?;
        let since = now.as_millisecond() - REMIND_WINDOW_MS;
        for d in open
            .into_iter()
            .filter(|d| d.reported_at.as_millisecond() >= since)
        {
            let (Some(due), Some(service)) = (d.due_at, services.get(&d.service_id)) else {
                continue;
            };
            let cal = reach.calendar(ctx, service).await?;
            // Staff alleged to have caused harm are never told; a report
            // about a manager goes to the level above them.
            let named = alleged.get(&d.incident_id).map_or(&[][..], Vec::as_slice);
            let first = reach.first_handler(ctx, service, named).await?;
            let mut tx = ctx.store.begin().await?;
            for alert in alerts_reached(&cal, d.aware_at, due, now) {
                let (role, kind) = match alert {
                    DutyAlert::Reminder => (Role::RegisteredManager, NotificationKind::DutyDue),
                    DutyAlert::Overdue(Level::RegisteredManager) => {
                        (Role::RegisteredManager, NotificationKind::DutyOverdue)
                    }
                    DutyAlert::Overdue(Level::RegionalManager) => {
                        (Role::RegionalManager, NotificationKind::DutyOverdue)
                    }
                    DutyAlert::Overdue(Level::HeadOfOperations) => {
                        (Role::HeadOfOperations, NotificationKind::DutyOverdue)
                    }
                };
                let email = duty_email(ctx, &d, kind == NotificationKind::DutyOverdue);
                let role = candour_domain::about_staff::routed(role, first);
                for user in reach.holders(ctx, service, role).await? {
                    if named.contains(&user) {
                        continue;
                    }
                    if insert_duty_alert(
                        &mut tx,
                        (org, d.incident_id),
                        (d.duty, due, alert.code()),
                        user,
                        now.as_millisecond(),
                    )
                    .await?
                    {
                        notify(
                            ctx,
                            &mut tx,
                            (org, d.incident_id),
                            user,
                            kind,
                            &email,
                            now.as_millisecond(),
                        )
                        .await?;
                        told += 1;
                    }
                }
            }
            tx.commit().await?;
        }
    }
    Ok(told)
}
