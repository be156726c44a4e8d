//! The `candour` binary's subcommands, run as a user would run them.

use crate::helpers::*;
use std::io::Write;
use std::process::{Command, Stdio};

fn candour(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_candour"))
        .args(args)
        .env_remove("CANDOUR_DATABASE_URL")
        .output()
        .expect("run candour")
}

fn text(o: &std::process::Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn a_database_that_cannot_be_opened_gives_one_clear_sentence() {
    let out = candour(&[
        "migrate",
        "--database",
        "postgres://nobody:secret@127.0.0.1:1/nowhere",
    ]);
    assert!(!out.status.success());
    let (_, err) = text(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with(
            "candour: could not open the database postgres://nobody:***@127.0.0.1:1/nowhere: "
        ),
        "{err}"
    );
    assert!(!err.contains("secret") && !err.contains("panicked"));
    let out = candour(&["migrate", "--database", "mysql://localhost/x"]);
    assert!(
        text(&out)
            .1
            .contains("must start with sqlite:// or postgres://")
    );
}

#[test]
fn the_example_configuration_is_printed_and_accepted() {
    let out = candour(&["config", "example"]);
    assert!(out.status.success());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("candour.toml");
    let db = format!("sqlite://{}/from-file.db", dir.path().display());
    let example = text(&out)
        .0
        .replace("sqlite://candour-data/candour.db", &db);
    std::fs::write(&path, example).unwrap();
    let out = candour(&["--config", path.to_str().unwrap(), "migrate"]);
    assert!(out.status.success(), "{:?}", text(&out));
    assert!(
        dir.path().join("from-file.db").exists(),
        "the file's database setting was used"
    );
    std::fs::write(&path, "databse = 1").unwrap();
    let out = candour(&["--config", path.to_str().unwrap(), "migrate"]);
    assert!(text(&out).1.contains("is not valid"));
}

db_test!(
    users_tokens_and_audit_verification_from_the_command_line,
    |engine| {
        let db = TestDb::new(engine).await?;
        let url = db.url.clone();
        let out = candour(&["demo", "--database", &url]);
        assert!(out.status.success(), "{:?}", text(&out));
        assert!(text(&out).0.contains("4 services"));
        let mut child = Command::new(env!("CARGO_BIN_EXE_candour"))
            .args([
                "user",
                "add",
                "--database",
                &url,
                "--email",
                "New.Nurse@Brightwater.example",
                "--name",
                "Nia Nurse",
                "--role",
                "senior_carer",
                "--scope",
                "service:Ashdown House",
                "--password-stdin",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(b"lantern-harbour-quill\n")?;
        let out = child.wait_with_output()?;
        assert!(out.status.success(), "{:?}", text(&out));
        let out = candour(&[
            "user",
            "add",
            "--database",
            &url,
            "--email",
            "x@y.example",
            "--name",
            "X",
            "--role",
            "wizard",
            "--scope",
            "organisation",
        ]);
        assert!(text(&out).1.contains("--role: \"wizard\" is not a role"));
        let out = candour(&[
            "user",
            "add",
            "--database",
            &url,
            "--email",
            "x@y.example",
            "--name",
            "X",
            "--role",
            "care_worker",
            "--scope",
            "service:Nowhere",
        ]);
        assert!(
            text(&out)
                .1
                .contains("--scope: There is no service called \"Nowhere\""),
            "{:?}",
            text(&out)
        );
        let out = candour(&[
            "token",
            "create",
            "--database",
            &url,
            "--email",
            "new.nurse@brightwater.example",
            "--label",
            "Script",
        ]);
        assert!(out.status.success());
        assert!(text(&out).0.trim().starts_with("cdr_"));
        let out = candour(&[
            "user",
            "reset-password",
            "--database",
            &url,
            "--email",
            "new.nurse@brightwater.example",
        ]);
        assert!(text(&out).0.contains("Their new password is: "));
        let out = candour(&["audit", "verify", "--database", &url]);
        assert!(out.status.success(), "{:?}", text(&out));
        assert!(text(&out).0.contains("chain intact"));
        // Tamper with one stored event; verification now fails and names it.
        let store = db.store().await?;
        let sql = "update audit_event set action = 'user.removed' where sequence = 5";
        match store.backend() {
            candour::store::Backend::Sqlite { write, .. } => {
                sqlx::query(sql).execute(write).await?.rows_affected()
            }
            candour::store::Backend::Postgres(p) => {
                sqlx::query(sql).execute(p).await?.rows_affected()
            }
        };
        store.close().await;
        let out = candour(&["audit", "verify", "--database", &url]);
        assert_eq!(out.status.code(), Some(2));
        assert!(
            text(&out)
                .0
                .contains("event 5 was changed after it was written"),
            "{:?}",
            text(&out)
        );
        Ok(())
    }
);

db_test!(
    demo_data_is_the_same_for_the_same_seed_and_clock_on_either_engine,
    |engine| {
        async fn fingerprint(engine: candour::store::Engine) -> anyhow::Result<Vec<String>> {
            let db = TestDb::new(engine).await?;
            let store = db.store().await?;
            let ctx = ctx_at_start(store.clone());
            let summary = candour::demo::generate(&ctx, candour::demo::Scale::Small, 7).await?;
            assert!(
                summary.people >= 140 && summary.people <= 160,
                "{summary:?}"
            );
            assert!(summary.staff >= 55 && summary.staff <= 65, "{summary:?}");
            assert!(summary.incidents > 800, "{summary:?}");
            assert_eq!(summary.logins.len(), 9, "one sign-in per role");
            let org = store.organisation_ids().await?[0];
            let services: Vec<_> = store
                .services(org)
                .await?
                .into_iter()
                .map(|s| s.service_id)
                .collect();
            let mut all = Vec::new();
            let mut after = None;
            loop {
                let page = store
                    .incidents_in_services(org, &services, &Default::default(), after, 500)
                    .await?;
                let Some(last) = page.last() else { break };
                after = Some(candour::store::incidents::ListCursor {
                    reported_at_ms: last.reported_at.as_millisecond(),
                    incident_id: last.incident_id,
                });
                all.extend(page.iter().map(|i| {
                    format!(
                        "{} {} {} {}",
                        i.reference,
                        i.category.code(),
                        i.occurred_at,
                        i.description
                    )
                }));
            }
            assert_eq!(all.len(), summary.incidents);
            Ok(all)
        }
        let a = fingerprint(engine).await?;
        let b = fingerprint(candour::store::Engine::Sqlite).await?;
        assert_eq!(a, b);
        // Falls cluster at night and around handovers: more falls between 19:00 and 08:00.
        let falls: Vec<&String> = a
            .iter()
            .filter(|l| l.split(' ').nth(1) == Some("fall"))
            .collect();
        assert!(falls.len() * 3 > a.len(), "falls are the most common event");
        Ok(())
    }
);

db_test!(
    the_demo_has_investigations_under_way_and_done_and_last_months_breaches,
    |engine| {
        let db = TestDb::new(engine).await?;
        let store = db.store().await?;
        let ctx = ctx_at_start(store.clone());
        candour::demo::generate(&ctx, candour::demo::Scale::Small, 7).await?;
        let org = store.organisation_ids().await?[0];
        let services: Vec<_> = store
            .services(org)
            .await?
            .into_iter()
            .map(|s| s.service_id)
            .collect();
        let list = store.investigations(org, &services).await?;
        let states: Vec<&str> = list.iter().map(|v| v.status.code()).collect();
        assert_eq!(list.len(), 2, "{states:?}");
        assert!(states.contains(&"open") && states.contains(&"completed"));
        for v in &list {
            let i = store
                .incident_by_reference(org, v.incident_reference)
                .await?
                .unwrap();
            assert_eq!(i.category.code(), "fall");
            assert_eq!(
                i.status.code(),
                "under_investigation",
                "the manager asks for sign-off once they have read the report"
            );
            assert!(store.meetings(v.investigation_id).await?.len() == 1);
            assert!(store.timeline(v.investigation_id).await?.len() == 2);
            // Each was notified to CQC; the finished one's family told and written to.
            let steps = store.duty_steps(i.incident_id).await?;
            assert!(
                steps
                    .iter()
                    .any(|s| s.duty.code() == "cqc_serious_injury_notification")
            );
            if v.status.code() == "completed" {
                assert!(steps.iter().any(|s| s.step.kind().code() == "written"));
            }
        }
        // October's missed deadlines are on record, as the sweep would have
        // recorded them at the time.
        let october: (jiff::Timestamp, jiff::Timestamp) = (
            "2026-10-01T00:00:00+01:00".parse()?,
            "2026-11-01T00:00:00Z".parse()?,
        );
        let lines = store.breach_lines(org, &services, october).await?;
        assert!(!lines.is_empty(), "a few of October's reports were late");
        for l in &lines {
            assert!(
                l.met_at.is_none_or(|m| m > l.due_at),
                "a breach is a deadline passed"
            );
        }
        // Destroying the richest records (investigations, duties, breaches,
        // notifications, actions) leaves no row behind pointing at them.
        for v in &list {
            let i = store
                .incident_by_reference(org, v.incident_reference)
                .await?
                .unwrap();
            let mut tx = store.begin().await?;
            candour::store::retention::destroy_incident(&mut tx, org, i.incident_id).await?;
            tx.commit().await?;
        }
        assert_eq!(store.rows_without_incident().await?, 0);
        assert!(store.investigations(org, &services).await?.is_empty());
        Ok(())
    }
);

db_test!(
    a_new_organisation_is_set_up_from_the_command_line,
    |engine| {
        let db = TestDb::new(engine).await?;
        let url = db.url.clone();
        let run = |args: &[&str]| {
            let mut all = args.to_vec();
            all.extend(["--database", &url]);
            candour(&all)
        };
        let out = run(&[
            "user",
            "add",
            "--email",
            "a@b.example",
            "--name",
            "A",
            "--role",
            "administrator",
            "--scope",
            "organisation",
        ]);
        assert!(
            text(&out).1.contains("no organisation yet"),
            "{:?}",
            text(&out)
        );
        assert!(
            run(&["org", "create", "--name", "Harbour Care"])
                .status
                .success()
        );
        assert!(
            run(&["org", "add-region", "--name", "South Coast"])
                .status
                .success()
        );
        let out = run(&["org", "add-region", "--name", "south coast"]);
        assert!(!out.status.success());
        let out = run(&[
            "org",
            "add-service",
            "--region",
            "South Coast",
            "--name",
            "Quay House",
            "--type",
            "castle",
            "--address",
            "1 Quay",
            "--postcode",
            "po1 1aa",
        ]);
        assert!(
            text(&out)
                .1
                .contains("--type: The type must be one of care_home"),
            "{:?}",
            text(&out)
        );
        let out = run(&[
            "org",
            "add-service",
            "--region",
            "South Coast",
            "--name",
            "Quay House",
            "--type",
            "care_home",
            "--cqc-location-id",
            "12345",
            "--address",
            "1 Quay",
            "--postcode",
            "po1 1aa",
        ]);
        assert!(
            text(&out)
                .1
                .contains("--cqc-location-id: Enter the CQC location id"),
            "{:?}",
            text(&out)
        );
        let out = run(&[
            "org",
            "add-service",
            "--region",
            "South Coast",
            "--name",
            "Quay House",
            "--type",
            "care_home",
            "--cqc-location-id",
            "1-987654321",
            "--address",
            "1 Quay",
            "--postcode",
            "po1 1aa",
        ]);
        assert!(out.status.success(), "{:?}", text(&out));
        assert!(
            run(&[
                "org",
                "add-area",
                "--service",
                "Quay House",
                "--name",
                "Harbour Wing",
                "--kind",
                "wing"
            ])
            .status
            .success()
        );
        let out = run(&[
            "org",
            "add-area",
            "--service",
            "Quay House",
            "--name",
            "Harbour Wing",
            "--kind",
            "wing",
        ]);
        assert!(
            text(&out)
                .1
                .contains("--name: \"Harbour Wing\" is already taken"),
            "{:?}",
            text(&out)
        );
        let out = run(&[
            "user",
            "add",
            "--email",
            "rm@harbour.example",
            "--name",
            "Rhona Manager",
            "--role",
            "registered_manager",
            "--scope",
            "service:Quay House",
        ]);
        assert!(out.status.success(), "{:?}", text(&out));
        let out = run(&["org", "show"]);
        let (shown, _) = text(&out);
        assert!(shown.contains("Harbour Care") && shown.contains("Region: South Coast"));
        assert!(
            shown.contains("Service: Quay House (Care home, 1-987654321)")
                && shown.contains("Wing: Harbour Wing"),
            "{shown}"
        );
        let out = run(&["audit", "verify"]);
        assert!(
            text(&out).0.contains("5 audit events, chain intact"),
            "{:?}",
            text(&out)
        );
        // Records retention: nothing is old enough; destroying asks for --yes.
        let out = run(&["retention", "review"]);
        assert!(out.status.success(), "{:?}", text(&out));
        assert!(
            text(&out)
                .0
                .contains("0 incident(s) closed three or more years ago; 0 may be destroyed.")
        );
        let out = run(&["retention", "destroy"]);
        assert_eq!(out.status.code(), Some(2));
        assert!(text(&out).1.contains("Nothing destroyed: add --yes"));
        let out = run(&[
            "retention",
            "hold",
            "--reference",
            "INC-000999",
            "--reason",
            "Inquest",
            "--by",
            "Q. Lead",
        ]);
        assert!(!out.status.success());
        assert!(
            text(&out)
                .1
                .contains("--reference: Give the reference of an incident"),
            "{:?}",
            text(&out)
        );
        let out = run(&["retention", "destroy", "--yes"]);
        assert!(
            text(&out).0.contains("Destroyed 0 incident record(s)."),
            "{:?}",
            text(&out)
        );
        Ok(())
    }
);

#[test]
fn an_empty_database_variable_means_the_default_database() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_candour"))
        .current_dir(dir.path())
        .arg("migrate")
        .env("CANDOUR_DATABASE_URL", "")
        .output()
        .unwrap();
    assert!(out.status.success(), "{:?}", text(&out));
    assert!(dir.path().join("candour-data/candour.db").exists());
}

#[test]
fn a_number_of_email_tries_out_of_range_stops_the_server_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/c.db", dir.path().display());
    let out = candour(&[
        "serve",
        "--database",
        &db,
        "--listen",
        "127.0.0.1:0",
        "--smtp-url",
        "smtp://127.0.0.1:1",
        "--mail-from",
        "Candour <c@example.org>",
        "--email-max-attempts",
        "0",
    ]);
    assert!(!out.status.success());
    assert!(
        text(&out)
            .1
            .contains("the number of email attempts must be from 1 to 50, not 0"),
        "{:?}",
        text(&out)
    );
}

db_test!(
    a_password_reset_ends_sessions_api_tokens_and_the_pin,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let email = app.world.email(candour_domain::role::Role::SeniorCarer);
        let actor = app.actor(email).await?;
        let browser = app.signed_in(email).await?;
        let token = token_for(&app, email).await?;
        assert_eq!(
            api_get(&app, &token, "/api/v1/incidents").await?.status(),
            200
        );
        candour::actions::devices::set_own_pin(&app.ctx, &actor, PASSWORD, "482915", "482915")
            .await
            .map_err(fail)?;
        let out = candour(&[
            "user",
            "reset-password",
            "--database",
            &app._db.url,
            "--email",
            email,
        ]);
        assert!(out.status.success(), "{:?}", text(&out));
        assert!(
            text(&out)
                .0
                .contains("their sessions, API tokens and quick sign-in PIN have ended"),
            "{:?}",
            text(&out)
        );
        assert_eq!(browser.get("/").await?.status(), 303, "the session ended");
        assert_eq!(
            api_get(&app, &token, "/api/v1/incidents").await?.status(),
            401,
            "the API token no longer works"
        );
        assert!(
            app.ctx.store.pin(actor.user_id).await?.is_none(),
            "the PIN is off"
        );
        let history = app
            .ctx
            .store
            .audit_for_record(app.world.org, "user", &actor.user_id.to_string())
            .await?;
        assert!(history.iter().any(|e| e.action == "user.password_reset"));
        let tokens = app.ctx.store.tokens_of(actor.user_id).await?;
        assert!(!tokens.is_empty() && tokens.iter().all(|t| t.revoked_at_ms.is_some()));
        for t in &tokens {
            let trail = app
                .ctx
                .store
                .audit_for_record(app.world.org, "api_token", &t.api_token_id.to_string())
                .await?;
            assert!(
                trail.iter().any(|e| e.action == "api_token.revoked"),
                "each token's revocation is audited"
            );
        }
        Ok(())
    }
);

