#![allow(clippy::unwrap_used)]

use super::*;
use proptest::prelude::*;

fn key(n: u8) -> AuditKey {
    AuditKey::from_bytes([n; 32])
}

/// A keyed chain of `n` events about record "r", each changing field `n`.
fn keyed_chain(k: &AuditKey, n: i64) -> Vec<StoredEvent> {
    let mut prev = GENESIS_HASH.to_owned();
    (1..=n)
        .map(|i| {
            let values = format!("{{\"n\":{{\"before\":null,\"after\":\"text {i}\"}}}}");
            let e = event(k, &prev, i, "incident.reported", "r", &values);
            prev = e.hash.clone();
            e
        })
        .collect()
}

fn event(
    k: &AuditKey,
    prev: &str,
    i: i64,
    action: &str,
    record: &str,
    values: &str,
) -> StoredEvent {
    let fields = fields_of(values);
    let vh = values_hash(k, values);
    let mut e = StoredEvent {
        sequence: i,
        occurred_at_ms: 1_000 * i,
        actor: "u".into(),
        action: action.into(),
        record_type: "incident".into(),
        record_id: record.into(),
        changes: fields,
        chain: CHAIN_KEYED,
        values_hash: Some(vh.clone()),
        values: Some(values.to_owned()),
        prev_hash: prev.to_owned(),
        hash: String::new(),
    };
    e.hash = keyed_hash(k, prev, &e.content(), &vh);
    e
}

fn verify(
    k: &AuditKey,
    events: &[StoredEvent],
    head: Option<(i64, &str)>,
) -> Result<u64, ChainBreak> {
    let mut v = ChainVerifier::keyed(k.clone());
    for e in events {
        v.push(e)?;
    }
    v.finish(head)
}

fn head_of(events: &[StoredEvent]) -> Option<(i64, &str)> {
    events.last().map(|e| (e.sequence, e.hash.as_str()))
}

#[test]
fn an_intact_keyed_chain_verifies_to_its_head() {
    let k = key(1);
    let c = keyed_chain(&k, 5);
    assert_eq!(verify(&k, &c, head_of(&c)), Ok(5));
    assert_eq!(verify(&k, &[], None), Ok(0));
}

#[test]
fn the_wrong_key_finds_every_event_forged() {
    let c = keyed_chain(&key(1), 3);
    assert_eq!(
        verify(&key(2), &c, head_of(&c)),
        Err(ChainBreak::Tampered { sequence: 1 })
    );
}

#[test]
fn a_changed_event_is_found() {
    let k = key(1);
    let mut c = keyed_chain(&k, 5);
    c[2].actor = "someone else".into();
    assert_eq!(
        verify(&k, &c, head_of(&c)),
        Err(ChainBreak::Tampered { sequence: 3 })
    );
}

#[test]
fn a_removed_event_is_found() {
    let k = key(1);
    let mut c = keyed_chain(&k, 5);
    c.remove(1);
    assert_eq!(
        verify(&k, &c, head_of(&c)),
        Err(ChainBreak::Gap {
            expected_after: 1,
            found: 3
        })
    );
}

#[test]
fn an_event_forged_without_the_key_and_every_hash_after_it_recomputed_is_found() {
    let k = key(1);
    let mut c = keyed_chain(&k, 5);
    // The forger holds the database, not the key: they recompute with one of their own.
    let theirs = key(9);
    let mut prev = c[1].hash.clone();
    for e in c.iter_mut().skip(2) {
        let values = e
            .values
            .clone()
            .unwrap_or_default()
            .replace("text", "forged");
        *e = event(&theirs, &prev, e.sequence, &e.action.clone(), "r", &values);
        prev = e.hash.clone();
    }
    assert_eq!(
        verify(&k, &c, head_of(&c)),
        Err(ChainBreak::Tampered { sequence: 3 })
    );
}

#[test]
fn a_plain_event_in_a_keyed_chain_is_found() {
    let k = key(1);
    let mut c = keyed_chain(&k, 3);
    let prev = c[1].hash.clone();
    let e = &mut c[2];
    e.chain = CHAIN_PLAIN;
    e.changes = e.values.take().unwrap_or_default();
    e.values_hash = None;
    e.hash = chain_hash(&prev, &e.content());
    assert_eq!(
        verify(&k, &c, head_of(&c)),
        Err(ChainBreak::Unkeyed { sequence: 3 })
    );
}

