//! Drafts of reports: saved as the reporter types, or with "Save as draft",
//! so a report interrupted by care is not lost. Private to their writer; a
//! save never overwrites a newer save (each carries the version it began
//! from), and filing the report removes its draft in the same transaction.

use super::{ActionError, ActionResult, Actor, Ctx};
use crate::store::drafts::{Draft, DraftWrite, delete_draft, insert_draft, update_draft};
use candour_domain::ids::ServiceId;
use candour_domain::role::Permission;
use candour_domain::validation::FieldErrors;
use uuid::Uuid;

/// Fields never kept in a draft: the anti-forgery token, and the draft's own bookkeeping.
const NOT_KEPT: [&str; 3] = ["csrf_token", "draft_id", "draft_version"];
/// Most form fields a draft keeps (the form has far fewer).
const MAX_FIELDS: usize = 500;

/// What a save did.
#[derive(Debug, Clone, PartialEq)]
pub struct Saved {
    /// The draft saved.
    pub draft_id: Uuid,
    /// Its version now.
    pub version: i64,
    /// When, epoch ms.
    pub saved_at_ms: i64,
}

/// Why a save did not overwrite.
#[derive(Debug, Clone, PartialEq)]
pub struct Stale {
    /// When the newer save was made, epoch ms.
    pub saved_at_ms: i64,
}

/// Saves the report form as typed: a new draft when `draft` is `None`,
/// otherwise that draft if it is still at `version`. A draft saved since
/// (another window) is never overwritten: `Ok(Err(Stale))`, and the caller
/// may save as a new draft instead.
pub async fn save_draft(
    ctx: &Ctx,
    actor: &Actor,
    draft: Option<(Uuid, i64)>,
    pairs: &[(String, String)],
) -> ActionResult<Result<Saved, Stale>> {
    if !actor.can_anywhere(Permission::ReportIncident) {
        return Err(ActionError::Forbidden);
    }
    let kept: Vec<&(String, String)> = pairs
        .iter()
        .filter(|(k, _)| !NOT_KEPT.contains(&k.as_str()))
        .collect();
    if kept.len() > MAX_FIELDS {
        let mut e = FieldErrors::new();
        e.add("draft", "This draft has too many fields to save");
        return Err(ActionError::Invalid(e));
    }
    let get = |name: &str| {
        kept.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    // Only a service the writer may report in is remembered with the draft.
    let service_id = match get("service_id").parse::<ServiceId>() {
        Ok(id) => super::service_where(ctx, actor, id, Permission::ReportIncident)
            .await
            .ok()
            .map(|s| s.service_id),
        Err(_) => None,
    };
    let fields = serde_json::to_string(&kept).map_err(anyhow::Error::from)?;
    let (kind, category) = (get("kind"), get("category"));
    let now = ctx.clock.now().as_millisecond();
    let write = |draft_id| DraftWrite {
        draft_id,
        organisation_id: actor.organisation_id,
        user_id: actor.user_id,
        service_id,
        kind: &kind,
        category: &category,
        fields: &fields,
    };
    let mut tx = ctx.store.begin().await?;
    let saved = match draft {
        None => {
            let id = Uuid::now_v7();
            insert_draft(&mut tx, &write(id), now).await?;
            Ok(Saved {
                draft_id: id,
                version: 1,
                saved_at_ms: now,
            })
        }
        Some((id, version)) => {
            if update_draft(&mut tx, &write(id), version, now).await? {
                Ok(Saved {
                    draft_id: id,
                    version: version + 1,
                    saved_at_ms: now,
                })
            } else {
                match ctx.store.draft(actor.user_id, id).await? {
                    Some(newer) => Err(Stale {
                        saved_at_ms: newer.updated_at_ms,
                    }),
                    None => return Err(ActionError::NotFound),
                }
            }
        }
    };
    tx.commit().await?;
    Ok(saved)
}

/// The writer's drafts, last saved first.
pub async fn my_drafts(ctx: &Ctx, actor: &Actor) -> ActionResult<Vec<Draft>> {
    Ok(ctx.store.drafts(actor.user_id).await?)
}

/// One of the writer's drafts, with its fields as `(name, value)` pairs.
pub async fn open_draft(
    ctx: &Ctx,
    actor: &Actor,
    draft: Uuid,
) -> ActionResult<(Draft, Vec<(String, String)>)> {
    let d = ctx
        .store
        .draft(actor.user_id, draft)
        .await?
        .ok_or(ActionError::NotFound)?;
    let pairs: Vec<(String, String)> = serde_json::from_str(&d.fields)
        .map_err(|e| anyhow::anyhow!("draft {draft} holds unreadable fields: {e}"))?;
    Ok((d, pairs))
}

/// Throws a draft away.
pub async fn discard_draft(ctx: &Ctx, actor: &Actor, draft: Uuid) -> ActionResult<()> {
    let mut tx = ctx.store.begin().await?;
    let found = delete_draft(&mut tx, actor.user_id, draft).await?;
    tx.commit().await?;
    if found {
        Ok(())
    } else {
        Err(ActionError::NotFound)
    }
}
