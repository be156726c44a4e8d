//! Speaking up: the form to raise a concern with a guardian, the lists of
//! concerns raised and handled, one concern with its messages, and the
//! public page where an anonymous raiser follows theirs with a case code.
//! Times are shown as dates only: a time of day can point to a shift.

use crate::actions::ActionError;
use crate::actions::speaking_up::{
    ConcernView, Overview, RaiseForm, Raised, acknowledge, concern_for, give_outcome,
    message_from_case, open_case, overview, raise, raise_form, write,
};
use crate::web::AppState;
use crate::web::auth::{CsrfForm, CsrfToken, CurrentUser};
use crate::web::error::{WebError, render};
use crate::web::layout::Layout;
use crate::web::pages::anonymous::MessageLine;
use crate::web::pages::incidents::Choice;
use crate::web::pages::login::client_address;
use askama::Template;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use candour_domain::display;
use candour_domain::speaking_up::{ConcernDraft, Identity, Status, Theme};
use candour_domain::validation::FieldErrors;
use std::net::SocketAddr;

/// A date from epoch ms, as people read it.
fn day(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(display::date)
        .unwrap_or_default()
}

/// A concern as a list shows it.
pub struct ConcernRow {
    /// `SPK-…`.
    pub reference: String,
    /// Theme, as words.
    pub theme: &'static str,
    /// The service, or "The whole organisation".
    pub about: String,
    /// Raised on.
    pub raised: String,
    /// Who raised it, for a guardian ("Anonymous" or a name); empty for the raiser.
    pub raiser: String,
    /// Status, as words.
    pub status: &'static str,
    /// What is next and by when ("Acknowledge by 9 Dec 2026").
    pub next: String,
    /// Whether the next step is late.
    pub late: bool,
}

fn about_of(v: &ConcernView) -> String {
    v.concern
        .service
        .as_ref()
        .map_or_else(|| "The whole organisation".to_owned(), |s| s.2.clone())
}

impl From<&ConcernView> for ConcernRow {
    fn from(v: &ConcernView) -> Self {
        let (next, late) = match v.status {
            Status::Raised => (format!("Acknowledge by {}", day(v.due.0)), v.late.0),
            Status::Acknowledged => (format!("Feedback by {}", day(v.due.1)), v.late.1),
            Status::Closed => (
                format!(
                    "Outcome given {}",
                    v.concern
                        .outcome
                        .as_ref()
                        .map(|o| day(o.1))
                        .unwrap_or_default()
                ),
                false,
            ),
        };
        ConcernRow {
            reference: v.reference.clone(),
            theme: v.concern.theme.label(),
            about: about_of(v),
            raised: day(v.concern.raised_at_ms),
            raiser: if v.as_guardian {
                v.concern
                    .raised_by
                    .as_ref()
                    .map_or_else(|| "Anonymous".to_owned(), |r| r.1.clone())
            } else {
                String::new()
            },
            status: v.status.label(),
            next,
            late,
        }
    }
}

#[derive(Template)]
#[template(path = "speaking_up.html")]
struct SpeakingUpPage {
    layout: Layout,
    themes: Vec<Choice>,
    services: Vec<Choice>,
    identities: Vec<Choice>,
    description: String,
    guardians: String,
    acknowledge_days: u32,
    feedback_days: u32,
    errors: FieldErrors,
    raised: Vec<ConcernRow>,
    to_handle: Vec<ConcernRow>,
    closed: Vec<ConcernRow>,
    guardian: bool,
}

fn choices<I: IntoIterator<Item = (String, String)>>(items: I, chosen: &str) -> Vec<Choice> {
    items
        .into_iter()
        .map(|(value, label)| Choice {
            selected: value == chosen,
            value,
            label,
        })
        .collect()
}

fn speaking_up_page(
    state: &AppState,
    user: &CurrentUser,
    (form, lists): (RaiseForm, Overview),
    draft: &ConcernDraft,
    errors: FieldErrors,
) -> SpeakingUpPage {
    let services = std::iter::once((String::new(), "The whole organisation".to_owned())).chain(
        form.services
            .iter()
            .map(|s| (s.service_id.to_string(), s.name.clone())),
    );
    let identities = [
        (
            Identity::Confidential.code().to_owned(),
            "Give my name to the guardian only".to_owned(),
        ),
        (
            Identity::Anonymous.code().to_owned(),
            "Stay anonymous: give me a case code to follow it".to_owned(),
        ),
    ];
    SpeakingUpPage {
        layout: Layout::new("Speak up", user, state.demo),
        themes: choices(
            Theme::ALL
                .iter()
                .map(|t| (t.code().to_owned(), t.label().to_owned())),
            &draft.theme,
        ),
        services: choices(services, &draft.service_id),
        identities: choices(identities, &draft.identity),
        description: draft.description.clone(),
        guardians: form.guardians.join(", "),
        acknowledge_days: form.settings.acknowledge_days,
        feedback_days: form.settings.feedback_days,
        errors,
        raised: lists.raised.iter().map(ConcernRow::from).collect(),
        to_handle: lists.to_handle.iter().map(ConcernRow::from).collect(),
        closed: lists.closed.iter().map(ConcernRow::from).collect(),
        guardian: lists.guardian,
    }
}