#[test]
fn changed_values_are_found() {
    let k = key(1);
    let mut c = keyed_chain(&k, 3);
    c[1].values = Some("{\"n\":{\"before\":null,\"after\":\"other\"}}".into());
    assert_eq!(
        verify(&k, &c, head_of(&c)),
        Err(ChainBreak::ValuesChanged { sequence: 2 })
    );
}

#[test]
fn values_may_go_only_with_a_record_destroyed_under_retention() {
    let k = key(1);
    let mut c = keyed_chain(&k, 3);
    c[0].values = None;
    assert_eq!(
        verify(&k, &c, head_of(&c)),
        Err(ChainBreak::ValuesMissing { sequence: 1 })
    );
    // Destroying record r (and, named in its values, investigation i1) accounts for it.
    let prev = c[2].hash.clone();
    c.push(event(
        &k,
        &prev,
        4,
        DESTROYED,
        "r",
        "{\"reference\":\"INC-000001\",\"records\":[\"investigation:i1\"]}",
    ));
    assert_eq!(verify(&k, &c, head_of(&c)), Ok(4));
    assert_eq!(
        destroyed_records(&c[3]),
        vec![
            ("incident".to_owned(), "r".to_owned()),
            ("investigation".to_owned(), "i1".to_owned())
        ]
    );
}

#[test]
fn a_deleted_tail_is_found_by_the_head() {
    let k = key(1);
    let c = keyed_chain(&k, 5);
    let head = head_of(&c);
    assert_eq!(
        verify(&k, &c[..3], head),
        Err(ChainBreak::TailMissing { last: 3, head: 5 })
    );
    // A head that points elsewhere than the chain's end.
    assert_eq!(
        verify(&k, &c, Some((5, "0123"))),
        Err(ChainBreak::HeadMismatch { sequence: 5 })
    );
}

#[test]
fn a_deleted_tail_with_the_head_rolled_back_is_found_only_by_a_kept_checkpoint() {
    let k = key(1);
    let c = keyed_chain(&k, 5);
    let cp = Checkpoint::sign(&k, "org", (4, &c[3].hash), 99);
    let cut = &c[..3];
    assert_eq!(verify(&k, cut, head_of(cut)), Ok(3), "undetectable alone");
    let mut v = ChainVerifier::keyed(k.clone()).against(cp.clone()).unwrap();
    for e in cut {
        v.push(e).unwrap();
    }
    assert_eq!(
        v.finish(head_of(cut)),
        Err(ChainBreak::CheckpointNotReached {
            sequence: 4,
            last: 3
        })
    );
    // The whole chain passes against it.
    let mut v = ChainVerifier::keyed(k.clone()).against(cp).unwrap();
    for e in &c {
        v.push(e).unwrap();
    }
    assert_eq!(v.finish(head_of(&c)), Ok(5));
}

#[test]
fn a_chain_rewritten_with_the_key_is_found_up_to_the_checkpoint_only() {
    let k = key(1);
    let c = keyed_chain(&k, 5);
    let cp = Checkpoint::sign(&k, "org", (3, &c[2].hash), 99);
    // Someone with the key rewrites from event 2 on.
    let mut forged = c[..1].to_vec();
    let mut prev = c[0].hash.clone();
    for i in 2..=5 {
        let e = event(
            &k,
            &prev,
            i,
            "incident.reported",
            "r",
            "{\"n\":{\"after\":\"x\"}}",
        );
        prev = e.hash.clone();
        forged.push(e);
    }
    let mut v = ChainVerifier::keyed(k.clone()).against(cp).unwrap();
    let found = forged.iter().try_for_each(|e| v.push(e));
    assert_eq!(found, Err(ChainBreak::CheckpointDiffers { sequence: 3 }));
}

#[test]
fn a_checkpoint_from_another_key_or_altered_is_refused() {
    let k = key(1);
    let cp = Checkpoint::sign(&key(2), "org", (3, "abc"), 99);
    assert_eq!(
        ChainVerifier::keyed(k.clone()).against(cp).err(),
        Some(ChainBreak::CheckpointUnsigned)
    );
    let mut cp = Checkpoint::sign(&k, "org", (3, "abc"), 99);
    cp.sequence = 2;
    assert_eq!(
        ChainVerifier::keyed(k.clone()).against(cp).err(),
        Some(ChainBreak::CheckpointUnsigned)
    );
    assert_eq!(
        ChainVerifier::default()
            .against(Checkpoint::sign(&k, "org", (3, "abc"), 99))
            .err(),
        Some(ChainBreak::CheckpointUnsigned),
        "no key, no checkpoint"
    );
}

