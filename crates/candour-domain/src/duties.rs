//! The statutory duties an incident may trigger, decided from what is known
//! about it (domain.md §0–§4, §14.2): CQC notifications (regulations 16 and
//! 18), RIDDOR, the duty of candour, a safeguarding referral and an ICO
//! breach report. Each duty is `required`, `not_required` or
//! `needs_information` (naming the facts still unknown), with the rule it
//! rests on, a sentence a manager understands, and a deadline where one
//! applies. A fact not yet answered is absent; the engine never guesses it.
//!
//! Not wired into the application yet (issue 5): this is the rule engine
//! and its tests only.

use crate::calendar::{Calendar, end_of_day};
use crate::details::AbuseType;
use crate::incident::{Category, london};
use crate::organisation::code_enum;
use crate::triage::PhysicalHarm;
use jiff::Timestamp;

/// When each rule here was last checked against domain.md.
pub const RULES_CHECKED: &str = "2026-11-30";

code_enum! {
    /// Who was affected.
    PersonType {
        /// A person using the service.
        ServiceUser = ("service_user", "Person using the service"),
        /// An employee.
        Worker = ("worker", "Worker"),
        /// A self-employed person working there.
        SelfEmployed = ("self_employed", "Self-employed person"),
        /// A visitor.
        Visitor = ("visitor", "Visitor"),
        /// Anyone else.
        Other = ("other", "Someone else"),
    }
}

code_enum! {
    /// What a health care professional judged the injury to have caused.
    HcpOutcome {
        /// Sensory, motor or intellectual impairment not likely to be temporary (at least 28 days).
        SensoryMotorIntellectualImpairment = ("sensory_motor_intellectual_impairment", "Lasting impairment of the senses, movement or thinking"),
        /// Changes to the structure of the body.
        BodyStructureChange = ("body_structure_change", "A change to the structure of the body"),
        /// Pain lasting, or likely to last, at least 28 days.
        ProlongedPain = ("prolonged_pain", "Prolonged pain"),
        /// Psychological harm lasting, or likely to last, at least 28 days.
        ProlongedPsychologicalHarm = ("prolonged_psychological_harm", "Prolonged psychological harm"),
        /// Shortened life expectancy.
        ShortenedLifeExpectancy = ("shortened_life_expectancy", "Shortened life expectancy"),
        /// Treatment needed to prevent death or one of the above.
        TreatmentNeededToPrevent = ("treatment_needed_to_prevent", "Treatment needed to prevent death or serious injury"),
    }
}

code_enum! {
    /// A pressure ulcer's category.
    PressureUlcerCategory {
        /// Category 1.
        One = ("1", "Category 1"),
        /// Category 2.
        Two = ("2", "Category 2"),
        /// Category 3.
        Three = ("3", "Category 3"),
        /// Category 4.
        Four = ("4", "Category 4"),
        /// Unstageable (full thickness, depth hidden).
        Unstageable = ("unstageable", "Unstageable"),
        /// Suspected deep tissue injury.
        DeepTissue = ("deep_tissue", "Suspected deep tissue injury"),
    }
}

code_enum! {
    /// How a person using the service is involved in abuse.
    AbuseRole {
        /// They are (or are alleged to be) the victim.
        Victim = ("victim", "Victim"),
        /// They are the abuser or alleged abuser.
        AllegedAbuser = ("alleged_abuser", "Alleged abuser"),
        /// Both.
        Both = ("both", "Both"),
    }
}

code_enum! {
    /// A DoLS or Court of Protection outcome (applications are not notified).
    DolsOutcome {
        /// Authorisation granted.
        Granted = ("granted", "Granted"),
        /// Authorisation refused.
        Refused = ("refused", "Refused"),
        /// Application withdrawn.
        Withdrawn = ("withdrawn", "Withdrawn"),
        /// A Court of Protection outcome.
        CourtOfProtectionOutcome = ("court_of_protection_outcome", "Court of Protection outcome"),
    }
}

code_enum! {
    /// An event that threatens the safe running of the service (reg 18(2)(g)).
    ServiceDisruption {
        /// Not enough suitably qualified, skilled and experienced staff.
        InsufficientStaff = ("insufficient_staff", "Not enough suitable staff"),
        /// Electricity, gas, water or sewerage interrupted for more than 24 hours.
        UtilityFailureOver24h = ("utility_failure_over_24h", "A utility lost for more than 24 hours"),
        /// Fire alarm, call system or other safety device failed for more than 24 hours.
        FireAlarmOrSafetyDeviceFailureOver24h = ("fire_alarm_or_safety_device_failure_over_24h", "A fire alarm, call system or safety device down for more than 24 hours"),
        /// Damage to the premises likely to harm care.
        PremisesDamage = ("premises_damage", "Damage to the premises"),
    }
}

code_enum! {
    /// A RIDDOR specified injury (reg 4(1)).
    SpecifiedInjury {
        /// A fracture diagnosed by a doctor, other than to fingers, thumbs and toes.
        FractureNotFingerThumbToe = ("fracture_not_finger_thumb_toe", "Fracture (not a finger, thumb or toe)"),
        /// An amputation.
        Amputation = ("amputation", "Amputation"),
        /// Permanent loss or reduction of sight.
        PermanentSightLoss = ("permanent_sight_loss", "Permanent loss of sight"),
        /// A crush injury to the head or torso.
        CrushHeadTorso = ("crush_head_torso", "Crush injury to the head or torso"),
        /// A serious burn.
        SeriousBurn = ("serious_burn", "Serious burn"),
        /// Scalping needing hospital treatment.
        Scalping = ("scalping", "Scalping"),
        /// Loss of consciousness from a head injury or asphyxia.
        LossOfConsciousness = ("loss_of_consciousness", "Loss of consciousness"),
        /// An enclosed-space injury.
        EnclosedSpace = ("enclosed_space", "Injury in an enclosed space"),
    }
}

