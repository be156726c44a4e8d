//! What every page shares: title, navigation for the signed-in user, the
//! demo banner and the CSRF token for the sign-out button.

use super::auth::CurrentUser;
use candour_domain::role::{Permission, Role};

/// Navigation items for the signed-in user.
#[derive(Debug, Clone)]
pub struct NavUser {
    /// Their name.
    pub name: String,
    /// Whether to offer "Report".
    pub can_report: bool,
    /// Whether to show incident lists.
    pub can_view_incidents: bool,
    /// Notifications not yet read.
    pub unread: i64,
    /// Whether to offer the triage queue.
    pub can_triage: bool,
    /// Whether to offer reports (the board report to anyone who sees
    /// aggregates; the others to those who see incidents).
    pub can_see_reports: bool,
    /// Whether to offer the organisation's settings.
    pub can_manage_settings: bool,
}

/// The shared parts of a page.
#[derive(Debug, Clone)]
pub struct Layout {
    /// The `<title>` (the page's h1 is the page's own).
    pub title: String,
    /// The signed-in user, if any.
    pub user: Option<NavUser>,
    /// Show the "demo data" banner.
    pub demo: bool,
    /// CSRF token for the sign-out form.
    pub csrf: String,
    /// The signed-in person's offline-queue key (base64), for the page's script.
    pub queue_key: Option<String>,
}

impl Layout {
    /// A page for a signed-in user.
    pub fn new(title: impl Into<String>, user: &CurrentUser, demo: bool) -> Layout {
        let a = &user.actor;
        Layout {
            title: title.into(),
            user: Some(NavUser {
                name: a.display_name.clone(),
                can_report: a.can_anywhere(Permission::ReportIncident),
                can_view_incidents: a.can_anywhere(Permission::ViewIncidents)
                    || a.has_role(Role::BoardMember),
                unread: user.unread,
                can_triage: a.can_anywhere(Permission::TriageIncidents),
                can_see_reports: a.can_anywhere(Permission::ViewAggregates),
                can_manage_settings: a.can_anywhere(Permission::ManageOrganisation),
            }),
            demo,
            csrf: user.csrf.clone(),
            queue_key: user.queue_key.clone(),
        }
    }

    /// A page with no user navigation (sign in, errors).
    pub fn public(title: impl Into<String>, demo: bool) -> Layout {
        Layout {
            title: title.into(),
            user: None,
            demo,
            csrf: String::new(),
            queue_key: None,
        }
    }
}