#[test]
fn a_plain_chain_verifies_without_a_key_but_not_with_one() {
    let mut prev = GENESIS_HASH.to_owned();
    let plain: Vec<StoredEvent> = (1..=3)
        .map(|i| {
            let mut e = StoredEvent {
                sequence: i,
                occurred_at_ms: i,
                actor: "u".into(),
                action: "a".into(),
                record_type: "incident".into(),
                record_id: "r".into(),
                changes: "{\"n\":1}".into(),
                chain: CHAIN_PLAIN,
                values_hash: None,
                values: None,
                prev_hash: prev.clone(),
                hash: String::new(),
            };
            e.hash = chain_hash(&prev, &e.content());
            prev = e.hash.clone();
            e
        })
        .collect();
    let mut v = ChainVerifier::default();
    plain.iter().try_for_each(|e| v.push(e)).unwrap();
    assert_eq!(v.finish(head_of(&plain)), Ok(3));
    assert_eq!(plain[0].details(), Some("{\"n\":1}"));
    assert_eq!(plain[0].field_names(), vec!["n".to_owned()]);
    assert_eq!(
        verify(&key(1), &plain, head_of(&plain)),
        Err(ChainBreak::Unkeyed { sequence: 1 })
    );
}

#[test]
fn keys_read_back_and_never_show_themselves() {
    let k = key(7);
    assert_eq!(
        AuditKey::parse(&format!("  {}\n", k.to_text())),
        Ok(k.clone())
    );
    assert_eq!(AuditKey::parse("abc"), Err(NotAKey));
    assert_eq!(AuditKey::parse(&"zz".repeat(32)), Err(NotAKey));
    assert_eq!(k.id().len(), 16);
    assert_ne!(k.id(), key(8).id());
    assert!(!format!("{k:?}").contains(&k.to_text()));
}

#[test]
fn derived_secrets_differ_by_purpose_subject_and_key() {
    let k = key(1);
    let a = k.derived("offline-queue", "u1");
    assert_eq!(a, k.derived("offline-queue", "u1"));
    assert_ne!(a, k.derived("offline-queue", "u2"));
    assert_ne!(a, k.derived("other", "u1"));
    assert_ne!(a, key(2).derived("offline-queue", "u1"));
    assert_ne!(a, [0u8; 32]);
}

#[test]
fn fields_are_the_sorted_names_of_the_values() {
    assert_eq!(fields_of("{\"b\":1,\"a\":{\"before\":1}}"), "[\"a\",\"b\"]");
    assert_eq!(fields_of("[1,2]"), "[\"changes\"]");
    assert_eq!(fields_of("not json"), "[\"changes\"]");
}

proptest! {
    #[test]
    fn any_change_to_any_stored_part_of_a_keyed_chain_is_found(
        at in 0usize..4,
        part in 0usize..8,
        flip in 1u8..=255,
    ) {
        let k = key(3);
        let mut c = keyed_chain(&k, 4);
        let e = &mut c[at];
        let target: &mut String = match part {
            0 => &mut e.actor,
            1 => &mut e.action,
            2 => &mut e.record_type,
            3 => &mut e.record_id,
            4 => &mut e.changes,
            5 => e.values.as_mut().unwrap(),
            6 => e.values_hash.as_mut().unwrap(),
            _ => &mut e.prev_hash,
        };
        let mut bytes = std::mem::take(target).into_bytes();
        let i = bytes.len() / 2;
        bytes[i] = (bytes[i] ^ flip).max(1);
        *target = String::from_utf8_lossy(&bytes).into_owned();
        prop_assume!(verify(&k, &keyed_chain(&k, 4), head_of(&keyed_chain(&k, 4))).is_ok());
        let head = c.last().map(|e| (e.sequence, e.hash.clone()));
        let original = keyed_chain(&k, 4);
        prop_assume!(c != original);
        prop_assert!(verify(&k, &c, head.as_ref().map(|(s, h)| (*s, h.as_str()))).is_err());
    }
}