code_enum! {
    /// A RIDDOR occupational disease (reg 8).
    OccupationalDisease {
        /// Carpal tunnel syndrome.
        CarpalTunnel = ("carpal_tunnel", "Carpal tunnel syndrome"),
        /// Severe cramp of the hand or forearm.
        HandForearmCramp = ("hand_forearm_cramp", "Severe cramp of the hand or forearm"),
        /// Occupational dermatitis.
        Dermatitis = ("dermatitis", "Occupational dermatitis"),
        /// Hand-arm vibration syndrome.
        HandArmVibration = ("hand_arm_vibration", "Hand-arm vibration syndrome"),
        /// Occupational asthma.
        Asthma = ("asthma", "Occupational asthma"),
        /// Tendonitis or tenosynovitis of the hand or forearm.
        Tendonitis = ("tendonitis", "Tendonitis or tenosynovitis"),
        /// An occupational cancer.
        Cancer = ("cancer", "Occupational cancer"),
        /// A disease from occupational exposure to a biological agent.
        BiologicalAgent = ("biological_agent", "Disease from a biological agent"),
    }
}

code_enum! {
    /// A RIDDOR dangerous occurrence relevant to care (Schedule 2).
    DangerousOccurrence {
        /// Failure of a load-bearing part of lifting equipment (hoists, lifts; not slings).
        LiftingEquipmentFailure = ("lifting_equipment_failure", "Lifting equipment failed"),
        /// Electrical short circuit or overload causing fire or explosion.
        ElectricalFire = ("electrical_fire", "Electrical fire or explosion"),
        /// Release, or possible release, of a biological agent likely to cause severe infection.
        BiologicalAgentRelease = ("biological_agent_release", "Release of a biological agent"),
        /// Failure of a pressure system.
        PressureSystemFailure = ("pressure_system_failure", "Pressure system failure"),
    }
}

code_enum! {
    /// The risk a personal data breach poses to the people it is about.
    BreachRisk {
        /// Unlikely to result in a risk.
        Unlikely = ("unlikely", "Unlikely to be a risk"),
        /// A risk.
        Risk = ("risk", "A risk"),
        /// A high risk: tell the people too.
        HighRisk = ("high_risk", "A high risk"),
    }
}

/// An enum written in JSON by its code (as the API documents), not by
/// serde's spelling of the variant (`UtilityFailureOver24h` is
/// `utility_failure_over_24h`, a category 3 ulcer is `3`).
trait Coded: Sized + Copy + 'static {
    fn code_of(self) -> &'static str;
    fn parse_code(s: &str) -> Option<Self>;
    fn codes() -> Vec<&'static str>;
}

macro_rules! coded {
    ($($t:ty),*) => {$(
        impl Coded for $t {
            fn code_of(self) -> &'static str { self.code() }
            fn parse_code(s: &str) -> Option<Self> { <$t>::parse(s) }
            fn codes() -> Vec<&'static str> { <$t>::ALL.iter().map(|v| v.code()).collect() }
        }
    )*};
}

coded!(
    PersonType,
    PressureUlcerCategory,
    AbuseRole,
    DolsOutcome,
    ServiceDisruption,
    SpecifiedInjury,
    OccupationalDisease,
    DangerousOccurrence,
    BreachRisk,
    AbuseType
);

/// `#[serde(with = "by_code")]` for an optional coded enum.
mod by_code {
    use super::Coded;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<T: Coded, S: Serializer>(v: &Option<T>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => s.serialize_str(v.code_of()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, T: Coded, D: Deserializer<'de>>(d: D) -> Result<Option<T>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(s) => T::parse_code(&s).map(Some).ok_or_else(|| {
                serde::de::Error::custom(format!("{s:?} is not one of {}", T::codes().join(", ")))
            }),
        }
    }
}

/// A health care professional's opinion of an injury.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HcpOpinion {
    /// Who gave it.
    pub name: String,
    /// Their role.
    pub role: String,
    /// When.
    pub given_at: Timestamp,
    /// What they judged it to have caused; empty: none of them.
    pub outcomes: Vec<HcpOutcome>,
}

/// What is known about an incident for deciding its duties. `None` is
/// "not answered yet" — except the picklists documented as "none when
/// absent" (DoLS outcome, service disruption, specified injury, disease,
/// dangerous occurrence), which describe events that either happened or
/// did not. Stored and exchanged as JSON with these field names.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Assessment {
    /// Who was affected.
    #[serde(with = "by_code")]
    pub person_type: Option<PersonType>,
    /// They died.
    pub died: Option<bool>,
    /// The death was expected.
    pub death_expected: Option<bool>,
    /// The death relates to the natural course of illness, not the incident.
    pub death_natural_course: Option<bool>,
    /// It happened while the regulated activity was being provided.
    pub occurred_during_regulated_activity: Option<bool>,
    /// It has, or may have, resulted from the care.
    pub may_have_resulted_from_care: Option<bool>,
    /// A health care professional's opinion.
    pub hcp_opinion: Option<HcpOpinion>,
    /// A pressure ulcer's category.
    #[serde(with = "by_code")]
    pub pressure_ulcer_category: Option<PressureUlcerCategory>,
    /// The pressure ulcer developed while using the service.
    pub pressure_ulcer_acquired_in_service: Option<bool>,
    /// The incident was unintended or unexpected.
    pub unintended_or_unexpected: Option<bool>,
    /// Abuse is alleged or known.
    pub abuse_alleged: Option<bool>,
    /// How the person using the service is involved.
    #[serde(with = "by_code")]
    pub abuse_role: Option<AbuseRole>,
    /// The type of abuse (the ten in the statutory guidance).
    #[serde(with = "by_code")]
    pub abuse_type: Option<AbuseType>,
    /// Reported to, or investigated by, the police.
    pub police_involved: Option<bool>,
    /// A DoLS or Court of Protection outcome (none when absent).
    #[serde(with = "by_code")]
    pub dols_outcome: Option<DolsOutcome>,
    /// A DoLS application was made.
    pub dols_application_made: Option<bool>,
    /// An event threatening safe running (none when absent).
    #[serde(with = "by_code")]
    pub service_disruption: Option<ServiceDisruption>,
    /// A discrete, unintended event.
    pub accident: Option<bool>,
    /// The work activity, equipment, environment or supervision contributed.
    pub work_related: Option<bool>,
    /// Why it is, or is not, work-related.
    pub work_related_rationale: Option<String>,
    /// A RIDDOR specified injury (none when absent).
    #[serde(with = "by_code")]
    pub specified_injury: Option<SpecifiedInjury>,
    /// Taken directly from the scene to hospital for treatment.
    pub taken_to_hospital_for_treatment: Option<bool>,
    /// The accident happened at a hospital.
    pub accident_at_hospital: Option<bool>,
    /// Consecutive days unable to do normal work, not counting the day of the accident.
    pub days_incapacitated: Option<u32>,
    /// A RIDDOR occupational disease (none when absent).
    #[serde(with = "by_code")]
    pub occupational_disease: Option<OccupationalDisease>,
    /// A RIDDOR dangerous occurrence (none when absent).
    #[serde(with = "by_code")]
    pub dangerous_occurrence: Option<DangerousOccurrence>,
    /// Section 42 test (a): the adult has care and support needs.
    pub adult_has_care_and_support_needs: Option<bool>,
    /// Section 42 test (b): experiencing, or at risk of, abuse or neglect.
    pub experiencing_or_at_risk_of_abuse_or_neglect: Option<bool>,
    /// Section 42 test (c): unable to protect themselves because of those needs.
    pub unable_to_protect_self: Option<bool>,
    /// A personal data breach.
    pub personal_data_breach: Option<bool>,
    /// The risk it poses.
    #[serde(with = "by_code")]
    pub breach_risk_to_individuals: Option<BreachRisk>,
    /// When the provider became aware of the breach.
    pub became_aware_at: Option<Timestamp>,
    /// When the provider became aware of the incident (the report time if absent).
    pub awareness_at: Option<Timestamp>,
}

