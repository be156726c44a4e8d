//! The CQC evidence pack: a form for the service, the period and whether
//! people are named, and the ZIP it makes.

use crate::actions::ActionError;
use crate::actions::evidence::{evidence_pack, pack_services};
use crate::web::AppState;
use crate::web::auth::{CsrfForm, CurrentUser};
use crate::web::error::{WebError, render};
use crate::web::layout::Layout;
use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use candour_domain::evidence::PackDraft;
use candour_domain::ids::ServiceId;
use candour_domain::incident::london;
use candour_domain::validation::FieldErrors;

#[derive(Template)]
#[template(path = "evidence.html")]
struct EvidencePage {
    layout: Layout,
    services: Vec<(String, String)>,
    service: String,
    draft: PackDraft,
    errors: FieldErrors,
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    (service, draft): (String, PackDraft),
    errors: FieldErrors,
) -> Result<EvidencePage, WebError> {
    let services = pack_services(&state.ctx, &user.actor)
        .await?
        .into_iter()
        .map(|s| (s.service_id.to_string(), s.name))
        .collect();
    Ok(EvidencePage {
        layout: Layout::new("CQC evidence pack", user, state.demo),
        services,
        service,
        draft,
        errors,
    })
}

/// GET /evidence: the last twelve months by default, by code.
pub async fn evidence_form(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, WebError> {
    let today = state.ctx.clock.now().to_zoned(london()).date();
    let from = today
        .checked_sub(jiff::Span::new().years(1))
        .and_then(|d| d.tomorrow())
        .unwrap_or(today);
    let draft = PackDraft {
        from: from.to_string(),
        to: today.to_string(),
        identify: "codes".into(),
        reason: String::new(),
    };
    let p = page(&state, &user, (String::new(), draft), FieldErrors::new()).await?;
    Ok(render(&p)?.into_response())
}

/// POST /evidence: the pack as a ZIP, or the form again with what is wrong.
pub async fn make_evidence_pack(
    State(state): State<AppState>,
    user: CurrentUser,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let service = form.get("service");
    let draft = PackDraft {
        from: form.get("from"),
        to: form.get("to"),
        identify: form.get("identify"),
        reason: form.get("reason"),
    };
    let invalid = |errors: FieldErrors| async {
        let p = page(&state, &user, (service.clone(), draft.clone()), errors).await?;
        Ok::<Response, WebError>((StatusCode::UNPROCESSABLE_ENTITY, render(&p)?).into_response())
    };
    let Ok(id) = service.trim().parse::<uuid::Uuid>() else {
        let mut e = FieldErrors::new();
        e.add("service", "Choose the service the pack is for");
        return invalid(e).await;
    };
    match evidence_pack(&state.ctx, &user.actor, ServiceId(id), &draft).await {
        Ok((pack, zip)) => Ok((
            [
                (header::CONTENT_TYPE, "application/zip".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{}\"", pack.file_name()),
                ),
                (header::CACHE_CONTROL, "no-store".to_owned()),
            ],
            zip,
        )
            .into_response()),
        Err(ActionError::Invalid(errors)) => invalid(errors).await,
        Err(e) => Err(e.into()),
    }
}
