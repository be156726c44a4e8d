//! The questions each category asks the reporter, as a pure spec the report
//! form renders (one generic partial draws any question).

use super::FALL_EQUIPMENT;
use super::values::*;
use crate::incident::Category;

/// How a question is answered on the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// One of a few choices, shown as radio buttons.
    Radios,
    /// One of many choices, shown as a list.
    Select,
    /// Any number of choices, shown as checkboxes.
    Checkboxes,
    /// A line of text.
    Text,
    /// A paragraph of text.
    Textarea,
    /// A date, `YYYY-MM-DD`.
    Date,
    /// A time of day, `HH:MM`.
    Time,
    /// A whole number.
    Number,
    /// Regions of the body map (checkboxes grouped front and back).
    BodyMap,
}

/// One question of a category's section.
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    /// The field name in forms and JSON.
    pub name: &'static str,
    /// The question.
    pub label: &'static str,
    /// Help below the question (may be empty).
    pub hint: &'static str,
    /// How it is answered.
    pub input: Input,
    /// Whether the reporter must answer it.
    pub required: bool,
    /// The choices, as (code, label).
    pub options: Vec<(&'static str, &'static str)>,
}

fn q(
    name: &'static str,
    label: &'static str,
    hint: &'static str,
    input: Input,
    required: bool,
    options: Vec<(&'static str, &'static str)>,
) -> Question {
    Question {
        name,
        label,
        hint,
        input,
        required,
        options,
    }
}

macro_rules! opts {
    ($t:ty) => {
        <$t>::ALL
            .iter()
            .map(|v| (v.code(), v.label()))
            .collect::<Vec<_>>()
    };
}

/// The questions a category asks the reporter, in order. Empty for categories with none.
pub fn questions(category: Category) -> Vec<Question> {
    use Input::*;
    match category {
        Category::Fall => vec![
            q(
                "seen",
                "Did anyone see the fall?",
                "",
                Radios,
                true,
                opts!(FallSeen),
            ),
            q(
                "head_struck",
                "Did they hit their head?",
                "If you are not sure, choose Not known.",
                Radios,
                true,
                opts!(YesNo),
            ),
            q(
                "anticoagulant",
                "Do they take a blood thinner?",
                "An anticoagulant or antiplatelet medicine, such as apixaban, warfarin or clopidogrel (not aspirin alone).",
                Radios,
                true,
                opts!(YesNo),
            ),
            q(
                "fall_location",
                "Where exactly? (optional)",
                "For example: between the bed and the chair.",
                Text,
                false,
                vec![],
            ),
            q(
                "footwear",
                "What were they wearing on their feet? (optional)",
                "",
                Select,
                false,
                opts!(Footwear),
            ),
            body_map_question(),
            q(
                "equipment",
                "What was in use? (optional)",
                "",
                Checkboxes,
                false,
                FALL_EQUIPMENT.to_vec(),
            ),
        ],
        Category::Medication => vec![
            q(
                "error_type",
                "What went wrong with the medicine?",
                "",
                Select,
                true,
                opts!(MedicationError),
            ),
            q(
                "reached_person",
                "Did the medicine reach the person? (optional)",
                "",
                Radios,
                false,
                opts!(YesNo),
            ),
            q(
                "medicine",
                "Which medicine and strength? (optional)",
                "For example: apixaban 2.5 mg.",
                Text,
                false,
                vec![],
            ),
            q(
                "time_due",
                "Time it was due (optional)",
                "For example 08:00.",
                Text,
                false,
                vec![],
            ),
            q(
                "time_given",
                "Time it was given (optional)",
                "",
                Text,
                false,
                vec![],
            ),
            q(
                "stage",
                "At which stage? (optional)",
                "",
                Select,
                false,
                opts!(MedicationStage),
            ),
            q(
                "mar_reference",
                "MAR chart reference (optional)",
                "",
                Text,
                false,
                vec![],
            ),
            q(
                "advice",
                "Who was asked for advice? (optional)",
                "",
                Select,
                false,
                opts!(AdviceSought),
            ),
        ],
        Category::Behaviour => vec![
            q(
                "behaviour",
                "What did the person do or say? (optional)",
                "Describe it as you saw and heard it.",
                Textarea,
                false,
                vec![],
            ),
            q(
                "antecedent",
                "What happened just before? (optional)",
                "Where they were, who was there, what was going on.",
                Textarea,
                false,
                vec![],
            ),
            q(
                "consequence",
                "What happened just after? (optional)",
                "How people responded, and what changed.",
                Textarea,
                false,
                vec![],
            ),
            q(
                "duration_minutes",
                "How long did it last, in minutes? (optional)",
                "",
                Number,
                false,
                vec![],
            ),
            q(
                "intensity",
                "How strong was it? (optional)",
                "",
                Radios,
                false,
                opts!(Intensity),
            ),
            q(
                "restriction",
                "Was any restrictive intervention used?",
                "",
                Select,
                false,
                opts!(Restriction),
            ),
        ],
        Category::PressureUlcer => vec![
            body_map_question(),
            q(
                "ulcer_category",
                "What category is the damage? (optional)",
                "If you are not sure, leave it: a nurse adds it later.",
                Radios,
                false,
                opts!(UlcerCategory),
            ),
            q(
                "origin",
                "Did they have it when they came to us? (optional)",
                "",
                Radios,
                false,
                opts!(UlcerOrigin),
            ),
            q(
                "body_site",
                "Where on the body? (optional)",
                "For example: left heel.",
                Text,
                false,
                vec![],
            ),
        ],
        Category::Safeguarding => vec![
            q(
                "abuse_type",
                "What sort of abuse or neglect? (optional)",
                "",
                Select,
                false,
                opts!(AbuseType),
            ),
            q(
                "alleged_by",
                "Who is said to have caused it? (optional)",
                "",
                Radios,
                false,
                opts!(AllegedBy),
            ),
            q(
                "protection",
                "What was done to keep them safe? (optional)",
                "",
                Textarea,
                false,
                vec![],
            ),
        ],
        Category::DataBreach => vec![
            q(
                "aware_date",
                "Date the service became aware",
                "The ICO must usually be told within 72 hours of this.",
                Date,
                true,
                vec![],
            ),
            q(
                "aware_time",
                "Time the service became aware",
                "",
                Time,
                true,
                vec![],
            ),
        ],
        Category::StaffInjury => vec![body_map_question()],
        other => super::other::questions(other),
    }
}

/// Where on the body: the coded body-map regions.
fn body_map_question() -> Question {
    q(
        "body_sites",
        "Where on the body? (optional)",
        "Tick every place with an injury, bruise or skin damage.",
        Input::BodyMap,
        false,
        super::body::REGIONS.to_vec(),
    )
}
