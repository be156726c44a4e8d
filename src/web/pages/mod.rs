//! Server-rendered HTML pages. Each page's struct sits next to its handler.

pub mod about_staff;
pub mod account;
pub mod alerts;
pub mod anonymous;
pub mod attachments;
pub mod devices;
pub mod digest;
pub mod drafts;
pub mod duties;
pub mod duty_board;
pub mod duty_task;
pub mod evidence;
pub mod home;
pub mod improvement;
pub mod incident_forms;
pub mod incident_page;
pub mod incidents;
pub mod investigations;
pub mod learning;
pub mod lessons;
pub mod login;
pub mod meetings;
pub mod occupancy;
pub mod password_links;
pub mod people;
pub mod person_register;
pub mod report;
pub mod reports;
pub mod safety_cross;
pub mod second_factor;
pub mod settings;
pub mod speaking_up;
pub mod staff;
pub mod trends;
pub mod triage;
pub mod users;

/// The `service` and `region` a page was asked for (`?service=…&region=…`);
/// an id that cannot be read is not found.
pub fn scope_query(
    q: &std::collections::HashMap<String, String>,
) -> Result<
    (
        Option<candour_domain::ids::ServiceId>,
        Option<candour_domain::ids::RegionId>,
    ),
    crate::web::error::WebError,
> {
    use crate::web::error::WebError;
    let pick = |k: &str| q.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    let service = match pick("service") {
        Some(v) => Some(v.parse().map_err(|_| WebError::NotFound)?),
        None => None,
    };
    let region = match pick("region") {
        Some(v) => Some(v.parse().map_err(|_| WebError::NotFound)?),
        None => None,
    };
    Ok((service, region))
}
