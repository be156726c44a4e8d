//! Speaking up: a concern reaches only speaking-up guardians outside the
//! service's line management; its raiser follows it by name or with a case
//! code; nobody else learns it exists; the board sees counts by theme.

use crate::helpers::*;
use candour_domain::role::{Grant, Role, Scope};
use serde_json::json;

const RAISER: &str = "Rowena Whistle";
const GUARDIAN: &str = "Gwen Guardian";

/// The raiser (a care worker at Alder House) and an organisation-wide guardian.
async fn people(app: &TestApp) -> anyhow::Result<()> {
    let alder = Scope::Service(app.world.service.service_id);
    staff_member(app, ("rowena@a.example", RAISER), Role::CareWorker, alder).await?;
    staff_member(
        app,
        ("gwen@a.example", GUARDIAN),
        Role::SpeakingUpGuardian,
        Scope::Organisation,
    )
    .await?;
    Ok(())
}

/// Raises a concern through the form; answers the response.
async fn raise(c: &Client, fields: &[(&str, &str)]) -> anyhow::Result<reqwest::Response> {
    let token = c.csrf("/speaking-up").await?;
    let mut all = vec![("csrf_token", token.as_str())];
    all.extend_from_slice(fields);
    c.post_form("/speaking-up", &all).await
}

/// Posts a form on a concern's page.
async fn step(
    c: &Client,
    reference: &str,
    what: &str,
    fields: &[(&str, &str)],
) -> anyhow::Result<reqwest::Response> {
    let token = c.csrf(&format!("/speaking-up/{reference}")).await?;
    let mut all = vec![("csrf_token", token.as_str())];
    all.extend_from_slice(fields);
    c.post_form(&format!("/speaking-up/{reference}/{what}"), &all)
        .await
}

db_test!(
    a_named_concern_reaches_only_a_guardian_outside_the_line,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        people(&app).await?;
        // A guardian who also manages Alder House is in its line.
        let lionel = staff_member(
            &app,
            ("lionel@a.example", "Lionel Line"),
            Role::SpeakingUpGuardian,
            Scope::Organisation,
        )
        .await?;
        let mut tx = app.ctx.store.begin().await?;
        candour::store::users::insert_grant(
            &mut tx,
            app.world.org,
            lionel.user_id,
            Grant {
                role: Role::RegisteredManager,
                scope: Scope::Service(app.world.service.service_id),
            },
            0,
        )
        .await?;
        tx.commit().await?;

        let rowena = app.signed_in("rowena@a.example").await?;
        let marker = "Shoutmarker: the manager shouts at night staff at handover.";
        let service = app.world.service.service_id.to_string();
        let resp = raise(
            &rowena,
            &[
                ("theme", "manager_conduct"),
                ("service_id", &service),
                ("description", marker),
                ("identity", "confidential"),
            ],
        )
        .await?;
        assert_eq!(resp.status(), 303);
        assert_eq!(location_of(&resp), "/speaking-up/SPK-000001");
        let own = rowena.text("/speaking-up/SPK-000001").await?;
        assert!(own.contains(marker), "{own}");
        assert!(own.contains("You, in confidence"), "{own}");
        assert!(rowena.text("/speaking-up").await?.contains("SPK-000001"));

        let gwen = app.signed_in("gwen@a.example").await?;
        let home = gwen.text("/").await?;
        assert!(
            home.contains("Speaking-up concerns to acknowledge (1)"),
            "{home}"
        );
        let list = gwen.text("/speaking-up").await?;
        assert!(
            list.contains("SPK-000001") && list.contains(RAISER),
            "{list}"
        );
        let page = gwen.text("/speaking-up/SPK-000001").await?;
        assert!(page.contains(marker) && page.contains(RAISER), "{page}");

        // Nobody else learns it exists: not the line (the registered
        // manager, regional manager, head of operations), not quality
        // assurance, the board, an administrator or a colleague, and not a
        // guardian who manages the service.
        let mut others: Vec<String> = app.world.users.iter().map(|(_, e)| e.clone()).collect();
        others.push("lionel@a.example".into());
        for email in &others {
            let c = app.signed_in(email).await?;
            let resp = c.get("/speaking-up/SPK-000001").await?;
            assert_eq!(resp.status(), 404, "{email}");
            for path in ["/speaking-up", "/"] {
                let body = c.text(path).await?;
                assert!(
                    !body.contains("SPK-000001")
                        && !body.contains(RAISER)
                        && !body.contains("Shoutmarker"),
                    "{email} on {path}"
                );
            }
            let token = token_for(&app, email).await?;
            let resp = api_get(&app, &token, "/api/v1/speaking-up/SPK-000001").await?;
            assert_eq!(resp.status(), 404, "{email} on the API");
            let lists = api_get(&app, &token, "/api/v1/speaking-up")
                .await?
                .text()
                .await?;
            assert!(!lists.contains("SPK-000001"), "{email}: {lists}");
        }

        // Two-way messages, acknowledgement and the outcome.
        let resp = step(
            &gwen,
            "SPK-000001",
            "acknowledgement",
            &[("message", "Thank you: I will call you on Friday.")],
        )
        .await?;
        assert_eq!(resp.status(), 303);
        let own = rowena.text("/speaking-up/SPK-000001").await?;
        assert!(
            own.contains("I will call you on Friday") && own.contains(GUARDIAN),
            "{own}"
        );
        assert!(own.contains("Being looked into"), "{own}");
        step(
            &rowena,
            "SPK-000001",
            "messages",
            &[("message", "Friday suits me.")],
        )
        .await?;
        let page = gwen.text("/speaking-up/SPK-000001").await?;
        assert!(
            page.contains("Friday suits me.") && page.contains("The person who raised it"),
            "{page}"
        );
        // The raiser cannot close their own concern.
        let resp = step(&rowena, "SPK-000001", "outcome", &[("outcome", "Done")]).await?;
        assert_eq!(resp.status(), 403);
        let resp = step(&gwen, "SPK-000001", "outcome", &[("outcome", "")]).await?;
        assert_eq!(resp.status(), 422);
        assert!(resp.text().await?.contains("Write the outcome"));
        let resp = step(
            &gwen,
            "SPK-000001",
            "outcome",
            &[(
                "outcome",
                "Handover coaching for the manager; the regional manager checks in monthly.",
            )],
        )
        .await?;
        assert_eq!(resp.status(), 303);
        let own = rowena.text("/speaking-up/SPK-000001").await?;
        assert!(
            own.contains("Handover coaching") && own.contains("Outcome given"),
            "{own}"
        );
        // Given once: a second answer names who gave it.
        let token = token_for(&app, "gwen@a.example").await?;
        let resp = api_post(
            &app,
            &token,
            "/api/v1/speaking-up/SPK-000001/outcome",
            &json!({"outcome": "Again"}),
        )
        .await?;
        assert_eq!(resp.status(), 409);
        assert!(resp.text().await?.contains(GUARDIAN));

        // Each guardian's read is in the audit trail.
        let reads = count_where(&app, "audit_event", "action", "speak_up.read").await?;
        assert!(reads >= 2, "{reads}");
        Ok(())
    }
);

