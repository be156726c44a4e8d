//! How long the records kept only to run Candour safely are kept: sign-in
//! attempts, shared-device PIN attempts, the addresses anonymous reporters
//! and case-code look-ups came from, ended sessions, and emails once sent. None of these is
//! an incident record; each is kept as long as its purpose needs, then
//! deleted by the nightly purge. These are Candour's own choices (local
//! policy), not periods set in law.

/// Password and PIN attempts: kept 90 days, so that a run of guessing can be
/// looked into after it is noticed (sign-in throttling itself needs 15 minutes).
pub const ATTEMPT_DAYS: i64 = 90;

/// Addresses of anonymous reports and case-code look-ups: kept one day.
/// They are kept only to slow abuse (an hour at most is ever counted), and
/// an address can point at an anonymous reporter.
pub const ANONYMOUS_ADDRESS_HOURS: i64 = 24;

/// Emails sent or given up: kept 90 days, so a question about whether
/// someone was told can be answered; an email holds an address and a link.
pub const EMAIL_DAYS: i64 = 90;

/// The nightly purge runs from this hour, UK time.
pub const PURGE_HOUR: i8 = 2;

/// What the purge deletes before, as epoch milliseconds, for a purge at `now_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PurgeBefore {
    /// Password and PIN attempts made before this.
    pub attempts_ms: i64,
    /// Anonymous reports' and look-ups' addresses recorded before this.
    pub anonymous_addresses_ms: i64,
    /// Sessions unused since before this (and any past its absolute end).
    pub idle_sessions_ms: i64,
    /// Emails sent or given up that were queued before this.
    pub emails_ms: i64,
}

/// The cut-offs for a purge at `now_ms`; sessions end after `idle_seconds` unused.
pub fn purge_before(now_ms: i64, idle_seconds: i64) -> PurgeBefore {
    PurgeBefore {
        attempts_ms: now_ms - ATTEMPT_DAYS * 24 * 60 * 60 * 1000,
        anonymous_addresses_ms: now_ms - ANONYMOUS_ADDRESS_HOURS * 60 * 60 * 1000,
        idle_sessions_ms: now_ms - idle_seconds * 1000,
        emails_ms: now_ms - EMAIL_DAYS * 24 * 60 * 60 * 1000,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_offs_are_ninety_days_a_day_and_the_idle_limit() {
        let now = 100 * 24 * 60 * 60 * 1000;
        let p = purge_before(now, 2 * 60 * 60);
        assert_eq!(p.attempts_ms, 10 * 24 * 60 * 60 * 1000);
        assert_eq!(p.anonymous_addresses_ms, 99 * 24 * 60 * 60 * 1000);
        assert_eq!(p.idle_sessions_ms, now - 7_200_000);
        assert_eq!(p.emails_ms, 10 * 24 * 60 * 60 * 1000);
    }
}
