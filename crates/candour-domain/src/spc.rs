//! Statistical process control after NHS England's "Making Data Count"
//! (domain.md §9): XmR charts with the mean, the moving range, process
//! limits at ±2.66 × the mean moving range and "near limit" lines at two
//! thirds of that; the four special-cause rules (a point beyond a limit; a
//! run on one side of the mean; a trend; two of three beyond the near line
//! on the same side); the variation of each point for the measure's
//! improvement direction; and assurance against a target. Limits are
//! recalculated from each recorded change (rebasing), and the rules run
//! within each period. Pure functions over `&[f64]`.

/// The multiplier of the mean moving range for the process limits (3 / 1.128).
pub const LIMIT: f64 = 2.66;
/// The multiplier for the "near limit" (about 2σ) lines.
pub const NEAR: f64 = LIMIT * 2.0 / 3.0;

/// Which way is better for a measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Higher is better (for example near misses reported).
    Increase,
    /// Lower is better (for example falls with harm).
    Decrease,
    /// Neither.
    Neutral,
}

/// What a point's variation says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Variation {
    /// Common cause: no rule flags it.
    Common,
    /// Special cause in the better direction.
    Improvement,
    /// Special cause in the worse direction.
    Concern,
    /// Special cause where neither direction is better.
    Neutral,
}

impl Variation {
    /// The words shown beside a chart (and read without colour).
    pub fn label(self) -> &'static str {
        match self {
            Variation::Common => "Common cause variation",
            Variation::Improvement => "Special cause: improvement",
            Variation::Concern => "Special cause: concern",
            Variation::Neutral => "Special cause: neither better nor worse",
        }
    }
}

/// Whether the process will meet a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Assurance {
    /// The target lies beyond the limits on the good side: it will be met.
    ConsistentlyPass,
    /// The target lies beyond the limits on the bad side: it will not be met.
    ConsistentlyFail,
    /// The target lies within the limits: hit and miss.
    Inconsistent,
}

/// How a chart is drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Points in a run on one side of the mean, and in a trend (default 7).
    pub run_length: usize,
    /// Which way is better.
    pub direction: Direction,
    /// A target, if the measure has one.
    pub target: Option<f64>,
    /// Indexes where a new period starts (a recorded change): limits are
    /// recalculated from there. Out-of-range or zero indexes are ignored.
    pub rebase_at: Vec<usize>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            run_length: 7,
            direction: Direction::Decrease,
            target: None,
            rebase_at: Vec::new(),
        }
    }
}

/// One point of a chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// The value.
    pub value: f64,
    /// Its moving range (none for a period's first point).
    pub moving_range: Option<f64>,
    /// The period's mean.
    pub mean: f64,
    /// Upper process limit.
    pub upper: f64,
    /// Lower process limit.
    pub lower: f64,
    /// Upper near-limit line.
    pub near_upper: f64,
    /// Lower near-limit line.
    pub near_lower: f64,
    /// Beyond a process limit.
    pub astronomical: bool,
    /// In a run of `run_length` or more on one side of the mean.
    pub shift: bool,
    /// In a run of `run_length` points each higher (or each lower) than the last.
    pub trend: bool,
    /// Two of three beyond the near line on the same side.
    pub two_of_three: bool,
    /// What its variation says.
    pub variation: Variation,
}

impl Point {
    /// Whether any rule flags it.
    pub fn special(&self) -> bool {
        self.astronomical || self.shift || self.trend || self.two_of_three
    }
}

/// A chart: every point, and what the latest says.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// The points, in order.
    pub points: Vec<Point>,
    /// The variation of the latest point (the chart's icon).
    pub variation: Option<Variation>,
    /// Assurance against the target, from the latest limits (needs a target
    /// and a better direction).
    pub assurance: Option<Assurance>,
}

fn sign(v: f64, mean: f64) -> i8 {
    if v > mean {
        1
    } else if v < mean {
        -1
    } else {
        0
    }
}

