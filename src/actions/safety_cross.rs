//! The monthly safety cross of a service (domain `safety_cross`), coloured
//! from its records for one measure, with the days since the last event.

use super::{ActionError, ActionResult, Actor, Ctx, service_where, services_where};
use crate::store::incidents::{IncidentFilter, ListCursor};
use crate::store::organisations::Service;
use candour_domain::ids::{AreaId, PersonId, ServiceId};
use candour_domain::incident::london;
use candour_domain::role::Permission;
use candour_domain::safety_cross::{ChosenSet, DayBox, Measure, days_since_last_event, month};
use jiff::civil::Date;

/// A service's safety cross for a month.
#[derive(Debug, Clone)]
pub struct CrossView {
    /// The service.
    pub service: Service,
    /// What it counts.
    pub measure: Measure,
    /// The month's first day.
    pub first: Date,
    /// The boxes.
    pub boxes: Vec<DayBox>,
    /// Events in the month.
    pub events: u32,
    /// Near misses in the month.
    pub near_misses: u32,
    /// Whole days since the last event, up to today (none in the last year: `None`).
    pub days_since: Option<i32>,
    /// The services the reader may choose from.
    pub services: Vec<Service>,
    /// The latest note of each day that has one.
    pub notes: Vec<crate::store::safety_cross::DayNote>,
    /// Whether the reader may write notes (those who triage the service; not on a person's cross).
    pub can_note: bool,
    /// For a person's own cross: their internal code.
    pub person_code: Option<String>,
    /// For one area's cross: the area.
    pub area: Option<crate::store::organisations::Area>,
    /// The service's areas (to choose one).
    pub areas: Vec<crate::store::organisations::Area>,
    /// The service's own category set, if its manager chose one.
    pub chosen: Option<ChosenSet>,
    /// Whether the reader may choose the service's set (those who triage it).
    pub can_choose: bool,
}

fn set_key(service: ServiceId) -> String {
    format!("safety_cross_set.{service}")
}

/// The category set a service's manager chose for its own cross.
pub async fn chosen_set(ctx: &Ctx, service: &Service) -> ActionResult<Option<ChosenSet>> {
    Ok(
        match ctx
            .store
            .org_setting(service.organisation_id, &set_key(service.service_id))
            .await?
        {
            Some(json) => Some(serde_json::from_str(&json).map_err(|e| {
                anyhow::anyhow!("the stored safety cross set is not readable: {e}")
            })?),
            None => None,
        },
    )
}

