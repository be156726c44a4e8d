//! An XmR chart placed on a 720 × 320 drawing: the points with a shape for
//! each kind of variation (so the chart reads without colour), the mean and
//! process limits of the latest period, and axis labels. The trends page
//! draws it with its own markup and stylesheet; [`Plot::svg`] writes a
//! standalone SVG (colours inline, no stylesheet) for documents such as the
//! board report.

use crate::spc::{Chart, Variation};

/// Width of the drawing.
pub const W: f64 = 720.0;
/// Height of the drawing.
pub const H: f64 = 320.0;
/// Left margin (the value labels).
pub const LEFT: f64 = 48.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 40.0;

/// A point of the chart, placed.
#[derive(Debug, Clone, PartialEq)]
pub struct Dot {
    /// Centre.
    pub x: String,
    /// Centre.
    pub y: String,
    /// `common`, `improvement`, `concern` or `neutral` (its class and shape).
    pub variation: &'static str,
    /// Polygon points for the non-circle shapes (empty for a circle).
    pub shape: String,
}

/// A horizontal line over one period: a limit or the mean.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// Where it starts.
    pub x1: String,
    /// Where it ends.
    pub x2: String,
    /// Its height.
    pub y: String,
    /// `mean` or `limit`.
    pub class: &'static str,
    /// Its label.
    pub label: String,
}

/// The chart placed in the drawing's coordinates.
#[derive(Debug, Clone, PartialEq)]
pub struct Plot {
    /// The polyline through the points.
    pub line: String,
    /// The points.
    pub dots: Vec<Dot>,
    /// Mean and limits of each period (a recorded change starts a new one).
    pub rules: Vec<Rule>,
    /// Where each period after the first starts: (x, label of its first point).
    pub breaks: Vec<(String, String)>,
    /// Period labels along the bottom: (x, text), every third and the last.
    pub x_labels: Vec<(String, String)>,
    /// Value labels up the side: (y, text).
    pub y_labels: Vec<(String, String)>,
}

/// A coordinate to one decimal place.
pub fn fmt(v: f64) -> String {
    format!("{v:.1}")
}

/// The code of a variation (its class and shape).
pub fn variation_code(v: Variation) -> &'static str {
    match v {
        Variation::Common => "common",
        Variation::Improvement => "improvement",
        Variation::Concern => "concern",
        Variation::Neutral => "neutral",
    }
}

