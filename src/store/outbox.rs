//! The durable email outbox. An email is written in the same transaction as
//! the change it tells someone about, then sent by `email::sender`, which
//! claims one due email at a time with a lease, so that with several
//! instances each email is sent by one of them (at least once: the
//! Message-ID is the outbox id, so a rare duplicate can be recognised).

use super::{PortableRow, Store, StoreResult, Tx, on_read, on_tx};
use candour_domain::ids::OrganisationId;
use uuid::Uuid;

/// An email to write into the outbox.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEmail<'a> {
    /// The organisation it belongs to.
    pub organisation_id: OrganisationId,
    /// One recipient address.
    pub to: &'a str,
    /// Subject line.
    pub subject: &'a str,
    /// Plain-text body.
    pub body_text: &'a str,
    /// An HTML body as well, for emails that have one.
    pub body_html: Option<&'a str>,
}

/// An email claimed for sending.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxEmail {
    /// Its id (also its Message-ID).
    pub email_id: Uuid,
    /// Recipient.
    pub to: String,
    /// Subject.
    pub subject: String,
    /// Body.
    pub body_text: String,
    /// HTML body, if any.
    pub body_html: Option<String>,
    /// Tries so far, this one included.
    pub attempts: i64,
}

/// The outbox at a glance, for operators.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutboxSummary {
    /// Queued or being sent.
    pub waiting: i64,
    /// Sent.
    pub sent: i64,
    /// Given up (the dead letters).
    pub failed: i64,
    /// When the oldest waiting email was queued.
    pub oldest_waiting_ms: Option<i64>,
}

/// Where an email stands, for operators and tests.
#[derive(Debug, Clone, PartialEq)]
pub struct EmailStatus {
    /// Recipient.
    pub to: String,
    /// Subject.
    pub subject: String,
    /// `queued`, `sending`, `sent` or `failed`.
    pub state: String,
    /// Tries so far.
    pub attempts: i64,
    /// The last error, if any.
    pub last_error: Option<String>,
}

/// Queues an email inside the caller's transaction.
pub async fn enqueue_email(tx: &mut Tx, e: &NewEmail<'_>, now_ms: i64) -> StoreResult<Uuid> {
    let id = Uuid::now_v7();
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into email_outbox (email_id, organisation_id, to_address, subject, body_text, body_html, state, attempts, next_attempt_at, created_at) \
             values ($1, $2, $3, $4, $5, $7, 'queued', 0, $6, $6)",
        )
        .bind(id)
        .bind(e.organisation_id.0)
        .bind(e.to)
        .bind(e.subject)
        .bind(e.body_text)
        .bind(now_ms)
        .bind(e.body_html)
        .execute(&mut *c)
        .await?;
    });
    Ok(id)
}

/// Gives up the emails still queued for `to` in `org` (its account was
/// disabled), recording `why`; returns how many.
pub async fn drop_queued_for(
    tx: &mut Tx,
    org: OrganisationId,
    to: &str,
    why: &str,
) -> StoreResult<u64> {
    Ok(on_tx!(tx, |c| {
        sqlx::query(
            "update email_outbox set state = 'failed', last_error = $1 \
             where organisation_id = $2 and to_address = $3 and state = 'queued'",
        )
        .bind(why)
        .bind(org.0)
        .bind(to)
        .execute(&mut *c)
        .await?
        .rows_affected()
    }))
}

