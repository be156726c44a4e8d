//! Reading stored answers back: from JSON, and as lines for people to read.

use super::values::YesNo;
use super::{Details, FALL_EQUIPMENT};

impl Details {
    /// Reads stored JSON; anything unreadable (or `{}`) is no details.
    pub fn from_json(json: &str) -> Details {
        serde_json::from_str(json).unwrap_or(Details::None)
    }

    /// The answers as (question, answer) lines for people to read.
    pub fn summary(&self) -> Vec<(&'static str, String)> {
        let yes_no = |v: &YesNo| v.label().to_owned();
        let mut out: Vec<(&'static str, String)> = Vec::new();
        let sites = |v: &Vec<String>| {
            (!v.is_empty()).then(|| {
                v.iter()
                    .filter_map(|c| super::body::label(c))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
        };
        let mut opt = |label: &'static str, v: Option<String>| {
            if let Some(v) = v {
                out.push((label, v));
            }
        };
        match self {
            Details::Fall {
                seen,
                head_struck,
                anticoagulant,
                location,
                footwear,
                equipment,
                body_sites,
            } => {
                opt("Seen", Some(seen.label().to_owned()));
                opt("Head struck", Some(yes_no(head_struck)));
                opt("On a blood thinner", Some(yes_no(anticoagulant)));
                opt("Where exactly", location.clone());
                opt("Footwear", footwear.map(|f| f.label().to_owned()));
                let eq: Vec<&str> = FALL_EQUIPMENT
                    .iter()
                    .filter(|(c, _)| equipment.iter().any(|e| e == c))
                    .map(|(_, l)| *l)
                    .collect();
                opt("In use", (!eq.is_empty()).then(|| eq.join(", ")));
                opt("Where on the body", sites(body_sites));
            }
            Details::Medication {
                error_type,
                stage,
                medicine,
                time_due,
                time_given,
                mar_reference,
                reached_person,
                advice,
            } => {
                opt("What went wrong", Some(error_type.label().to_owned()));
                opt("Reached the person", Some(yes_no(reached_person)));
                opt("Medicine", medicine.clone());
                opt("Due", time_due.clone());
                opt("Given", time_given.clone());
                opt("Stage", stage.map(|s| s.label().to_owned()));
                opt("MAR reference", mar_reference.clone());
                opt("Advice from", advice.map(|a| a.label().to_owned()));
            }
            Details::Behaviour {
                antecedent,
                behaviour,
                consequence,
                duration_minutes,
                intensity,
                restriction,
            } => {
                opt("Before (antecedent)", antecedent.clone());
                opt("Behaviour", behaviour.clone());
                opt("After (consequence)", consequence.clone());
                opt("Minutes", duration_minutes.map(|m| m.to_string()));
                opt("Intensity", intensity.map(|i| i.label().to_owned()));
                opt(
                    "Restrictive intervention",
                    Some(restriction.label().to_owned()),
                );
            }
            Details::PressureUlcer {
                ulcer_category,
                body_site,
                origin,
                body_sites,
            } => {
                opt("Category", ulcer_category.map(|c| c.label().to_owned()));
                opt("Where on the body", body_site.clone());
                opt("Origin", Some(origin.label().to_owned()));
                opt("Where on the body", sites(body_sites));
            }
            Details::Safeguarding {
                abuse_type,
                alleged_by,
                protection,
            } => {
                opt(
                    "Type of abuse or neglect",
                    abuse_type.map(|a| a.label().to_owned()),
                );
                opt(
                    "Alleged to be caused by",
                    Some(alleged_by.label().to_owned()),
                );
                opt("Protection taken", protection.clone());
            }
            Details::DataBreach { became_aware_at } => {
                opt(
                    "Became aware",
                    Some(crate::display::date_time(*became_aware_at)),
                );
            }
            Details::StaffInjury { body_sites } => opt("Where on the body", sites(body_sites)),
            Details::None => {}
            other => {
                for (label, answer) in super::other::summary(other) {
                    opt(label, Some(answer));
                }
            }
        }
        out
    }

    /// The body-map regions marked, for categories that have a body map.
    pub fn body_sites(&self) -> &[String] {
        match self {
            Details::Fall { body_sites, .. }
            | Details::PressureUlcer { body_sites, .. }
            | Details::StaffInjury { body_sites } => body_sites,
            _ => &[],
        }
    }

    /// The JSON stored with the report.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".to_owned())
    }
}
