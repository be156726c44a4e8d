//! Monthly reports. The quality assurance breach report: for a month and a
//! scope, every incident that breached a timescale, by how much, why, and
//! how its review and actions stand now; in the app, as CSV, and emailed to
//! the quality assurance team on the first working day of the next month.

use super::timescales::calendar;
use super::{ActionError, ActionResult, Actor, Ctx, Email, enqueue_once, services_where};
use crate::store::organisations::Service;
use crate::store::reports::{BreachLine, OpennessCounts};
use askama::Template;
use candour_domain::display;
use candour_domain::feedback::describe_minutes;
use candour_domain::monthly::{Month, report_due};
use candour_domain::organisation::Nation;
use candour_domain::role::{Permission, Role};
use jiff::Timestamp;

/// Where a report looks: a code for links, words, and the services it covers.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportScope {
    /// `all`, `region:<id>` or `service:<id>`.
    pub code: String,
    /// "All your services", a region's name, or a service's name.
    pub label: String,
    /// The services covered.
    pub services: Vec<Service>,
}

/// The scopes the actor may report on: all their services, each region
/// they see services in, and each service.
pub async fn report_scopes(ctx: &Ctx, actor: &Actor) -> ActionResult<Vec<ReportScope>> {
    scopes_where(ctx, actor, Permission::ViewIncidents).await
}

/// The scopes over the services where the actor may `permission`: all of
/// them first, then each region, then each service (when there are several).
pub(crate) async fn scopes_where(
    ctx: &Ctx,
    actor: &Actor,
    permission: Permission,
) -> ActionResult<Vec<ReportScope>> {
    let services = services_where(ctx, actor, permission).await?;
    if services.is_empty() {
        return Err(ActionError::Forbidden);
    }
    let regions = ctx.store.regions(actor.organisation_id).await?;
    let one_region = regions
        .iter()
        .find(|r| services.iter().all(|s| s.region_id == r.region_id));
    let mut out = vec![ReportScope {
        code: "all".into(),
        label: match (services.len(), one_region) {
            (1, _) => services[0].name.clone(),
            (_, Some(r)) => format!("{} region", r.name),
            _ => "All your services".into(),
        },
        services: services.clone(),
    }];
    if services.len() > 1 {
        for region in regions {
            let inside: Vec<Service> = services
                .iter()
                .filter(|s| s.region_id == region.region_id)
                .cloned()
                .collect();
            if !inside.is_empty() && inside.len() < services.len() {
                out.push(ReportScope {
                    code: format!("region:{}", region.region_id),
                    label: format!("{} region", region.name),
                    services: inside,
                });
            }
        }
        for s in &services {
            out.push(ReportScope {
                code: format!("service:{}", s.service_id),
                label: s.name.clone(),
                services: vec![s.clone()],
            });
        }
    }
    Ok(out)
}

/// A month's breach report.
#[derive(Debug, Clone, PartialEq)]
pub struct BreachReport {
    /// The month.
    pub month: Month,
    /// Where.
    pub scope: ReportScope,
    /// The breaches, by deadline.
    pub lines: Vec<BreachLine>,
    /// Openness with people affected by the month's incidents.
    pub openness: OpennessCounts,
    /// How quickly the reporters of the month's reports heard back.
    pub feedback: candour_domain::feedback::FeedbackTimes,
    /// When it was made (lateness of targets still unmet runs to here).
    pub made_at: Timestamp,
}

impl BreachReport {
    /// How quickly reporters heard back, in a sentence.
    pub fn feedback_summary(&self) -> String {
        use candour_domain::feedback::describe_minutes;
        let f = &self.feedback;
        let month = self.month.label();
        match (f.reports, f.median_minutes, f.longest_minutes) {
            (0, _, _) => format!("No reports were made in {month}."),
            (n, Some(median), Some(longest)) => format!(
                "{} of {n} {} made in {month} {} had feedback: half within {}, the longest after {}. {} still waiting.",
                f.given,
                if n == 1 { "report" } else { "reports" },
                if f.given == 1 { "has" } else { "have" },
                describe_minutes(median),
                describe_minutes(longest),
                f.waiting()
            ),
            (n, _, _) => format!(
                "None of the {n} {} made in {month} has had feedback yet.",
                if n == 1 { "report" } else { "reports" }
            ),
        }
    }

