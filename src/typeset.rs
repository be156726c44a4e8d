//! Where printable documents are typeset. Typst keeps what it worked out
//! for a document in process-wide caches that it never gives back: in a
//! long-running server each new document would add to them (a year's
//! incident log for one service holds about 500 MiB while it is made, and
//! kept it after). So the server typesets each document in a child
//! process, `candour typeset`, which reads a [`Job`] as JSON on its
//! standard input, writes the PDF to its standard output and exits, and
//! its memory goes back to the system. At most [`AT_ONCE`] documents are
//! typeset at once; more wait their turn.

use candour_pdf::{Job, PdfError};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

/// How many documents are typeset at once (each child may use a core and
/// several hundred MiB).
pub const AT_ONCE: usize = 2;

/// How long a document may take before its child is stopped.
pub const TIME_LIMIT: Duration = Duration::from_secs(300);

/// A document's date as Typst reads it: (year, month, day).
pub fn day_of(date: jiff::civil::Date) -> (i32, u8, u8) {
    (
        i32::from(date.year()),
        u8::try_from(date.month()).unwrap_or(1),
        u8::try_from(date.day()).unwrap_or(1),
    )
}

/// How documents are typeset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Typesetter {
    /// In this process: for one-off commands that exit soon after.
    InProcess,
    /// In a child process: this executable (the `candour` binary), run as
    /// `candour typeset`.
    Child(PathBuf),
}

impl Typesetter {
    /// A child of the running executable: what `candour serve` uses. On
    /// Linux through `/proc/self/exe`, which is the program running even
    /// after an upgrade has replaced its file, so a child never runs a
    /// newer version than its server.
    pub fn child_of_this_program() -> Typesetter {
        let this = std::path::Path::new("/proc/self/exe");
        if this.exists() {
            return Typesetter::Child(this.to_path_buf());
        }
        match std::env::current_exe() {
            Ok(path) => Typesetter::Child(path),
            Err(e) => {
                tracing::warn!(error = %e, "cannot find this program's path: typesetting in process");
                Typesetter::InProcess
            }
        }
    }

    /// Typesets `job` into a PDF. Blocks: call it off the async threads.
    pub fn typeset(&self, job: &Job) -> Result<Vec<u8>, PdfError> {
        match self {
            Typesetter::InProcess => job.typeset(),
            Typesetter::Child(program) => {
                let _turn = Turn::take();
                in_child(program, job)
            }
        }
    }
}

/// Runs `program typeset` with `job` on its standard input.
fn in_child(program: &PathBuf, job: &Job) -> Result<Vec<u8>, PdfError> {
    let fail = |what: &str, e: &dyn std::fmt::Display| PdfError(format!("{what}: {e}"));
    let input = serde_json::to_vec(job).map_err(|e| fail("the document's data", &e))?;
    let mut child = Command::new(program)
        .arg("typeset")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| fail(&format!("cannot start {}", program.display()), &e))?;
    // The child reads all its input before it writes, so writing first cannot deadlock.
    let mut stdin = child
        .stdin
        .take()
        .ok_or_else(|| PdfError("no input pipe".into()))?;
    let wrote = stdin.write_all(&input);
    drop(stdin);
    let mut stdout = child
        .stdout
        .take()
        .ok_or_else(|| PdfError("no output pipe".into()))?;
    let mut stderr = child
        .stderr
        .take()
        .ok_or_else(|| PdfError("no error pipe".into()))?;
    let errors = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let started = Instant::now();
    let reader = std::thread::spawn(move || {
        let mut pdf = Vec::new();
        stdout.read_to_end(&mut pdf).map(|_| pdf)
    });
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > TIME_LIMIT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(PdfError(format!(
                    "typesetting took longer than {} seconds and was stopped",
                    TIME_LIMIT.as_secs()
                )));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(fail("lost the typesetting process", &e)),
        }
    };
    let pdf = reader
        .join()
        .map_err(|_| PdfError("the output reader stopped".into()))?
        .map_err(|e| fail("reading the PDF", &e))?;
    let errors = errors.join().unwrap_or_default();
    if !status.success() {
        let why = errors.trim();
        return Err(PdfError(if why.is_empty() {
            format!("the typesetting process ended with {status}")
        } else {
            why.trim_start_matches("candour: ").to_owned()
        }));
    }
    wrote.map_err(|e| fail("sending the document's data", &e))?;
    Ok(pdf)
}

/// A place among the [`AT_ONCE`] documents typeset at once, given back when dropped.
struct Turn;

static TURNS: (Mutex<usize>, Condvar) = (Mutex::new(0), Condvar::new());

impl Turn {
    fn take() -> Turn {
        let (busy, freed) = &TURNS;
        let mut n = busy.lock().unwrap_or_else(|e| e.into_inner());
        while *n >= AT_ONCE {
            n = freed.wait(n).unwrap_or_else(|e| e.into_inner());
        }
        *n += 1;
        Turn
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        let (busy, freed) = &TURNS;
        let mut n = busy.lock().unwrap_or_else(|e| e.into_inner());
        *n = n.saturating_sub(1);
        freed.notify_one();
    }
}

/// `candour typeset`: reads a [`Job`] as JSON from standard input and
/// writes its PDF to standard output.
pub fn run_child() -> anyhow::Result<()> {
    let mut input = Vec::new();
    std::io::stdin().read_to_end(&mut input)?;
    let job: Job = serde_json::from_slice(&input)
        .map_err(|e| anyhow::anyhow!("the document's data could not be read: {e}"))?;
    let pdf = job.typeset().map_err(|e| anyhow::anyhow!(e))?;
    let mut out = std::io::stdout().lock();
    out.write_all(&pdf)?;
    out.flush()?;
    Ok(())
}
