//! The monthly board report: headline figures, SPC charts with their
//! reading in plain words, and sections of tables. Nobody is named in it.

use crate::investigation::Row;
use crate::{PdfError, typeset};
use serde::{Deserialize, Serialize};

/// A chart of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Chart {
    /// Its title.
    pub title: String,
    /// The chart as a standalone SVG document.
    pub svg: String,
    /// What it shows, for those who cannot see it.
    pub alt: String,
    /// Its reading in plain words.
    pub plain: String,
    /// Its data, one row per period: period, count, variation.
    pub rows: Vec<Row>,
}

/// A section: a heading, paragraphs and at most one table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Section {
    /// Its heading.
    pub heading: String,
    /// Paragraphs before the table.
    pub paragraphs: Vec<String>,
    /// The table's column headings (no table when empty).
    pub header: Vec<String>,
    /// The table's rows, as many cells as headings.
    pub rows: Vec<Row>,
    /// What to say when there are headings and no rows.
    pub empty: String,
}

/// Everything in the report, as words ready to print.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct BoardReport {
    /// "Board report: November 2026".
    pub title: String,
    /// What it covers, in words ("All services", "North region").
    pub scope: String,
    /// When it was made, UK time.
    pub made: String,
    /// The headline figures: (figure, value).
    pub headline: Vec<Row>,
    /// The charts.
    pub charts: Vec<Chart>,
    /// The other sections, in order.
    pub sections: Vec<Section>,
    /// The date it was printed, like `1 Dec 2026`.
    pub printed_on: String,
}

const TEMPLATE: &str = include_str!("../templates/board.typ");

/// The report as a tagged PDF/UA-1 document dated `today` (year, month, day).
pub fn board_report(report: &BoardReport, today: (i32, u8, u8)) -> Result<Vec<u8>, PdfError> {
    typeset(TEMPLATE, report, today)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_with_a_chart_and_awkward_text_typesets() {
        let report = BoardReport {
            title: "Board report: November 2026".into(),
            scope: "North & *East* region #1".into(),
            headline: vec![Row(vec!["Reports made".into(), "12".into()])],
            charts: vec![Chart {
                title: "Falls <per month>".into(),
                svg: "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 100 50\" width=\"100\" height=\"50\"><polyline points=\"0,50 50,0 100,25\" fill=\"none\" stroke=\"black\"/><text x=\"5\" y=\"45\" font-family=\"Libertinus Serif\">Nov 26</text></svg>".into(),
                alt: "Falls per month, $ mean 3".into(),
                plain: "Common cause variation.".into(),
                rows: vec![Row(vec!["Nov 2026".into(), "3".into(), "Common".into()])],
            }],
            sections: vec![
                Section {
                    heading: "Serious incidents".into(),
                    paragraphs: vec!["One = markup? <no>".into()],
                    header: vec!["Reference".into(), "Service".into()],
                    rows: vec![Row(vec!["INC-000001".into(), "Alder & Co".into()])],
                    empty: String::new(),
                },
                Section {
                    heading: "Nothing".into(),
                    header: vec!["A".into()],
                    empty: "None this month.".into(),
                    ..Section::default()
                },
            ],
            ..BoardReport::default()
        };
        let pdf = board_report(&report, (2026, 12, 1));
        assert!(
            pdf.as_ref().is_ok_and(|b| b.starts_with(b"%PDF-")),
            "{:?}",
            pdf.err()
        );
    }
}
