//! Trends: a measure counted per month over the last two complete years
//! for a service, a region or every service the reader sees, drawn as an
//! XmR chart (domain `spc`).

use super::{ActionResult, Actor, Ctx, scope_of};
use crate::store::incidents::TallyScope;
use crate::store::organisations::{Region, Service};
use candour_domain::ids::{RegionId, ServiceId};
use candour_domain::incident::{Category, EventKind, london};
use candour_domain::role::Permission;
use candour_domain::spc::{Chart, Direction, Settings, monthly_counts_of_days, xmr};
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
    /// Incidents of one other category (as confirmed at triage): fewer is better.
    Category(Category),
}

impl TrendMeasure {
    /// Every measure, in the order offered: the key measures, then each
    /// other category.
    pub const ALL: &'static [TrendMeasure] = &[
        TrendMeasure::Falls,
        TrendMeasure::PressureUlcers,
        TrendMeasure::MedicationErrors,
        TrendMeasure::NearMisses,
        TrendMeasure::AllIncidents,
        TrendMeasure::Category(Category::Behaviour),
        TrendMeasure::Category(Category::Safeguarding),
        TrendMeasure::Category(Category::Equipment),
        TrendMeasure::Category(Category::Environment),
        TrendMeasure::Category(Category::Infection),
        TrendMeasure::Category(Category::Choking),
        TrendMeasure::Category(Category::MissingPerson),
        TrendMeasure::Category(Category::SelfHarm),
        TrendMeasure::Category(Category::Death),
        TrendMeasure::Category(Category::StaffInjury),
        TrendMeasure::Category(Category::DataBreach),
        TrendMeasure::Category(Category::Other),
    ];

    /// Its code.
    pub fn code(self) -> &'static str {
        match self {
            TrendMeasure::Falls => "falls",
            TrendMeasure::PressureUlcers => "pressure_ulcers",
            TrendMeasure::MedicationErrors => "medication_errors",
            TrendMeasure::NearMisses => "near_misses",
            TrendMeasure::AllIncidents => "all_incidents",
            TrendMeasure::Category(c) => c.code(),
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
            TrendMeasure::Category(c) => c.label(),
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
            TrendMeasure::Category(c) => (Some(c), &[EventKind::Incident]),
        }
    }
}

/// The organisation setting that holds the chart settings (the run length).
pub const CHART_SETTINGS: &str = "spc_chart";

/// The organisation's chart settings (the defaults until someone changes them).
pub async fn org_chart_settings(
    ctx: &Ctx,
    org: candour_domain::ids::OrganisationId,
) -> ActionResult<candour_domain::spc::ChartSettings> {
    Ok(match ctx.store.org_setting(org, CHART_SETTINGS).await? {
        Some(json) => serde_json::from_str(&json)
            .map_err(|e| anyhow::anyhow!("the stored chart settings are not readable: {e}"))?,
        None => candour_domain::spc::ChartSettings::default(),
    })
}

/// Weeks on a weekly trend chart (two years).
pub const WEEKS: usize = 104;

/// Counted per month or per week.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// Calendar months, UK time.
    Month,
    /// Weeks from Monday, UK time.
    Week,
}

impl Period {
    /// Parses `month` or `week`.
    pub fn parse(code: &str) -> Option<Period> {
        match code {
            "month" => Some(Period::Month),
            "week" => Some(Period::Week),
            _ => None,
        }
    }

    /// Its code.
    pub fn code(self) -> &'static str {
        match self {
            Period::Month => "month",
            Period::Week => "week",
        }
    }
}

/// Which incidents count, by physical harm as graded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HarmFloor {
    /// Every one, graded or not.
    Any,
    /// Low harm or worse.
    Low,
    /// Moderate harm or worse.
    Moderate,
    /// Severe harm or death.
    Severe,
}

impl HarmFloor {
    /// Every floor, in the order offered.
    pub const ALL: [HarmFloor; 4] = [
        HarmFloor::Any,
        HarmFloor::Low,
        HarmFloor::Moderate,
        HarmFloor::Severe,
    ];