/// Applies a partial update: each key of `patch` sets that fact (`null`
/// clears it). Returns the new assessment and the facts that changed, or
/// every problem named by its fact.
pub fn apply_patch(
    current: &Assessment,
    patch: &serde_json::Map<String, serde_json::Value>,
) -> Result<(Assessment, Vec<String>), crate::validation::FieldErrors> {
    use serde_json::Value;
    let mut errors = crate::validation::FieldErrors::new();
    let Ok(Value::Object(mut merged)) = serde_json::to_value(current) else {
        errors.add("assessment", "The stored assessment could not be read");
        return Err(errors);
    };
    let mut changed = Vec::new();
    for (key, value) in patch {
        if !merged.contains_key(key) {
            errors.add(key, format!("Candour does not know the fact {key}"));
            continue;
        }
        let mut one = serde_json::Map::new();
        one.insert(key.clone(), value.clone());
        match serde_json::from_value::<Assessment>(Value::Object(one)) {
            Err(e) => errors.add(key, format!("{key} could not be read: {e}")),
            Ok(single) => {
                if single
                    .hcp_opinion
                    .as_ref()
                    .is_some_and(|o| o.name.trim().is_empty() || o.role.trim().is_empty())
                {
                    errors.add(key, "Give the health care professional's name and role");
                }
                if single.days_incapacitated.is_some_and(|d| d > 366) {
                    errors.add(key, "Give the days off work as a number from 0 to 366");
                }
                if merged.get(key) != Some(value) {
                    changed.push(key.clone());
                }
                merged.insert(key.clone(), value.clone());
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    match serde_json::from_value::<Assessment>(Value::Object(merged)) {
        Ok(a) => Ok((a, changed)),
        Err(e) => {
            errors.add(
                "assessment",
                format!("The assessment could not be read: {e}"),
            );
            Err(errors)
        }
    }
}

/// Checks the times among the facts just changed: none in the future, none
/// before the incident happened (an opinion about it, or becoming aware of
/// it, cannot come first). Each problem names its fact.
pub fn check_times(
    a: &Assessment,
    changed: &[String],
    occurred_at: Timestamp,
    now: Timestamp,
) -> crate::validation::FieldErrors {
    let mut e = crate::validation::FieldErrors::new();
    let times = [
        (
            "hcp_opinion",
            a.hcp_opinion.as_ref().map(|o| o.given_at),
            "the health care professional's opinion",
        ),
        ("awareness_at", a.awareness_at, "becoming aware of it"),
        (
            "became_aware_at",
            a.became_aware_at,
            "becoming aware of the breach",
        ),
    ];
    for (fact, at, what) in times {
        let Some(at) = at.filter(|_| changed.iter().any(|c| c == fact)) else {
            continue;
        };
        if at > now {
            e.add(fact, format!("The time of {what} cannot be in the future"));
        } else if at < occurred_at {
            e.add(
                fact,
                format!(
                    "The time of {what} cannot be before the incident happened ({})",
                    crate::display::date_time(occurred_at)
                ),
            );
        }
    }
    e
}

/// The organisation's settings for "without delay" and "as soon as
/// reasonably practicable" (the law gives no number).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DutySettings {
    /// Hours to notify CQC.
    pub cqc_hours: i64,
    /// Working days for the duty of candour's notification.
    pub candour_working_days: u32,
}

impl Default for DutySettings {
    fn default() -> Self {
        DutySettings {
            cqc_hours: 24,
            candour_working_days: 10,
        }
    }
}

/// The incident, as far as the rules need it.
#[derive(Debug, Clone, Copy)]
pub struct IncidentFacts<'a> {
    /// When it happened.
    pub occurred_at: Timestamp,
    /// When it was reported.
    pub reported_at: Timestamp,
    /// Its category (a data breach is asked about only for that category).
    pub category: Category,
    /// The physical harm graded at triage, if triaged.
    pub physical_harm: Option<PhysicalHarm>,
    /// The service's working days.
    pub calendar: &'a Calendar,
    /// The organisation's settings.
    pub settings: DutySettings,
}

code_enum! {
    /// A statutory duty.
    Duty {
        /// CQC regulation 16.
        CqcDeathNotification = ("cqc_death_notification", "CQC notification: death"),
        /// CQC regulation 18(2)(a)–(b).
        CqcSeriousInjuryNotification = ("cqc_serious_injury_notification", "CQC notification: serious injury"),
        /// CQC regulation 18(2)(e).
        CqcAbuseNotification = ("cqc_abuse_notification", "CQC notification: abuse or allegation of abuse"),
        /// CQC regulation 18(2)(f).
        CqcPoliceNotification = ("cqc_police_notification", "CQC notification: police involvement"),
        /// CQC regulation 18(2)(c)–(d).
        CqcDolsNotification = ("cqc_dols_notification", "CQC notification: DoLS outcome"),
        /// CQC regulation 18(2)(g).
        CqcServiceDisruptionNotification = ("cqc_service_disruption_notification", "CQC notification: event stopping the service running safely"),
        /// RIDDOR 2013.
        RiddorReport = ("riddor_report", "RIDDOR report to HSE"),
        /// Regulation 20.
        DutyOfCandour = ("duty_of_candour", "Duty of candour"),
        /// Care Act 2014 section 42.
        SafeguardingReferral = ("safeguarding_referral", "Safeguarding referral to the local authority"),
        /// UK GDPR article 33.
        IcoBreachReport = ("ico_breach_report", "Personal data breach report to the ICO"),
    }
}

code_enum! {
    /// Whether a duty applies.
    Verdict {
        /// It applies.
        Required = ("required", "Required"),
        /// It does not.
        NotRequired = ("not_required", "Not required"),
        /// It cannot be decided yet.
        NeedsInformation = ("needs_information", "Needs information"),
    }
}

code_enum! {
    /// Why a RIDDOR report is required.
    RiddorKind {
        /// A work-related death.
        Death = ("death", "Death"),
        /// A specified injury.
        SpecifiedInjury = ("specified_injury", "Specified injury"),
        /// A worker unable to work for more than seven days.
        OverSevenDayIncapacitation = ("over_seven_day_incapacitation", "Over-seven-day incapacitation"),
        /// A non-worker taken from the scene to hospital for treatment.
        NonWorkerToHospital = ("non_worker_to_hospital", "Non-worker taken to hospital"),
        /// An occupational disease.
        OccupationalDisease = ("occupational_disease", "Occupational disease"),
        /// A dangerous occurrence.
        DangerousOccurrence = ("dangerous_occurrence", "Dangerous occurrence"),
    }
}

/// One duty decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// Which duty.
    pub duty: Duty,
    /// Whether it applies.
    pub verdict: Verdict,
    /// The regulation and paragraph.
    pub basis: &'static str,
    /// Why, in a sentence.
    pub reason: String,
    /// When it is due, where a deadline applies.
    pub due_at: Option<Timestamp>,
    /// The facts still needed (for `needs_information`), as named in the API.
    pub missing_facts: Vec<&'static str>,
    /// For RIDDOR: which kind of report.
    pub riddor_kind: Option<RiddorKind>,
    /// Where the rule comes from (domain.md's source).
    pub source: &'static str,
}

