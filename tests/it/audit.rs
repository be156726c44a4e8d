//! The audit trail: one event per state change, in the same transaction,
//! and tampering found by `verify_all` (the code behind `candour audit verify`).

use crate::helpers::*;
use candour::actions::audit::verify_all;
use candour::actions::incidents::report_incident;
use candour::store::Backend;
use candour_domain::audit::{
    AuditContent, AuditKey, ChainBreak, Checkpoint, chain_hash, keyed_hash,
};
use candour_domain::incident::ReportDraft;
use candour_domain::role::Role;

async fn event_count(app: &TestApp) -> anyhow::Result<i64> {
    Ok(app
        .ctx
        .store
        .audit_page(app.world.org, 0, 1_000_000)
        .await?
        .len() as i64)
}

fn draft(app: &TestApp) -> ReportDraft {
    ReportDraft {
        kind: "incident".into(),
        category: "fall".into(),
        details: fall_details(),
        service_id: app.world.service.service_id.to_string(),
        occurred_at: "2026-11-23T07:15:00Z".into(),
        description: "Found on the floor by the bed".into(),
        immediate_actions: "Checked for injury".into(),
        affected_person_ids: vec![app.world.person.to_string()],
        ..ReportDraft::default()
    }
}

db_test!(
    a_report_writes_exactly_one_audit_event_and_a_refused_one_writes_none,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let actor = app.actor(app.world.email(Role::CareWorker)).await?;
        let before = event_count(&app).await?;
        let r = report_incident(&app.ctx, &actor, &draft(&app))
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        assert_eq!(event_count(&app).await?, before + 1);
        let history = app
            .ctx
            .store
            .audit_for_record(app.world.org, "incident", &r.incident_id.to_string())
            .await?;
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].action, "incident.reported");
        assert_eq!(history[0].actor, actor.user_id.to_string());
        let changes: serde_json::Value =
            serde_json::from_str(history[0].details().unwrap_or_default())?;
        assert_eq!(
            changes["description"]["after"],
            "Found on the floor by the bed"
        );
        assert_eq!(changes["description"]["before"], serde_json::Value::Null);
        let mut bad = draft(&app);
        bad.description.clear();
        assert!(report_incident(&app.ctx, &actor, &bad).await.is_err());
        assert_eq!(event_count(&app).await?, before + 1);
        Ok(())
    }
);

/// Runs `sql` behind the application's back (as someone with database
/// access might), with `$1` the organisation and `$2` a number; rows touched.
pub async fn behind_its_back(app: &TestApp, sql: &str, n: i64) -> anyhow::Result<u64> {
    Ok(match app.ctx.store.backend() {
        Backend::Sqlite { write, .. } => sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(app.world.org.0)
            .bind(n)
            .execute(write)
            .await?
            .rows_affected(),
        Backend::Postgres(pool) => sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(app.world.org.0)
            .bind(n)
            .execute(pool)
            .await?
            .rows_affected(),
    })
}

/// The verdict on organisation A's chain, optionally against checkpoints.
async fn verdict(app: &TestApp, kept: &[Checkpoint]) -> anyhow::Result<(u64, Option<ChainBreak>)> {
    let reports = verify_all(&app.ctx.store, kept)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let a = reports
        .iter()
        .find(|r| r.organisation_id == app.world.org)
        .unwrap();
    let b = reports
        .iter()
        .find(|r| r.organisation_id == app.world.org_b)
        .unwrap();
    assert_eq!(
        b.broken, None,
        "the other organisation's chain is untouched"
    );
    Ok((a.checked, a.broken.clone()))
}

