//! The monthly board report as it leaves Candour: emailed to board members
//! (headline figures and a link, no one named) and its PDF kept as sent,
//! so what the board saw can be shown later.

use super::board_report::{BoardReport, board_report, board_scopes};
use super::reports::rendered;
use super::{ActionError, ActionResult, Actor, Ctx, Email};
use askama::Template;
use candour_domain::monthly::Month;

/// The emailed report: the headline figures and a link (no one is named).
#[derive(Template)]
#[template(path = "email/board_report.txt")]
struct BoardEmailText<'a> {
    r: &'a BoardReport,
    headline: Vec<(String, String)>,
    link: Option<String>,
}

/// The same as HTML.
#[derive(Template)]
#[template(path = "email/board_report.html")]
struct BoardEmailHtml<'a> {
    r: &'a BoardReport,
    headline: Vec<(String, String)>,
    link: Option<String>,
}

/// Last month's board report as an email to a board member, or `None` if
/// they see no services.
pub(crate) async fn board_email(
    ctx: &Ctx,
    actor: &Actor,
    month: Month,
) -> ActionResult<Option<Email>> {
    let report = match board_report(ctx, actor, month, None).await {
        Ok(r) => r,
        Err(ActionError::Forbidden) => return Ok(None),
        Err(e) => return Err(e),
    };
    keep_as_sent(ctx, actor.organisation_id, month, &report).await?;
    let link = super::reports::report_link(ctx, "board", month);
    let headline = report.headline();
    let text = rendered(
        BoardEmailText {
            r: &report,
            headline: headline.clone(),
            link: link.clone(),
        }
        .render(),
    )?;
    let html = rendered(
        BoardEmailHtml {
            r: &report,
            headline,
            link,
        }
        .render(),
    )?;
    let subject = format!("Board report for {}: {}", month.label(), report.scope.label);
    Ok(Some((actor.email.clone(), subject, text, html)))
}

/// Keeps the PDF of `report` as it is sent, for its month and scope, unless
/// one is kept already: what the board saw can be shown later, though a
/// past month worked out afresh follows records updated since.
async fn keep_as_sent(
    ctx: &Ctx,
    org: candour_domain::ids::OrganisationId,
    month: Month,
    report: &BoardReport,
) -> ActionResult<()> {
    let code = month.code();
    if ctx
        .store
        .sent_board_report(org, &code, &report.scope.code)
        .await?
        .is_some()
    {
        return Ok(());
    }
    let typesetter = ctx.typesetter.clone();
    let r = report.clone();
    let pdf = tokio::task::spawn_blocking(move || r.pdf(&typesetter))
        .await
        .map_err(|e| {
            ActionError::Internal(anyhow::anyhow!("the board report PDF stopped: {e}"))
        })??;
    use sha2::Digest;
    let sent = crate::store::board_reports::SentBoardReport {
        month: code,
        scope_code: report.scope.code.clone(),
        scope_label: report.scope.label.clone(),
        made_at_ms: ctx.clock.now().as_millisecond(),
        sha256: hex::encode(sha2::Sha256::digest(&pdf)),
        pdf,
    };
    let mut tx = ctx.store.begin().await?;
    crate::store::board_reports::keep_sent(&mut tx, org, &sent).await?;
    tx.commit().await?;
    Ok(())
}

/// The board report for `month` over the scope with `code` as it was sent
/// to the board, if it was, for those who may see that report.
pub async fn sent_board_report(
    ctx: &Ctx,
    actor: &Actor,
    month: Month,
    code: Option<&str>,
) -> ActionResult<Option<crate::store::board_reports::SentBoardReport>> {
    let scopes = board_scopes(ctx, actor).await?;
    let scope = match code {
        None | Some("") => scopes.into_iter().next(),
        Some(c) => scopes.into_iter().find(|s| s.code == c),
    }
    .ok_or(ActionError::NotFound)?;
    Ok(ctx
        .store
        .sent_board_report(actor.organisation_id, &month.code(), &scope.code)
        .await?)
}