fn decision(duty: Duty, basis: &'static str, source: &'static str) -> Decision {
    Decision {
        duty,
        verdict: Verdict::NotRequired,
        basis,
        reason: String::new(),
        due_at: None,
        missing_facts: Vec::new(),
        riddor_kind: None,
        source,
    }
}

impl Decision {
    fn required(mut self, reason: impl Into<String>, due_at: Timestamp) -> Decision {
        self.verdict = Verdict::Required;
        self.reason = reason.into();
        self.due_at = Some(due_at);
        self
    }

    fn not_required(mut self, reason: impl Into<String>) -> Decision {
        self.verdict = Verdict::NotRequired;
        self.reason = reason.into();
        self
    }

    fn needs(mut self, missing: Vec<&'static str>, reason: impl Into<String>) -> Decision {
        debug_assert!(!missing.is_empty());
        self.verdict = Verdict::NeedsInformation;
        self.reason = reason.into();
        self.missing_facts = missing;
        self
    }
}

/// Every duty, decided.
pub fn decide(a: &Assessment, i: &IncidentFacts<'_>) -> Vec<Decision> {
    let aware = a.awareness_at.unwrap_or(i.reported_at);
    let cqc_due = aware
        .checked_add(jiff::SignedDuration::from_hours(i.settings.cqc_hours))
        .unwrap_or(aware);
    let death = cqc_death(a, cqc_due);
    let injury = cqc_serious_injury(a, i, cqc_due);
    let abuse = cqc_abuse(a, cqc_due);
    let police = cqc_police(a, cqc_due, [&death, &injury, &abuse]);
    vec![
        death,
        injury,
        abuse,
        police,
        cqc_dols(a, cqc_due),
        cqc_disruption(a, cqc_due),
        riddor(a, i),
        candour(a, i, aware),
        safeguarding(a, aware),
        ico(a, i, aware),
    ]
}

/// The person affected uses the service: `Some(true)`, `Some(false)`, or unknown.
fn service_user(a: &Assessment) -> Option<bool> {
    a.person_type.map(|p| p == PersonType::ServiceUser)
}

fn cqc_death(a: &Assessment, due: Timestamp) -> Decision {
    let d = decision(
        Duty::CqcDeathNotification,
        "CQC (Registration) Regulations 2009, regulation 16",
        "domain.md §1.2 [S2][S7]",
    );
    match (service_user(a), a.died) {
        (Some(false), _) => d.not_required("Regulation 16 is about the death of a person using the service"),
        (_, Some(false)) => d.not_required("Nobody died"),
        (None, _) | (_, None) => d.needs(
            missing(&[("person_type", a.person_type.is_none()), ("died", a.died.is_none())]),
            "Say who was affected and whether they died",
        ),
        (Some(true), Some(true)) => match (a.occurred_during_regulated_activity, a.may_have_resulted_from_care) {
            (Some(true), _) => d.required(
                "A person using the service died while care was being provided: tell CQC, describing the circumstances, expected or not",
                due,
            ),
            (_, Some(true)) => d.required(
                "A person using the service died and the death may have resulted from the care: tell CQC, describing the circumstances",
                due,
            ),
            (Some(false), Some(false)) => d.not_required(
                "The death happened outside the care and did not result from it",
            ),
            (during, from_care) => d.needs(
                missing(&[
                    ("occurred_during_regulated_activity", during.is_none()),
                    ("may_have_resulted_from_care", from_care.is_none()),
                ]),
                "Say whether they died while care was being provided, or whether the death may have resulted from it",
            ),
        },
    }
}