/// Rows of `table` whose `column` is `value`.
async fn count_where(app: &TestApp, table: &str, column: &str, value: &str) -> anyhow::Result<i64> {
    let sql = format!("select count(*) from {table} where {column} = $1");
    Ok(match app.ctx.store.backend() {
        candour::store::Backend::Sqlite { read, .. } => {
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(value)
                .fetch_one(read)
                .await?
        }
        candour::store::Backend::Postgres(p) => {
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(value)
                .fetch_one(p)
                .await?
        }
    })
}

db_test!(
    an_anonymous_concern_is_followed_with_its_case_code_and_links_to_no_one,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        people(&app).await?;
        let rowena = app.signed_in("rowena@a.example").await?;
        let resp = raise(
            &rowena,
            &[
                ("theme", "bullying"),
                ("service_id", ""),
                (
                    "description",
                    "Nightmarker: new starters are mocked in the staff room.",
                ),
                ("identity", "anonymous"),
            ],
        )
        .await?;
        assert_eq!(resp.status(), 200);
        let page = resp.text().await?;
        let at = page.find("class=\"case-code\">").unwrap() + 18;
        let code: String = page[at..].chars().take(19).collect();
        assert_eq!(code.len(), 19, "{page}");
        // Nothing links the concern to its raiser: not the row, not the audit trail.
        let rowena_id = app.actor("rowena@a.example").await?.user_id.to_string();
        let linked = app
            .ctx
            .store
            .concerns_raised_by(app.actor("rowena@a.example").await?.user_id)
            .await?;
        assert!(linked.is_empty());
        assert_eq!(
            count_where(&app, "audit_event", "actor", &rowena_id).await?,
            0
        );
        assert!(!rowena.text("/speaking-up").await?.contains("SPK-000001"));

        let gwen = app.signed_in("gwen@a.example").await?;
        let page = gwen.text("/speaking-up/SPK-000001").await?;
        assert!(
            page.contains("Nightmarker") && page.contains("Anonymous"),
            "{page}"
        );
        assert!(!page.contains(RAISER));
        let token = token_for(&app, "gwen@a.example").await?;
        let resp = api_post(
            &app,
            &token,
            "/api/v1/speaking-up/SPK-000001/messages",
            &json!({"message": "Could you tell me which shifts?"}),
        )
        .await?;
        assert_eq!(resp.status(), 204);

        // Followed from anywhere, signed out, with the code.
        let public = app.client();
        let form = public.csrf("/speaking-up/case").await?;
        let resp = public
            .post_form(
                "/speaking-up/case",
                &[("csrf_token", &form), ("code", &code)],
            )
            .await?;
        assert_eq!(resp.status(), 200);
        let case = resp.text().await?;
        assert!(
            case.contains("Could you tell me which shifts?") && case.contains(GUARDIAN),
            "{case}"
        );
        let lower = code.to_lowercase().replace('-', "");
        let resp = public
            .post_form(
                "/speaking-up/case",
                &[
                    ("csrf_token", &form),
                    ("code", &lower),
                    ("send", "1"),
                    ("message", "Mostly weekend nights."),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 200);
        let page = gwen.text("/speaking-up/SPK-000001").await?;
        assert!(page.contains("Mostly weekend nights."), "{page}");
        let resp = public
            .post_form(
                "/speaking-up/case",
                &[("csrf_token", &form), ("code", "AAAA-BBBB-CCCC-DDDD")],
            )
            .await?;
        assert_eq!(resp.status(), 404);
        assert!(resp.text().await?.contains("No concern has that case code"));
        // The API follows it too, with no token.
        let resp = reqwest::Client::new()
            .post(format!("{}/api/v1/speaking-up/cases", app.base))
            .json(&json!({"code": code}))
            .send()
            .await?;
        assert_eq!(resp.status(), 200);
        let body: serde_json::Value = resp.json().await?;
        assert_eq!(body["reference"], "SPK-000001");
        assert_eq!(body["anonymous"], true);
        assert_eq!(body["raised_by"], serde_json::Value::Null);
        assert_eq!(body["messages"].as_array().map(Vec::len), Some(2));
        Ok(())
    }
);

