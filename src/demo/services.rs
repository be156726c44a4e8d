//! The four kinds of service the demo care group runs, repeated (and
//! numbered) at large scale.

use candour_domain::organisation::{AreaKind, ServiceType};

/// The shape of one demo service.
pub(super) struct ServiceTemplate {
    pub(super) name: &'static str,
    pub(super) service_type: ServiceType,
    /// Index into the small demo's regions.
    pub(super) region: usize,
    pub(super) address: &'static str,
    pub(super) postcode: &'static str,
    pub(super) areas: [&'static str; 3],
    pub(super) area_kind: AreaKind,
}

pub(super) const SMALL_SERVICES: [ServiceTemplate; 4] = [
    ServiceTemplate {
        name: "Ashdown House",
        service_type: ServiceType::CareHome,
        region: 0,
        address: "14 Moorside Road, Bolton",
        postcode: "BL1 4QX",
        areas: ["Ground Floor", "First Floor", "Garden Wing"],
        area_kind: AreaKind::Floor,
    },
    ServiceTemplate {
        name: "Beech Lodge Nursing Home",
        service_type: ServiceType::CareHomeWithNursing,
        region: 0,
        address: "2 Beech Lane, Wigan",
        postcode: "WN6 7PD",
        areas: ["Rowan Unit", "Willow Unit", "Maple Unit"],
        area_kind: AreaKind::Unit,
    },
    ServiceTemplate {
        name: "Calder Valley Home Care",
        service_type: ServiceType::HomeCare,
        region: 1,
        address: "Unit 5, Mill Yard, Hebden Bridge",
        postcode: "HX7 8AD",
        areas: ["Hebden round", "Todmorden round", "Halifax round"],
        area_kind: AreaKind::Round,
    },
    ServiceTemplate {
        name: "Elm Court Supported Living",
        service_type: ServiceType::SupportedLiving,
        region: 1,
        address: "Elm Court, Kirkstall, Leeds",
        postcode: "LS5 3BT",
        areas: ["House 1", "House 2", "House 3"],
        area_kind: AreaKind::House,
    },
];
