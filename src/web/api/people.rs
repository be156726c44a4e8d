//! The people register over the API, for a care-records system keeping
//! Candour in step: list (by cursor), read, add, change details and record
//! a status. A change names the version it was made on in `If-Match`
//! (the `ETag` of the read); a change made on an older version is refused
//! with 412, naming who changed it since.

use super::{ApiJson, Problem};
use crate::actions::ActionError;
use crate::actions::people::add_person;
use crate::actions::person_register::{
    DetailsDraft, edit_person, people_page, person_record, record_status,
};
use crate::store::people::{Person, PersonDetails};
use crate::web::AppState;
use crate::web::auth::ApiUser;
use crate::web::error::{ApiError, WebError};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use candour_domain::ids::{PersonId, ServiceId};
use candour_domain::organisation::PersonStatus;
use candour_domain::person::{PersonDraft, RegisterDraft, StatusDraft};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// How many people a page holds.
const PAGE_SIZE: i64 = 200;

/// A person on the register.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegisterEntryJson {
    /// Their id.
    pub person_id: String,
    /// The service they use.
    pub service_id: String,
    /// Their internal code, used wherever a name is not needed.
    pub internal_code: String,
    /// The name staff know them by.
    pub display_name: String,
    /// What they like to be called, if different.
    pub preferred_name: Option<String>,
    /// `YYYY-MM-DD`.
    pub date_of_birth: Option<String>,
    /// Ten digits.
    pub nhs_number: Option<String>,
    /// Their area's id.
    pub area_id: Option<String>,
    /// Room, flat or address line.
    pub room: Option<String>,
    /// `self_funded`, `local_authority`, `nhs_continuing_healthcare`, `joint` or `other`.
    pub funding: Option<String>,
    /// When they started using the service, `YYYY-MM-DD`.
    pub start_date: String,
    /// `active`, `in_hospital`, `on_leave`, `left` or `deceased`.
    pub status: String,
    /// When their status began, `YYYY-MM-DD`.
    pub status_since: Option<String>,
    /// The record's version: send it back in `If-Match` with a change.
    pub version: i64,
}

impl From<(Person, PersonDetails)> for RegisterEntryJson {
    fn from((p, d): (Person, PersonDetails)) -> Self {
        RegisterEntryJson {
            person_id: p.person_id.to_string(),
            service_id: p.service_id.to_string(),
            internal_code: p.internal_code,
            display_name: p.display_name,
            preferred_name: d.preferred_name,
            date_of_birth: p.date_of_birth,
            nhs_number: p.nhs_number,
            area_id: p.area_id.map(|a| a.to_string()),
            room: p.room,
            funding: d.funding,
            start_date: p.start_date,
            status: p.status.code().to_owned(),
            status_since: d.status_since,
            version: d.version,
        }
    }
}

/// A page of people.
#[derive(Debug, Serialize, ToSchema)]
pub struct PeoplePage {
    /// The people, in the order they were added.
    pub items: Vec<RegisterEntryJson>,
    /// Give it as `cursor` for the next page; absent on the last.
    pub next_cursor: Option<String>,
}

/// Filters of the list.
#[derive(Debug, Deserialize, IntoParams)]
pub struct PeopleParams {
    /// Only this service (default: every service whose register you may read).
    pub service: Option<String>,
    /// Only this status, such as `active`.
    pub status: Option<String>,
    /// From `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

fn bad(what: &str) -> ApiError {
    ApiError(WebError::BadRequest(what.to_owned()))
}

/// A person and their version as the answer, with the version as `ETag`.
fn with_etag(status: StatusCode, found: (Person, PersonDetails)) -> Response {
    let json = RegisterEntryJson::from(found);
    let mut resp = (status, Json(&json)).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("\"{}\"", json.version)) {
        resp.headers_mut().insert(header::ETAG, v);
    }
    resp
}

/// The version named in `If-Match`: `"3"`, `W/"3"` or `3`.
pub(super) fn if_match(headers: &HeaderMap) -> Result<i64, ApiError> {
    let Some(raw) = headers.get(header::IF_MATCH) else {
        return Err(ApiError(WebError::PreconditionRequired));
    };
    raw.to_str()
        .ok()
        .map(|v| v.trim().trim_start_matches("W/").trim_matches('"'))
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| bad("The If-Match header must be the record's ETag, such as \"3\""))
}