db_test!(the_api_raises_checks_and_times_concerns, |engine| {
    let app = TestApp::spawn(engine).await?;
    people(&app).await?;
    let worker = token_for(&app, "rowena@a.example").await?;
    let resp = api_post(
        &app,
        &worker,
        "/api/v1/speaking-up",
        &json!({"theme": "gossip", "description": " ", "identity": "loud"}),
    )
    .await?;
    assert_eq!(resp.status(), 422);
    let problem = resp.text().await?;
    for field in ["theme", "description", "identity"] {
        assert!(
            problem.contains(&format!("\"field\":\"{field}\"")),
            "{field}: {problem}"
        );
    }
    let resp = api_post(
            &app,
            &worker,
            "/api/v1/speaking-up",
            &json!({"theme": "practice", "service_id": app.world.service_b.service_id.to_string(), "description": "x", "identity": "confidential"}),
        )
        .await?;
    assert_eq!(resp.status(), 422, "another organisation's service");
    let resp = api_post(
            &app,
            &worker,
            "/api/v1/speaking-up",
            &json!({"theme": "practice", "service_id": app.world.service.service_id.to_string(), "description": "Pads are rationed at night.", "identity": "confidential"}),
        )
        .await?;
    assert_eq!(resp.status(), 201);
    let made: serde_json::Value = resp.json().await?;
    assert_eq!(made["reference"], "SPK-000001");
    assert_eq!(made["case_code"], serde_json::Value::Null);
    let resp = api_post(
        &app,
        &worker,
        "/api/v1/speaking-up/SPK-000001/acknowledgement",
        &json!({}),
    )
    .await?;
    assert_eq!(
        resp.status(),
        403,
        "the raiser does not acknowledge their own"
    );

    // The organisation's timescales: acknowledge in a day.
    let admin = app.signed_in(app.world.email(Role::Administrator)).await?;
    let token = admin.csrf("/settings").await?;
    let resp = admin
        .post_form(
            "/settings/speaking-up",
            &[
                ("csrf_token", &token),
                ("acknowledge_days", "9"),
                ("feedback_days", "3"),
            ],
        )
        .await?;
    assert_eq!(resp.status(), 422);
    assert!(
        resp.text()
            .await?
            .contains("Feedback cannot fall due before acknowledgement")
    );
    let resp = admin
        .post_form(
            "/settings/speaking-up",
            &[
                ("csrf_token", &token),
                ("acknowledge_days", "1"),
                ("feedback_days", "10"),
            ],
        )
        .await?;
    assert_eq!(resp.status(), 303);
    let guardian = token_for(&app, "gwen@a.example").await?;
    let c: serde_json::Value = api_get(&app, &guardian, "/api/v1/speaking-up/SPK-000001")
        .await?
        .json()
        .await?;
    assert_eq!(c["acknowledge_by"], "2026-11-24");
    assert_eq!(c["feedback_by"], "2026-12-03");
    assert_eq!(c["acknowledgement_late"], false);
    assert_eq!(c["raised_by"], RAISER);
    app.clock.advance(2 * 24 * 60 * 60);
    let lists: serde_json::Value = api_get(&app, &guardian, "/api/v1/speaking-up")
        .await?
        .json()
        .await?;
    assert_eq!(lists["to_handle"][0]["reference"], "SPK-000001");
    assert_eq!(lists["to_handle"][0]["acknowledgement_late"], true);
    let gwen = app.signed_in("gwen@a.example").await?;
    assert!(gwen.text("/speaking-up").await?.contains("tag-overdue"));
    let resp = api_post(
        &app,
        &guardian,
        "/api/v1/speaking-up/SPK-000001/acknowledgement",
        &json!({"message": "Sorry for the wait."}),
    )
    .await?;
    assert_eq!(resp.status(), 204);
    let resp = api_post(
        &app,
        &guardian,
        "/api/v1/speaking-up/SPK-000001/acknowledgement",
        &json!({}),
    )
    .await?;
    assert_eq!(resp.status(), 409);
    let c: serde_json::Value = api_get(&app, &worker, "/api/v1/speaking-up/SPK-000001")
        .await?
        .json()
        .await?;
    assert_eq!(c["status"], "acknowledged");
    assert_eq!(c["acknowledgement_late"], true, "it was acknowledged late");
    assert_eq!(
        c["raised_by"],
        serde_json::Value::Null,
        "the raiser's own view names no one"
    );
    assert_eq!(c["messages"][0]["text"], "Sorry for the wait.");
    Ok(())
});

