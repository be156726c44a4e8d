//! Category-specific questions: a short section for each category, asking
//! only what a reporter knows (reviewers add the rest later). Rules and value
//! lists from shared/domain.md §4.2 (abuse types) and §12 (falls, ABC charts,
//! medication incidents).

pub mod body;
mod falls;
mod other;
mod questions;
mod reader;
mod summary;
mod validate;
mod values;

pub use falls::NG232_REFER;
pub use questions::{Input, Question, questions};
pub use validate::{hh_mm, validate_details};
pub use values::{
    AbuseType, AdviceSought, AllegedBy, ChokedOn, ChokingAid, DeathExpected, DeathPlace,
    EquipmentKind, EquipmentProblem, FallSeen, Footwear, Found, Hazard, InfectionKind, Intensity,
    MedicationError, MedicationStage, Restriction, UlcerCategory, UlcerOrigin, YesNo,
};

use jiff::Timestamp;
use serde::Serialize;
use std::collections::BTreeMap;

/// The structured answers of one report, by category. Serialised as JSON
/// with `snake_case` codes.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[serde(tag = "category", rename_all = "snake_case")]
pub enum Details {
    /// A fall.
    Fall {
        /// Seen or found.
        seen: FallSeen,
        /// Head struck.
        head_struck: YesNo,
        /// On an anticoagulant or antiplatelet medicine (not aspirin alone).
        anticoagulant: YesNo,
        /// Where exactly.
        #[serde(skip_serializing_if = "Option::is_none")]
        location: Option<String>,
        /// Footwear.
        #[serde(skip_serializing_if = "Option::is_none")]
        footwear: Option<Footwear>,
        /// Equipment in use: sensor mat, bed rails, walking aid.
        equipment: Vec<String>,
        /// Body-map regions with an injury, bruise or skin damage.
        #[serde(default)]
        body_sites: Vec<String>,
    },
    /// A medication error or near miss.
    Medication {
        /// What went wrong.
        error_type: MedicationError,
        /// Where in the process.
        #[serde(skip_serializing_if = "Option::is_none")]
        stage: Option<MedicationStage>,
        /// Medicine name and strength.
        #[serde(skip_serializing_if = "Option::is_none")]
        medicine: Option<String>,
        /// Time it was due, `HH:MM`.
        #[serde(skip_serializing_if = "Option::is_none")]
        time_due: Option<String>,
        /// Time it was given, `HH:MM`.
        #[serde(skip_serializing_if = "Option::is_none")]
        time_given: Option<String>,
        /// MAR chart reference.
        #[serde(skip_serializing_if = "Option::is_none")]
        mar_reference: Option<String>,
        /// Did it reach the person.
        reached_person: YesNo,
        /// Advice sought.
        #[serde(skip_serializing_if = "Option::is_none")]
        advice: Option<AdviceSought>,
    },
    /// Behaviour or distress (an ABC record).
    Behaviour {
        /// What happened just before.
        #[serde(skip_serializing_if = "Option::is_none")]
        antecedent: Option<String>,
        /// What the person did or said.
        #[serde(skip_serializing_if = "Option::is_none")]
        behaviour: Option<String>,
        /// What happened just after.
        #[serde(skip_serializing_if = "Option::is_none")]
        consequence: Option<String>,
        /// How long, in minutes.
        #[serde(skip_serializing_if = "Option::is_none")]
        duration_minutes: Option<u32>,
        /// How strong.
        #[serde(skip_serializing_if = "Option::is_none")]
        intensity: Option<Intensity>,
        /// Any restrictive intervention.
        restriction: Restriction,
    },
    /// Pressure ulcer or skin damage.
    PressureUlcer {
        /// Category, when known.
        #[serde(skip_serializing_if = "Option::is_none")]
        ulcer_category: Option<UlcerCategory>,
        /// Where on the body.
        #[serde(skip_serializing_if = "Option::is_none")]
        body_site: Option<String>,
        /// Present on admission or acquired here.
        origin: UlcerOrigin,
        /// Body-map regions.
        #[serde(default)]
        body_sites: Vec<String>,
    },
    /// A safeguarding concern.
    Safeguarding {
        /// Type of abuse or neglect, when the reporter can say.
        #[serde(skip_serializing_if = "Option::is_none")]
        abuse_type: Option<AbuseType>,
        /// Who is alleged to have caused it.
        alleged_by: AllegedBy,
        /// What was done to keep the person safe straight away.
        #[serde(skip_serializing_if = "Option::is_none")]
        protection: Option<String>,
    },
    /// A personal data breach: when the service became aware (the ICO's 72 hours run from then).
    DataBreach {
        /// When the service became aware.
        became_aware_at: Timestamp,
    },
    /// Injury to, or violence against, a member of staff.
    StaffInjury {
        /// Body-map regions.
        #[serde(default)]
        body_sites: Vec<String>,
    },
    /// Equipment.
    Equipment {
        /// What sort of equipment.
        #[serde(skip_serializing_if = "Option::is_none")]
        equipment_kind: Option<EquipmentKind>,
        /// What was wrong with it.
        #[serde(skip_serializing_if = "Option::is_none")]
        problem: Option<EquipmentProblem>,
        /// Its asset or serial number.
        #[serde(skip_serializing_if = "Option::is_none")]
        asset: Option<String>,
        /// Whether it was taken out of use.
        taken_out_of_use: YesNo,
    },
    /// Environment or premises.
    Environment {
        /// The hazard.
        #[serde(skip_serializing_if = "Option::is_none")]
        hazard: Option<Hazard>,
    },
    /// Infection.
    Infection {
        /// What sort.
        #[serde(skip_serializing_if = "Option::is_none")]
        infection_kind: Option<InfectionKind>,
        /// How many people have symptoms.
        #[serde(skip_serializing_if = "Option::is_none")]
        people_affected: Option<u32>,
        /// Whether an outbreak is suspected.
        outbreak_suspected: YesNo,
    },
    /// Choking.
    Choking {
        /// What on.
        #[serde(skip_serializing_if = "Option::is_none")]
        choked_on: Option<ChokedOn>,
        /// First aid given.
        first_aid: Vec<ChokingAid>,
        /// Whether they have an eating and drinking plan.
        eating_plan: YesNo,
    },
    /// A missing person.
    MissingPerson {
        /// Whether they have been found.
        found: Found,
        /// When last seen, `HH:MM`.
        #[serde(skip_serializing_if = "Option::is_none")]
        last_seen: Option<String>,
        /// Where they were found.
        #[serde(skip_serializing_if = "Option::is_none")]
        found_where: Option<String>,
    },
    /// Self-harm.
    SelfHarm {
        /// Whether they needed medical treatment.
        needed_treatment: YesNo,
    },
    /// A death.
    Death {
        /// Expected or not.
        expected: DeathExpected,
        /// Where.
        #[serde(skip_serializing_if = "Option::is_none")]
        place: Option<DeathPlace>,
    },
    /// Categories with no extra questions.
    None,
}

/// The equipment choices on a fall.
pub const FALL_EQUIPMENT: [(&str, &str); 3] = [
    ("sensor_mat", "Sensor mat"),
    ("bed_rails", "Bed rails"),
    ("walking_aid", "Walking aid"),
];

/// Raw answers as typed: field name to values (checkboxes may repeat).
pub type RawDetails = BTreeMap<String, Vec<String>>;
