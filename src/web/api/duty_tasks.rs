//! `/api/v1/incidents/{reference}/duties/{duty}`: doing a required duty —
//! its checklist, the prepared draft, and the steps recorded as evidence.

use super::{ApiJson, Problem};
use crate::actions::duty_tasks::{DutyTask, duty_task, record_step, save_cqc_answers};
use crate::web::AppState;
use crate::web::auth::ApiUser;
use crate::web::error::{ApiError, WebError};
use axum::Json;
use axum::extract::{Path, State};
use candour_domain::duties::Duty;
use candour_domain::duty_tasks::{CqcAnswers, StepDraft, draft_text};
use candour_domain::incident::{IncidentReference, london};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A checklist item.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChecklistJson {
    /// What is to be done.
    pub label: String,
    /// When it was done (RFC 3339, UTC).
    pub done_at: Option<String>,
    /// Whether the duty is done without it.
    pub optional: bool,
}

/// A step recorded as evidence.
#[derive(Debug, Serialize, ToSchema)]
pub struct StepJson {
    /// The step, tagged by `kind` (`submitted`, `follow_up`, `in_person`, `failed_contact`,
    /// `written`, `results_shared`, `correspondence`, `referred`, `enquiry_update`,
    /// `not_reported`), with `at` (RFC 3339, UTC) and its own fields.
    #[schema(value_type = Object)]
    pub step: serde_json::Value,
    /// Who recorded it.
    pub recorded_by: String,
    /// When it was recorded (RFC 3339, UTC).
    pub recorded_at: String,
}

/// A section of a prepared draft.
#[derive(Debug, Serialize, ToSchema)]
pub struct DraftSectionJson {
    /// Its heading.
    pub heading: String,
    /// `[label, value]` pairs; an empty value is still to be written.
    pub lines: Vec<(String, String)>,
}

/// One duty of an incident, with what has been done about it.
#[derive(Debug, Serialize, ToSchema)]
pub struct DutyTaskJson {
    /// The duty's code.
    pub duty: String,
    /// Candour's decision: `required`, `not_required` or `needs_information`.
    pub verdict: String,
    /// The decision in force (a manager's, else Candour's).
    pub in_force: String,
    /// Why.
    pub reason: String,
    /// The regulation.
    pub basis: String,
    /// When it is due (RFC 3339, UTC).
    pub due_at: Option<String>,
    /// When it was done (RFC 3339, UTC).
    pub done_at: Option<String>,
    /// The checklist.
    pub checklist: Vec<ChecklistJson>,
    /// The steps recorded, oldest first.
    pub steps: Vec<StepJson>,
    /// The prepared content (CQC notification or RIDDOR report); the person by code, never name.
    pub draft: Vec<DraftSectionJson>,
    /// The draft as plain text to copy into the regulator's form.
    pub draft_text: String,
    /// For a CQC notification: the manager's answers to CQC's questions.
    #[schema(value_type = Object)]
    pub answers: serde_json::Value,
    /// The answers' version; send it back with changes (0: none saved yet).
    pub answers_version: i64,
    /// For the duty of candour: the letter generated from the record, to edit and send.
    pub letter: Option<String>,
}

impl From<DutyTask> for DutyTaskJson {
    fn from(t: DutyTask) -> Self {
        DutyTaskJson {
            duty: t.decision.duty.code().to_owned(),
            verdict: t.decision.verdict.code().to_owned(),
            in_force: t.verdict.code().to_owned(),
            reason: t.decision.reason.clone(),
            basis: t.decision.basis.to_owned(),
            due_at: t.decision.due_at.map(|d| d.to_string()),
            done_at: t.progress.done_at.map(|d| d.to_string()),
            checklist: t
                .progress
                .items
                .iter()
                .map(|i| ChecklistJson {
                    label: i.label.to_owned(),
                    done_at: i.done_at.map(|d| d.to_string()),
                    optional: i.optional,
                })
                .collect(),
            steps: t
                .steps
                .iter()
                .map(|s| StepJson {
                    step: serde_json::to_value(&s.step).unwrap_or_default(),
                    recorded_by: s.recorded_by.clone(),
                    recorded_at: s.recorded_at.to_string(),
                })
                .collect(),
            draft_text: draft_text(&t.draft),
            draft: t
                .draft
                .iter()
                .map(|s| DraftSectionJson {
                    heading: s.heading.to_owned(),
                    lines: s
                        .lines
                        .iter()
                        .map(|(l, v)| ((*l).to_owned(), v.clone()))
                        .collect(),
                })
                .collect(),
            answers: serde_json::to_value(&t.answers.answers).unwrap_or_default(),
            answers_version: t.answers.version,
            letter: t.letter,
        }
    }
}

