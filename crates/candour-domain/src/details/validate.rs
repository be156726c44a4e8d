//! Checking a category's answers: what is required, what each value may be.

use super::values::*;
use super::{Details, FALL_EQUIPMENT, RawDetails};
use crate::incident::{Category, london};
use crate::validation::FieldErrors;
use jiff::Timestamp;

struct Reader<'a> {
    raw: &'a RawDetails,
    errors: FieldErrors,
}

impl<'a> Reader<'a> {
    fn text(&self, field: &str) -> Option<String> {
        self.raw
            .get(field)
            .and_then(|v| v.first())
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    }

    fn optional_text(&mut self, field: &str, max: usize) -> Option<String> {
        let t = self.text(field)?;
        if t.chars().count() > max {
            self.errors
                .add(field, format!("Keep this to {max} characters or fewer"));
            return None;
        }
        Some(t)
    }

    fn required<T>(
        &mut self,
        field: &str,
        parse: fn(&str) -> Option<T>,
        message: &str,
    ) -> Option<T> {
        match self.text(field).as_deref().and_then(parse) {
            Some(v) => Some(v),
            None => {
                self.errors.add(field, message);
                None
            }
        }
    }

    /// Body-map regions ticked, without repeats; an unknown code is an error.
    fn body_sites(&mut self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for code in self.raw.get("body_sites").cloned().unwrap_or_default() {
            if super::body::label(&code).is_none() {
                self.errors
                    .add("body_sites", "Choose places on the body from the list");
            } else if !out.contains(&code) {
                out.push(code);
            }
        }
        out
    }

