//! The audit trail: one event per state change, in the same transaction,
//! and tampering found by `verify_all` (the code behind `candour audit verify`).

use crate::helpers::*;
use candour::actions::audit::verify_all;
use candour::actions::incidents::report_incident;
use candour::store::Backend;
use candour_domain::audit::ChainBreak;
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
        let changes: serde_json::Value = serde_json::from_str(&history[0].changes)?;
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

db_test!(
    an_intact_chain_verifies_and_a_changed_event_is_found,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let actor = app.actor(app.world.email(Role::CareWorker)).await?;
        for _ in 0..3 {
            report_incident(&app.ctx, &actor, &draft(&app))
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        let reports = verify_all(&app.ctx.store)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        assert!(reports.iter().all(|r| r.broken.is_none()), "{reports:?}");
        let a = reports
            .iter()
            .find(|r| r.organisation_id == app.world.org)
            .unwrap();
        let total = a.checked as i64;
        // Tamper: rewrite the description in a stored event, as someone with database access might.
        let target = total - 1;
        tamper(&app, target).await?;
        let reports = verify_all(&app.ctx.store)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let a = reports
            .iter()
            .find(|r| r.organisation_id == app.world.org)
            .unwrap();
        assert_eq!(a.broken, Some(ChainBreak::Tampered { sequence: target }));
        // The other organisation's chain is untouched.
        let b = reports
            .iter()
            .find(|r| r.organisation_id == app.world.org_b)
            .unwrap();
        assert_eq!(b.broken, None);
        Ok(())
    }
);

/// Rewrites one stored event's changes behind the application's back.
pub async fn tamper(app: &TestApp, sequence: i64) -> anyhow::Result<()> {
    let sql = "update audit_event set changes = $1 where organisation_id = $2 and sequence = $3";
    let forged = r#"{"description":{"before":null,"after":"Nothing happened"}}"#;
    let n = match app.ctx.store.backend() {
        Backend::Sqlite { write, .. } => sqlx::query(sql)
            .bind(forged)
            .bind(app.world.org.0)
            .bind(sequence)
            .execute(write)
            .await?
            .rows_affected(),
        Backend::Postgres(pool) => sqlx::query(sql)
            .bind(forged)
            .bind(app.world.org.0)
            .bind(sequence)
            .execute(pool)
            .await?
            .rows_affected(),
    };
    anyhow::ensure!(n == 1, "tampering touched {n} rows");
    Ok(())
}