db_test!(
    the_board_counts_concerns_by_theme_for_the_organisation_only,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        people(&app).await?;
        let worker = token_for(&app, "rowena@a.example").await?;
        for (theme, service) in [
            ("bullying", Some(app.world.service.service_id.to_string())),
            (
                "bullying",
                Some(app.world.other_service.service_id.to_string()),
            ),
            ("culture", None),
        ] {
            let resp = api_post(
                &app,
                &worker,
                "/api/v1/speaking-up",
                &json!({"theme": theme, "service_id": service, "description": "Boardmarker", "identity": "anonymous"}),
            )
            .await?;
            assert_eq!(resp.status(), 201);
        }
        let board = app.signed_in(app.world.email(Role::BoardMember)).await?;
        let page = board.text("/reports/board?month=2026-11").await?;
        assert!(page.contains("Speaking up"), "{page}");
        assert!(page.contains("3 raised and 0 given an outcome"), "{page}");
        assert!(
            page.contains(
                "<th scope=\"row\">Bullying, harassment or discrimination</th><td>2</td>"
            ),
            "{page}"
        );
        assert!(!page.contains("Boardmarker") && !page.contains(RAISER));
        // A region's report (here, one service's) says nothing of speaking up.
        let regional = app
            .signed_in(app.world.email(Role::RegionalManager))
            .await?;
        let page = regional.text("/reports/board?month=2026-11").await?;
        assert!(!page.contains("Speaking up"), "{page}");
        Ok(())
    }
);

db_test!(
    a_concern_raised_before_any_guardian_is_named_waits_for_one,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let alder = Scope::Service(app.world.service.service_id);
        staff_member(&app, ("rowena@a.example", RAISER), Role::CareWorker, alder).await?;
        let rowena = app.signed_in("rowena@a.example").await?;
        let form = rowena.text("/speaking-up").await?;
        assert!(
            form.contains("has not named a speaking-up guardian yet"),
            "{form}"
        );
        let resp = raise(
            &rowena,
            &[
                ("theme", "culture"),
                ("service_id", ""),
                ("description", "Waitmarker"),
                ("identity", "confidential"),
            ],
        )
        .await?;
        assert_eq!(resp.status(), 303);
        // A region's guardian does not take a concern about the whole organisation.
        staff_member(
            &app,
            ("reg@a.example", "Reggie Region"),
            Role::SpeakingUpGuardian,
            Scope::Region(app.world.service.region_id),
        )
        .await?;
        let reg = app.signed_in("reg@a.example").await?;
        assert_eq!(reg.get("/speaking-up/SPK-000001").await?.status(), 404);
        staff_member(
            &app,
            ("gwen@a.example", GUARDIAN),
            Role::SpeakingUpGuardian,
            Scope::Organisation,
        )
        .await?;
        let gwen = app.signed_in("gwen@a.example").await?;
        assert!(
            gwen.text("/speaking-up/SPK-000001")
                .await?
                .contains("Waitmarker")
        );
        let resp = raise(
            &rowena,
            &[("theme", ""), ("description", ""), ("identity", "")],
        )
        .await?;
        assert_eq!(resp.status(), 422);
        let page = resp.text().await?;
        assert_summary_links_resolve(&page);
        assert!(page.contains("Choose what your concern is about"), "{page}");
        Ok(())
    }
);
