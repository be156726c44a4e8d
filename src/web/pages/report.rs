//! The report form. Without JavaScript it is two short steps: what it is
//! (kind and category), then one page with only that category's questions.
//! A service is chosen first when the reporter works in several.

use crate::actions::drafts::open_draft;
use crate::actions::incidents::{report_incident_once, staff_of_service};
use crate::actions::{ActionError, services_where};
use crate::web::AppState;
use crate::web::auth::{CsrfForm, CurrentUser};
use crate::web::bodymap;
use crate::web::error::{WebError, render};
use crate::web::layout::Layout;
use crate::web::pages::incidents::Choice;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use candour_domain::details::{Input, body, questions};
use candour_domain::display;
use candour_domain::incident::{Category, EventKind, InvolvementRole, ReportDraft, Told, london};
use candour_domain::role::Permission;
use candour_domain::validation::FieldErrors;
use serde::Deserialize;

/// One category question, ready to render.
pub struct QuestionView {
    /// Field name and element id.
    pub name: &'static str,
    /// The question.
    pub label: &'static str,
    /// Help text.
    pub hint: &'static str,
    /// `radios`, `select`, `checkboxes`, `text`, `textarea`, `date`, `time` or `number`.
    pub input: &'static str,
    /// Choices, with what the reporter chose (for a body map: the front).
    pub options: Vec<Choice>,
    /// For a body map: the regions on the back.
    pub back: Vec<Choice>,
    /// For a body map: the clickable figure (SVG, shown by the page's script).
    pub figures: String,
    /// The typed value (text inputs).
    pub value: String,
    /// This question's error, if any.
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "incident_new.html")]
struct ReportPage {
    layout: Layout,
    /// Which step: `service`, `what` or `form`.
    step: &'static str,
    service_choices: Vec<Choice>,
    service_id: String,
    service_name: String,
    kinds: Vec<Choice>,
    categories: Vec<Choice>,
    kind_label: &'static str,
    category_label: &'static str,
    areas: Vec<Choice>,
    people: Vec<Choice>,
    /// Who may be named as involved: people on the register, then staff.
    parties: Parties,
    /// The "who else was involved" lines, with spare blank ones.
    involved: Vec<(String, String)>,
    /// The parts someone may have played.
    roles: Vec<Choice>,
    questions: Vec<QuestionView>,
    told: Vec<Choice>,
    /// The signed-in user's id, so a report queued offline is sent only as theirs.
    queued_by: String,
    /// Colleagues a reviewer may enter the report for (empty for others).
    staff: Vec<Choice>,
    draft: ReportDraft,
    errors: FieldErrors,
    /// One key per filled-in form: a double-tapped "Send" files one report.
    idempotency_key: String,
    /// The saved draft's version (0 when the form is not from a draft).
    draft_version: i64,
    /// Says that the form was saved as a draft, and when.
    notice: Option<String>,
}

/// The choices for "who else was involved", as (value, label).
#[derive(Default)]
pub struct Parties {
    /// People using the service: `person:<id>`, name and room.
    pub people: Vec<(String, String)>,
    /// Staff who work at the service: `staff:<id>`, name.
    pub staff: Vec<(String, String)>,
}

/// Blank lines offered after those filled in, so no script is needed to add one.
const SPARE_INVOLVED_LINES: usize = 2;

/// Query of the report form.
#[derive(Debug, Deserialize)]
pub struct NewQuery {
    service: Option<String>,
    kind: Option<String>,
    category: Option<String>,
    /// Carry on with a saved draft.
    draft: Option<String>,
    /// Just saved (`1`), or saved as a new draft because the old one had changed (`copy`).
    saved: Option<String>,
    /// A person to tick as affected (reporting a death from their register entry).
    person: Option<String>,
}

fn choices(all: impl Iterator<Item = (String, String)>, current: &[String]) -> Vec<Choice> {
    all.map(|(value, label)| Choice {
        selected: current.contains(&value),
        value,
        label,
    })
    .collect()
}

