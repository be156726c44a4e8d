//! The daily digest: for each person who gets it, every report opened in
//! the last 24 hours in their scope, what is overdue, and what falls due
//! today, by email at 07:00 UK time (text and HTML) and in the app. People
//! using services appear by internal code only, never by name.

use super::triage::triage_queue;
use super::{ActionResult, Actor, Ctx, enqueue_once, services_where};
use crate::store::incidents::IncidentFilter;
use askama::Template;
use candour_domain::calendar::end_of_day;
use candour_domain::digest::subscribed_by_default;
use candour_domain::display;
use candour_domain::incident::IncidentStatus;
use candour_domain::role::Permission;
use candour_domain::timescales::TimeLeft;
use jiff::Timestamp;

/// One line of a digest.
#[derive(Debug, Clone, PartialEq)]
pub struct DigestLine {
    /// `INC-000123`.
    pub reference: String,
    /// Service (and area).
    pub place: String,
    /// Kind and category.
    pub what: String,
    /// People affected, by internal code.
    pub people: String,
    /// Harm and risk band, once graded.
    pub grading: String,
    /// What is due and when, in words.
    pub due: String,
}

/// A person at increased risk, in a digest (by internal code only).
#[derive(Debug, Clone, PartialEq)]
pub struct RiskLine {
    /// Internal code.
    pub code: String,
    /// Their service.
    pub place: String,
    /// Why, each reason with its incidents.
    pub reasons: String,
}

/// A person's digest for a day.
#[derive(Debug, Clone, PartialEq, Template)]
#[template(path = "email/digest.txt")]
pub struct Digest {
    /// The day, as people read it.
    pub day: String,
    /// Reports opened in the last 24 hours.
    pub new: Vec<DigestLine>,
    /// Open reports past a deadline.
    pub overdue: Vec<DigestLine>,
    /// Open reports due by the end of today.
    pub due_today: Vec<DigestLine>,
    /// People at increased risk, waiting for a review of their risk assessment.
    pub at_risk: Vec<RiskLine>,
    /// Where to read more, if Candour knows its address.
    pub link: Option<String>,
    /// Candour's public address, for a link to each case.
    pub base_url: Option<String>,
}

/// A heading and its lines.
pub struct Section<'a> {
    /// The heading.
    pub heading: &'static str,
    /// Its lines.
    pub lines: &'a [DigestLine],
    /// Whether its lines are about deadlines (or new reports).
    pub shows_due: bool,
}

/// The same digest as HTML.
#[derive(Template)]
#[template(path = "email/digest.html")]
struct DigestHtml<'a> {
    d: &'a Digest,
}

impl Digest {
    /// The link to one case, when Candour's public address is known.
    pub fn case_link(&self, l: &DigestLine) -> Option<String> {
        self.base_url
            .as_deref()
            .map(|base| format!("{base}/incidents/{}", l.reference))
    }

    /// The subject line.
    pub fn subject(&self) -> String {
        format!(
            "Candour daily digest, {}: {} new, {} overdue, {} due today",
            self.day,
            self.new.len(),
            self.overdue.len(),
            self.due_today.len()
        )
    }

    /// The three sections, for the HTML part.
    pub fn sections(&self) -> Vec<Section<'_>> {
        vec![
            Section {
                heading: "New in the last 24 hours",
                lines: &self.new,
                shows_due: false,
            },
            Section {
                heading: "Overdue",
                lines: &self.overdue,
                shows_due: true,
            },
            Section {
                heading: "Due today",
                lines: &self.due_today,
                shows_due: true,
            },
        ]
    }

    /// Whether there is anything at all to say.
    pub fn is_empty(&self) -> bool {
        self.new.is_empty()
            && self.overdue.is_empty()
            && self.due_today.is_empty()
            && self.at_risk.is_empty()
    }
}

