//! The storage layer: migrations in lockstep, the same schema on both
//! engines, and references that never repeat under concurrent reports.

use crate::helpers::*;
use candour::actions::incidents::report_incident;
use candour::store::migrations::MIGRATIONS;
use candour_domain::incident::ReportDraft;
use candour_domain::role::Role;
use std::collections::BTreeSet;

fn names_in(dir: &str) -> BTreeSet<String> {
    std::fs::read_dir(format!("{}/migrations/{dir}", env!("CARGO_MANIFEST_DIR")))
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect()
}

#[test]
fn the_two_migration_folders_hold_the_same_versions_and_all_are_embedded() {
    let sqlite = names_in("sqlite");
    let postgres = names_in("postgres");
    assert_eq!(
        sqlite, postgres,
        "migrations/sqlite and migrations/postgres have drifted apart"
    );
    let embedded: BTreeSet<String> = MIGRATIONS
        .iter()
        .map(|m| format!("{}.sql", m.name))
        .collect();
    assert_eq!(
        embedded, sqlite,
        "a migration file is not listed in store::migrations::MIGRATIONS"
    );
    for (i, m) in MIGRATIONS.iter().enumerate() {
        assert_eq!(
            m.version,
            i as i64 + 1,
            "versions must run 1, 2, 3 … without gaps"
        );
        assert!(m.name.starts_with(&format!("{:04}_", m.version)));
    }
}

#[tokio::test]
async fn sqlite_and_postgres_end_up_with_the_same_tables_and_columns() -> anyhow::Result<()> {
    if !postgres_available() {
        return Ok(());
    }
    let sqlite = TestDb::new(candour::store::Engine::Sqlite)
        .await?
        .store()
        .await?;
    let postgres = TestDb::new(candour::store::Engine::Postgres)
        .await?
        .store()
        .await?;
    let a = sqlite.schema_outline().await?;
    let b = postgres.schema_outline().await?;
    assert!(a.len() > 50, "the outline looks empty: {a:?}");
    assert_eq!(a, b, "the two engines' schemas differ");
    Ok(())
}

db_test!(migrating_twice_applies_nothing_the_second_time, |engine| {
    let db = TestDb::new(engine).await?;
    let store = db.store().await?;
    assert_eq!(store.migrate().await?, 0);
    Ok(())
});

db_test!(
    concurrent_reports_get_distinct_consecutive_references,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let actor = app.actor(app.world.email(Role::CareWorker)).await?;
        let mut handles = Vec::new();
        for i in 0..12 {
            let ctx = app.ctx.clone();
            let actor = actor.clone();
            let service = app.world.service.service_id.to_string();
            handles.push(tokio::spawn(async move {
                let draft = ReportDraft {
                    kind: "near_miss".into(),
                    category: "medication".into(),
                    details: [("error_type".to_owned(), vec!["wrong_person".to_owned()])]
                        .into_iter()
                        .collect(),
                    service_id: service,
                    occurred_at: "2026-11-23T08:00:00Z".into(),
                    description: format!("Near miss number {i}"),
                    ..ReportDraft::default()
                };
                report_incident(&ctx, &actor, &draft)
                    .await
                    .map(|r| r.reference.0)
            }));
        }
        let mut refs = Vec::new();
        for h in handles {
            refs.push(h.await?.map_err(|e| anyhow::anyhow!("{e}"))?);
        }
        refs.sort();
        assert_eq!(refs, (1..=12).collect::<Vec<i64>>());
        Ok(())
    }
);

db_test!(
    the_workflow_migration_keeps_every_incident_and_what_hangs_off_it,
    |engine| {
        let db = TestDb::new(engine).await?;
        let store = candour::store::Store::connect(&db.url).await?;
        store.migrate_up_to(14).await?;
        let ctx = candour::actions::Ctx {
            store: store.clone(),
            clock: std::sync::Arc::new(candour::clock::FixedClock::new(start_time())),
            public_url: None,
        };
        let w = seed(&ctx).await?;
        let incident = uuid::Uuid::now_v7();
        let reported = start_time().as_millisecond();
        // The schema as it was before the workflow: written with plain SQL.
        let insert = "insert into incident (incident_id, organisation_id, service_id, reference_number, kind, category, status, \
            occurred_at, reported_at, description, immediate_actions, others_involved, version, updated_at, details, told) \
            values ($1, $2, $3, 1, 'near_miss', 'fall', 'reported', $4, $4, 'Before the workflow', '', '', 1, $4, '{}', '[]')";
        let child = "insert into incident_person (incident_id, person_id, organisation_id, role) values ($1, $2, $3, 'affected')";
        match store.backend() {
            candour::store::Backend::Sqlite { write, .. } => {
                sqlx::query(insert)
                    .bind(incident)
                    .bind(w.org.0)
                    .bind(w.service.service_id.0)
                    .bind(reported)
                    .execute(write)
                    .await?;
                sqlx::query(child)
                    .bind(incident)
                    .bind(w.person.0)
                    .bind(w.org.0)
                    .execute(write)
                    .await?;
            }
            candour::store::Backend::Postgres(pool) => {
                sqlx::query(insert)
                    .bind(incident)
                    .bind(w.org.0)
                    .bind(w.service.service_id.0)
                    .bind(reported)
                    .execute(pool)
                    .await?;
                sqlx::query(child)
                    .bind(incident)
                    .bind(w.person.0)
                    .bind(w.org.0)
                    .execute(pool)
                    .await?;
            }
        }
        assert!(store.migrate().await? >= 1);
        let got = store
            .incident_by_reference(w.org, candour_domain::incident::IncidentReference(1))
            .await?
            .expect("the incident survived the migration");
        assert_eq!(got.description, "Before the workflow");
        assert_eq!(
            store.involvements(got.incident_id).await?.len(),
            1,
            "its people too"
        );
        if let candour::store::Backend::Sqlite { read, .. } = store.backend() {
            let broken: Vec<(String,)> =
                sqlx::query_as("select \"table\" from pragma_foreign_key_check")
                    .fetch_all(read)
                    .await?;
            assert!(broken.is_empty(), "foreign keys intact: {broken:?}");
        }
        Ok(())
    }
);
