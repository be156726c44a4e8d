//! Email: what Candour writes (plain text, British English, no names of
//! people using services: a reference and a link are enough) and how the
//! outbox reaches an SMTP server (`sender`).

pub mod sender;

use candour_domain::incident::IncidentReference;

/// An email's subject and body, ready for the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
}

/// Where the reader finds the report: a link when Candour knows its public
/// address, otherwise directions.
fn where_to_read(public_url: Option<&str>, reference: IncidentReference) -> String {
    match public_url.map(|u| u.trim_end_matches('/')) {
        Some(base) if !base.is_empty() => format!("Read it here:\n{base}/incidents/{reference}"),
        _ => "Sign in to Candour and open My reports to read it.".to_owned(),
    }
}

fn footer() -> &'static str {
    "\n\nThank you for reporting. Every report helps us learn and keep people safe.\n\n\
     This email was sent by Candour. It holds no personal details: open the report in Candour to see them."
}

/// To the reporter: a manager has given feedback on their report.
pub fn feedback_given(
    public_url: Option<&str>,
    reference: IncidentReference,
    what: &str,
    reported_on: &str,
) -> Rendered {
    Rendered {
        subject: format!("Feedback on your report {reference}"),
        body: format!(
            "Hello,\n\nA manager has given feedback on your report {reference} ({what}, reported {reported_on}): \
             what they found and what has changed.\n\n{}{}",
            where_to_read(public_url, reference),
            footer()
        ),
    }
}

/// To the reporter: a reviewer asks them to correct or clarify their report.
pub fn correction_requested(
    public_url: Option<&str>,
    reference: IncidentReference,
    what: &str,
    reported_on: &str,
) -> Rendered {
    Rendered {
        subject: format!("Please check your report {reference}"),
        body: format!(
            "Hello,\n\nA manager has asked you to correct or add to your report {reference} ({what}, reported {reported_on}). \
             Your report is not changed: your answer is added to it.\n\n{}{}",
            where_to_read(public_url, reference),
            footer()
        ),
    }
}

/// To a manager: a timescale was missed, and they are the level it has reached.
pub fn timescale_missed(
    public_url: Option<&str>,
    reference: IncidentReference,
    service: &str,
    (target, due): (&str, &str),
    level: &str,
) -> Rendered {
    Rendered {
        subject: format!("Overdue: {target} of {reference} at {service}"),
        body: format!(
            "Hello,\n\nThe {target} of {reference} at {service} was due {due} and is not done. \
             You are told as {level}. Please make sure it is done, and record why it was late.\n\n{}\n\n\
             This email was sent by Candour. It holds no personal details: open the report in Candour to see them.",
            where_to_read(public_url, reference)
        ),
    }
}

/// To managers: a report needs a manager now.
pub fn urgent_report(
    public_url: Option<&str>,
    reference: IncidentReference,
    service: &str,
    why: &str,
    due: &str,
) -> Rendered {
    Rendered {
        subject: format!("Urgent: {reference} at {service} needs a manager now"),
        body: format!(
            "Hello,\n\n{reference} at {service} is urgent ({why}). Triage it by {due}.\n\n{}\n\n\
             This email was sent by Candour. It holds no personal details: open the report in Candour to see them.",
            where_to_read(public_url, reference)
        ),
    }
}

/// To someone asked to read a lesson learned who has not acknowledged it yet.
pub fn lesson_reminder(
    public_url: Option<&str>,
    title: &str,
    lesson: uuid::Uuid,
    published_on: &str,
) -> Rendered {
    let read = match public_url.map(|u| u.trim_end_matches('/')) {
        Some(base) if !base.is_empty() => format!("Read it here:\n{base}/lessons/{lesson}"),
        _ => "Sign in to Candour and open Lessons to read it.".to_owned(),
    };
    Rendered {
        subject: format!("A lesson to read: {title}"),
        body: format!(
            "Hello,\n\nA lesson learned was shared with your team on {published_on}: \"{title}\". \
             It says what happened, what we learned and what we changed. Please read it and \
             say you have read it.\n\n{read}\n\n\
             This email was sent by Candour. It names no one: lessons are written without names."
        ),
    }
}

/// To a new member of staff: they are invited, with a link to set a password.
pub fn invitation(name: &str, organisation: &str, by: &str, link: &str, expires: &str) -> Rendered {
    Rendered {
        subject: format!("You are invited to Candour at {organisation}"),
        body: format!(
            "Hello {name},\n\n{by} has made you an account on Candour, where {organisation} \
             reports incidents and near misses and shares what it learns.\n\n\
             Choose your password here:\n{link}\n\n\
             The link works once, until {expires}. If it has run out, ask {by} to send another.\n\n\
             If you were not expecting this, you can ignore this email."
        ),
    }
}

/// To a member of staff: a link to choose a new password.
pub fn password_reset(link: &str, expires: &str, asked_by: Option<&str>) -> Rendered {
    let why = match asked_by {
        Some(by) => format!("{by} has sent you a link to choose a new password for Candour."),
        None => "Someone, probably you, asked to reset your Candour password.".to_owned(),
    };
    Rendered {
        subject: "Choose a new password for Candour".to_owned(),
        body: format!(
            "Hello,\n\n{why}\n\nChoose it here:\n{link}\n\n\
             The link works once, until {expires}. Your password stays as it is until you use it.\n\n\
             If you did not ask for this, you can ignore this email; if it keeps happening, tell your manager."
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feedback_email_links_to_the_report_and_names_no_one() {
        let r = feedback_given(
            Some("https://candour.example.org/"),
            IncidentReference(42),
            "Incident: Fall",
            "22 Nov 2026",
        );
        assert_eq!(r.subject, "Feedback on your report INC-000042");
        assert!(
            r.body
                .contains("https://candour.example.org/incidents/INC-000042")
        );
        let plain = feedback_given(None, IncidentReference(42), "Incident: Fall", "22 Nov 2026");
        assert!(plain.body.contains("open My reports"));
    }
}
