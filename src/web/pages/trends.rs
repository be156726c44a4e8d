//! GET /trends: a measure per month as an XmR chart, drawn on the server
//! as SVG with a title, a description and the data in a table beside it,
//! readable without colour (each point's shape and the table say what its
//! variation is).

use crate::actions::trends::{HarmFloor, Period, TrendMeasure, TrendQuery, trend};
use crate::web::AppState;
use crate::web::auth::{CsrfForm, CurrentUser};
use crate::web::error::{WebError, render};
use crate::web::layout::Layout;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use candour_domain::spc::Variation;
use candour_domain::spc_plot::{Dot, Plot, Rule, fmt, plot};
use std::collections::HashMap;

/// One period in the data table.
pub struct Row {
    /// The period.
    pub month: String,
    /// The count.
    pub count: u32,
    /// Occupied bed days and the rate, for rates.
    pub rate: Option<(u32, String)>,
    /// Its variation in words.
    pub variation: &'static str,
}

#[derive(Template)]
#[template(path = "trends.html")]
struct TrendsPage {
    layout: Layout,
    heading: String,
    description: String,
    line: String,
    dots: Vec<Dot>,
    rules: Vec<Rule>,
    breaks: Vec<(String, String)>,
    x_labels: Vec<(String, String)>,
    y_labels: Vec<(String, String)>,
    rows: Vec<Row>,
    filter: Filter,
    latest: &'static str,
    /// The latest variation's code (its icon).
    latest_code: &'static str,
    /// The chart in plain words.
    plain: String,
    /// Whether the table has rate columns.
    rates: bool,
    /// The changes recorded: (day, what, recorded by and when).
    changes: Vec<(String, String, String)>,
    /// Where a change is recorded (hidden fields), if the reader may.
    record_change: Option<(String, String)>,
    /// Months without occupancy, in words, and where to record it.
    missing: Option<(String, String)>,
    /// "month" or "week".
    period_word: &'static str,
}

/// The measure, service and region picker of a trends page.
pub struct Filter {
    /// Where the form goes.
    pub action: &'static str,
    /// Its id.
    pub id: &'static str,
    /// The measure shown.
    pub measure: &'static str,
    /// Every measure, (code, label).
    pub measures: Vec<(&'static str, &'static str)>,
    /// The services to choose from, (id, name).
    pub services: Vec<(String, String)>,
    /// The regions to choose from, (id, name).
    pub regions: Vec<(String, String)>,
    /// The service chosen, or empty.
    pub service: String,
    /// The region chosen, or empty.
    pub region: String,
    /// The chart's own choices (period, harm, rate), on the trends page only.
    pub chart: Option<ChartChoice>,
}

/// The period, harm and rate picked for a trend chart.
pub struct ChartChoice {
    /// `month` or `week`.
    pub period: &'static str,
    /// The harm floor's code.
    pub harm: &'static str,
    /// Every harm floor, (code, label).
    pub harms: Vec<(&'static str, &'static str)>,
    /// `count` or `bed_days`.
    pub rate: &'static str,
}

impl Filter {
    fn new(
        (action, id): (&'static str, &'static str),
        measure: TrendMeasure,
        (services, regions): (
            &[crate::store::organisations::Service],
            &[crate::store::organisations::Region],
        ),
        (service, region): (
            Option<candour_domain::ids::ServiceId>,
            Option<candour_domain::ids::RegionId>,
        ),
    ) -> Filter {
        Filter {
            action,
            id,
            measure: measure.code(),
            measures: TrendMeasure::ALL
                .iter()
                .map(|m| (m.code(), m.label()))
                .collect(),
            services: services
                .iter()
                .map(|s| (s.service_id.to_string(), s.name.clone()))
                .collect(),
            regions: regions
                .iter()
                .map(|r| (r.region_id.to_string(), r.name.clone()))
                .collect(),
            service: service.map(|s| s.to_string()).unwrap_or_default(),
            region: region.map(|r| r.to_string()).unwrap_or_default(),
            chart: None,
        }
    }
}

