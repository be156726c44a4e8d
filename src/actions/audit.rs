//! Reading the audit trail: a record's history; verifying the keyed hash
//! chains against their heads and kept checkpoints; signing checkpoints; and
//! giving the store its key (keying chains written before it was keyed).

use super::{ActionError, ActionResult, Actor, Ctx};
use crate::actions::incidents::incident_in_scope;
use crate::store::Store;
use crate::store::audit::{
    KeyedEvent, NewAuditEvent, append, hold_head, record_key, recorded_key, rewrite_keyed,
    set_head_hash,
};
use candour_domain::audit::{
    AuditContent, AuditKey, ChainBreak, ChainVerifier, Checkpoint, GENESIS_HASH, StoredEvent,
    fields_of, keyed_hash, values_hash,
};
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
    let (incident, service) =
        incident_in_scope(ctx, actor, reference, Permission::ViewAuditHistory, false).await?;
    let staff = ctx.store.staff_involvements(incident.incident_id).await?;
    let withheld = super::about_staff::reporter_withheld_from(actor, (&incident, &service), &staff);
    let reporter = incident.reported_by.map(|u| u.to_string());
    let events = ctx
        .store
        .audit_for_record(
            actor.organisation_id,
            "incident",
            &incident.incident_id.to_string(),
        )
        .await?;
    let mut out = Vec::with_capacity(events.len());
    for mut event in events {
        if withheld && let Some(r) = &reporter {
            // Shown, not stored: the chain is verified from the stored text.
            event.changes = event.changes.replace(r.as_str(), "withheld");
            event.values = event.values.map(|v| v.replace(r.as_str(), "withheld"));
        }
        let actor_name = match event.actor.parse::<UserId>() {
            Ok(_) if withheld && reporter.as_deref() == Some(event.actor.as_str()) => {
                super::about_staff::WITHHELD.to_owned()
            }
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
    /// The sequence of a kept checkpoint it was checked against.
    pub checkpoint: Option<i64>,
    /// The first break, if any.
    pub broken: Option<ChainBreak>,
}

/// Walks every organisation's keyed chain in pages, checks its end against
/// the head Candour keeps and, for an organisation with one among
/// `checkpoints`, against that kept checkpoint; reports the first break of
/// each. A checkpoint of an organisation the database does not hold is a
/// break of its own (the whole organisation's trail is gone).
pub async fn verify_all(
    store: &Store,
    checkpoints: &[Checkpoint],
) -> ActionResult<Vec<ChainReport>> {
    let key = store.audit_key().cloned().ok_or_else(|| {
        ActionError::Internal(anyhow::anyhow!(
            "the audit trail cannot be verified without its key"
        ))
    })?;
    let orgs = store.organisation_ids().await?;
    let mut reports = Vec::new();
    for cp in checkpoints {
        if !orgs.iter().any(|o| o.to_string() == cp.organisation_id) {
            let org = cp.organisation_id.parse().map_err(|_| {
                ActionError::Internal(anyhow::anyhow!(
                    "the checkpoint names no organisation ({})",
                    cp.organisation_id
                ))
            })?;
            reports.push(ChainReport {
                organisation_id: org,
                checked: 0,
                checkpoint: Some(cp.sequence),
                broken: Some(ChainBreak::CheckpointNotReached {
                    sequence: cp.sequence,
                    last: 0,
                }),
            });
        }
    }
    for org in orgs {
        let checkpoint = checkpoints
            .iter()
            .find(|c| c.organisation_id == org.to_string())
            .cloned();
        let at = checkpoint.as_ref().map(|c| c.sequence);
        let (checked, broken) = match verify_one(store, &key, org, checkpoint).await? {
            Ok(n) => (n, None),
            Err((n, b)) => (n, Some(b)),
        };
        reports.push(ChainReport {
            organisation_id: org,
            checked,
            checkpoint: at,
            broken,
        });
    }
    Ok(reports)
}

/// One organisation's chain: the events checked, or how many were good
/// before the first break and the break.
async fn verify_one(
    store: &Store,
    key: &AuditKey,
    org: OrganisationId,
    checkpoint: Option<Checkpoint>,
) -> ActionResult<Result<u64, (u64, ChainBreak)>> {
    let mut v = ChainVerifier::keyed(key.clone());
    if let Some(cp) = checkpoint {
        v = match v.against(cp) {
            Ok(v) => v,
            Err(b) => return Ok(Err((0, b))),
        };
    }
    loop {
        let page = store.audit_page(org, v.last_sequence(), 5_000).await?;
        if page.is_empty() {
            break;
        }
        for e in &page {
            if let Err(b) = v.push(e) {
                return Ok(Err((v.count(), b)));
            }
        }
    }
    let checked = v.count();
    let head = store.audit_head(org).await?;
    Ok(v.finish(head.as_ref().map(|(s, h)| (*s, h.as_str())))
        .map_err(|b| (checked, b)))
}

/// Signed checkpoints of every organisation's chain as it stands, for the
/// operator to keep outside the database; refused while any chain is broken
/// (a checkpoint of a broken chain would vouch for it).
pub async fn checkpoints(store: &Store, now_ms: i64) -> ActionResult<Vec<Checkpoint>> {
    let key = store.audit_key().cloned().ok_or_else(|| {
        ActionError::Internal(anyhow::anyhow!(
            "a checkpoint cannot be signed without the audit key"
        ))
    })?;
    let mut out = Vec::new();
    for r in verify_all(store, &[]).await? {
        if let Some(b) = r.broken {
            return Err(ActionError::Refused(vec![format!(
                "The audit trail of organisation {} is broken ({b}): no checkpoint is made of a broken chain",
                r.organisation_id
            )]));
        }
        if let Some((sequence, hash)) = store.audit_head(r.organisation_id).await? {
            out.push(Checkpoint::sign(
                &key,
                &r.organisation_id.to_string(),
                (sequence, &hash),
                now_ms,
            ));
        }
    }
    Ok(out)
}

/// What giving the store its audit key did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Keyed {
    /// Whether this is the first time the database saw a key (recorded now).
    pub recorded: bool,
    /// Organisations whose plain chains were verified and keyed, with how many events.
    pub converted: Vec<(OrganisationId, u64)>,
    /// Organisations whose plain chains were broken, so left as they are.
    pub refused: Vec<(OrganisationId, ChainBreak)>,
}

