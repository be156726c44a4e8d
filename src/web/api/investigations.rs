//! `/api/v1/investigations`: serious incident investigations — opening one
//! from a triaged incident, its team meetings, timeline, contributory
//! factors, findings and the family's part, and completion.

use super::actions::ActionJson;
use super::{ApiJson, Problem, renaming};
use crate::actions::investigations::{
    InvestigationView, add_event, add_factor, add_meeting, available_factors, complete,
    investigation_list, open_investigation, save_findings, show_investigation,
};
use crate::store::investigations::InvestigationRecord;
use crate::web::AppState;
use crate::web::auth::ApiUser;
use crate::web::error::{ApiError, WebError};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use candour_domain::incident::IncidentReference;
use candour_domain::investigation::{
    EventDraft, FactorDraft, FindingsDraft, MeetingDraft, OpeningDraft, investigation_reference,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An investigation in a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvestigationSummaryJson {
    /// `INV-000004`.
    pub reference: String,
    /// The incident investigated.
    pub incident: String,
    /// Service name.
    pub service_name: String,
    /// `open` or `completed`.
    pub status: String,
    /// The lead investigator's user id.
    pub lead_id: String,
    /// The lead investigator's name.
    pub lead_name: String,
    /// When it was opened (RFC 3339, UTC).
    pub opened_at: String,
    /// When the report is due (RFC 3339, UTC).
    pub due_at: String,
    /// When it was completed.
    pub completed_at: Option<String>,
}

impl From<&InvestigationRecord> for InvestigationSummaryJson {
    fn from(r: &InvestigationRecord) -> Self {
        InvestigationSummaryJson {
            reference: investigation_reference(r.number),
            incident: r.incident_reference.to_string(),
            service_name: r.service_name.clone(),
            status: r.status.code().to_owned(),
            lead_id: r.lead.0.to_string(),
            lead_name: r.lead.1.clone(),
            opened_at: r.opened.1.to_string(),
            due_at: r.due_at.to_string(),
            completed_at: r.completed.as_ref().map(|(_, t)| t.to_string()),
        }
    }
}

/// An investigation with everything recorded in it.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvestigationJson {
    /// Where it stands.
    #[serde(flatten)]
    pub summary: InvestigationSummaryJson,
    /// What it will look at, and what it will not.
    pub terms_of_reference: String,
    /// Multi-disciplinary team meetings, oldest first.
    pub meetings: Vec<MeetingJson>,
    /// The timeline, in the order things happened.
    pub timeline: Vec<EventJson>,
    /// Contributory factors.
    pub factors: Vec<FactorJson>,
    /// What it found.
    pub findings: String,
    /// The questions the person or family want answered.
    pub family_questions: String,
    /// Their account of what happened.
    pub family_account: String,
    /// Actions from it.
    pub actions: Vec<ActionJson>,
    /// What is still missing before it can be completed, in words.
    pub gaps: Vec<String>,
    /// Version; send it back with findings and completion.
    pub version: i64,
}

/// One attendee of a meeting.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttendeeJson {
    /// Their name.
    pub name: String,
    /// Their role or discipline.
    pub role: String,
}

/// A meeting of the team.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeetingJson {
    /// `YYYY-MM-DD`.
    pub held_on: String,
    /// Who took part.
    pub attendees: Vec<AttendeeJson>,
    /// What was discussed.
    pub discussion: String,
    /// What was decided.
    pub decisions: String,
    /// Who recorded it.
    pub recorded_by: String,
    /// When (RFC 3339, UTC).
    pub recorded_at: String,
}

/// A timeline entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventJson {
    /// `YYYY-MM-DD`, UK.
    pub event_date: String,
    /// `HH:MM`, UK, if known.
    pub event_time: Option<String>,
    /// What happened.
    pub what: String,
    /// Where it is known from.
    pub source: String,
    /// Who recorded it.
    pub recorded_by: String,
}

/// A contributory factor.
#[derive(Debug, Serialize, ToSchema)]
pub struct FactorJson {
    /// Its code, such as `ycff.staff_workload`.
    pub factor: String,
    /// What people read.
    pub label: String,
    /// `ycff`, `seips` or `local` (absent if the factor is no longer known).
    pub framework: Option<String>,
    /// How it contributed.
    pub note: String,
    /// The evidence for it.
    pub evidence: String,
    /// Who recorded it.
    pub recorded_by: String,
}

