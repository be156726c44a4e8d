//! Attachments: their records, and their bytes (in the database).

use super::{PortableRow, Store, StoreResult, Tx, on_read, on_tx, parse_code};
use candour_domain::attachment::MediaType;
use candour_domain::ids::{IncidentId, OrganisationId, UserId};
use uuid::Uuid;

/// An attachment's record (without its bytes).
#[derive(Debug, Clone, PartialEq)]
pub struct Attachment {
    /// Its id.
    pub attachment_id: Uuid,
    /// The report it belongs to.
    pub incident_id: IncidentId,
    /// The name it was sent with.
    pub file_name: String,
    /// Its type, judged by content.
    pub media_type: MediaType,
    /// Its size.
    pub size_bytes: i64,
    /// Who added it.
    pub uploaded_by_name: Option<String>,
    /// When, epoch ms.
    pub created_at_ms: i64,
}

/// Stores an attachment with its bytes.
#[allow(clippy::too_many_arguments)]
pub async fn insert_attachment(
    tx: &mut Tx,
    org: OrganisationId,
    incident: IncidentId,
    id: Uuid,
    by: UserId,
    name: &str,
    media: MediaType,
    bytes: &[u8],
    sha256: &str,
    now_ms: i64,
) -> StoreResult<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into attachment (attachment_id, organisation_id, incident_id, uploaded_by, file_name, media_type, size_bytes, sha256, content, created_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(id)
        .bind(org.0)
        .bind(incident.0)
        .bind(by.0)
        .bind(name)
        .bind(media.code())
        .bind(bytes.len() as i64)
        .bind(sha256)
        .bind(bytes)
        .bind(now_ms)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

fn attachment_from(r: &impl PortableRow) -> StoreResult<Attachment> {
    Ok(Attachment {
        attachment_id: r.uuid("attachment_id")?,
        incident_id: IncidentId(r.uuid("incident_id")?),
        file_name: r.text("file_name")?,
        media_type: parse_code(&r.text("media_type")?, MediaType::parse, "media type")?,
        size_bytes: r.int("size_bytes")?,
        uploaded_by_name: r.opt_text("display_name")?,
        created_at_ms: r.int("created_at")?,
    })
}

impl Store {
    /// A report's attachments, oldest first (records only).
    pub async fn attachments(&self, incident: IncidentId) -> StoreResult<Vec<Attachment>> {
        on_read!(self, |p| {
            let rows = sqlx::query(
                "select a.attachment_id, a.incident_id, a.file_name, a.media_type, a.size_bytes, u.display_name, a.created_at \
                 from attachment a left join app_user u on u.user_id = a.uploaded_by where a.incident_id = $1 order by a.created_at, a.attachment_id",
            )
            .bind(incident.0)
            .fetch_all(p)
            .await?;
            rows.iter().map(attachment_from).collect()
        })
    }

    /// One attachment of a report with its bytes.
    pub async fn attachment_content(
        &self,
        incident: IncidentId,
        id: Uuid,
    ) -> StoreResult<Option<(Attachment, Vec<u8>)>> {
        on_read!(self, |p| {
            let row = sqlx::query(
                "select a.attachment_id, a.incident_id, a.file_name, a.media_type, a.size_bytes, u.display_name, a.created_at, a.content \
                 from attachment a left join app_user u on u.user_id = a.uploaded_by where a.incident_id = $1 and a.attachment_id = $2",
            )
            .bind(incident.0)
            .bind(id)
            .fetch_optional(p)
            .await?;
            match row {
                Some(r) => {
                    let content: Vec<u8> = sqlx::Row::try_get(&r, "content")?;
                    Ok(Some((attachment_from(&r)?, content)))
                }
                None => Ok(None),
            }
        })
    }
}
