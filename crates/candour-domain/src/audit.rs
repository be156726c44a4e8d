//! The audit trail's hash chain.
//!
//! Each organisation's audit events form one chain: an event's hash covers
//! its own content and the previous event's hash, so changing, removing or
//! reordering a stored event breaks every later link.
//!
//! The chain is **keyed** ([`CHAIN_KEYED`]): each hash is an HMAC-SHA256
//! under an [`AuditKey`] kept outside the database, so someone who can
//! write to the database but does not hold the key cannot forge an event
//! and recompute the hashes after it. An event holds who, when, what kind
//! of change, which record and which fields changed; the changed values
//! themselves (which may be narrative text) are kept beside the chain, and
//! the chain covers only their keyed hash. Destroying a record under
//! retention removes those values and leaves every event verifiable.
//!
//! What the chain alone cannot show, a [`Checkpoint`] kept elsewhere can:
//! that no events were removed from the end (with the head rolled back
//! too), up to the checkpoint.
//!
//! Events written before the chain was keyed ([`CHAIN_PLAIN`], unkeyed
//! SHA-256 with their values inside) are converted once, after their chain
//! is verified; a keyed chain never holds a plain event.

use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;

/// The `prev_hash` of an organisation's first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An event hashed with plain SHA-256, its values inside (before the chain was keyed).
pub const CHAIN_PLAIN: i64 = 1;
/// An event hashed with HMAC-SHA256 under the audit key, its values beside it.
pub const CHAIN_KEYED: i64 = 2;

/// The secret the chain is keyed with: 32 random bytes, written as 64 hex
/// digits in a file kept apart from the database and its backups.
#[derive(Clone, PartialEq, Eq)]
pub struct AuditKey([u8; 32]);

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key itself: only its id.
        write!(f, "AuditKey({})", self.id())
    }
}

/// Why a key file's text is not a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("an audit key is 64 hexadecimal digits (32 bytes)")]
pub struct NotAKey;

impl AuditKey {
    /// A key from 32 bytes (made from the system's random source).
    pub fn from_bytes(bytes: [u8; 32]) -> AuditKey {
        AuditKey(bytes)
    }

    /// Reads a key written by [`AuditKey::to_text`] (surrounding space ignored).
    pub fn parse(text: &str) -> Result<AuditKey, NotAKey> {
        let bytes = hex::decode(text.trim()).map_err(|_| NotAKey)?;
        let bytes: [u8; 32] = bytes.try_into().map_err(|_| NotAKey)?;
        Ok(AuditKey(bytes))
    }

    /// The key as 64 hex digits, for its file.
    pub fn to_text(&self) -> String {
        hex::encode(self.0)
    }

    /// A public name for the key (16 hex digits), safe to store and print:
    /// tells which key a chain was made with without revealing it.
    pub fn id(&self) -> String {
        let mut h = Sha256::new();
        h.update(b"candour audit key id");
        h.update(self.0);
        hex::encode(&h.finalize()[..8])
    }

    /// A 32-byte secret for another use, derived from this key for
    /// `purpose` and `subject` (such as the key a phone's offline queue is
    /// sealed with for one member of staff): one HMAC under a label of its
    /// own, so it neither reveals the key nor stands for any chain hash.
    pub fn derived(&self, purpose: &str, subject: &str) -> [u8; 32] {
        let mut out = [0u8; 32];
        let text = self.mac(&["derived", purpose, subject]);
        if let Ok(bytes) = hex::decode(text) {
            out.copy_from_slice(&bytes[..32]);
        }
        out
    }

    /// HMAC-SHA256 over `parts`, each length-prefixed so no two different
    /// lists share an encoding; 64 lowercase hex digits.
    fn mac(&self, parts: &[&str]) -> String {
        let mut m = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
        for part in parts {
            m.update(&(part.len() as u64).to_be_bytes());
            m.update(part.as_bytes());
        }
        hex::encode(m.finalize().into_bytes())
    }
}

/// The content of one plain (unkeyed) audit event that its hash covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditContent<'a> {
    /// Position in the organisation's chain, from 1.
    pub sequence: i64,
    /// When it happened, UTC epoch milliseconds.
    pub occurred_at_ms: i64,
    /// The acting user's id, or empty for the system.
    pub actor: &'a str,
    /// What was done, such as `incident.reported`.
    pub action: &'a str,
    /// The kind of record changed, such as `incident`.
    pub record_type: &'a str,
    /// The record's id.
    pub record_id: &'a str,
    /// For a plain event, the changed fields, before and after, as JSON
    /// text; for a keyed one, the names of the changed fields (a JSON array).
    pub changes: &'a str,
}

