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
                "Choose whether they use the service now, are in hospital, have left or have died",
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
}
