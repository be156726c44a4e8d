//! The monthly board report, for the organisation or a region: headline
//! figures, SPC charts of the key measures with their reading in plain
//! words, serious incidents and investigations, statutory notifications
//! and their timeliness, duty of candour, timescale breaches, improvement
//! actions, lessons and their acknowledgement, lessons-learned meetings and
//! safety alerts. Nobody is named: incidents by reference, people by
//! number. On a page and as a tagged PDF for any month, and emailed to
//! board members on the first working day of the next month.

pub(crate) use super::board_sent::board_email;
pub use super::board_sent::sent_board_report;
use super::duties::{DutyRules, duties_of_many};
use super::lessons::{LessonReach, lessons_reaching};
use super::reports::{ReportScope, scopes_where};
use super::trends::{TrendMeasure, monthly_trend};
use super::{ActionError, ActionResult, Actor, Ctx};
use crate::store::organisations::Service;
use crate::store::reports::{InvestigationCounts, OpennessCounts, SeriousLine};
use crate::typeset::Typesetter;
use candour_domain::board::{Tally, share, timeliness};
use candour_domain::display;
use candour_domain::duties::{Duty, Verdict};
use candour_domain::escalation::Target;
use candour_domain::improvement::{ActionStatus, Effectiveness};
use candour_domain::incident::{EventKind, london};
use candour_domain::investigation::investigation_reference;
use candour_domain::monthly::Month;
use candour_domain::role::Permission;
use candour_domain::spc::Chart;
use candour_domain::triage::LearningResponse;
use candour_pdf::{BoardReport as Document, Chart as DocChart, Job, Kind, Row, Section};
use jiff::Timestamp;
use std::collections::HashMap;

/// The measures charted, in order.
pub const CHARTED: [TrendMeasure; 5] = [
    TrendMeasure::Falls,
    TrendMeasure::PressureUlcers,
    TrendMeasure::MedicationErrors,
    TrendMeasure::NearMisses,
    TrendMeasure::AllIncidents,
];

/// The font the charts' words are drawn in (one the PDF embeds).
const CHART_FONT: &str = "Libertinus Serif";

/// A measure's chart over the two years to the report's month.
#[derive(Debug, Clone)]
pub struct BoardChart {
    /// The measure.
    pub measure: TrendMeasure,
    /// Each month and its count, oldest first.
    pub months: Vec<(jiff::civil::Date, u32)>,
    /// The chart.
    pub chart: Chart,
}

/// A service's improvement actions.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ActionFigures {
    /// Still open.
    pub open: usize,
    /// Open and past their due date now.
    pub overdue: usize,
    /// Completed in the month.
    pub completed: usize,
    /// Checked in the month: (worked, partly, did not work).
    pub checked: (usize, usize, usize),
}

/// A lessons-learned meeting held in the month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingFigures {
    /// When it started.
    pub starts_at: Timestamp,
    /// Its service.
    pub service: String,
    /// Monthly or urgent.
    pub kind: &'static str,
    /// Attending in person, online, and apologies.
    pub attendance: (usize, usize, usize),
    /// Whether its minutes are published.
    pub published: bool,
}

/// Safety alerts and guidance (held for the whole organisation).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AlertFigures {
    /// Received in the month.
    pub received: usize,
    /// Signed off in the month.
    pub signed_off: usize,
    /// Open now: (reference, kind, title, deadline, status).
    pub open: Vec<(String, &'static str, String, String, &'static str)>,
    /// Of those, overdue.
    pub overdue: usize,
}

