//! The organisation model's value types: service types, CQC location ids,
//! area kinds, nations and the status of a person using a service.

use serde::Serialize;

macro_rules! code_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = ($code:literal, $label:literal)),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ::serde::Serialize, ::serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vdoc])* $variant),+ }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The stable code stored in the database and used in the API.
            pub fn code(self) -> &'static str { match self { $($name::$variant => $code),+ } }
            /// The value as people read it.
            pub fn label(self) -> &'static str { match self { $($name::$variant => $label),+ } }
            /// Parses a stored or submitted code.
            pub fn parse(code: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|v| v.code() == code)
            }
        }
    };
}
pub(crate) use code_enum;

code_enum! {
    /// The kind of regulated service a CQC location provides.
    ServiceType {
        /// Care home without nursing.
        CareHome = ("care_home", "Care home"),
        /// Care home with nursing.
        CareHomeWithNursing = ("care_home_with_nursing", "Care home with nursing"),
        /// Home care (domiciliary care) branch.
        HomeCare = ("home_care", "Home care"),
        /// Supported living service.
        SupportedLiving = ("supported_living", "Supported living"),
    }
}

code_enum! {
    /// The nation whose bank holidays a service's working days skip.
    Nation {
        /// England and Wales share one bank-holiday calendar.
        EnglandAndWales = ("england_and_wales", "England and Wales"),
        /// Scotland.
        Scotland = ("scotland", "Scotland"),
        /// Northern Ireland.
        NorthernIreland = ("northern_ireland", "Northern Ireland"),
    }
}

code_enum! {
    /// What sort of part of a service an area is.
    AreaKind {
        /// A floor of a building.
        Floor = ("floor", "Floor"),
        /// A wing.
        Wing = ("wing", "Wing"),
        /// A unit (for example a dementia unit).
        Unit = ("unit", "Unit"),
        /// A home-care round or patch.
        Round = ("round", "Round"),
        /// A shared house in supported living.
        House = ("house", "House"),
    }
}

code_enum! {
    /// Whether a person is currently using the service.
    PersonStatus {
        /// Using the service now.
        Active = ("active", "Living at the service or receiving care"),
        /// Temporarily in hospital.
        InHospital = ("in_hospital", "In hospital"),
        /// Away for a while (with family, on holiday), coming back.
        OnLeave = ("on_leave", "On leave"),
        /// Has moved out or stopped using the service.
        Left = ("left", "Moved out"),
        /// Has died.
        Deceased = ("deceased", "Died"),
    }
}

impl PersonStatus {
    /// Whether they are still offered when someone reports: everyone but
    /// those who moved out or died (whose records all stay).
    pub fn offered(self) -> bool {
        matches!(
            self,
            PersonStatus::Active | PersonStatus::InHospital | PersonStatus::OnLeave
        )
    }
}

code_enum! {
    /// How a person's care is paid for.
    Funding {
        /// They pay for it themselves.
        SelfFunded = ("self_funded", "Self-funded"),
        /// Their local authority.
        LocalAuthority = ("local_authority", "Local authority"),
        /// NHS continuing healthcare.
        NhsContinuingHealthcare = ("nhs_continuing_healthcare", "NHS continuing healthcare"),
        /// Shared between the local authority and the NHS.
        Joint = ("joint", "Joint (local authority and NHS)"),
        /// Any other arrangement.
        Other = ("other", "Other"),
    }
}

/// A CQC location id such as `1-123456789`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct CqcLocationId(String);

impl CqcLocationId {
    /// Accepts `1-` followed by 6 to 11 digits (the form CQC's register uses).
    pub fn parse(input: &str) -> Result<CqcLocationId, &'static str> {
        let s = input.trim();
        match s.strip_prefix("1-") {
            Some(rest)
                if (6..=11).contains(&rest.len()) && rest.chars().all(|c| c.is_ascii_digit()) =>
            {
                Ok(CqcLocationId(s.to_owned()))
            }
            _ => Err("Enter the CQC location id as shown on the CQC register, like 1-123456789"),
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cqc_location_ids_are_checked_for_shape() {
        assert!(CqcLocationId::parse("1-123456789").is_ok());
        assert!(CqcLocationId::parse(" 1-1000123456 ").is_ok());
        assert!(CqcLocationId::parse("123456789").is_err());
        assert!(CqcLocationId::parse("1-12ab").is_err());
        assert!(CqcLocationId::parse("1-").is_err());
    }

    #[test]
    fn codes_round_trip() {
        for t in ServiceType::ALL {
            assert_eq!(ServiceType::parse(t.code()), Some(*t));
        }
        for s in PersonStatus::ALL {
            assert_eq!(PersonStatus::parse(s.code()), Some(*s));
        }
    }
}
