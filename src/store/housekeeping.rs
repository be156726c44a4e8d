//! Deleting what is kept only to run Candour safely, once its time is up
//! (`candour_domain::housekeeping`).

use super::{StoreResult, Tx, on_tx};
use candour_domain::housekeeping::PurgeBefore;

/// How many rows the purge deleted, by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    /// Password sign-in attempts and requests for a password reset link.
    pub sign_in_attempts: u64,
    /// Shared-device PIN attempts.
    pub pin_attempts: u64,
    /// Case-code look-ups.
    pub case_lookups: u64,
    /// Addresses anonymous reports came from.
    pub public_submissions: u64,
    /// Sessions ended by time, and set-a-password links past their end.
    pub sessions: u64,
    /// Emails sent or given up long ago.
    pub emails: u64,
}

/// Deletes everything older than `before`, and sessions past their end.
pub async fn purge(tx: &mut Tx, before: &PurgeBefore, now_ms: i64) -> StoreResult<Purged> {
    let statements: [(&str, i64); 4] = [
        (
            "delete from login_attempt where attempted_at < $1",
            before.attempts_ms,
        ),
        (
            "delete from pin_attempt where attempted_at < $1",
            before.attempts_ms,
        ),
        (
            "delete from case_lookup where attempted_at < $1",
            before.anonymous_addresses_ms,
        ),
        (
            "delete from public_submission where submitted_at < $1",
            before.anonymous_addresses_ms,
        ),
    ];
    let mut counts = [0u64; 6];
    for (n, (sql, cut)) in counts.iter_mut().zip(statements) {
        *n = on_tx!(tx, |c| {
            sqlx::query(sql)
                .bind(cut)
                .execute(&mut *c)
                .await?
                .rows_affected()
        });
    }
    counts[4] = on_tx!(tx, |c| {
        sqlx::query("delete from user_session where last_seen_at < $1 or expires_at <= $2")
            .bind(before.idle_sessions_ms)
            .bind(now_ms)
            .execute(&mut *c)
            .await?
            .rows_affected()
    });
    counts[5] = on_tx!(tx, |c| {
        sqlx::query(
            "delete from email_outbox where state in ('sent', 'failed') and created_at < $1",
        )
        .bind(before.emails_ms)
        .execute(&mut *c)
        .await?
        .rows_affected()
    });
    counts[0] += on_tx!(tx, |c| {
        sqlx::query("delete from password_reset_request where requested_at < $1")
            .bind(before.attempts_ms)
            .execute(&mut *c)
            .await?
            .rows_affected()
    });
    counts[4] += on_tx!(tx, |c| {
        sqlx::query("delete from sign_in_challenge where expires_at <= $1")
            .bind(now_ms)
            .execute(&mut *c)
            .await?
            .rows_affected()
    });
    counts[4] += on_tx!(tx, |c| {
        sqlx::query("delete from account_link where expires_at <= $1")
            .bind(now_ms)
            .execute(&mut *c)
            .await?
            .rows_affected()
    });
    let [
        sign_in_attempts,
        pin_attempts,
        case_lookups,
        public_submissions,
        sessions,
        emails,
    ] = counts;
    Ok(Purged {
        sign_in_attempts,
        pin_attempts,
        case_lookups,
        public_submissions,
        sessions,
        emails,
    })
}