impl From<InvestigationView> for InvestigationJson {
    fn from(v: InvestigationView) -> Self {
        let r = &v.record;
        InvestigationJson {
            summary: InvestigationSummaryJson::from(r),
            terms_of_reference: r.terms_of_reference.clone(),
            meetings: v
                .meetings
                .iter()
                .map(|m| MeetingJson {
                    held_on: m.item.held_on.to_string(),
                    attendees: m
                        .item
                        .attendees
                        .iter()
                        .map(|(name, role)| AttendeeJson {
                            name: name.clone(),
                            role: role.clone(),
                        })
                        .collect(),
                    discussion: m.item.discussion.clone(),
                    decisions: m.item.decisions.clone(),
                    recorded_by: m.by.clone(),
                    recorded_at: m.at.to_string(),
                })
                .collect(),
            timeline: v
                .timeline
                .iter()
                .map(|e| EventJson {
                    event_date: e.item.on.to_string(),
                    event_time: e.item.at.map(|t| t.strftime("%H:%M").to_string()),
                    what: e.item.what.clone(),
                    source: e.item.source.clone(),
                    recorded_by: e.by.clone(),
                })
                .collect(),
            factors: v
                .factors
                .iter()
                .map(|(f, label, framework)| FactorJson {
                    factor: f.item.code.clone(),
                    label: label.clone(),
                    framework: framework.map(|x| x.code().to_owned()),
                    note: f.item.note.clone(),
                    evidence: f.item.evidence.clone(),
                    recorded_by: f.by.clone(),
                })
                .collect(),
            findings: r.findings.findings.clone(),
            family_questions: r.findings.family_questions.clone(),
            family_account: r.findings.family_account.clone(),
            actions: v.actions.iter().map(ActionJson::from).collect(),
            gaps: v.gaps.clone(),
            version: r.version,
        }
    }
}

/// Opening an investigation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpeningRequest {
    /// The lead investigator's user id: someone who works at the service.
    pub lead_id: String,
    /// What the investigation will look at, and what it will not.
    pub terms_of_reference: String,
}

/// Open the serious incident investigation of a triaged incident; the
/// incident moves under investigation.
#[utoipa::path(post, path = "/api/v1/incidents/{reference}/investigation", tag = "investigations", request_body = OpeningRequest,
    security(("bearer" = [])),
    params(("reference" = String, Path, description = "Such as INC-000123")),
    responses(
        (status = 201, description = "Opened", body = InvestigationJson),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such incident that you review", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already open, or the incident is not triaged or is closed (`reasons` says which)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field broke a rule; `errors` names each", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_investigation(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(reference): Path<String>,
    ApiJson(body): ApiJson<OpeningRequest>,
) -> Result<(StatusCode, Json<InvestigationJson>), ApiError> {
    let reference = IncidentReference::parse(&reference).ok_or(ApiError(WebError::NotFound))?;
    let draft = OpeningDraft {
        lead: body.lead_id,
        terms_of_reference: body.terms_of_reference,
    };
    let number = open_investigation(&state.ctx, &actor, reference, &draft)
        .await
        .map_err(|e| renaming(e, "lead", "lead_id"))?;
    let view = show_investigation(&state.ctx, &actor, &investigation_reference(number)).await?;
    Ok((StatusCode::CREATED, Json(view.into())))
}

/// Every investigation in the services whose incidents you see.
#[utoipa::path(get, path = "/api/v1/investigations", tag = "investigations",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Open ones first, then the most recent", body = Vec<InvestigationSummaryJson>),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "You see no service's incidents", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_investigations(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
) -> Result<Json<Vec<InvestigationSummaryJson>>, ApiError> {
    let list = investigation_list(&state.ctx, &actor).await?;
    Ok(Json(
        list.iter().map(InvestigationSummaryJson::from).collect(),
    ))
}

