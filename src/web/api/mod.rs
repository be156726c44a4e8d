//! The JSON API under `/api/v1`: bearer-token auth, problem+json errors, and
//! an OpenAPI 3.1 document built from the same handlers the router serves
//! (utoipa-axum registers each route and its documentation together).

pub mod actions;
pub mod attachments;
pub mod cases;
pub mod duties;
pub mod duty_tasks;
pub mod incident_json;
pub mod incidents;
pub mod investigations;
pub mod openness;
pub mod people;
pub mod problems;
pub mod speaking_up;
pub mod subject_access;
pub mod triage;
pub mod users;

use super::AppState;
use super::error::{ApiError, WebError};
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use serde::Serialize;
use serde::de::DeserializeOwned;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;

/// An RFC 9457 problem document, as every API error is sent.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    /// Short summary.
    pub title: String,
    /// HTTP status.
    pub status: u16,
    /// What went wrong and what to do.
    pub detail: String,
    /// For validation errors: one entry per field.
    pub errors: Option<Vec<ProblemField>>,
}

/// One field's problem.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemField {
    /// The field, as named in the request.
    pub field: String,
    /// A JSON Pointer (RFC 6901) to the field in the request body, such as `/details/head_struck`.
    pub pointer: String,
    /// What is wrong with it.
    pub message: String,
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Candour API", description = "Incidents, near misses and learning for adult social care. Authenticate with a personal API token: `Authorization: Bearer cdr_…`."),
    modifiers(&BearerAuth),
    components(schemas(Problem, ProblemField))
)]
struct ApiDoc;

/// The API routes and their OpenAPI document; uploads may be up to `upload_limit` bytes.
pub fn router(upload_limit: usize) -> (axum::Router<AppState>, utoipa::openapi::OpenApi) {
    let uploads = OpenApiRouter::new()
        .routes(utoipa_axum::routes!(attachments::create_attachment))
        .layer(axum::extract::DefaultBodyLimit::max(upload_limit));
    let (routes, mut doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(uploads)
        .routes(utoipa_axum::routes!(
            incidents::create_incident,
            incidents::list_incidents
        ))
        .routes(utoipa_axum::routes!(incidents::get_incident))
        .routes(utoipa_axum::routes!(incidents::create_addendum))
        .routes(utoipa_axum::routes!(incidents::create_feedback))
        .routes(utoipa_axum::routes!(incidents::name_staff))
        .routes(utoipa_axum::routes!(triage::create_triage))
        .routes(utoipa_axum::routes!(triage::create_move))
        .routes(utoipa_axum::routes!(triage::list_queue))
        .routes(utoipa_axum::routes!(openness::create_openness))
        .routes(utoipa_axum::routes!(duties::get_duties))
        .routes(utoipa_axum::routes!(duties::put_assessment))
        .routes(utoipa_axum::routes!(duties::create_decision))
        .routes(utoipa_axum::routes!(duty_tasks::get_duty))
        .routes(utoipa_axum::routes!(duty_tasks::create_step))
        .routes(utoipa_axum::routes!(duty_tasks::put_draft))
        .routes(utoipa_axum::routes!(duty_tasks::list_open_duties))
        .routes(utoipa_axum::routes!(actions::create_action))
        .routes(utoipa_axum::routes!(actions::get_action))
        .routes(utoipa_axum::routes!(actions::create_progress))
        .routes(utoipa_axum::routes!(actions::create_link))
        .routes(utoipa_axum::routes!(actions::list_service_actions))
        .routes(utoipa_axum::routes!(investigations::create_investigation))
        .routes(utoipa_axum::routes!(investigations::list_investigations))
        .routes(utoipa_axum::routes!(investigations::get_investigation))
        .routes(utoipa_axum::routes!(investigations::create_meeting))
        .routes(utoipa_axum::routes!(investigations::create_event))
        .routes(utoipa_axum::routes!(investigations::create_factor))
        .routes(utoipa_axum::routes!(investigations::put_findings))
        .routes(utoipa_axum::routes!(investigations::create_completion))
        .routes(utoipa_axum::routes!(investigations::list_factors))
        .routes(utoipa_axum::routes!(attachments::get_attachment))
        .routes(utoipa_axum::routes!(cases::create_public_incident))
        .routes(utoipa_axum::routes!(cases::open_case_json))
        .routes(utoipa_axum::routes!(
            speaking_up::create_concern,
            speaking_up::list_concerns
        ))
        .routes(utoipa_axum::routes!(speaking_up::get_concern))
        .routes(utoipa_axum::routes!(speaking_up::create_acknowledgement))
        .routes(utoipa_axum::routes!(speaking_up::create_concern_message))
        .routes(utoipa_axum::routes!(speaking_up::create_outcome))
        .routes(utoipa_axum::routes!(speaking_up::open_concern_case))
        .routes(utoipa_axum::routes!(
            people::list_people,
            people::create_person
        ))
        .routes(utoipa_axum::routes!(
            people::get_person,
            people::patch_person
        ))
        .routes(utoipa_axum::routes!(people::create_status))
        .routes(utoipa_axum::routes!(users::list_users, users::create_user))
        .routes(utoipa_axum::routes!(users::get_user, users::patch_user))
        .routes(utoipa_axum::routes!(users::create_invitation))
        .routes(utoipa_axum::routes!(users::create_invitation_withdrawal))
        .routes(utoipa_axum::routes!(users::create_reset_link))
        .routes(utoipa_axum::routes!(users::create_grants))
        .routes(utoipa_axum::routes!(users::create_grant_removal))
        .routes(utoipa_axum::routes!(users::create_disable))
        .routes(utoipa_axum::routes!(users::create_enable))
        .routes(utoipa_axum::routes!(subject_access::create_person_export))
        .routes(utoipa_axum::routes!(subject_access::create_staff_export))
        .split_for_parts();
    problems::add_standard_problems(&mut doc);
    (
        routes.layer(axum::middleware::from_fn(problems::as_problems)),
        doc,
    )
}

/// An action's error, with the form's name for a field swapped for the
/// API's (`owner` is `owner_id` in JSON), so a 422 names what was sent.
pub(crate) fn renaming(e: crate::actions::ActionError, from: &str, to: &str) -> ApiError {
    match e {
        crate::actions::ActionError::Invalid(errors) => {
            crate::actions::ActionError::Invalid(errors.renamed(from, to)).into()
        }
        other => other.into(),
    }
}

/// A 422 naming one field.
pub(crate) fn invalid(field: &str, message: &str) -> ApiError {
    let mut e = candour_domain::validation::FieldErrors::new();
    e.add(field, message);
    crate::actions::ActionError::Invalid(e).into()
}

/// A JSON body whose problems come back as problem+json naming the field.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequest<AppState> for ApiJson<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(JsonRejection::BytesRejection(b))
                if b.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE =>
            {
                Err(ApiError(WebError::TooLarge))
            }
            Err(e) => Err(ApiError(WebError::BadRequest(format!(
                "The JSON body could not be read: {}",
                e.body_text()
            )))),
        }
    }
}