/// A month's board report.
#[derive(Debug, Clone)]
pub struct BoardReport {
    /// The month.
    pub month: Month,
    /// Where.
    pub scope: ReportScope,
    /// When it was made.
    pub made_at: Timestamp,
    /// Reports made in the month: by kind code and graded harm code.
    pub reports: Vec<(String, Option<String>, i64)>,
    /// The charts.
    pub charts: Vec<BoardChart>,
    /// The month's serious incidents.
    pub serious: Vec<SeriousLine>,
    /// Investigation figures.
    pub investigations: InvestigationCounts,
    /// Statutory duties of the month's incidents, by duty, in the order of [`Duty`].
    pub duties: Vec<(Duty, Tally)>,
    /// Openness with the people affected by the month's incidents.
    pub openness: OpennessCounts,
    /// Targets missed in the month: (triage, review, with a reason recorded).
    pub breaches: (usize, usize, usize),
    /// Improvement actions by service name.
    pub actions: Vec<(String, ActionFigures)>,
    /// Lessons shared in the month.
    pub lessons: Vec<LessonReach>,
    /// Lessons-learned meetings held in the month.
    pub meetings: Vec<MeetingFigures>,
    /// Safety alerts.
    pub alerts: AlertFigures,
    /// Speaking-up concerns by theme, for a report on the whole
    /// organisation only (none otherwise: a service's counts could point
    /// to the people in it).
    pub speaking_up: Vec<super::speaking_up::ThemeFigures>,
}

/// The scopes a board report may cover for the actor: all the services
/// they see (the organisation, for a board member), then each region.
pub async fn board_scopes(ctx: &Ctx, actor: &Actor) -> ActionResult<Vec<ReportScope>> {
    let mut scopes = scopes_where(ctx, actor, Permission::ViewAggregates).await?;
    if scopes.len() > 1 {
        scopes.retain(|s| !s.code.starts_with("service:"));
    }
    let all = ctx.store.services(actor.organisation_id).await?.len();
    if let Some(first) = scopes.first_mut()
        && first.services.len() == all
        && all > 1
    {
        first.label = ctx.store.organisation(actor.organisation_id).await?.name;
    }
    Ok(scopes)
}

impl BoardReport {
    /// How many reports of `kind` were made.
    pub fn count_of(&self, kind: EventKind) -> i64 {
        self.reports
            .iter()
            .filter(|(k, _, _)| k == kind.code())
            .map(|(_, _, n)| n)
            .sum()
    }

    /// Incidents by physical harm as graded, least first, with those not
    /// graded yet last: (words, count).
    pub fn harm(&self) -> Vec<(&'static str, i64)> {
        let incidents = self
            .reports
            .iter()
            .filter(|(k, _, _)| k == EventKind::Incident.code());
        let count = |code: Option<&str>| {
            incidents
                .clone()
                .filter(|(_, g, _)| g.as_deref() == code)
                .map(|(_, _, n)| n)
                .sum()
        };
        vec![
            ("no harm", count(Some("none"))),
            ("low", count(Some("low"))),
            ("moderate", count(Some("moderate"))),
            ("severe", count(Some("severe"))),
            ("fatal", count(Some("fatal"))),
            ("not graded yet", count(None)),
        ]
    }

    /// Every statutory notification (all duties but candour) tallied together.
    pub fn notifications(&self) -> Tally {
        let mut all = Tally::default();
        for (duty, t) in &self.duties {
            if *duty != Duty::DutyOfCandour {
                all.on_time += t.on_time;
                all.late += t.late;
                all.overdue += t.overdue;
                all.open += t.open;
            }
        }
        all
    }

    /// Duty of candour, tallied.
    pub fn candour(&self) -> Tally {
        self.duties
            .iter()
            .find(|(d, _)| *d == Duty::DutyOfCandour)
            .map(|(_, t)| *t)
            .unwrap_or_default()
    }

    /// Improvement actions overdue now, over every service.
    pub fn overdue_actions(&self) -> usize {
        self.actions.iter().map(|(_, a)| a.overdue).sum()
    }

    /// Lessons: (shared, acknowledgements, asked).
    pub fn lesson_reach(&self) -> (usize, u32, u32) {
        let read: usize = self.lessons.iter().map(|l| l.read).sum();
        let asked: usize = self.lessons.iter().map(|l| l.asked).sum();
        (
            self.lessons.len(),
            u32::try_from(read).unwrap_or(u32::MAX),
            u32::try_from(asked).unwrap_or(u32::MAX),
        )
    }

