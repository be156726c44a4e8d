//! Anonymous reporting: public links, case codes (hashed), messages between
//! an anonymous reporter and the handler, and code look-ups for throttling.

use super::organisations::{SERVICE_COLUMNS, Service, service_from};
use super::{PortableRow, Store, StoreResult, Tx, on_read, on_tx};
use candour_domain::ids::{IncidentId, OrganisationId, ServiceId, UserId};

/// A message on an anonymous case.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseMessage {
    /// True when the anonymous reporter wrote it.
    pub from_reporter: bool,
    /// The handler's name (none for the reporter).
    pub author_name: Option<String>,
    /// The text.
    pub body: String,
    /// When, epoch ms.
    pub created_at_ms: i64,
}

/// Gives a service its public reporting token.
pub async fn set_public_token(tx: &mut Tx, service: ServiceId, token: &str) -> StoreResult<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "update service set public_token = $1 where service_id = $2 and public_token is null",
        )
        .bind(token)
        .bind(service.0)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

/// Links a case code's hash to a report.
pub async fn insert_case(
    tx: &mut Tx,
    org: OrganisationId,
    incident: IncidentId,
    code_hash: &str,
    now_ms: i64,
) -> StoreResult<()> {
    on_tx!(tx, |c| {
        sqlx::query("insert into anonymous_case (case_code_hash, organisation_id, incident_id, created_at) values ($1, $2, $3, $4)")
            .bind(code_hash)
            .bind(org.0)
            .bind(incident.0)
            .bind(now_ms)
            .execute(&mut *c)
            .await?;
    });
    Ok(())
}

/// Adds a message to a case.
pub async fn insert_message(
    tx: &mut Tx,
    org: OrganisationId,
    incident: IncidentId,
    author: Option<UserId>,
    body: &str,
    now_ms: i64,
) -> StoreResult<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into case_message (message_id, organisation_id, incident_id, from_reporter, author_id, body, created_at) \
             values ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(uuid::Uuid::now_v7())
        .bind(org.0)
        .bind(incident.0)
        .bind(author.is_none())
        .bind(author.map(|a| a.0))
        .bind(body)
        .bind(now_ms)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

/// Records a case-code look-up from `ip` as failed, before the code is
/// looked up (so concurrent look-ups count each other); returns its id for
/// [`mark_lookup_found`].
pub async fn insert_lookup(tx: &mut Tx, ip: &str, now_ms: i64) -> StoreResult<uuid::Uuid> {
    let id = uuid::Uuid::now_v7();
    on_tx!(tx, |c| {
        sqlx::query("insert into case_lookup (case_lookup_id, client_ip, succeeded, attempted_at) values ($1, $2, $3, $4)")
            .bind(id)
            .bind(ip)
            .bind(false)
            .bind(now_ms)
            .execute(&mut *c)
            .await?;
    });
    Ok(id)
}

/// Marks a look-up as having found its case.
pub async fn mark_lookup_found(tx: &mut Tx, lookup: uuid::Uuid) -> StoreResult<()> {
    on_tx!(tx, |c| {
        sqlx::query("update case_lookup set succeeded = $1 where case_lookup_id = $2")
            .bind(true)
            .bind(lookup)
            .execute(&mut *c)
            .await?;
    });
    Ok(())
}

/// Look-ups from `ip` since `since_ms` that found nothing. Read inside the
/// transaction that records the next, after [`Tx::serialise_on`] the address.
pub async fn case_failures(tx: &mut Tx, ip: &str, since_ms: i64) -> StoreResult<i64> {
    on_tx!(tx, |c| {
        Ok(sqlx::query_scalar(
            "select count(*) from case_lookup where client_ip = $1 and succeeded = $2 and attempted_at >= $3",
        )
        .bind(ip)
        .bind(false)
        .bind(since_ms)
        .fetch_one(&mut *c)
        .await?)
    })
}

