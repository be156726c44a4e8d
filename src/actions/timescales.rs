//! The organisation's timescales, risk bands and working-day calendars, read
//! from its settings (defaults when unset), and the deadlines they give.

use super::{ActionResult, Ctx};
use crate::store::organisations::Service;
use crate::store::triage::set_triage_due;
use candour_domain::calendar::Calendar;
use candour_domain::ids::OrganisationId;
use candour_domain::incident::Category;
use candour_domain::organisation::Nation;
use candour_domain::timescales::Timescales;
use candour_domain::triage::BandEdges;
use jiff::Timestamp;
use std::collections::HashMap;

/// The setting holding an organisation's [`Timescales`] (JSON).
pub const TIMESCALES: &str = "timescales";
/// The setting holding an organisation's risk [`BandEdges`] (JSON).
pub const RISK_BANDS: &str = "risk_bands";

/// An organisation's timescales (the defaults until an administrator sets them).
pub async fn org_timescales(ctx: &Ctx, org: OrganisationId) -> ActionResult<Timescales> {
    Ok(match ctx.store.org_setting(org, TIMESCALES).await? {
        Some(json) => serde_json::from_str(&json)
            .map_err(|e| anyhow::anyhow!("the stored timescales are not readable: {e}"))?,
        None => Timescales::default(),
    })
}

/// An organisation's risk bands (NPSA's until an administrator sets them).
pub async fn org_band_edges(ctx: &Ctx, org: OrganisationId) -> ActionResult<BandEdges> {
    Ok(match ctx.store.org_setting(org, RISK_BANDS).await? {
        Some(json) => serde_json::from_str(&json)
            .map_err(|e| anyhow::anyhow!("the stored risk bands are not readable: {e}"))?,
        None => BandEdges::default(),
    })
}

/// The organisation setting holding the statutory duties' deadlines.
pub const DUTY_SETTINGS: &str = "duty_deadlines";

/// An organisation's statutory duty deadlines (24 hours and 10 working days
/// until an administrator sets them).
pub async fn org_duty_settings(
    ctx: &Ctx,
    org: OrganisationId,
) -> ActionResult<candour_domain::duties::DutySettings> {
    Ok(match ctx.store.org_setting(org, DUTY_SETTINGS).await? {
        Some(json) => serde_json::from_str(&json)
            .map_err(|e| anyhow::anyhow!("the stored duty deadlines are not readable: {e}"))?,
        None => candour_domain::duties::DutySettings::default(),
    })
}

/// The working-day calendar of a nation, with the organisation's added days.
pub async fn calendar(ctx: &Ctx, org: OrganisationId, nation: Nation) -> ActionResult<Calendar> {
    let added = ctx.store.extra_holidays(org, nation).await?;
    Ok(Calendar::new(nation, added.into_iter().map(|(d, _)| d)))
}

/// When triage is due for a report made now in `service`.
pub async fn triage_due(
    ctx: &Ctx,
    service: &Service,
    category: Category,
    reported_at: Timestamp,
) -> ActionResult<Timestamp> {
    let t = org_timescales(ctx, service.organisation_id).await?;
    let cal = calendar(ctx, service.organisation_id, service.nation).await?;
    Ok(t.triage_due(&cal, reported_at, category))
}

/// Recomputes when triage is due for reports still waiting, in every
/// organisation: only those with none yet (at start-up, after an upgrade),
/// or all of them (after the timescales or the calendar changed).
pub async fn recompute_triage_deadlines(ctx: &Ctx, only_missing: bool) -> ActionResult<usize> {
    let mut changed = 0;
    for org in ctx.store.organisation_ids().await? {
        let waiting = ctx
            .store
            .awaiting_triage_deadlines(org, only_missing)
            .await?;
        if waiting.is_empty() {
            continue;
        }
        let t = org_timescales(ctx, org).await?;
        let services = ctx.store.services_by_id(org).await?;
        let mut calendars: HashMap<Nation, Calendar> = HashMap::new();
        for nation in Nation::ALL {
            calendars.insert(*nation, calendar(ctx, org, *nation).await?);
        }
        for chunk in waiting.chunks(500) {
            let mut tx = ctx.store.begin().await?;
            for (id, service, category, reported_at) in chunk {
                let Some(s) = services.get(service) else {
                    continue;
                };
                let Some(cal) = calendars.get(&s.nation) else {
                    continue;
                };
                set_triage_due(&mut tx, *id, t.triage_due(cal, *reported_at, *category)).await?;
                changed += 1;
            }
            tx.commit().await?;
        }
    }
    Ok(changed)
}
