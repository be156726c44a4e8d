//! Where printable documents are typeset. Typst keeps what it worked out
//! for a document in process-wide caches that it never gives back: in a
//! long-running server each new document would add to them (a year's
//! incident log for one service holds about 500 MiB while it is made, and
//! kept it after). So the server typesets in child processes, `candour
//! typeset --many`, each of which reads [`Job`]s from its standard input
//! and writes their PDFs to its standard output, one after another.
//!
//! A child is kept warm between documents, because starting Typst afresh
//! (its library, fonts and line-breaking data) costs about a third of a
//! second a document. It empties Typst's caches after each document; the
//! server replaces it when it has grown past [`KEEP_BELOW`] or made
//! [`MAX_DOCUMENTS`], and it exits by itself when no document has come for
//! [`IDLE`], so at rest no child is left. At most [`AT_ONCE`] documents
//! are typeset at once; more wait their turn.

use candour_pdf::{Job, PdfError};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, Condvar, Mutex};
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
#[derive(Debug, Clone)]
pub enum Typesetter {
    /// In this process: for one-off commands that exit soon after.
    InProcess,
    /// In child processes of a program (the `candour` binary), run as
    /// `candour typeset --many` and kept warm between documents.
    Children(Arc<Children>),
}

impl Typesetter {
    /// Children of `program`, with the usual limits.
    pub fn children(program: impl Into<PathBuf>) -> Typesetter {
        Typesetter::Children(Arc::new(Children::new(program.into())))
    }

    /// Children of the running executable: what `candour serve` uses. On
    /// Linux through `/proc/self/exe`, which is the program running even
    /// after an upgrade has replaced its file, so a child never runs a
    /// newer version than its server.
    pub fn child_of_this_program() -> Typesetter {
        let this = std::path::Path::new("/proc/self/exe");
        if this.exists() {
            return Typesetter::children(this);
        }
        match std::env::current_exe() {
            Ok(path) => Typesetter::children(path),
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
            Typesetter::Children(children) => {
                let _turn = Turn::take();
                children.typeset(job)
            }
        }
    }
}

/// A child waiting for work exits after this long without a document.
pub const IDLE: Duration = Duration::from_secs(60);

/// A child is replaced once its resident memory, after a document, is
/// this many bytes or more.
pub const KEEP_BELOW: u64 = 320 * 1024 * 1024;

/// A child is replaced after making this many documents.
pub const MAX_DOCUMENTS: usize = 200;

/// The typesetting children of one program: those waiting for work, and
/// the limits they are kept to.
#[derive(Debug)]
pub struct Children {
    program: PathBuf,
    idle_after: Duration,
    keep_below: u64,
    waiting: Mutex<Vec<Warm>>,
    started: AtomicUsize,
}

impl Children {
    /// Children of `program` with the limits [`IDLE`], [`KEEP_BELOW`] and
    /// [`MAX_DOCUMENTS`].
    pub fn new(program: PathBuf) -> Children {
        Children::with_limits(program, IDLE, KEEP_BELOW)
    }

    /// Children that exit after `idle_after` without work and are
    /// replaced once they hold `keep_below` bytes or more.
    pub fn with_limits(program: PathBuf, idle_after: Duration, keep_below: u64) -> Children {
        Children {
            program,
            idle_after,
            keep_below,
            waiting: Mutex::new(Vec::new()),
            started: AtomicUsize::new(0),
        }
    }

    /// How many children have been started so far.
    pub fn started(&self) -> usize {
        self.started.load(Ordering::Relaxed)
    }

    /// The process ids of the children waiting for work.
    pub fn waiting(&self) -> Vec<u32> {
        self.lock().iter().map(|w| w.child.id()).collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Warm>> {
        self.waiting.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A waiting child that has not been idle long enough to be leaving.
    fn take_waiting(&self) -> Option<Warm> {
        let mut waiting = self.lock();
        while let Some(warm) = waiting.pop() {
            if warm.last_used.elapsed() < self.idle_after / 2 {
                return Some(warm);
            }
        }
        None
    }

    fn start(&self) -> Result<Warm, PdfError> {
        let warm = Warm::start(&self.program, self.idle_after)?;
        self.started.fetch_add(1, Ordering::Relaxed);
        Ok(warm)
    }

    fn typeset(&self, job: &Job) -> Result<Vec<u8>, PdfError> {
        let input =
            serde_json::to_vec(job).map_err(|e| PdfError(format!("the document's data: {e}")))?;
        let (mut warm, reused) = match self.take_waiting() {
            Some(w) => (w, true),
            None => (self.start()?, false),
        };
        let mut outcome = warm.run(&input);
        if reused && matches!(outcome, Err(Failure::Gone(_))) {
            // It may have left just as the document came: once more, afresh.
            warm = self.start()?;
            outcome = warm.run(&input);
        }
        match outcome {
            Ok(made) => {
                if warm.documents < MAX_DOCUMENTS
                    && resident_bytes(warm.child.id()).is_some_and(|bytes| bytes < self.keep_below)
                {
                    warm.last_used = Instant::now();
                    self.lock().push(warm);
                }
                made
            }
            Err(Failure::Gone(why) | Failure::Stopped(why)) => Err(PdfError(why)),
        }
    }
}

/// Why a child gave no answer.
enum Failure {
    /// It ended, with what it said.
    Gone(String),
    /// It took too long and was stopped.
    Stopped(String),
}

/// A running `candour typeset --many`.
#[derive(Debug)]
struct Warm {
    child: Child,
    input: ChildStdin,
    answers: Receiver<std::io::Result<Answer>>,
    said: Arc<Mutex<String>>,
    documents: usize,
    last_used: Instant,
}

/// One answer from a child: a PDF or why not.
type Answer = Result<Vec<u8>, PdfError>;

impl Warm {
    fn start(program: &Path, idle_after: Duration) -> Result<Warm, PdfError> {
        let mut child = Command::new(program)
            .args(["typeset", "--many", "--idle-seconds"])
            .arg(idle_after.as_secs().max(1).to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| PdfError(format!("cannot start {}: {e}", program.display())))?;
        let (Some(input), Some(mut output), Some(mut errors)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(PdfError("the typesetting process has no pipes".into()));
        };
        let said = Arc::new(Mutex::new(String::new()));
        let heard = Arc::clone(&said);
        std::thread::spawn(move || {
            let mut s = String::new();
            let _ = errors.read_to_string(&mut s);
            *heard.lock().unwrap_or_else(|e| e.into_inner()) = s;
        });
        let (send, answers) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            loop {
                let answer = read_answer(&mut output);
                let ended = answer.is_err();
                if send.send(answer).is_err() || ended {
                    break;
                }
            }
        });
        Ok(Warm {
            child,
            input,
            answers,
            said,
            documents: 0,
            last_used: Instant::now(),
        })
    }

