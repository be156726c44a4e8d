//! Checking a category's answers: what is required, what each value may be.

use super::reader::Reader;
use super::values::*;
use super::{Details, FALL_EQUIPMENT, RawDetails};
use crate::incident::{Category, london};
use crate::validation::FieldErrors;
use jiff::Timestamp;

/// Reads a time of day typed as `8:00`, `08:00` or `0800`, as `HH:MM`.
pub fn hh_mm(s: &str) -> Option<String> {
    let s = s.trim();
    let (h, m) = match s.split_once(':').or_else(|| s.split_once('.')) {
        Some(parts) => parts,
        None if s.len() == 4 => s.split_at(2),
        None => return None,
    };
    let (h, m): (u8, u8) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60 && (1..=2).contains(&h.to_string().len())).then(|| format!("{h:02}:{m:02}"))
}

/// Checks the answers for `category`. `now` bounds times in the future.
pub fn validate_details(
    category: Category,
    raw: &RawDetails,
    now: Timestamp,
) -> Result<Details, FieldErrors> {
    let mut r = Reader {
        raw,
        errors: FieldErrors::new(),
    };
    let details = match category {
        Category::Fall => {
            let seen = r.required(
                "seen",
                FallSeen::parse,
                "Say whether someone saw the fall or the person was found on the floor",
            );
            let head = r.required(
                "head_struck",
                YesNo::parse,
                "Say whether they hit their head (choose Not known if you do not know)",
            );
            let anti = r.required(
                "anticoagulant",
                YesNo::parse,
                "Say whether they take a blood thinner (choose Not known if you do not know)",
            );
            let location = r.optional_text("fall_location", 200);
            let footwear = r.optional(
                "footwear",
                Footwear::parse,
                "Choose the footwear from the list",
            );
            let equipment: Vec<String> = raw.get("equipment").cloned().unwrap_or_default();
            if equipment
                .iter()
                .any(|e| !FALL_EQUIPMENT.iter().any(|(code, _)| code == e))
            {
                r.errors.add("equipment", "Choose equipment from the list");
            }
            match (seen, head, anti) {
                (Some(seen), Some(head_struck), Some(anticoagulant)) => Details::Fall {
                    seen,
                    head_struck,
                    anticoagulant,
                    location,
                    footwear,
                    equipment,
                    body_sites: r.body_sites(),
                },
                _ => Details::None,
            }
        }
        Category::Medication => {
            let error_type = r.required(
                "error_type",
                MedicationError::parse,
                "Choose what went wrong with the medicine",
            );
            let stage = r.optional(
                "stage",
                MedicationStage::parse,
                "Choose the stage from the list",
            );
            let medicine = r.optional_text("medicine", 200);
            let time_due = r.optional("time_due", hh_mm, "Enter the time it was due, like 08:00");
            let time_given = r.optional(
                "time_given",
                hh_mm,
                "Enter the time it was given, like 09:15",
            );
            let mar_reference = r.optional_text("mar_reference", 100);
            let reached = Some(
                r.optional(
                    "reached_person",
                    YesNo::parse,
                    "Choose yes, no or not known",
                )
                .unwrap_or(YesNo::NotKnown),
            );
            let advice = r.optional(
                "advice",
                AdviceSought::parse,
                "Choose who was asked for advice",
            );
            match (error_type, reached) {
                (Some(error_type), Some(reached_person)) => Details::Medication {
                    error_type,
                    stage,
                    medicine,
                    time_due,
                    time_given,
                    mar_reference,
                    reached_person,
                    advice,
                },
                _ => Details::None,
            }
        }
        Category::Behaviour => {
            let antecedent = r.optional_text("antecedent", 2_000);
            let behaviour = r.optional_text("behaviour", 2_000);
            let consequence = r.optional_text("consequence", 2_000);
            let duration = r.optional(
                "duration_minutes",
                |s| s.parse::<u32>().ok().filter(|m| *m <= 24 * 60),
                "Enter the length in whole minutes, up to 1440",
            );
            let intensity = r.optional(
                "intensity",
                Intensity::parse,
                "Choose mild, moderate or severe",
            );
            let restriction = r
                .optional("restriction", Restriction::parse, "Choose from the list")
                .unwrap_or(Restriction::None);
            Details::Behaviour {
                antecedent,
                behaviour,
                consequence,
                duration_minutes: duration,
                intensity,
                restriction,
            }
        }
        Category::PressureUlcer => {
            let ulcer_category = r.optional(
                "ulcer_category",
                UlcerCategory::parse,
                "Choose the category of the pressure damage",
            );
            let body_site = r.optional_text("body_site", 200);
            let origin = r
                .optional("origin", UlcerOrigin::parse, "Choose from the list")
                .unwrap_or(UlcerOrigin::NotKnown);
            Details::PressureUlcer {
                ulcer_category,
                body_site,
                origin,
                body_sites: r.body_sites(),
            }
        }
        Category::Safeguarding => {
            let abuse_type = r.optional(
                "abuse_type",
                AbuseType::parse,
                "Choose the type of abuse or neglect from the list",
            );
            let alleged_by = r
                .optional("alleged_by", AllegedBy::parse, "Choose from the list")
                .unwrap_or(AllegedBy::Unknown);
            let protection = r.optional_text("protection", 2_000);
            Details::Safeguarding {
                abuse_type,
                alleged_by,
                protection,
            }
        }
        Category::DataBreach => {
            let date = r
                .text("aware_date")
                .and_then(|s| s.parse::<jiff::civil::Date>().ok());
            let time = r
                .text("aware_time")
                .and_then(|s| s.parse::<jiff::civil::Time>().ok());
            let at = match (date, time) {
                (Some(d), Some(t)) => london()
                    .to_ambiguous_timestamp(d.to_datetime(t))
                    .compatible()
                    .ok(),
                _ => None,
            };
            match at {
                Some(at) if at.as_second() <= now.as_second() + 300 => Details::DataBreach {
                    became_aware_at: at,
                },
                Some(_) => {
                    r.errors.add(
                        "aware_date",
                        "The time you became aware must not be in the future",
                    );
                    Details::None
                }
                None => {
                    r.errors.add(
                        "aware_date",
                        "Enter the date and time the service became aware of the breach",
                    );
                    Details::None
                }
            }
        }
        Category::StaffInjury => Details::StaffInjury {
            body_sites: r.body_sites(),
        },
        other => super::other::validate(other, &mut r),
    };
    r.errors.into_result(details)
}

#[cfg(test)]
#[path = "validate_tests.rs"]
mod tests;
