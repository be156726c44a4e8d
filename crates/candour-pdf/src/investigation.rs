//! The serious incident investigation report.

use crate::{PdfError, typeset};
use serde::{Deserialize, Serialize};

/// A table row: one string per column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row(pub Vec<String>);

/// A meeting of the team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meeting {
    /// Date.
    pub held_on: String,
    /// Who attended, with their roles.
    pub attendees: String,
    /// What was discussed.
    pub discussion: String,
    /// What was decided.
    pub decisions: String,
}

/// Everything in the report, as words ready to print.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct InvestigationReport {
    /// `INV-000012`.
    pub reference: String,
    /// The incident's reference.
    pub incident: String,
    /// What, where and when.
    pub incident_summary: String,
    /// Harm and risk as graded.
    pub grading: String,
    /// Service.
    pub service: String,
    /// Lead investigator.
    pub lead: String,
    /// Terms of reference.
    pub terms_of_reference: String,
    /// Status.
    pub status: String,
    /// Opened when and by whom.
    pub opened: String,
    /// Completed when and by whom, or empty.
    pub completed: String,
    /// Everyone at any meeting: "Name (role)".
    pub team: Vec<String>,
    /// The meetings.
    pub meetings: Vec<Meeting>,
    /// What the person or family were told.
    pub told: Vec<String>,
    /// Their questions.
    pub family_questions: String,
    /// Their account.
    pub family_account: String,
    /// Timeline rows: when, what, known from.
    pub timeline: Vec<Row>,
    /// Factor rows: factor (framework), how it contributed, evidence.
    pub factors: Vec<Row>,
    /// Findings.
    pub findings: String,
    /// Action rows: action, owner, due, status, did it work.
    pub actions: Vec<Row>,
    /// The date it was printed, like `30 Nov 2026`.
    pub printed_on: String,
}

const TEMPLATE: &str = include_str!("../templates/investigation.typ");

/// The report as a tagged PDF/UA-1 document dated `today` (year, month, day).
pub fn investigation_report(
    report: &InvestigationReport,
    today: (i32, u8, u8),
) -> Result<Vec<u8>, PdfError> {
    typeset(TEMPLATE, report, today)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_with_awkward_text_typesets() {
        let report = InvestigationReport {
            reference: "INV-000001".into(),
            findings: "Line one\nLine two with #set, *stars*, $dollars$ and <angle> = markup"
                .into(),
            timeline: vec![Row(vec![
                "1 Nov 2026".into(),
                "Mat tested".into(),
                "".into(),
            ])],
            ..InvestigationReport::default()
        };
        let pdf = investigation_report(&report, (2026, 11, 30));
        assert!(
            pdf.as_ref().is_ok_and(|b| b.starts_with(b"%PDF-")),
            "{:?}",
            pdf.err()
        );
    }
}