pub(crate) fn question_views(
    category: Category,
    draft: &ReportDraft,
    errors: &FieldErrors,
) -> Vec<QuestionView> {
    questions(category)
        .into_iter()
        .map(|q| {
            let given = draft.details.get(q.name).cloned().unwrap_or_default();
            QuestionView {
                name: q.name,
                label: q.label,
                hint: q.hint,
                input: match q.input {
                    Input::Radios => "radios",
                    Input::Select => "select",
                    Input::Checkboxes => "checkboxes",
                    Input::Text => "text",
                    Input::Textarea => "textarea",
                    Input::Date => "date",
                    Input::Time => "time",
                    Input::Number => "number",
                    Input::BodyMap => "bodymap",
                },
                options: choices(
                    q.options
                        .iter()
                        .filter(|(c, _)| q.input != Input::BodyMap || !body::is_back(c))
                        .map(|(c, l)| ((*c).to_owned(), (*l).to_owned())),
                    &given,
                ),
                back: choices(
                    q.options
                        .iter()
                        .filter(|(c, _)| q.input == Input::BodyMap && body::is_back(c))
                        .map(|(c, l)| ((*c).to_owned(), (*l).to_owned())),
                    &given,
                ),
                figures: if q.input == Input::BodyMap {
                    bodymap::figures(&given, bodymap::Use::Form)
                } else {
                    String::new()
                },
                value: given.first().cloned().unwrap_or_default(),
                error: errors.for_field(q.name).map(str::to_owned),
            }
        })
        .collect()
}

async fn report_page(
    state: &AppState,
    user: &CurrentUser,
    draft: ReportDraft,
    errors: FieldErrors,
    idempotency_key: String,
    from_post: bool,
) -> Result<ReportPage, WebError> {
    let ctx = &state.ctx;
    let services = services_where(ctx, &user.actor, Permission::ReportIncident).await?;
    if services.is_empty() {
        return Err(WebError::Forbidden);
    }
    let chosen = match services.as_slice() {
        [only] => Some(only.clone()),
        _ => services
            .iter()
            .find(|s| s.service_id.to_string() == draft.service_id.trim())
            .cloned(),
    };
    let kind = EventKind::parse(draft.kind.trim());
    let category = Category::parse(draft.category.trim());
    // A form sent back with problems always shows everything typed.
    let step = match (&chosen, kind, category) {
        (None, _, _) => "service",
        (Some(_), Some(_), Some(_)) => "form",
        _ if from_post => "form",
        _ => "what",
    };
    let (mut areas, mut people, mut question_list, mut staff) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut parties = Parties::default();
    if let (Some(s), "form") = (&chosen, step) {
        let org = user.actor.organisation_id;
        areas = choices(
            ctx.store
                .areas(org, s.service_id)
                .await?
                .into_iter()
                .map(|a| (a.area_id.to_string(), a.name)),
            std::slice::from_ref(&draft.area_id),
        );
        let mut register = ctx.store.current_people(org, s.service_id).await?;
        // Someone already chosen (a death reported from their register
        // entry, a draft from before they moved out) stays on the list.
        let missing: Vec<candour_domain::ids::PersonId> = draft
            .affected_person_ids
            .iter()
            .filter_map(|p| p.parse().ok())
            .filter(|p| !register.iter().any(|r| r.person_id == *p))
            .collect();
        if !missing.is_empty() {
            register.extend(
                ctx.store
                    .people_in_service(org, s.service_id, &missing)
                    .await?,
            );
        }
        let labelled: Vec<(String, String)> = register
            .into_iter()
            .map(|p| {
                let room = p.room.map(|r| format!(", {r}")).unwrap_or_default();
                // In hospital or on leave: still offered, with where they are.
                let away = match p.status {
                    candour_domain::organisation::PersonStatus::Active => String::new(),
                    other => format!(" ({})", other.label().to_lowercase()),
                };
                (
                    p.person_id.to_string(),
                    format!("{}{room}{away}", p.display_name),
                )
            })
            .collect();
        parties.people = labelled
            .iter()
            .map(|(id, label)| (format!("person:{id}"), label.clone()))
            .collect();
        people = choices(labelled.into_iter(), &draft.affected_person_ids);
        let colleagues = staff_of_service(ctx, s).await?;
        parties.staff = colleagues
            .iter()
            .map(|(id, name)| (format!("staff:{id}"), name.clone()))
            .collect();
        if let Some(c) = category {
            question_list = question_views(c, &draft, &errors);
        }
        if user.actor.can_in(Permission::ViewIncidents, s) {
            staff = choices(
                colleagues
                    .into_iter()
                    .filter(|(id, _)| *id != user.actor.user_id)
                    .map(|(id, name)| (id.to_string(), name)),
                std::slice::from_ref(&draft.on_behalf_of),
            );
        }
    }
    let mut involved: Vec<(String, String)> = draft
        .involved
        .iter()
        .filter(|(w, r)| !w.trim().is_empty() || !r.trim().is_empty())
        .cloned()
        .collect();
    involved.extend(std::iter::repeat_n(
        (String::new(), String::new()),
        SPARE_INVOLVED_LINES + usize::from(involved.is_empty()),
    ));
    Ok(ReportPage {
        layout: Layout::new("Report an incident", user, state.demo),
        step,
        service_choices: choices(
            services
                .iter()
                .map(|s| (s.service_id.to_string(), s.name.clone())),
            &[],
        ),
        service_id: chosen
            .as_ref()
            .map(|s| s.service_id.to_string())
            .unwrap_or_default(),
        service_name: chosen.map(|s| s.name).unwrap_or_default(),
        kinds: choices(
            EventKind::ALL
                .iter()
                .map(|k| (k.code().to_owned(), k.label().to_owned())),
            std::slice::from_ref(&draft.kind),
        ),
        categories: choices(
            Category::ALL
                .iter()
                .map(|c| (c.code().to_owned(), c.label().to_owned())),
            std::slice::from_ref(&draft.category),
        ),
        kind_label: kind.map_or("", |k| k.label()),
        category_label: category.map_or("", |c| c.label()),
        areas,
        people,
        parties,
        involved,
        roles: choices(
            InvolvementRole::ALL
                .iter()
                .map(|r| (r.code().to_owned(), r.label().to_owned())),
            &[],
        ),
        questions: question_list,
        told: told_choices(&draft.told),
        queued_by: user.actor.user_id.to_string(),
        staff,
        draft,
        errors,
        idempotency_key,
        draft_version: 0,
        notice: None,
    })
}

