//! Adding a person to a service's register: the rules their details must pass.

use crate::ids::AreaId;
use crate::nhs_number::NhsNumber;
use crate::organisation::PersonStatus;
use crate::validation::FieldErrors;
use jiff::civil::Date;

/// A person's details as typed, before any rule is applied.
#[derive(Debug, Clone, Default)]
pub struct PersonDraft {
    /// The name staff know them by.
    pub display_name: String,
    /// Date of birth, `YYYY-MM-DD`, optional.
    pub date_of_birth: String,
    /// NHS number, optional, with or without spaces.
    pub nhs_number: String,
    /// Area id, optional.
    pub area_id: String,
    /// Room, flat or address line, optional.
    pub room: String,
    /// Date they started using the service, `YYYY-MM-DD`.
    pub start_date: String,
    /// Status code; empty means active.
    pub status: String,
}

/// Details that passed every rule.
#[derive(Debug, Clone, PartialEq)]
pub struct NewPerson {
    /// Name.
    pub display_name: String,
    /// Date of birth.
    pub date_of_birth: Option<Date>,
    /// NHS number.
    pub nhs_number: Option<NhsNumber>,
    /// Area.
    pub area_id: Option<AreaId>,
    /// Room.
    pub room: Option<String>,
    /// Start date.
    pub start_date: Date,
    /// Status.
    pub status: PersonStatus,
}

impl PersonDraft {
    /// Applies every rule; `today` is the UK calendar date.
    pub fn validate(&self, today: Date) -> Result<NewPerson, FieldErrors> {
        let mut errors = FieldErrors::new();
        let display_name = self.display_name.trim().to_owned();
        if display_name.is_empty() {
            errors.add("display_name", "Enter the name the person is known by");
        } else if display_name.chars().count() > 200 {
            errors.add("display_name", "Name must be 200 characters or fewer");
        }
        let date_of_birth = match self.date_of_birth.trim() {
            "" => None,
            s => match s.parse::<Date>() {
                Ok(d) if d > today => {
                    errors.add("date_of_birth", "Date of birth must be in the past");
                    None
                }
                Ok(d) if today.year() - d.year() > 130 => {
                    errors.add(
                        "date_of_birth",
                        "Check the year of birth: that would make them over 130",
                    );
                    None
                }
                Ok(d) => Some(d),
                Err(_) => {
                    errors.add("date_of_birth", "Enter the date of birth like 1938-04-21");
                    None
                }
            },
        };
        let nhs_number = match self.nhs_number.trim() {
            "" => None,
            s => match NhsNumber::parse(s) {
                Ok(n) => Some(n),
                Err(e) => {
                    errors.add("nhs_number", e.to_string());
                    None
                }
            },
        };
        let area_id = match self.area_id.trim() {
            "" => None,
            s => match s.parse::<AreaId>() {
                Ok(a) => Some(a),
                Err(_) => {
                    errors.add("area_id", "Choose an area from the list, or leave it blank");
                    None
                }
            },
        };
        let room = Some(self.room.trim().to_owned()).filter(|r| !r.is_empty());
        if room.as_ref().is_some_and(|r| r.chars().count() > 100) {
            errors.add("room", "Room must be 100 characters or fewer");
        }
        let start_date = match self.start_date.trim().parse::<Date>() {
            Ok(d) => Some(d),
            Err(_) => {
                errors.add(
                    "start_date",
                    "Enter the date they started using the service, like 2026-11-02",
                );
                None
            }
        };
        let status = match self.status.trim() {
            "" => Some(PersonStatus::Active),
            s => PersonStatus::parse(s),
        };
        if status.is_none() {
            errors.add(
                "status",
                "Choose whether they live at the service or receive care now, are in hospital, are on leave, have moved out or have died",
            );
        }
        match (start_date, status) {
            (Some(start_date), Some(status)) if errors.is_empty() => Ok(NewPerson {
                display_name,
                date_of_birth,
                nhs_number,
                area_id,
                room,
                start_date,
                status,
            }),
            _ => Err(errors),
        }
    }
}

/// The register's own details as typed: preferred name and funding.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegisterDraft {
    /// The name they like to be called, optional.
    pub preferred_name: String,
    /// Funding code, optional.
    pub funding: String,
}

/// The register's own details that passed every rule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegisterDetails {
    /// Preferred name.
    pub preferred_name: Option<String>,
    /// How their care is paid for.
    pub funding: Option<crate::organisation::Funding>,
}

impl RegisterDraft {
    /// The details, or each field that is wrong by name.
    pub fn validate(&self) -> Result<RegisterDetails, FieldErrors> {
        let mut errors = FieldErrors::new();
        let preferred_name = Some(self.preferred_name.trim().to_owned()).filter(|p| !p.is_empty());
        if preferred_name
            .as_ref()
            .is_some_and(|p| p.chars().count() > 200)
        {
            errors.add(
                "preferred_name",
                "Preferred name must be 200 characters or fewer",
            );
        }
        let funding = match self.funding.trim() {
            "" => None,
            code => {
                let f = crate::organisation::Funding::parse(code);
                if f.is_none() {
                    errors.add("funding", "Choose how their care is funded from the list");
                }
                f
            }
        };
        errors.into_result(RegisterDetails {
            preferred_name,
            funding,
        })
    }
}

