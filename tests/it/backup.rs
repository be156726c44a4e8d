//! Backing up while reports arrive, and restoring: every report acknowledged
//! before the backup began comes back, attachments byte for byte, and the
//! audit chain intact; a restore never replaces data unasked.

use crate::helpers::*;
use candour::actions::incidents::report_incident;
use candour_domain::incident::{IncidentReference, ReportDraft};
use candour_domain::role::Role;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// A small PNG, as a phone would send it (signature and header).
const PHOTO: &[u8] = &[
    0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, b'I', b'H', b'D', b'R', 0, 7,
    0xff, 0x10,
];

fn candour(args: &[&str]) -> anyhow::Result<(bool, String)> {
    let out = Command::new(env!("CARGO_BIN_EXE_candour"))
        .args(args)
        .env_remove("CANDOUR_DATABASE_URL")
        .output()?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Ok((out.status.success(), text))
}

/// A fresh place to restore into: a SQLite file, or a new PostgreSQL
/// database holding the same schema name the backup was taken from.
async fn restore_target(app: &TestApp, dir: &std::path::Path) -> anyhow::Result<String> {
    if !app._db.url.starts_with("postgres") {
        return Ok(format!("sqlite://{}/restored/candour.db", dir.display()));
    }
    let base = postgres_url().unwrap();
    let admin = sqlx::PgPool::connect(&base).await?;
    let name = format!("candour_restore_{}", uuid::Uuid::now_v7().simple());
    sqlx::query(sqlx::AssertSqlSafe(format!("create database {name}")))
        .execute(&admin)
        .await?;
    admin.close().await;
    let (server, _) = base.rsplit_once('/').unwrap();
    let options = app._db.url.split_once('?').unwrap().1;
    Ok(format!("{server}/{name}?{options}"))
}