    /// The headline figures: (figure, value).
    pub fn headline(&self) -> Vec<(String, String)> {
        let (lessons, read, asked) = self.lesson_reach();
        let harm = self
            .harm()
            .iter()
            .map(|(h, n)| format!("{h} {n}"))
            .collect::<Vec<_>>()
            .join(", ");
        vec![
            (
                "Reports made".into(),
                format!(
                    "{}: {} incidents, {} near misses, {} good practice",
                    self.reports.iter().map(|(_, _, n)| n).sum::<i64>(),
                    self.count_of(EventKind::Incident),
                    self.count_of(EventKind::NearMiss),
                    self.count_of(EventKind::GoodPractice)
                ),
            ),
            ("Incidents by physical harm".into(), harm),
            ("Serious incidents".into(), self.serious.len().to_string()),
            (
                "Serious investigations".into(),
                format!(
                    "{} opened, {} completed, {} open at the month's end ({} past due)",
                    self.investigations.opened,
                    self.investigations.completed,
                    self.investigations.open_at_end,
                    self.investigations.overdue_at_end
                ),
            ),
            (
                "Statutory notifications made in time".into(),
                self.notifications().on_time_share(),
            ),
            (
                "Duty of candour done in time".into(),
                self.candour().on_time_share(),
            ),
            (
                "Timescale targets missed".into(),
                format!(
                    "{} (triage {}, review {})",
                    self.breaches.0 + self.breaches.1,
                    self.breaches.0,
                    self.breaches.1
                ),
            ),
            (
                "Improvement actions overdue now".into(),
                self.overdue_actions().to_string(),
            ),
            (
                "Lessons shared".into(),
                format!(
                    "{lessons}; read by {}",
                    if asked == 0 {
                        "nobody asked yet".to_owned()
                    } else {
                        share(read, asked)
                    }
                ),
            ),
            (
                "Lessons-learned meetings held".into(),
                self.meetings.len().to_string(),
            ),
            (
                "Safety alerts open".into(),
                format!(
                    "{} ({} overdue); {} received, {} signed off this month",
                    self.alerts.open.len(),
                    self.alerts.overdue,
                    self.alerts.received,
                    self.alerts.signed_off
                ),
            ),
        ]
    }

    fn chart_words(&self, c: &BoardChart) -> (String, String, String) {
        let title = format!("{} per month", c.measure.label());
        let month = |d: jiff::civil::Date| d.strftime("%b %Y").to_string();
        let alt = match (c.months.first(), c.months.last(), c.chart.points.last()) {
            (Some((a, _)), Some((b, n)), Some(p)) => format!(
                "{title} in {}, {} to {}: {} in {}; mean {:.1}, process limits {:.1} to {:.1}. {}.",
                self.scope.label,
                month(*a),
                month(*b),
                n,
                month(*b),
                p.mean,
                p.lower.max(0.0),
                p.upper,
                c.chart
                    .variation
                    .map_or("No data", candour_domain::spc::Variation::label)
            ),
            _ => format!("{title}: no data"),
        };
        let plain = candour_domain::spc::interpret(
            &c.chart,
            &c.measure.label().to_lowercase(),
            &c.months
                .last()
                .map(|(d, _)| d.strftime("%B %Y").to_string())
                .unwrap_or_default(),
        );
        (title, alt, plain)
    }

    /// A chart drawn as a standalone SVG, with its title, description and reading.
    pub fn chart_document(&self, c: &BoardChart) -> DocChart {
        let (title, alt, plain) = self.chart_words(c);
        let labels: Vec<String> = c
            .months
            .iter()
            .map(|(d, _)| d.strftime("%b %y").to_string())
            .collect();
        DocChart {
            svg: candour_domain::spc_plot::plot(&c.chart, &labels).svg(&title, &alt, CHART_FONT),
            rows: c
                .months
                .iter()
                .zip(&c.chart.points)
                .map(|((d, n), p)| {
                    Row(vec![
                        d.strftime("%b %Y").to_string(),
                        n.to_string(),
                        p.variation.label().to_owned(),
                    ])
                })
                .collect(),
            title,
            alt,
            plain,
        }
    }