fn parse(reference: &str, duty: &str) -> Result<(IncidentReference, Duty), ApiError> {
    match (IncidentReference::parse(reference), Duty::parse(duty)) {
        (Some(r), Some(d)) => Ok((r, d)),
        _ => Err(ApiError(WebError::NotFound)),
    }
}

/// One duty of an incident: its checklist, draft and evidence.
#[utoipa::path(get, path = "/api/v1/incidents/{reference}/duties/{duty}", tag = "duties",
    security(("bearer" = [])),
    params(
        ("reference" = String, Path, description = "Such as INC-000123"),
        ("duty" = String, Path, description = "Such as duty_of_candour"),
    ),
    responses(
        (status = 200, description = "The duty and what has been done", body = DutyTaskJson),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such incident that you review, or no such duty", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_duty(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path((reference, duty)): Path<(String, String)>,
) -> Result<Json<DutyTaskJson>, ApiError> {
    let (reference, duty) = parse(&reference, &duty)?;
    Ok(Json(
        duty_task(&state.ctx, &actor, reference, duty).await?.into(),
    ))
}

/// A step to record.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepRequest {
    /// `submitted`, `follow_up`, `in_person`, `failed_contact`, `written`, `results_shared`,
    /// `correspondence`, `referred`, `enquiry_update` or `not_reported` (each duty takes its own).
    pub kind: String,
    /// When it happened (RFC 3339).
    pub at: String,
    /// Who did it (default: you).
    pub by: Option<String>,
    /// Who was told or written to (`in_person`, `written`).
    pub whom: Option<String>,
    /// `in_person`, `phone`, `email`, `online` or `letter` (`submitted`, `failed_contact`, `referred`).
    pub method: Option<String>,
    /// The regulator's or local authority's reference.
    pub reference: Option<String>,
    /// The local authority (`referred`).
    pub authority: Option<String>,
    /// A police reference (`referred`, `enquiry_update`).
    pub police_reference: Option<String>,
    /// The facts given, summary, note, letter, outcome or reasons.
    pub text: Option<String>,
    /// The apology as given (`in_person`).
    pub apology: Option<String>,
    /// Further enquiries promised (`in_person`).
    pub enquiries: Option<String>,
    /// Support offered (`in_person`).
    pub support: Option<String>,
    /// Whether a section 42 enquiry opened (`enquiry_update`).
    pub s42_opened: Option<bool>,
    /// Whether you were asked to cause an enquiry (`enquiry_update`).
    pub asked_to_cause: Option<bool>,
}

/// Record a step of a required duty, as evidence (never changed later).
#[utoipa::path(post, path = "/api/v1/incidents/{reference}/duties/{duty}/steps", tag = "duties", request_body = StepRequest,
    security(("bearer" = [])),
    params(
        ("reference" = String, Path, description = "Such as INC-000123"),
        ("duty" = String, Path, description = "Such as duty_of_candour"),
    ),
    responses(
        (status = 200, description = "Recorded; the duty as it now stands", body = DutyTaskJson),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such incident that you review, or no such duty", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The duty is not required in force; `reasons` says why", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field broke a rule; `errors` names each", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_step(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path((reference, duty)): Path<(String, String)>,
    ApiJson(body): ApiJson<StepRequest>,
) -> Result<Json<DutyTaskJson>, ApiError> {
    let (reference, duty) = parse(&reference, &duty)?;
    let (date, time) = match body.at.trim().parse::<jiff::Timestamp>() {
        Ok(t) => {
            let z = t.to_zoned(london());
            (z.date().to_string(), z.time().strftime("%H:%M").to_string())
        }
        Err(_) => {
            let mut e = candour_domain::validation::FieldErrors::new();
            e.add("at", "Give the time as RFC 3339, like 2026-11-23T14:30:00Z");
            return Err(crate::actions::ActionError::Invalid(e).into());
        }
    };
    let yn = |v: Option<bool>| match v {
        Some(true) => "yes".to_owned(),
        Some(false) => "no".to_owned(),
        None => String::new(),
    };
    let draft = StepDraft {
        kind: body.kind,
        date,
        time,
        by: body.by.unwrap_or_default(),
        whom: body.whom.unwrap_or_default(),
        method: body.method.unwrap_or_default(),
        reference: body.reference.unwrap_or_default(),
        authority: body.authority.unwrap_or_default(),
        police_reference: body.police_reference.unwrap_or_default(),
        text: body.text.unwrap_or_default(),
        apology: body.apology.unwrap_or_default(),
        enquiries: body.enquiries.unwrap_or_default(),
        support: body.support.unwrap_or_default(),
        s42_opened: yn(body.s42_opened),
        asked_to_cause: yn(body.asked_to_cause),
    };
    Ok(Json(
        record_step(&state.ctx, &actor, reference, duty, &draft)
            .await
            .map_err(|e| match e {
                crate::actions::ActionError::Invalid(errors) => {
                    crate::actions::ActionError::Invalid(errors.renamed("date", "at"))
                }
                other => other,
            })?
            .into(),
    ))
}