    /// How late a line's target was met (or is, so far), in minutes.
    pub fn minutes_late(&self, l: &BreachLine) -> i64 {
        let end = l.met_at.unwrap_or(self.made_at);
        (end.as_millisecond() - l.due_at.as_millisecond()).max(0) / 60_000
    }

    /// "2 days 3 hours", with "so far" while the target is still unmet.
    pub fn late_by(&self, l: &BreachLine) -> String {
        let words = describe_minutes(self.minutes_late(l));
        if l.met_at.is_some() {
            words
        } else {
            format!("{words} so far")
        }
    }

    /// A line's deadline, UK time.
    pub fn deadline(&self, l: &BreachLine) -> String {
        display::date_time(l.due_at)
    }

    /// How many breaches have no reason recorded yet.
    pub fn without_reason(&self) -> usize {
        self.lines.iter().filter(|l| l.reason.is_none()).count()
    }

    /// How many were missed of each target: (triage, review).
    pub fn by_target(&self) -> (usize, usize) {
        let triage = self
            .lines
            .iter()
            .filter(|l| l.target == candour_domain::escalation::Target::Triage)
            .count();
        (triage, self.lines.len() - triage)
    }

    /// The review and action plan as they stand, in words.
    pub fn follow_up(&self, l: &BreachLine) -> String {
        let mut out = l.incident.status.label().to_owned();
        if let Some(r) = l.learning_response {
            out.push_str(&format!("; {}", r.label().to_lowercase()));
        }
        let (open, done, in_plan) = l.actions;
        out.push_str(&match (open, done) {
            (0, 0) => "; no actions".to_owned(),
            (o, d) => format!("; actions: {o} open, {d} done"),
        });
        if in_plan > 0 {
            out.push_str(&format!(" ({in_plan} in the improvement plan)"));
        }
        out
    }

    /// The report as CSV, one line per breach, with a header line.
    pub fn csv(&self) -> String {
        let mut out = candour_domain::csv::row(&[
            "Reference",
            "Service",
            "Category",
            "Target missed",
            "Deadline (UK time)",
            "Met (UK time)",
            "Minutes late",
            "Late by",
            "Reason",
            "Reason given by",
            "Status",
            "Learning response",
            "Actions open",
            "Actions done",
            "Open actions in the improvement plan",
        ]);
        for l in &self.lines {
            let (reason, by) = l.reason.clone().unwrap_or_default();
            out.push_str(&candour_domain::csv::row(&[
                l.incident.reference.to_string(),
                l.incident.service_name.clone(),
                l.incident.category.label().to_owned(),
                l.target.label().to_owned(),
                display::date_time(l.due_at),
                l.met_at
                    .map(display::date_time)
                    .unwrap_or_else(|| "Not yet".into()),
                self.minutes_late(l).to_string(),
                self.late_by(l),
                reason,
                by,
                l.incident.status.label().to_owned(),
                l.learning_response
                    .map(|r| r.label().to_owned())
                    .unwrap_or_default(),
                l.actions.0.to_string(),
                l.actions.1.to_string(),
                l.actions.2.to_string(),
            ]));
        }
        out
    }
}

/// The breach report for `month` in the scope with `code` (or all the actor's services).
pub async fn breach_report(
    ctx: &Ctx,
    actor: &Actor,
    month: Month,
    code: Option<&str>,
) -> ActionResult<BreachReport> {
    let scopes = report_scopes(ctx, actor).await?;
    let scope = match code {
        None | Some("") => scopes.into_iter().next(),
        Some(c) => scopes.into_iter().find(|s| s.code == c),
    }
    .ok_or(ActionError::NotFound)?;
    let ids: Vec<_> = scope.services.iter().map(|s| s.service_id).collect();
    let span = (month.start(), month.end());
    Ok(BreachReport {
        month,
        lines: ctx
            .store
            .breach_lines(actor.organisation_id, &ids, span)
            .await?,
        openness: ctx
            .store
            .openness_counts(actor.organisation_id, &ids, span)
            .await?,
        feedback: {
            let (reports, minutes) = ctx
                .store
                .feedback_minutes(actor.organisation_id, &ids, span)
                .await?;
            candour_domain::feedback::FeedbackTimes::of(reports, minutes)
        },
        scope,
        made_at: ctx.clock.now(),
    })
}