/// One investigation with everything recorded in it.
#[utoipa::path(get, path = "/api/v1/investigations/{reference}", tag = "investigations",
    security(("bearer" = [])),
    params(("reference" = String, Path, description = "Such as INV-000004")),
    responses(
        (status = 200, description = "The investigation", body = InvestigationJson),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such investigation whose incident you see", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_investigation(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(reference): Path<String>,
) -> Result<Json<InvestigationJson>, ApiError> {
    Ok(Json(
        show_investigation(&state.ctx, &actor, &reference)
            .await?
            .into(),
    ))
}

/// A meeting of the team, once held.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeetingRequest {
    /// `YYYY-MM-DD`: not before the incident, not in the future.
    pub held_on: String,
    /// Who took part, each with their role or discipline.
    pub attendees: Vec<AttendeeJson>,
    /// What was discussed.
    pub discussion: String,
    /// What was decided.
    pub decisions: String,
}

/// Record a multi-disciplinary team meeting.
#[utoipa::path(post, path = "/api/v1/investigations/{reference}/meetings", tag = "investigations", request_body = MeetingRequest,
    security(("bearer" = [])),
    params(("reference" = String, Path, description = "Such as INV-000004")),
    responses(
        (status = 201, description = "Recorded; the investigation as it is now", body = InvestigationJson),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "You are not its lead or a reviewer of its service", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such investigation whose incident you see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "It is completed: nothing more can be added", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field broke a rule; `errors` names each", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_meeting(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(reference): Path<String>,
    ApiJson(body): ApiJson<MeetingRequest>,
) -> Result<(StatusCode, Json<InvestigationJson>), ApiError> {
    let draft = MeetingDraft {
        held_on: body.held_on,
        attendees: body
            .attendees
            .into_iter()
            .map(|a| (a.name, a.role))
            .collect(),
        discussion: body.discussion,
        decisions: body.decisions,
    };
    add_meeting(&state.ctx, &actor, &reference, &draft).await?;
    created(&state, &actor, &reference).await
}

async fn created(
    state: &AppState,
    actor: &crate::actions::Actor,
    reference: &str,
) -> Result<(StatusCode, Json<InvestigationJson>), ApiError> {
    let view = show_investigation(&state.ctx, actor, reference).await?;
    Ok((StatusCode::CREATED, Json(view.into())))
}

/// A timeline entry.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventRequest {
    /// `YYYY-MM-DD`, UK; may be before the incident (the background), not in the future.
    pub event_date: String,
    /// `HH:MM`, UK, if known.
    pub event_time: Option<String>,
    /// What happened.
    pub what: String,
    /// Where it is known from (a record, a statement).
    pub source: Option<String>,
}

/// Add an entry to the timeline.
#[utoipa::path(post, path = "/api/v1/investigations/{reference}/timeline", tag = "investigations", request_body = EventRequest,
    security(("bearer" = [])),
    params(("reference" = String, Path, description = "Such as INV-000004")),
    responses(
        (status = 201, description = "Added; the investigation as it is now", body = InvestigationJson),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "You are not its lead or a reviewer of its service", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such investigation whose incident you see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "It is completed: nothing more can be added", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field broke a rule; `errors` names each", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_event(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(reference): Path<String>,
    ApiJson(body): ApiJson<EventRequest>,
) -> Result<(StatusCode, Json<InvestigationJson>), ApiError> {
    let draft = EventDraft {
        date: body.event_date,
        time: body.event_time.unwrap_or_default(),
        what: body.what,
        source: body.source.unwrap_or_default(),
    };
    add_event(&state.ctx, &actor, &reference, &draft).await?;
    created(&state, &actor, &reference).await
}

/// A contributory factor.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FactorRequest {
    /// The factor's code, from `GET /api/v1/contributory-factors`.
    pub factor: String,
    /// How it contributed.
    pub note: String,
    /// The evidence for it (records, statements, observations).
    pub evidence: String,
}