    fn optional<T>(
        &mut self,
        field: &str,
        parse: fn(&str) -> Option<T>,
        message: &str,
    ) -> Option<T> {
        let t = self.text(field)?;
        let v = parse(&t);
        if v.is_none() {
            self.errors.add(field, message);
        }
        v
    }
}

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
        _ => Details::None,
    };
    r.errors.into_result(details)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::details::NG232_REFER;

    type Case<'a> = (Category, &'a [(&'a str, &'a str)], &'a str);

    fn now() -> Timestamp {
        "2026-11-23T10:00:00Z"
            .parse()
            .unwrap_or(Timestamp::UNIX_EPOCH)
    }

    fn raw(pairs: &[(&str, &str)]) -> RawDetails {
        let mut m = RawDetails::new();
        for (k, v) in pairs {
            m.entry((*k).to_owned()).or_default().push((*v).to_owned());
        }
        m
    }

    #[test]
    fn times_of_day_are_read_as_people_type_them() {
        for (typed, want) in [
            ("8:00", Some("08:00")),
            ("08:00", Some("08:00")),
            ("0815", Some("08:15")),
            ("23.59", Some("23:59")),
            ("24:00", None),
            ("8", None),
            ("", None),
            ("12:60", None),
        ] {
            assert_eq!(hh_mm(typed).as_deref(), want, "{typed:?}");
        }
    }

    #[test]
    fn a_witnessed_fall_without_head_strike_needs_only_skin_checks() {
        let d = validate_details(
            Category::Fall,
            &raw(&[
                ("seen", "witnessed"),
                ("head_struck", "no"),
                ("anticoagulant", "no"),
            ]),
            now(),
        );
        let d = d.map_err(|e| e.to_string());
        assert!(matches!(d, Ok(Details::Fall { .. })));
        let d = d.unwrap_or(Details::None);
        assert!(!d.needs_head_injury_checks());
        assert!(d.head_injury_prompts().is_empty());
        assert_eq!(d.post_fall_schedule(now()).len(), 2);
    }

    #[test]
    fn an_unwitnessed_fall_or_a_head_strike_brings_the_nice_prompts_and_observations() {
        for pairs in [
            [
                ("seen", "found_on_floor"),
                ("head_struck", "no"),
                ("anticoagulant", "no"),
            ],
            [
                ("seen", "witnessed"),
                ("head_struck", "yes"),
                ("anticoagulant", "yes"),
            ],
            [
                ("seen", "witnessed"),
                ("head_struck", "not_known"),
                ("anticoagulant", "no"),
            ],
        ] {
            let d = validate_details(Category::Fall, &raw(&pairs), now()).unwrap_or(Details::None);
            assert!(d.needs_head_injury_checks(), "{pairs:?}");
            assert!(d.head_injury_prompts().len() >= NG232_REFER.len());
            let schedule = d.post_fall_schedule(now());
            // 4 half-hourly, 4 hourly, 9 two-hourly up to 24 h, then 2 skin checks.
            assert_eq!(schedule.len(), 4 + 4 + 9 + 2, "{schedule:?}");
            assert!(schedule.windows(2).all(|w| w[0].0 <= w[1].0));
        }
        let d = validate_details(
            Category::Fall,
            &raw(&[
                ("seen", "witnessed"),
                ("head_struck", "yes"),
                ("anticoagulant", "yes"),
            ]),
            now(),
        )
        .unwrap_or(Details::None);
        assert!(d.head_injury_prompts()[0].contains("anticoagulant"));
    }

    #[test]
    fn each_category_names_its_missing_or_wrong_answers() {
        let cases: [Case<'_>; 10] = [
            (
                Category::Fall,
                &[("head_struck", "no"), ("anticoagulant", "no")],
                "seen",
            ),
            (
                Category::Fall,
                &[
                    ("seen", "witnessed"),
                    ("head_struck", "maybe"),
                    ("anticoagulant", "no"),
                ],
                "head_struck",
            ),
            (
                Category::Fall,
                &[
                    ("seen", "witnessed"),
                    ("head_struck", "no"),
                    ("anticoagulant", "no"),
                    ("equipment", "trampoline"),
                ],
                "equipment",
            ),
            (
                Category::Medication,
                &[("reached_person", "no")],
                "error_type",
            ),
            (
                Category::Medication,
                &[("error_type", "omission"), ("reached_person", "perhaps")],
                "reached_person",
            ),
            (
                Category::Medication,
                &[
                    ("error_type", "omission"),
                    ("reached_person", "no"),
                    ("time_due", "25:00"),
                ],
                "time_due",
            ),
            (
                Category::Behaviour,
                &[("duration_minutes", "ten")],
                "duration_minutes",
            ),
            (
                Category::PressureUlcer,
                &[("ulcer_category", "5")],
                "ulcer_category",
            ),
            (
                Category::Safeguarding,
                &[("abuse_type", "bullying")],
                "abuse_type",
            ),
            (
                Category::DataBreach,
                &[("aware_date", "2027-01-01"), ("aware_time", "09:00")],
                "aware_date",
            ),
        ];
        for (category, pairs, field) in cases {
            let errs = validate_details(category, &raw(pairs), now())
                .err()
                .unwrap_or_default();
            assert!(
                errs.for_field(field).is_some(),
                "{category:?} {field}: {errs:?}"
            );
        }
    }

    #[test]
    fn complete_answers_pass_for_every_category_with_questions() {
        let cases: [(Category, &[(&str, &str)]); 5] = [
            (
                Category::Medication,
                &[
                    ("error_type", "wrong_time"),
                    ("reached_person", "yes"),
                    ("time_due", "8:00"),
                    ("advice", "pharmacist"),
                ],
            ),
            (
                Category::Behaviour,
                &[
                    ("behaviour", "Shouted and threw a cup"),
                    ("duration_minutes", "15"),
                    ("restriction", "none"),
                ],
            ),
            (
                Category::PressureUlcer,
                &[
                    ("ulcer_category", "3"),
                    ("origin", "acquired_in_service"),
                    ("body_site", "Sacrum"),
                ],
            ),
            (
                Category::Safeguarding,
                &[("abuse_type", "financial"), ("alleged_by", "family")],
            ),
            (
                Category::DataBreach,
                &[("aware_date", "2026-11-23"), ("aware_time", "09:15")],
            ),
        ];
        for (category, pairs) in cases {
            let d = validate_details(category, &raw(pairs), now());
            assert!(d.is_ok(), "{category:?}: {d:?}");
        }
        // Categories without questions accept anything and store nothing.
        assert_eq!(
            validate_details(Category::Choking, &raw(&[("x", "y")]), now()).ok(),
            Some(Details::None)
        );
        let json = validate_details(
            Category::Medication,
            &raw(&[
                ("error_type", "wrong_time"),
                ("reached_person", "yes"),
                ("time_due", "8:00"),
            ]),
            now(),
        )
        .map(|d| d.to_json())
        .unwrap_or_default();
        assert!(
            json.contains("\"time_due\":\"08:00\"") && json.contains("\"category\":\"medication\""),
            "{json}"
        );
    }
}