/// GET /trends?measure=falls&service=…&region=…&period=month&harm=any&rate=count
pub async fn show_trends(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let pick = |k: &str| q.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    let (service, region) = super::scope_query(&q)?;
    let measure = match pick("measure") {
        Some(m) => TrendMeasure::parse(m).ok_or_else(|| {
            WebError::BadRequest(format!("{m:?} is not a measure Candour charts"))
        })?,
        None => TrendMeasure::Falls,
    };
    let period = match pick("period") {
        Some(p) => Period::parse(p).ok_or_else(|| {
            WebError::BadRequest(format!("{p:?} is not a period: choose month or week"))
        })?,
        None => Period::Month,
    };
    let harm = match pick("harm") {
        Some(h) => HarmFloor::parse(h).ok_or_else(|| {
            WebError::BadRequest(format!("{h:?} is not a level of harm Candour charts"))
        })?,
        None => HarmFloor::Any,
    };
    let per_bed_days = match pick("rate") {
        None | Some("count") => false,
        Some("bed_days") => true,
        Some(r) => {
            return Err(WebError::BadRequest(format!(
                "{r:?} is not a rate: choose count or bed_days"
            )));
        }
    };
    let query = TrendQuery {
        measure,
        period,
        harm,
        per_bed_days,
    };
    let v = trend(&state.ctx, &user.actor, (service, region), query).await?;
    let weekly = v.query.period == Period::Week;
    let short = |d: jiff::civil::Date| {
        if weekly {
            d.strftime("%-d %b %y").to_string()
        } else {
            d.strftime("%b %y").to_string()
        }
    };
    let long = |d: jiff::civil::Date| {
        if weekly {
            format!("week of {}", d.strftime("%-d %b %Y"))
        } else {
            d.strftime("%b %Y").to_string()
        }
    };
    let Plot {
        line,
        dots,
        rules,
        breaks,
        x_labels,
        y_labels,
    } = plot(
        &v.chart,
        &v.rows.iter().map(|r| short(r.starts)).collect::<Vec<_>>(),
    );
    let per = if per_bed_days {
        "per 1,000 occupied bed days"
    } else if weekly {
        "per week"
    } else {
        "per month"
    };
    let harm_words = match harm {
        HarmFloor::Any => String::new(),
        h => format!(" ({})", h.label().to_lowercase()),
    };
    let heading = format!("{} {per}{harm_words} in {}", measure.label(), v.scope);
    let latest = v.chart.variation.map_or("", Variation::label);
    let description = match (v.rows.first(), v.rows.last(), v.chart.points.last()) {
        (Some(a), Some(b), Some(p)) => format!(
            "{} {per}{harm_words}, {} to {}: mean {}, process limits {} to {}. The latest {} shows {}.",
            measure.label(),
            long(a.starts),
            long(b.starts),
            fmt(p.mean),
            fmt(p.lower.max(0.0)),
            fmt(p.upper),
            if weekly { "week" } else { "month" },
            latest.to_lowercase()
        ),
        _ => String::new(),
    };
    let mut filter = Filter::new(
        ("/trends", "trend-filter"),
        measure,
        (&v.services, &v.regions),
        (service, region),
    );
    filter.chart = Some(ChartChoice {
        period: v.query.period.code(),
        harm: harm.code(),
        harms: HarmFloor::ALL
            .iter()
            .map(|h| (h.code(), h.label()))
            .collect(),
        rate: if per_bed_days { "bed_days" } else { "count" },
    });
    let what = if per_bed_days {
        format!(
            "{} per 1,000 occupied bed days",
            measure.label().to_lowercase()
        )
    } else {
        measure.label().to_lowercase()
    };
    let missing = (!v.missing_occupancy.is_empty()).then(|| {
        (
            v.missing_occupancy
                .iter()
                .map(|d| d.strftime("%b %Y").to_string())
                .collect::<Vec<_>>()
                .join(", "),
            match service {
                Some(s) => format!("/occupancy?service={s}"),
                None => "/occupancy".to_owned(),
            },
        )
    });
    let page = TrendsPage {
        layout: Layout::new(heading.clone(), &user, state.demo),
        heading,
        description,
        line,
        dots,
        rules,
        breaks,
        x_labels,
        y_labels,
        rows: v
            .rows
            .iter()
            .zip(&v.chart.points)
            .map(|(r, p)| Row {
                month: long(r.starts),
                count: r.count,
                rate: r.bed_days.map(|d| (d, format!("{:.2}", r.value))),
                variation: p.variation.label(),
            })
            .collect(),
        filter,
        latest,
        latest_code: v
            .chart
            .variation
            .map_or("common", candour_domain::spc_plot::variation_code),
        plain: candour_domain::spc::interpret(
            &v.chart,
            &what,
            &v.rows
                .last()
                .map(|r| {
                    if weekly {
                        format!("the week of {}", r.starts.strftime("%-d %B %Y"))
                    } else {
                        r.starts.strftime("%B %Y").to_string()
                    }
                })
                .unwrap_or_default(),
        ),
        rates: per_bed_days,
        changes: v
            .changes
            .iter()
            .map(|c| {
                (
                    candour_domain::display::civil_date(c.starts_on),
                    c.label.clone(),
                    format!(
                        "{}, {}",
                        c.recorded.0,
                        candour_domain::display::date_time(c.recorded.1)
                    ),
                )
            })
            .collect(),
        record_change: v.can_record_change.then(|| {
            (
                service.map(|s| s.to_string()).unwrap_or_default(),
                region.map(|r| r.to_string()).unwrap_or_default(),
            )
        }),
        missing,
        period_word: if weekly { "week" } else { "month" },
    };
    Ok(render(&page)?.into_response())
}

#[derive(Template)]
#[template(path = "trend_change.html")]
struct ChangePage {
    layout: Layout,
    chart: String,
    measure: &'static str,
    service: String,
    region: String,
    starts_on: String,
    label: String,
    errors: candour_domain::validation::FieldErrors,
}