    fn sections(&self) -> Vec<Section> {
        let month = self.month.label();
        let made = display::date_time(self.made_at);
        let row = |cells: Vec<String>| Row(cells);
        let mut out = Vec::new();
        out.push(Section {
            heading: "Serious incidents and investigations".into(),
            paragraphs: vec![format!(
                "Incidents reported in {month} graded severe or fatal harm or extreme risk, deaths, and those sent to a serious investigation, with how their investigations stand now. Investigations: {} opened and {} completed in {month}; {} open at the month's end, {} of them past due, with {} actions still open.",
                self.investigations.opened,
                self.investigations.completed,
                self.investigations.open_at_end,
                self.investigations.overdue_at_end,
                self.investigations.actions_open_at_end
            )],
            header: vec![
                "Reference".into(),
                "Service".into(),
                "Category".into(),
                "Harm and risk".into(),
                "Investigation".into(),
            ],
            rows: self
                .serious
                .iter()
                .map(|l| {
                    row(vec![
                        l.incident.reference.to_string(),
                        l.incident.service_name.clone(),
                        l.incident.category.label().to_owned(),
                        match (l.physical_harm, l.risk_band) {
                            (Some(h), Some(b)) => {
                                format!("{}, {} risk", h.label(), b.label().to_lowercase())
                            }
                            _ => "Not graded yet".to_owned(),
                        },
                        match l.investigation {
                            Some((n, true)) => format!("{} completed", investigation_reference(n)),
                            Some((n, false)) => format!("{} under way", investigation_reference(n)),
                            None => match l.learning_response {
                                Some(LearningResponse::SeriousInvestigation) => {
                                    "Chosen; not opened yet".to_owned()
                                }
                                Some(r) => format!("None; {}", r.label().to_lowercase()),
                                None => "Not triaged yet".to_owned(),
                            },
                        },
                    ])
                })
                .collect(),
            empty: format!("No serious incidents were reported in {month}."),
        });
        let notifications = self.notifications();
        out.push(Section {
            heading: "Statutory notifications and their timeliness".into(),
            paragraphs: vec![format!(
                "The duties Candour found required for incidents reported in {month}, as they stood on {made}. Made in time: {}.",
                notifications.on_time_share()
            )],
            header: vec![
                "Duty".into(),
                "Required".into(),
                "In time".into(),
                "Late".into(),
                "Overdue".into(),
                "Not yet due".into(),
            ],
            rows: self
                .duties
                .iter()
                .filter(|(d, _)| *d != Duty::DutyOfCandour)
                .map(|(d, t)| {
                    row(vec![
                        d.label().to_owned(),
                        t.required().to_string(),
                        t.on_time.to_string(),
                        t.late.to_string(),
                        t.overdue.to_string(),
                        t.open.to_string(),
                    ])
                })
                .collect(),
            empty: format!("No statutory notification was required for incidents reported in {month}."),
        });
        let c = self.candour();
        let o = &self.openness;
        out.push(Section {
            heading: "Duty of candour".into(),
            paragraphs: vec![
                if c.required() == 0 {
                    format!("Not required for any incident reported in {month}.")
                } else {
                    format!(
                        "Required for {} incidents reported in {month}: done in time {}; {} late, {} overdue, {} not yet due.",
                        c.required(),
                        c.on_time_share(),
                        c.late,
                        c.overdue,
                        c.open
                    )
                },
                format!(
                    "Openness: {} incidents that happened in {month} affected someone using a service; the person or their family were told in {}, an apology was recorded in {}, and {} are recorded as not told yet.",
                    o.affecting_someone, o.told, o.apologised, o.not_yet
                ),
            ],
            ..Section::default()
        });
        out.push(Section {
            heading: "Timescale breaches".into(),
            paragraphs: vec![format!(
                "Triage and review targets whose deadline fell in {month} and were missed: {} triage, {} review; a reason is recorded for {} of them.",
                self.breaches.0, self.breaches.1, self.breaches.2
            )],
            ..Section::default()
        });
        out.push(Section {
            heading: "Improvement actions".into(),
            paragraphs: vec![format!(
                "Actions in each service's improvement plans as they stood on {made}; completed and checked counts are for {month}."
            )],
            header: vec![
                "Service".into(),
                "Open".into(),
                "Overdue".into(),
                "Completed".into(),
                "Checked: worked".into(),
                "Partly".into(),
                "Did not work".into(),
            ],
            rows: self
                .actions
                .iter()
                .map(|(s, a)| {
                    row(vec![
                        s.clone(),
                        a.open.to_string(),
                        a.overdue.to_string(),
                        a.completed.to_string(),
                        a.checked.0.to_string(),
                        a.checked.1.to_string(),
                        a.checked.2.to_string(),
                    ])
                })
                .collect(),
            empty: "No services.".into(),
        });
        let (shared, read, asked) = self.lesson_reach();
        out.push(Section {
            heading: "Lessons learned".into(),
            paragraphs: if shared == 0 {
                Vec::new()
            } else {
                vec![format!(
                    "{shared} shared in {month}; acknowledged by {} of the staff asked to read them.",
                    share(read, asked)
                )]
            },
            header: vec![
                "Shared".into(),
                "With".into(),
                "From".into(),
                "Read".into(),
            ],
            rows: self
                .lessons
                .iter()
                .map(|l| {
                    row(vec![
                        display::date(l.lesson.published_at),
                        l.scope_name.clone(),
                        if l.lesson.source_ref.trim().is_empty() {
                            l.lesson.source.label().to_owned()
                        } else {
                            format!("{} ({})", l.lesson.source.label(), l.lesson.source_ref.trim())
                        },
                        share(
                            u32::try_from(l.read).unwrap_or(u32::MAX),
                            u32::try_from(l.asked).unwrap_or(u32::MAX),
                        ),
                    ])
                })
                .collect(),
            empty: format!("No lessons were shared in {month}."),
        });
        out.push(Section {
            heading: "Lessons-learned meetings".into(),
            paragraphs: vec![format!("Meetings held in {month}, with attendance.")],
            header: vec![
                "Date".into(),
                "Service".into(),
                "Meeting".into(),
                "In person".into(),
                "Online".into(),
                "Apologies".into(),
                "Minutes".into(),
            ],
            rows: self
                .meetings
                .iter()
                .map(|m| {
                    row(vec![
                        display::date(m.starts_at),
                        m.service.clone(),
                        m.kind.to_owned(),
                        m.attendance.0.to_string(),
                        m.attendance.1.to_string(),
                        m.attendance.2.to_string(),
                        if m.published { "Published" } else { "Not yet" }.to_owned(),
                    ])
                })
                .collect(),
            empty: format!("No lessons-learned meetings were held in {month}."),
        });
        out.push(Section {
            heading: "Safety alerts and guidance".into(),
            paragraphs: vec![format!(
                "Held for the whole organisation. {} received and {} signed off in {month}; {} open now, {} of them past their deadline.",
                self.alerts.received,
                self.alerts.signed_off,
                self.alerts.open.len(),
                self.alerts.overdue
            )],
            header: vec![
                "Reference".into(),
                "Kind".into(),
                "Title".into(),
                "Deadline".into(),
                "Status".into(),
            ],
            rows: self
                .alerts
                .open
                .iter()
                .map(|(r, k, t, d, s)| {
                    row(vec![r.clone(), (*k).to_owned(), t.clone(), d.clone(), (*s).to_owned()])
                })
                .collect(),
            empty: "No alerts are open.".into(),
        });
        if !self.speaking_up.is_empty() {
            out.push(super::speaking_up::board_section(&self.speaking_up, &month));
        }
        out
    }