/// A pressure ulcer CQC counts as a serious injury: category 3 or above
/// that developed in the service. Unstageable ulcers are full thickness
/// (category 3 or 4 with the depth hidden) and count; a suspected deep
/// tissue injury needs a health professional's opinion (UNCONFIRMED: the
/// CQC form names only "grade 3 or above").
fn serious_pressure_ulcer(a: &Assessment) -> bool {
    matches!(
        a.pressure_ulcer_category,
        Some(
            PressureUlcerCategory::Three
                | PressureUlcerCategory::Four
                | PressureUlcerCategory::Unstageable
        )
    ) && a.pressure_ulcer_acquired_in_service == Some(true)
}

fn cqc_serious_injury(a: &Assessment, i: &IncidentFacts<'_>, due: Timestamp) -> Decision {
    let d = decision(
        Duty::CqcSeriousInjuryNotification,
        "CQC (Registration) Regulations 2009, regulation 18(2)(a) and (b)",
        "domain.md §1.3 [S1][S3][S12]",
    );
    match service_user(a) {
        Some(false) => {
            return d
                .not_required("Regulation 18(2)(a) is about injuries to people using the service");
        }
        None => return d.needs(vec!["person_type"], "Say who was hurt"),
        Some(true) => {}
    }
    if a.died == Some(true) {
        return d.not_required("A death is notified under regulation 16 instead");
    }
    if serious_pressure_ulcer(a) {
        return d.required(
            "A pressure ulcer of category 3 or above developed while using the service: tell CQC it is a serious injury",
            due,
        );
    }
    match &a.hcp_opinion {
        Some(o) if !o.outcomes.is_empty() => d.required(
            format!(
                "{} ({}) judged the injury to have caused: {}. Tell CQC it is a serious injury",
                o.name,
                o.role,
                o.outcomes.iter().map(|x| x.label().to_lowercase()).collect::<Vec<_>>().join(", ")
            ),
            due,
        ),
        Some(o) => d.not_required(format!(
            "{} ({}) judged the injury to have caused none of the serious outcomes",
            o.name, o.role
        )),
        None if matches!(i.physical_harm, Some(PhysicalHarm::None | PhysicalHarm::Low)) => {
            d.not_required("The harm was graded none or low: no serious injury")
        }
        None => d.needs(
            vec!["hcp_opinion"],
            "Only a health care professional can say whether this is a serious injury: record their opinion",
        ),
    }
}

fn cqc_abuse(a: &Assessment, due: Timestamp) -> Decision {
    let d = decision(
        Duty::CqcAbuseNotification,
        "CQC (Registration) Regulations 2009, regulation 18(2)(e)",
        "domain.md §1.3, §4.4 [S1][S14]",
    );
    match a.abuse_alleged {
        Some(false) => d.not_required("No abuse is known or alleged"),
        None => d.needs(vec!["abuse_alleged"], "Say whether abuse is known or alleged"),
        Some(true) => match a.abuse_role {
            None => d.needs(
                vec!["abuse_role"],
                "Say whether the person using the service is the victim, the alleged abuser, or both",
            ),
            Some(role) => d.required(
                format!(
                    "Abuse or an allegation of abuse involving a person using the service ({}): tell CQC whatever the local authority decides",
                    role.label().to_lowercase()
                ),
                due,
            ),
        },
    }
}

fn cqc_police(a: &Assessment, due: Timestamp, specific: [&Decision; 3]) -> Decision {
    let d = decision(
        Duty::CqcPoliceNotification,
        "CQC (Registration) Regulations 2009, regulation 18(2)(f)",
        "domain.md §1.3 [S1][S15]",
    );
    match a.police_involved {
        Some(false) => d.not_required("The police were not involved"),
        None => d.needs(vec!["police_involved"], "Say whether it was reported to, or investigated by, the police"),
        Some(true) => match specific.iter().find(|s| s.verdict == Verdict::Required) {
            Some(s) => d.not_required(format!(
                "Tell CQC on the more specific form instead ({}), mentioning the police",
                s.duty.label()
            )),
            None if specific.iter().any(|s| s.verdict == Verdict::NeedsInformation) => d.needs(
                {
                    let mut m: Vec<&'static str> = Vec::new();
                    for f in specific.iter().flat_map(|s| s.missing_facts.iter().copied()) {
                        if !m.contains(&f) {
                            m.push(f);
                        }
                    }
                    m
                },
                "The police were involved: first decide whether a more specific CQC form applies",
            ),
            None => d.required("It was reported to, or investigated by, the police: tell CQC", due),
        },
    }
}

fn cqc_dols(a: &Assessment, due: Timestamp) -> Decision {
    let d = decision(
        Duty::CqcDolsNotification,
        "CQC (Registration) Regulations 2009, regulation 18(2)(c) and (d)",
        "domain.md §1.3 [S16][S17]",
    );
    match (a.dols_outcome, a.dols_application_made) {
        (Some(o), _) => d.required(
            format!(
                "A DoLS or Court of Protection outcome is known ({}): tell CQC",
                o.label().to_lowercase()
            ),
            due,
        ),
        (None, Some(true)) => d.not_required(
            "Not yet: CQC is told the outcome of a DoLS application, not the application",
        ),
        (None, _) => d.not_required("No DoLS or Court of Protection outcome"),
    }
}

