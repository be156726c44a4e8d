//! The home page: what each role needs first.

use crate::actions::incidents::{list_incidents, my_reports};
use crate::actions::services_where;
use crate::web::AppState;
use crate::web::auth::CurrentUser;
use crate::web::error::{WebError, render};
use crate::web::layout::Layout;
use crate::web::pages::incidents::IncidentRow;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use candour_domain::incident::EventKind;
use candour_domain::role::{Permission, Role};
use std::collections::HashMap;

/// A service with its counts over the last 30 days.
pub struct ServiceCounts {
    /// Service id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Type of service.
    pub service_type: &'static str,
    /// Incidents.
    pub incidents: i64,
    /// Near misses.
    pub near_misses: i64,
    /// Good practice.
    pub good_practice: i64,
    /// Whether the reader may open its list.
    pub can_open: bool,
    /// Whether the name opens the service's incident list (for a designated
    /// safeguarding lead, its safeguarding concerns).
    pub can_list: bool,
    /// Whether the reader may open its register of people.
    pub people_link: bool,
    /// Whether the reader manages its shared devices.
    pub can_manage_devices: bool,
}

/// How many people, lessons or meetings the home page lists before it
/// sums them up: a reader of many services gets counts and links, not
/// thousands of rows.
pub const LISTED: usize = 25;

/// The people at increased risk in one service, for readers of many.
pub struct RiskByService {
    /// Service id.
    pub id: String,
    /// Name.
    pub name: String,
    /// People flagged there.
    pub people: usize,
    /// Whether the reader may open its register (which shows the flags).
    pub people_link: bool,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    name: String,
    roles: Vec<&'static str>,
    can_report: bool,
    my_recent: Vec<IncidentRow>,
    /// The newest reports in the services the reader oversees.
    latest: Vec<IncidentRow>,
    services: Vec<ServiceCounts>,
    /// Accounts in the organisation and how many are active, shown
    /// with a link to the list to whoever manages users.
    user_counts: Option<(String, String)>,
    is_admin: bool,
    /// A registered manager: their own services' staff.
    manages_staff: bool,
    /// People flagged at increased risk in the reader's services, when
    /// there are no more than [`LISTED`].
    at_risk: Vec<AtRiskLine>,
    /// Otherwise, how many in each service, most first.
    at_risk_by_service: Vec<RiskByService>,
    /// Everyone flagged.
    at_risk_total: usize,
    /// The first [`LISTED`] lessons the reader is asked to read and has not acknowledged.
    to_read: Vec<crate::web::pages::lessons::LessonRow>,
    /// All of them.
    to_read_total: usize,
    /// The first [`LISTED`] urgent lessons-learned meetings to arrange, soonest first.
    proposals: Vec<crate::web::pages::meetings::ProposalLine>,
    /// All of them.
    proposals_total: usize,
    /// For the organisation's alert leads: open safety alerts.
    open_alerts: Vec<crate::web::pages::alerts::AlertRow>,
    /// For a speaking-up guardian: concerns waiting to be acknowledged.
    concerns_waiting: usize,
}

/// A person at increased risk, on the home page.
pub struct AtRiskLine {
    /// Their id, for the link.
    pub id: String,
    /// Internal code.
    pub code: String,
    /// Their service.
    pub service: String,
    /// Why, with the incidents.
    pub flags: Vec<crate::web::pages::people::FlagLine>,
}

