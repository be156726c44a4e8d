//! GET /trends: a measure per month as an XmR chart, drawn on the server
//! as SVG with a title, a description and the data in a table beside it,
//! readable without colour (each point's shape and the table say what its
//! variation is).

use crate::actions::trends::{TrendMeasure, trend};
use crate::web::AppState;
use crate::web::auth::CurrentUser;
use crate::web::error::{WebError, render};
use crate::web::layout::Layout;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use candour_domain::spc::Variation;
use candour_domain::spc_plot::{Dot, Plot, Rule, fmt, plot};
use std::collections::HashMap;

/// One month in the data table.
pub struct Row {
    /// The month.
    pub month: String,
    /// The count.
    pub count: u32,
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
    x_labels: Vec<(String, String)>,
    y_labels: Vec<(String, String)>,
    rows: Vec<Row>,
    filter: Filter,
    latest: &'static str,
    /// The chart in plain words.
    plain: String,
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
        }
    }
}

/// GET /trends?measure=falls&service=…&region=…
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
    let v = trend(&state.ctx, &user.actor, (service, region), measure).await?;
    let Plot {
        line,
        dots,
        rules,
        x_labels,
        y_labels,
    } = plot(
        &v.chart,
        &v.months
            .iter()
            .map(|(d, _)| d.strftime("%b %y").to_string())
            .collect::<Vec<_>>(),
    );
    let month = |d: jiff::civil::Date| d.strftime("%b %Y").to_string();
    let heading = format!("{} per month in {}", measure.label(), v.scope);
    let latest = v.chart.variation.map_or("", Variation::label);
    let description = match (v.months.first(), v.months.last(), v.chart.points.last()) {
        (Some((a, _)), Some((b, _)), Some(p)) => format!(
            "{} per month, {} to {}: mean {}, process limits {} to {}. The latest month shows {}.",
            measure.label(),
            month(*a),
            month(*b),
            fmt(p.mean),
            fmt(p.lower.max(0.0)),
            fmt(p.upper),
            latest.to_lowercase()
        ),
        _ => String::new(),
    };
    let page = TrendsPage {
        layout: Layout::new(heading.clone(), &user, state.demo),
        heading,
        description,
        line,
        dots,
        rules,
        x_labels,
        y_labels,
        rows: v
            .months
            .iter()
            .zip(&v.chart.points)
            .map(|((d, c), p)| Row {
                month: month(*d),
                count: *c,
                variation: p.variation.label(),
            })
            .collect(),
        filter: Filter::new(
            ("/trends", "trend-filter"),
            measure,
            (&v.services, &v.regions),
            (service, region),
        ),
        latest,
        plain: candour_domain::spc::interpret(
            &v.chart,
            &measure.label().to_lowercase(),
            &v.months
                .last()
                .map(|(d, _)| d.strftime("%B %Y").to_string())
                .unwrap_or_default(),
        ),
    };
    Ok(render(&page)?.into_response())
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