    /// Its code.
    pub fn code(self) -> &'static str {
        match self {
            HarmFloor::Any => "any",
            HarmFloor::Low => "low",
            HarmFloor::Moderate => "moderate",
            HarmFloor::Severe => "severe",
        }
    }

    /// Its name.
    pub fn label(self) -> &'static str {
        match self {
            HarmFloor::Any => "Any harm, graded or not",
            HarmFloor::Low => "Low harm or worse",
            HarmFloor::Moderate => "Moderate harm or worse",
            HarmFloor::Severe => "Severe harm or death",
        }
    }

    /// Parses a code.
    pub fn parse(code: &str) -> Option<HarmFloor> {
        HarmFloor::ALL.into_iter().find(|h| h.code() == code)
    }

    fn rank(self) -> u8 {
        match self {
            HarmFloor::Any => 0,
            HarmFloor::Low => 1,
            HarmFloor::Moderate => 2,
            HarmFloor::Severe => 3,
        }
    }
}

/// What a trend chart shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrendQuery {
    /// The measure.
    pub measure: TrendMeasure,
    /// Per month or per week.
    pub period: Period,
    /// Which incidents count, by harm.
    pub harm: HarmFloor,
    /// Per 1,000 occupied bed days (monthly only) rather than counts.
    pub per_bed_days: bool,
}

impl TrendQuery {
    /// Counts of `measure` per month, any harm.
    pub fn counts(measure: TrendMeasure) -> TrendQuery {
        TrendQuery {
            measure,
            period: Period::Month,
            harm: HarmFloor::Any,
            per_bed_days: false,
        }
    }
}

/// One period charted.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendRow {
    /// Its first day.
    pub starts: Date,
    /// Events in it.
    pub count: u32,
    /// Occupied bed days (for rates).
    pub bed_days: Option<u32>,
    /// The value charted (the count, or the rate).
    pub value: f64,
}

/// A trend for a scope.
#[derive(Debug, Clone)]
pub struct TrendView {
    /// What it shows.
    pub query: TrendQuery,
    /// The scope, in words.
    pub scope: String,
    /// Each period charted, oldest first.
    pub rows: Vec<TrendRow>,
    /// The chart.
    pub chart: Chart,
    /// The changes recorded against this measure and scope.
    pub changes: Vec<crate::store::trend_data::TrendChange>,
    /// Where changes are recorded for this chart, if it has one place
    /// (a service, a region or the organisation).
    pub change_scope: Option<candour_domain::role::Scope>,
    /// Whether the reader may record a change there.
    pub can_record_change: bool,
    /// Months left out of a rate for want of occupancy.
    pub missing_occupancy: Vec<Date>,
    /// The services the reader may choose from.
    pub services: Vec<Service>,
    /// The regions the reader may choose from.
    pub regions: Vec<Region>,
}

/// Where a chart over `chosen` records its changes: one service, one
/// region, or the whole organisation; `None` for another set of services.
pub(crate) fn change_scope(
    (service, region): (Option<ServiceId>, Option<RegionId>),
    chosen: &[Service],
    all: &[Service],
) -> Option<candour_domain::role::Scope> {
    use candour_domain::role::Scope;
    match (service, region) {
        (Some(s), _) => Some(Scope::Service(s)),
        (None, Some(r)) => Some(Scope::Region(r)),
        (None, None) if chosen.len() == all.len() => Some(Scope::Organisation),
        (None, None) => match chosen.first() {
            Some(first) if chosen.iter().all(|s| s.region_id == first.region_id) => {
                Some(Scope::Region(first.region_id))
            }
            _ => None,
        },
    }
}

/// Whose counts a chart of `chosen` adds up: the organisation's own when
/// `chosen` is `every` service of it, so a chart of the whole organisation
/// adds up one count per day and kind of incident rather than one per
/// service.
pub(crate) fn tally_scope<'a>(chosen: &'a [ServiceId], every: &[Service]) -> TallyScope<'a> {
    if every.iter().all(|s| chosen.contains(&s.service_id)) {
        TallyScope::Organisation
    } else {
        TallyScope::Services(chosen)
    }
}

/// Incidents counted per UK day from `since`, from the counts the database
/// keeps beside the incidents.
pub(crate) async fn day_counts(
    ctx: &Ctx,
    org: candour_domain::ids::OrganisationId,
    scope: TallyScope<'_>,
    filter: (Option<Category>, &[EventKind]),
    (since, min_harm): (jiff::Timestamp, u8),
) -> ActionResult<Vec<(Date, u32)>> {
    let tallies = ctx
        .store
        .tallies(org, scope, filter, (since, min_harm))
        .await?;
    Ok(candour_domain::tally::by_uk_day(&tallies))
}

