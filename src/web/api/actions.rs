//! `/api/v1/actions` and a service's improvement plan: SMART actions from an
//! incident, an investigation or straight into the plan; progress with
//! evidence and the check of whether it worked.

use super::{ApiJson, Problem, invalid, renaming};
use crate::actions::improvement::From as Source;
use crate::actions::improvement::{Progress, add_action, improvement_plan, open_action};
use crate::store::improvement::ImprovementAction;
use crate::web::AppState;
use crate::web::auth::ApiUser;
use crate::web::error::{ApiError, WebError};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use candour_domain::ids::ServiceId;
use candour_domain::improvement::{ActionDraft, action_reference};
use candour_domain::incident::IncidentReference;
use candour_domain::investigation::parse_investigation_reference;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An action as it stands.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActionJson {
    /// `ACT-000012`.
    pub reference: String,
    /// Service id.
    pub service_id: String,
    /// Service name.
    pub service_name: String,
    /// What will be done, in a line.
    pub title: String,
    /// How, and how we will know it is done.
    pub description: String,
    /// The owner's user id.
    pub owner_id: String,
    /// The owner's name.
    pub owner_name: String,
    /// Due date, `YYYY-MM-DD`.
    pub due_on: String,
    /// `open`, `in_progress`, `done` or `cancelled`.
    pub status: String,
    /// Whether it stands in the service's improvement plan.
    pub in_plan: bool,
    /// CQC theme codes: `risk_assessment`, `documentation`, `equipment`, `training`.
    pub themes: Vec<String>,
    /// Evidence of completion, or why it was cancelled.
    pub evidence: Option<String>,
    /// When it was completed (RFC 3339, UTC).
    pub completed_at: Option<String>,
    /// Whether it worked, once checked.
    pub effectiveness: Option<EffectivenessJson>,
    /// The incidents it came from.
    pub incidents: Vec<String>,
    /// Version, from 1; send it back with progress.
    pub version: i64,
}

/// The check of whether an action worked.
#[derive(Debug, Serialize, ToSchema)]
pub struct EffectivenessJson {
    /// `worked`, `partly` or `did_not_work`.
    pub result: String,
    /// How it was checked.
    pub note: String,
    /// When (RFC 3339, UTC).
    pub checked_at: String,
}

impl From<&ImprovementAction> for ActionJson {
    fn from(a: &ImprovementAction) -> Self {
        ActionJson {
            reference: action_reference(a.number),
            service_id: a.service_id.to_string(),
            service_name: a.service_name.clone(),
            title: a.title.clone(),
            description: a.description.clone(),
            owner_id: a.owner.0.to_string(),
            owner_name: a.owner.1.clone(),
            due_on: a.due_on.to_string(),
            status: a.status.code().to_owned(),
            in_plan: a.in_plan,
            themes: a.themes.iter().map(|t| t.code().to_owned()).collect(),
            evidence: a.evidence.clone(),
            completed_at: a.completed_at.map(|t| t.to_string()),
            effectiveness: a
                .effectiveness
                .as_ref()
                .map(|(r, note, at)| EffectivenessJson {
                    result: r.code().to_owned(),
                    note: note.clone(),
                    checked_at: at.to_string(),
                }),
            incidents: a
                .incidents
                .iter()
                .map(|(_, n)| IncidentReference(*n).to_string())
                .collect(),
            version: a.version,
        }
    }
}

/// A new action. Give exactly one of `incident`, `investigation` and `service_id`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewActionRequest {
    /// From an incident's review: its reference, such as `INC-000123`.
    pub incident: Option<String>,
    /// From a serious incident investigation: its reference, such as `INV-000004`.
    pub investigation: Option<String>,
    /// Straight into this service's improvement plan.
    pub service_id: Option<String>,
    /// What will be done, in a line.
    pub title: String,
    /// How: specific, measurable, with how we will know it is done.
    pub description: String,
    /// The owner's user id: someone who works at the service.
    pub owner_id: String,
    /// Due date, `YYYY-MM-DD`: not before the incident, not in the past.
    pub due_on: String,
    /// CQC theme codes.
    #[serde(default)]
    pub themes: Vec<String>,
    /// Whether it stands in the service's improvement plan.
    #[serde(default)]
    pub in_plan: bool,
}

