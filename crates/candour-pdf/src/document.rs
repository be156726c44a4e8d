//! A plain document of sections (a heading, paragraphs and at most one
//! table each): the registers and index of the CQC evidence pack.

use crate::board::Section;
use crate::{PdfError, typeset};
use serde::{Deserialize, Serialize};

/// A document of sections.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct PlainDocument {
    /// Its title.
    pub title: String,
    /// A line under the title (what it covers).
    pub subtitle: String,
    /// Paragraphs before the first section.
    pub paragraphs: Vec<String>,
    /// The sections, in order.
    pub sections: Vec<Section>,
    /// Landscape pages, for wide tables.
    pub landscape: bool,
    /// The footer's words, with the page number after them.
    pub footer: String,
}

const TEMPLATE: &str = include_str!("../templates/document.typ");

/// The document as a tagged PDF/UA-1 document dated `today` (year, month, day).
pub fn plain_document(doc: &PlainDocument, today: (i32, u8, u8)) -> Result<Vec<u8>, PdfError> {
    typeset(TEMPLATE, doc, today)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::investigation::Row;

    #[test]
    fn a_wide_register_with_awkward_text_typesets() {
        let doc = PlainDocument {
            title: "Incident and near-miss log".into(),
            subtitle: "Alder House, 1 Dec 2025 to 30 Nov 2026".into(),
            paragraphs: vec!["People are identified by code: P-000001 = #markup *not*".into()],
            sections: vec![Section {
                heading: "Log".into(),
                header: (1..=12).map(|i| format!("Column {i}")).collect(),
                rows: vec![Row((1..=12).map(|i| format!("$value {i} <x>")).collect())],
                ..Section::default()
            }],
            landscape: true,
            footer: "Candour evidence pack".into(),
        };
        let pdf = plain_document(&doc, (2026, 11, 30));
        assert!(
            pdf.as_ref().is_ok_and(|b| b.starts_with(b"%PDF-")),
            "{:?}",
            pdf.err()
        );
    }

    #[test]
    fn text_no_font_can_show_still_typesets() {
        let odd =
            "Control \u{8b}\u{99}, private use \u{62221}\u{db39d}, emoji \u{1F600}, line\nbreak";
        let doc = PlainDocument {
            title: odd.into(),
            subtitle: odd.into(),
            paragraphs: vec![odd.into()],
            sections: vec![Section {
                heading: odd.into(),
                header: vec![odd.into()],
                rows: vec![Row(vec![odd.into()])],
                ..Section::default()
            }],
            landscape: false,
            footer: odd.into(),
        };
        let pdf = plain_document(&doc, (2026, 12, 7));
        assert!(
            pdf.as_ref().is_ok_and(|b| b.starts_with(b"%PDF-")),
            "{:?}",
            pdf.err()
        );
    }
}
