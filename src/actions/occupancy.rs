//! Occupied bed days per service and month: the denominator of trend rates
//! per 1,000 occupied bed days. Recorded by those who triage the service,
//! versioned (a stale save is refused naming who changed it and when) and
//! audited.

use super::{ActionError, ActionResult, Actor, Ctx, audit_now, service_where};
use crate::store::organisations::Service;
use crate::store::trend_data::Occupancy;
use candour_domain::ids::ServiceId;
use candour_domain::incident::london;
use candour_domain::monthly::Month;
use candour_domain::role::Permission;
use candour_domain::validation::FieldErrors;
use serde_json::json;

/// Months offered on the occupancy sheet, this one included.
pub const MONTHS_SHOWN: usize = 25;

/// The most bed days a month can hold for a service (1,000 beds for 31 days).
const MOST: u32 = 31_000;

/// A service's occupancy sheet: each month, newest first, with what is recorded.
#[derive(Debug, Clone)]
pub struct Sheet {
    /// The service.
    pub service: Service,
    /// The services the reader may record for.
    pub services: Vec<Service>,
    /// (month, recorded).
    pub months: Vec<(Month, Option<Occupancy>)>,
}

/// The services the reader may record occupancy for.
pub async fn occupancy_services(ctx: &Ctx, actor: &Actor) -> ActionResult<Vec<Service>> {
    let s = super::services_where(ctx, actor, Permission::TriageIncidents).await?;
    if s.is_empty() {
        return Err(ActionError::Forbidden);
    }
    Ok(s)
}

/// The sheet for `service` (or the reader's first service).
pub async fn occupancy_sheet(
    ctx: &Ctx,
    actor: &Actor,
    service: Option<ServiceId>,
) -> ActionResult<Sheet> {
    let services = occupancy_services(ctx, actor).await?;
    let service = match service {
        Some(id) => service_where(ctx, actor, id, Permission::TriageIncidents).await?,
        None => services[0].clone(),
    };
    let recorded = ctx
        .store
        .occupancy(actor.organisation_id, &[service.service_id])
        .await?;
    let mut m = Month::containing(ctx.clock.now());
    let mut months = Vec::new();
    for _ in 0..MONTHS_SHOWN {
        months.push((m, recorded.iter().find(|o| o.month == m.code()).cloned()));
        m = m.previous();
    }
    Ok(Sheet {
        service,
        services,
        months,
    })
}

/// Records `bed_days` for `service` in `month` over `version` (0: none yet).
pub async fn record_occupancy(
    ctx: &Ctx,
    actor: &Actor,
    service: ServiceId,
    (month, bed_days): (&str, &str),
    version: i64,
) -> ActionResult<()> {
    let service = service_where(ctx, actor, service, Permission::TriageIncidents).await?;
    let mut e = FieldErrors::new();
    let this = Month::containing(ctx.clock.now());
    let month = match Month::parse(month.trim()) {
        Some(m) if m > this => {
            e.add("month", "Choose this month or an earlier one");
            None
        }
        Some(m) => Some(m),
        None => {
            e.add("month", "Choose a month");
            None
        }
    };
    let days = match bed_days.trim().parse::<u32>() {
        Ok(d) if d <= MOST => Some(d),
        Ok(_) => {
            e.add(
                "bed_days",
                format!("Occupied bed days must be {MOST} or fewer: the number of people staying each night, added up over the month"),
            );
            None
        }
        Err(_) if bed_days.trim().is_empty() => {
            e.add("bed_days", "Enter the occupied bed days");
            None
        }
        Err(_) => {
            e.add(
                "bed_days",
                "Enter occupied bed days as a whole number, like 1240",
            );
            None
        }
    };
    let (Some(month), Some(days)) = (month, days) else {
        return Err(ActionError::Invalid(e));
    };
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    let saved = crate::store::trend_data::save_occupancy(
        &mut tx,
        (actor.organisation_id, service.service_id),
        (&month.code(), days),
        version,
        (actor.user_id, now.as_millisecond()),
    )
    .await?;
    if !saved {
        drop(tx);
        let current = ctx
            .store
            .occupancy(actor.organisation_id, &[service.service_id])
            .await?
            .into_iter()
            .find(|o| o.month == month.code());
        return Err(ActionError::Conflict(match current {
            Some(o) => format!(
                "{} changed the occupied bed days for {} to {} at {} (UK time), after you opened the page. Check the figure and save again if it is still wrong.",
                o.updated.0,
                month.label(),
                o.bed_days,
                o.updated.1.to_zoned(london()).strftime("%-d %b %Y, %H:%M")
            ),
            None => format!(
                "The occupied bed days for {} changed after you opened the page. Open it again.",
                month.label()
            ),
        }));
    }
    audit_now(
        ctx,
        &mut tx,
        actor,
        (
            "service_occupancy",
            &format!("{}:{}", service.service_id, month.code()),
            "occupancy.recorded",
        ),
        &json!({ "month": month.code(), "bed_days": days, "version": version + 1 }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