/// Flags every point in a maximal run of at least `n` where `same(i-1, i)` holds.
fn runs(
    len: usize,
    n: usize,
    same: impl Fn(usize) -> bool,
    start_ok: impl Fn(usize) -> bool,
) -> Vec<bool> {
    let mut out = vec![false; len];
    let mut i = 0;
    while i < len {
        if !start_ok(i) {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < len && same(j) {
            j += 1;
        }
        if j - i >= n {
            for f in &mut out[i..j] {
                *f = true;
            }
        }
        i = j.max(i + 1);
    }
    out
}

fn period(values: &[f64], s: &Settings) -> Vec<Point> {
    let n = values.len();
    let mean = values.iter().sum::<f64>() / n as f64;
    let ranges: Vec<f64> = values.windows(2).map(|w| (w[1] - w[0]).abs()).collect();
    let mr = if ranges.is_empty() {
        0.0
    } else {
        ranges.iter().sum::<f64>() / ranges.len() as f64
    };
    let (upper, lower) = (mean + LIMIT * mr, mean - LIMIT * mr);
    let (near_upper, near_lower) = (mean + NEAR * mr, mean - NEAR * mr);
    let side: Vec<i8> = values.iter().map(|v| sign(*v, mean)).collect();
    let run = s.run_length.max(2);
    let shift = runs(
        n,
        run,
        |j| side[j] != 0 && side[j] == side[j - 1],
        |i| side[i] != 0,
    );
    let trend = trend_flags(values, run);
    let astronomical: Vec<bool> = values.iter().map(|v| *v > upper || *v < lower).collect();
    let close: Vec<bool> = values
        .iter()
        .zip(&astronomical)
        .map(|(v, out)| !out && (*v > near_upper || *v < near_lower))
        .collect();
    let mut two = vec![false; n];
    for start in 0..n.saturating_sub(2) {
        let w = start..start + 3;
        let near = close[w.clone()].iter().filter(|c| **c).count();
        let sum: i32 = side[w.clone()].iter().map(|x| i32::from(*x)).sum();
        if near >= 2 && sum.abs() == 3 {
            for i in w {
                if close[i] {
                    two[i] = true;
                }
            }
        }
    }
    (0..n)
        .map(|i| {
            let mut p = Point {
                value: values[i],
                moving_range: (i > 0).then(|| ranges[i - 1]),
                mean,
                upper,
                lower,
                near_upper,
                near_lower,
                astronomical: astronomical[i],
                shift: shift[i],
                trend: trend[i],
                two_of_three: two[i],
                variation: Variation::Common,
            };
            if p.special() {
                // Which way the signal points: the side of the mean; for a
                // point on the mean flagged only by a trend, the trend's way.
                let way = match side[i] {
                    0 if i > 0 => sign(values[i], values[i - 1]),
                    0 => values.get(1).map_or(0, |next| sign(*next, values[0])),
                    x => x,
                };
                p.variation = match (s.direction, way) {
                    (Direction::Neutral, _) | (_, 0) => Variation::Neutral,
                    (Direction::Increase, 1) | (Direction::Decrease, -1) => Variation::Improvement,
                    _ => Variation::Concern,
                };
            }
            p
        })
        .collect()
}

/// Flags every point in a window of `run` points each strictly higher (or
/// each strictly lower) than the one before.
fn trend_flags(values: &[f64], run: usize) -> Vec<bool> {
    let n = values.len();
    let mut out = vec![false; n];
    if n < run {
        return out;
    }
    for start in 0..=n - run {
        let w = &values[start..start + run];
        let up = w.windows(2).all(|p| p[1] > p[0]);
        let down = w.windows(2).all(|p| p[1] < p[0]);
        if up || down {
            for f in &mut out[start..start + run] {
                *f = true;
            }
        }
    }
    out
}

/// Draws an XmR chart of `values` (in time order, no gaps).
pub fn xmr(values: &[f64], s: &Settings) -> Chart {
    let mut cuts: Vec<usize> = s
        .rebase_at
        .iter()
        .copied()
        .filter(|i| *i > 0 && *i < values.len())
        .collect();
    cuts.sort_unstable();
    cuts.dedup();
    let mut points = Vec::with_capacity(values.len());
    let mut from = 0;
    for to in cuts.into_iter().chain(std::iter::once(values.len())) {
        if to > from {
            points.extend(period(&values[from..to], s));
        }
        from = to;
    }
    let last = points.last();
    let assurance = match (last, s.target, s.direction) {
        (Some(_), None, _) | (Some(_), _, Direction::Neutral) | (None, _, _) => None,
        (Some(p), Some(t), d) => Some(if t > p.upper {
            if d == Direction::Increase {
                Assurance::ConsistentlyFail
            } else {
                Assurance::ConsistentlyPass
            }
        } else if t < p.lower {
            if d == Direction::Increase {
                Assurance::ConsistentlyPass
            } else {
                Assurance::ConsistentlyFail
            }
        } else {
            Assurance::Inconsistent
        }),
    };
    Chart {
        variation: last.map(|p| p.variation),
        assurance,
        points,
    }
}

#[cfg(test)]
#[path = "spc_tests.rs"]
mod tests;

/// The organisation's chart settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ChartSettings {
    /// Points in a run (shift) or trend that make a special cause.
    pub run_length: usize,
}

