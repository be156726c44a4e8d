//! `/api/v1/incidents/{reference}/duties` and `/assessment`: which statutory
//! duties apply, why, by when and what is still unknown; and recording the
//! facts they depend on.

use super::{ApiJson, Problem};
use crate::actions::duties::{DutiesView, incident_duties, update_assessment};
use crate::web::AppState;
use crate::web::auth::ApiUser;
use crate::web::error::{ApiError, WebError};
use axum::Json;
use axum::extract::{Path, State};
use candour_domain::duties::RULES_CHECKED;
use candour_domain::incident::IncidentReference;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One duty, decided.
#[derive(Debug, Serialize, ToSchema)]
pub struct DutyJson {
    /// `cqc_death_notification`, `cqc_serious_injury_notification`, `cqc_abuse_notification`,
    /// `cqc_police_notification`, `cqc_dols_notification`, `cqc_service_disruption_notification`,
    /// `riddor_report`, `duty_of_candour`, `safeguarding_referral` or `ico_breach_report`.
    pub duty: String,
    /// `required`, `not_required` or `needs_information`.
    pub verdict: String,
    /// The regulation and paragraph.
    pub basis: String,
    /// Why, in a sentence.
    pub reason: String,
    /// When it is due (RFC 3339, UTC), where a deadline applies.
    pub due_at: Option<String>,
    /// For `needs_information`: the facts still needed, as named in the assessment.
    pub missing_facts: Vec<String>,
    /// For RIDDOR: `death`, `specified_injury`, `over_seven_day_incapacitation`,
    /// `non_worker_to_hospital`, `occupational_disease` or `dangerous_occurrence`.
    pub riddor_kind: Option<String>,
    /// Where the rule comes from.
    pub source: String,
    /// A manager's decision in force, confirming or overriding Candour's.
    pub manager_decision: Option<ManagerDecisionJson>,
    /// The decision in force: the manager's if there is one, else `verdict`.
    pub in_force: String,
    /// When a duty required in force was done (its last required step), RFC 3339 UTC.
    pub done_at: Option<String>,
}

/// A manager's decision on a duty.
#[derive(Debug, Serialize, ToSchema)]
pub struct ManagerDecisionJson {
    /// `required` or `not_required`.
    pub verdict: String,
    /// What Candour said when they decided.
    pub candour_verdict: String,
    /// Whether it differs from what Candour said then.
    pub overrides: bool,
    /// Their reason (required when overriding).
    pub rationale: String,
    /// Who decided.
    pub decided_by: String,
    /// When (RFC 3339, UTC).
    pub decided_at: String,
}

/// An incident's assessment and duties.
#[derive(Debug, Serialize, ToSchema)]
pub struct DutiesJson {
    /// The assessment's version; send it back with changes (0: nothing recorded yet).
    pub version: i64,
    /// The facts recorded so far; an absent or null fact is not known yet.
    #[schema(value_type = Object)]
    pub assessment: serde_json::Value,
    /// Each duty, decided.
    pub duties: Vec<DutyJson>,
    /// When the rules were last checked against their sources (YYYY-MM-DD).
    pub rules_checked: String,
}

impl From<DutiesView> for DutiesJson {
    fn from(v: DutiesView) -> Self {
        let manager = |d: candour_domain::duties::Duty| {
            v.manager(d).map(|m| ManagerDecisionJson {
                verdict: m.verdict.code().to_owned(),
                candour_verdict: m.engine_verdict.code().to_owned(),
                overrides: m.verdict != m.engine_verdict,
                rationale: m.rationale.clone(),
                decided_by: m.by.clone(),
                decided_at: m.at.to_string(),
            })
        };
        DutiesJson {
            version: v.version,
            assessment: serde_json::to_value(&v.assessment).unwrap_or_default(),
            duties: v
                .decisions
                .iter()
                .cloned()
                .map(|d| DutyJson {
                    manager_decision: manager(d.duty),
                    in_force: v.verdict(d.duty).code().to_owned(),
                    done_at: Some(v.verdict(d.duty))
                        .filter(|x| *x == candour_domain::duties::Verdict::Required)
                        .and_then(|_| v.progress(d.duty).done_at)
                        .map(|t| t.to_string()),
                    duty: d.duty.code().to_owned(),
                    verdict: d.verdict.code().to_owned(),
                    basis: d.basis.to_owned(),
                    reason: d.reason,
                    due_at: d.due_at.map(|t| t.to_string()),
                    missing_facts: d.missing_facts.iter().map(|f| (*f).to_owned()).collect(),
                    riddor_kind: d.riddor_kind.map(|k| k.code().to_owned()),
                    source: d.source.to_owned(),
                })
                .collect(),
            rules_checked: RULES_CHECKED.to_owned(),
        }
    }
}

