//! Anonymous reporting, with no sign-in: the public form behind each
//! service's link, the case code shown once, and the case page where the
//! reporter follows their report and exchanges messages. Also the handler's
//! reply and the printable poster (QR code) for managers.

use crate::actions::ActionError;
use crate::actions::anonymous::{
    CaseView, message_from_reporter, open_case, public_service, public_token, reply_to_reporter,
    report_anonymously,
};
use crate::web::AppState;
use crate::web::auth::{CsrfForm, CsrfToken, CurrentUser};
use crate::web::error::{WebError, render};
use crate::web::layout::Layout;
use crate::web::pages::incidents::{Choice, parse_reference};
use crate::web::pages::login::client_address;
use crate::web::pages::report::{QuestionView, question_views, told_choices};
use askama::Template;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use candour_domain::details::questions;
use candour_domain::display;
use candour_domain::incident::{Category, EventKind, ReportDraft, london};
use candour_domain::validation::FieldErrors;
use serde::Deserialize;
use std::net::SocketAddr;

#[derive(Template)]
#[template(path = "public_report.html")]
struct PublicReportPage {
    layout: Layout,
    csrf: String,
    token: String,
    service_name: String,
    chosen: bool,
    kinds: Vec<Choice>,
    categories: Vec<Choice>,
    kind_label: &'static str,
    category_label: &'static str,
    areas: Vec<Choice>,
    questions: Vec<QuestionView>,
    told: Vec<Choice>,
    draft: ReportDraft,
    errors: FieldErrors,
}

/// Query of the public form.
#[derive(Debug, Deserialize)]
pub struct PublicQuery {
    kind: Option<String>,
    category: Option<String>,
}

fn choice_list(all: impl Iterator<Item = (String, String)>, current: &str) -> Vec<Choice> {
    all.map(|(value, label)| Choice {
        selected: value == current,
        value,
        label,
    })
    .collect()
}

async fn public_page(
    state: &AppState,
    csrf: String,
    token: &str,
    draft: ReportDraft,
    errors: FieldErrors,
    from_post: bool,
) -> Result<PublicReportPage, WebError> {
    let service = public_service(&state.ctx, token).await?;
    let kind = EventKind::parse(draft.kind.trim());
    let category = Category::parse(draft.category.trim());
    let chosen = from_post || (kind.is_some() && category.is_some());
    let areas = state
        .ctx
        .store
        .areas(service.organisation_id, service.service_id)
        .await?
        .into_iter()
        .map(|a| Choice {
            selected: a.area_id.to_string() == draft.area_id,
            value: a.area_id.to_string(),
            label: a.name,
        })
        .collect();
    Ok(PublicReportPage {
        layout: Layout::public(
            format!("Report anonymously to {}", service.name),
            state.demo,
        ),
        csrf,
        token: token.to_owned(),
        service_name: service.name,
        chosen,
        kinds: choice_list(
            EventKind::ALL
                .iter()
                .map(|k| (k.code().to_owned(), k.label().to_owned())),
            &draft.kind,
        ),
        categories: choice_list(
            Category::ALL
                .iter()
                .map(|c| (c.code().to_owned(), c.label().to_owned())),
            &draft.category,
        ),
        kind_label: kind.map_or("", |k| k.label()),
        category_label: category.map_or("", |c| c.label()),
        areas,
        questions: category
            .map(|c| question_views(c, &draft, &errors))
            .unwrap_or_default(),
        told: told_choices(&draft.told),
        draft,
        errors,
    })
}

/// GET /report/{token}
pub async fn show_public_form(
    State(state): State<AppState>,
    csrf: CsrfToken,
    Path(token): Path<String>,
    Query(q): Query<PublicQuery>,
) -> Result<Response, WebError> {
    let now = state.ctx.clock.now().to_zoned(london());
    let draft = ReportDraft {
        kind: q.kind.unwrap_or_default(),
        category: q.category.unwrap_or_default(),
        occurred_date: now.date().to_string(),
        occurred_time: now.time().strftime("%H:%M").to_string(),
        ..ReportDraft::default()
    };
    let page = public_page(&state, csrf.0, &token, draft, FieldErrors::new(), false).await?;
    Ok(render(&page)?.into_response())
}