/// The first instant of `d`, UK time.
fn start_of(d: Date) -> ActionResult<jiff::Timestamp> {
    london()
        .to_ambiguous_timestamp(d.to_datetime(jiff::civil::Time::midnight()))
        .compatible()
        .map_err(|e| anyhow::anyhow!("{e}").into())
}

/// The trend over the last [`MONTHS`] complete months or [`WEEKS`]
/// complete weeks, as counts or (monthly) per 1,000 occupied bed days,
/// rebased at each recorded change.
pub async fn trend(
    ctx: &Ctx,
    actor: &Actor,
    (service, region): (Option<ServiceId>, Option<RegionId>),
    query: TrendQuery,
) -> ActionResult<TrendView> {
    let scope = scope_of(ctx, actor, Permission::ViewIncidents, (service, region)).await?;
    let org = actor.organisation_id;
    let scoped: Vec<ServiceId> = scope.chosen.iter().map(|s| s.service_id).collect();
    let query = TrendQuery {
        period: if query.per_bed_days {
            Period::Month
        } else {
            query.period
        },
        ..query
    };
    let today = ctx.clock.now().to_zoned(london()).date();
    let (first, n) = match query.period {
        Period::Month => (
            today
                .first_of_month()
                .checked_sub(jiff::Span::new().months(i64::try_from(MONTHS).unwrap_or(24)))
                .map_err(|e| anyhow::anyhow!("{e}"))?,
            MONTHS,
        ),
        Period::Week => {
            let monday = today
                .checked_sub(
                    jiff::Span::new().days(i64::from(today.weekday().to_monday_zero_offset())),
                )
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            (
                monday
                    .checked_sub(jiff::Span::new().weeks(i64::try_from(WEEKS).unwrap_or(104)))
                    .map_err(|e| anyhow::anyhow!("{e}"))?,
                WEEKS,
            )
        }
    };
    let every = ctx.store.services(org).await?;
    let days = day_counts(
        ctx,
        org,
        tally_scope(&scoped, &every),
        query.measure.filter(),
        (start_of(first)?, query.harm.rank()),
    )
    .await?;
    let counts = match query.period {
        Period::Month => monthly_counts_of_days(&days, first, n),
        Period::Week => candour_domain::spc::weekly_counts_of_days(&days, first, n),
    };
    let mut missing_occupancy = Vec::new();
    let rows: Vec<TrendRow> = if query.per_bed_days {
        let recorded = ctx.store.occupancy(org, &scoped).await?;
        let denominators: Vec<Option<u32>> = counts
            .iter()
            .map(|(d, _)| {
                let month = d.strftime("%Y-%m").to_string();
                scoped.iter().try_fold(0u32, |sum, s| {
                    recorded
                        .iter()
                        .find(|o| o.service_id == *s && o.month == month)
                        .map(|o| sum.saturating_add(o.bed_days))
                })
            })
            .collect();
        let numerators: Vec<u32> = counts.iter().map(|(_, c)| *c).collect();
        let rates = candour_domain::spc::rates_per_thousand(&numerators, &denominators);
        counts
            .iter()
            .zip(denominators.iter().zip(rates))
            .filter_map(|((d, c), (days, rate))| match rate {
                Some(value) => Some(TrendRow {
                    starts: *d,
                    count: *c,
                    bed_days: *days,
                    value,
                }),
                None => {
                    missing_occupancy.push(*d);
                    None
                }
            })
            .collect()
    } else {
        counts
            .iter()
            .map(|(d, c)| TrendRow {
                starts: *d,
                count: *c,
                bed_days: None,
                value: f64::from(*c),
            })
            .collect()
    };
    let change_scope = change_scope((service, region), &scope.chosen, &every);
    let changes = match change_scope {
        Some(cs) => {
            ctx.store
                .trend_changes(org, cs, query.measure.code())
                .await?
        }
        None => Vec::new(),
    };
    let starts: Vec<Date> = rows.iter().map(|r| r.starts).collect();
    let chart = xmr(
        &rows.iter().map(|r| r.value).collect::<Vec<_>>(),
        &Settings {
            run_length: org_chart_settings(ctx, org).await?.run_length,
            direction: query.measure.direction(),
            rebase_at: candour_domain::spc::rebase_indices(
                &starts,
                &changes.iter().map(|c| c.starts_on).collect::<Vec<_>>(),
            ),
            ..Settings::default()
        },
    );
    let can_record_change = change_scope.is_some_and(|cs| {
        let region_of = |s: ServiceId| {
            scope
                .services
                .iter()
                .find(|x| x.service_id == s)
                .map(|x| x.region_id)
        };
        candour_domain::lessons::may_publish(&actor.grants, cs, region_of)
    });
    Ok(TrendView {
        query,
        scope: scope.label,
        rows,
        chart,
        changes,
        change_scope,
        can_record_change,
        missing_occupancy,
        services: scope.services,
        regions: scope.regions,
    })
}