/// Which statutory duties apply to an incident, why, by when, and what is still unknown.
#[utoipa::path(get, path = "/api/v1/incidents/{reference}/duties", tag = "duties",
    security(("bearer" = [])),
    params(("reference" = String, Path, description = "Such as INC-000123")),
    responses(
        (status = 200, description = "Every duty, decided from the facts recorded so far", body = DutiesJson),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such incident that you review", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_duties(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(reference): Path<String>,
) -> Result<Json<DutiesJson>, ApiError> {
    let reference = IncidentReference::parse(&reference).ok_or(ApiError(WebError::NotFound))?;
    Ok(Json(
        incident_duties(&state.ctx, &actor, reference).await?.into(),
    ))
}

/// Facts to record.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssessmentRequest {
    /// The assessment's `version` these were decided on (0 for the first facts).
    pub version: i64,
    /// The facts to set, by name (`person_type`, `died`, `hcp_opinion`, …); `null` clears one;
    /// facts not named stay as they are.
    #[schema(value_type = Object)]
    pub facts: serde_json::Map<String, serde_json::Value>,
}

/// Record some facts about an incident; its duties are decided again.
#[utoipa::path(put, path = "/api/v1/incidents/{reference}/assessment", tag = "duties", request_body = AssessmentRequest,
    security(("bearer" = [])),
    params(("reference" = String, Path, description = "Such as INC-000123")),
    responses(
        (status = 200, description = "Recorded; the duties as they now stand", body = DutiesJson),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such incident that you triage", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Someone changed the assessment since `version`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A fact could not be read; `errors` names each", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn put_assessment(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(reference): Path<String>,
    ApiJson(body): ApiJson<AssessmentRequest>,
) -> Result<Json<DutiesJson>, ApiError> {
    let reference = IncidentReference::parse(&reference).ok_or(ApiError(WebError::NotFound))?;
    Ok(Json(
        update_assessment(&state.ctx, &actor, reference, &body.facts, body.version)
            .await
            .map_err(|e| match e {
                crate::actions::ActionError::Invalid(errors) => {
                    crate::actions::ActionError::Invalid(errors.nested_in("/facts"))
                }
                other => other,
            })?
            .into(),
    ))
}

/// A manager's decision on a duty.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DutyDecisionRequest {
    /// `required` or `not_required`.
    pub verdict: String,
    /// Why (required when it differs from Candour's decision).
    pub rationale: Option<String>,
}

/// Confirm Candour's decision on a duty, or decide otherwise with a reason
/// (a manager who signs off the service's incidents).
#[utoipa::path(post, path = "/api/v1/incidents/{reference}/duties/{duty}/decision", tag = "duties", request_body = DutyDecisionRequest,
    security(("bearer" = [])),
    params(
        ("reference" = String, Path, description = "Such as INC-000123"),
        ("duty" = String, Path, description = "Such as riddor_report"),
    ),
    responses(
        (status = 200, description = "Recorded; the duties as they now stand", body = DutiesJson),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such incident whose duties you decide", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field broke a rule; `errors` names each", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_decision(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path((reference, duty)): Path<(String, String)>,
    ApiJson(body): ApiJson<DutyDecisionRequest>,
) -> Result<Json<DutiesJson>, ApiError> {
    let reference = IncidentReference::parse(&reference).ok_or(ApiError(WebError::NotFound))?;
    if candour_domain::duties::Duty::parse(&duty).is_none() {
        return Err(ApiError(WebError::NotFound));
    }
    let rationale = body.rationale.unwrap_or_default();
    Ok(Json(
        crate::actions::duties::decide_duty(
            &state.ctx,
            &actor,
            reference,
            (&duty, &body.verdict, &rationale),
        )
        .await?
        .into(),
    ))
}
