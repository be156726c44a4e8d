//! Monthly board reports as they were sent: each month's PDF for each scope.

use super::{PortableRow, Store, StoreResult, Tx, on_read, on_tx};
use candour_domain::ids::OrganisationId;

/// A board report as it was sent.
#[derive(Debug, Clone, PartialEq)]
pub struct SentBoardReport {
    /// The month, `YYYY-MM`.
    pub month: String,
    /// The scope's code (`all`, `region:<id>`, `service:<id>`).
    pub scope_code: String,
    /// The scope in words.
    pub scope_label: String,
    /// When it was made and sent, epoch milliseconds.
    pub made_at_ms: i64,
    /// Its SHA-256, as it was kept.
    pub sha256: String,
    /// The PDF.
    pub pdf: Vec<u8>,
}

/// Keeps a month's report for a scope, unless one is already kept (the
/// first one sent is what the board saw); returns whether it was kept now.
pub async fn keep_sent(tx: &mut Tx, org: OrganisationId, r: &SentBoardReport) -> StoreResult<bool> {
    let n = on_tx!(tx, |c| {
        sqlx::query(
            "insert into board_report_sent (board_report_id, organisation_id, month, scope_code, scope_label, pdf, sha256, made_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict (organisation_id, month, scope_code) do nothing",
        )
        .bind(uuid::Uuid::now_v7())
        .bind(org.0)
        .bind(&r.month)
        .bind(&r.scope_code)
        .bind(&r.scope_label)
        .bind(&r.pdf)
        .bind(&r.sha256)
        .bind(r.made_at_ms)
        .execute(&mut *c)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

impl Store {
    /// The report sent for `month` and `scope_code`, if one was kept.
    pub async fn sent_board_report(
        &self,
        org: OrganisationId,
        month: &str,
        scope_code: &str,
    ) -> StoreResult<Option<SentBoardReport>> {
        on_read!(self, |p| {
            let row = sqlx::query(
                "select month, scope_code, scope_label, pdf, sha256, made_at from board_report_sent \
                 where organisation_id = $1 and month = $2 and scope_code = $3",
            )
            .bind(org.0)
            .bind(month)
            .bind(scope_code)
            .fetch_optional(p)
            .await?;
            match row {
                Some(r) => Ok(Some(SentBoardReport {
                    month: r.text("month")?,
                    scope_code: r.text("scope_code")?,
                    scope_label: r.text("scope_label")?,
                    made_at_ms: r.int("made_at")?,
                    sha256: r.text("sha256")?,
                    pdf: sqlx::Row::try_get(&r, "pdf")?,
                })),
                None => Ok(None),
            }
        })
    }
}
