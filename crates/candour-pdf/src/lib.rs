//! Candour's printable documents as PDF: each document is a Typst template
//! shipped in this crate, and its data goes in as JSON through
//! `sys.inputs`, so nothing a user typed is ever read as markup. The PDFs
//! are tagged and declared PDF/UA-1, in British English, with fonts
//! embedded (Typst's own: no system fonts are used).

use serde::{Deserialize, Serialize};
use std::sync::LazyLock;
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Dict, Str, Value};
use typst::syntax::{FileId, Source};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

mod board;
mod document;
mod investigation;
pub use board::{BoardReport, Chart, Section, board_report};
pub use document::{PlainDocument, plain_document};
pub use investigation::{InvestigationReport, Meeting, Row, investigation_report};

/// One document to make, as a typesetting process is sent it: what it is,
/// its data, and its date. Candour's server typesets in a child process
/// (`candour typeset`, reading this as JSON) so that Typst's memory goes
/// back to the system when each document is done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Job {
    /// The document's date (year, month, day).
    pub today: (i32, u8, u8),
    /// The document.
    pub document: Kind,
}

/// The documents Candour prints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "data", rename_all = "snake_case")]
pub enum Kind {
    /// A register, index or other plain document.
    Plain(PlainDocument),
    /// The monthly board report.
    Board(BoardReport),
    /// An investigation report.
    Investigation(Box<InvestigationReport>),
}

impl Job {
    /// Typesets the job here, in this process.
    pub fn typeset(&self) -> Result<Vec<u8>, PdfError> {
        match &self.document {
            Kind::Plain(d) => plain_document(d, self.today),
            Kind::Board(d) => board_report(d, self.today),
            Kind::Investigation(d) => investigation_report(d, self.today),
        }
    }
}

/// Empties Typst's caches: what it worked out for the documents made so
/// far, which it would otherwise keep for the life of the process. A
/// process that makes one document after another calls this between them.
pub fn forget() {
    typst::comemo::evict(0);
}

/// Why a document could not be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PdfError(pub String);

impl std::fmt::Display for PdfError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the PDF could not be made: {}", self.0)
    }
}

impl std::error::Error for PdfError {}

/// The embedded fonts, read once.
static FONTS: LazyLock<(Vec<Font>, LazyHash<FontBook>)> = LazyLock::new(|| {
    let fonts: Vec<Font> = typst_assets::fonts()
        .flat_map(|b| Font::iter(Bytes::new(b)))
        .collect();
    let book = LazyHash::new(FontBook::from_fonts(&fonts));
    (fonts, book)
});

/// One document to typeset: its template and the data it reads.
struct Document {
    library: LazyHash<Library>,
    source: Source,
    today: (i32, u8, u8),
}

impl World for Document {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &FONTS.1
    }

    fn main(&self) -> FileId {
        self.source.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.source.id() {
            Ok(self.source.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn file(&self, _id: FileId) -> FileResult<Bytes> {
        Err(FileError::AccessDenied)
    }

    fn font(&self, index: usize) -> Option<Font> {
        FONTS.0.get(index).cloned()
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        let (y, m, d) = self.today;
        Datetime::from_ymd(y, m, d)
    }
}

/// Makes every string in `value` printable with the embedded fonts: a
/// character none of them can show (an emoji, a control character, a
/// private-use code point typed or pasted into a record) would make the
/// tagged PDF invalid and the whole document fail, so it is replaced with
/// U+FFFD, or "?" where no font has that either; line breaks and tabs stay.
fn printable(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::String(s) if s.chars().any(|c| !shown(c)) => {
            let fallback = if shown('\u{FFFD}') { '\u{FFFD}' } else { '?' };
            *s = s
                .chars()
                .map(|c| if shown(c) { c } else { fallback })
                .collect();
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(printable),
        serde_json::Value::Object(map) => map.values_mut().for_each(printable),
        _ => {}
    }
}

/// Whether an embedded font can show `c` (line breaks and tabs always can).
fn shown(c: char) -> bool {
    if c == '\n' || c == '\t' {
        return true;
    }
    if c.is_control() {
        return false;
    }
    if c.is_ascii() {
        return true;
    }
    FONTS.0.iter().any(|f| f.info().coverage.contains(c as u32))
}

/// Typesets `template` with `data` (readable in the template as
/// `json(bytes(sys.inputs.data))`) into a tagged PDF/UA-1 document.
/// `today` is the document's date (year, month, day).
fn typeset<T: Serialize>(
    template: &str,
    data: &T,
    today: (i32, u8, u8),
) -> Result<Vec<u8>, PdfError> {
    let mut value = serde_json::to_value(data).map_err(|e| PdfError(e.to_string()))?;
    printable(&mut value);
    let json = value.to_string();
    let inputs: Dict = [(Str::from("data"), Value::Str(Str::from(json)))]
        .into_iter()
        .collect();
    let document = Document {
        library: LazyHash::new(Library::builder().with_inputs(inputs).build()),
        source: Source::detached(template),
        today,
    };
    let pages: PagedDocument = typst::compile(&document).output.map_err(|e| {
        PdfError(
            e.iter()
                .map(|d| d.message.to_string())
                .collect::<Vec<_>>()
                .join("; "),
        )
    })?;
    let standards = typst_pdf::PdfStandards::new(&[typst_pdf::PdfStandard::Ua_1])
        .map_err(|e| PdfError(e.message().to_string()))?;
    let options = typst_pdf::PdfOptions {
        standards,
        creator: typst::foundations::Smart::Custom(Some("Candour".to_owned())),
        ..typst_pdf::PdfOptions::default()
    };
    typst_pdf::pdf(&pages, &options).map_err(|e| {
        PdfError(
            e.iter()
                .map(|d| d.message.to_string())
                .collect::<Vec<_>>()
                .join("; "),
        )
    })
}