async fn three_reports(app: &TestApp) -> anyhow::Result<i64> {
    let actor = app.actor(app.world.email(Role::CareWorker)).await?;
    for _ in 0..3 {
        report_incident(&app.ctx, &actor, &draft(app))
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    let (checked, broken) = verdict(app, &[]).await?;
    assert_eq!(broken, None);
    Ok(checked as i64)
}

db_test!(
    an_intact_chain_verifies_and_a_changed_event_or_value_is_found,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let total = three_reports(&app).await?;
        // What was written about the last report: its narrative is kept beside the event.
        let n = behind_its_back(
            &app,
            r#"update audit_values set changes = '{"description":{"before":null,"after":"Nothing happened"}}' where organisation_id = $1 and sequence = $2"#,
            total,
        )
        .await?;
        assert_eq!(n, 1);
        assert_eq!(
            verdict(&app, &[]).await?.1,
            Some(ChainBreak::ValuesChanged { sequence: total })
        );
        // The event itself.
        let n = behind_its_back(
            &app,
            "update audit_event set actor = 'someone else' where organisation_id = $1 and sequence = $2",
            total - 1,
        )
        .await?;
        assert_eq!(n, 1);
        assert_eq!(
            verdict(&app, &[]).await?.1,
            Some(ChainBreak::Tampered {
                sequence: total - 1
            })
        );
        Ok(())
    }
);

db_test!(
    a_forged_event_with_every_later_hash_recomputed_is_found_without_the_key,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let total = three_reports(&app).await?;
        // Someone with the database but not the key rewrites event 2 and
        // recomputes every hash after it, with plain SHA-256 and with a key of their own.
        let events = app.ctx.store.audit_page(app.world.org, 0, 1_000).await?;
        for forger_key in [None, Some(AuditKey::from_bytes([7; 32]))] {
            let mut prev = events[0].hash.clone();
            for e in events.iter().skip(1) {
                let content = AuditContent {
                    sequence: e.sequence,
                    occurred_at_ms: e.occurred_at_ms,
                    actor: "forger",
                    action: &e.action,
                    record_type: &e.record_type,
                    record_id: &e.record_id,
                    changes: &e.changes,
                };
                let hash = match &forger_key {
                    None => chain_hash(&prev, &content),
                    Some(k) => keyed_hash(k, &prev, &content, e.values_hash.as_deref().unwrap()),
                };
                let sql = format!(
                    "update audit_event set actor = 'forger', prev_hash = '{prev}', hash = '{hash}' where organisation_id = $1 and sequence = $2"
                );
                behind_its_back(&app, &sql, e.sequence).await?;
                prev = hash;
            }
            let sql = format!(
                "update audit_head set last_hash = '{prev}' where organisation_id = $1 and last_sequence = $2"
            );
            assert_eq!(behind_its_back(&app, &sql, total).await?, 1);
            assert_eq!(
                verdict(&app, &[]).await?.1,
                Some(ChainBreak::Tampered { sequence: 2 })
            );
        }
        Ok(())
    }
);

db_test!(
    a_deleted_tail_is_found_and_with_its_head_rolled_back_only_by_a_kept_checkpoint,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let total = three_reports(&app).await?;
        let kept = candour::actions::audit::checkpoints(&app.ctx.store, 1)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        assert!(
            kept.iter()
                .any(|c| c.organisation_id == app.world.org.to_string() && c.sequence == total)
        );
        assert_eq!(verdict(&app, &kept).await?, (total as u64, None));
        // The last two events go.
        behind_its_back(
            &app,
            "delete from audit_values where organisation_id = $1 and sequence > $2",
            total - 2,
        )
        .await?;
        let n = behind_its_back(
            &app,
            "delete from audit_event where organisation_id = $1 and sequence > $2",
            total - 2,
        )
        .await?;
        assert_eq!(n, 2);
        assert_eq!(
            verdict(&app, &[]).await?.1,
            Some(ChainBreak::TailMissing {
                last: total - 2,
                head: total
            })
        );
        // ... and the head is rolled back to match.
        let last = app
            .ctx
            .store
            .audit_page(app.world.org, total - 3, 1)
            .await?[0]
            .hash
            .clone();
        let sql = format!(
            "update audit_head set last_sequence = $2, last_hash = '{last}' where organisation_id = $1"
        );
        behind_its_back(&app, &sql, total - 2).await?;
        assert_eq!(
            verdict(&app, &[]).await?.1,
            None,
            "undetectable without a checkpoint"
        );
        assert_eq!(
            verdict(&app, &kept).await?.1,
            Some(ChainBreak::CheckpointNotReached {
                sequence: total,
                last: total - 2
            })
        );
        // A checkpoint altered to match is not signed.
        let mut altered = kept.clone();
        for c in altered
            .iter_mut()
            .filter(|c| c.organisation_id == app.world.org.to_string())
        {
            c.sequence = total - 2;
        }
        assert_eq!(
            verdict(&app, &altered).await?.1,
            Some(ChainBreak::CheckpointUnsigned)
        );
        Ok(())
    }
);

