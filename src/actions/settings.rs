//! Organisation settings an administrator changes in the app: timescales
//! (with per-category overrides), risk band edges and the days added to
//! each nation's bank holidays. Every change is audited; a change to the
//! timescales or the calendar moves the triage deadlines of reports still
//! waiting.

use super::timescales::{RISK_BANDS, TIMESCALES, org_band_edges, org_timescales};
use super::{ActionError, ActionResult, Actor, Ctx};
use crate::store::audit::{NewAuditEvent, append};
use crate::store::settings::{delete_extra_holiday, insert_extra_holiday, put_org_setting};
use candour_domain::calendar::bank_holidays;
use candour_domain::organisation::Nation;
use candour_domain::role::Permission;
use candour_domain::settings::{BandEdgesDraft, ExtraDayDraft, TimescalesDraft};
use candour_domain::timescales::Timescales;
use candour_domain::triage::BandEdges;
use jiff::civil::Date;
use serde_json::json;

/// A nation's calendar: the shipped bank holidays in the coming year, and the added days with their names.
pub type NationCalendar = (Nation, Vec<Date>, Vec<(Date, String)>);

/// What the settings page shows.
#[derive(Debug, Clone, PartialEq)]
pub struct SettingsView {
    /// The timescales in force.
    pub timescales: Timescales,
    /// The risk bands in force.
    pub bands: BandEdges,
    /// Per nation: the shipped bank holidays from today for a year, and the added days.
    pub calendars: Vec<NationCalendar>,
}

fn may_manage(actor: &Actor) -> ActionResult<()> {
    if actor.can_anywhere(Permission::ManageOrganisation) {
        Ok(())
    } else {
        Err(ActionError::Forbidden)
    }
}

/// The organisation's settings, for an administrator.
pub async fn organisation_settings(ctx: &Ctx, actor: &Actor) -> ActionResult<SettingsView> {
    may_manage(actor)?;
    let org = actor.organisation_id;
    let today = ctx
        .clock
        .now()
        .to_zoned(candour_domain::incident::london())
        .date();
    let year_on = today.saturating_add(jiff::Span::new().years(1));
    let mut calendars = Vec::new();
    for nation in Nation::ALL.iter().copied() {
        let shipped: Vec<Date> = [today.year(), today.year() + 1]
            .into_iter()
            .flat_map(|y| bank_holidays(nation, y))
            .filter(|d| *d >= today && *d <= year_on)
            .collect();
        calendars.push((
            nation,
            shipped,
            ctx.store.extra_holidays(org, nation).await?,
        ));
    }
    Ok(SettingsView {
        timescales: org_timescales(ctx, org).await?,
        bands: org_band_edges(ctx, org).await?,
        calendars,
    })
}

async fn audited(
    ctx: &Ctx,
    actor: &Actor,
    tx: &mut crate::store::Tx,
    what: &str,
    changes: serde_json::Value,
) -> ActionResult<()> {
    append(
        tx,
        &NewAuditEvent {
            organisation_id: actor.organisation_id,
            occurred_at_ms: ctx.clock.now().as_millisecond(),
            actor: &actor.audit_name(),
            action: what,
            record_type: "organisation",
            record_id: &actor.organisation_id.to_string(),
            changes: &changes.to_string(),
        },
    )
    .await?;
    Ok(())
}

/// Stores setting `key` (JSON) with an audit event of what it was and is.
async fn put_setting<T: serde::Serialize>(
    ctx: &Ctx,
    actor: &Actor,
    key: &str,
    (before, after): (T, T),
) -> ActionResult<()> {
    let value = serde_json::to_string(&after).map_err(|e| anyhow::anyhow!("{key}: {e}"))?;
    let mut tx = ctx.store.begin().await?;
    put_org_setting(
        &mut tx,
        actor.organisation_id,
        key,
        &value,
        ctx.clock.now().as_millisecond(),
    )
    .await?;
    audited(
        ctx,
        actor,
        &mut tx,
        &format!("organisation.{key}_set"),
        json!({ key: {"before": before, "after": after} }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Saves the timescales, then moves the triage deadlines of reports still waiting.
pub async fn save_timescales(
    ctx: &Ctx,
    actor: &Actor,
    draft: &TimescalesDraft,
) -> ActionResult<()> {
    may_manage(actor)?;
    let new = draft.validate().map_err(ActionError::Invalid)?;
    let old = org_timescales(ctx, actor.organisation_id).await?;
    put_setting(ctx, actor, TIMESCALES, (old, new)).await?;
    super::timescales::recompute_triage_deadlines(ctx, false).await?;
    Ok(())
}

/// Saves the risk band edges (gradings already made keep their band).
pub async fn save_band_edges(ctx: &Ctx, actor: &Actor, draft: &BandEdgesDraft) -> ActionResult<()> {
    may_manage(actor)?;
    let new = draft.validate().map_err(ActionError::Invalid)?;
    let old = org_band_edges(ctx, actor.organisation_id).await?;
    put_setting(ctx, actor, RISK_BANDS, (old, new)).await
}

/// Adds a non-working day to a nation's calendar, then moves waiting triage deadlines.
pub async fn add_non_working_day(
    ctx: &Ctx,
    actor: &Actor,
    draft: &ExtraDayDraft,
) -> ActionResult<()> {
    may_manage(actor)?;
    let (nation, day, label) = draft.validate().map_err(ActionError::Invalid)?;
    let mut tx = ctx.store.begin().await?;
    insert_extra_holiday(&mut tx, actor.organisation_id, nation, day, &label).await?;
    audited(
        ctx,
        actor,
        &mut tx,
        "organisation.non_working_day_added",
        json!({"non_working_day": {"before": null, "after": {"nation": nation.code(), "day": day.to_string(), "label": label}}}),
    )
    .await?;
    tx.commit().await?;
    super::timescales::recompute_triage_deadlines(ctx, false).await?;
    Ok(())
}

/// Removes a day that was added.
pub async fn remove_non_working_day(
    ctx: &Ctx,
    actor: &Actor,
    nation: &str,
    day: &str,
) -> ActionResult<()> {
    may_manage(actor)?;
    let nation = Nation::parse(nation).ok_or(ActionError::NotFound)?;
    let day: Date = day.parse().map_err(|_| ActionError::NotFound)?;
    let mut tx = ctx.store.begin().await?;
    if !delete_extra_holiday(&mut tx, actor.organisation_id, nation, day).await? {
        return Err(ActionError::NotFound);
    }
    audited(
        ctx,
        actor,
        &mut tx,
        "organisation.non_working_day_removed",
        json!({"non_working_day": {"before": {"nation": nation.code(), "day": day.to_string()}, "after": null}}),
    )
    .await?;
    tx.commit().await?;
    super::timescales::recompute_triage_deadlines(ctx, false).await?;
    Ok(())
}