#[derive(Template)]
#[template(path = "case_created.html")]
struct CaseCreatedPage {
    layout: Layout,
    reference: String,
    code: String,
}

/// POST /report/{token}: the code is shown on this page only (never in a URL).
pub async fn create_public_report(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    csrf: CsrfToken,
    Path(token): Path<String>,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let ip = client_address(&headers, addr, state.trust_proxy);
    let draft = ReportDraft {
        kind: form.get("kind"),
        category: form.get("category"),
        area_id: form.get("area_id"),
        occurred_date: form.get("occurred_date"),
        occurred_time: form.get("occurred_time"),
        description: form.get("description"),
        immediate_actions: form.get("immediate_actions"),
        others_involved: form.get("others_involved"),
        told: form.all("told"),
        written_at: form.get("written_at"),
        details: Category::parse(&form.get("category"))
            .map(questions)
            .unwrap_or_default()
            .iter()
            .map(|q| (q.name.to_owned(), form.all(q.name)))
            .collect(),
        ..ReportDraft::default()
    };
    match report_anonymously(&state.ctx, &token, &draft, &ip).await {
        Ok((reference, code)) => {
            let page = CaseCreatedPage {
                layout: Layout::public("Report sent", state.demo),
                reference: reference.to_string(),
                code,
            };
            Ok(render(&page)?.into_response())
        }
        Err(ActionError::Invalid(errors)) => {
            let page = public_page(&state, csrf.0, &token, draft, errors, true).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(ActionError::Throttled {
            retry_after_seconds,
        }) => {
            // Nothing typed is lost: the form comes back with a reason.
            let mut errors = FieldErrors::new();
            errors.add(
                "description",
                format!(
                    "Many reports have come from this network in the last hour. Wait {} minutes and send again: what you wrote is still here.",
                    (retry_after_seconds + 59) / 60
                ),
            );
            let page = public_page(&state, csrf.0, &token, draft, errors, true).await?;
            Ok((StatusCode::TOO_MANY_REQUESTS, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// A message line for people to read.
pub struct MessageLine {
    /// Who: "You" or the handler's name (for the reporter), or "Reporter".
    pub who: String,
    /// When.
    pub when: String,
    /// Text.
    pub body: String,
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    layout: Layout,
    csrf: String,
    code: String,
    case: Option<CaseLines>,
    errors: FieldErrors,
}

/// What the case page shows once the code is right.
pub struct CaseLines {
    /// Reference.
    pub reference: String,
    /// What and where.
    pub what: String,
    /// Status label.
    pub status: &'static str,
    /// When reported.
    pub reported: String,
    /// Messages.
    pub messages: Vec<MessageLine>,
    /// Feedback: what the service found and what changed.
    pub feedback: Vec<MessageLine>,
}

fn case_lines(v: CaseView) -> CaseLines {
    CaseLines {
        feedback: v
            .feedback
            .iter()
            .map(|f| MessageLine {
                who: f.author_name.clone(),
                when: display::date_time_ms(f.created_at_ms),
                body: f.body.clone(),
            })
            .collect(),
        reference: v.reference.to_string(),
        what: format!("{}: {}, at {}", v.kind, v.category, v.service_name),
        status: v.status,
        reported: display::date_time(v.reported_at),
        messages: v
            .messages
            .into_iter()
            .map(|m| MessageLine {
                who: if m.from_reporter {
                    "You".to_owned()
                } else {
                    m.author_name.unwrap_or_else(|| "The service".to_owned())
                },
                when: display::date_time_ms(m.created_at_ms),
                body: m.body,
            })
            .collect(),
    }
}

fn case_page(
    state: &AppState,
    csrf: String,
    code: String,
    case: Option<CaseLines>,
    errors: FieldErrors,
) -> CasePage {
    CasePage {
        layout: Layout::public("Follow an anonymous report", state.demo),
        csrf,
        code,
        case,
        errors,
    }
}

fn case_error(e: ActionError) -> Result<FieldErrors, WebError> {
    let mut errors = FieldErrors::new();
    match e {
        ActionError::NotFound => errors.add(
            "code",
            "No report has that case code. Check it and try again.",
        ),
        ActionError::Throttled {
            retry_after_seconds,
        } => errors.add(
            "code",
            format!(
                "Too many codes were tried. Wait {} minutes and try again.",
                (retry_after_seconds + 59) / 60
            ),
        ),
        ActionError::Invalid(f) => return Ok(f),
        other => return Err(other.into()),
    }
    Ok(errors)
}

/// GET /case
pub async fn show_case_form(
    State(state): State<AppState>,
    csrf: CsrfToken,
) -> Result<Response, WebError> {
    Ok(render(&case_page(
        &state,
        csrf.0,
        String::new(),
        None,
        FieldErrors::new(),
    ))?
    .into_response())
}

/// POST /case: open a case with its code (`code`), and optionally send a message (`message`).
pub async fn open_case_page(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    csrf: CsrfToken,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let ip = client_address(&headers, addr, state.trust_proxy);
    let code = form.get("code");
    let message = form.get("message");
    let result = if form.get("send") == "1" {
        message_from_reporter(&state.ctx, &code, &ip, &message).await
    } else {
        open_case(&state.ctx, &code, &ip).await.map(|(v, _, _)| v)
    };
    match result {
        Ok(view) => Ok(render(&case_page(
            &state,
            csrf.0,
            code,
            Some(case_lines(view)),
            FieldErrors::new(),
        ))?
        .into_response()),
        Err(ActionError::Invalid(errors)) => {
            // The code was right; only the message had a problem.
            let (view, _, _) = open_case(&state.ctx, &code, &ip).await?;
            let page = case_page(&state, csrf.0, code, Some(case_lines(view)), errors);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => {
            let throttled = matches!(e, ActionError::Throttled { .. });
            let errors = case_error(e)?;
            let status = if throttled {
                StatusCode::TOO_MANY_REQUESTS
            } else {
                StatusCode::NOT_FOUND
            };
            Ok((
                status,
                render(&case_page(&state, csrf.0, String::new(), None, errors))?,
            )
                .into_response())
        }
    }
}

/// POST /incidents/{reference}/messages: the handler writes to the anonymous reporter.
pub async fn reply_to_case(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference): Path<String>,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let reference = parse_reference(&reference)?;
    match reply_to_reporter(&state.ctx, &user.actor, reference, &form.get("message")).await {
        Ok(()) => Ok(Redirect::to(&format!("/incidents/{reference}#messages")).into_response()),
        Err(ActionError::Invalid(_)) => Ok(Redirect::to(&format!(
            "/incidents/{reference}?empty_message=1#messages"
        ))
        .into_response()),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "poster.html")]
struct PosterPage {
    layout: Layout,
    service_name: String,
    link: String,
    qr_svg: String,
}

/// GET /services/{service_id}/poster: a printable poster with the public link and its QR code.
pub async fn show_poster(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    Path(service_id): Path<String>,
) -> Result<Response, WebError> {
    let service_id = service_id.parse().map_err(|_| WebError::NotFound)?;
    let (service, token) = public_token(&state.ctx, &user.actor, service_id).await?;
    let host = headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let scheme = if crate::web::cookies::secure(state.secure_cookies, &headers) {
        "https"
    } else {
        "http"
    };
    let link = format!("{scheme}://{host}/report/{token}");
    let qr = qrcode::QrCode::new(link.as_bytes())
        .map_err(|e| WebError::Internal(anyhow::anyhow!("QR code: {e}")))?;
    let qr_svg = qr
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .build();
    // The renderer's own XML declaration is not allowed inside HTML.
    let qr_svg = qr_svg
        .split_once("?>")
        .map_or(qr_svg.clone(), |(_, svg)| svg.trim().to_owned());
    let page = PosterPage {
        layout: Layout::new(format!("Poster for {}", service.name), &user, state.demo),
        service_name: service.name,
        link,
        qr_svg,
    };
    Ok(render(&page)?.into_response())
}
