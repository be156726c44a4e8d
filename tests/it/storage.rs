//! The storage layer: migrations in lockstep, the same schema on both
//! engines, and references that never repeat under concurrent reports.

use crate::helpers::*;
use candour::actions::incidents::report_incident;
use candour::store::migrations::MIGRATIONS;
use candour_domain::ids::{OrganisationId, ServiceId};
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

/// A database migrated only up to `version`, with the test world in it (to
/// write data in an older schema, then migrate it forward).
async fn seeded_at_version(
    engine: candour::store::Engine,
    version: i64,
) -> anyhow::Result<(TestDb, candour::store::Store, World)> {
    let db = TestDb::new(engine).await?;
    let store = candour::store::Store::connect(&db.url).await?;
    store.migrate_up_to(version).await?;
    let ctx = ctx_at_start(store.clone());
    let w = seed(&ctx).await?;
    Ok((db, store, w))
}

db_test!(
    the_workflow_migration_keeps_every_incident_and_what_hangs_off_it,
    |engine| {
        let (_db, store, w) = seeded_at_version(engine, 14).await?;
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

/// Writes a bare incident straight through the store (as an older schema
/// would hold it): no audit, tallies or deadlines beyond what the insert sets.
async fn plain_incident(
    store: &candour::store::Store,
    (org, service): (OrganisationId, ServiceId),
    reference: i64,
    (kind, category): (
        candour_domain::incident::EventKind,
        candour_domain::incident::Category,
    ),
    occurred_at: jiff::Timestamp,
) -> anyhow::Result<uuid::Uuid> {
    use candour::store::incidents::{IncidentInsert, insert_incident};
    let id = candour_domain::ids::IncidentId(uuid::Uuid::now_v7());
    let mut tx = store.begin().await?;
    insert_incident(
        &mut tx,
        &IncidentInsert {
            incident_id: id,
            organisation_id: org,
            service_id: service,
            area_id: None,
            reference: candour_domain::incident::IncidentReference(reference),
            kind,
            category,
            occurred_at,
            reported_at: start_time(),
            reported_by: None,
            description: "Counted",
            immediate_actions: "",
            others_involved: "",
            details: "{}",
            told: "[]",
            written_at: None,
            entered_by: None,
            triage_due_at: start_time(),
            progress: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id.0)
}

/// Runs one statement on `id` straight on the database (the test stands in
/// for a regrading or a destruction, to watch the triggers alone).
async fn exec_on(store: &candour::store::Store, sql: &str, id: uuid::Uuid) -> anyhow::Result<()> {
    match store.backend() {
        candour::store::Backend::Sqlite { write, .. } => {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(id)
                .execute(write)
                .await?;
        }
        candour::store::Backend::Postgres(pool) => {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(id)
                .execute(pool)
                .await?;
        }
    }
    Ok(())
}

db_test!(
    the_tallies_count_incidents_from_before_the_migration_and_follow_every_change,
    |engine| {
        use candour::store::incidents::TallyScope;
        use candour_domain::incident::{Category, EventKind};
        use candour_domain::tally::by_uk_day;
        let (_db, store, w) = seeded_at_version(engine, 37).await?;
        let (s1, s2) = (w.service.service_id, w.other_service.service_id);
        let at = |s: &str| s.parse::<jiff::Timestamp>().unwrap();
        let day = |s: &str| s.parse::<jiff::civil::Date>().unwrap();
        let mut next = 0;
        let mut report = async |service, kind, category, occurred: &str| {
            next += 1;
            plain_incident(
                &store,
                (w.org, service),
                next,
                (kind, category),
                at(occurred),
            )
            .await
        };
        // Before the tallies existed: a fall in the last UTC hour of a BST
        // day (the next UK day), a near miss, and a fall at Birch in winter.
        let late_fall = report(
            s1,
            EventKind::Incident,
            Category::Fall,
            "2026-07-15T23:30:00Z",
        )
        .await?;
        report(
            s1,
            EventKind::NearMiss,
            Category::Environment,
            "2026-07-15T10:00:00Z",
        )
        .await?;
        let winter_fall = report(
            s2,
            EventKind::Incident,
            Category::Fall,
            "2026-01-15T23:30:00Z",
        )
        .await?;
        assert!(store.migrate().await? >= 1);

        let since = at("2025-12-01T00:00:00Z");
        let falls = [EventKind::Incident];
        let counted = async |scope,
                             category,
                             kinds: &[EventKind],
                             min_harm|
               -> anyhow::Result<Vec<(jiff::civil::Date, u32)>> {
            Ok(by_uk_day(
                &store
                    .tallies(w.org, scope, (category, kinds), (since, min_harm))
                    .await?,
            ))
        };
        let both = [s1, s2];
        let (only_alder, only_birch) = ([s1], [s2]);
        let alder_falls = async || {
            counted(
                TallyScope::Services(&only_alder),
                Some(Category::Fall),
                &falls,
                0,
            )
            .await
        };
        // The whole organisation's counts agree with its services' added up.
        let org_falls = async || -> anyhow::Result<Vec<(jiff::civil::Date, u32)>> {
            let org = counted(TallyScope::Organisation, Some(Category::Fall), &falls, 0).await?;
            assert_eq!(
                org,
                counted(TallyScope::Services(&both), Some(Category::Fall), &falls, 0).await?
            );
            Ok(org)
        };
        assert_eq!(
            alder_falls().await?,
            [(day("2026-07-16"), 1)],
            "the migration counted what was already there, on its UK day"
        );
        assert_eq!(
            org_falls().await?,
            [(day("2026-01-15"), 1), (day("2026-07-16"), 1)]
        );
        assert_eq!(
            counted(
                TallyScope::Services(&only_alder),
                None,
                &[EventKind::NearMiss],
                0
            )
            .await?,
            [(day("2026-07-15"), 1)]
        );

        // A new report is counted in its own transaction.
        report(
            s1,
            EventKind::Incident,
            Category::Fall,
            "2026-07-16T08:00:00Z",
        )
        .await?;
        assert_eq!(alder_falls().await?, [(day("2026-07-16"), 2)]);
        // Regraded: counted as confirmed, with its harm.
        exec_on(
            &store,
            "update incident set confirmed_category = 'other', confirmed_kind = 'incident', physical_harm = 'moderate' where incident_id = $1",
            late_fall,
        )
        .await?;
        assert_eq!(alder_falls().await?, [(day("2026-07-16"), 1)]);
        assert_eq!(
            counted(TallyScope::Organisation, Some(Category::Other), &falls, 2).await?,
            [(day("2026-07-16"), 1)],
            "moderate harm counts at moderate and above"
        );
        assert!(
            counted(TallyScope::Organisation, Some(Category::Other), &falls, 3)
                .await?
                .is_empty()
        );
        // Changing something else counts nothing twice.
        exec_on(
            &store,
            "update incident set description = 'Counted once' where incident_id = $1",
            late_fall,
        )
        .await?;
        assert_eq!(
            counted(TallyScope::Organisation, None, &falls, 0).await?,
            [(day("2026-01-15"), 1), (day("2026-07-16"), 2)]
        );
        // Destroyed: no longer counted.
        exec_on(
            &store,
            "delete from incident where incident_id = $1",
            winter_fall,
        )
        .await?;
        assert_eq!(org_falls().await?, [(day("2026-07-16"), 1)]);
        assert!(
            counted(TallyScope::Services(&only_birch), None, &falls, 0)
                .await?
                .is_empty(),
            "Birch has nothing left"
        );
        Ok(())
    }
);

db_test!(
    duty_state_covers_incidents_assessed_before_it_and_every_later_change,
    |engine| {
        use candour_domain::incident::{Category, EventKind};
        let (_db, store, w) = seeded_at_version(engine, 39).await?;
        let s1 = w.service.service_id;
        let happened = "2026-11-20T10:00:00Z".parse::<jiff::Timestamp>()?;
        let assessed = plain_incident(
            &store,
            (w.org, s1),
            1,
            (EventKind::Incident, Category::Fall),
            happened,
        )
        .await?;
        plain_incident(
            &store,
            (w.org, s1),
            2,
            (EventKind::Incident, Category::Fall),
            happened,
        )
        .await?;
        let user = store
            .user_by_email(w.email(Role::RegisteredManager))
            .await?
            .unwrap()
            .user_id;
        let id = candour_domain::ids::IncidentId(assessed);
        let mut tx = store.begin().await?;
        assert!(
            candour::store::assessments::save_assessment(
                &mut tx,
                (w.org, id),
                &candour_domain::duties::Assessment::default(),
                0,
                (user, start_time().as_millisecond()),
            )
            .await?
        );
        tx.commit().await?;
        assert!(store.migrate().await? >= 1);

        // Only the assessed incident has duties, unsettled until decided.
        let all = (0, i64::MAX);
        assert_eq!(store.incidents_with_duties(w.org, all).await?, [id]);
        assert_eq!(store.unsettled_duties(w.org, all).await?, [(id, 1)]);
        let settle = async |generation| -> anyhow::Result<u64> {
            let mut tx = store.begin().await?;
            let n = candour::store::duty_steps::settle_duties(&mut tx, &[(id, generation)]).await?;
            tx.commit().await?;
            Ok(n)
        };
        assert_eq!(settle(1).await?, 1);
        assert!(store.unsettled_duties(w.org, all).await?.is_empty());
        assert_eq!(store.incidents_with_duties(w.org, all).await?, [id]);

        // A regrading unsettles it; changing what duties do not read does not.
        exec_on(
            &store,
            "update incident set description = 'Reworded' where incident_id = $1",
            assessed,
        )
        .await?;
        assert!(store.unsettled_duties(w.org, all).await?.is_empty());
        exec_on(
            &store,
            "update incident set confirmed_category = 'other', physical_harm = 'severe' where incident_id = $1",
            assessed,
        )
        .await?;
        assert_eq!(store.unsettled_duties(w.org, all).await?, [(id, 2)]);
        assert_eq!(settle(1).await?, 0, "decided from an older generation");
        Ok(())
    }
);

db_test!(
    word_search_finds_reports_by_the_text_index_rowid_and_realigns_it_if_moved,
    |engine| {
        use candour::store::Engine;
        use candour::store::incidents::IncidentFilter;
        let app = TestApp::spawn(engine).await?;
        let store = &app.ctx.store;
        let wet = minor_fall(&app, "Slipped on the wet floor by the sink").await?;
        minor_fall(&app, "Tripped over a rug in the lounge").await?;
        let found = async |word: &str| -> anyhow::Result<Vec<i64>> {
            let filter = IncidentFilter {
                words: vec![word.to_owned()],
                ..IncidentFilter::default()
            };
            Ok(store
                .incidents_in_services(
                    app.world.org,
                    &[app.world.service.service_id],
                    &filter,
                    None,
                    10,
                )
                .await?
                .iter()
                .map(|s| s.reference.0)
                .collect())
        };
        assert_eq!(found("wet").await?, [wet.0]);
        assert_eq!(found("rug").await?.len(), 1);
        assert!(found("ladder").await?.is_empty());
        if engine == Engine::Sqlite {
            let id = store
                .incident_by_reference(app.world.org, wet)
                .await?
                .expect("the report")
                .incident_id;
            // Something moves the text index's rows off their incidents' rowids.
            exec_on(
                store,
                "update incident_search set rowid = rowid + 1000 where incident_id = $1",
                id.0,
            )
            .await?;
            assert!(found("wet").await?.is_empty(), "search asks by rowid");
            assert!(store.align_search_index().await?, "rebuilt");
            assert_eq!(found("wet").await?, [wet.0]);
        }
        assert!(!store.align_search_index().await?, "nothing to align");
        Ok(())
    }
);

db_test!(
    an_account_read_with_its_grants_at_once_is_the_account_and_grants_read_apart,
    |engine| {
        use candour::store::StoreError;
        use candour::store::users::{User, insert_grant, insert_user};
        use candour_domain::ids::UserId;
        use candour_domain::role::{Grant, Scope};
        let app = TestApp::spawn(engine).await?;
        let store = &app.ctx.store;
        let worker = store
            .user_by_email(app.world.email(Role::CareWorker))
            .await?
            .ok_or_else(|| anyhow::anyhow!("no care worker"))?;
        // Two more grants for the care worker, given later, and an account with none.
        let bare = User {
            user_id: UserId(uuid::Uuid::now_v7()),
            organisation_id: app.world.org,
            email: "no.grants@a.example".into(),
            display_name: "No grants".into(),
            password_hash: None,
            active: false,
            last_signed_in_at_ms: None,
            version: None,
        };
        let mut tx = store.begin().await?;
        for (n, scope) in [
            Scope::Service(app.world.other_service.service_id),
            Scope::Organisation,
        ]
        .into_iter()
        .enumerate()
        {
            let grant = Grant {
                role: Role::SeniorCarer,
                scope,
            };
            let at = start_time().as_millisecond() + 1_000 * (n as i64 + 1);
            insert_grant(&mut tx, app.world.org, worker.user_id, grant, at).await?;
        }
        insert_user(&mut tx, &bare, start_time().as_millisecond()).await?;
        tx.commit().await?;
        let mut ids = vec![worker.user_id, bare.user_id];
        for (_, email) in &app.world.users {
            if let Some(u) = store.user_by_email(email).await? {
                ids.push(u.user_id);
            }
        }
        for id in ids {
            let apart = (store.user(id).await?, store.grants(id).await?);
            assert_eq!(store.user_with_grants(id).await?, apart);
        }
        let (_, grants) = store.user_with_grants(worker.user_id).await?;
        assert_eq!(grants.len(), 3, "{grants:?}");
        assert_eq!(grants[0].role, Role::CareWorker, "oldest first");
        assert!(store.user_with_grants(bare.user_id).await?.1.is_empty());
        assert!(matches!(
            store.user_with_grants(UserId(uuid::Uuid::now_v7())).await,
            Err(StoreError::NotFound)
        ));
        Ok(())
    }
);

db_test!(
    the_register_migration_keeps_every_person_and_the_reports_naming_them,
    |engine| {
        let (_db, store, w) = seeded_at_version(engine, 51).await?;
        let ctx = ctx_at_start(store.clone());
        let worker = store
            .user_by_email(w.email(Role::CareWorker))
            .await?
            .expect("the care worker");
        let actor = candour::actions::sessions::actor_for(&ctx, worker.user_id)
            .await
            .map_err(fail)?;
        let draft = ReportDraft {
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
        let reported = report_incident(&ctx, &actor, &draft).await.map_err(fail)?;
        assert!(store.migrate().await? >= 1);
        let (person, details) = store.person_with_details(w.org, w.person).await?;
        assert_eq!(person.display_name, "Edna Test");
        assert_eq!(details.version, 1);
        assert_eq!(details.preferred_name, None);
        let got = store
            .incident_by_reference(w.org, reported.reference)
            .await?
            .expect("the report survived the migration");
        assert_eq!(store.involvements(got.incident_id).await?.len(), 1);
        assert_eq!(
            store
                .current_people(w.org, w.service.service_id)
                .await?
                .len(),
            1
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
