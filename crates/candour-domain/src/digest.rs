//! The daily digest: when it goes (07:00 UK time; a server that was down
//! then still sends it that morning, until noon), and who gets it unless
//! they choose otherwise.

use crate::incident::london;
use crate::role::Role;
use jiff::Timestamp;
use jiff::civil::Date;

/// The hour (UK time) the digest goes.
pub const DIGEST_HOUR: i8 = 7;
/// After this hour a missed digest is not sent that day (it would be stale).
pub const LAST_HOUR: i8 = 12;

/// The UK day whose digest is due at `now`, if it is digest time.
pub fn digest_day(now: Timestamp) -> Option<Date> {
    let z = now.to_zoned(london());
    (DIGEST_HOUR..LAST_HOUR)
        .contains(&z.hour())
        .then(|| z.date())
}

/// Whether someone with these roles gets the digest unless they opt out:
/// registered and regional managers, heads of operations and quality assurance.
pub fn subscribed_by_default(roles: &[Role]) -> bool {
    roles.iter().any(|r| {
        matches!(
            r,
            Role::RegisteredManager
                | Role::RegionalManager
                | Role::HeadOfOperations
                | Role::QualityAssurance
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_digest_goes_between_seven_and_noon_uk_time_whatever_the_season() {
        let at = |s: &str| s.parse::<Timestamp>().unwrap_or(Timestamp::UNIX_EPOCH);
        assert_eq!(digest_day(at("2026-11-30T06:59:00Z")), None);
        assert_eq!(
            digest_day(at("2026-11-30T07:00:00Z")).map(|d| d.to_string()),
            Some("2026-11-30".into())
        );
        assert_eq!(digest_day(at("2026-11-30T12:00:00Z")), None);
        // In summer 07:00 UK time is 06:00 UTC.
        assert_eq!(
            digest_day(at("2026-07-01T06:00:00Z")).map(|d| d.to_string()),
            Some("2026-07-01".into())
        );
        assert_eq!(digest_day(at("2026-07-01T05:59:00Z")), None);
    }

    #[test]
    fn managers_and_quality_get_it_by_default_carers_do_not() {
        assert!(subscribed_by_default(&[
            Role::CareWorker,
            Role::RegisteredManager
        ]));
        assert!(subscribed_by_default(&[Role::QualityAssurance]));
        assert!(!subscribed_by_default(&[
            Role::CareWorker,
            Role::SeniorCarer
        ]));
        assert!(!subscribed_by_default(&[
            Role::BoardMember,
            Role::Administrator
        ]));
    }
}