/// Anonymous reports from `ip` since `since_ms`: (count, earliest). Read
/// inside the report's transaction, after [`Tx::serialise_on`] the address.
pub async fn public_submissions(
    tx: &mut Tx,
    ip: &str,
    since_ms: i64,
) -> StoreResult<(i64, Option<i64>)> {
    on_tx!(tx, |c| {
        let r = sqlx::query(
            "select count(*) as n, min(submitted_at) as earliest from public_submission where client_ip = $1 and submitted_at >= $2",
        )
        .bind(ip)
        .bind(since_ms)
        .fetch_one(&mut *c)
        .await?;
        Ok((r.int("n")?, r.opt_int("earliest")?))
    })
}

/// Records an anonymous report from `ip` (never linked to the report), and
/// forgets submissions and code look-ups older than abuse protection needs.
pub async fn record_public_submission(
    tx: &mut Tx,
    ip: &str,
    now_ms: i64,
    (forget_submissions_before_ms, forget_lookups_before_ms): (i64, i64),
) -> StoreResult<()> {
    on_tx!(tx, |c| {
        sqlx::query("delete from public_submission where submitted_at < $1")
            .bind(forget_submissions_before_ms)
            .execute(&mut *c)
            .await?;
        sqlx::query("delete from case_lookup where attempted_at < $1")
            .bind(forget_lookups_before_ms)
            .execute(&mut *c)
            .await?;
        sqlx::query(
            "insert into public_submission (public_submission_id, client_ip, submitted_at) values ($1, $2, $3)",
        )
        .bind(uuid::Uuid::now_v7())
        .bind(ip)
        .bind(now_ms)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

impl Store {
    /// The service whose public reporting link carries `token`.
    pub async fn service_by_public_token(&self, token: &str) -> StoreResult<Option<Service>> {
        let sql = format!("select {SERVICE_COLUMNS} from service where public_token = $1");
        on_read!(self, |p| {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(token)
                .fetch_optional(p)
                .await?;
            row.as_ref().map(service_from).transpose()
        })
    }

    /// A service's public token, if it has one.
    pub async fn public_token(&self, service: ServiceId) -> StoreResult<Option<String>> {
        on_read!(self, |p| {
            Ok(sqlx::query_scalar::<_, Option<String>>(
                "select public_token from service where service_id = $1",
            )
            .bind(service.0)
            .fetch_optional(p)
            .await?
            .flatten())
        })
    }

    /// The organisation and report a case code's hash belongs to.
    pub async fn case_by_hash(
        &self,
        code_hash: &str,
    ) -> StoreResult<Option<(OrganisationId, IncidentId)>> {
        on_read!(self, |p| {
            match sqlx::query(
                "select organisation_id, incident_id from anonymous_case where case_code_hash = $1",
            )
            .bind(code_hash)
            .fetch_optional(p)
            .await?
            {
                Some(r) => Ok(Some((
                    OrganisationId(r.uuid("organisation_id")?),
                    IncidentId(r.uuid("incident_id")?),
                ))),
                None => Ok(None),
            }
        })
    }

    /// Whether a report was made anonymously with a case code.
    pub async fn has_case(&self, incident: IncidentId) -> StoreResult<bool> {
        on_read!(self, |p| {
            let n: i64 =
                sqlx::query_scalar("select count(*) from anonymous_case where incident_id = $1")
                    .bind(incident.0)
                    .fetch_one(p)
                    .await?;
            Ok(n > 0)
        })
    }

    /// A case's messages, oldest first.
    pub async fn case_messages(&self, incident: IncidentId) -> StoreResult<Vec<CaseMessage>> {
        on_read!(self, |p| {
            let rows = sqlx::query(
                "select m.from_reporter, u.display_name, m.body, m.created_at from case_message m \
                 left join app_user u on u.user_id = m.author_id where m.incident_id = $1 order by m.created_at, m.message_id",
            )
            .bind(incident.0)
            .fetch_all(p)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(CaseMessage {
                        from_reporter: r.boolean("from_reporter")?,
                        author_name: r.opt_text("display_name")?,
                        body: r.text("body")?,
                        created_at_ms: r.int("created_at")?,
                    })
                })
                .collect()
        })
    }
}