/// The "who has been told" checkboxes, with what was ticked.
pub(crate) fn told_choices(ticked: &[String]) -> Vec<Choice> {
    choices(
        Told::ALL
            .iter()
            .map(|t| (t.code().to_owned(), t.label().to_owned())),
        ticked,
    )
}

/// GET /incidents/new
pub async fn new_incident_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<NewQuery>,
) -> Result<Response, WebError> {
    if let Some(id) = q.draft.as_deref() {
        let id: uuid::Uuid = id.parse().map_err(|_| WebError::NotFound)?;
        let (saved, pairs) = open_draft(&state.ctx, &user.actor, id).await?;
        let form = CsrfForm::restored(pairs);
        let mut draft = draft_from_form(&form);
        draft.draft_id = id.to_string();
        let key = Some(form.get("idempotency_key"))
            .filter(|k| !k.is_empty())
            .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
        let mut page = report_page(&state, &user, draft, FieldErrors::new(), key, true).await?;
        page.draft_version = saved.version;
        let at = jiff::Timestamp::from_millisecond(saved.updated_at_ms)
            .map(|t| t.to_zoned(london()).strftime("%H:%M").to_string())
            .unwrap_or_default();
        page.notice = match q.saved.as_deref() {
            Some("copy") => Some(format!(
                "The draft had been changed in another window, so what you typed was saved as a new draft at {at}."
            )),
            Some(_) => Some(format!(
                "Saved as a draft at {at}. You can leave this page: your draft is kept under My reports."
            )),
            None => Some(format!(
                "Carrying on with your draft, last saved {}.",
                display::date_time_ms(saved.updated_at_ms)
            )),
        };
        return Ok(render(&page)?.into_response());
    }
    let now = state.ctx.clock.now().to_zoned(london());
    let draft = ReportDraft {
        service_id: q.service.unwrap_or_default(),
        kind: q.kind.unwrap_or_default(),
        category: q.category.unwrap_or_default(),
        affected_person_ids: q.person.into_iter().collect(),
        occurred_date: now.date().to_string(),
        occurred_time: now.time().strftime("%H:%M").to_string(),
        ..ReportDraft::default()
    };
    let key = uuid::Uuid::now_v7().to_string();
    let page = report_page(&state, &user, draft, FieldErrors::new(), key, false).await?;
    Ok(render(&page)?.into_response())
}