/// Add an action. Its owner is told in the app and by email.
#[utoipa::path(post, path = "/api/v1/actions", tag = "actions", request_body = NewActionRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Added", body = ActionJson),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "You do not review that service's incidents", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such incident or investigation that you review", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field broke a rule; `errors` names each", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_action(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(body): ApiJson<NewActionRequest>,
) -> Result<(StatusCode, Json<ActionJson>), ApiError> {
    let given = [
        body.incident.is_some(),
        body.investigation.is_some(),
        body.service_id.is_some(),
    ];
    let from = match (&body.incident, &body.investigation, &body.service_id) {
        _ if given.iter().filter(|g| **g).count() != 1 => {
            return Err(invalid(
                "incident",
                "Give exactly one of incident, investigation and service_id: where the action comes from",
            ));
        }
        (Some(r), _, _) => {
            Source::Incident(IncidentReference::parse(r).ok_or_else(|| {
                invalid("incident", "Give an incident reference such as INC-000123")
            })?)
        }
        (_, Some(r), _) => {
            Source::Investigation(parse_investigation_reference(r).ok_or_else(|| {
                invalid(
                    "investigation",
                    "Give an investigation reference such as INV-000004",
                )
            })?)
        }
        (_, _, Some(s)) => Source::Plan(
            s.parse::<ServiceId>()
                .map_err(|_| invalid("service_id", "Give a service id"))?,
        ),
        _ => unreachable!("exactly one is given"),
    };
    let draft = ActionDraft {
        title: body.title,
        description: body.description,
        owner: body.owner_id,
        due_on: body.due_on,
        themes: body.themes,
        in_plan: body.in_plan,
    };
    let action = add_action(&state.ctx, &actor, from, &draft)
        .await
        .map_err(|e| renaming(e, "owner", "owner_id"))?;
    Ok((StatusCode::CREATED, Json(ActionJson::from(&action))))
}

/// One action, for its service's reviewers and its owner.
#[utoipa::path(get, path = "/api/v1/actions/{reference}", tag = "actions",
    security(("bearer" = [])),
    params(("reference" = String, Path, description = "Such as ACT-000012")),
    responses(
        (status = 200, description = "The action", body = ActionJson),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such action that you review or own", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_action(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(reference): Path<String>,
) -> Result<Json<ActionJson>, ApiError> {
    let (action, _) = open_action(&state.ctx, &actor, &reference).await?;
    Ok(Json(ActionJson::from(&action)))
}

/// Progress on an action.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgressRequest {
    /// The action's `version` this was decided on; if it has changed, 409.
    pub version: i64,
    /// `open`, `in_progress`, `done` or `cancelled`.
    pub status: String,
    /// What shows it is done (required to mark it done), or why it is cancelled.
    pub evidence: Option<String>,
    /// Carry it into the service's improvement plan.
    #[serde(default)]
    pub in_plan: bool,
    /// Once done: `worked`, `partly` or `did_not_work`.
    pub effectiveness: Option<String>,
    /// How it was checked.
    pub effectiveness_note: Option<String>,
}

/// Record progress, completion with evidence, or whether it worked.
#[utoipa::path(post, path = "/api/v1/actions/{reference}/progress", tag = "actions", request_body = ProgressRequest,
    security(("bearer" = [])),
    params(("reference" = String, Path, description = "Such as ACT-000012")),
    responses(
        (status = 200, description = "Recorded; the action as it is now", body = ActionJson),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such action that you review or own", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Someone changed it since `version`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field broke a rule; `errors` names each", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_progress(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(reference): Path<String>,
    ApiJson(body): ApiJson<ProgressRequest>,
) -> Result<Json<ActionJson>, ApiError> {
    let progress = Progress {
        status: body.status,
        evidence: body.evidence.unwrap_or_default(),
        in_plan: body.in_plan,
        effectiveness: body.effectiveness.unwrap_or_default(),
        effectiveness_note: body.effectiveness_note.unwrap_or_default(),
    };
    let action = crate::actions::improvement::progress_action(
        &state.ctx,
        &actor,
        &reference,
        &progress,
        body.version,
    )
    .await?;
    Ok(Json(ActionJson::from(&action)))
}

/// Another report an action answers.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkRequest {
    /// The report's reference, such as `INC-000123`: one of the action's service.
    pub incident: String,
}

/// Link one more report of the action's service to it; that report cannot
/// close while the action is open.
#[utoipa::path(post, path = "/api/v1/actions/{reference}/incidents", tag = "actions", request_body = LinkRequest,
    security(("bearer" = [])),
    params(("reference" = String, Path, description = "Such as ACT-000012")),
    responses(
        (status = 200, description = "Linked; the action as it is now", body = ActionJson),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "You own the action but do not review the service", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such action that you review or own", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No such report you review, another service's, or already linked", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_link(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(reference): Path<String>,
    ApiJson(body): ApiJson<LinkRequest>,
) -> Result<Json<ActionJson>, ApiError> {
    let action =
        crate::actions::improvement::link_incident(&state.ctx, &actor, &reference, &body.incident)
            .await?;
    Ok(Json(ActionJson::from(&action)))
}

/// A service's improvement plan: its actions, open ones first.
#[utoipa::path(get, path = "/api/v1/services/{service_id}/actions", tag = "actions",
    security(("bearer" = [])),
    params(("service_id" = String, Path, description = "The service's id")),
    responses(
        (status = 200, description = "Every action of the service, open ones first", body = Vec<ActionJson>),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such service that you review", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_service_actions(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(service_id): Path<String>,
) -> Result<Json<Vec<ActionJson>>, ApiError> {
    let id = service_id
        .parse::<ServiceId>()
        .map_err(|_| ApiError(WebError::NotFound))?;
    let (_, actions) = improvement_plan(&state.ctx, &actor, id).await?;
    Ok(Json(actions.iter().map(ActionJson::from).collect()))
}
