//! How hard guessing is made: the limits on signing in with a password, and
//! the slow-down for many accounts guessed at from one address.
//!
//! Attempts are counted **before** the password is checked (the caller
//! records each attempt as a failure first and marks it good afterwards), so
//! however many arrive at once, no more than these limits are ever checked.
//!
//! - One account: [`MAX_FAILURES_PER_ACCOUNT`] wrong passwords since its last
//!   good sign-in, within [`WINDOW_SECONDS`], lock it until the window has
//!   passed since the latest of them.
//! - One address: a care home's staff often share one public address, so an
//!   address is never locked out. Only guessing at many accounts from it
//!   counts (one person's mistakes are the account's limit): once wrong
//!   passwords for [`FREE_ACCOUNTS_PER_ADDRESS`] different accounts have
//!   come from it within the window, each further attempt waits after the
//!   last one, 1 second, then 2, 4, … up to [`MAX_ADDRESS_WAIT_SECONDS`].

/// Wrong passwords for one account before it is locked for a while.
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
/// The window failures are counted in, and the lockout's length.
pub const WINDOW_SECONDS: i64 = 15 * 60;
/// Different accounts guessed wrongly from one address before it slows down.
pub const FREE_ACCOUNTS_PER_ADDRESS: i64 = 10;
/// The longest an address is made to wait between attempts.
pub const MAX_ADDRESS_WAIT_SECONDS: i64 = 60;

/// Seconds until an account with `failures` recent wrong passwords, the
/// latest at `latest_ms`, may be tried again; `None` when it may be now.
pub fn account_wait(failures: i64, latest_ms: Option<i64>, now_ms: i64) -> Option<i64> {
    if failures < MAX_FAILURES_PER_ACCOUNT {
        return None;
    }
    let until = latest_ms.unwrap_or(now_ms) + WINDOW_SECONDS * 1000;
    (now_ms < until).then(|| seconds_until(until, now_ms))
}

/// How long an address must leave between attempts once wrong passwords
/// for `accounts` different accounts have come from it in the window.
pub fn address_spacing_seconds(accounts: i64) -> i64 {
    if accounts < FREE_ACCOUNTS_PER_ADDRESS {
        return 0;
    }
    let doublings = (accounts - FREE_ACCOUNTS_PER_ADDRESS).min(6);
    (1_i64 << doublings).min(MAX_ADDRESS_WAIT_SECONDS)
}

/// Seconds until an address that has guessed at `accounts` accounts, its
/// latest attempt at `latest_ms`, may try again; `None` when it may be now.
pub fn address_wait(accounts: i64, latest_ms: Option<i64>, now_ms: i64) -> Option<i64> {
    let spacing = address_spacing_seconds(accounts);
    let latest = latest_ms?;
    let until = latest + spacing * 1000;
    (spacing > 0 && now_ms < until).then(|| seconds_until(until, now_ms))
}

/// Whole seconds from `now_ms` to `until_ms`, at least one.
fn seconds_until(until_ms: i64, now_ms: i64) -> i64 {
    ((until_ms - now_ms + 999) / 1000).max(1)
}

/// How a wait reads in a message: "1 second", "45 seconds", "15 minutes".
pub fn wait_in_words(seconds: i64) -> String {
    if seconds < 60 {
        let s = seconds.max(1);
        format!("{s} second{}", if s == 1 { "" } else { "s" })
    } else {
        let m = (seconds + 59) / 60;
        format!("{m} minute{}", if m == 1 { "" } else { "s" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn an_account_locks_at_its_fifth_failure_for_fifteen_minutes_from_the_latest() {
        let now = 1_000_000_000;
        for (failures, latest, want) in [
            (0, None, None),
            (4, Some(now), None),
            (5, Some(now), Some(900)),
            (5, Some(now - 60_000), Some(840)),
            (9, Some(now - 899_500), Some(1)),
        ] {
            assert_eq!(account_wait(failures, latest, now), want, "{failures}");
        }
    }

    #[test]
    fn an_address_slows_down_only_after_ten_accounts_and_never_waits_over_a_minute() {
        for (accounts, spacing) in [
            (0, 0),
            (1, 0),
            (9, 0),
            (10, 1),
            (11, 2),
            (12, 4),
            (15, 32),
            (16, 60),
            (1_000, 60),
        ] {
            assert_eq!(address_spacing_seconds(accounts), spacing, "{accounts}");
        }
    }

    #[test]
    fn an_address_waits_from_its_latest_attempt() {
        let now = 5_000_000;
        assert_eq!(address_wait(9, Some(now), now), None);
        assert_eq!(address_wait(10, Some(now), now), Some(1));
        assert_eq!(address_wait(10, Some(now - 1_000), now), None);
        assert_eq!(address_wait(12, Some(now - 1_500), now), Some(3));
        assert_eq!(address_wait(12, None, now), None);
    }

    #[test]
    fn waits_read_in_seconds_then_minutes() {
        for (s, words) in [
            (0, "1 second"),
            (1, "1 second"),
            (45, "45 seconds"),
            (60, "1 minute"),
            (61, "2 minutes"),
            (900, "15 minutes"),
        ] {
            assert_eq!(wait_in_words(s), words);
        }
    }

    proptest! {
        #[test]
        fn the_address_spacing_never_shrinks_as_accounts_grow(a in 0_i64..10_000) {
            prop_assert!(address_spacing_seconds(a + 1) >= address_spacing_seconds(a));
            prop_assert!(address_spacing_seconds(a) <= MAX_ADDRESS_WAIT_SECONDS);
        }

        #[test]
        fn a_wait_is_never_past_the_window(failures in 0_i64..100, ago in 0_i64..2_000_000) {
            let now = 10_000_000_000;
            if let Some(w) = account_wait(failures, Some(now - ago), now) {
                prop_assert!((1..=WINDOW_SECONDS).contains(&w));
            }
        }
    }
}
