//! Append-only additions to submitted reports.

use super::{PortableRow, Store, StoreResult, Tx, on_read, on_tx, parse_code};
use candour_domain::ids::{IncidentId, OrganisationId, UserId};
use candour_domain::incident::AddendumKind;
use uuid::Uuid;

/// One addition to a report.
#[derive(Debug, Clone, PartialEq)]
pub struct Addendum {
    /// Its id.
    pub addendum_id: Uuid,
    /// The report.
    pub incident_id: IncidentId,
    /// Who wrote it.
    pub author_id: UserId,
    /// Their name.
    pub author_name: String,
    /// What it is.
    pub kind: AddendumKind,
    /// The request a correction answers.
    pub in_reply_to: Option<Uuid>,
    /// The text.
    pub body: String,
    /// When, epoch ms.
    pub created_at_ms: i64,
}

/// Stores an addition.
pub async fn insert_addendum(tx: &mut Tx, org: OrganisationId, a: &Addendum) -> StoreResult<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into incident_addendum (addendum_id, organisation_id, incident_id, author_id, kind, in_reply_to, body, created_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(a.addendum_id)
        .bind(org.0)
        .bind(a.incident_id.0)
        .bind(a.author_id.0)
        .bind(a.kind.code())
        .bind(a.in_reply_to)
        .bind(&a.body)
        .bind(a.created_at_ms)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

impl Store {
    /// Every addition to a report, oldest first.
    pub async fn addenda(&self, incident: IncidentId) -> StoreResult<Vec<Addendum>> {
        on_read!(self, |p| {
            let rows = sqlx::query(
                "select d.addendum_id, d.incident_id, d.author_id, u.display_name, d.kind, d.in_reply_to, d.body, d.created_at \
                 from incident_addendum d join app_user u on u.user_id = d.author_id \
                 where d.incident_id = $1 order by d.created_at, d.addendum_id",
            )
            .bind(incident.0)
            .fetch_all(p)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(Addendum {
                        addendum_id: r.uuid("addendum_id")?,
                        incident_id: IncidentId(r.uuid("incident_id")?),
                        author_id: UserId(r.uuid("author_id")?),
                        author_name: r.text("display_name")?,
                        kind: parse_code(&r.text("kind")?, AddendumKind::parse, "addendum kind")?,
                        in_reply_to: r.opt_uuid("in_reply_to")?,
                        body: r.text("body")?,
                        created_at_ms: r.int("created_at")?,
                    })
                })
                .collect()
        })
    }
}