/// The plain hash of `content` chained onto `prev_hash` (events written
/// before the chain was keyed), as 64 lowercase hex digits.
pub fn chain_hash(prev_hash: &str, content: &AuditContent<'_>) -> String {
    let mut h = Sha256::new();
    // Length-prefix every field so no two different events share an encoding.
    for part in [
        prev_hash,
        &content.sequence.to_string(),
        &content.occurred_at_ms.to_string(),
        content.actor,
        content.action,
        content.record_type,
        content.record_id,
        content.changes,
    ] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

/// The keyed hash of an event (its `changes` the names of the fields
/// changed) and the keyed hash of its values, chained onto `prev_hash`.
pub fn keyed_hash(
    key: &AuditKey,
    prev_hash: &str,
    content: &AuditContent<'_>,
    values_hash: &str,
) -> String {
    key.mac(&[
        "chain",
        prev_hash,
        &content.sequence.to_string(),
        &content.occurred_at_ms.to_string(),
        content.actor,
        content.action,
        content.record_type,
        content.record_id,
        content.changes,
        values_hash,
    ])
}

/// The keyed hash of an event's values (its changes, before and after, as
/// JSON text). Keyed, so a short value cannot be found by guessing once the
/// values themselves have been destroyed.
pub fn values_hash(key: &AuditKey, values: &str) -> String {
    key.mac(&["values", values])
}

/// The names of the fields an event's values hold, as a sorted JSON array:
/// the keys of a JSON object, or `["changes"]` for anything else.
pub fn fields_of(values: &str) -> String {
    let names: Vec<String> = match serde_json::from_str::<serde_json::Value>(values) {
        Ok(serde_json::Value::Object(map)) => {
            let mut keys: Vec<String> = map.keys().cloned().collect();
            keys.sort();
            keys
        }
        _ => vec!["changes".to_owned()],
    };
    serde_json::Value::from(names).to_string()
}

/// A stored event as read back for verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    /// The content.
    pub sequence: i64,
    /// See [`AuditContent::occurred_at_ms`].
    pub occurred_at_ms: i64,
    /// See [`AuditContent::actor`].
    pub actor: String,
    /// See [`AuditContent::action`].
    pub action: String,
    /// See [`AuditContent::record_type`].
    pub record_type: String,
    /// See [`AuditContent::record_id`].
    pub record_id: String,
    /// See [`AuditContent::changes`].
    pub changes: String,
    /// [`CHAIN_PLAIN`] or [`CHAIN_KEYED`].
    pub chain: i64,
    /// A keyed event's hash of its values.
    pub values_hash: Option<String>,
    /// A keyed event's values, unless destroyed with their record.
    pub values: Option<String>,
    /// The hash stored as the previous event's.
    pub prev_hash: String,
    /// The hash stored for this event.
    pub hash: String,
}

impl StoredEvent {
    /// The changed fields with their values (before and after) as JSON, when
    /// kept: a plain event's own, a keyed event's values.
    pub fn details(&self) -> Option<&str> {
        match self.chain {
            CHAIN_PLAIN => Some(&self.changes),
            _ => self.values.as_deref(),
        }
    }

    /// The names of the fields the event changed.
    pub fn field_names(&self) -> Vec<String> {
        let list = match self.chain {
            CHAIN_PLAIN => fields_of(&self.changes),
            _ => self.changes.clone(),
        };
        serde_json::from_str(&list).unwrap_or_default()
    }

    fn content(&self) -> AuditContent<'_> {
        AuditContent {
            sequence: self.sequence,
            occurred_at_ms: self.occurred_at_ms,
            actor: &self.actor,
            action: &self.action,
            record_type: &self.record_type,
            record_id: &self.record_id,
            changes: &self.changes,
        }
    }
}

/// The action of the event recording a record's destruction under retention.
pub const DESTROYED: &str = "incident.destroyed";

/// The records whose values a destruction event says were destroyed with
/// it: its own record, and each `"type:id"` in its values' `records`.
pub fn destroyed_records(e: &StoredEvent) -> Vec<(String, String)> {
    let mut out = vec![(e.record_type.clone(), e.record_id.clone())];
    if let Some(values) = e.details()
        && let Ok(v) = serde_json::from_str::<serde_json::Value>(values)
    {
        for r in v["records"].as_array().into_iter().flatten() {
            if let Some((t, id)) = r.as_str().and_then(|s| s.split_once(':')) {
                out.push((t.to_owned(), id.to_owned()));
            }
        }
    }
    out
}

