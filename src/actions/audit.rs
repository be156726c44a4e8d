//! Reading the audit trail: a record's history, and verifying the hash chains.

use super::{ActionResult, Actor, Ctx};
use crate::actions::incidents::incident_in_scope;
use crate::store::Store;
use candour_domain::audit::{ChainBreak, ChainVerifier, StoredEvent};
use candour_domain::ids::{OrganisationId, UserId};
use candour_domain::incident::IncidentReference;
use candour_domain::role::Permission;

/// One line of a record's history, with the actor's name resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEntry {
    /// The stored event.
    pub event: StoredEvent,
    /// Who did it, as a name.
    pub actor_name: String,
}

/// The history of an incident, for someone who may see it.
pub async fn incident_history(
    ctx: &Ctx,
    actor: &Actor,
    reference: IncidentReference,
) -> ActionResult<Vec<HistoryEntry>> {
    let (incident, _) =
        incident_in_scope(ctx, actor, reference, Permission::ViewAuditHistory, false).await?;
    let events = ctx
        .store
        .audit_for_record(
            actor.organisation_id,
            "incident",
            &incident.incident_id.to_string(),
        )
        .await?;
    let mut out = Vec::with_capacity(events.len());
    for event in events {
        let actor_name = match event.actor.parse::<UserId>() {
            Ok(id) => ctx
                .store
                .user(id)
                .await
                .map(|u| u.display_name)
                .unwrap_or_else(|_| "Unknown user".to_owned()),
            Err(_) => format!("System ({})", event.actor),
        };
        out.push(HistoryEntry { event, actor_name });
    }
    Ok(out)
}

/// The result of verifying one organisation's chain.
#[derive(Debug, Clone, PartialEq)]
pub struct ChainReport {
    /// The organisation.
    pub organisation_id: OrganisationId,
    /// Events checked before the end or the first break.
    pub checked: u64,
    /// The first break, if any.
    pub broken: Option<ChainBreak>,
}

/// Walks every organisation's chain in pages and reports the first break of each.
pub async fn verify_all(store: &Store) -> ActionResult<Vec<ChainReport>> {
    let mut reports = Vec::new();
    for org in store.organisation_ids().await? {
        let mut v = ChainVerifier::default();
        let mut broken = None;
        'pages: loop {
            let page = store.audit_page(org, v.last_sequence(), 5_000).await?;
            if page.is_empty() {
                break;
            }
            for e in &page {
                if let Err(b) = v.push(e) {
                    broken = Some(b);
                    break 'pages;
                }
            }
        }
        reports.push(ChainReport {
            organisation_id: org,
            checked: v.count(),
            broken,
        });
    }
    Ok(reports)
}
