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
use candour_domain::spc::{Chart, Variation};
use std::collections::HashMap;

const W: f64 = 720.0;
const H: f64 = 320.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 40.0;

/// A point of the chart, placed.
pub struct Dot {
    /// Centre.
    pub x: String,
    /// Centre.
    pub y: String,
    /// `common`, `improvement`, `concern` or `neutral` (its class and shape).
    pub variation: &'static str,
    /// Polygon points for the non-circle shapes.
    pub shape: String,
}

/// A horizontal line: a limit or the mean.
pub struct Rule {
    /// Its height.
    pub y: String,
    /// `mean` or `limit`.
    pub class: &'static str,
    /// Its label.
    pub label: String,
}

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

fn fmt(v: f64) -> String {
    format!("{v:.1}")
}

fn variation_code(v: Variation) -> &'static str {
    match v {
        Variation::Common => "common",
        Variation::Improvement => "improvement",
        Variation::Concern => "concern",
        Variation::Neutral => "neutral",
    }
}

/// The chart placed in the SVG's coordinates.
struct Geometry {
    line: String,
    dots: Vec<Dot>,
    rules: Vec<Rule>,
    y_labels: Vec<(String, String)>,
}

/// Places the chart's points and lines in the SVG's coordinates.
fn geometry(chart: &Chart) -> Geometry {
    let n = chart.points.len();
    let top_value = chart
        .points
        .iter()
        .map(|p| p.value.max(p.upper))
        .fold(0.0f64, f64::max);
    let ymax = if top_value <= 0.0 {
        1.0
    } else {
        (top_value * 1.1).ceil()
    };
    let ymin = 0.0f64.min(chart.points.iter().map(|p| p.value).fold(0.0, f64::min));
    let (pw, ph) = (W - LEFT - RIGHT, H - TOP - BOTTOM);
    let x = |i: usize| {
        LEFT + if n > 1 {
            pw * i as f64 / (n - 1) as f64
        } else {
            pw / 2.0
        }
    };
    let y = |v: f64| TOP + ph * (1.0 - (v - ymin) / (ymax - ymin));
    let line = chart
        .points
        .iter()
        .enumerate()
        .map(|(i, p)| format!("{},{}", fmt(x(i)), fmt(y(p.value))))
        .collect::<Vec<_>>()
        .join(" ");
    let dots = chart
        .points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let (cx, cy) = (x(i), y(p.value));
            let r = 6.0;
            let shape = match p.variation {
                Variation::Improvement => format!(
                    "{},{} {},{} {},{} {},{}",
                    fmt(cx - r),
                    fmt(cy - r),
                    fmt(cx + r),
                    fmt(cy - r),
                    fmt(cx + r),
                    fmt(cy + r),
                    fmt(cx - r),
                    fmt(cy + r)
                ),
                Variation::Concern => format!(
                    "{},{} {},{} {},{} {},{}",
                    fmt(cx),
                    fmt(cy - r - 2.0),
                    fmt(cx + r + 2.0),
                    fmt(cy),
                    fmt(cx),
                    fmt(cy + r + 2.0),
                    fmt(cx - r - 2.0),
                    fmt(cy)
                ),
                Variation::Neutral => format!(
                    "{},{} {},{} {},{}",
                    fmt(cx),
                    fmt(cy - r - 1.0),
                    fmt(cx + r + 1.0),
                    fmt(cy + r),
                    fmt(cx - r - 1.0),
                    fmt(cy + r)
                ),
                Variation::Common => String::new(),
            };
            Dot {
                x: fmt(cx),
                y: fmt(cy),
                variation: variation_code(p.variation),
                shape,
            }
        })
        .collect();
    let mut rules = Vec::new();
    if let Some(p) = chart.points.last() {
        rules.push(Rule {
            y: fmt(y(p.mean)),
            class: "mean",
            label: format!("Mean {}", fmt(p.mean)),
        });
        rules.push(Rule {
            y: fmt(y(p.upper)),
            class: "limit",
            label: format!("Upper limit {}", fmt(p.upper)),
        });
        if p.lower >= ymin {
            rules.push(Rule {
                y: fmt(y(p.lower)),
                class: "limit",
                label: format!("Lower limit {}", fmt(p.lower)),
            });
        }
    }
    let y_labels = [ymin, (ymin + ymax) / 2.0, ymax]
        .iter()
        .map(|v| (fmt(y(*v)), format!("{v:.0}")))
        .collect();
    Geometry {
        line,
        dots,
        rules,
        y_labels,
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
    let Geometry {
        line,
        dots,
        rules,
        y_labels,
    } = geometry(&v.chart);
    let n = v.months.len();
    let month = |d: jiff::civil::Date| d.strftime("%b %Y").to_string();
    let x_labels = v
        .months
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 3 == 0 || *i + 1 == n)
        .map(|(i, (d, _))| {
            let x = LEFT + (W - LEFT - RIGHT) * i as f64 / (n.max(2) - 1) as f64;
            (fmt(x), d.strftime("%b %y").to_string())
        })
        .collect();
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