async fn change_page(
    state: &AppState,
    user: &CurrentUser,
    (service, region): (
        Option<candour_domain::ids::ServiceId>,
        Option<candour_domain::ids::RegionId>,
    ),
    measure: TrendMeasure,
    (starts_on, label, errors): (String, String, candour_domain::validation::FieldErrors),
) -> Result<ChangePage, WebError> {
    let v = trend(
        &state.ctx,
        &user.actor,
        (service, region),
        TrendQuery::counts(measure),
    )
    .await?;
    if !v.can_record_change {
        return Err(WebError::Forbidden);
    }
    Ok(ChangePage {
        layout: Layout::new("Record a change", user, state.demo),
        chart: format!("{} in {}", measure.label(), v.scope),
        measure: measure.code(),
        service: service.map(|s| s.to_string()).unwrap_or_default(),
        region: region.map(|r| r.to_string()).unwrap_or_default(),
        starts_on,
        label,
        errors,
    })
}

fn measure_in(q: &HashMap<String, String>) -> Result<TrendMeasure, WebError> {
    let m = q.get("measure").map(|v| v.trim()).unwrap_or_default();
    TrendMeasure::parse(m)
        .ok_or_else(|| WebError::BadRequest(format!("{m:?} is not a measure Candour charts")))
}

/// GET /trends/changes/new?measure=…&service=…&region=…
pub async fn new_trend_change(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let scope = super::scope_query(&q)?;
    let page = change_page(
        &state,
        &user,
        scope,
        measure_in(&q)?,
        (String::new(), String::new(), Default::default()),
    )
    .await?;
    Ok(render(&page)?.into_response())
}

/// POST /trends/changes: records a change against a chart, then shows the chart.
pub async fn record_trend_change(
    State(state): State<AppState>,
    user: CurrentUser,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let mut q = HashMap::new();
    for k in ["service", "region", "measure"] {
        q.insert(k.to_owned(), form.get(k));
    }
    let (service, region) = super::scope_query(&q)?;
    let measure = measure_in(&q)?;
    let (starts_on, label) = (form.get("starts_on"), form.get("label"));
    match crate::actions::trends::record_change(
        &state.ctx,
        &user.actor,
        (service, region),
        measure,
        (&starts_on, &label),
    )
    .await
    {
        Ok(()) => {
            let mut to = format!("/trends?measure={}", measure.code());
            if let Some(s) = service {
                to.push_str(&format!("&service={s}"));
            }
            if let Some(r) = region {
                to.push_str(&format!("&region={r}"));
            }
            Ok(Redirect::to(&format!("{to}#changes")).into_response())
        }
        Err(crate::actions::ActionError::Invalid(errors)) => {
            let page = change_page(
                &state,
                &user,
                (service, region),
                measure,
                (starts_on, label, errors),
            )
            .await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// One cell of the day × time grid.
pub struct Cell {
    /// The count.
    pub n: u32,
    /// Its shade, 0 to 4.
    pub shade: u8,
}

#[derive(Template)]
#[template(path = "patterns.html")]
struct PatternsPage {
    layout: Layout,
    heading: String,
    from: String,
    blocks: Vec<String>,
    grid: Vec<(&'static str, Vec<Cell>)>,
    shifts: Vec<(&'static str, u32)>,
    places: Vec<(String, u32)>,
    total: u32,
    filter: Filter,
}

/// GET /trends/patterns: when (day, time of day, shift) and where (service
/// and area) a measure's events happened over the last year.
pub async fn show_patterns(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, WebError> {
    use candour_domain::patterns::{BLOCK_HOURS, DAYS, SHIFTS, shade};
    let (service, region) = super::scope_query(&q)?;
    let measure = match q.get("measure").map(|v| v.trim()).filter(|v| !v.is_empty()) {
        Some(m) => TrendMeasure::parse(m).ok_or_else(|| {
            WebError::BadRequest(format!("{m:?} is not a measure Candour charts"))
        })?,
        None => TrendMeasure::Falls,
    };
    let v = crate::actions::trends::patterns(&state.ctx, &user.actor, (service, region), measure)
        .await?;
    let max = v.patterns.grid.iter().flatten().copied().max().unwrap_or(0);
    let heading = format!(
        "When and where: {} in {}",
        measure.label().to_lowercase(),
        v.scope
    );
    let page = PatternsPage {
        layout: Layout::new(heading.clone(), &user, state.demo),
        heading,
        from: candour_domain::display::civil_date(v.from),
        blocks: (0..8)
            .map(|b| {
                let h = b * BLOCK_HOURS;
                format!("{h:02}:00 to {:02}:00", h + BLOCK_HOURS)
            })
            .collect(),
        grid: DAYS
            .iter()
            .zip(v.patterns.grid.iter())
            .map(|(d, row)| {
                (
                    *d,
                    row.iter()
                        .map(|n| Cell {
                            n: *n,
                            shade: shade(*n, max),
                        })
                        .collect(),
                )
            })
            .collect(),
        shifts: SHIFTS
            .iter()
            .zip(v.patterns.shifts)
            .map(|((name, _), n)| (*name, n))
            .collect(),
        places: v.places,
        total: v.patterns.total,
        filter: Filter::new(
            ("/trends/patterns", "patterns-filter"),
            measure,
            (&v.services, &v.regions),
            (service, region),
        ),
    };
    Ok(render(&page)?.into_response())
}