fn cqc_disruption(a: &Assessment, due: Timestamp) -> Decision {
    let d = decision(
        Duty::CqcServiceDisruptionNotification,
        "CQC (Registration) Regulations 2009, regulation 18(2)(g)",
        "domain.md §1.3 [S1][S5][S11]",
    );
    match a.service_disruption {
        Some(s) => d.required(
            format!(
                "{}: tell CQC it threatens the safe running of the service",
                s.label()
            ),
            due,
        ),
        None => d.not_required("Nothing threatens the safe running of the service"),
    }
}

/// The end of the `days`-th calendar day after the accident's UK date.
fn days_after(at: Timestamp, days: i64) -> Timestamp {
    let day = at.to_zoned(london()).date();
    end_of_day(day.checked_add(jiff::Span::new().days(days)).unwrap_or(day))
}

fn riddor(a: &Assessment, i: &IncidentFacts<'_>) -> Decision {
    let d = decision(
        Duty::RiddorReport,
        "Reporting of Injuries, Diseases and Dangerous Occurrences Regulations 2013",
        "domain.md §2 [S20]–[S30]",
    );
    let ten = days_after(i.occurred_at, 10);
    let kind = |mut d: Decision, k: RiddorKind| {
        d.riddor_kind = Some(k);
        d
    };
    if let Some(o) = a.dangerous_occurrence {
        return kind(
            d.required(
                format!(
                    "{} is a dangerous occurrence: report it to HSE within 10 days",
                    o.label()
                ),
                ten,
            ),
            RiddorKind::DangerousOccurrence,
        );
    }
    let worker = a
        .person_type
        .map(|p| matches!(p, PersonType::Worker | PersonType::SelfEmployed));
    if let (Some(disease), Some(true)) = (a.occupational_disease, worker) {
        return kind(
            d.required(
                format!(
                    "{} was diagnosed in a worker: report it to HSE without delay",
                    disease.label()
                ),
                days_after(a.awareness_at.unwrap_or(i.reported_at), 0),
            ),
            RiddorKind::OccupationalDisease,
        );
    }
    let rationale = a
        .work_related_rationale
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    match (a.accident, a.work_related) {
        (Some(false), _) => {
            return d
                .not_required("Not an accident (a discrete, unintended event), so not reportable");
        }
        (_, Some(false)) => {
            return d.not_required(match rationale {
                Some(r) => format!("Not work-related: {r}"),
                None => "Not work-related: neither the work, the equipment, the environment nor how care was organised contributed".to_owned(),
            });
        }
        (None, _) | (_, None) => {
            return d.needs(
                missing(&[("accident", a.accident.is_none()), ("work_related", a.work_related.is_none())]),
                "Say whether it was an accident and whether the work, equipment, environment or supervision contributed",
            );
        }
        (Some(true), Some(true)) => {}
    }
    let (Some(worker), Some(died)) = (worker, a.died) else {
        return d.needs(
            missing(&[
                ("person_type", a.person_type.is_none()),
                ("died", a.died.is_none()),
            ]),
            "Say who was hurt and whether they died",
        );
    };
    if died {
        return kind(
            d.required("A work-related accident caused a death: tell HSE without delay and report within 10 days", ten),
            RiddorKind::Death,
        );
    }
    if worker {
        if let Some(s) = a.specified_injury {
            return kind(
                d.required(
                    format!(
                        "{}: a specified injury to a worker, report within 10 days",
                        s.label()
                    ),
                    ten,
                ),
                RiddorKind::SpecifiedInjury,
            );
        }
        return match a.days_incapacitated {
            Some(n) if n > 7 => kind(
                d.required(
                    format!("The worker could not do their normal work for {n} days: report within 15 days of the accident"),
                    days_after(i.occurred_at, 15),
                ),
                RiddorKind::OverSevenDayIncapacitation,
            ),
            Some(n) if n > 3 => d.not_required(format!(
                "{n} days off work: record it in the accident book (over three days), but it is not reportable"
            )),
            Some(_) => d.not_required("Not a specified injury, and not more than seven days off work"),
            None => d.needs(
                vec!["days_incapacitated"],
                "Say how many days in a row they could not do their normal work, not counting the day of the accident",
            ),
        };
    }
    match (a.accident_at_hospital, a.specified_injury, a.taken_to_hospital_for_treatment) {
        (Some(true), Some(s), _) => kind(
            d.required(format!("{}: a specified injury at a hospital, report within 10 days", s.label()), ten),
            RiddorKind::SpecifiedInjury,
        ),
        (Some(true), None, _) => d.not_required("At a hospital only a specified injury is reportable"),
        (_, _, Some(true)) if a.accident_at_hospital == Some(false) => kind(
            d.required(
                "Someone who is not a worker was taken straight from the scene to hospital for treatment: report within 10 days",
                ten,
            ),
            RiddorKind::NonWorkerToHospital,
        ),
        (_, _, Some(false)) => d.not_required(
            "Not taken straight to hospital for treatment (checks alone, or going home first, do not count)",
        ),
        (at, _, taken) => d.needs(
            missing(&[("accident_at_hospital", at.is_none()), ("taken_to_hospital_for_treatment", taken.is_none())]),
            "Say whether they were taken straight from the scene to hospital for treatment, and whether it happened at a hospital",
        ),
    }
}