/// Gives `store` its audit key: checks the database's chain is made with
/// this key (recording its id the first time; a different key is refused,
/// so two instances with different keys never fork a chain), then keys any
/// chain written before the chain was keyed, once it is verified, and
/// witnesses that with an `audit.chain_keyed` event.
pub async fn use_audit_key(
    store: Store,
    key: AuditKey,
    now_ms: i64,
) -> ActionResult<(Store, Keyed)> {
    let store = store.with_audit_key(key.clone());
    let mut done = Keyed::default();
    let mut tx = store.begin().await?;
    match recorded_key(&mut tx).await? {
        Some(id) if id != key.id() => {
            return Err(ActionError::Refused(vec![format!(
                "This database's audit trail is made with the audit key {id}, but the key given is {}: give Candour the key file the trail was made with (--audit-key-file), the same on every instance",
                key.id()
            )]));
        }
        Some(_) => {}
        None => {
            record_key(&mut tx, &key.id(), now_ms).await?;
            done.recorded = true;
        }
    }
    tx.commit().await?;
    for org in store.plain_chains().await? {
        match key_plain_chain(&store, &key, org, now_ms).await? {
            Ok(n) => done.converted.push((org, n)),
            Err(b) => {
                tracing::error!(organisation = %org, error = %b, "a plain audit chain is broken, so it was not keyed");
                done.refused.push((org, b));
            }
        }
    }
    Ok((store, done))
}

/// Verifies an organisation's plain chain and rewrites it keyed, in one
/// transaction holding its head; returns how many events, or the break.
async fn key_plain_chain(
    store: &Store,
    key: &AuditKey,
    org: OrganisationId,
    now_ms: i64,
) -> ActionResult<Result<u64, ChainBreak>> {
    let mut tx = store.begin().await?;
    hold_head(&mut tx, org).await?;
    let mut plain = ChainVerifier::default();
    let mut events = Vec::new();
    loop {
        let page = store.audit_page(org, plain.last_sequence(), 5_000).await?;
        if page.is_empty() {
            break;
        }
        for e in page {
            if let Err(b) = plain.push(&e) {
                return Ok(Err(b));
            }
            events.push(e);
        }
    }
    let head = store.audit_head(org).await?;
    let count = match plain.finish(head.as_ref().map(|(s, h)| (*s, h.as_str()))) {
        Ok(n) => n,
        Err(b) => return Ok(Err(b)),
    };
    let plain_head = head.map(|(_, h)| h).unwrap_or_default();
    let mut prev = GENESIS_HASH.to_owned();
    for e in &events {
        let fields = fields_of(&e.changes);
        let vh = values_hash(key, &e.changes);
        let content = AuditContent {
            sequence: e.sequence,
            occurred_at_ms: e.occurred_at_ms,
            actor: &e.actor,
            action: &e.action,
            record_type: &e.record_type,
            record_id: &e.record_id,
            changes: &fields,
        };
        let hash = keyed_hash(key, &prev, &content, &vh);
        rewrite_keyed(
            &mut tx,
            &KeyedEvent {
                organisation_id: org,
                sequence: e.sequence,
                fields: &fields,
                values: &e.changes,
                values_hash: &vh,
                prev_hash: &prev,
                hash: &hash,
            },
        )
        .await?;
        prev = hash;
    }
    set_head_hash(&mut tx, org, &prev).await?;
    append(
        &mut tx,
        &NewAuditEvent {
            organisation_id: org,
            occurred_at_ms: now_ms,
            actor: "candour",
            action: "audit.chain_keyed",
            record_type: "organisation",
            record_id: &org.to_string(),
            changes: &serde_json::json!({
                "events": count,
                "plain_head": plain_head,
                "key_id": key.id(),
            })
            .to_string(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(count))
}
