//! Roles, what each role may do, and the scope a grant covers.
//!
//! The matrix in [`Role::allows`] is the single source of truth for
//! permissions; docs/permissions.md is generated from the same table by a
//! test, so the two cannot drift. Scope (which services) is applied on top by
//! the actions layer.

use crate::ids::{RegionId, ServiceId};
use serde::{Deserialize, Serialize};

/// A staff role. Users hold one or more grants, each a role with a scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Reports incidents, near misses and good practice; sees their own reports.
    CareWorker,
    /// Senior carer, nurse or shift lead: first review on shift.
    SeniorCarer,
    /// Registered manager: accountable for a service.
    RegisteredManager,
    /// Oversees several services in a region.
    RegionalManager,
    /// Organisation-wide oversight.
    HeadOfOperations,
    /// Quality assurance team: monitors breaches, investigations and actions.
    QualityAssurance,
    /// Board member: read-only aggregates, never a named person.
    BoardMember,
    /// Manages users, services and settings; no access to incident content.
    Administrator,
    /// Designated safeguarding lead: sees every safeguarding concern in scope.
    SafeguardingLead,
    /// Speaking-up guardian: handles concerns raised outside the line of management.
    SpeakingUpGuardian,
}

impl Role {
    /// Every role, in the order shown to people.
    pub const ALL: [Role; 10] = [
        Role::CareWorker,
        Role::SeniorCarer,
        Role::RegisteredManager,
        Role::RegionalManager,
        Role::HeadOfOperations,
        Role::QualityAssurance,
        Role::SafeguardingLead,
        Role::SpeakingUpGuardian,
        Role::BoardMember,
        Role::Administrator,
    ];

    /// The stable code stored in the database and used in the API and CLI.
    pub fn code(self) -> &'static str {
        match self {
            Role::CareWorker => "care_worker",
            Role::SeniorCarer => "senior_carer",
            Role::RegisteredManager => "registered_manager",
            Role::RegionalManager => "regional_manager",
            Role::HeadOfOperations => "head_of_operations",
            Role::QualityAssurance => "quality_assurance",
            Role::BoardMember => "board_member",
            Role::Administrator => "administrator",
            Role::SafeguardingLead => "safeguarding_lead",
            Role::SpeakingUpGuardian => "speaking_up_guardian",
        }
    }

    /// The role's name as people read it.
    pub fn label(self) -> &'static str {
        match self {
            Role::CareWorker => "Care worker",
            Role::SeniorCarer => "Senior carer",
            Role::RegisteredManager => "Registered manager",
            Role::RegionalManager => "Regional manager",
            Role::HeadOfOperations => "Head of operations",
            Role::QualityAssurance => "Quality assurance",
            Role::BoardMember => "Board member",
            Role::Administrator => "Administrator",
            Role::SafeguardingLead => "Designated safeguarding lead",
            Role::SpeakingUpGuardian => "Speaking-up guardian",
        }
    }

    /// Parses a stored or typed role code.
    pub fn parse(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }

    /// Whether this role, within its scope, may do `permission`.
    pub fn allows(self, permission: Permission) -> bool {
        use Permission as P;
        use Role as R;
        match permission {
            P::ReportIncident | P::ViewPeopleRegister => !matches!(
                self,
                R::BoardMember | R::Administrator | R::SpeakingUpGuardian
            ),
            P::HandleSpeakingUp => self == R::SpeakingUpGuardian,
            P::ViewSafeguarding => matches!(
                self,
                R::SeniorCarer
                    | R::RegisteredManager
                    | R::RegionalManager
                    | R::HeadOfOperations
                    | R::QualityAssurance
                    | R::SafeguardingLead
            ),
            P::ViewIncidents | P::ViewAuditHistory | P::TriageIncidents => matches!(
                self,
                R::SeniorCarer
                    | R::RegisteredManager
                    | R::RegionalManager
                    | R::HeadOfOperations
                    | R::QualityAssurance
            ),
            P::ViewAggregates => !matches!(self, R::CareWorker | R::SpeakingUpGuardian),
            P::ManagePeople => matches!(self, R::RegisteredManager | R::Administrator),
            P::SignOffIncidents => matches!(
                self,
                R::RegisteredManager | R::RegionalManager | R::HeadOfOperations
            ),
            P::ManageDevices => matches!(
                self,
                R::RegisteredManager | R::RegionalManager | R::HeadOfOperations | R::Administrator
            ),
            P::ManageUsers | P::ManageOrganisation => matches!(self, R::Administrator),
        }
    }
}

/// Something a user may be allowed to do. Every action checks one of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Report an incident, near miss or good practice in a service.
    ReportIncident,
    /// See the register of people using a service (to say who was affected).
    ViewPeopleRegister,
    /// See and open every incident of a service, with names.
    ViewIncidents,
    /// See and open every safeguarding concern of a service, with names.
    ViewSafeguarding,
    /// See the history (audit trail) of records.
    ViewAuditHistory,
    /// Triage and grade incidents, choose the learning response and handler.
    TriageIncidents,
    /// Sign off a review and close the incident, or send it back.
    SignOffIncidents,
    /// See counts and trends with no person named.
    ViewAggregates,
    /// Add and change people using a service.
    ManagePeople,
    /// Trust a shared device for quick PIN sign-in in a service, and revoke it.
    ManageDevices,
    /// Handle speaking-up concerns, outside the line of management.
    HandleSpeakingUp,
    /// Add users and change their grants.
    ManageUsers,
    /// Change regions, services and areas, and the organisation's settings.
    ManageOrganisation,
}

