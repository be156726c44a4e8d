//! What a person is told about, in the app and by email, and the backoff
//! for email that could not be delivered yet.

use crate::organisation::code_enum;

code_enum! {
    /// Why a person is notified.
    NotificationKind {
        /// A manager has given feedback on their report.
        Feedback = ("feedback", "Feedback on your report"),
        /// A reviewer asks them to correct or clarify their report.
        CorrectionRequest = ("correction_request", "A manager asks you to correct your report"),
        /// A timescale was missed on a report in their scope.
        Breach = ("breach", "A timescale was missed"),
        /// A report needs a manager at once: a death, severe harm, safeguarding or extreme risk.
        Urgent = ("urgent", "Urgent: needs a manager now"),
        /// An action they own or oversee is past its due date.
        ActionOverdue = ("action_overdue", "An action is overdue"),
        /// An action was given to them.
        ActionAssigned = ("action_assigned", "An action was given to you"),
        /// They lead a serious incident investigation just opened.
        InvestigationLead = ("investigation_lead", "You lead a serious incident investigation"),
        /// A statutory duty is due soon and not yet done.
        DutyDue = ("duty_due", "A statutory duty is due soon"),
        /// A statutory duty is past its deadline.
        DutyOverdue = ("duty_overdue", "A statutory duty is overdue"),
    }
}

/// Tries before an email is given up as failed (about a day of retries).
pub const MAX_EMAIL_ATTEMPTS: i64 = 8;

/// Seconds to wait before the next try, after `attempts` tries have failed:
/// 1, 5, 15 and 30 minutes, then 1, 2 and 4 hours.
pub fn email_retry_delay_seconds(attempts: i64) -> i64 {
    match attempts {
        i64::MIN..=1 => 60,
        2 => 5 * 60,
        3 => 15 * 60,
        4 => 30 * 60,
        5 => 60 * 60,
        6 => 2 * 60 * 60,
        _ => 4 * 60 * 60,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_retries_of_one_email_span_about_eight_hours() {
        let total: i64 = (1..MAX_EMAIL_ATTEMPTS).map(email_retry_delay_seconds).sum();
        assert_eq!(total, 60 + 300 + 900 + 1800 + 3600 + 7200 + 14400);
    }

    proptest! {
        #[test]
        fn a_later_retry_never_waits_less(a in 0i64..20) {
            prop_assert!(email_retry_delay_seconds(a + 1) >= email_retry_delay_seconds(a));
            prop_assert!(email_retry_delay_seconds(a) > 0);
        }
    }
}