fn candour(a: &Assessment, i: &IncidentFacts<'_>, aware: Timestamp) -> Decision {
    let d = decision(
        Duty::DutyOfCandour,
        "Health and Social Care Act 2008 (Regulated Activities) Regulations 2014, regulation 20(9)",
        "domain.md §3 [S36][S37][S38]",
    );
    let due = i.calendar.deadline(aware, i.settings.candour_working_days);
    if service_user(a) == Some(false) {
        return d.not_required("The duty of candour is owed to people using the service");
    }
    if a.unintended_or_unexpected == Some(false) {
        return d.not_required("The incident was neither unintended nor unexpected");
    }
    // Two limbs (regulation 20(9)): a death that relates to the incident,
    // or one of the outcomes a health care professional judged it caused.
    // Either known to hold is enough; both must be known not to.
    let death = match a.died {
        Some(true) => a.death_natural_course.map(|natural| !natural),
        Some(false) => Some(false),
        None if i.physical_harm == Some(PhysicalHarm::Fatal) => None,
        None => Some(false),
    };
    let injury = match &a.hcp_opinion {
        Some(o) => Some(!o.outcomes.is_empty()),
        // After a death, the harm to weigh is the death.
        None if a.died == Some(true) => Some(false),
        None if matches!(
            i.physical_harm,
            Some(PhysicalHarm::None | PhysicalHarm::Low)
        ) =>
        {
            Some(false)
        }
        None => None,
    };
    let harm = match (death, injury) {
        (Some(true), _) | (_, Some(true)) => Some(true),
        (Some(false), Some(false)) => Some(false),
        _ => None,
    };
    match (harm, a.unintended_or_unexpected, service_user(a)) {
        (Some(false), _, _) => d.not_required(if a.died == Some(true) {
            "The death relates to the natural course of their illness, not to the incident, and no other notifiable harm was found"
        } else {
            "No harm at the level the duty of candour needs (death, or 28 days' harm, or treatment to prevent it)"
        }),
        (Some(true), Some(true), Some(true)) => d.required(
            "An unintended or unexpected incident caused notifiable harm: tell the person or their representative in person, apologise, and follow it up in writing",
            due,
        ),
        (harm, unintended, user) => d.needs(
            missing(&[
                ("person_type", user.is_none()),
                ("unintended_or_unexpected", unintended.is_none()),
                ("died", harm.is_none() && death.is_none() && a.died.is_none()),
                ("death_natural_course", harm.is_none() && death.is_none() && a.died == Some(true)),
                ("hcp_opinion", harm.is_none() && injury.is_none()),
            ]),
            "Say whether it was unintended or unexpected and what a health care professional judged it caused",
        ),
    }
}

fn safeguarding(a: &Assessment, aware: Timestamp) -> Decision {
    let d = decision(
        Duty::SafeguardingReferral,
        "Care Act 2014, section 42",
        "domain.md §4.1, §4.3 [S47][S53]",
    );
    let tests = [
        (
            "adult_has_care_and_support_needs",
            a.adult_has_care_and_support_needs,
        ),
        (
            "experiencing_or_at_risk_of_abuse_or_neglect",
            a.experiencing_or_at_risk_of_abuse_or_neglect,
        ),
        ("unable_to_protect_self", a.unable_to_protect_self),
    ];
    if let Some((name, _)) = tests.iter().find(|(_, v)| *v == Some(false)) {
        return d.not_required(match *name {
            "adult_has_care_and_support_needs" => "The adult has no care and support needs",
            "experiencing_or_at_risk_of_abuse_or_neglect" => {
                "The adult is not experiencing, or at risk of, abuse or neglect"
            }
            _ => "The adult can protect themselves",
        });
    }
    let unknown: Vec<&'static str> = tests
        .iter()
        .filter(|(_, v)| v.is_none())
        .map(|(n, _)| *n)
        .collect();
    if !unknown.is_empty() {
        return d.needs(unknown, "Answer the three section 42 questions");
    }
    d.required(
        "All three section 42 tests are met: raise a safeguarding concern with the local authority today (999 or the police first if anyone is in danger)",
        end_of_day(aware.to_zoned(london()).date()),
    )
}

fn ico(a: &Assessment, i: &IncidentFacts<'_>, aware: Timestamp) -> Decision {
    let d = decision(
        Duty::IcoBreachReport,
        "UK GDPR article 33",
        "domain.md §14.2 [S129]",
    );
    let breach = a
        .personal_data_breach
        .or((i.category != Category::DataBreach).then_some(false));
    match (breach, a.breach_risk_to_individuals) {
        (Some(false), _) => d.not_required("Not a personal data breach"),
        (None, _) => d.needs(
            vec!["personal_data_breach"],
            "Say whether personal data was lost, changed, or seen by someone who should not",
        ),
        (Some(true), None) => d.needs(
            vec!["breach_risk_to_individuals"],
            "Say how likely the breach is to harm the people it is about",
        ),
        (Some(true), Some(BreachRisk::Unlikely)) => {
            d.not_required("Unlikely to harm anyone: record the breach and why it was not reported")
        }
        (Some(true), Some(risk)) => {
            let from = a.became_aware_at.unwrap_or(aware);
            let due = from
                .checked_add(jiff::SignedDuration::from_hours(72))
                .unwrap_or(from);
            d.required(
                if risk == BreachRisk::HighRisk {
                    "A breach likely to harm people: report to the ICO within 72 hours of becoming aware, and tell the people it is about"
                } else {
                    "A breach that may harm people: report to the ICO within 72 hours of becoming aware"
                },
                due,
            )
        }
    }
}

