//! A real SMTP server for email tests (mailin-embedded, an independent
//! implementation), on a free port of 127.0.0.1. It keeps every message it
//! accepts, and refuses recipients whose address starts with `refuse`
//! (a permanent 550, as a server does for an unknown mailbox).

use mailin_embedded::response::{NO_MAILBOX, OK};
use mailin_embedded::{Handler, Response, Server, SslConfig};
use std::sync::{Arc, Mutex};

/// One message as the server received it.
#[derive(Debug, Clone, Default)]
pub struct Received {
    /// Envelope recipients.
    pub to: Vec<String>,
    /// The whole message: headers and body.
    pub data: String,
}

#[derive(Clone)]
struct Keep {
    inbox: Arc<Mutex<Vec<Received>>>,
    current: Received,
}

impl Handler for Keep {
    fn rcpt(&mut self, to: &str) -> Response {
        if to.starts_with("refuse") {
            return NO_MAILBOX;
        }
        self.current.to.push(to.to_owned());
        OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.current.data.push_str(&String::from_utf8_lossy(buf));
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let done = std::mem::take(&mut self.current);
        if let Ok(mut inbox) = self.inbox.lock() {
            inbox.push(done);
        }
        OK
    }
}

/// A running SMTP server and what it has received.
pub struct SmtpSink {
    /// `smtp://127.0.0.1:PORT`, for Candour's `--smtp-url`.
    pub url: String,
    inbox: Arc<Mutex<Vec<Received>>>,
}

impl SmtpSink {
    /// Starts a server on a free port (it runs until the test process ends).
    pub fn start() -> anyhow::Result<SmtpSink> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        let url = format!("smtp://{}", listener.local_addr()?);
        let inbox = Arc::new(Mutex::new(Vec::new()));
        let mut server = Server::new(Keep {
            inbox: inbox.clone(),
            current: Received::default(),
        });
        server
            .with_name("localhost")
            .with_ssl(SslConfig::None)
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .with_num_threads(2)
            .with_tcp_listener(listener);
        std::thread::spawn(move || {
            let _ = server.serve();
        });
        Ok(SmtpSink { url, inbox })
    }

    /// Everything received so far.
    pub fn received(&self) -> Vec<Received> {
        self.inbox.lock().map(|i| i.clone()).unwrap_or_default()
    }

    /// Waits up to `seconds` for at least `n` messages.
    pub async fn wait_for(&self, n: usize, seconds: u64) -> Vec<Received> {
        for _ in 0..seconds * 10 {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        self.received()
    }
}
