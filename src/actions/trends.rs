//! Trends: a measure counted per month over the last two complete years
//! for a service, a region or every service the reader sees, drawn as an
//! XmR chart (domain `spc`).

use super::{ActionResult, Actor, Ctx, scope_of};
use crate::store::organisations::{Region, Service};
use candour_domain::ids::{RegionId, ServiceId};
use candour_domain::incident::{Category, EventKind, london};
use candour_domain::role::Permission;
use candour_domain::spc::{Chart, Direction, Settings, monthly_counts, xmr};
use jiff::civil::Date;

/// Months on a trend chart.
pub const MONTHS: usize = 24;

/// What a trend counts, and which way is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrendMeasure {
    /// Falls (incidents): fewer is better.
    Falls,
    /// Pressure ulcers: fewer is better.
    PressureUlcers,
    /// Medication errors: fewer is better.
    MedicationErrors,
    /// Near misses reported: more reporting is better.
    NearMisses,
    /// Every incident: neither way is better in itself.
    AllIncidents,
}

impl TrendMeasure {
    /// Every measure, in the order offered.
    pub const ALL: &'static [TrendMeasure] = &[
        TrendMeasure::Falls,
        TrendMeasure::PressureUlcers,
        TrendMeasure::MedicationErrors,
        TrendMeasure::NearMisses,
        TrendMeasure::AllIncidents,
    ];

    /// Its code.
    pub fn code(self) -> &'static str {
        match self {
            TrendMeasure::Falls => "falls",
            TrendMeasure::PressureUlcers => "pressure_ulcers",
            TrendMeasure::MedicationErrors => "medication_errors",
            TrendMeasure::NearMisses => "near_misses",
            TrendMeasure::AllIncidents => "all_incidents",
        }
    }

    /// Its name.
    pub fn label(self) -> &'static str {
        match self {
            TrendMeasure::Falls => "Falls",
            TrendMeasure::PressureUlcers => "Pressure ulcers",
            TrendMeasure::MedicationErrors => "Medication errors",
            TrendMeasure::NearMisses => "Near misses reported",
            TrendMeasure::AllIncidents => "All incidents",
        }
    }

    /// Parses a code.
    pub fn parse(code: &str) -> Option<TrendMeasure> {
        TrendMeasure::ALL.iter().copied().find(|m| m.code() == code)
    }

    /// Which way is better.
    pub fn direction(self) -> Direction {
        match self {
            TrendMeasure::NearMisses => Direction::Increase,
            TrendMeasure::AllIncidents => Direction::Neutral,
            _ => Direction::Decrease,
        }
    }

    fn filter(self) -> (Option<Category>, &'static [EventKind]) {
        match self {
            TrendMeasure::Falls => (Some(Category::Fall), &[EventKind::Incident]),
            TrendMeasure::PressureUlcers => (Some(Category::PressureUlcer), &[EventKind::Incident]),
            TrendMeasure::MedicationErrors => (Some(Category::Medication), &[EventKind::Incident]),
            TrendMeasure::NearMisses => (None, &[EventKind::NearMiss]),
            TrendMeasure::AllIncidents => (None, &[EventKind::Incident]),
        }
    }
}

/// A trend for a scope.
#[derive(Debug, Clone)]
pub struct TrendView {
    /// What it counts.
    pub measure: TrendMeasure,
    /// The scope, in words.
    pub scope: String,
    /// Each month and its count, oldest first.
    pub months: Vec<(Date, u32)>,
    /// The chart.
    pub chart: Chart,
    /// The services the reader may choose from.
    pub services: Vec<Service>,
    /// The regions the reader may choose from.
    pub regions: Vec<Region>,
}

/// The trend of `measure` over the last [`MONTHS`] complete months.
pub async fn trend(
    ctx: &Ctx,
    actor: &Actor,
    (service, region): (Option<ServiceId>, Option<RegionId>),
    measure: TrendMeasure,
) -> ActionResult<TrendView> {
    let scope = scope_of(ctx, actor, Permission::ViewIncidents, (service, region)).await?;
    let scoped: Vec<ServiceId> = scope.chosen.iter().map(|s| s.service_id).collect();
    let last = candour_domain::monthly::Month::containing(ctx.clock.now()).previous();
    let (months, chart) = monthly_trend(ctx, actor.organisation_id, &scoped, measure, last).await?;
    Ok(TrendView {
        measure,
        scope: scope.label,
        months,
        chart,
        services: scope.services,
        regions: scope.regions,
    })
}

