//! The forms on an incident's page that write to it: status moves, why a
//! deadline was missed, openness, feedback and additions. Each calls one
//! action and, when it comes back with a problem, shows the page again
//! with what was typed.

use super::incident_page::page;
use super::incidents::parse_reference;
use crate::actions::ActionError;
use crate::actions::addenda::add_to_report;
use crate::actions::feedback::give_feedback;
use crate::actions::incidents::show_incident;
use crate::web::AppState;
use crate::web::auth::{CsrfForm, CurrentUser};
use crate::web::error::{WebError, render};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use candour_domain::incident::{AddendumKind, IncidentReference};
use candour_domain::validation::FieldErrors;

/// POST /incidents/{reference}/moves: a status move (`move`, `note`,
/// `recommendations`, `feedback`, `version`). A refused move comes back with
/// every reason and everything typed.
pub async fn create_move(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference): Path<String>,
    form: CsrfForm,
) -> Result<Response, WebError> {
    use crate::actions::workflow::{MoveInput, move_incident};
    let reference: IncidentReference = parse_reference(&reference)?;
    let mv = candour_domain::workflow::Move::parse(&form.get("move")).ok_or_else(|| {
        WebError::BadRequest("The form's move is not one Candour knows".to_owned())
    })?;
    let input = MoveInput {
        note: form.get("note"),
        recommendations: form.get("recommendations"),
        feedback: form.get("feedback"),
    };
    let version: i64 = form.get("version").parse().unwrap_or(0);
    let (refused, errors) =
        match move_incident(&state.ctx, &user.actor, reference, mv, &input, version).await {
            Ok(()) => {
                return Ok(Redirect::to(&format!("/incidents/{reference}#next")).into_response());
            }
            Err(ActionError::Refused(reasons)) => (reasons, FieldErrors::new()),
            Err(ActionError::Conflict(message)) => (vec![message], FieldErrors::new()),
            Err(ActionError::Invalid(errors)) => (Vec::new(), errors),
            Err(e) => return Err(e.into()),
        };
    let view = show_incident(&state.ctx, &user.actor, reference).await?;
    let mut p = page(&state, &user, view, false, errors, String::new());
    p.refused = refused;
    p.typed = (input.note, input.recommendations, input.feedback);
    Ok((StatusCode::CONFLICT, render(&p)?).into_response())
}

/// POST /incidents/{reference}/breaches/{id}: why a deadline was missed.
pub async fn explain_breach(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((reference, breach)): Path<(String, String)>,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let reference: IncidentReference = parse_reference(&reference)?;
    let breach: uuid::Uuid = breach.parse().map_err(|_| WebError::NotFound)?;
    let text = form.get("breach_reason");
    match crate::actions::breaches::explain_breach(
        &state.ctx,
        &user.actor,
        reference,
        breach,
        &text,
    )
    .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/incidents/{reference}#timescales")).into_response()),
        Err(ActionError::Invalid(errors)) => {
            let view = show_incident(&state.ctx, &user.actor, reference).await?;
            let p = page(&state, &user, view, false, errors, String::new());
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// POST /incidents/{reference}/openness: the person or family were told (or why not yet).
pub async fn create_openness(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference): Path<String>,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let reference: IncidentReference = parse_reference(&reference)?;
    let draft = candour_domain::openness::OpennessDraft {
        told: form.get("told"),
        who: form.get("who"),
        told_date: form.get("told_date"),
        told_time: form.get("told_time"),
        how: form.get("how"),
        what: form.get("what"),
        apology: form.get("apology"),
        questions: form.get("questions"),
        not_told_reason: form.get("not_told_reason"),
    };
    match crate::actions::openness::record_openness(&state.ctx, &user.actor, reference, &draft)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/incidents/{reference}#openness")).into_response()),
        Err(ActionError::Invalid(errors)) => {
            let view = show_incident(&state.ctx, &user.actor, reference).await?;
            let mut p = page(&state, &user, view, false, errors, String::new());
            p.openness_draft = draft;
            p.with_action_form(&state, Default::default(), FieldErrors::new())
                .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// POST /incidents/{reference}/feedback: feedback to the reporter.
pub async fn create_feedback(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference): Path<String>,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let reference: IncidentReference = parse_reference(&reference)?;
    let text = form.get("feedback");
    match give_feedback(&state.ctx, &user.actor, reference, &text).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/incidents/{reference}#feedback-section")).into_response())
        }
        Err(ActionError::Invalid(errors)) => {
            let view = show_incident(&state.ctx, &user.actor, reference).await?;
            let p = page(&state, &user, view, false, errors, text);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// POST /incidents/{reference}/addenda: add an addendum, ask for a
/// correction, or answer a request (`kind`, `in_reply_to`, `text`).
pub async fn create_addendum(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference): Path<String>,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let reference: IncidentReference = parse_reference(&reference)?;
    let kind = AddendumKind::parse(&form.get("kind")).ok_or_else(|| {
        WebError::BadRequest("The form's kind is not one Candour knows".to_owned())
    })?;
    let reply_to = form.get("in_reply_to").parse::<uuid::Uuid>().ok();
    let text = form.get("text");
    match add_to_report(&state.ctx, &user.actor, reference, kind, reply_to, &text).await {
        Ok(_) => Ok(Redirect::to(&format!("/incidents/{reference}#additions")).into_response()),
        Err(ActionError::Invalid(errors)) => {
            let view = show_incident(&state.ctx, &user.actor, reference).await?;
            let p = page(&state, &user, view, false, errors, text);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
