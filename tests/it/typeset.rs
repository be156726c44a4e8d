//! Documents typeset in child processes (`candour typeset`), as the server
//! does so that Typst's memory goes back to the system: kept warm between
//! documents, replaced when they grow, and gone when idle.

use candour::typeset::{Children, IDLE, KEEP_BELOW, Typesetter};
use candour_pdf::{Job, Kind, PlainDocument, Row, Section};
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

fn register() -> Job {
    register_of(40)
}

fn register_of(rows: usize) -> Job {
    Job {
        today: (2026, 12, 1),
        document: Kind::Plain(PlainDocument {
            title: "Incident and near-miss log".into(),
            subtitle: "Alder House, 1 Dec 2025 to 30 Nov 2026".into(),
            paragraphs: vec!["People are identified by code: P-000001 = #not *markup*".into()],
            sections: vec![Section {
                heading: "Log".into(),
                header: vec!["Reference".into(), "What".into()],
                rows: (1..=rows)
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

fn program() -> std::path::PathBuf {
    env!("CARGO_BIN_EXE_candour").into()
}

#[test]
fn documents_typeset_one_after_another_by_a_warm_child_are_the_ones_typeset_here() {
    let children = Arc::new(Children::new(program()));
    let typesetter = Typesetter::Children(Arc::clone(&children));
    for rows in [40, 3, 120] {
        let job = register_of(rows);
        let here = Typesetter::InProcess.typeset(&job).expect("typeset here");
        let child = typesetter.typeset(&job).expect("typeset in a child");
        assert!(child.starts_with(b"%PDF-"));
        assert!(child.len() > 10_000, "{} bytes", child.len());
        assert!(child == here, "the same bytes either way ({rows} rows)");
    }
    assert_eq!(children.started(), 1, "one child made all three");
    assert_eq!(children.waiting().len(), 1, "and waits for the next");
}

#[test]
fn a_child_that_has_gone_is_replaced_and_the_document_still_made() {
    let children = Arc::new(Children::new(program()));
    let typesetter = Typesetter::Children(Arc::clone(&children));
    typesetter.typeset(&register()).expect("first");
    let pid = children.waiting()[0];
    let killed = Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let pdf = typesetter
        .typeset(&register())
        .expect("made by another child");
    assert!(pdf.starts_with(b"%PDF-"));
    assert_eq!(children.started(), 2);
    assert!(!children.waiting().contains(&pid));
}

#[test]
fn a_child_grown_past_its_bound_is_replaced_after_its_document() {
    let children = Arc::new(Children::with_limits(program(), IDLE, 1));
    let typesetter = Typesetter::Children(Arc::clone(&children));
    for _ in 0..2 {
        let pdf = typesetter.typeset(&register()).expect("typeset");
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(children.waiting().is_empty(), "not kept past its bound");
    }
    assert_eq!(children.started(), 2);
}

#[test]
fn an_idle_child_leaves_by_itself_and_the_next_document_starts_another() {
    let children = Arc::new(Children::with_limits(
        program(),
        Duration::from_secs(1),
        KEEP_BELOW,
    ));
    let typesetter = Typesetter::Children(Arc::clone(&children));
    typesetter.typeset(&register()).expect("first");
    let pid = children.waiting()[0];
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    // Ended: gone, or a zombie until its parent next looks.
    let ended = || {
        std::fs::read_to_string(format!("/proc/{pid}/stat")).map_or(true, |s| {
            s.rsplit(')')
                .next()
                .is_some_and(|r| r.trim_start().starts_with('Z'))
        })
    };
    while !ended() {
        assert!(
            std::time::Instant::now() < deadline,
            "child {pid} still running"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    typesetter.typeset(&register()).expect("second");
    assert_eq!(children.started(), 2);
}

#[test]
fn a_warm_child_answers_data_it_cannot_read_and_goes_on_to_the_next() {
    let mut child = Command::new(program())
        .args(["typeset", "--many"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start");
    let mut input = child.stdin.take().expect("stdin");
    let mut output = child.stdout.take().expect("stdout");
    let frame = |bytes: &[u8]| {
        let mut f = (bytes.len() as u64).to_le_bytes().to_vec();
        f.extend_from_slice(bytes);
        f
    };
    let answer = |output: &mut std::process::ChildStdout| {
        let mut head = [0u8; 9];
        output.read_exact(&mut head).expect("answer");
        let len = u64::from_le_bytes(head[1..].try_into().expect("8 bytes"));
        let mut body = vec![0u8; usize::try_from(len).expect("length")];
        output.read_exact(&mut body).expect("answer body");
        (head[0], body)
    };
    input
        .write_all(&frame(
            br#"{"today": [2026, 12, 1], "document": {"kind": "poster"}}"#,
        ))
        .expect("write");
    let (kind, said) = answer(&mut output);
    let said = String::from_utf8_lossy(&said);
    assert_eq!(kind, 1, "refused: {said}");
    assert!(
        said.contains("the document's data could not be read"),
        "{said}"
    );
    assert!(said.contains("poster"), "{said}");
    let job = serde_json::to_vec(&register()).expect("json");
    input.write_all(&frame(&job)).expect("write");
    let (kind, pdf) = answer(&mut output);
    assert_eq!(kind, 0);
    assert!(pdf == Typesetter::InProcess.typeset(&register()).expect("here"));
    drop(input);
    assert!(child.wait().expect("wait").success(), "ends with its input");
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
    let e = Typesetter::children("/nonexistent/candour")
        .typeset(&register())
        .expect_err("no program");
    assert!(
        e.to_string().contains("cannot start /nonexistent/candour"),
        "{e}"
    );
}