impl Store {
    /// Claims the next email that is due (or whose sender's lease ran out),
    /// leasing it until `lease_until_ms`.
    pub async fn claim_due_email(
        &self,
        now_ms: i64,
        lease_until_ms: i64,
    ) -> StoreResult<Option<OutboxEmail>> {
        // BACKEND DIFFERENCE: PostgreSQL skips rows another instance has
        // locked; SQLite has one writer, so the statement is already alone.
        let lock = match self.engine() {
            super::Engine::Postgres => " for update skip locked",
            super::Engine::Sqlite => "",
        };
        let sql = format!(
            "update email_outbox set state = 'sending', locked_until = $2, attempts = attempts + 1 \
             where email_id = (select email_id from email_outbox \
               where (state = 'queued' and next_attempt_at <= $1) or (state = 'sending' and locked_until < $1) \
               order by next_attempt_at, email_id limit 1{lock}) \
             returning email_id, to_address, subject, body_text, body_html, attempts"
        );
        let mut tx = self.begin().await?;
        let row = on_tx!(&mut tx, |c| {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(now_ms)
                .bind(lease_until_ms)
                .fetch_optional(&mut *c)
                .await?;
            match row {
                Some(r) => Some(OutboxEmail {
                    email_id: r.uuid("email_id")?,
                    to: r.text("to_address")?,
                    subject: r.text("subject")?,
                    body_text: r.text("body_text")?,
                    body_html: r.opt_text("body_html")?,
                    attempts: r.int("attempts")?,
                }),
                None => None,
            }
        });
        tx.commit().await?;
        Ok(row)
    }

    /// Records that an email was accepted by the SMTP server.
    pub async fn mark_email_sent(&self, id: Uuid, now_ms: i64) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |c| {
            sqlx::query(
                "update email_outbox set state = 'sent', sent_at = $1, locked_until = null, last_error = null where email_id = $2",
            )
            .bind(now_ms)
            .bind(id)
            .execute(&mut *c)
            .await?;
        });
        tx.commit().await
    }

    /// Records a failed try: back to the queue at `retry_at_ms`, or `failed`
    /// for good when `retry_at_ms` is `None`.
    pub async fn mark_email_failed(
        &self,
        id: Uuid,
        error: &str,
        retry_at_ms: Option<i64>,
    ) -> StoreResult<()> {
        let (state, next) = match retry_at_ms {
            Some(at) => ("queued", at),
            None => ("failed", 0),
        };
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |c| {
            sqlx::query(
                "update email_outbox set state = $1, next_attempt_at = case when $1 = 'queued' then $2 else next_attempt_at end, \
                 locked_until = null, last_error = $3 where email_id = $4",
            )
            .bind(state)
            .bind(next)
            .bind(error)
            .bind(id)
            .execute(&mut *c)
            .await?;
        });
        tx.commit().await
    }

    /// The emails of an organisation, oldest first (for operators and tests).
    pub async fn emails(&self, org: OrganisationId) -> StoreResult<Vec<EmailStatus>> {
        on_read!(self, |p| {
            let rows = sqlx::query(
                "select to_address, subject, state, attempts, last_error from email_outbox \
                 where organisation_id = $1 order by created_at, email_id",
            )
            .bind(org.0)
            .fetch_all(p)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(EmailStatus {
                        to: r.text("to_address")?,
                        subject: r.text("subject")?,
                        state: r.text("state")?,
                        attempts: r.int("attempts")?,
                        last_error: r.opt_text("last_error")?,
                    })
                })
                .collect()
        })
    }

    /// How many emails stand in each state, across every organisation, and
    /// when the oldest still waiting was queued (for `/metrics`).
    pub async fn outbox_summary(&self) -> StoreResult<OutboxSummary> {
        on_read!(self, |p| {
            let rows = sqlx::query(
                "select state, count(*) as n, min(created_at) as oldest from email_outbox group by state",
            )
            .fetch_all(p)
            .await?;
            let mut out = OutboxSummary::default();
            for r in &rows {
                let n = r.int("n")?;
                match r.text("state")?.as_str() {
                    "queued" | "sending" => {
                        out.waiting += n;
                        let oldest = r.opt_int("oldest")?;
                        out.oldest_waiting_ms = match (out.oldest_waiting_ms, oldest) {
                            (Some(a), Some(b)) => Some(a.min(b)),
                            (a, b) => a.or(b),
                        };
                    }
                    "sent" => out.sent += n,
                    _ => out.failed += n,
                }
            }
            Ok(out)
        })
    }
}