db_test!(
    a_trail_from_before_the_chain_was_keyed_is_checked_then_keyed_with_its_text_moved_out,
    |engine| {
        // A database as Candour left it before the chain was keyed.
        let db = TestDb::new(engine).await?;
        let store = candour::store::Store::connect(&db.url).await?;
        store.migrate_up_to(45).await?;
        let ctx = ctx_at_start(store.clone());
        let w = seed(&ctx).await?;
        let worker = store
            .user_by_email(w.email(Role::CareWorker))
            .await?
            .unwrap();
        let actor = candour::actions::sessions::actor_for(&ctx, worker.user_id)
            .await
            .map_err(fail)?;
        let report = ReportDraft {
            kind: "incident".into(),
            category: "fall".into(),
            details: fall_details(),
            service_id: w.service.service_id.to_string(),
            occurred_at: "2026-11-23T07:15:00Z".into(),
            description: "Found on the floor by the bed".into(),
            immediate_actions: "Checked for injury".into(),
            affected_person_ids: vec![w.person.to_string()],
            ..ReportDraft::default()
        };
        report_incident(&ctx, &actor, &report).await.map_err(fail)?;
        store.migrate().await?;
        let plain = store.audit_page(w.org, 0, 1_000).await?;
        assert!(
            plain
                .iter()
                .all(|e| e.chain == candour_domain::audit::CHAIN_PLAIN)
        );
        assert!(
            plain
                .iter()
                .any(|e| e.changes.contains("Found on the floor"))
        );
        // Organisation B's plain chain was tampered with before the upgrade.
        let sql =
            "update audit_event set actor = 'someone' where organisation_id = $1 and sequence = 1";
        match store.backend() {
            Backend::Sqlite { write, .. } => {
                sqlx::query(sql).bind(w.org_b.0).execute(write).await?;
            }
            Backend::Postgres(p) => {
                sqlx::query(sql).bind(w.org_b.0).execute(p).await?;
            }
        }

        let path = candour::audit_key::default_path(&db.url);
        let attached =
            candour::audit_key::attach(store, &path, start_time().as_millisecond()).await?;
        let store = attached.store;
        assert_eq!(attached.keyed.converted, vec![(w.org, plain.len() as u64)]);
        assert_eq!(
            attached.keyed.refused,
            vec![(w.org_b, ChainBreak::Tampered { sequence: 1 })],
            "a broken chain is not keyed"
        );
        let reports = verify_all(&store, &[]).await.map_err(fail)?;
        let a = reports.iter().find(|r| r.organisation_id == w.org).unwrap();
        assert_eq!(a.broken, None);
        assert_eq!(
            a.checked,
            plain.len() as u64 + 1,
            "with the keying witnessed"
        );
        let b = reports
            .iter()
            .find(|r| r.organisation_id == w.org_b)
            .unwrap();
        assert_eq!(b.broken, Some(ChainBreak::Unkeyed { sequence: 1 }));

        let keyed = store.audit_page(w.org, 0, 1_000).await?;
        for (before, after) in plain.iter().zip(&keyed) {
            assert_eq!(after.chain, candour_domain::audit::CHAIN_KEYED);
            assert_eq!(
                after.details(),
                Some(before.changes.as_str()),
                "the values are kept beside it"
            );
            assert!(
                !after.changes.contains("Found on the floor"),
                "no text in the event itself"
            );
        }
        let witness = keyed.last().unwrap();
        assert_eq!(witness.action, "audit.chain_keyed");
        assert!(
            witness
                .details()
                .unwrap()
                .contains(&plain.last().unwrap().hash)
        );
        // Opened again, nothing more is done.
        let again = candour::audit_key::attach(store, &path, start_time().as_millisecond()).await?;
        assert!(again.keyed.converted.is_empty());
        Ok(())
    }
);