/// `measure` in `services` (see [`tally_scope`]) for the [`MONTHS`] months to the end of `last`,
/// counted by when the events happened (UK time), with its XmR chart
/// rebased at the changes recorded against `measure` in `scope` (the
/// place those services make up), if given.
pub(crate) async fn monthly_trend(
    ctx: &Ctx,
    (org, services, scope): (
        candour_domain::ids::OrganisationId,
        TallyScope<'_>,
        Option<candour_domain::role::Scope>,
    ),
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
    // The window ends with `last`: later days have no month in it.
    let days = day_counts(ctx, org, services, measure.filter(), (since, 0)).await?;
    let months = monthly_counts_of_days(&days, first, MONTHS);
    let values: Vec<f64> = months.iter().map(|(_, n)| f64::from(*n)).collect();
    let changes: Vec<Date> = match scope {
        Some(sc) => ctx
            .store
            .trend_changes(org, sc, measure.code())
            .await?
            .into_iter()
            .map(|c| c.starts_on)
            .collect(),
        None => Vec::new(),
    };
    let starts: Vec<Date> = months.iter().map(|(d, _)| *d).collect();
    let chart = xmr(
        &values,
        &Settings {
            run_length: org_chart_settings(ctx, org).await?.run_length,
            direction: measure.direction(),
            rebase_at: candour_domain::spc::rebase_indices(&starts, &changes),
            ..Settings::default()
        },
    );
    Ok((months, chart))
}

/// Records a change against a chart ("sensor mats introduced" on a day):
/// its limits are recalculated from the first whole period after it.
/// Those who triage over the whole of the chart's scope; audited.
pub async fn record_change(
    ctx: &Ctx,
    actor: &Actor,
    (service, region): (Option<ServiceId>, Option<RegionId>),
    measure: TrendMeasure,
    (starts_on, label): (&str, &str),
) -> ActionResult<()> {
    let view = trend(ctx, actor, (service, region), TrendQuery::counts(measure)).await?;
    let Some(scope) = view.change_scope.filter(|_| view.can_record_change) else {
        return Err(super::ActionError::Forbidden);
    };
    let mut e = candour_domain::validation::FieldErrors::new();
    let today = ctx.clock.now().to_zoned(london()).date();
    let day = match starts_on.trim().parse::<Date>() {
        Ok(d) if d > today => {
            e.add(
                "starts_on",
                "The change must have started: today or earlier",
            );
            None
        }
        Ok(d) => Some(d),
        Err(_) if starts_on.trim().is_empty() => {
            e.add("starts_on", "Enter the day the change started");
            None
        }
        Err(_) => {
            e.add("starts_on", "Enter a real date, like 2026-03-01");
            None
        }
    };
    let label = candour_domain::validation::checked_text(
        &mut e,
        "label",
        label,
        200,
        Some("Say what changed, such as \"sensor mats introduced\""),
    );
    let Some(day) = day.filter(|_| e.is_empty()) else {
        return Err(super::ActionError::Invalid(e));
    };
    let now = ctx.clock.now().as_millisecond();
    let mut tx = ctx.store.begin().await?;
    let id = crate::store::trend_data::insert_change(
        &mut tx,
        actor.organisation_id,
        (scope, measure.code()),
        (day, &label),
        (actor.user_id, now),
    )
    .await?;
    super::audit_now(
        ctx,
        &mut tx,
        actor,
        ("trend_change", &id.to_string(), "trend_change.recorded"),
        &serde_json::json!({
            "scope": candour_domain::lessons::scope_code(scope),
            "measure": measure.code(),
            "starts_on": day.to_string(),
            "label": label,
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
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