/// A signed note of how far an organisation's chain had reached, for the
/// operator to keep outside the database: later, `verify` checks the chain
/// still holds that event with that hash, so events removed from the end
/// (even with the head rolled back) are found up to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The organisation's id.
    pub organisation_id: String,
    /// The last event's sequence when it was made.
    pub sequence: i64,
    /// That event's hash.
    pub hash: String,
    /// When it was made, UTC epoch milliseconds.
    pub made_at_ms: i64,
    /// The id of the key that signed it.
    pub key_id: String,
    /// HMAC-SHA256 of the above under the audit key.
    pub signature: String,
}

impl Checkpoint {
    /// Signs a checkpoint of `organisation_id`'s chain at `sequence`.
    pub fn sign(
        key: &AuditKey,
        organisation_id: &str,
        (sequence, hash): (i64, &str),
        made_at_ms: i64,
    ) -> Checkpoint {
        let mut cp = Checkpoint {
            organisation_id: organisation_id.to_owned(),
            sequence,
            hash: hash.to_owned(),
            made_at_ms,
            key_id: key.id(),
            signature: String::new(),
        };
        cp.signature = cp.expected_signature(key);
        cp
    }

    fn expected_signature(&self, key: &AuditKey) -> String {
        key.mac(&[
            "checkpoint",
            &self.organisation_id,
            &self.sequence.to_string(),
            &self.hash,
            &self.made_at_ms.to_string(),
            &self.key_id,
        ])
    }

    /// Whether `key` signed it, as it is.
    pub fn signed_by(&self, key: &AuditKey) -> bool {
        let want = self.expected_signature(key);
        want.len() == self.signature.len()
            && want
                .bytes()
                .zip(self.signature.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }
}

/// The first place a chain is broken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    /// An event is missing or out of order.
    #[error("event {found} follows event {expected_after}: an event is missing or out of order")]
    Gap {
        /// The sequence expected before this one.
        expected_after: i64,
        /// The sequence found.
        found: i64,
    },
    /// An event's `prev_hash` is not the previous event's hash.
    #[error("event {sequence} does not point at the hash of the event before it")]
    BadLink {
        /// The event's sequence.
        sequence: i64,
    },
    /// An event's content does not match its stored hash (it was changed).
    #[error(
        "event {sequence} was changed after it was written: its content no longer matches its hash"
    )]
    Tampered {
        /// The event's sequence.
        sequence: i64,
    },
    /// A plain event where the chain is keyed: written without the key.
    #[error("event {sequence} is not keyed: it was not written by Candour with its audit key")]
    Unkeyed {
        /// The event's sequence.
        sequence: i64,
    },
    /// An event's values do not match the hash its event holds.
    #[error("the values of event {sequence} were changed after they were written")]
    ValuesChanged {
        /// The event's sequence.
        sequence: i64,
    },
    /// An event's values are gone though its record was never destroyed.
    #[error(
        "the values of event {sequence} are missing, though its record was not destroyed under retention"
    )]
    ValuesMissing {
        /// The event's sequence.
        sequence: i64,
    },
    /// The chain ends before the head Candour keeps says it does.
    #[error(
        "the chain ends at event {last}, but Candour recorded {head} events: the last ones were removed"
    )]
    TailMissing {
        /// The last sequence in the chain.
        last: i64,
        /// The head's sequence.
        head: i64,
    },
    /// The chain's last event is not the one the head records.
    #[error("the chain's last event ({sequence}) is not the one Candour recorded as its last")]
    HeadMismatch {
        /// The last sequence.
        sequence: i64,
    },
    /// A checkpoint not signed with this key, or altered.
    #[error("the checkpoint was not signed with this database's audit key, or was altered")]
    CheckpointUnsigned,
    /// The chain ends before a kept checkpoint.
    #[error(
        "the chain ends at event {last}, before event {sequence} of the kept checkpoint: events were removed"
    )]
    CheckpointNotReached {
        /// The checkpoint's sequence.
        sequence: i64,
        /// The last sequence in the chain.
        last: i64,
    },
    /// The chain's event at a checkpoint differs from it.
    #[error("event {sequence} differs from the kept checkpoint: the chain was rewritten")]
    CheckpointDiffers {
        /// The checkpoint's sequence.
        sequence: i64,
    },
}