/// A change of status as typed: the status and the date it began.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatusDraft {
    /// Status code.
    pub status: String,
    /// `YYYY-MM-DD`.
    pub since: String,
}

impl StatusDraft {
    /// The status and date, checked against when they started (`start`),
    /// `today` and the status they have now (`now`): the date may not be in
    /// the future or before they started, and the status must change.
    pub fn validate(
        &self,
        start: Date,
        today: Date,
        now: PersonStatus,
    ) -> Result<(PersonStatus, Date), FieldErrors> {
        let mut errors = FieldErrors::new();
        let status = PersonStatus::parse(self.status.trim());
        match status {
            None => errors.add("status", "Choose their status"),
            Some(s) if s == now => errors.add(
                "status",
                format!("They are already recorded as {}", s.label().to_lowercase()),
            ),
            Some(_) => {}
        }
        let since = match self.since.trim().parse::<Date>() {
            Ok(d) if d > today => {
                errors.add("since", "The date cannot be in the future");
                None
            }
            Ok(d) if d < start => {
                errors.add(
                    "since",
                    "The date cannot be before they started using the service",
                );
                None
            }
            Ok(d) => Some(d),
            Err(_) => {
                errors.add("since", "Enter the date, like 2026-11-30");
                None
            }
        };
        match (status, since) {
            (Some(s), Some(d)) if errors.is_empty() => Ok((s, d)),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Date {
        jiff::civil::date(2026, 11, 23)
    }

    fn good() -> PersonDraft {
        PersonDraft {
            display_name: "Edna Hargreaves".into(),
            date_of_birth: "1938-04-21".into(),
            nhs_number: "943 476 5919".into(),
            start_date: "2026-11-02".into(),
            ..PersonDraft::default()
        }
    }

    #[test]
    fn a_complete_person_passes_and_defaults_to_active() {
        let p = good()
            .validate(today())
            .map(|p| (p.status, p.nhs_number.map(|n| n.as_str().to_owned())));
        assert_eq!(p, Ok((PersonStatus::Active, Some("9434765919".to_owned()))));
    }

    #[test]
    fn each_bad_field_is_named() {
        type Breaker = fn(&mut PersonDraft);
        let cases: [(&str, Breaker); 7] = [
            ("display_name", |d| d.display_name = " ".into()),
            ("date_of_birth", |d| d.date_of_birth = "21/04/1938".into()),
            ("date_of_birth", |d| d.date_of_birth = "2027-01-01".into()),
            ("nhs_number", |d| d.nhs_number = "943 476 5918".into()),
            ("area_id", |d| d.area_id = "upstairs".into()),
            ("start_date", |d| d.start_date.clear()),
            ("status", |d| d.status = "gone".into()),
        ];
        for (field, break_it) in cases {
            let mut d = good();
            break_it(&mut d);
            let errs = d.validate(today()).err().unwrap_or_default();
            assert!(errs.for_field(field).is_some(), "{field}: {errs:?}");
        }
    }

    #[test]
    fn a_status_change_needs_a_new_status_and_a_date_in_range() {
        let start = jiff::civil::date(2026, 11, 2);
        let cases = [
            ("in_hospital", "2026-11-20", None),
            ("deceased", "2026-11-23", None),
            ("", "2026-11-20", Some("status")),
            ("moved", "2026-11-20", Some("status")),
            ("active", "2026-11-20", Some("status")),
            ("left", "2026-11-24", Some("since")),
            ("left", "2026-11-01", Some("since")),
            ("left", "20/11/2026", Some("since")),
            ("on_leave", "", Some("since")),
        ];
        for (status, since, wrong) in cases {
            let d = StatusDraft {
                status: status.into(),
                since: since.into(),
            };
            let got = d.validate(start, today(), PersonStatus::Active);
            match wrong {
                None => assert!(got.is_ok(), "{status} {since}: {got:?}"),
                Some(field) => assert!(
                    got.err().is_some_and(|e| e.for_field(field).is_some()),
                    "{status} {since}: {field}"
                ),
            }
        }
    }

    #[test]
    fn register_details_are_checked() {
        let ok = RegisterDraft {
            preferred_name: " Peggy ".into(),
            funding: "local_authority".into(),
        }
        .validate();
        assert_eq!(
            ok.map(|d| (d.preferred_name, d.funding)),
            Ok((
                Some("Peggy".to_owned()),
                Some(crate::organisation::Funding::LocalAuthority)
            ))
        );
        let bad = RegisterDraft {
            preferred_name: "x".repeat(201),
            funding: "lottery".into(),
        }
        .validate()
        .err()
        .unwrap_or_default();
        assert!(bad.for_field("preferred_name").is_some() && bad.for_field("funding").is_some());
    }

    #[test]
    fn only_those_who_moved_out_or_died_are_no_longer_offered() {
        for s in PersonStatus::ALL {
            let gone = matches!(s, PersonStatus::Left | PersonStatus::Deceased);
            assert_eq!(s.offered(), !gone, "{s:?}");
        }
    }
}