impl Permission {
    /// Every permission, in the order of docs/permissions.md.
    pub const ALL: [Permission; 13] = [
        Permission::ReportIncident,
        Permission::ViewPeopleRegister,
        Permission::ViewIncidents,
        Permission::ViewSafeguarding,
        Permission::ViewAuditHistory,
        Permission::TriageIncidents,
        Permission::SignOffIncidents,
        Permission::ViewAggregates,
        Permission::ManagePeople,
        Permission::ManageDevices,
        Permission::HandleSpeakingUp,
        Permission::ManageUsers,
        Permission::ManageOrganisation,
    ];

    /// A sentence naming what the permission lets someone do.
    pub fn describe(self) -> &'static str {
        match self {
            Permission::ReportIncident => "Report an incident, near miss or good practice",
            Permission::ViewPeopleRegister => "See the register of people using the service",
            Permission::ViewIncidents => "See and open every incident in scope, with names",
            Permission::ViewSafeguarding => {
                "See and open every safeguarding concern in scope, with names"
            }
            Permission::ViewAuditHistory => "See the history of a record",
            Permission::TriageIncidents => {
                "Triage incidents: grade harm and risk, choose the response and handler"
            }
            Permission::SignOffIncidents => {
                "Sign off a review and close the incident, or send it back"
            }
            Permission::ViewAggregates => "See counts and trends (no one named)",
            Permission::ManagePeople => "Add and change people using the service",
            Permission::ManageDevices => {
                "Trust a shared device for quick PIN sign-in, and revoke it"
            }
            Permission::HandleSpeakingUp => {
                "Handle speaking-up concerns about services they do not manage"
            }
            Permission::ManageUsers => "Add users and change their roles",
            Permission::ManageOrganisation => {
                "Change regions, services, areas and settings (timescales, risk bands, who is on call, duty deadlines)"
            }
        }
    }
}

/// What a role grant covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Scope {
    /// The whole organisation.
    Organisation,
    /// Every service in one region.
    Region(RegionId),
    /// One service.
    Service(ServiceId),
}

impl Scope {
    /// The stored kind code.
    pub fn kind_code(self) -> &'static str {
        match self {
            Scope::Organisation => "organisation",
            Scope::Region(_) => "region",
            Scope::Service(_) => "service",
        }
    }

    /// Whether a service in `region` is covered by this scope.
    pub fn covers(self, service: ServiceId, region: RegionId) -> bool {
        match self {
            Scope::Organisation => true,
            Scope::Region(r) => r == region,
            Scope::Service(s) => s == service,
        }
    }
}

/// One role held over one scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    /// The role.
    pub role: Role,
    /// Where it applies.
    pub scope: Scope,
}

/// Whether any of `grants` allows `permission` in `service` (which is in `region`).
pub fn grants_allow(
    grants: &[Grant],
    permission: Permission,
    service: ServiceId,
    region: RegionId,
) -> bool {
    grants
        .iter()
        .any(|g| g.role.allows(permission) && g.scope.covers(service, region))
}

/// The permission matrix as a Markdown table (docs/permissions.md holds a copy
/// that a test keeps in step).
pub fn matrix_markdown() -> String {
    let mut out = String::from("| Permission |");
    for r in Role::ALL {
        out.push_str(&format!(" {} |", r.label()));
    }
    out.push_str("\n|---|");
    for _ in Role::ALL {
        out.push_str(":---:|");
    }
    out.push('\n');
    for p in Permission::ALL {
        out.push_str(&format!("| {} |", p.describe()));
        for r in Role::ALL {
            out.push_str(if r.allows(p) { " yes |" } else { " – |" });
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn every_role_code_parses_back_to_the_same_role() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.code()), Some(role));
        }
        assert_eq!(Role::parse("superuser"), None);
    }

    #[test]
    fn a_board_member_sees_aggregates_but_never_named_incidents() {
        assert!(Role::BoardMember.allows(Permission::ViewAggregates));
        assert!(!Role::BoardMember.allows(Permission::ViewIncidents));
        assert!(!Role::BoardMember.allows(Permission::ViewPeopleRegister));
        assert!(!Role::BoardMember.allows(Permission::ReportIncident));
    }

    #[test]
    fn a_care_worker_reports_but_does_not_see_the_service_list() {
        assert!(Role::CareWorker.allows(Permission::ReportIncident));
        assert!(!Role::CareWorker.allows(Permission::ViewIncidents));
        assert!(!Role::CareWorker.allows(Permission::ViewAggregates));
    }

    #[test]
    fn an_administrator_manages_users_but_reads_no_incident() {
        assert!(Role::Administrator.allows(Permission::ManageUsers));
        assert!(!Role::Administrator.allows(Permission::ViewIncidents));
    }

    #[test]
    fn a_service_grant_covers_only_its_own_service() {
        let (s1, s2) = (ServiceId(Uuid::from_u128(1)), ServiceId(Uuid::from_u128(2)));
        let (r1, r2) = (RegionId(Uuid::from_u128(10)), RegionId(Uuid::from_u128(20)));
        let grants = [Grant {
            role: Role::RegisteredManager,
            scope: Scope::Service(s1),
        }];
        assert!(grants_allow(&grants, Permission::ViewIncidents, s1, r1));
        assert!(!grants_allow(&grants, Permission::ViewIncidents, s2, r1));
        let regional = [Grant {
            role: Role::RegionalManager,
            scope: Scope::Region(r1),
        }];
        assert!(grants_allow(&regional, Permission::ViewIncidents, s2, r1));
        assert!(!grants_allow(&regional, Permission::ViewIncidents, s2, r2));
    }
}
