//! Breaches of timescales: found by a scheduled sweep, recorded with the
//! moment the deadline passed, escalated (registered manager at once,
//! regional manager a working day later, head of operations after two; each
//! level told once, in the app and by email), and explained by the handler.
//! Also the urgent alert: a report that needs a manager at once.

use super::feedback::notify;
use super::timescales::calendar;
use super::{ActionError, ActionResult, Actor, Ctx};
use crate::email::{timescale_missed, urgent_report};
use crate::store::Tx;
use crate::store::audit::{NewAuditEvent, append};
use crate::store::breaches::{insert_breach, insert_escalation, set_breach_reason};
use crate::store::organisations::Service;
use candour_domain::calendar::Calendar;
use candour_domain::display;
use candour_domain::escalation::{Level, levels_reached};
use candour_domain::ids::{IncidentId, OrganisationId, ServiceId, UserId};
use candour_domain::incident::IncidentReference;
use candour_domain::notification::NotificationKind;
use candour_domain::organisation::Nation;
use candour_domain::role::{Grant, Permission, Role};
use candour_domain::validation::FieldErrors;
use serde_json::json;
use std::collections::HashMap;

/// What a sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Swept {
    /// Breaches recorded.
    pub breaches: usize,
    /// People told (one per person per level).
    pub told: usize,
}

/// The people holding `role` over a service.
pub async fn holders(ctx: &Ctx, service: &Service, role: Role) -> ActionResult<Vec<UserId>> {
    let staff = ctx.store.staff_with_grants(service.organisation_id).await?;
    Ok(holders_among(&staff, service, role))
}

/// Those of `staff` holding `role` over a service.
fn holders_among(
    staff: &[(UserId, String, Vec<Grant>)],
    service: &Service,
    role: Role,
) -> Vec<UserId> {
    staff
        .iter()
        .filter(|(_, _, grants)| {
            grants
                .iter()
                .any(|g| g.role == role && g.scope.covers(service.service_id, service.region_id))
        })
        .map(|(id, _, _)| *id)
        .collect()
}

/// Who is told about what, read once for a whole sweep rather than once per
/// breach, action or duty: each organisation's staff with their grants, its
/// services and its working days. (Read per item, a care group's 2,000 staff
/// were read a thousand times a minute.)
#[derive(Default)]
pub(crate) struct Reach {
    staff: HashMap<OrganisationId, Vec<(UserId, String, Vec<Grant>)>>,
    services: HashMap<ServiceId, Service>,
    calendars: HashMap<(OrganisationId, Nation), Calendar>,
}

impl Reach {
    /// A service of `org`.
    pub(crate) async fn service(
        &mut self,
        ctx: &Ctx,
        org: OrganisationId,
        id: ServiceId,
    ) -> ActionResult<Service> {
        if let Some(s) = self.services.get(&id) {
            return Ok(s.clone());
        }
        let s = ctx.store.service(org, id).await?;
        self.services.insert(id, s.clone());
        Ok(s)
    }

    /// The working days of a service.
    pub(crate) async fn calendar(
        &mut self,
        ctx: &Ctx,
        service: &Service,
    ) -> ActionResult<Calendar> {
        let key = (service.organisation_id, service.nation);
        if let Some(c) = self.calendars.get(&key) {
            return Ok(c.clone());
        }
        let c = calendar(ctx, key.0, key.1).await?;
        self.calendars.insert(key, c.clone());
        Ok(c)
    }

    /// The people holding `role` over a service.
    pub(crate) async fn holders(
        &mut self,
        ctx: &Ctx,
        service: &Service,
        role: Role,
    ) -> ActionResult<Vec<UserId>> {
        let staff = self.staff_of(ctx, service.organisation_id).await?;
        Ok(holders_among(staff, service, role))
    }

    /// An organisation's staff with their grants, read once.
    async fn staff_of(
        &mut self,
        ctx: &Ctx,
        org: OrganisationId,
    ) -> ActionResult<&[(UserId, String, Vec<Grant>)]> {
        Ok(match self.staff.entry(org) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(ctx.store.staff_with_grants(org).await?)
            }
        })
    }

    /// Who first handles a report at `service` naming `named` as alleged
    /// to have caused harm (`candour_domain::about_staff::first_handler`).
    pub(crate) async fn first_handler(
        &mut self,
        ctx: &Ctx,
        service: &Service,
        named: &[UserId],
    ) -> ActionResult<Role> {
        if named.is_empty() {
            return Ok(Role::RegisteredManager);
        }
        let staff = self.staff_of(ctx, service.organisation_id).await?;
        Ok(candour_domain::about_staff::first_handler(&roles_over(
            staff, service, named,
        )))
    }
}

/// The roles `named` (among `staff`) hold over `service`.
fn roles_over(
    staff: &[(UserId, String, Vec<Grant>)],
    service: &Service,
    named: &[UserId],
) -> Vec<Role> {
    staff
        .iter()
        .filter(|(id, _, _)| named.contains(id))
        .flat_map(|(_, _, grants)| {
            grants
                .iter()
                .filter(|g| g.scope.covers(service.service_id, service.region_id))
                .map(|g| g.role)
        })
        .collect()
}

fn role_of(level: Level) -> Role {
    match level {
        Level::RegisteredManager => Role::RegisteredManager,
        Level::RegionalManager => Role::RegionalManager,
        Level::HeadOfOperations => Role::HeadOfOperations,
    }
}