/// The emailed report: figures and lines with no free text (reasons can name people).
#[derive(Template)]
#[template(path = "email/breach_report.txt")]
struct BreachEmailText<'a> {
    r: &'a BreachReport,
    link: Option<String>,
}

/// The same as HTML.
#[derive(Template)]
#[template(path = "email/breach_report.html")]
struct BreachEmailHtml<'a> {
    r: &'a BreachReport,
    link: Option<String>,
}

/// Last month's breach report as an email to a quality assurance member,
/// or `None` if they see no services.
async fn breach_email(ctx: &Ctx, actor: &Actor, month: Month) -> ActionResult<Option<Email>> {
    let report = match breach_report(ctx, actor, month, None).await {
        Ok(r) => r,
        Err(ActionError::Forbidden) => return Ok(None),
        Err(e) => return Err(e),
    };
    let link = report_link(ctx, "breaches", month);
    let text = rendered(
        BreachEmailText {
            r: &report,
            link: link.clone(),
        }
        .render(),
    )?;
    let html = rendered(BreachEmailHtml { r: &report, link }.render())?;
    let subject = format!(
        "Timescale breaches in {}: {} ({})",
        month.label(),
        report.lines.len(),
        report.scope.label
    );
    Ok(Some((actor.email.clone(), subject, text, html)))
}

/// The address of a monthly report in the app, if Candour knows its own.
pub(crate) fn report_link(ctx: &Ctx, report: &str, month: Month) -> Option<String> {
    ctx.public_url.as_ref().map(|u| {
        format!(
            "{}/reports/{report}?month={}",
            u.trim_end_matches('/'),
            month.code()
        )
    })
}

/// A rendered email part, or why it did not render.
pub(crate) fn rendered(r: Result<String, askama::Error>) -> ActionResult<String> {
    r.map_err(|e| anyhow::anyhow!("a monthly report did not render: {e}").into())
}

/// Queues last month's reports in every organisation where they are due
/// (07:00 UK time on the first working day of the month, England and Wales
/// calendar with the days the administrator added; later that month if
/// the server was down): the breach report to each quality assurance
/// member, the serious incident summary to each regional manager, and the
/// board report to each board member, for the services they see. Each organisation's emails of each kind are
/// queued with the claim of its slot for the month, so each person gets
/// one. Returns how many were queued.
pub async fn send_monthly_reports(ctx: &Ctx) -> ActionResult<usize> {
    let now = ctx.clock.now();
    let mut queued = 0;
    for org in ctx.store.organisation_ids().await? {
        let cal = calendar(ctx, org, Nation::EnglandAndWales).await?;
        let Some(month) = report_due(now, &cal) else {
            continue;
        };
        let slot = format!("{org}:{}", month.code());
        for (schedule, role) in [
            ("breach_report", Role::QualityAssurance),
            ("serious_incident_summary", Role::RegionalManager),
            ("board_report", Role::BoardMember),
        ] {
            if ctx.store.slot_taken(schedule, &slot).await? {
                continue;
            }
            let mut emails: Vec<Email> = Vec::new();
            for (user, _, _) in ctx.store.staff_with_grants(org).await? {
                let Ok(actor) = super::sessions::actor_for(ctx, user).await else {
                    continue;
                };
                if !actor.has_role(role) {
                    continue;
                }
                let email = match role {
                    Role::QualityAssurance => breach_email(ctx, &actor, month).await?,
                    Role::BoardMember => {
                        super::board_report::board_email(ctx, &actor, month).await?
                    }
                    _ => super::serious_summary::summary_email(ctx, &actor, month).await?,
                };
                emails.extend(email);
            }
            queued += enqueue_once(ctx, org, (schedule, &slot), &emails).await?;
        }
    }
    Ok(queued)
}
