//! Speaking-up concerns and their messages. A concern is either named (the
//! raiser's account kept, for the guardian only) or anonymous (only the
//! hash of its case code kept); never both.

use super::{PortableRow, Store, StoreResult, Tx, on_read, on_tx, parse_code};
use candour_domain::ids::{OrganisationId, RegionId, ServiceId, UserId};
use candour_domain::speaking_up::Theme;
use uuid::Uuid;

/// A concern as stored, with the names its readers need.
#[derive(Debug, Clone, PartialEq)]
pub struct Concern {
    /// Its id.
    pub concern_id: Uuid,
    /// The organisation.
    pub organisation_id: OrganisationId,
    /// The number behind `SPK-…`.
    pub number: i64,
    /// The service it is about (none: the organisation as a whole), with its region and name.
    pub service: Option<(ServiceId, RegionId, String)>,
    /// What it is about.
    pub theme: Theme,
    /// What the concern is.
    pub description: String,
    /// Who raised it, when named: their account and name.
    pub raised_by: Option<(UserId, String)>,
    /// When, epoch ms.
    pub raised_at_ms: i64,
    /// When a guardian acknowledged it, and who.
    pub acknowledged: Option<(i64, String)>,
    /// The outcome, when it was given, and who gave it.
    pub outcome: Option<(String, i64, String)>,
}

/// A message between raiser and guardian.
#[derive(Debug, Clone, PartialEq)]
pub struct ConcernMessage {
    /// True when the raiser wrote it.
    pub from_raiser: bool,
    /// The guardian's name (none for the raiser).
    pub author_name: Option<String>,
    /// The text.
    pub body: String,
    /// When, epoch ms.
    pub created_at_ms: i64,
}

/// A concern to store.
pub struct NewConcernRow<'a> {
    /// The organisation.
    pub organisation_id: OrganisationId,
    /// The service, if any.
    pub service_id: Option<ServiceId>,
    /// What it is about.
    pub theme: Theme,
    /// What the concern is.
    pub description: &'a str,
    /// The raiser, when named.
    pub raised_by: Option<UserId>,
    /// The case code's hash, when anonymous.
    pub case_code_hash: Option<&'a str>,
    /// When, epoch ms.
    pub raised_at_ms: i64,
}