/// Tag a contributory factor, with how it contributed and the evidence.
#[utoipa::path(post, path = "/api/v1/investigations/{reference}/factors", tag = "investigations", request_body = FactorRequest,
    security(("bearer" = [])),
    params(("reference" = String, Path, description = "Such as INV-000004")),
    responses(
        (status = 201, description = "Tagged; the investigation as it is now", body = InvestigationJson),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "You are not its lead or a reviewer of its service", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such investigation whose incident you see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "It is completed: nothing more can be added", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field broke a rule; `errors` names each", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_factor(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(reference): Path<String>,
    ApiJson(body): ApiJson<FactorRequest>,
) -> Result<(StatusCode, Json<InvestigationJson>), ApiError> {
    let draft = FactorDraft {
        factor: body.factor,
        note: body.note,
        evidence: body.evidence,
    };
    add_factor(&state.ctx, &actor, &reference, &draft)
        .await
        .map_err(|e| renaming(e, "factor_note", "note"))?;
    created(&state, &actor, &reference).await
}

/// Findings and the family's part.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FindingsRequest {
    /// The investigation's `version` these were written against; if it has changed, 409.
    pub version: i64,
    /// What the investigation found, in plain words.
    pub findings: String,
    /// The questions the person or family want answered.
    #[serde(default)]
    pub family_questions: String,
    /// Their account of what happened.
    #[serde(default)]
    pub family_account: String,
}

/// Save the findings and the family's part (replacing what was there, if still at `version`).
#[utoipa::path(put, path = "/api/v1/investigations/{reference}/findings", tag = "investigations", request_body = FindingsRequest,
    security(("bearer" = [])),
    params(("reference" = String, Path, description = "Such as INV-000004")),
    responses(
        (status = 200, description = "Saved; the investigation as it is now", body = InvestigationJson),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "You are not its lead or a reviewer of its service", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such investigation whose incident you see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Changed since `version`, or completed", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field broke a rule; `errors` names each", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn put_findings(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(reference): Path<String>,
    ApiJson(body): ApiJson<FindingsRequest>,
) -> Result<Json<InvestigationJson>, ApiError> {
    let draft = FindingsDraft {
        findings: body.findings,
        family_questions: body.family_questions,
        family_account: body.family_account,
    };
    save_findings(&state.ctx, &actor, &reference, &draft, body.version).await?;
    Ok(Json(
        show_investigation(&state.ctx, &actor, &reference)
            .await?
            .into(),
    ))
}

/// Completion.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompletionRequest {
    /// The investigation's `version` it was read at.
    pub version: i64,
}

/// Complete the investigation (a manager who signs off the service's
/// incidents). Refused with `reasons` while anything is missing.
#[utoipa::path(post, path = "/api/v1/investigations/{reference}/completion", tag = "investigations", request_body = CompletionRequest,
    security(("bearer" = [])),
    params(("reference" = String, Path, description = "Such as INV-000004")),
    responses(
        (status = 200, description = "Completed; the investigation as it is now", body = InvestigationJson),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "You do not sign off the service's incidents", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such investigation whose incident you see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Something is missing (`reasons` lists it), changed since `version`, or already completed", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_completion(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(reference): Path<String>,
    ApiJson(body): ApiJson<CompletionRequest>,
) -> Result<Json<InvestigationJson>, ApiError> {
    complete(&state.ctx, &actor, &reference, body.version).await?;
    Ok(Json(
        show_investigation(&state.ctx, &actor, &reference)
            .await?
            .into(),
    ))
}

/// A contributory factor that can be tagged.
#[derive(Debug, Serialize, ToSchema)]
pub struct FactorTypeJson {
    /// Its code.
    pub code: String,
    /// `ycff`, `seips` or `local`.
    pub framework: String,
    /// What people read.
    pub label: String,
}

/// The contributory factors your organisation tags investigations with.
#[utoipa::path(get, path = "/api/v1/contributory-factors", tag = "investigations",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "YCFF first, then SEIPS, then the organisation's own", body = Vec<FactorTypeJson>),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "You neither see incidents nor manage the organisation", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_factors(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
) -> Result<Json<Vec<FactorTypeJson>>, ApiError> {
    use candour_domain::role::Permission;
    if !actor.can_anywhere(Permission::ViewIncidents)
        && !actor.can_anywhere(Permission::ManageOrganisation)
    {
        return Err(crate::actions::ActionError::Forbidden.into());
    }
    let list = available_factors(&state.ctx, actor.organisation_id).await?;
    Ok(Json(
        list.into_iter()
            .map(|f| FactorTypeJson {
                code: f.code,
                framework: f.framework.code().to_owned(),
                label: f.label,
            })
            .collect(),
    ))
}