/// Builds `actor`'s digest at `now`; `None` when they see no incidents.
pub async fn digest_for(ctx: &Ctx, actor: &Actor, now: Timestamp) -> ActionResult<Option<Digest>> {
    if !actor.can_anywhere(Permission::ViewIncidents) {
        return Ok(None);
    }
    let services = services_where(ctx, actor, Permission::ViewIncidents).await?;
    let ids: Vec<_> = services.iter().map(|s| s.service_id).collect();
    let since = now.checked_sub(jiff::Span::new().hours(24)).unwrap_or(now);
    let filter = IncidentFilter {
        reported_from: Some(since),
        hidden_from: Some(actor.user_id),
        ..IncidentFilter::default()
    };
    let fresh = ctx
        .store
        .incidents_in_services(actor.organisation_id, &ids, &filter, None, 500)
        .await?;
    let mut new = Vec::new();
    for s in &fresh {
        let incident = ctx
            .store
            .incident_by_id(actor.organisation_id, s.incident_id)
            .await?;
        let people = ctx.store.involvements(s.incident_id).await?;
        new.push(DigestLine {
            reference: s.reference.to_string(),
            place: place(&s.service_name, s.area_name.as_deref()),
            what: format!("{}: {}", s.kind.label(), s.category.label()),
            people: people
                .iter()
                .map(|p| p.internal_code.clone())
                .collect::<Vec<_>>()
                .join(", "),
            grading: incident
                .and_then(|i| i.grading)
                .map(|g| {
                    format!(
                        "{}; {} risk",
                        g.physical_harm.label(),
                        g.risk_band.label().to_lowercase()
                    )
                })
                .unwrap_or_else(|| "Not triaged yet".to_owned()),
            due: String::new(),
        });
    }
    let end_of_today = end_of_day(now.to_zoned(candour_domain::incident::london()).date());
    let (mut overdue, mut due_today) = (Vec::new(), Vec::new());
    let queue = if actor.can_anywhere(Permission::TriageIncidents) {
        triage_queue(ctx, actor, None).await?
    } else {
        Vec::new()
    };
    for q in queue {
        let (what_due, at) = if q.summary.status == IncidentStatus::Reported {
            ("Triage", q.triage_due_at)
        } else {
            ("Review", q.review_due_at)
        };
        let Some(at) = at else { continue };
        let line = DigestLine {
            reference: q.summary.reference.to_string(),
            place: place(&q.summary.service_name, q.summary.area_name.as_deref()),
            what: format!("{}: {}", q.summary.kind.label(), q.summary.category.label()),
            people: String::new(),
            grading: q
                .risk_band
                .map(|b| format!("{} risk", b.label()))
                .unwrap_or_default(),
            due: format!(
                "{what_due}: {} ({})",
                TimeLeft::at(now, at).describe().to_lowercase(),
                display::date_time(at)
            ),
        };
        if at < now {
            overdue.push(line);
        } else if at <= end_of_today {
            due_today.push(line);
        }
    }
    let at_risk = super::risk::people_at_risk(ctx, actor, Some(&services))
        .await?
        .into_iter()
        .map(|a| RiskLine {
            code: a.person.internal_code,
            place: a.service_name,
            reasons: a
                .flags
                .iter()
                .map(|f| format!("{} ({})", f.reason, f.incidents.join(", ")))
                .collect::<Vec<_>>()
                .join("; "),
        })
        .collect();
    Ok(Some(Digest {
        day: display::date(now),
        new,
        overdue,
        due_today,
        at_risk,
        link: ctx
            .public_url
            .as_deref()
            .map(|u| format!("{}/digest", u.trim_end_matches('/'))),
        base_url: ctx
            .public_url
            .as_deref()
            .map(|u| u.trim_end_matches('/').to_owned())
            .filter(|u| !u.is_empty()),
    }))
}

fn place(service: &str, area: Option<&str>) -> String {
    match area {
        Some(a) => format!("{service}, {a}"),
        None => service.to_owned(),
    }
}

/// Whether `actor` gets the daily digest: their choice, or their role's default.
pub async fn gets_digest(ctx: &Ctx, actor: &Actor) -> ActionResult<bool> {
    Ok(match ctx.store.digest_subscription(actor.user_id).await? {
        Some(chosen) => chosen,
        None => {
            let roles: Vec<_> = actor.grants.iter().map(|g| g.role).collect();
            subscribed_by_default(&roles)
        }
    })
}

/// The signed-in person chooses whether to get the daily digest.
pub async fn choose_digest(ctx: &Ctx, actor: &Actor, subscribed: bool) -> ActionResult<()> {
    let mut tx = ctx.store.begin().await?;
    crate::store::settings::set_digest_subscription(
        &mut tx,
        actor.organisation_id,
        actor.user_id,
        subscribed,
        ctx.clock.now().as_millisecond(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Queues `day`'s digest for everyone who gets it, in every organisation.
/// Each organisation's digests are queued in one transaction with the claim
/// of its slot, so with several instances, or after a crash, each person
/// gets one digest a day. Returns how many were queued.
pub async fn send_daily_digests(ctx: &Ctx, day: jiff::civil::Date) -> ActionResult<usize> {
    let now = ctx.clock.now();
    let mut queued = 0;
    for org in ctx.store.organisation_ids().await? {
        let mut emails: Vec<super::Email> = Vec::new();
        for (user, _, _) in ctx.store.staff_with_grants(org).await? {
            let Ok(actor) = super::sessions::actor_for(ctx, user).await else {
                continue;
            };
            if !gets_digest(ctx, &actor).await? {
                continue;
            }
            let Some(digest) = digest_for(ctx, &actor, now).await? else {
                continue;
            };
            let render = |r: Result<String, askama::Error>| {
                r.map_err(|e| anyhow::anyhow!("the digest did not render: {e}"))
            };
            let text = render(digest.render())?;
            let html = render(DigestHtml { d: &digest }.render())?;
            emails.push((actor.email, digest.subject(), text, html));
        }
        let slot = format!("{org}:{day}");
        queued += enqueue_once(ctx, org, ("daily_digest", &slot), &emails).await?;
    }
    Ok(queued)
}
