//! Documents typeset in a child process (`candour typeset`), as the server
//! does so that Typst's memory goes back to the system after each one.

use candour::typeset::Typesetter;
use candour_pdf::{Job, Kind, PlainDocument, Row, Section};
use std::io::Write;
use std::process::{Command, Stdio};

fn register() -> Job {
    Job {
        today: (2026, 12, 1),
        document: Kind::Plain(PlainDocument {
            title: "Incident and near-miss log".into(),
            subtitle: "Alder House, 1 Dec 2025 to 30 Nov 2026".into(),
            paragraphs: vec!["People are identified by code: P-000001 = #not *markup*".into()],
            sections: vec![Section {
                heading: "Log".into(),
                header: vec!["Reference".into(), "What".into()],
                rows: (1..=40)
                    .map(|n| {
                        Row(vec![
                            format!("INC-{n:06}"),
                            format!("Fall in the lounge, {n}"),
                        ])
                    })
                    .collect(),
                ..Section::default()
            }],
            landscape: true,
            footer: "Candour evidence pack".into(),
        }),
    }
}

#[test]
fn a_document_typeset_in_a_child_process_is_the_one_typeset_here() {
    let job = register();
    let here = Typesetter::InProcess.typeset(&job).expect("typeset here");
    let child = Typesetter::Child(env!("CARGO_BIN_EXE_candour").into())
        .typeset(&job)
        .expect("typeset in a child");
    assert!(child.starts_with(b"%PDF-"));
    assert!(child.len() > 10_000, "{} bytes", child.len());
    assert!(child == here, "the same bytes either way");
}

#[test]
fn the_child_refuses_data_it_cannot_read_and_says_so() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_candour"))
        .arg("typeset")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(br#"{"today": [2026, 12, 1], "document": {"kind": "poster"}}"#)
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    assert!(!out.status.success());
    assert!(out.stdout.is_empty(), "no PDF");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("the document's data could not be read"),
        "{said}"
    );
    assert!(said.contains("poster"), "{said}");
}

#[test]
fn a_missing_typesetting_program_is_a_clear_error() {
    let e = Typesetter::Child("/nonexistent/candour".into())
        .typeset(&register())
        .expect_err("no program");
    assert!(
        e.to_string().contains("cannot start /nonexistent/candour"),
        "{e}"
    );
}