fn missing(facts: &[(&'static str, bool)]) -> Vec<&'static str> {
    facts.iter().filter(|(_, m)| *m).map(|(n, _)| *n).collect()
}

#[cfg(test)]
#[path = "duties_tests.rs"]
mod tests;

/// How a fact is asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ask {
    /// Yes or no.
    YesNo,
    /// One of these (code, label).
    Choice(Vec<(&'static str, &'static str)>),
    /// A whole number up to this.
    Number(u32),
    /// A health care professional's opinion: name, role, when, outcomes.
    Opinion,
    /// A date and time (UK).
    Instant,
}

/// A question for one fact, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    /// The fact's name (as in the API).
    pub fact: &'static str,
    /// The question.
    pub text: &'static str,
    /// How it is answered.
    pub ask: Ask,
}

fn choices<T: Copy>(all: &[T], code: fn(T) -> &'static str, label: fn(T) -> &'static str) -> Ask {
    Ask::Choice(all.iter().map(|v| (code(*v), label(*v))).collect())
}

/// The question that asks for `fact`, if Candour asks it.
pub fn question(fact: &str) -> Option<Question> {
    let (fact, text, ask): (&'static str, &'static str, Ask) = match fact {
        "person_type" => (
            "person_type",
            "Who was affected?",
            choices(PersonType::ALL, PersonType::code, PersonType::label),
        ),
        "died" => ("died", "Did they die?", Ask::YesNo),
        "death_natural_course" => (
            "death_natural_course",
            "Does the death relate to the natural course of their illness, rather than to the incident?",
            Ask::YesNo,
        ),
        "occurred_during_regulated_activity" => (
            "occurred_during_regulated_activity",
            "Did it happen while care was being provided?",
            Ask::YesNo,
        ),
        "may_have_resulted_from_care" => (
            "may_have_resulted_from_care",
            "Has it, or may it have, resulted from the care?",
            Ask::YesNo,
        ),
        "hcp_opinion" => (
            "hcp_opinion",
            "What did a health care professional judge the injury to have caused?",
            Ask::Opinion,
        ),
        "unintended_or_unexpected" => (
            "unintended_or_unexpected",
            "Was the incident unintended or unexpected?",
            Ask::YesNo,
        ),
        "abuse_alleged" => ("abuse_alleged", "Is abuse known or alleged?", Ask::YesNo),
        "abuse_role" => (
            "abuse_role",
            "How is the person using the service involved in the abuse?",
            choices(AbuseRole::ALL, AbuseRole::code, AbuseRole::label),
        ),
        "abuse_type" => (
            "abuse_type",
            "If abuse is alleged, what type",
            choices(AbuseType::ALL, AbuseType::code, AbuseType::label),
        ),
        "awareness_at" => (
            "awareness_at",
            "When did the service become aware of the incident? (Candour uses the time it was reported if you leave this blank)",
            Ask::Instant,
        ),
        "became_aware_at" => (
            "became_aware_at",
            "When did the service become aware of the data breach? (the ICO's 72 hours run from then)",
            Ask::Instant,
        ),
        "police_involved" => (
            "police_involved",
            "Was it reported to, or investigated by, the police?",
            Ask::YesNo,
        ),
        "accident" => (
            "accident",
            "Was it an accident: a discrete, unintended event?",
            Ask::YesNo,
        ),
        "work_related" => (
            "work_related",
            "Did the work, equipment, environment or how care was organised contribute?",
            Ask::YesNo,
        ),
        "taken_to_hospital_for_treatment" => (
            "taken_to_hospital_for_treatment",
            "Were they taken straight from the scene to hospital for treatment (not only checks)?",
            Ask::YesNo,
        ),
        "accident_at_hospital" => (
            "accident_at_hospital",
            "Did it happen at a hospital?",
            Ask::YesNo,
        ),
        "days_incapacitated" => (
            "days_incapacitated",
            "How many days in a row could they not do their normal work, not counting the day of the accident?",
            Ask::Number(366),
        ),
        "adult_has_care_and_support_needs" => (
            "adult_has_care_and_support_needs",
            "Does the adult have needs for care and support?",
            Ask::YesNo,
        ),
        "experiencing_or_at_risk_of_abuse_or_neglect" => (
            "experiencing_or_at_risk_of_abuse_or_neglect",
            "Are they experiencing, or at risk of, abuse or neglect?",
            Ask::YesNo,
        ),
        "unable_to_protect_self" => (
            "unable_to_protect_self",
            "Because of those needs, are they unable to protect themselves?",
            Ask::YesNo,
        ),
        "personal_data_breach" => (
            "personal_data_breach",
            "Was personal data lost, changed, or seen by someone who should not have seen it?",
            Ask::YesNo,
        ),
        "breach_risk_to_individuals" => (
            "breach_risk_to_individuals",
            "How likely is the breach to harm the people it is about?",
            choices(BreachRisk::ALL, BreachRisk::code, BreachRisk::label),
        ),
        "pressure_ulcer_category" => (
            "pressure_ulcer_category",
            "If there is a pressure ulcer, its category",
            choices(
                PressureUlcerCategory::ALL,
                PressureUlcerCategory::code,
                PressureUlcerCategory::label,
            ),
        ),
        "pressure_ulcer_acquired_in_service" => (
            "pressure_ulcer_acquired_in_service",
            "Did the pressure ulcer develop while they used the service?",
            Ask::YesNo,
        ),
        "dols_outcome" => (
            "dols_outcome",
            "A DoLS or Court of Protection outcome, if one is known",
            choices(DolsOutcome::ALL, DolsOutcome::code, DolsOutcome::label),
        ),
        "dols_application_made" => (
            "dols_application_made",
            "Has a DoLS application been made?",
            Ask::YesNo,
        ),
        "service_disruption" => (
            "service_disruption",
            "Anything threatening the safe running of the service",
            choices(
                ServiceDisruption::ALL,
                ServiceDisruption::code,
                ServiceDisruption::label,
            ),
        ),
        "specified_injury" => (
            "specified_injury",
            "A RIDDOR specified injury, if a doctor diagnosed one",
            choices(
                SpecifiedInjury::ALL,
                SpecifiedInjury::code,
                SpecifiedInjury::label,
            ),
        ),
        "occupational_disease" => (
            "occupational_disease",
            "A RIDDOR occupational disease, if a doctor diagnosed one",
            choices(
                OccupationalDisease::ALL,
                OccupationalDisease::code,
                OccupationalDisease::label,
            ),
        ),
        "dangerous_occurrence" => (
            "dangerous_occurrence",
            "A RIDDOR dangerous occurrence, if there was one",
            choices(
                DangerousOccurrence::ALL,
                DangerousOccurrence::code,
                DangerousOccurrence::label,
            ),
        ),
        _ => return None,
    };
    Some(Question { fact, text, ask })
}

/// Facts the engine never asks for (events that either happened or did
/// not), offered for a reviewer to record when they apply.
pub const OPTIONAL_FACTS: &[&str] = &[
    "awareness_at",
    "became_aware_at",
    "abuse_type",
    "pressure_ulcer_category",
    "pressure_ulcer_acquired_in_service",
    "dols_outcome",
    "dols_application_made",
    "service_disruption",
    "specified_injury",
    "occupational_disease",
    "dangerous_occurrence",
];
