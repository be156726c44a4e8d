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
use candour_domain::ids::{OrganisationId, RegionId, UserId};
use candour_domain::organisation::Nation;
use candour_domain::role::Permission;
use candour_domain::role::{Role, Scope};
use candour_domain::settings::{BandEdgesDraft, ExtraDayDraft, TimescalesDraft};
use candour_domain::timescales::Timescales;
use candour_domain::triage::BandEdges;
use candour_domain::validation::FieldErrors;
use jiff::civil::Date;
use serde_json::json;

/// A nation's calendar: the shipped bank holidays in the coming year, and the added days with their names.
pub type NationCalendar = (Nation, Vec<Date>, Vec<(Date, String)>);

/// Who is on call for a region, and who could be.
#[derive(Debug, Clone, PartialEq)]
pub struct OnCall {
    /// The region.
    pub region: crate::store::organisations::Region,
    /// The senior manager on call now, if one is named.
    pub chosen: Option<UserId>,
    /// Who may be named: regional managers and heads of operations who
    /// cover the whole region, with their names.
    pub candidates: Vec<(UserId, String)>,
}

/// What the settings page shows.
#[derive(Debug, Clone, PartialEq)]
pub struct SettingsView {
    /// The timescales in force.
    pub timescales: Timescales,
    /// The risk bands in force.
    pub bands: BandEdges,
    /// Per nation: the shipped bank holidays from today for a year, and the added days.
    pub calendars: Vec<NationCalendar>,
    /// Per region: the senior manager on call.
    pub on_call: Vec<OnCall>,
    /// The statutory duties' deadlines.
    pub duties: candour_domain::duties::DutySettings,
    /// How long incident records are kept after closure.
    pub retention: candour_domain::retention::Retention,
    /// The rules that flag people at increased risk.
    pub risk: candour_domain::risk_flags::RiskRules,
    /// The trend charts' settings.
    pub charts: candour_domain::spc::ChartSettings,
    /// How soon a speaking-up guardian acknowledges a concern and gives feedback.
    pub speak_up: candour_domain::speaking_up::SpeakUpSettings,
    /// The board member who hears of reports naming a head of operations,
    /// and who may be chosen.
    pub designate: (Option<UserId>, Vec<(UserId, String)>),
}

pub(crate) fn may_manage(actor: &Actor) -> ActionResult<()> {
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
    let mut on_call = Vec::new();
    for region in ctx.store.regions(org).await? {
        on_call.push(OnCall {
            chosen: on_call_for(ctx, org, region.region_id).await?,
            candidates: on_call_candidates(ctx, org, region.region_id).await?,
            region,
        });
    }
    Ok(SettingsView {
        timescales: org_timescales(ctx, org).await?,
        bands: org_band_edges(ctx, org).await?,
        calendars,
        on_call,
        duties: super::timescales::org_duty_settings(ctx, org).await?,
        retention: super::retention::org_retention(ctx, org).await?,
        risk: super::risk::org_risk_rules(ctx, org).await?,
        charts: super::trends::org_chart_settings(ctx, org).await?,
        speak_up: super::speaking_up::org_speak_up_settings(ctx, org).await?,
        designate: (
            super::designate::board_designate(ctx, org).await?,
            super::designate::designate_candidates(ctx, org).await?,
        ),
    })
}

/// Saves the statutory duties' deadlines.
pub async fn save_duty_settings(
    ctx: &Ctx,
    actor: &Actor,
    draft: &candour_domain::settings::DutySettingsDraft,
) -> ActionResult<()> {
    may_manage(actor)?;
    let new = draft.validate().map_err(ActionError::Invalid)?;
    let old = super::timescales::org_duty_settings(ctx, actor.organisation_id).await?;
    put_setting(ctx, actor, super::timescales::DUTY_SETTINGS, (old, new)).await
}

/// Saves the speaking-up timescales.
pub async fn save_speak_up_settings(
    ctx: &Ctx,
    actor: &Actor,
    draft: &candour_domain::speaking_up::SpeakUpSettingsDraft,
) -> ActionResult<()> {
    may_manage(actor)?;
    let new = draft.validate().map_err(ActionError::Invalid)?;
    let old = super::speaking_up::org_speak_up_settings(ctx, actor.organisation_id).await?;
    put_setting(ctx, actor, super::speaking_up::SETTINGS_KEY, (old, new)).await
}

/// Saves how long incident records are kept (never under RIDDOR's 3 years).
pub async fn save_retention(
    ctx: &Ctx,
    actor: &Actor,
    draft: &candour_domain::retention::RetentionDraft,
) -> ActionResult<()> {
    may_manage(actor)?;
    let new = draft.validate().map_err(ActionError::Invalid)?;
    let old = super::retention::org_retention(ctx, actor.organisation_id).await?;
    put_setting(ctx, actor, super::retention::RETENTION, (old, new)).await
}