impl Default for ChartSettings {
    fn default() -> Self {
        ChartSettings { run_length: 7 }
    }
}

/// The fewest and most points a run may be set to.
pub const RUN_LENGTHS: std::ops::RangeInclusive<usize> = 5..=12;

/// Chart settings as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChartSettingsDraft {
    /// Points in a run, as typed.
    pub run_length: String,
}

impl ChartSettingsDraft {
    /// The settings shown in the form.
    pub fn from_settings(s: ChartSettings) -> ChartSettingsDraft {
        ChartSettingsDraft {
            run_length: s.run_length.to_string(),
        }
    }

    /// Checks the settings; a problem names its field.
    pub fn validate(&self) -> Result<ChartSettings, crate::validation::FieldErrors> {
        let mut e = crate::validation::FieldErrors::new();
        match self.run_length.trim().parse::<usize>() {
            Ok(n) if RUN_LENGTHS.contains(&n) => return Ok(ChartSettings { run_length: n }),
            _ => e.add(
                "run_length",
                format!(
                    "Enter a whole number of points from {} to {} (NHS \"Making Data Count\" uses 7)",
                    RUN_LENGTHS.start(),
                    RUN_LENGTHS.end()
                ),
            ),
        }
        Err(e)
    }
}

/// Counts per calendar month (UK time) of the instants given, for the
/// `months` months starting with the month of `first` (a month with none is
/// a zero, never a gap).
pub fn monthly_counts(
    times: &[jiff::Timestamp],
    first: jiff::civil::Date,
    months: usize,
) -> Vec<(jiff::civil::Date, u32)> {
    monthly_counts_of_days(&uk_days(times), first, months)
}

/// Each instant as one on its UK day.
fn uk_days(times: &[jiff::Timestamp]) -> Vec<(jiff::civil::Date, u32)> {
    times
        .iter()
        .map(|t| (t.to_zoned(crate::incident::london()).date(), 1))
        .collect()
}

/// As [`monthly_counts`], from counts already made per UK day.
pub fn monthly_counts_of_days(
    days: &[(jiff::civil::Date, u32)],
    first: jiff::civil::Date,
    months: usize,
) -> Vec<(jiff::civil::Date, u32)> {
    let first = first.first_of_month();
    let mut out: Vec<(jiff::civil::Date, u32)> = (0..months)
        .filter_map(|m| {
            first
                .checked_add(jiff::Span::new().months(i64::try_from(m).ok()?))
                .ok()
                .map(|d| (d, 0))
        })
        .collect();
    for (day, n) in days {
        let d = day.first_of_month();
        if let Some(slot) = out.iter_mut().find(|(m, _)| *m == d) {
            slot.1 = slot.1.saturating_add(*n);
        }
    }
    out
}

/// Counts per week (Monday to Sunday, UK time) of the instants given, for
/// the `weeks` weeks starting with the week holding `first` (each labelled
/// by its Monday; a week with none is a zero).
pub fn weekly_counts(
    times: &[jiff::Timestamp],
    first: jiff::civil::Date,
    weeks: usize,
) -> Vec<(jiff::civil::Date, u32)> {
    weekly_counts_of_days(&uk_days(times), first, weeks)
}

/// As [`weekly_counts`], from counts already made per UK day.
pub fn weekly_counts_of_days(
    days: &[(jiff::civil::Date, u32)],
    first: jiff::civil::Date,
    weeks: usize,
) -> Vec<(jiff::civil::Date, u32)> {
    let monday = |d: jiff::civil::Date| {
        let back = i64::from(d.weekday().to_monday_zero_offset());
        d.checked_sub(jiff::Span::new().days(back)).unwrap_or(d)
    };
    let first = monday(first);
    let mut out: Vec<(jiff::civil::Date, u32)> = (0..weeks)
        .filter_map(|w| {
            first
                .checked_add(jiff::Span::new().weeks(i64::try_from(w).ok()?))
                .ok()
                .map(|d| (d, 0))
        })
        .collect();
    for (day, n) in days {
        let d = monday(*day);
        if let Some(slot) = out.iter_mut().find(|(m, _)| *m == d) {
            slot.1 = slot.1.saturating_add(*n);
        }
    }
    out
}