/// Chooses (or changes) the service's own category set (those who triage it); audited.
pub async fn choose_set(
    ctx: &Ctx,
    actor: &Actor,
    service: ServiceId,
    (name, categories): (&str, &[String]),
) -> ActionResult<()> {
    let service = service_where(ctx, actor, service, Permission::TriageIncidents).await?;
    let set = ChosenSet::validate(name, categories).map_err(ActionError::Invalid)?;
    let before = chosen_set(ctx, &service).await?;
    let now = ctx.clock.now().as_millisecond();
    let value = serde_json::to_string(&set).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut tx = ctx.store.begin().await?;
    crate::store::settings::put_org_setting(
        &mut tx,
        service.organisation_id,
        &set_key(service.service_id),
        &value,
        now,
    )
    .await?;
    crate::store::audit::append(
        &mut tx,
        &crate::store::audit::NewAuditEvent {
            organisation_id: service.organisation_id,
            occurred_at_ms: now,
            actor: &actor.audit_name(),
            action: "safety_cross.set_chosen",
            record_type: "service",
            record_id: &service.service_id.to_string(),
            changes: &serde_json::json!({"set": {"before": before, "after": set}}).to_string(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Each counted record's UK day and whether it was a near miss, for
/// records that happened in `[from, before)` (UK dates).
async fn records(
    ctx: &Ctx,
    (service, chosen): (&Service, Option<&ChosenSet>),
    (measure, person, area): (Measure, Option<PersonId>, Option<AreaId>),
    (from, before): (Date, Date),
) -> ActionResult<Vec<(Date, bool)>> {
    let at = |d: Date| {
        london()
            .to_ambiguous_timestamp(d.to_datetime(jiff::civil::Time::midnight()))
            .compatible()
            .map_err(|e| anyhow::anyhow!("{e}"))
    };
    let filter = IncidentFilter {
        category: match measure {
            Measure::Falls => Some(candour_domain::incident::Category::Fall),
            Measure::PressureUlcers => Some(candour_domain::incident::Category::PressureUlcer),
            Measure::MedicationErrors => Some(candour_domain::incident::Category::Medication),
            Measure::AnyIncident | Measure::Chosen => None,
        },
        occurred_from: Some(at(from)?),
        occurred_before: Some(at(before)?),
        person,
        area,
        ..IncidentFilter::default()
    };
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let page = ctx
            .store
            .incidents_in_services(
                service.organisation_id,
                &[service.service_id],
                &filter,
                after,
                1_000,
            )
            .await?;
        for s in &page {
            if measure.counts(s.kind, s.category, chosen) {
                out.push((
                    s.occurred_at.to_zoned(london()).date(),
                    s.kind == candour_domain::incident::EventKind::NearMiss,
                ));
            }
        }
        match page.last() {
            Some(last) if page.len() == 1_000 => {
                after = Some(ListCursor {
                    reported_at_ms: last.reported_at.as_millisecond(),
                    incident_id: last.incident_id,
                });
            }
            _ => break,
        }
    }
    Ok(out)
}

/// The safety cross of `service` (or the reader's first service) for the
/// month starting `first`, for one measure; with `person`, only the records
/// of that person using the service (their own cross); with `area`, only
/// those of one of its areas (a floor, wing or unit).
pub async fn safety_cross(
    ctx: &Ctx,
    actor: &Actor,
    (service, person, area): (Option<ServiceId>, Option<PersonId>, Option<AreaId>),
    measure: Measure,
    first: Date,
) -> ActionResult<CrossView> {
    let services = services_where(ctx, actor, Permission::ViewIncidents).await?;
    let service = match service {
        Some(id) => service_where(ctx, actor, id, Permission::ViewIncidents).await?,
        None => services.first().cloned().ok_or(ActionError::Forbidden)?,
    };
    let person_code = match person {
        Some(id) => Some(
            ctx.store
                .people_in_service(service.organisation_id, service.service_id, &[id])
                .await?
                .first()
                .ok_or(ActionError::NotFound)?
                .internal_code
                .clone(),
        ),
        None => None,
    };
    let areas = ctx
        .store
        .areas(service.organisation_id, service.service_id)
        .await?;
    let area = match area {
        Some(id) => Some(
            areas
                .iter()
                .find(|a| a.area_id == id)
                .cloned()
                .ok_or(ActionError::NotFound)?,
        ),
        None => None,
    };
    let area_id = area.as_ref().map(|a| a.area_id);
    let first = first.first_of_month();
    let next = first
        .last_of_month()
        .tomorrow()
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let today = ctx.clock.now().to_zoned(london()).date();
    let chosen = chosen_set(ctx, &service).await?;
    if measure == Measure::Chosen && chosen.is_none() {
        return Err(ActionError::Refused(vec![format!(
            "No category set is chosen for {} yet: a manager chooses one at the foot of any of its safety crosses",
            service.name
        )]));
    }
    let in_month = records(
        ctx,
        (&service, chosen.as_ref()),
        (measure, person, area_id),
        (first, next),
    )
    .await?;
    let year_ago = today.saturating_sub(jiff::Span::new().days(366));
    let tomorrow = today.tomorrow().map_err(|e| anyhow::anyhow!("{e}"))?;
    let recent = records(
        ctx,
        (&service, chosen.as_ref()),
        (measure, person, area_id),
        (year_ago, tomorrow),
    )
    .await?;
    Ok(CrossView {
        notes: ctx
            .store
            .day_notes(service.service_id, measure, (first, first.last_of_month()))
            .await?,
        can_note: person.is_none()
            && area.is_none()
            && actor.can_in(Permission::TriageIncidents, &service),
        can_choose: person.is_none() && actor.can_in(Permission::TriageIncidents, &service),
        chosen,
        person_code,
        area,
        areas,
        boxes: month(first, &in_month, today),
        events: u32::try_from(in_month.iter().filter(|(_, n)| !n).count()).unwrap_or(u32::MAX),
        near_misses: u32::try_from(in_month.iter().filter(|(_, n)| *n).count()).unwrap_or(u32::MAX),
        days_since: days_since_last_event(&recent, today),
        service,
        measure,
        first,
        services,
    })
}

/// Writes a note on one day of a service's cross (those who triage the
/// service), audited; the day must have begun, and the note say something.
pub async fn note_day(
    ctx: &Ctx,
    actor: &Actor,
    service: ServiceId,
    measure: Measure,
    (day, note): (&str, &str),
) -> ActionResult<()> {
    let service = service_where(ctx, actor, service, Permission::TriageIncidents).await?;
    let mut e = candour_domain::validation::FieldErrors::new();
    let today = ctx.clock.now().to_zoned(london()).date();
    let day = match day.trim().parse::<Date>() {
        Ok(d) if d > today => {
            e.add(
                "day",
                "Choose a day that has begun: notes say what happened",
            );
            None
        }
        Ok(d) => Some(d),
        Err(_) => {
            e.add("day", "Choose the day the note is about");
            None
        }
    };
    let note = candour_domain::validation::checked_text(
        &mut e,
        "note",
        note,
        500,
        Some("Write the note, such as \"sensor mats arrived\""),
    );
    let (Some(day), true) = (day, e.is_empty()) else {
        return Err(ActionError::Invalid(e));
    };
    let now = ctx.clock.now().as_millisecond();
    let mut tx = ctx.store.begin().await?;
    crate::store::safety_cross::insert_day_note(
        &mut tx,
        (service.organisation_id, service.service_id),
        (measure, day),
        &note,
        (actor.user_id, now),
    )
    .await?;
    crate::store::audit::append(
        &mut tx,
        &crate::store::audit::NewAuditEvent {
            organisation_id: service.organisation_id,
            occurred_at_ms: now,
            actor: &actor.audit_name(),
            action: "safety_cross.note_added",
            record_type: "service",
            record_id: &service.service_id.to_string(),
            changes: &serde_json::json!({"measure": measure.code(), "day": day.to_string(), "note": note})
                .to_string(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
