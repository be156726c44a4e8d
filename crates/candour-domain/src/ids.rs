//! Identifier newtypes, so an area id can never be passed where a service id is meant.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta] $name:ident),* $(,)?) => {$(
        #[$doc]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    )*};
}

id_type! {
    /// An organisation (a care group or a single provider).
    OrganisationId,
    /// A region grouping several services.
    RegionId,
    /// A service: one CQC location.
    ServiceId,
    /// An area inside a service: a floor, wing or unit.
    AreaId,
    /// A person using a service.
    PersonId,
    /// A staff user account.
    UserId,
    /// One role grant of a user.
    RoleGrantId,
    /// An incident, near miss or good-practice report.
    IncidentId,
    /// A personal API token.
    ApiTokenId,
}

/// Reads a numbered reference with its prefix (`INV-000012`), in any case,
/// or the bare number (`12`); zero and over twelve digits are not numbers.
pub fn parse_numbered(prefix: &str, s: &str) -> Option<i64> {
    let s = s.trim();
    let digits = s
        .get(..prefix.len())
        .filter(|p| p.eq_ignore_ascii_case(prefix))
        .map_or(s, |_| &s[prefix.len()..]);
    (!digits.is_empty() && digits.len() <= 12 && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| digits.parse().ok())
        .flatten()
        .filter(|n| *n > 0)
}