/// Where recorded changes start new periods: for each change day, the
/// index of the first period (given by its first day, in order) that
/// starts on or after it, so limits are recalculated from the first whole
/// period after the change. Changes before the second period or after the
/// last are left out; each index appears once, in order.
pub fn rebase_indices(
    period_starts: &[jiff::civil::Date],
    changes: &[jiff::civil::Date],
) -> Vec<usize> {
    let mut out: Vec<usize> = changes
        .iter()
        .filter_map(|c| period_starts.iter().position(|p| p >= c))
        .filter(|i| *i > 0)
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Rates per 1,000 of a denominator (occupied bed days): `None` where the
/// denominator is unknown or zero.
pub fn rates_per_thousand(counts: &[u32], denominators: &[Option<u32>]) -> Vec<Option<f64>> {
    counts
        .iter()
        .zip(denominators)
        .map(|(n, d)| match d {
            Some(d) if *d > 0 => Some(f64::from(*n) * 1000.0 / f64::from(*d)),
            _ => None,
        })
        .collect()
}

/// A chart in plain words for readers who do not read charts (the monthly
/// board report): what the latest point says, which rule fired, and whether
/// that is good or bad for the measure. `what` names the measure in the
/// plural ("falls"); `latest` names the latest period ("November 2026").
pub fn interpret(chart: &Chart, what: &str, latest: &str) -> String {
    let Some(p) = chart.points.last() else {
        return format!("No {what} recorded yet: nothing to read.");
    };
    let n = |v: f64| {
        if (v - v.round()).abs() < 0.05 {
            format!("{v:.0}")
        } else {
            format!("{v:.1}")
        }
    };
    let above = p.value > p.mean;
    let run = |rule: fn(&Point) -> bool| {
        chart
            .points
            .iter()
            .rev()
            .take_while(|q| rule(q) && (q.value > q.mean) == above)
            .count()
    };
    let judgement = match p.variation {
        Variation::Improvement => " This is an improvement.",
        Variation::Concern => " This is a concern: look at what changed.",
        _ => "",
    };
    // NHS display precedence when rules overlap: trend, shift, two of three, then a single point.
    let said = if p.trend {
        let rising = chart
            .points
            .len()
            .checked_sub(2)
            .and_then(|i| chart.points.get(i))
            .is_some_and(|prev| p.value > prev.value);
        let mut what = what.to_owned();
        if let Some(first) = what.get(..1) {
            what = format!("{}{}", first.to_uppercase(), what.get(1..).unwrap_or(""));
        }
        format!(
            "{what} {} in each of the last {} periods, to {} in {latest}: a trend.",
            if rising { "have risen" } else { "have fallen" },
            chart
                .points
                .iter()
                .rev()
                .take_while(|q| q.trend)
                .count()
                .saturating_sub(1),
            n(p.value)
        )
    } else if p.shift {
        format!(
            "The last {} periods have all been {} the average of {}: a sustained shift ({} in {latest}).",
            run(|q| q.shift),
            if above { "above" } else { "below" },
            n(p.mean),
            n(p.value)
        )
    } else if p.two_of_three {
        format!(
            "Two of the last three periods were close to the {} limit ({} in {latest}): an early sign of change.",
            if above { "upper" } else { "lower" },
            n(p.value)
        )
    } else if p.astronomical {
        format!(
            "{latest}: {} {what}, {} the {} process limit of {}: something unusual happened.",
            n(p.value),
            if above { "above" } else { "below" },
            if above { "upper" } else { "lower" },
            n(if above { p.upper } else { p.lower.max(0.0) })
        )
    } else {
        return format!(
            "{} {what} in {latest}, within the usual range of {} to {} around an average of {}: no sign of change (common cause variation).",
            n(p.value),
            n(p.lower.max(0.0)),
            n(p.upper),
            n(p.mean)
        );
    };
    format!("{said}{judgement}")
}