/// GET /speaking-up: the form, the concerns the reader raised and, for a guardian, those to handle.
pub async fn show_speaking_up(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, WebError> {
    let form = raise_form(&state.ctx, &user.actor).await?;
    let lists = overview(&state.ctx, &user.actor).await?;
    let page = speaking_up_page(
        &state,
        &user,
        (form, lists),
        &ConcernDraft::default(),
        FieldErrors::new(),
    );
    Ok(render(&page)?.into_response())
}

#[derive(Template)]
#[template(path = "speaking_up_raised.html")]
struct RaisedPage {
    layout: Layout,
    reference: String,
    code: String,
}

/// POST /speaking-up: raise a concern. A named one opens at once; an
/// anonymous one shows its case code on this page only.
pub async fn raise_concern(
    State(state): State<AppState>,
    user: CurrentUser,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let draft = ConcernDraft {
        theme: form.get("theme"),
        service_id: form.get("service_id"),
        description: form.get("description"),
        identity: form.get("identity"),
    };
    match raise(&state.ctx, &user.actor, &draft).await {
        Ok(Raised {
            reference,
            case_code: None,
        }) => Ok(Redirect::to(&format!("/speaking-up/{reference}")).into_response()),
        Ok(Raised {
            reference,
            case_code: Some(code),
        }) => {
            let page = RaisedPage {
                layout: Layout::new("Concern raised", &user, state.demo),
                reference,
                code,
            };
            Ok(render(&page)?.into_response())
        }
        Err(ActionError::Invalid(errors)) => {
            let form = raise_form(&state.ctx, &user.actor).await?;
            let lists = overview(&state.ctx, &user.actor).await?;
            let page = speaking_up_page(&state, &user, (form, lists), &draft, errors);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// One concern, as its page shows it.
pub struct ConcernLines {
    /// The list line (reference, theme, status and what is next).
    pub row: ConcernRow,
    /// Who raised it, as the reader may know it.
    pub raised_by: String,
    /// What the concern is.
    pub description: String,
    /// The outcome, if given, with who gave it and when.
    pub outcome: Option<MessageLine>,
    /// Acknowledged, as words, or empty.
    pub acknowledged: String,
    /// Messages, oldest first.
    pub messages: Vec<MessageLine>,
}

fn concern_lines(v: &ConcernView) -> ConcernLines {
    let c = &v.concern;
    ConcernLines {
        row: ConcernRow::from(v),
        raised_by: match (&c.raised_by, v.as_guardian) {
            (Some(r), true) => format!("{} (in confidence: only guardians see this)", r.1),
            (None, true) => "Anonymous: they follow it with a case code".to_owned(),
            (Some(_), false) => "You, in confidence".to_owned(),
            (None, false) => "You, anonymously".to_owned(),
        },
        description: c.description.clone(),
        outcome: c.outcome.as_ref().map(|(text, at, who)| MessageLine {
            who: who.clone(),
            when: day(*at),
            body: text.clone(),
        }),
        acknowledged: c
            .acknowledged
            .as_ref()
            .map(|(at, who)| format!("{} by {who}", day(*at)))
            .unwrap_or_default(),
        messages: v
            .messages
            .iter()
            .map(|m| MessageLine {
                who: match (m.from_raiser, v.as_guardian) {
                    (true, true) => "The person who raised it".to_owned(),
                    (true, false) => "You".to_owned(),
                    (false, _) => m
                        .author_name
                        .clone()
                        .unwrap_or_else(|| "The guardian".to_owned()),
                },
                when: day(m.created_at_ms),
                body: m.body.clone(),
            })
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "speaking_up_concern.html")]
struct ConcernPage {
    layout: Layout,
    c: ConcernLines,
    guardian: bool,
    closed: bool,
    acknowledged: bool,
    errors: FieldErrors,
}

async fn concern_page(
    state: &AppState,
    user: &CurrentUser,
    reference: &str,
    errors: FieldErrors,
) -> Result<ConcernPage, WebError> {
    let v = concern_for(&state.ctx, &user.actor, reference).await?;
    Ok(ConcernPage {
        layout: Layout::new(
            format!("Speaking-up concern {}", v.reference),
            user,
            state.demo,
        ),
        c: concern_lines(&v),
        guardian: v.as_guardian,
        closed: v.status == Status::Closed,
        acknowledged: v.status != Status::Raised,
        errors,
    })
}

/// GET /speaking-up/{reference}
pub async fn show_concern(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference): Path<String>,
) -> Result<Response, WebError> {
    let page = concern_page(&state, &user, &reference, FieldErrors::new()).await?;
    Ok(render(&page)?.into_response())
}

/// After a step on a concern: back to its page, or the page again with what was wrong.
async fn after_step(
    state: &AppState,
    user: &CurrentUser,
    reference: &str,
    done: Result<(), ActionError>,
    anchor: &str,
) -> Result<Response, WebError> {
    match done {
        Ok(()) => Ok(Redirect::to(&format!("/speaking-up/{reference}#{anchor}")).into_response()),
        Err(ActionError::Invalid(errors)) => {
            let page = concern_page(state, user, reference, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// POST /speaking-up/{reference}/acknowledgement: a guardian acknowledges it (`message` optional).
pub async fn acknowledge_concern(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference): Path<String>,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let done = acknowledge(&state.ctx, &user.actor, &reference, &form.get("message")).await;
    after_step(&state, &user, &reference, done, "messages").await
}

/// POST /speaking-up/{reference}/messages: the raiser or a guardian writes (`message`).
pub async fn send_message(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference): Path<String>,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let done = write(&state.ctx, &user.actor, &reference, &form.get("message")).await;
    after_step(&state, &user, &reference, done, "messages").await
}

/// POST /speaking-up/{reference}/outcome: a guardian gives the outcome (`outcome`).
pub async fn record_outcome(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference): Path<String>,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let done = give_outcome(&state.ctx, &user.actor, &reference, &form.get("outcome")).await;
    after_step(&state, &user, &reference, done, "outcome").await
}

#[derive(Template)]
#[template(path = "speaking_up_case.html")]
struct CasePage {
    layout: Layout,
    csrf: String,
    code: String,
    case: Option<ConcernLines>,
    errors: FieldErrors,
}

fn case_page(
    state: &AppState,
    csrf: String,
    code: String,
    case: Option<&ConcernView>,
    errors: FieldErrors,
) -> CasePage {
    CasePage {
        layout: Layout::public("Follow a concern you raised anonymously", state.demo),
        csrf,
        code,
        case: case.map(concern_lines),
        errors,
    }
}

/// GET /speaking-up/case: needs no sign-in, so it can be followed from home.
pub async fn show_case_form(
    State(state): State<AppState>,
    csrf: CsrfToken,
) -> Result<Response, WebError> {
    let page = case_page(&state, csrf.0, String::new(), None, FieldErrors::new());
    Ok(render(&page)?.into_response())
}

/// POST /speaking-up/case: open a concern with its code (`code`), and
/// optionally send a message (`message`, with `send=1`).
pub async fn open_case_page(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    csrf: CsrfToken,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let ip = client_address(&headers, addr, state.trust_proxy);
    let code = form.get("code");
    let result = if form.get("send") == "1" {
        message_from_case(&state.ctx, &code, &ip, &form.get("message")).await
    } else {
        open_case(&state.ctx, &code, &ip).await
    };
    match result {
        Ok(v) => Ok(render(&case_page(
            &state,
            csrf.0,
            code,
            Some(&v),
            FieldErrors::new(),
        ))?
        .into_response()),
        Err(ActionError::Invalid(errors)) => {
            let v = open_case(&state.ctx, &code, &ip).await?;
            let page = case_page(&state, csrf.0, code, Some(&v), errors);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => {
            let mut errors = FieldErrors::new();
            let status = match e {
                ActionError::NotFound => {
                    errors.add(
                        "code",
                        "No concern has that case code. Check it and try again.",
                    );
                    StatusCode::NOT_FOUND
                }
                ActionError::Throttled {
                    retry_after_seconds,
                } => {
                    errors.add(
                        "code",
                        format!(
                            "Too many codes were tried. Wait {} minutes and try again.",
                            (retry_after_seconds + 59) / 60
                        ),
                    );
                    StatusCode::TOO_MANY_REQUESTS
                }
                other => return Err(other.into()),
            };
            let page = case_page(&state, csrf.0, String::new(), None, errors);
            Ok((status, render(&page)?).into_response())
        }
    }
}