/// Records every new breach and tells each level it has reached, once.
pub async fn sweep(ctx: &Ctx) -> ActionResult<Swept> {
    let now = ctx.clock.now();
    let mut done = Swept::default();
    let overdue = ctx.store.overdue_without_breach(now).await?;
    if !overdue.is_empty() {
        let mut tx = ctx.store.begin().await?;
        for o in &overdue {
            insert_breach(&mut tx, o, now.as_millisecond()).await?;
        }
        tx.commit().await?;
        done.breaches = overdue.len();
    }
    let mut reach = Reach::default();
    let open = ctx.store.open_breaches().await?;
    let alleged = if open.is_empty() {
        HashMap::new()
    } else {
        ctx.store.alleged_staff().await?
    };
    for b in open {
        let service = reach.service(ctx, b.organisation_id, b.service_id).await?;
        let cal = reach.calendar(ctx, &service).await?;
        // Staff alleged to have caused harm are never told; a report about
        // a manager climbs from the level above them.
        let named = alleged.get(&b.incident_id).map_or(&[][..], Vec::as_slice);
        let first = reach.first_handler(ctx, &service, named).await?;
        let mut tx = ctx.store.begin().await?;
        for level in levels_reached(&cal, b.due_at, now) {
            let role = candour_domain::about_staff::routed(role_of(level), first);
            for user in reach.holders(ctx, &service, role).await? {
                if named.contains(&user) {
                    continue;
                }
                if insert_escalation(&mut tx, b.breach_id, level, user, now.as_millisecond())
                    .await?
                {
                    let email = timescale_missed(
                        ctx.public_url.as_deref(),
                        b.reference,
                        &service.name,
                        (
                            &b.target.label().to_lowercase(),
                            &display::date_time(b.due_at),
                        ),
                        &level.label().to_lowercase(),
                    );
                    notify(
                        ctx,
                        &mut tx,
                        (b.organisation_id, b.incident_id),
                        user,
                        NotificationKind::Breach,
                        &email,
                        now.as_millisecond(),
                    )
                    .await?;
                    done.told += 1;
                }
            }
        }
        tx.commit().await?;
    }
    Ok(done)
}

/// The handler (or any reviewer of the service) records why a deadline was missed.
pub async fn explain_breach(
    ctx: &Ctx,
    actor: &Actor,
    reference: IncidentReference,
    breach: uuid::Uuid,
    reason: &str,
) -> ActionResult<()> {
    let (incident, _) = super::incidents::incident_in_scope(
        ctx,
        actor,
        reference,
        Permission::TriageIncidents,
        false,
    )
    .await?;
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 2_000 {
        let mut e = FieldErrors::new();
        e.add(
            "breach_reason",
            "Say why it was late, in 2000 characters or fewer",
        );
        return Err(ActionError::Invalid(e));
    }
    if !ctx
        .store
        .breaches(incident.incident_id)
        .await?
        .iter()
        .any(|b| b.breach_id == breach)
    {
        return Err(ActionError::NotFound);
    }
    let now = ctx.clock.now().as_millisecond();
    let mut tx = ctx.store.begin().await?;
    set_breach_reason(
        &mut tx,
        actor.organisation_id,
        breach,
        reason,
        actor.user_id,
        now,
    )
    .await?;
    append(
        &mut tx,
        &NewAuditEvent {
            organisation_id: actor.organisation_id,
            occurred_at_ms: now,
            actor: &actor.audit_name(),
            action: "incident.breach_explained",
            record_type: "incident",
            record_id: &incident.incident_id.to_string(),
            changes: &json!({"breach_reason": {"before": null, "after": reason}}).to_string(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Tells the service's registered managers and the regional managers over
/// it (the senior managers on call) that a report needs a manager now.
/// Runs inside the caller's transaction.
pub(crate) async fn alert_urgent(
    ctx: &Ctx,
    tx: &mut Tx,
    service: &Service,
    (incident, reference): (IncidentId, IncidentReference),
    why: &str,
    due: jiff::Timestamp,
    (named, leads_too): (&[UserId], bool),
) -> ActionResult<Vec<UserId>> {
    let now = ctx.clock.now().as_millisecond();
    // The registered manager and the senior manager on call for the
    // region; with nobody named on call, the region's regional managers.
    // Staff alleged to have caused harm (`named`) are never told, and a
    // report about a manager goes first to the level above them.
    let staff = ctx.store.staff_with_grants(service.organisation_id).await?;
    let named_roles = roles_over(&staff, service, named);
    let first = candour_domain::about_staff::first_handler(&named_roles);
    let mut people = holders_among(&staff, service, first);
    // A head of operations named: the board-level designate hears too.
    if candour_domain::about_staff::goes_to_board(&named_roles)
        && let Some(d) = super::designate::board_designate(ctx, service.organisation_id).await?
    {
        people.push(d);
    }
    let senior = match super::settings::on_call_for(ctx, service.organisation_id, service.region_id)
        .await?
    {
        Some(u) => vec![u],
        None => holders_among(&staff, service, Role::RegionalManager),
    };
    for u in senior {
        if !people.contains(&u) {
            people.push(u);
        }
    }
    people.retain(|u| !named.contains(u));
    if people.is_empty() {
        people = holders_among(&staff, service, Role::HeadOfOperations);
        people.retain(|u| !named.contains(u));
    }
    // A safeguarding concern reaches the designated safeguarding leads over
    // the service too, unless they are the person named.
    if leads_too {
        for u in holders_among(&staff, service, Role::SafeguardingLead) {
            if !people.contains(&u) && !named.contains(&u) {
                people.push(u);
            }
        }
    }
    let email = urgent_report(
        ctx.public_url.as_deref(),
        reference,
        &service.name,
        why,
        &display::date_time(due),
    );
    for user in &people {
        notify(
            ctx,
            tx,
            (service.organisation_id, incident),
            *user,
            NotificationKind::Urgent,
            &email,
            now,
        )
        .await?;
    }
    Ok(people)
}