fn shape(v: Variation, cx: f64, cy: f64) -> String {
    let r = 6.0;
    let pts: Vec<(f64, f64)> = match v {
        // A square.
        Variation::Improvement => vec![
            (cx - r, cy - r),
            (cx + r, cy - r),
            (cx + r, cy + r),
            (cx - r, cy + r),
        ],
        // A diamond.
        Variation::Concern => vec![
            (cx, cy - r - 2.0),
            (cx + r + 2.0, cy),
            (cx, cy + r + 2.0),
            (cx - r - 2.0, cy),
        ],
        // A triangle.
        Variation::Neutral => vec![
            (cx, cy - r - 1.0),
            (cx + r + 1.0, cy + r),
            (cx - r - 1.0, cy + r),
        ],
        Variation::Common => Vec::new(),
    };
    pts.iter()
        .map(|(x, y)| format!("{},{}", fmt(*x), fmt(*y)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Places `chart` in the drawing; `labels` names each point's period
/// (as many as there are points).
pub fn plot(chart: &Chart, labels: &[String]) -> Plot {
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
        .map(|(i, p)| Dot {
            x: fmt(x(i)),
            y: fmt(y(p.value)),
            variation: variation_code(p.variation),
            shape: shape(p.variation, x(i), y(p.value)),
        })
        .collect();
    // Periods: runs of points sharing their mean and limits.
    let mut periods: Vec<(usize, usize)> = Vec::new();
    for (i, p) in chart.points.iter().enumerate() {
        match periods.last_mut() {
            Some((_, end))
                if {
                    let q = &chart.points[*end];
                    q.mean == p.mean && q.upper == p.upper && q.lower == p.lower
                } =>
            {
                *end = i;
            }
            _ => periods.push((i, i)),
        }
    }
    let half = if n > 1 {
        pw / (n - 1) as f64 / 2.0
    } else {
        pw / 2.0
    };
    let mut rules = Vec::new();
    let mut breaks = Vec::new();
    for (k, (a, b)) in periods.iter().enumerate() {
        let p = &chart.points[*a];
        let x1 = if k == 0 { LEFT } else { x(*a) - half };
        let x2 = if k + 1 == periods.len() {
            W - RIGHT
        } else {
            x(*b) + half
        };
        if k > 0 {
            breaks.push((fmt(x1), labels.get(*a).cloned().unwrap_or_default()));
        }
        let mut line = |v: f64, class: &'static str, label: String| {
            rules.push(Rule {
                x1: fmt(x1),
                x2: fmt(x2),
                y: fmt(y(v)),
                class,
                label,
            });
        };
        line(p.mean, "mean", format!("Mean {}", fmt(p.mean)));
        line(p.upper, "limit", format!("Upper limit {}", fmt(p.upper)));
        if p.lower >= ymin {
            line(p.lower, "limit", format!("Lower limit {}", fmt(p.lower)));
        }
    }
    let y_labels = [ymin, (ymin + ymax) / 2.0, ymax]
        .iter()
        .map(|v| (fmt(y(*v)), format!("{v:.0}")))
        .collect();
    let x_labels = labels
        .iter()
        .take(n)
        .enumerate()
        .filter(|(i, _)| i % 3 == 0 || *i + 1 == n)
        .map(|(i, l)| (fmt(x(i)), l.clone()))
        .collect();
    Plot {
        line,
        dots,
        rules,
        breaks,
        x_labels,
        y_labels,
    }
}

/// Text made safe for XML.
fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Fill colour of a point (its shape says the same without colour).
fn colour(variation: &str) -> &'static str {
    match variation {
        "improvement" => "#1d70b8",
        "concern" => "#d4351c",
        "neutral" => "#6f3c97",
        _ => "#505a5f",
    }
}

impl Plot {
    /// A standalone SVG document of the plot with `title` and `desc`,
    /// colours and line styles written inline, text in `font`.
    pub fn svg(&self, title: &str, desc: &str, font: &str) -> String {
        let mut out = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {H}\" width=\"{W}\" height=\"{H}\" \
             font-family=\"{}\" font-size=\"12\"><title>{}</title><desc>{}</desc>",
            xml(font),
            xml(title),
            xml(desc)
        );
        for (y, t) in &self.y_labels {
            out.push_str(&format!(
                "<text x=\"40\" y=\"{y}\" text-anchor=\"end\" dy=\"4\" fill=\"#0b0c0c\">{}</text>",
                xml(t)
            ));
        }
        for (x, t) in &self.x_labels {
            out.push_str(&format!(
                "<text x=\"{x}\" y=\"306\" text-anchor=\"middle\" fill=\"#0b0c0c\">{}</text>",
                xml(t)
            ));
        }
        for r in &self.rules {
            let dash = if r.class == "limit" {
                " stroke-dasharray=\"6 4\""
            } else {
                ""
            };
            out.push_str(&format!(
                "<line x1=\"{}\" x2=\"{}\" y1=\"{y}\" y2=\"{y}\" stroke=\"#505a5f\" stroke-width=\"1.5\"{dash}/>",
                r.x1,
                r.x2,
                y = r.y
            ));
        }
        for (x, _) in &self.breaks {
            out.push_str(&format!(
                "<line x1=\"{x}\" x2=\"{x}\" y1=\"{TOP}\" y2=\"{}\" stroke=\"#0b0c0c\" stroke-width=\"1\" stroke-dasharray=\"2 3\"/>",
                H - BOTTOM
            ));
        }
        out.push_str(&format!(
            "<polyline points=\"{}\" fill=\"none\" stroke=\"#0b0c0c\" stroke-width=\"1.5\"/>",
            self.line
        ));
        for d in &self.dots {
            let fill = colour(d.variation);
            if d.shape.is_empty() {
                out.push_str(&format!(
                    "<circle cx=\"{}\" cy=\"{}\" r=\"4\" fill=\"{fill}\"/>",
                    d.x, d.y
                ));
            } else {
                out.push_str(&format!(
                    "<polygon points=\"{}\" fill=\"{fill}\" stroke=\"#0b0c0c\" stroke-width=\"1\"/>",
                    d.shape
                ));
            }
        }
        out.push_str("</svg>");
        out
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::spc::{Settings, xmr};

    fn labels(n: usize) -> Vec<String> {
        (1..=n).map(|i| format!("M{i}")).collect()
    }

    #[test]
    fn every_point_is_placed_inside_the_drawing() {
        let values = [3.0, 4.0, 3.0, 4.0, 3.0, 4.0, 3.0, 4.0, 20.0, 3.0];
        let chart = xmr(&values, &Settings::default());
        let p = plot(&chart, &labels(values.len()));
        assert_eq!(p.dots.len(), values.len());
        for d in &p.dots {
            let (x, y): (f64, f64) = (d.x.parse().unwrap(), d.y.parse().unwrap());
            assert!((LEFT..=W).contains(&x) && (0.0..=H).contains(&y), "{d:?}");
        }
        // The month of 20 is beyond the upper limit: a shape, not a plain dot.
        assert_eq!(p.dots[8].variation, "concern", "fewer is better by default");
        assert_eq!(p.dots[8].shape.split(' ').count(), 4, "a diamond");
        assert_eq!(
            p.dots[0].variation, "improvement",
            "a run of eight below the mean"
        );
        assert!(
            p.dots[9].shape.is_empty(),
            "a common cause point is a plain dot"
        );
        // Every third label and the last.
        let texts: Vec<&str> = p.x_labels.iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(texts, ["M1", "M4", "M7", "M10"]);
        assert_eq!(p.rules.iter().filter(|r| r.class == "mean").count(), 1);
        assert!(p.breaks.is_empty());
    }

    #[test]
    fn a_rebased_chart_draws_each_periods_limits_and_where_it_starts() {
        let values = [5.0, 6.0, 5.0, 6.0, 2.0, 1.0, 2.0, 1.0];
        let chart = xmr(
            &values,
            &Settings {
                rebase_at: vec![4],
                ..Settings::default()
            },
        );
        let p = plot(&chart, &labels(values.len()));
        let means: Vec<&Rule> = p.rules.iter().filter(|r| r.class == "mean").collect();
        assert_eq!(means.len(), 2);
        assert_eq!(means[0].x1, fmt(LEFT));
        assert_eq!(means[0].x2, means[1].x1, "the periods meet");
        assert_eq!(means[1].x2, fmt(W - RIGHT));
        assert_eq!(p.breaks, vec![(means[1].x1.clone(), "M5".to_owned())]);
        assert!(
            p.svg("t", "d", "Serif")
                .contains("stroke-dasharray=\"2 3\"")
        );
    }

    #[test]
    fn an_empty_or_flat_chart_still_draws() {
        let p = plot(&xmr(&[], &Settings::default()), &[]);
        assert!(p.dots.is_empty() && p.rules.is_empty());
        let p = plot(&xmr(&[0.0, 0.0, 0.0], &Settings::default()), &labels(3));
        assert!(
            p.dots
                .iter()
                .all(|d| d.y.parse::<f64>().unwrap().is_finite())
        );
    }

    #[test]
    fn the_standalone_svg_escapes_its_words() {
        let chart = xmr(&[1.0, 2.0, 3.0], &Settings::default());
        let svg = plot(&chart, &labels(3)).svg("Falls <& \"trips\">", "A & B", "Serif");
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.contains("<title>Falls &lt;&amp; &quot;trips&quot;&gt;</title>"));
        assert!(svg.contains("<desc>A &amp; B</desc>"));
        assert_eq!(svg.matches("<circle").count(), 3);
        assert!(svg.ends_with("</svg>"));
    }
}