    /// The whole report as words ready to print.
    pub fn document(&self) -> Document {
        Document {
            title: format!("Board report: {}", self.month.label()),
            scope: self.scope.label.clone(),
            made: display::date_time(self.made_at),
            headline: self
                .headline()
                .into_iter()
                .map(|(a, b)| Row(vec![a, b]))
                .collect(),
            charts: self.charts.iter().map(|c| self.chart_document(c)).collect(),
            sections: self.sections(),
            printed_on: display::date(self.made_at),
        }
    }

    /// The report as a tagged PDF.
    pub fn pdf(&self, typesetter: &Typesetter) -> ActionResult<Vec<u8>> {
        let today = self.made_at.to_zoned(london()).date();
        typesetter
            .typeset(&Job {
                today: crate::typeset::day_of(today),
                document: Kind::Board(self.document()),
            })
            .map_err(|e| ActionError::Internal(anyhow::anyhow!(e)))
    }
}

/// The duties of the incidents reported in the month in `services`, tallied by duty.
async fn duty_tallies(
    ctx: &Ctx,
    org: candour_domain::ids::OrganisationId,
    services: &HashMap<candour_domain::ids::ServiceId, Service>,
    month: Month,
) -> ActionResult<Vec<(Duty, Tally)>> {
    let now = ctx.clock.now();
    let (from, to) = (month.start(), month.end());
    let mut tallies: HashMap<Duty, Tally> = HashMap::new();
    let mut rules = DutyRules::of(ctx, org).await?;
    let ids = ctx
        .store
        .incidents_with_duties(org, (from.as_millisecond(), to.as_millisecond()))
        .await?;
    for (_, view) in duties_of_many(ctx, org, &ids, services, &mut rules).await? {
        for d in &view.decisions {
            if view.verdict(d.duty) != Verdict::Required {
                continue;
            }
            tallies.entry(d.duty).or_default().add(timeliness(
                d.due_at,
                view.progress(d.duty).done_at,
                now,
            ));
        }
    }
    Ok(Duty::ALL
        .iter()
        .filter_map(|d| tallies.get(d).map(|t| (*d, *t)))
        .collect())
}

