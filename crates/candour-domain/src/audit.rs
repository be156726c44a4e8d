//! The audit trail's hash chain.
//!
//! Each organisation's audit events form one chain: an event's hash covers
//! its own content and the previous event's hash, so changing, removing or
//! reordering a stored event breaks every later link.

use sha2::{Digest, Sha256};

/// The `prev_hash` of an organisation's first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The content of one audit event that the hash covers.
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
    /// The changed fields, before and after, as JSON text.
    pub changes: &'a str,
}

/// The hash of `content` chained onto `prev_hash`, as 64 lowercase hex digits.
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
    /// The hash stored as the previous event's.
    pub prev_hash: String,
    /// The hash stored for this event.
    pub hash: String,
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
}

/// Checks a chain one event at a time, so a long chain need not be held in memory.
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    prev_hash: String,
    prev_seq: i64,
    count: u64,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        ChainVerifier {
            prev_hash: GENESIS_HASH.to_owned(),
            prev_seq: 0,
            count: 0,
        }
    }
}

impl ChainVerifier {
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
        let content = AuditContent {
            sequence: e.sequence,
            occurred_at_ms: e.occurred_at_ms,
            actor: &e.actor,
            action: &e.action,
            record_type: &e.record_type,
            record_id: &e.record_id,
            changes: &e.changes,
        };
        if chain_hash(&self.prev_hash, &content) != e.hash {
            return Err(ChainBreak::Tampered {
                sequence: e.sequence,
            });
        }
        self.prev_hash.clone_from(&e.hash);
        self.prev_seq = e.sequence;
        self.count += 1;
        Ok(())
    }

    /// How many events have been checked.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The sequence of the last event checked (0 before any).
    pub fn last_sequence(&self) -> i64 {
        self.prev_seq
    }
}

/// Walks events in sequence order and reports the first broken link.
pub fn verify_chain<'a>(
    events: impl IntoIterator<Item = &'a StoredEvent>,
) -> Result<u64, ChainBreak> {
    let mut v = ChainVerifier::default();
    for e in events {
        v.push(e)?;
    }
    Ok(v.count())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<StoredEvent> {
        let mut prev = GENESIS_HASH.to_owned();
        (1..=n)
            .map(|i| {
                let changes = format!("{{\"n\":{i}}}");
                let c = AuditContent {
                    sequence: i,
                    occurred_at_ms: 1_000 * i,
                    actor: "u",
                    action: "incident.reported",
                    record_type: "incident",
                    record_id: "r",
                    changes: &changes,
                };
                let hash = chain_hash(&prev, &c);
                let e = StoredEvent {
                    sequence: i,
                    occurred_at_ms: 1_000 * i,
                    actor: "u".into(),
                    action: "incident.reported".into(),
                    record_type: "incident".into(),
                    record_id: "r".into(),
                    changes,
                    prev_hash: prev.clone(),
                    hash: hash.clone(),
                };
                prev = hash;
                e
            })
            .collect()
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert_eq!(verify_chain(&chain(5)), Ok(5));
        assert_eq!(verify_chain(&chain(0)), Ok(0));
    }

    #[test]
    fn a_changed_event_is_found() {
        let mut c = chain(5);
        c[2].changes = "{\"n\":99}".into();
        assert_eq!(verify_chain(&c), Err(ChainBreak::Tampered { sequence: 3 }));
    }

    #[test]
    fn a_removed_event_is_found() {
        let mut c = chain(5);
        c.remove(1);
        assert_eq!(
            verify_chain(&c),
            Err(ChainBreak::Gap {
                expected_after: 1,
                found: 3
            })
        );
    }

    #[test]
    fn a_rehashed_event_breaks_the_next_link() {
        let mut c = chain(5);
        c[2].changes = "{\"n\":99}".into();
        let content = AuditContent {
            sequence: 3,
            occurred_at_ms: 3_000,
            actor: "u",
            action: "incident.reported",
            record_type: "incident",
            record_id: "r",
            changes: "{\"n\":99}",
        };
        c[2].hash = chain_hash(&c[2].prev_hash, &content);
        assert_eq!(verify_chain(&c), Err(ChainBreak::BadLink { sequence: 4 }));
    }
}