    /// Sends one job and waits for its answer.
    fn run(&mut self, input: &[u8]) -> Result<Answer, Failure> {
        self.documents += 1;
        // The child reads a whole job before it answers, and a thread
        // reads its answers, so writing first cannot deadlock.
        let sent = write_frame(&mut self.input, input);
        match self.answers.recv_timeout(TIME_LIMIT) {
            Ok(Ok(answer)) if sent.is_ok() => Ok(answer),
            Ok(_) | Err(RecvTimeoutError::Disconnected) => Err(Failure::Gone(self.ended())),
            Err(RecvTimeoutError::Timeout) => {
                let _ = self.child.kill();
                let _ = self.child.wait();
                Err(Failure::Stopped(format!(
                    "typesetting took longer than {} seconds and was stopped",
                    TIME_LIMIT.as_secs()
                )))
            }
        }
    }

    /// What the child said as it ended, once it has.
    fn ended(&mut self) -> String {
        let status = self.child.wait();
        // Its error pipe closes as it ends; give the reader a moment.
        let deadline = Instant::now() + Duration::from_secs(2);
        loop {
            let said = self.said.lock().unwrap_or_else(|e| e.into_inner()).clone();
            let why = said.trim();
            if !why.is_empty() {
                return why.trim_start_matches("candour: ").to_owned();
            }
            if Instant::now() > deadline {
                return match status {
                    Ok(s) => format!("the typesetting process ended with {s}"),
                    Err(e) => format!("lost the typesetting process: {e}"),
                };
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

impl Drop for Warm {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Writes a length-prefixed frame.
fn write_frame(to: &mut impl Write, bytes: &[u8]) -> std::io::Result<()> {
    to.write_all(&(bytes.len() as u64).to_le_bytes())?;
    to.write_all(bytes)?;
    to.flush()
}

/// Reads a length-prefixed frame; `None` at the end of the input.
fn read_frame(from: &mut impl Read) -> std::io::Result<Option<Vec<u8>>> {
    let mut len = [0u8; 8];
    match from.read_exact(&mut len) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let len = usize::try_from(u64::from_le_bytes(len))
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
    let mut bytes = vec![0u8; len];
    from.read_exact(&mut bytes)?;
    Ok(Some(bytes))
}

/// Reads one answer: a byte (0 for a PDF, 1 for why not), then a frame.
fn read_answer(from: &mut impl Read) -> std::io::Result<Answer> {
    let mut kind = [0u8; 1];
    from.read_exact(&mut kind)?;
    let bytes = read_frame(from)?.ok_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "the answer was cut short",
        )
    })?;
    Ok(match kind[0] {
        0 => Ok(bytes),
        _ => Err(PdfError(String::from_utf8_lossy(&bytes).into_owned())),
    })
}

/// Resident memory of a process, in bytes (Linux); `None` elsewhere.
pub fn resident_bytes(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kib: u64 = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kib * 1024)
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

/// `candour typeset --many`: reads jobs, each a length-prefixed frame of
/// JSON, from standard input until it ends or `idle_after` passes without
/// one, and answers each on standard output: a byte (0 for a PDF, 1 for
/// why not) and a length-prefixed frame. Typst's caches are emptied after
/// each document.
pub fn run_many(idle_after: Duration) -> anyhow::Result<()> {
    let (send, jobs) = std::sync::mpsc::sync_channel(1);
    std::thread::spawn(move || {
        let mut input = std::io::stdin().lock();
        loop {
            let frame = read_frame(&mut input);
            let ended = !matches!(frame, Ok(Some(_)));
            if send.send(frame).is_err() || ended {
                break;
            }
        }
    });
    let mut out = std::io::stdout().lock();
    loop {
        let input = match jobs.recv_timeout(idle_after) {
            Ok(Ok(Some(input))) => input,
            Ok(Ok(None)) | Err(_) => return Ok(()),
            Ok(Err(e)) => return Err(e.into()),
        };
        let made = serde_json::from_slice::<Job>(&input)
            .map_err(|e| PdfError(format!("the document's data could not be read: {e}")))
            .and_then(|job| job.typeset());
        candour_pdf::forget();
        match made {
            Ok(pdf) => {
                out.write_all(&[0])?;
                write_frame(&mut out, &pdf)?;
            }
            Err(e) => {
                out.write_all(&[1])?;
                write_frame(&mut out, e.0.as_bytes())?;
            }
        }
    }
}