/// GET /
pub async fn show_home(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, WebError> {
    let ctx = &state.ctx;
    let actor = &user.actor;
    let can_report = actor.can_anywhere(Permission::ReportIncident);
    let my_recent = if can_report {
        my_reports(ctx, actor)
            .await?
            .iter()
            .take(5)
            .map(IncidentRow::from)
            .collect()
    } else {
        Vec::new()
    };
    let latest = if actor.can_anywhere(Permission::ViewIncidents) {
        list_incidents(ctx, actor, None, &Default::default(), None)
            .await?
            .iter()
            .take(10)
            .map(IncidentRow::from)
            .collect()
    } else {
        Vec::new()
    };
    let flagged = if actor.can_anywhere(Permission::ViewIncidents) {
        crate::actions::risk::people_at_risk(ctx, actor, None).await?
    } else {
        Vec::new()
    };
    let at_risk_total = flagged.len();
    let mut at_risk_by_service = Vec::new();
    let mut at_risk = Vec::new();
    if at_risk_total > LISTED {
        let mut by: HashMap<_, usize> = HashMap::new();
        for a in &flagged {
            *by.entry(a.person.service_id).or_default() += 1;
        }
        for s in services_where(ctx, actor, Permission::ViewIncidents).await? {
            if let Some(&people) = by.get(&s.service_id) {
                at_risk_by_service.push(RiskByService {
                    id: s.service_id.to_string(),
                    people_link: actor.can_in(Permission::ViewPeopleRegister, &s)
                        || actor.can_in(Permission::ManagePeople, &s),
                    name: s.name,
                    people,
                });
            }
        }
        at_risk_by_service
            .sort_by(|a, b| b.people.cmp(&a.people).then_with(|| a.name.cmp(&b.name)));
    } else {
        at_risk = flagged
            .into_iter()
            .map(|a| AtRiskLine {
                id: a.person.person_id.to_string(),
                code: a.person.internal_code,
                service: a.service_name,
                flags: a
                    .flags
                    .iter()
                    .map(crate::web::pages::people::FlagLine::from)
                    .collect(),
            })
            .collect();
    }
    let mut services = Vec::new();
    if actor.can_anywhere(Permission::ViewAggregates) {
        let since = ctx.clock.now() - jiff::SignedDuration::from_hours(24 * 30);
        let seen = services_where(ctx, actor, Permission::ViewAggregates).await?;
        let ids: Vec<_> = seen.iter().map(|s| s.service_id).collect();
        let counts = ctx
            .store
            .incident_counts(actor.organisation_id, &ids, since)
            .await?;
        let mut by: HashMap<_, [i64; 3]> = HashMap::new();
        for (service, kind, n) in counts {
            let slot = match kind {
                EventKind::Incident => 0,
                EventKind::NearMiss => 1,
                EventKind::GoodPractice => 2,
            };
            by.entry(service).or_default()[slot] += n;
        }
        for s in seen {
            let c = by.get(&s.service_id).copied().unwrap_or_default();
            services.push(ServiceCounts {
                id: s.service_id.to_string(),
                service_type: s.service_type.label(),
                can_open: actor.can_in(Permission::ViewIncidents, &s),
                // A designated safeguarding lead opens the list too, where
                // they see the service's safeguarding concerns.
                can_list: actor.can_in(Permission::ViewSafeguarding, &s),
                people_link: actor.can_in(Permission::ViewPeopleRegister, &s)
                    || actor.can_in(Permission::ManagePeople, &s),
                can_manage_devices: actor.can_in(Permission::ManageDevices, &s),
                name: s.name,
                incidents: c[0],
                near_misses: c[1],
                good_practice: c[2],
            });
        }
    }
    let is_admin = actor.can_anywhere(Permission::ManageUsers);
    let user_counts = if actor.can_anywhere(Permission::ManageUsers) {
        let (total, active) = ctx.store.user_counts(actor.organisation_id).await?;
        Some((
            candour_domain::display::thousands(total),
            candour_domain::display::thousands(active),
        ))
    } else {
        None
    };
    let mut roles: Vec<&'static str> = actor.grants.iter().map(|g| g.role.label()).collect();
    roles.dedup();
    let proposals = crate::web::pages::meetings::proposal_lines(&state, &user).await?;
    let to_read = crate::actions::lessons::to_read(ctx, actor).await?;
    let page = HomePage {
        layout: Layout::new("Home", &user, state.demo),
        name: actor.display_name.clone(),
        roles,
        can_report,
        my_recent,
        latest,
        services,
        user_counts,
        is_admin: is_admin || actor.has_role(Role::Administrator),
        manages_staff: crate::actions::invitations::may_invite(actor),
        at_risk,
        at_risk_by_service,
        at_risk_total,
        proposals_total: proposals.len(),
        proposals: proposals.into_iter().take(LISTED).collect(),
        open_alerts: if crate::actions::alerts::leads_alerts(actor) {
            crate::actions::alerts::open_alerts(ctx, actor.organisation_id)
                .await?
                .iter()
                .map(crate::web::pages::alerts::AlertRow::from)
                .collect()
        } else {
            Vec::new()
        },
        concerns_waiting: crate::actions::speaking_up::waiting(ctx, actor).await?,
        to_read_total: to_read.len(),
        to_read: to_read
            .iter()
            .take(LISTED)
            .map(crate::web::pages::lessons::LessonRow::from)
            .collect(),
    };
    Ok(render(&page)?.into_response())
}