/// Saves the rules that flag people at increased risk.
pub async fn save_risk_rules(
    ctx: &Ctx,
    actor: &Actor,
    draft: &candour_domain::risk_flags::RiskRulesDraft,
) -> ActionResult<()> {
    may_manage(actor)?;
    let new = draft.validate().map_err(ActionError::Invalid)?;
    let old = super::risk::org_risk_rules(ctx, actor.organisation_id).await?;
    let mut tx = ctx.store.begin().await?;
    put_setting_in(ctx, actor, &mut tx, super::risk::RISK_RULES, (old, new)).await?;
    // Everyone's kept flags were worked out under the old rules: in the
    // same transaction, so no reader sees flags of the old rules after.
    super::risk::rules_changed(ctx, &mut tx, actor.organisation_id).await?;
    tx.commit().await?;
    Ok(())
}

/// Saves the trend charts' settings (the run length of a shift or trend).
pub async fn save_chart_settings(
    ctx: &Ctx,
    actor: &Actor,
    draft: &candour_domain::spc::ChartSettingsDraft,
) -> ActionResult<()> {
    may_manage(actor)?;
    let new = draft.validate().map_err(ActionError::Invalid)?;
    let old = super::trends::org_chart_settings(ctx, actor.organisation_id).await?;
    put_setting(ctx, actor, super::trends::CHART_SETTINGS, (old, new)).await
}

fn on_call_key(region: RegionId) -> String {
    format!("on_call.{region}")
}

/// Who may be on call for `region`: active regional managers and heads of
/// operations whose grants cover all of it.
async fn on_call_candidates(
    ctx: &Ctx,
    org: OrganisationId,
    region: RegionId,
) -> ActionResult<Vec<(UserId, String)>> {
    Ok(ctx
        .store
        .staff_with_grants(org)
        .await?
        .into_iter()
        .filter(|(_, _, grants)| {
            grants.iter().any(|g| {
                matches!(g.role, Role::RegionalManager | Role::HeadOfOperations)
                    && match g.scope {
                        Scope::Organisation => true,
                        Scope::Region(r) => r == region,
                        Scope::Service(_) => false,
                    }
            })
        })
        .map(|(id, name, _)| (id, name))
        .collect())
}

/// The senior manager on call for `region`, if one is named and can still
/// be (active, and still covering the region).
pub async fn on_call_for(
    ctx: &Ctx,
    org: OrganisationId,
    region: RegionId,
) -> ActionResult<Option<UserId>> {
    let Some(json) = ctx.store.org_setting(org, &on_call_key(region)).await? else {
        return Ok(None);
    };
    let chosen: Option<UserId> = serde_json::from_str(&json).unwrap_or(None);
    let Some(chosen) = chosen else {
        return Ok(None);
    };
    Ok(on_call_candidates(ctx, org, region)
        .await?
        .iter()
        .any(|(id, _)| *id == chosen)
        .then_some(chosen))
}

/// Names the senior manager on call for a region (`user` empty: nobody,
/// and the region's regional managers are alerted instead).
pub async fn set_on_call(ctx: &Ctx, actor: &Actor, region: &str, user: &str) -> ActionResult<()> {
    may_manage(actor)?;
    let org = actor.organisation_id;
    let region = ctx
        .store
        .regions(org)
        .await?
        .into_iter()
        .find(|r| r.region_id.to_string() == region.trim())
        .ok_or(ActionError::NotFound)?;
    let chosen = match user.trim() {
        "" => None,
        typed => {
            let candidates = on_call_candidates(ctx, org, region.region_id).await?;
            let found = candidates
                .iter()
                .find(|(id, _)| id.to_string() == typed)
                .map(|(id, _)| *id);
            if found.is_none() {
                let mut e = FieldErrors::new();
                e.add(
                    &format!("on_call-{}", region.region_id),
                    format!(
                        "Choose a regional manager or head of operations who covers {}",
                        region.name
                    ),
                );
                return Err(ActionError::Invalid(e));
            }
            found
        }
    };
    let before = on_call_for(ctx, org, region.region_id).await?;
    put_setting(ctx, actor, &on_call_key(region.region_id), (before, chosen)).await
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
pub(crate) async fn put_setting<T: serde::Serialize>(
    ctx: &Ctx,
    actor: &Actor,
    key: &str,
    (before, after): (T, T),
) -> ActionResult<()> {
    let mut tx = ctx.store.begin().await?;
    put_setting_in(ctx, actor, &mut tx, key, (before, after)).await?;
    tx.commit().await?;
    Ok(())
}

/// Saves and audits a setting in `tx`.
async fn put_setting_in<T: serde::Serialize>(
    ctx: &Ctx,
    actor: &Actor,
    tx: &mut crate::store::Tx,
    key: &str,
    (before, after): (T, T),
) -> ActionResult<()> {
    let value = serde_json::to_string(&after).map_err(|e| anyhow::anyhow!("{key}: {e}"))?;
    put_org_setting(
        tx,
        actor.organisation_id,
        key,
        &value,
        ctx.clock.now().as_millisecond(),
    )
    .await?;
    audited(
        ctx,
        actor,
        tx,
        &format!("organisation.{key}_set"),
        json!({ key: {"before": before, "after": after} }),
    )
    .await
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