/// `measure` in `services` for the [`MONTHS`] months to the end of `last`,
/// counted by when the events happened (UK time), with its XmR chart.
pub(crate) async fn monthly_trend(
    ctx: &Ctx,
    org: candour_domain::ids::OrganisationId,
    services: &[ServiceId],
    measure: TrendMeasure,
    last: candour_domain::monthly::Month,
) -> ActionResult<(Vec<(Date, u32)>, Chart)> {
    let first = last
        .first_day()
        .checked_sub(jiff::Span::new().months(i64::try_from(MONTHS).unwrap_or(24) - 1))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let since = london()
        .to_ambiguous_timestamp(first.to_datetime(jiff::civil::Time::midnight()))
        .compatible()
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let times: Vec<jiff::Timestamp> = ctx
        .store
        .occurred_times(org, services, measure.filter(), since)
        .await?
        .into_iter()
        .filter_map(|ms| jiff::Timestamp::from_millisecond(ms).ok())
        .filter(|t| *t < last.end())
        .collect();
    let months = monthly_counts(&times, first, MONTHS);
    let values: Vec<f64> = months.iter().map(|(_, n)| f64::from(*n)).collect();
    let chart = xmr(
        &values,
        &Settings {
            direction: measure.direction(),
            ..Settings::default()
        },
    );
    Ok((months, chart))
}

/// When and where a measure's events happened over the last 12 months.
#[derive(Debug, Clone)]
pub struct PatternsView {
    /// What it counts.
    pub measure: TrendMeasure,
    /// The scope, in words.
    pub scope: String,
    /// From (the first day counted).
    pub from: Date,
    /// By day and time of day, and by shift.
    pub patterns: candour_domain::patterns::Patterns,
    /// By place ("service, area"), busiest first.
    pub places: Vec<(String, u32)>,
    /// The services the reader may choose from.
    pub services: Vec<Service>,
    /// The regions the reader may choose from.
    pub regions: Vec<Region>,
}

/// When (day of the week, time of day, shift) and where (service and area)
/// `measure`'s events happened in the last 12 complete months and this one.
pub async fn patterns(
    ctx: &Ctx,
    actor: &Actor,
    (service, region): (Option<ServiceId>, Option<RegionId>),
    measure: TrendMeasure,
) -> ActionResult<PatternsView> {
    let scope = scope_of(ctx, actor, Permission::ViewIncidents, (service, region)).await?;
    let scoped: Vec<ServiceId> = scope.chosen.iter().map(|s| s.service_id).collect();
    let from = ctx
        .clock
        .now()
        .to_zoned(london())
        .date()
        .first_of_month()
        .checked_sub(jiff::Span::new().months(12))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let since = london()
        .to_ambiguous_timestamp(from.to_datetime(jiff::civil::Time::midnight()))
        .compatible()
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let rows = ctx
        .store
        .occurrences_with_place(actor.organisation_id, &scoped, measure.filter(), since)
        .await?;
    let times: Vec<jiff::Timestamp> = rows
        .iter()
        .filter_map(|(ms, _, _)| jiff::Timestamp::from_millisecond(*ms).ok())
        .collect();
    let mut places: Vec<(String, u32)> = Vec::new();
    for (_, service, area) in rows {
        let place = match area {
            Some(a) => format!("{service}, {a}"),
            None => format!("{service}, no area recorded"),
        };
        match places.iter_mut().find(|(p, _)| *p == place) {
            Some((_, n)) => *n += 1,
            None => places.push((place, 1)),
        }
    }
    places.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(PatternsView {
        measure,
        scope: scope.label,
        from,
        patterns: candour_domain::patterns::patterns(&times, &london()),
        places,
        services: scope.services,
        regions: scope.regions,
    })
}
