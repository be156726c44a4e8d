//! Adding photos and documents to a report, and reading them back.

use super::incidents::incident_in_scope;
use super::{ActionError, ActionResult, Actor, Ctx};
use crate::store::attachments::{Attachment, insert_attachment};
use crate::store::audit::{NewAuditEvent, append};
use candour_domain::attachment::check;
use candour_domain::incident::IncidentReference;
use candour_domain::role::Permission;
use candour_domain::validation::FieldErrors;
use serde_json::json;
use sha2::{Digest, Sha256};

/// The default largest file, 10 MB (configurable with `--max-upload-mb`).
pub const DEFAULT_MAX_BYTES: u64 = 10 * 1024 * 1024;

/// Adds a file to a report, for its reporter or someone who reviews the service.
pub async fn add_attachment(
    ctx: &Ctx,
    actor: &Actor,
    reference: IncidentReference,
    name: &str,
    bytes: &[u8],
    max_bytes: u64,
) -> ActionResult<Attachment> {
    let (incident, _) =
        incident_in_scope(ctx, actor, reference, Permission::ViewIncidents, true).await?;
    let (media, name) = check(name, bytes, max_bytes).map_err(|e| {
        let mut f = FieldErrors::new();
        f.add("file", e.to_string());
        ActionError::Invalid(f)
    })?;
    let id = uuid::Uuid::now_v7();
    let sha = hex::encode(Sha256::digest(bytes));
    let now = ctx.clock.now().as_millisecond();
    let mut tx = ctx.store.begin().await?;
    insert_attachment(
        &mut tx,
        actor.organisation_id,
        incident.incident_id,
        id,
        actor.user_id,
        &name,
        media,
        bytes,
        &sha,
        now,
    )
    .await?;
    append(
        &mut tx,
        &NewAuditEvent {
            organisation_id: actor.organisation_id,
            occurred_at_ms: now,
            actor: &actor.audit_name(),
            action: "incident.attachment_added",
            record_type: "incident",
            record_id: &incident.incident_id.to_string(),
            changes: &json!({"attachment": {"before": null, "after": {"id": id, "name": name, "type": media.code(), "bytes": bytes.len(), "sha256": sha}}}).to_string(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Attachment {
        attachment_id: id,
        incident_id: incident.incident_id,
        file_name: name,
        media_type: media,
        size_bytes: bytes.len() as i64,
        uploaded_by_name: Some(actor.display_name.clone()),
        created_at_ms: now,
    })
}

/// A report's file with its bytes, for someone who may see the report.
pub async fn read_attachment(
    ctx: &Ctx,
    actor: &Actor,
    reference: IncidentReference,
    id: uuid::Uuid,
) -> ActionResult<(Attachment, Vec<u8>)> {
    let (incident, _) =
        incident_in_scope(ctx, actor, reference, Permission::ViewIncidents, true).await?;
    ctx.store
        .attachment_content(incident.incident_id, id)
        .await?
        .ok_or(ActionError::NotFound)
}
