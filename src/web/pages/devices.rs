//! Shared devices: a manager trusts the device they are using for quick PIN
//! sign-in at a service, and revokes devices; each person sets or removes
//! their own PIN.

use crate::actions::ActionError;
use crate::actions::devices::{list_devices, remove_own_pin, revoke, set_own_pin, trust_device};
use crate::web::auth::{CsrfForm, CurrentUser};
use crate::web::error::{WebError, render};
use crate::web::layout::Layout;
use crate::web::{AppState, cookies};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use candour_domain::display;
use candour_domain::ids::ServiceId;
use candour_domain::validation::FieldErrors;

/// How long a device stays trusted in its browser (it can be revoked sooner).
const DEVICE_COOKIE_SECONDS: i64 = 400 * 24 * 60 * 60;

/// A device, ready to show.
pub struct DeviceLine {
    /// Its id.
    pub id: String,
    /// Its name.
    pub label: String,
    /// Who trusted it, and when.
    pub trusted: String,
    /// Last quick sign-in, or empty.
    pub last_used: String,
    /// When it was revoked, or empty.
    pub revoked: String,
    /// Whether it is the device being used now.
    pub this_one: bool,
}

#[derive(Template)]
#[template(path = "devices.html")]
struct DevicesPage {
    layout: Layout,
    service_id: String,
    service_name: String,
    devices: Vec<DeviceLine>,
    errors: FieldErrors,
    label: String,
}

fn service_id(s: &str) -> Result<ServiceId, WebError> {
    s.parse().map_err(|_| WebError::NotFound)
}

async fn devices_page(
    state: &AppState,
    user: &CurrentUser,
    headers: &HeaderMap,
    service: ServiceId,
    errors: FieldErrors,
    label: String,
) -> Result<DevicesPage, WebError> {
    let (s, devices) = list_devices(&state.ctx, &user.actor, service).await?;
    let here = cookies::get(headers, cookies::DEVICE).map(|c| crate::secrets::hash_secret(&c));
    let current = match here {
        Some(h) => state
            .ctx
            .store
            .device_by_token(&h)
            .await?
            .map(|d| d.device_id),
        None => None,
    };
    Ok(DevicesPage {
        layout: Layout::new(format!("Shared devices at {}", s.name), user, state.demo),
        service_id: s.service_id.to_string(),
        service_name: s.name,
        devices: devices
            .into_iter()
            .map(|d| DeviceLine {
                id: d.device_id.to_string(),
                trusted: format!(
                    "{}, by {}",
                    display::date_time_ms(d.created_at_ms),
                    d.created_by_name
                ),
                last_used: d
                    .last_used_at_ms
                    .map(display::date_time_ms)
                    .unwrap_or_default(),
                revoked: d
                    .revoked_at_ms
                    .map(display::date_time_ms)
                    .unwrap_or_default(),
                this_one: current == Some(d.device_id),
                label: d.label,
            })
            .collect(),
        errors,
        label,
    })
}

/// GET /services/{service_id}/devices
pub async fn list_service_devices(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    Path(service): Path<String>,
) -> Result<Response, WebError> {
    let page = devices_page(
        &state,
        &user,
        &headers,
        service_id(&service)?,
        FieldErrors::new(),
        String::new(),
    )
    .await?;
    Ok(render(&page)?.into_response())
}

/// POST /services/{service_id}/devices: trusts this browser's device.
pub async fn create_trusted_device(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    Path(service): Path<String>,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let service = service_id(&service)?;
    let label = form.get("label");
    match trust_device(&state.ctx, &user.actor, service, &label).await {
        Ok(secret) => {
            let cookie = cookies::set(
                cookies::DEVICE,
                &secret,
                "Strict",
                cookies::secure(state.secure_cookies, &headers),
                Some(DEVICE_COOKIE_SECONDS),
            );
            let mut resp = Redirect::to(&format!("/services/{service}/devices")).into_response();
            resp.headers_mut().append(
                header::SET_COOKIE,
                HeaderValue::from_str(&cookie).map_err(|e| WebError::Internal(e.into()))?,
            );
            Ok(resp)
        }
        Err(ActionError::Invalid(errors)) => {
            let page = devices_page(&state, &user, &headers, service, errors, label).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// POST /services/{service_id}/devices/{device_id}/revoke
pub async fn revoke_trusted_device(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((service, device)): Path<(String, String)>,
    _form: CsrfForm,
) -> Result<Response, WebError> {
    let service = service_id(&service)?;
    let device: uuid::Uuid = device.parse().map_err(|_| WebError::NotFound)?;
    revoke(&state.ctx, &user.actor, service, device).await?;
    Ok(Redirect::to(&format!("/services/{service}/devices")).into_response())
}

#[derive(Template)]
#[template(path = "pin.html")]
struct PinPage {
    layout: Layout,
    has_pin: bool,
    errors: FieldErrors,
    done: Option<&'static str>,
}

async fn pin_page(
    state: &AppState,
    user: &CurrentUser,
    errors: FieldErrors,
    done: Option<&'static str>,
) -> Result<PinPage, WebError> {
    Ok(PinPage {
        layout: Layout::new("Quick sign-in PIN", user, state.demo),
        has_pin: state.ctx.store.pin(user.actor.user_id).await?.is_some(),
        errors,
        done,
    })
}

/// Query of the PIN page: what was just done.
#[derive(Debug, serde::Deserialize)]
pub struct PinQuery {
    done: Option<String>,
}

/// GET /account/pin
pub async fn show_pin_form(
    State(state): State<AppState>,
    user: CurrentUser,
    axum::extract::Query(q): axum::extract::Query<PinQuery>,
) -> Result<Response, WebError> {
    let done = match q.done.as_deref() {
        Some("set") => {
            Some("Your PIN is set. Use it on devices your service trusts for quick sign-in.")
        }
        Some("removed") => Some("Your PIN is turned off."),
        _ => None,
    };
    Ok(render(&pin_page(&state, &user, FieldErrors::new(), done).await?)?.into_response())
}

/// POST /account/pin: sets the PIN (`action=set`) or turns it off (`action=remove`).
pub async fn change_pin(
    State(state): State<AppState>,
    user: CurrentUser,
    form: CsrfForm,
) -> Result<Response, WebError> {
    if form.get("action") == "remove" {
        remove_own_pin(&state.ctx, &user.actor).await?;
        return Ok(Redirect::to("/account/pin?done=removed").into_response());
    }
    match set_own_pin(
        &state.ctx,
        &user.actor,
        &form.get("current_password"),
        &form.get("pin"),
        &form.get("confirm_pin"),
    )
    .await
    {
        Ok(()) => Ok(Redirect::to("/account/pin?done=set").into_response()),
        Err(ActionError::Invalid(errors)) => {
            let page = pin_page(&state, &user, errors, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