/// Stores a concern under the next `SPK-` number; returns (id, number).
pub async fn insert_concern(tx: &mut Tx, c: &NewConcernRow<'_>) -> StoreResult<(Uuid, i64)> {
    let number = super::counters::reserve_numbers(tx, c.organisation_id, "SPK", 1).await?;
    let id = Uuid::now_v7();
    on_tx!(tx, |x| {
        sqlx::query(
            "insert into speak_up_concern (concern_id, organisation_id, reference_number, service_id, theme, description, raised_by, case_code_hash, raised_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(id)
        .bind(c.organisation_id.0)
        .bind(number)
        .bind(c.service_id.map(|s| s.0))
        .bind(c.theme.code())
        .bind(c.description)
        .bind(c.raised_by.map(|u| u.0))
        .bind(c.case_code_hash)
        .bind(c.raised_at_ms)
        .execute(&mut *x)
        .await?;
    });
    Ok((id, number))
}

/// Records a guardian's acknowledgement; false when it was already acknowledged.
pub async fn acknowledge(tx: &mut Tx, concern: Uuid, by: UserId, now_ms: i64) -> StoreResult<bool> {
    let n = on_tx!(tx, |x| {
        sqlx::query(
            "update speak_up_concern set acknowledged_at = $1, acknowledged_by = $2 \
             where concern_id = $3 and acknowledged_at is null",
        )
        .bind(now_ms)
        .bind(by.0)
        .bind(concern)
        .execute(&mut *x)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

/// Records the outcome, acknowledging it too if nobody had; false when an
/// outcome was already given (it is never overwritten).
pub async fn close(
    tx: &mut Tx,
    concern: Uuid,
    by: UserId,
    outcome: &str,
    now_ms: i64,
) -> StoreResult<bool> {
    let n = on_tx!(tx, |x| {
        sqlx::query(
            "update speak_up_concern set outcome = $1, closed_at = $2, closed_by = $3, \
             acknowledged_at = coalesce(acknowledged_at, $2), acknowledged_by = coalesce(acknowledged_by, $3) \
             where concern_id = $4 and closed_at is null",
        )
        .bind(outcome)
        .bind(now_ms)
        .bind(by.0)
        .bind(concern)
        .execute(&mut *x)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

/// Adds a message: from the raiser when `author` is none, else from that guardian.
pub async fn insert_message(
    tx: &mut Tx,
    org: OrganisationId,
    concern: Uuid,
    author: Option<UserId>,
    body: &str,
    now_ms: i64,
) -> StoreResult<()> {
    on_tx!(tx, |x| {
        sqlx::query(
            "insert into speak_up_message (message_id, organisation_id, concern_id, from_raiser, author_id, body, created_at) \
             values ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(Uuid::now_v7())
        .bind(org.0)
        .bind(concern)
        .bind(author.is_none())
        .bind(author.map(|a| a.0))
        .bind(body)
        .bind(now_ms)
        .execute(&mut *x)
        .await?;
    });
    Ok(())
}

const CONCERN_SELECT: &str = "select c.concern_id, c.organisation_id, c.reference_number, c.service_id, s.region_id, s.name as service_name, \
     c.theme, c.description, c.raised_by, r.display_name as raiser_name, c.raised_at, \
     c.acknowledged_at, a.display_name as acknowledger_name, c.outcome, c.closed_at, k.display_name as closer_name \
     from speak_up_concern c \
     left join service s on s.service_id = c.service_id \
     left join app_user r on r.user_id = c.raised_by \
     left join app_user a on a.user_id = c.acknowledged_by \
     left join app_user k on k.user_id = c.closed_by";

fn concern_from(r: &impl PortableRow) -> StoreResult<Concern> {
    let service = match (r.opt_uuid("service_id")?, r.opt_uuid("region_id")?) {
        (Some(s), Some(g)) => Some((
            ServiceId(s),
            RegionId(g),
            r.opt_text("service_name")?.unwrap_or_default(),
        )),
        _ => None,
    };
    let raised_by = match r.opt_uuid("raised_by")? {
        Some(u) => Some((UserId(u), r.opt_text("raiser_name")?.unwrap_or_default())),
        None => None,
    };
    let acknowledged = match r.opt_int("acknowledged_at")? {
        Some(t) => Some((t, r.opt_text("acknowledger_name")?.unwrap_or_default())),
        None => None,
    };
    let outcome = match (r.opt_text("outcome")?, r.opt_int("closed_at")?) {
        (Some(o), Some(t)) => Some((o, t, r.opt_text("closer_name")?.unwrap_or_default())),
        _ => None,
    };
    Ok(Concern {
        concern_id: r.uuid("concern_id")?,
        organisation_id: OrganisationId(r.uuid("organisation_id")?),
        number: r.int("reference_number")?,
        service,
        theme: parse_code(&r.text("theme")?, Theme::parse, "speaking-up theme")?,
        description: r.text("description")?,
        raised_by,
        raised_at_ms: r.int("raised_at")?,
        acknowledged,
        outcome,
    })
}

impl Store {
    /// An organisation's concern by its number.
    pub async fn concern(&self, org: OrganisationId, number: i64) -> StoreResult<Option<Concern>> {
        let sql =
            format!("{CONCERN_SELECT} where c.organisation_id = $1 and c.reference_number = $2");
        on_read!(self, |p| {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(org.0)
                .bind(number)
                .fetch_optional(p)
                .await?;
            row.as_ref().map(concern_from).transpose()
        })
    }

    /// The concern a case code's hash belongs to.
    pub async fn concern_by_code_hash(&self, code_hash: &str) -> StoreResult<Option<Concern>> {
        let sql = format!("{CONCERN_SELECT} where c.case_code_hash = $1");
        on_read!(self, |p| {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(code_hash)
                .fetch_optional(p)
                .await?;
            row.as_ref().map(concern_from).transpose()
        })
    }

    /// Every concern of an organisation raised from `since_ms`, newest
    /// first (speaking up is counted in dozens a year, not thousands; the
    /// actions layer picks the ones a reader may see).
    pub async fn concerns_since(
        &self,
        org: OrganisationId,
        since_ms: i64,
    ) -> StoreResult<Vec<Concern>> {
        self.concerns_where(
            "c.organisation_id = $1 and c.raised_at >= $2 order by c.raised_at desc, c.reference_number desc",
            org.0,
            Some(since_ms),
        )
        .await
    }

    /// Concerns still without an outcome, oldest first.
    pub async fn open_concerns(&self, org: OrganisationId) -> StoreResult<Vec<Concern>> {
        self.concerns_where(
            "c.organisation_id = $1 and c.closed_at is null order by c.raised_at, c.reference_number",
            org.0,
            None,
        )
        .await
    }

    /// The concerns someone raised by name, newest first.
    pub async fn concerns_raised_by(&self, user: UserId) -> StoreResult<Vec<Concern>> {
        self.concerns_where("c.raised_by = $1 order by c.raised_at desc", user.0, None)
            .await
    }

    /// Concerns matching `clause` (after `where`), bound to `id` and, when
    /// given, a time.
    async fn concerns_where(
        &self,
        clause: &str,
        id: Uuid,
        at_ms: Option<i64>,
    ) -> StoreResult<Vec<Concern>> {
        let sql = format!("{CONCERN_SELECT} where {clause}");
        on_read!(self, |p| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str())).bind(id);
            if let Some(t) = at_ms {
                q = q.bind(t);
            }
            let rows = q.fetch_all(p).await?;
            rows.iter().map(concern_from).collect()
        })
    }

    /// A concern's messages, oldest first.
    pub async fn concern_messages(&self, concern: Uuid) -> StoreResult<Vec<ConcernMessage>> {
        on_read!(self, |p| {
            let rows = sqlx::query(
                "select m.from_raiser, u.display_name, m.body, m.created_at from speak_up_message m \
                 left join app_user u on u.user_id = m.author_id where m.concern_id = $1 order by m.created_at, m.message_id",
            )
            .bind(concern)
            .fetch_all(p)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(ConcernMessage {
                        from_raiser: r.boolean("from_raiser")?,
                        author_name: r.opt_text("display_name")?,
                        body: r.text("body")?,
                        created_at_ms: r.int("created_at")?,
                    })
                })
                .collect()
        })
    }
}