/// A conflict with `If-Match` is a failed precondition.
pub(super) fn stale(e: ActionError) -> ApiError {
    match e {
        ActionError::Conflict(why) => ApiError(WebError::PreconditionFailed(why)),
        other => other.into(),
    }
}

fn person_id(s: &str) -> Result<PersonId, ApiError> {
    s.parse().map_err(|_| ApiError(WebError::NotFound))
}

/// List the people on the registers you may read.
#[utoipa::path(get, path = "/api/v1/people", tag = "people",
    security(("bearer" = [])),
    params(PeopleParams),
    responses(
        (status = 200, description = "A page of people", body = PeoplePage),
        (status = 403, description = "You may not read that register", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such service", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_people(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Query(p): Query<PeopleParams>,
) -> Result<Json<PeoplePage>, ApiError> {
    let given = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let service = match given(&p.service) {
        Some(s) => Some(
            s.parse::<ServiceId>()
                .map_err(|_| bad("The service parameter must be a service id"))?,
        ),
        None => None,
    };
    let status = match given(&p.status) {
        Some(s) => Some(PersonStatus::parse(&s).ok_or_else(|| {
            bad("The status parameter must be active, in_hospital, on_leave, left or deceased")
        })?),
        None => None,
    };
    let after = match given(&p.cursor) {
        Some(c) => Some(
            c.parse::<PersonId>()
                .map_err(|_| bad("The cursor parameter must be a next_cursor given before"))?,
        ),
        None => None,
    };
    let rows = people_page(&state.ctx, &actor, (service, status), after, PAGE_SIZE).await?;
    let next_cursor = (rows.len() as i64 == PAGE_SIZE)
        .then(|| rows.last().map(|(p, _)| p.person_id.to_string()))
        .flatten();
    Ok(Json(PeoplePage {
        items: rows.into_iter().map(RegisterEntryJson::from).collect(),
        next_cursor,
    }))
}

/// One person; the `ETag` is their version.
#[utoipa::path(get, path = "/api/v1/people/{person_id}", tag = "people",
    security(("bearer" = [])),
    params(("person_id" = String, Path, description = "The person's id")),
    responses(
        (status = 200, description = "The person", body = RegisterEntryJson, headers(("ETag" = String, description = "The version, quoted"))),
        (status = 403, description = "You may not read their register", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such person in your organisation", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_person(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let found = person_record(&state.ctx, &actor, person_id(&id)?).await?;
    Ok(with_etag(StatusCode::OK, found))
}

/// A person to add.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPersonRequest {
    /// The service they use.
    pub service_id: String,
    /// The name staff know them by.
    pub display_name: String,
    /// `YYYY-MM-DD`.
    pub date_of_birth: Option<String>,
    /// Ten digits, spaces allowed; checked with its modulus-11 check digit.
    pub nhs_number: Option<String>,
    /// An area of the service.
    pub area_id: Option<String>,
    /// Room, flat or address line.
    pub room: Option<String>,
    /// When they started using the service, `YYYY-MM-DD`.
    pub start_date: String,
    /// `active` (the default), `in_hospital`, `on_leave`, `left` or `deceased`.
    pub status: Option<String>,
}

/// Add a person to a service's register (registered managers and administrators).
#[utoipa::path(post, path = "/api/v1/people", tag = "people", request_body = NewPersonRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Added", body = RegisterEntryJson, headers(("ETag" = String, description = "The version, quoted"), ("Location" = String, description = "The person's address"))),
        (status = 403, description = "You may not manage that register", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such service", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is missing or wrong", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_person(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(body): ApiJson<NewPersonRequest>,
) -> Result<Response, ApiError> {
    let service = body.service_id.trim().parse::<ServiceId>().map_err(|_| {
        let mut e = candour_domain::validation::FieldErrors::new();
        e.add("service_id", "Give the id of a service");
        ApiError(WebError::Invalid(e))
    })?;
    let draft = PersonDraft {
        display_name: body.display_name,
        date_of_birth: body.date_of_birth.unwrap_or_default(),
        nhs_number: body.nhs_number.unwrap_or_default(),
        area_id: body.area_id.unwrap_or_default(),
        room: body.room.unwrap_or_default(),
        start_date: body.start_date,
        status: body.status.unwrap_or_default(),
    };
    let added = add_person(&state.ctx, &actor, service, &draft).await?;
    let found = person_record(&state.ctx, &actor, added.person_id).await?;
    let mut resp = with_etag(StatusCode::CREATED, found);
    if let Ok(v) = HeaderValue::from_str(&format!("/api/v1/people/{}", added.person_id)) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    Ok(resp)
}

/// Details to change: each field given replaces the one held (give an
/// empty string to clear an optional one); fields left out stay.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonPatch {
    /// The name staff know them by.
    pub display_name: Option<String>,
    /// What they like to be called.
    pub preferred_name: Option<String>,
    /// `YYYY-MM-DD`.
    pub date_of_birth: Option<String>,
    /// Ten digits.
    pub nhs_number: Option<String>,
    /// An area of their service.
    pub area_id: Option<String>,
    /// Room, flat or address line.
    pub room: Option<String>,
    /// A funding code.
    pub funding: Option<String>,
}

/// Change a person's details, on the version named in `If-Match`.
#[utoipa::path(patch, path = "/api/v1/people/{person_id}", tag = "people", request_body = PersonPatch,
    security(("bearer" = [])),
    params(("person_id" = String, Path, description = "The person's id"),
        ("If-Match" = String, Header, description = "The ETag of the version the change was made on")),
    responses(
        (status = 200, description = "Changed", body = RegisterEntryJson, headers(("ETag" = String, description = "The new version, quoted"))),
        (status = 403, description = "You may not manage their register", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such person in your organisation", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Nothing would change", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since that version, by whom and when", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is wrong", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "No If-Match header", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn patch_person(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<PersonPatch>,
) -> Result<Response, ApiError> {
    let id = person_id(&id)?;
    let version = if_match(&headers)?;
    let (p, d) = person_record(&state.ctx, &actor, id).await?;
    let pick = |given: Option<String>, held: Option<String>| {
        given.unwrap_or_else(|| held.unwrap_or_default())
    };
    let draft = DetailsDraft {
        person: PersonDraft {
            display_name: body.display_name.unwrap_or(p.display_name),
            date_of_birth: pick(body.date_of_birth, p.date_of_birth),
            nhs_number: pick(body.nhs_number, p.nhs_number),
            area_id: pick(body.area_id, p.area_id.map(|a| a.to_string())),
            room: pick(body.room, p.room),
            ..PersonDraft::default()
        },
        register: RegisterDraft {
            preferred_name: pick(body.preferred_name, d.preferred_name),
            funding: pick(body.funding, d.funding),
        },
    };
    edit_person(&state.ctx, &actor, id, &draft, version)
        .await
        .map_err(stale)?;
    let found = person_record(&state.ctx, &actor, id).await?;
    Ok(with_etag(StatusCode::OK, found))
}

/// A new status and the date it began.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonStatusRequest {
    /// `active`, `in_hospital`, `on_leave`, `left` or `deceased`.
    pub status: String,
    /// `YYYY-MM-DD`: not in the future, not before they started.
    pub since: String,
}

/// What recording a status answers.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatusAnswer {
    /// The person as now.
    pub person: RegisterEntryJson,
    /// They died and no report of category death names them: report it.
    pub offer_death_report: bool,
}

/// Record a person's status, on the version named in `If-Match`.
#[utoipa::path(post, path = "/api/v1/people/{person_id}/status", tag = "people", request_body = PersonStatusRequest,
    security(("bearer" = [])),
    params(("person_id" = String, Path, description = "The person's id"),
        ("If-Match" = String, Header, description = "The ETag of the version the change was made on")),
    responses(
        (status = 200, description = "Recorded", body = StatusAnswer),
        (status = 403, description = "You may not manage their register", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such person in your organisation", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since that version, by whom and when", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The status or date is wrong", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "No If-Match header", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_status(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<PersonStatusRequest>,
) -> Result<Json<StatusAnswer>, ApiError> {
    let id = person_id(&id)?;
    let version = if_match(&headers)?;
    let draft = StatusDraft {
        status: body.status,
        since: body.since,
    };
    let done = record_status(&state.ctx, &actor, id, &draft, version)
        .await
        .map_err(stale)?;
    let found = person_record(&state.ctx, &actor, id).await?;
    Ok(Json(StatusAnswer {
        person: found.into(),
        offer_death_report: done.offer_death_report,
    }))
}