db_test!(
    a_backup_taken_under_load_restores_every_acknowledged_report_and_attachment,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let worker = app.actor(app.world.email(Role::CareWorker)).await?;
        let draft = ReportDraft {
            kind: "incident".into(),
            category: "pressure_ulcer".into(),
            service_id: app.world.service.service_id.to_string(),
            occurred_at: "2026-11-23T07:00:00Z".into(),
            description: "Red area on the left heel".into(),
            immediate_actions: "Heel offloaded".into(),
            ..ReportDraft::default()
        };
        let first = report_incident(&app.ctx, &worker, &draft)
            .await
            .map_err(fail)?;
        candour::actions::attachments::add_attachment(
            &app.ctx,
            &worker,
            first.reference,
            "left heel.png",
            PHOTO,
            1 << 20,
        )
        .await
        .map_err(fail)?;

        // Four phones keep reporting through the API while the backup runs.
        let token = token_for(&app, app.world.email(Role::CareWorker)).await?;
        let stop = Arc::new(AtomicBool::new(false));
        let mut phones = Vec::new();
        for phone in 0..4 {
            let (stop, token, base) = (stop.clone(), token.clone(), app.base.clone());
            let service = app.world.service.service_id;
            phones.push(tokio::spawn(async move {
                let http = reqwest::Client::new();
                let mut acked = Vec::new();
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    let resp = http
                        .post(format!("{base}/api/v1/incidents"))
                        .bearer_auth(&token)
                        .json(
                            &serde_json::json!({"kind": "near_miss", "category": "other",
                            "service_id": service, "occurred_at": "2026-11-23T08:00:00Z",
                            "description": format!("Phone {phone}, report {n}")}),
                        )
                        .send()
                        .await?;
                    if resp.status() == 201 {
                        let body: serde_json::Value = resp.json().await?;
                        let reference = body["reference"].as_str().unwrap_or_default().to_owned();
                        acked.push((reference, Instant::now()));
                    }
                }
                anyhow::Ok(acked)
            }));
        }
        tokio::time::sleep(std::time::Duration::from_millis(700)).await;
        let dir = tempfile::tempdir()?;
        let file = dir.path().join("backup.candour");
        let backup_began = Instant::now();
        let (url, to) = (app._db.url.clone(), file.to_string_lossy().into_owned());
        let (ok, said) = tokio::task::spawn_blocking(move || {
            candour(&["backup", "--database", &url, "--to", &to])
        })
        .await??;
        assert!(ok, "{said}");
        assert!(
            said.contains("Backed up") && said.contains("1 attachment"),
            "{said}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        stop.store(true, Ordering::Relaxed);
        let mut before = vec![first.reference.to_string()];
        let mut during = 0;
        for phone in phones {
            for (reference, at) in phone.await?? {
                if at < backup_began {
                    before.push(reference);
                } else {
                    during += 1;
                }
            }
        }
        assert!(
            before.len() > 4,
            "reports were acknowledged before the backup"
        );
        assert!(during > 0, "and while it ran");

        // A backup is never written over another.
        let (url, to) = (app._db.url.clone(), file.to_string_lossy().into_owned());
        let (ok, said) = candour(&["backup", "--database", &url, "--to", &to])?;
        assert!(!ok && said.contains("already exists"), "{said}");

        let target = restore_target(&app, dir.path()).await?;
        let key = candour::audit_key::default_path(&app._db.url);
        let key = key.to_string_lossy().into_owned();
        let from = file.to_string_lossy().into_owned();
        let (ok, said) = candour(&[
            "--audit-key-file",
            &key,
            "restore",
            "--database",
            &target,
            "--from",
            &from,
        ])?;
        assert!(ok, "{said}");
        assert!(
            said.contains("chain intact") && !said.contains("BROKEN"),
            "{said}"
        );
        assert!(
            said.contains("Every attachment matches its SHA-256"),
            "{said}"
        );

        let restored = candour::store::Store::connect(&target).await?;
        for reference in &before {
            let r = IncidentReference::parse(reference).unwrap();
            assert!(
                restored
                    .incident_by_reference(app.world.org, r)
                    .await?
                    .is_some(),
                "{reference} was acknowledged before the backup began"
            );
        }
        let incident = restored
            .incident_by_reference(app.world.org, first.reference)
            .await?
            .unwrap();
        let files = restored.attachments(incident.incident_id).await?;
        assert_eq!(files.len(), 1);
        let (_, bytes) = restored
            .attachment_content(incident.incident_id, files[0].attachment_id)
            .await?
            .unwrap();
        assert_eq!(bytes, PHOTO, "byte for byte");
        restored.close().await;

        // Restoring over data is refused without --force, and done with it.
        let (ok, said) = candour(&[
            "--audit-key-file",
            &key,
            "restore",
            "--database",
            &target,
            "--from",
            &from,
        ])?;
        assert!(!ok && said.contains("already holds data"), "{said}");
        let (ok, said) = candour(&[
            "--audit-key-file",
            &key,
            "restore",
            "--database",
            &target,
            "--from",
            &from,
            "--force",
        ])?;
        assert!(ok, "{said}");
        if let Some(name) = target
            .strip_prefix("postgres")
            .and_then(|rest| rest.rsplit_once('/'))
            .map(|(_, db)| db.split('?').next().unwrap_or_default().to_owned())
        {
            let admin = sqlx::PgPool::connect(&postgres_url().unwrap()).await?;
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "drop database if exists {name} with (force)"
            )))
            .execute(&admin)
            .await?;
            admin.close().await;
        }
        Ok(())
    }
);

#[tokio::test]
async fn a_damaged_or_foreign_file_is_not_restored() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, b"this is not a database at all")?;
    let target = format!("sqlite://{}/target.db", dir.path().display());
    let (ok, said) = candour(&[
        "restore",
        "--database",
        &target,
        "--from",
        junk.to_str().unwrap(),
    ])?;
    assert!(!ok, "{said}");
    assert!(
        said.contains("cannot be restored") || said.contains("not a SQLite database"),
        "{said}"
    );
    assert!(
        !dir.path().join("target.db").exists(),
        "nothing was put in place"
    );
    Ok(())
}