/// Reads the report form's fields (as sent, or restored from a draft).
fn draft_from_form(form: &CsrfForm) -> ReportDraft {
    ReportDraft {
        kind: form.get("kind"),
        category: form.get("category"),
        service_id: form.get("service_id"),
        area_id: form.get("area_id"),
        occurred_at: String::new(),
        occurred_date: form.get("occurred_date"),
        occurred_time: form.get("occurred_time"),
        description: form.get("description"),
        immediate_actions: form.get("immediate_actions"),
        affected_person_ids: form.all("affected_person_ids"),
        involved: form
            .all("involved_who")
            .into_iter()
            .zip(form.all("involved_role"))
            .collect(),
        told: form.all("told"),
        written_at: form.get("written_at"),
        on_behalf_of: form.get("on_behalf_of"),
        others_involved: form.get("others_involved"),
        details: Category::parse(&form.get("category"))
            .map(questions)
            .unwrap_or_default()
            .iter()
            .map(|q| (q.name.to_owned(), form.all(q.name)))
            .collect(),
        draft_id: form.get("draft_id"),
    }
}

/// POST /incidents
///
/// A report sent from the phone's offline queue (header `X-Candour-Queue: 1`)
/// is answered in JSON: 201 with the reference, or 422 with the field errors.
pub async fn create_incident(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: axum::http::HeaderMap,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let queued = headers.contains_key("x-candour-queue");
    // On a shared phone, a report queued by one person must never be filed
    // as another's: it waits until its writer is signed in again.
    let writer = form.get("queued_by");
    if queued && !writer.is_empty() && writer != user.actor.user_id.to_string() {
        return Ok((
            StatusCode::CONFLICT,
            axum::Json(serde_json::json!({"problem": "written by someone else on this phone: it waits until they sign in"})),
        )
            .into_response());
    }
    let draft = draft_from_form(&form);
    let key = Some(form.get("idempotency_key")).filter(|k| !k.is_empty());
    let mut result = report_incident_once(&state.ctx, &user.actor, &draft, key.as_deref()).await;
    if let Err(ActionError::Conflict(_)) = result {
        // The same form sent again with other content (Back, edit, Send) is a
        // new report, not a retry: file it under a fresh key.
        let fresh = uuid::Uuid::now_v7().to_string();
        result = report_incident_once(&state.ctx, &user.actor, &draft, Some(&fresh)).await;
    }
    match result {
        Ok(r) if queued => Ok((
            StatusCode::CREATED,
            axum::Json(serde_json::json!({"reference": r.reference.to_string(), "url": format!("/incidents/{}", r.reference)})),
        )
            .into_response()),
        Ok(r) => {
            Ok(Redirect::to(&format!("/incidents/{}?reported=1", r.reference)).into_response())
        }
        Err(ActionError::Invalid(errors)) if queued => {
            Ok((StatusCode::UNPROCESSABLE_ENTITY, axum::Json(serde_json::json!({"errors": errors.0}))).into_response())
        }
        Err(ActionError::Invalid(errors)) => {
            let key = key.unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
            let mut page = report_page(&state, &user, draft, errors, key, true).await?;
            page.draft_version = form.get("draft_version").parse().unwrap_or(0);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
