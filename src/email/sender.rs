//! Drains the email outbox over SMTP: claims one due email at a time (a
//! lease, so several instances never send the same one together), sends it,
//! and records the answer. A temporary failure is retried with backoff; a
//! permanent one (the server refused the address) or too many tries marks
//! it failed, with the error kept for the operator.

use crate::actions::Ctx;
use crate::store::outbox::OutboxEmail;
use candour_domain::notification::{MAX_EMAIL_ATTEMPTS, email_retry_delay_seconds};
use lettre::message::{Mailbox, MultiPart, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

/// How long a sender may hold an email before another may try it.
const LEASE_MS: i64 = 2 * 60 * 1000;
/// How often the outbox is looked at when idle.
pub const POLL: Duration = Duration::from_secs(5);

/// An SMTP connection and the From address.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    max_attempts: i64,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer").field("from", &self.from).finish()
    }
}

impl Mailer {
    /// Builds a mailer from an SMTP URL: `smtp://host:25` (no TLS, a relay on
    /// the same network), `smtp://user:pass@host:587?tls=required`
    /// (STARTTLS) or `smtps://user:pass@host:465`.
    pub fn new(smtp_url: &str, from: &str) -> anyhow::Result<Mailer> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)
            .map_err(|e| anyhow::anyhow!("the SMTP URL is not valid: {e}"))?
            .timeout(Some(Duration::from_secs(30)))
            .build();
        let from: Mailbox = from.parse().map_err(|e| {
            anyhow::anyhow!("the From address {from:?} is not a valid address: {e}")
        })?;
        Ok(Mailer {
            transport,
            from,
            max_attempts: MAX_EMAIL_ATTEMPTS,
        })
    }

    /// Gives an email up as failed (the dead letters an operator looks at)
    /// after `n` tries that failed for a passing reason; 1 to 50.
    pub fn with_max_attempts(mut self, n: i64) -> anyhow::Result<Mailer> {
        if !(1..=50).contains(&n) {
            anyhow::bail!("the number of email attempts must be from 1 to 50, not {n}");
        }
        self.max_attempts = n;
        Ok(self)
    }

    fn message(&self, email: &OutboxEmail) -> anyhow::Result<Message> {
        let domain = self.from.email.domain().to_owned();
        let builder = Message::builder()
            .from(self.from.clone())
            .to(email.to.parse()?)
            .subject(&email.subject)
            // The outbox id: a resend after a lost answer can be recognised.
            .message_id(Some(format!("<{}@{domain}>", email.email_id)));
        Ok(match &email.body_html {
            // Always a text part; the HTML part when there is one.
            Some(html) => builder.multipart(MultiPart::alternative_plain_html(
                email.body_text.clone(),
                html.clone(),
            ))?,
            None => builder
                .header(ContentType::TEXT_PLAIN)
                .body(email.body_text.clone())?,
        })
    }
}

/// Sends every email that is due now; returns how many were accepted.
pub async fn send_due(ctx: &Ctx, mailer: &Mailer) -> anyhow::Result<usize> {
    let mut sent = 0;
    loop {
        let now = ctx.clock.now().as_millisecond();
        let Some(email) = ctx.store.claim_due_email(now, now + LEASE_MS).await? else {
            return Ok(sent);
        };
        let result = match mailer.message(&email) {
            Ok(m) => mailer
                .transport
                .send(m)
                .await
                .map(|_| ())
                .map_err(|e| (e.is_permanent(), e.to_string())),
            Err(e) => Err((true, format!("the email could not be built: {e}"))),
        };
        let now = ctx.clock.now().as_millisecond();
        match result {
            Ok(()) => {
                ctx.store.mark_email_sent(email.email_id, now).await?;
                sent += 1;
            }
            Err((permanent, error)) => {
                let retry = (!permanent && email.attempts < mailer.max_attempts)
                    .then(|| now + email_retry_delay_seconds(email.attempts) * 1000);
                tracing::warn!(email_id = %email.email_id, attempts = email.attempts, permanent, %error, "email not sent");
                ctx.store
                    .mark_email_failed(email.email_id, &error, retry)
                    .await?;
            }
        }
    }
}

/// Sends due emails until `stop` resolves, looking every [`POLL`].
pub async fn run(ctx: Ctx, mailer: Mailer, stop: tokio::sync::watch::Receiver<bool>) {
    let mut stop = stop;
    loop {
        if let Err(e) = send_due(&ctx, &mailer).await {
            tracing::error!(error = ?e, "the email outbox could not be drained");
        }
        tokio::select! {
            _ = tokio::time::sleep(POLL) => {},
            _ = stop.changed() => return,
        }
    }
}