db_test!(
    an_operator_keeps_a_checkpoint_and_verify_finds_a_tail_removed_behind_it,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let dir = tempfile::tempdir()?;
        let kept = dir.path().join("checkpoint.json");
        let url = app._db.url.clone();
        let out = candour(&[
            "audit",
            "checkpoint",
            "--database",
            &url,
            "--out",
            kept.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{:?}", text(&out));
        assert!(
            text(&out).0.contains("checkpoint at event"),
            "{:?}",
            text(&out)
        );
        let cp = kept.to_str().unwrap();
        let out = candour(&["audit", "verify", "--database", &url, "--checkpoint", cp]);
        assert!(out.status.success(), "{:?}", text(&out));
        assert!(text(&out).0.contains("checked against the kept checkpoint"));

        // The last event and the head with it: the chain alone still looks whole.
        let store = &app.ctx.store;
        let last = store.audit_head(app.world.org).await?.unwrap().0;
        let before = store.audit_page(app.world.org, last - 2, 1).await?[0]
            .hash
            .clone();
        let statements = [
            format!("delete from audit_values where sequence = {last} and organisation_id = $1"),
            format!("delete from audit_event where sequence = {last} and organisation_id = $1"),
            format!(
                "update audit_head set last_sequence = {}, last_hash = '{before}' where organisation_id = $1",
                last - 1
            ),
        ];
        for sql in &statements {
            match store.backend() {
                candour::store::Backend::Sqlite { write, .. } => {
                    sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                        .bind(app.world.org.0)
                        .execute(write)
                        .await?;
                }
                candour::store::Backend::Postgres(p) => {
                    sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                        .bind(app.world.org.0)
                        .execute(p)
                        .await?;
                }
            }
        }
        let out = candour(&["audit", "verify", "--database", &url]);
        assert!(out.status.success(), "undetectable alone: {:?}", text(&out));
        let out = candour(&["audit", "verify", "--database", &url, "--checkpoint", cp]);
        assert_eq!(out.status.code(), Some(2), "{:?}", text(&out));
        assert!(
            text(&out)
                .0
                .contains(&format!("before event {last} of the kept checkpoint")),
            "{:?}",
            text(&out)
        );
        Ok(())
    }
);

#[tokio::test]
async fn the_audit_key_file_must_be_the_one_the_trail_was_made_with() -> anyhow::Result<()> {
    let db = TestDb::new(candour::store::Engine::Sqlite).await?;
    let url = db.url.clone();
    let out = candour(&[
        "org",
        "create",
        "--database",
        &url,
        "--name",
        "Harbour Care",
    ]);
    assert!(out.status.success(), "{:?}", text(&out));
    assert!(
        text(&out).1.contains("Made a new audit key at"),
        "the operator is told to keep it apart: {:?}",
        text(&out)
    );
    let key = candour::audit_key::default_path(&url);
    assert!(key.exists());
    let other = tempfile::tempdir()?;
    let wrong = other.path().join("other.key");
    std::fs::write(&wrong, format!("{}\n", "ab".repeat(32)))?;
    let out = candour(&[
        "audit",
        "verify",
        "--database",
        &url,
        "--audit-key-file",
        wrong.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(
        text(&out).1.contains("is made with the audit key"),
        "{:?}",
        text(&out)
    );
    // Without the key file, nothing opens (and no new key is made in its place).
    let kept = other.path().join("kept.key");
    std::fs::rename(&key, &kept)?;
    let out = candour(&["audit", "verify", "--database", &url]);
    assert!(!out.status.success());
    assert!(text(&out).1.contains("is missing"), "{:?}", text(&out));
    assert!(!key.exists());
    let out = candour(&[
        "audit",
        "verify",
        "--database",
        &url,
        "--audit-key-file",
        kept.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{:?}", text(&out));
    Ok(())
}

db_test!(
    an_operator_disables_and_enables_a_leaver_from_the_command_line,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let email = app.world.email(candour_domain::role::Role::CareWorker);
        let browser = app.signed_in(email).await?;
        let url = app._db.url.clone();
        let run = |what: &str, reason: &str| {
            candour(&[
                "user",
                what,
                "--database",
                &url,
                "--email",
                email,
                "--reason",
                reason,
            ])
        };
        let out = run("disable", " ");
        assert!(!out.status.success());
        assert!(text(&out).1.contains("--reason"), "{:?}", text(&out));
        assert_eq!(browser.get("/").await?.status(), 200, "nothing changed");
        let out = run("disable", "Left on 30 Nov 2026");
        assert!(out.status.success(), "{:?}", text(&out));
        assert!(text(&out).0.contains("Disabled"), "{:?}", text(&out));
        assert_eq!(browser.get("/").await?.status(), 303, "the session ended");
        let out = run("disable", "Again");
        assert!(!out.status.success());
        assert!(
            text(&out).1.contains("already disabled"),
            "{:?}",
            text(&out)
        );
        let out = run("enable", "Came back");
        assert!(out.status.success(), "{:?}", text(&out));
        assert_eq!(app.client().sign_in(email, PASSWORD).await?.status(), 303);
        Ok(())
    }
);

db_test!(
    an_operator_grants_and_revokes_a_role_from_the_command_line,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let email = app.world.email(candour_domain::role::Role::CareWorker);
        let url = app._db.url.clone();
        let run = |what: &str, role: &str, scope: &str| {
            candour(&[
                "user",
                what,
                "--database",
                &url,
                "--email",
                email,
                "--role",
                role,
                "--scope",
                scope,
            ])
        };
        let out = run("grant", "senior_carer", "service:Alder House");
        assert!(out.status.success(), "{:?}", text(&out));
        let worker = app.actor(email).await?;
        assert_eq!(worker.grants.len(), 2);
        let out = run("grant", "senior_carer", "service:Alder House");
        assert!(!out.status.success());
        assert!(text(&out).1.contains("already holds"), "{:?}", text(&out));
        let out = run("grant", "wizard", "service:Alder House");
        assert!(text(&out).1.contains("--role"), "{:?}", text(&out));
        let out = run("revoke", "care_worker", "service:Alder House");
        assert!(out.status.success(), "{:?}", text(&out));
        let worker = app.actor(email).await?;
        assert_eq!(
            worker.grants.iter().map(|g| g.role).collect::<Vec<_>>(),
            vec![candour_domain::role::Role::SeniorCarer]
        );
        let out = run("revoke", "senior_carer", "service:Alder House");
        assert!(!out.status.success());
        assert!(text(&out).1.contains("only role"), "{:?}", text(&out));
        let history = app
            .ctx
            .store
            .audit_for_record(app.world.org, "user", &worker.user_id.to_string())
            .await?;
        let actions: Vec<&str> = history.iter().map(|e| e.action.as_str()).collect();
        assert!(actions.contains(&"user.granted") && actions.contains(&"user.revoked"));
        Ok(())
    }
);