/// The manager's answers to CQC's questions.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DraftRequest {
    /// The `answers_version` these were written on (0 for the first).
    pub version: i64,
    /// `circumstances`, `known_at_risk`, `risk_assessment`, `plan`, `actions_staff`,
    /// `actions_person`, `actions_others`; an absent one is not written yet.
    #[schema(value_type = Object)]
    pub answers: CqcAnswers,
}

/// Save the answers to CQC's questions for a notification's draft.
#[utoipa::path(put, path = "/api/v1/incidents/{reference}/duties/{duty}/draft", tag = "duties", request_body = DraftRequest,
    security(("bearer" = [])),
    params(
        ("reference" = String, Path, description = "Such as INC-000123"),
        ("duty" = String, Path, description = "A CQC notification, such as cqc_abuse_notification"),
    ),
    responses(
        (status = 200, description = "Saved; the duty as it now stands", body = DutyTaskJson),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such incident that you review, or not a CQC notification", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Someone saved the draft since `version`; the detail says who", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An answer broke a rule; `errors` names each", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn put_draft(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path((reference, duty)): Path<(String, String)>,
    ApiJson(body): ApiJson<DraftRequest>,
) -> Result<Json<DutyTaskJson>, ApiError> {
    let (reference, duty) = parse(&reference, &duty)?;
    let answers = CqcAnswers::from_typed(|f| body.answers.get(f).unwrap_or_default().to_owned())
        .map_err(|e| crate::actions::ActionError::Invalid(e.nested_in("/answers")))?;
    Ok(Json(
        save_cqc_answers(&state.ctx, &actor, reference, duty, &answers, body.version)
            .await?
            .into(),
    ))
}

/// Which duties to list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct BoardParams {
    /// One service (default: every service you triage).
    pub service: Option<String>,
    /// One region.
    pub region: Option<String>,
}

/// A duty required and not yet done.
#[derive(Debug, Serialize, ToSchema)]
pub struct OpenDutyJson {
    /// The incident's reference.
    pub reference: String,
    /// The duty's code.
    pub duty: String,
    /// The service's id.
    pub service_id: String,
    /// The service's name.
    pub service_name: String,
    /// The region's id.
    pub region_id: String,
    /// When it is due (RFC 3339, UTC), where a deadline applies.
    pub due_at: Option<String>,
    /// Whether it is past due.
    pub overdue: bool,
    /// The first thing still to do.
    pub next: String,
}

/// Statutory duties required and not yet done in the services you triage: overdue first, then by due time.
#[utoipa::path(get, path = "/api/v1/duties", tag = "duties",
    security(("bearer" = [])),
    params(BoardParams),
    responses(
        (status = 200, description = "Overdue first, then by due time", body = Vec<OpenDutyJson>),
        (status = 400, description = "A parameter is not an id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "You triage no service", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such service or region that you triage", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_open_duties(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    axum::extract::Query(p): axum::extract::Query<BoardParams>,
) -> Result<Json<Vec<OpenDutyJson>>, ApiError> {
    fn id<T: std::str::FromStr>(v: Option<&str>, name: &str) -> Result<Option<T>, ApiError> {
        match v.map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => s.parse::<T>().map(Some).map_err(|_| {
                ApiError(WebError::BadRequest(format!(
                    "The {name} parameter must be a {name} id"
                )))
            }),
            None => Ok(None),
        }
    }
    let service = id(p.service.as_deref(), "service")?;
    let region = id(p.region.as_deref(), "region")?;
    let (open, _) =
        crate::actions::duty_board::open_duties(&state.ctx, &actor, service, region).await?;
    Ok(Json(
        open.into_iter()
            .map(|d| OpenDutyJson {
                reference: d.reference.to_string(),
                duty: d.duty.code().to_owned(),
                service_id: d.service_id.to_string(),
                service_name: d.service_name,
                region_id: d.region_id.to_string(),
                due_at: d.due_at.map(|t| t.to_string()),
                overdue: d.overdue,
                next: d.next.to_owned(),
            })
            .collect(),
    ))
}
