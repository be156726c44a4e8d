//! The monthly serious incident summary, for regional managers: the month's
//! serious incidents (graded severe or fatal harm or extreme risk, chosen
//! for a serious investigation, or deaths) with how their investigations
//! stand, investigation figures, and the contributory factors found over
//! the twelve months to the month's end. In the app for any month and
//! scope, and emailed to each regional manager on the first working day of
//! the next month.

use super::investigations::known_factors;
use super::reports::{ReportScope, rendered, report_link, report_scopes};
use super::{ActionError, ActionResult, Actor, Ctx, Email};
use crate::store::reports::{InvestigationCounts, SeriousLine};
use askama::Template;
use candour_domain::investigation::{Framework, investigation_reference};
use candour_domain::monthly::Month;

/// Months of contributory factors counted, to the end of the month.
pub const FACTOR_MONTHS: usize = 12;

/// A month's summary.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriousSummary {
    /// The month.
    pub month: Month,
    /// Where.
    pub scope: ReportScope,
    /// The month's serious incidents.
    pub lines: Vec<SeriousLine>,
    /// Investigation figures.
    pub counts: InvestigationCounts,
    /// Factors found in the twelve months to the month's end: (label, framework, times).
    pub factors: Vec<(String, &'static str, i64)>,
    /// The first month the factors count from.
    pub factors_from: Month,
}

impl SeriousSummary {
    /// Harm and risk as graded, in words.
    pub fn grading(&self, l: &SeriousLine) -> String {
        match (l.physical_harm, l.risk_band) {
            (Some(h), Some(b)) => format!("{}, {} risk", h.label(), b.label().to_lowercase()),
            _ => "Not graded yet".to_owned(),
        }
    }

    /// When it was reported.
    pub fn reported(&self, l: &SeriousLine) -> String {
        candour_domain::display::date(l.incident.reported_at)
    }

    /// Where its investigation is, if it has one.
    pub fn investigation_link(&self, l: &SeriousLine) -> Option<String> {
        l.investigation
            .map(|(n, _)| format!("/investigations/{}", investigation_reference(n)))
    }

    /// The investigation, in words.
    pub fn investigation(&self, l: &SeriousLine) -> String {
        match l.investigation {
            Some((n, true)) => format!("{} completed", investigation_reference(n)),
            Some((n, false)) => format!("{} under way", investigation_reference(n)),
            None => match l.learning_response {
                Some(r) => format!("No investigation; {}", r.label().to_lowercase()),
                None => "Not triaged yet".to_owned(),
            },
        }
    }
}

/// The summary for `month` in the scope with `code` (or all the actor's services).
pub async fn serious_summary(
    ctx: &Ctx,
    actor: &Actor,
    month: Month,
    code: Option<&str>,
) -> ActionResult<SeriousSummary> {
    let scope = match code {
        None | Some("") => report_scopes(ctx, actor).await?.into_iter().next(),
        Some(c) => report_scopes(ctx, actor)
            .await?
            .into_iter()
            .find(|s| s.code == c),
    }
    .ok_or(ActionError::NotFound)?;
    let ids: Vec<_> = scope.services.iter().map(|s| s.service_id).collect();
    let org = actor.organisation_id;
    let span = (month.start(), month.end());
    let mut factors_from = month;
    for _ in 1..FACTOR_MONTHS {
        factors_from = factors_from.previous();
    }
    let known = known_factors(ctx, org).await?;
    let factors = ctx
        .store
        .factor_counts(org, &ids, (factors_from.start(), month.end()))
        .await?
        .into_iter()
        .map(|(code, n)| {
            let f = known.iter().find(|f| f.code == code);
            (
                f.map_or_else(|| code.clone(), |f| f.label.clone()),
                f.map_or("", |f| Framework::label(f.framework)),
                n,
            )
        })
        .collect();
    Ok(SeriousSummary {
        month,
        lines: ctx.store.serious_lines(org, &ids, span).await?,
        counts: ctx.store.investigation_counts(org, &ids, span).await?,
        factors,
        factors_from,
        scope,
    })
}

#[derive(Template)]
#[template(path = "email/serious_summary.txt")]
struct SummaryText<'a> {
    r: &'a SeriousSummary,
    link: Option<String>,
}

#[derive(Template)]
#[template(path = "email/serious_summary.html")]
struct SummaryHtml<'a> {
    r: &'a SeriousSummary,
    link: Option<String>,
}

/// Last month's summary as an email to a regional manager, or `None` if they see no services.
pub(crate) async fn summary_email(
    ctx: &Ctx,
    actor: &Actor,
    month: Month,
) -> ActionResult<Option<Email>> {
    let r = match serious_summary(ctx, actor, month, None).await {
        Ok(r) => r,
        Err(ActionError::Forbidden) => return Ok(None),
        Err(e) => return Err(e),
    };
    let link = report_link(ctx, "serious-incidents", month);
    let text = rendered(
        SummaryText {
            r: &r,
            link: link.clone(),
        }
        .render(),
    )?;
    let html = rendered(SummaryHtml { r: &r, link }.render())?;
    let subject = format!(
        "Serious incidents in {}: {} ({})",
        month.label(),
        r.lines.len(),
        r.scope.label
    );
    Ok(Some((actor.email.clone(), subject, text, html)))
}