/// The board report for `month` over the scope with `code` (or all the
/// services the actor sees). Those who may see aggregates only.
pub async fn board_report(
    ctx: &Ctx,
    actor: &Actor,
    month: Month,
    code: Option<&str>,
) -> ActionResult<BoardReport> {
    let scopes = board_scopes(ctx, actor).await?;
    let scope = match code {
        None | Some("") => scopes.into_iter().next(),
        Some(c) => scopes.into_iter().find(|s| s.code == c),
    }
    .ok_or(ActionError::NotFound)?;
    let org = actor.organisation_id;
    let ids: Vec<_> = scope.services.iter().map(|s| s.service_id).collect();
    let span = (month.start(), month.end());
    let now = ctx.clock.now();
    let today = now.to_zoned(london()).date();
    // Where the report's changes are recorded: one service, a region or the
    // organisation, as on the trends page.
    let every = ctx.store.services(org).await?;
    let place = super::trends::change_scope(
        match scope.code.split_once(':') {
            Some(("region", r)) => (None, r.parse().ok().map(candour_domain::ids::RegionId)),
            Some(("service", s)) => (s.parse().ok().map(candour_domain::ids::ServiceId), None),
            _ => (None, None),
        },
        &scope.services,
        &every,
    );
    let mut charts = Vec::new();
    let counted = super::trends::tally_scope(&ids, &every);
    for measure in CHARTED {
        let (months, chart) = monthly_trend(ctx, (org, counted, place), measure, month).await?;
        charts.push(BoardChart {
            measure,
            months,
            chart,
        });
    }
    let breaches = ctx.store.breach_lines(org, &ids, span).await?;
    let triage = breaches
        .iter()
        .filter(|l| l.target == Target::Triage)
        .count();
    let with_reason = breaches.iter().filter(|l| l.reason.is_some()).count();
    let in_span = |t: Timestamp| t >= span.0 && t < span.1;
    let mut by_service: HashMap<candour_domain::ids::ServiceId, Vec<_>> = HashMap::new();
    for x in ctx.store.actions_to_count(org, &ids).await? {
        by_service.entry(x.service_id).or_default().push(x);
    }
    let mut actions = Vec::new();
    for s in &scope.services {
        let mut a = ActionFigures::default();
        for x in by_service.remove(&s.service_id).unwrap_or_default() {
            if x.status.is_open() {
                a.open += 1;
                if x.due_on < today {
                    a.overdue += 1;
                }
            }
            if x.status == ActionStatus::Done && x.completed_at.is_some_and(in_span) {
                a.completed += 1;
            }
            match &x.effectiveness {
                Some((Effectiveness::Worked, _, at)) if in_span(*at) => a.checked.0 += 1,
                Some((Effectiveness::Partly, _, at)) if in_span(*at) => a.checked.1 += 1,
                Some((Effectiveness::DidNotWork, _, at)) if in_span(*at) => a.checked.2 += 1,
                _ => {}
            }
        }
        actions.push((s.name.clone(), a));
    }
    let mut meetings = Vec::new();
    for m in ctx
        .store
        .learning_meetings_starting(org, &ids, span)
        .await?
    {
        let people = ctx.store.attendees(m.meeting_id).await?;
        let n = |how: &str| people.iter().filter(|p| p.attendance == how).count();
        let group = super::meetings::group_among(ctx, &m, &every).await?;
        meetings.push(MeetingFigures {
            starts_at: m.starts_at,
            service: super::meetings::group_name(&group),
            kind: m.kind.label(),
            attendance: (n("in_person"), n("online"), n("apologies")),
            published: m.published.is_some(),
        });
    }
    meetings.sort_by_key(|m| m.starts_at);
    let mut alerts = AlertFigures::default();
    let first_day = month.first_day();
    let next_first = month.next().first_day();
    for a in ctx.store.alerts(org, false).await? {
        if a.received_on >= first_day && a.received_on < next_first {
            alerts.received += 1;
        }
        if a.signed_off.as_ref().is_some_and(|s| in_span(s.1)) {
            alerts.signed_off += 1;
        }
        let status = candour_domain::alerts::status(a.progress(), a.deadline, today);
        if !status.is_closed() {
            if status == candour_domain::alerts::AlertStatus::Overdue {
                alerts.overdue += 1;
            }
            alerts.open.push((
                a.reference.clone(),
                a.kind.label(),
                a.title.clone(),
                a.deadline
                    .map(display::civil_date)
                    .unwrap_or_else(|| "None set".into()),
                status.label(),
            ));
        }
    }
    let by_id: HashMap<_, _> = scope
        .services
        .iter()
        .map(|s| (s.service_id, s.clone()))
        .collect();
    Ok(BoardReport {
        month,
        reports: ctx.store.kind_harm_counts(org, &ids, span).await?,
        charts,
        serious: ctx.store.serious_lines(org, &ids, span).await?,
        investigations: ctx.store.investigation_counts(org, &ids, span).await?,
        duties: duty_tallies(ctx, org, &by_id, month).await?,
        openness: ctx.store.openness_counts(org, &ids, span).await?,
        breaches: (triage, breaches.len() - triage, with_reason),
        actions,
        lessons: lessons_reaching(ctx, org, &ids, span).await?,
        meetings,
        alerts,
        speaking_up: if scope.services.len() == every.len() {
            super::speaking_up::figures_by_theme(
                ctx,
                org,
                (&ids, true),
                (span.0.as_millisecond(), span.1.as_millisecond()),
            )
            .await?
        } else {
            Vec::new()
        },
        scope,
        made_at: now,
    })
}