/// Checks a chain one event at a time, so a long chain need not be held in
/// memory; [`ChainVerifier::finish`] then checks its end.
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    key: Option<AuditKey>,
    prev_hash: String,
    prev_seq: i64,
    count: u64,
    checkpoint: Option<Checkpoint>,
    /// Events whose values are gone: (sequence, record type, record id).
    missing_values: Vec<(i64, String, String)>,
    destroyed: BTreeSet<(String, String)>,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        ChainVerifier {
            key: None,
            prev_hash: GENESIS_HASH.to_owned(),
            prev_seq: 0,
            count: 0,
            checkpoint: None,
            missing_values: Vec::new(),
            destroyed: BTreeSet::new(),
        }
    }
}

impl ChainVerifier {
    /// A verifier of a keyed chain: every event must be keyed with `key`.
    /// Without a key only a plain chain (not yet keyed) can be checked.
    pub fn keyed(key: AuditKey) -> ChainVerifier {
        ChainVerifier {
            key: Some(key),
            ..ChainVerifier::default()
        }
    }

    /// Also checks the chain against a checkpoint kept elsewhere.
    pub fn against(mut self, checkpoint: Checkpoint) -> Result<ChainVerifier, ChainBreak> {
        match &self.key {
            Some(key) if checkpoint.signed_by(key) => {
                self.checkpoint = Some(checkpoint);
                Ok(self)
            }
            _ => Err(ChainBreak::CheckpointUnsigned),
        }
    }

    /// Checks the next event in sequence order.
    pub fn push(&mut self, e: &StoredEvent) -> Result<(), ChainBreak> {
        if e.sequence != self.prev_seq + 1 {
            return Err(ChainBreak::Gap {
                expected_after: self.prev_seq,
                found: e.sequence,
            });
        }
        if e.prev_hash != self.prev_hash {
            return Err(ChainBreak::BadLink {
                sequence: e.sequence,
            });
        }
        let sequence = e.sequence;
        match (&self.key, e.chain, &e.values_hash) {
            (None, CHAIN_PLAIN, _) => {
                if chain_hash(&self.prev_hash, &e.content()) != e.hash {
                    return Err(ChainBreak::Tampered { sequence });
                }
            }
            (Some(key), CHAIN_KEYED, Some(vh)) => {
                if keyed_hash(key, &self.prev_hash, &e.content(), vh) != e.hash {
                    return Err(ChainBreak::Tampered { sequence });
                }
                match &e.values {
                    Some(v) if values_hash(key, v) != *vh => {
                        return Err(ChainBreak::ValuesChanged { sequence });
                    }
                    Some(_) => {}
                    None => self.missing_values.push((
                        sequence,
                        e.record_type.clone(),
                        e.record_id.clone(),
                    )),
                }
            }
            _ => return Err(ChainBreak::Unkeyed { sequence }),
        }
        if e.action == DESTROYED {
            self.destroyed.extend(destroyed_records(e));
        }
        if let Some(cp) = &self.checkpoint
            && cp.sequence == sequence
            && cp.hash != e.hash
        {
            return Err(ChainBreak::CheckpointDiffers { sequence });
        }
        self.prev_hash.clone_from(&e.hash);
        self.prev_seq = sequence;
        self.count += 1;
        Ok(())
    }

    /// Checks the end of the chain once every event has been pushed:
    /// against the head Candour keeps (`(last sequence, last hash)`), the
    /// checkpoint if one was given, and that any values missing belong to
    /// records destroyed under retention. Returns how many events were checked.
    pub fn finish(self, head: Option<(i64, &str)>) -> Result<u64, ChainBreak> {
        let last = self.prev_seq;
        let (head_seq, head_hash) = head.unwrap_or((0, GENESIS_HASH));
        if head_seq > last {
            return Err(ChainBreak::TailMissing {
                last,
                head: head_seq,
            });
        }
        if head_seq != last || head_hash != self.prev_hash {
            return Err(ChainBreak::HeadMismatch { sequence: last });
        }
        if let Some(cp) = &self.checkpoint
            && cp.sequence > last
        {
            return Err(ChainBreak::CheckpointNotReached {
                sequence: cp.sequence,
                last,
            });
        }
        if let Some((sequence, _, _)) = self
            .missing_values
            .iter()
            .find(|(_, t, id)| !self.destroyed.contains(&(t.clone(), id.clone())))
        {
            return Err(ChainBreak::ValuesMissing {
                sequence: *sequence,
            });
        }
        Ok(self.count)
    }

    /// How many events have been checked.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The sequence of the last event checked (0 before any).
    pub fn last_sequence(&self) -> i64 {
        self.prev_seq
    }

    /// The hash of the last event checked.
    pub fn last_hash(&self) -> &str {
        &self.prev_hash
    }
}

#[cfg(test)]
#[path = "audit_tests.rs"]
mod tests;
