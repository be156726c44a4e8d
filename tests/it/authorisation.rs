//! The authorisation matrix: every role × every route × a record in scope,
//! out of scope, and in another organisation. Expected answers are written
//! out by hand (not derived from the permission code under test).

use crate::helpers::*;
use candour::actions::incidents::report_incident;
use candour::actions::tokens::create_token;
use candour_domain::incident::ReportDraft;
use candour_domain::role::Role;
use serde_json::json;

/// Roles in the column order of the tables below.
const ROLES: [Role; 8] = [
    Role::CareWorker,
    Role::SeniorCarer,
    Role::RegisteredManager,
    Role::RegionalManager,
    Role::HeadOfOperations,
    Role::QualityAssurance,
    Role::BoardMember,
    Role::Administrator,
];

async fn seed_reports(app: &TestApp) -> anyhow::Result<()> {
    let make = |service: String, text: &str| ReportDraft {
        kind: "incident".into(),
        category: "fall".into(),
        details: fall_details(),
        service_id: service,
        occurred_at: "2026-11-23T07:00:00Z".into(),
        description: text.into(),
        immediate_actions: "Checked for injury".into(),
        ..ReportDraft::default()
    };
    let w = &app.world;
    // INC-000001 in scope (service 1, region 1), reported by the senior carer.
    let senior = app.actor(w.email(Role::SeniorCarer)).await?;
    report_incident(
        &app.ctx,
        &senior,
        &make(w.service.service_id.to_string(), "In scope"),
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    // INC-000002 out of scope (service 2, region 2), reported by the head of operations.
    let head = app.actor(w.email(Role::HeadOfOperations)).await?;
    report_incident(
        &app.ctx,
        &head,
        &make(w.other_service.service_id.to_string(), "Out of scope"),
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    // INC-000001..3 in organisation B: only INC-000003 does not also exist in A.
    let b = app.actor(&w.user_b).await?;
    for i in 0..3 {
        report_incident(
            &app.ctx,
            &b,
            &make(
                w.service_b.service_id.to_string(),
                &format!("Other organisation {i}"),
            ),
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    Ok(())
}

fn check(route: &str, role: Role, got: u16, want: u16, failures: &mut Vec<String>) {
    if got != want {
        failures.push(format!(
            "{route} as {}: got {got}, want {want}",
            role.code()
        ));
    }
}

db_test!(
    every_role_gets_exactly_the_access_the_matrix_gives_it,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        seed_reports(&app).await?;
        let w = app.world.clone();
        let senior = app.actor(w.email(Role::SeniorCarer)).await?;
        let png = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0];
        let att = candour::actions::attachments::add_attachment(
            &app.ctx,
            &senior,
            candour_domain::incident::IncidentReference(1),
            "heel.png",
            &png,
            1024,
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .attachment_id;
        let (s1, s2, sb) = (
            w.service.service_id,
            w.other_service.service_id,
            w.service_b.service_id,
        );
        // Page GETs: (route, expected status for each role in ROLES order).
        let pages: Vec<(String, [u16; 8])> = vec![
            ("/".into(), [200, 200, 200, 200, 200, 200, 200, 200]),
            (
                "/my-reports".into(),
                [200, 200, 200, 200, 200, 200, 200, 200],
            ),
            (
                "/account/password".into(),
                [200, 200, 200, 200, 200, 200, 200, 200],
            ),
            (
                "/account/tokens".into(),
                [200, 200, 200, 200, 200, 200, 200, 200],
            ),
            (
                "/incidents/new".into(),
                [200, 200, 200, 200, 200, 200, 403, 403],
            ),
            (
                "/incidents/INC-000001".into(),
                [404, 200, 200, 200, 200, 200, 404, 404],
            ),
            (
                "/incidents/INC-000002".into(),
                [404, 404, 404, 404, 200, 200, 404, 404],
            ),
            (
                "/incidents/INC-000003".into(),
                [404, 404, 404, 404, 404, 404, 404, 404],
            ),
            (
                "/incidents/INC-000001/history".into(),
                [404, 200, 200, 200, 200, 200, 404, 404],
            ),
            (
                "/incidents/INC-000002/history".into(),
                [404, 404, 404, 404, 200, 200, 404, 404],
            ),
            (
                "/incidents/INC-000003/history".into(),
                [404, 404, 404, 404, 404, 404, 404, 404],
            ),
            (
                format!("/incidents/INC-000001/attachments/{att}"),
                [404, 200, 200, 200, 200, 200, 404, 404],
            ),
            (
                format!("/incidents/INC-000002/attachments/{att}"),
                [404, 404, 404, 404, 404, 404, 404, 404],
            ),
            (
                format!("/services/{s1}/incidents"),
                [403, 200, 200, 200, 200, 200, 403, 403],
            ),
            (
                format!("/services/{s2}/incidents"),
                [403, 403, 403, 403, 200, 200, 403, 403],
            ),
            (
                format!("/services/{sb}/incidents"),
                [404, 404, 404, 404, 404, 404, 404, 404],
            ),
            (
                format!("/services/{s1}/people"),
                [200, 200, 200, 200, 200, 200, 403, 200],
            ),
            (
                format!("/services/{s2}/people"),
                [403, 403, 403, 403, 200, 200, 403, 200],
            ),
            (
                format!("/services/{sb}/people"),
                [404, 404, 404, 404, 404, 404, 404, 404],
            ),
            (
                format!("/services/{s1}/people/new"),
                [403, 403, 200, 403, 403, 403, 403, 200],
            ),
            (
                format!("/services/{s2}/people/new"),
                [403, 403, 403, 403, 403, 403, 403, 200],
            ),
            (
                format!("/services/{sb}/people/new"),
                [404, 404, 404, 404, 404, 404, 404, 404],
            ),
            (
                format!("/services/{s1}/poster"),
                [403, 200, 200, 200, 200, 200, 403, 200],
            ),
            (
                format!("/services/{s2}/poster"),
                [403, 403, 403, 403, 200, 200, 403, 200],
            ),
            (
                format!("/services/{sb}/poster"),
                [404, 404, 404, 404, 404, 404, 404, 404],
            ),
            (
                format!("/services/{s1}/devices"),
                [403, 403, 200, 200, 200, 403, 403, 200],
            ),
            (
                format!("/services/{s2}/devices"),
                [403, 403, 403, 403, 200, 403, 403, 200],
            ),
            (
                format!("/services/{sb}/devices"),
                [404, 404, 404, 404, 404, 404, 404, 404],
            ),
            (
                "/account/pin".into(),
                [200, 200, 200, 200, 200, 200, 200, 200],
            ),
            ("/triage".into(), [403, 200, 200, 200, 200, 200, 403, 403]),
            ("/digest".into(), [403, 200, 200, 200, 200, 200, 403, 403]),
            // The board report counts, naming nobody: anyone who sees aggregates.
            ("/reports".into(), [403, 200, 200, 200, 200, 200, 200, 200]),
            (
                "/reports/board".into(),
                [403, 200, 200, 200, 200, 200, 200, 200],
            ),
            // The evidence pack holds incidents: those who see them.
            ("/evidence".into(), [403, 200, 200, 200, 200, 200, 403, 403]),
            // Occupancy is recorded by those who triage.
            (
                "/occupancy".into(),
                [403, 200, 200, 200, 200, 200, 403, 403],
            ),
            (
                "/reports/breaches".into(),
                [403, 200, 200, 200, 200, 200, 403, 403],
            ),
            (
                "/reports/breaches.csv".into(),
                [403, 200, 200, 200, 200, 200, 403, 403],
            ),
            (
                "/reports/serious-incidents".into(),
                [403, 200, 200, 200, 200, 200, 403, 403],
            ),
            (
                "/investigations".into(),
                [403, 200, 200, 200, 200, 200, 403, 403],
            ),
            ("/settings".into(), [403, 403, 403, 403, 403, 403, 403, 200]),
            (
                format!("/services/{s1}/improvement-plan"),
                [403, 200, 200, 200, 200, 200, 403, 403],
            ),
            (
                format!("/services/{s2}/improvement-plan"),
                [403, 403, 403, 403, 200, 200, 403, 403],
            ),
            (
                format!("/services/{sb}/improvement-plan"),
                [404, 404, 404, 404, 404, 404, 404, 404],
            ),
            (
                format!("/services/{s1}/triage"),
                [403, 200, 200, 200, 200, 200, 403, 403],
            ),
            (
                format!("/services/{s2}/triage"),
                [403, 403, 403, 403, 200, 200, 403, 403],
            ),
            (
                format!("/services/{sb}/triage"),
                [404, 404, 404, 404, 404, 404, 404, 404],
            ),
            (
                "/incidents/INC-000001/triage".into(),
                [404, 200, 200, 200, 200, 200, 404, 404],
            ),
            (
                "/incidents/INC-000002/triage".into(),
                [404, 404, 404, 404, 200, 200, 404, 404],
            ),
            (
                "/incidents/INC-000003/triage".into(),
                [404, 404, 404, 404, 404, 404, 404, 404],
            ),
        ];
        // API GETs.
        let api: Vec<(String, [u16; 8])> = vec![
            (
                "/api/v1/triage".into(),
                [403, 200, 200, 200, 200, 200, 403, 403],
            ),
            (
                format!("/api/v1/triage?service={s2}"),
                [403, 403, 403, 403, 200, 200, 403, 403],
            ),
            (
                "/api/v1/investigations".into(),
                [403, 200, 200, 200, 200, 200, 403, 403],
            ),
            (
                "/api/v1/contributory-factors".into(),
                [403, 200, 200, 200, 200, 200, 403, 200],
            ),
            (
                format!("/api/v1/services/{s1}/actions"),
                [403, 200, 200, 200, 200, 200, 403, 403],
            ),
            (
                format!("/api/v1/services/{s2}/actions"),
                [403, 403, 403, 403, 200, 200, 403, 403],
            ),
            (
                format!("/api/v1/services/{sb}/actions"),
                [404, 404, 404, 404, 404, 404, 404, 404],
            ),
            (
                "/api/v1/incidents".into(),
                [403, 200, 200, 200, 200, 200, 403, 403],
            ),
            (
                format!("/api/v1/incidents?service={s1}"),
                [403, 200, 200, 200, 200, 200, 403, 403],
            ),
            (
                format!("/api/v1/incidents?service={s2}"),
                [403, 403, 403, 403, 200, 200, 403, 403],
            ),
            (
                format!("/api/v1/incidents?service={sb}"),
                [404, 404, 404, 404, 404, 404, 404, 404],
            ),
            (
                "/api/v1/incidents/INC-000001".into(),
                [404, 200, 200, 200, 200, 200, 404, 404],
            ),
            (
                "/api/v1/incidents/INC-000002".into(),
                [404, 404, 404, 404, 200, 200, 404, 404],
            ),
            (
                "/api/v1/incidents/INC-000003".into(),
                [404, 404, 404, 404, 404, 404, 404, 404],
            ),
            (
                format!("/api/v1/incidents/INC-000001/attachments/{att}"),
                [404, 200, 200, 200, 200, 200, 404, 404],
            ),
        ];
        // Reporting into each service: HTML form and API.
        let form_posts: [(String, [u16; 8]); 3] = [
            (s1.to_string(), [303, 303, 303, 303, 303, 303, 403, 403]),
            (s2.to_string(), [422, 422, 422, 422, 303, 303, 403, 403]),
            (sb.to_string(), [422, 422, 422, 422, 422, 422, 403, 403]),
        ];
        let people_posts: [(String, [u16; 8]); 3] = [
            (s1.to_string(), [403, 403, 303, 403, 403, 403, 403, 303]),
            (s2.to_string(), [403, 403, 403, 403, 403, 403, 403, 303]),
            (sb.to_string(), [404, 404, 404, 404, 404, 404, 404, 404]),
        ];
        let api_posts: [(String, [u16; 8]); 3] = [
            (s1.to_string(), [201, 201, 201, 201, 201, 201, 422, 422]),
            (s2.to_string(), [422, 422, 422, 422, 201, 201, 422, 422]),
            (sb.to_string(), [422, 422, 422, 422, 422, 422, 422, 422]),
        ];
        let mut failures = Vec::new();
        let http = reqwest::Client::new();
        let mut sessions = Vec::new();
        for role in ROLES {
            let email = w.email(role).to_owned();
            let browser = app.signed_in(&email).await?;
            let user = app.ctx.store.user_by_email(&email).await?.unwrap();
            let (_, token) = create_token(&app.ctx, user.user_id, "matrix", "test")
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            sessions.push((browser, token));
        }
        // Every read first: the posts below add reports that would change what exists.
        for (i, role) in ROLES.iter().enumerate() {
            let (browser, token) = &sessions[i];
            for (route, want) in &pages {
                let got = browser.get(route).await?.status().as_u16();
                check(route, *role, got, want[i], &mut failures);
            }
            for (route, want) in &api {
                let got = http
                    .get(format!("{}{route}", app.base))
                    .bearer_auth(token)
                    .send()
                    .await?
                    .status()
                    .as_u16();
                check(route, *role, got, want[i], &mut failures);
            }
        }
        // Adding to a report, before any post creates more reports in A.
        let addenda_posts: [(&str, [u16; 8]); 3] = [
            ("INC-000001", [404, 303, 303, 303, 303, 303, 404, 404]),
            ("INC-000002", [404, 404, 404, 404, 303, 303, 404, 404]),
            ("INC-000003", [404, 404, 404, 404, 404, 404, 404, 404]),
        ];
        for (i, role) in ROLES.iter().enumerate() {
            let (browser, token) = &sessions[i];
            for (reference, want) in &addenda_posts {
                let csrf = browser.csrf("/account/password").await?;
                let got = browser
                    .post_form(
                        &format!("/incidents/{reference}/addenda"),
                        &[
                            ("csrf_token", &csrf),
                            ("kind", "addendum"),
                            ("text", "matrix"),
                        ],
                    )
                    .await?
                    .status()
                    .as_u16();
                check(
                    &format!("POST /incidents/{reference}/addenda"),
                    *role,
                    got,
                    want[i],
                    &mut failures,
                );
                let api_want = if want[i] == 303 { 201 } else { want[i] };
                let got = http
                    .post(format!("{}/api/v1/incidents/{reference}/addenda", app.base))
                    .bearer_auth(token)
                    .json(&json!({"text": "matrix"}))
                    .send()
                    .await?
                    .status()
                    .as_u16();
                check(
                    &format!("POST /api/v1/incidents/{reference}/addenda"),
                    *role,
                    got,
                    api_want,
                    &mut failures,
                );
                // Feedback to the reporter: the same people as may add to the report.
                let got = browser
                    .post_form(
                        &format!("/incidents/{reference}/feedback"),
                        &[("csrf_token", &csrf), ("feedback", "matrix")],
                    )
                    .await?
                    .status()
                    .as_u16();
                check(
                    &format!("POST /incidents/{reference}/feedback"),
                    *role,
                    got,
                    want[i],
                    &mut failures,
                );
                let got = http
                    .post(format!(
                        "{}/api/v1/incidents/{reference}/feedback",
                        app.base
                    ))
                    .bearer_auth(token)
                    .json(&json!({"text": "matrix"}))
                    .send()
                    .await?
                    .status()
                    .as_u16();
                check(
                    &format!("POST /api/v1/incidents/{reference}/feedback"),
                    *role,
                    got,
                    api_want,
                    &mut failures,
                );
            }
        }
        // Adding a file to INC-000001 (page and API).
        let uploads = [404, 303, 303, 303, 303, 303, 404, 404];
        for (i, role) in ROLES.iter().enumerate() {
            let (browser, token) = &sessions[i];
            let csrf = browser.csrf("/account/password").await?;
            let form = reqwest::multipart::Form::new()
                .text("csrf_token", csrf)
                .part(
                    "file",
                    reqwest::multipart::Part::bytes(png.to_vec()).file_name("matrix.png"),
                );
            let got = browser
                .http
                .post(format!("{}/incidents/INC-000001/attachments", app.base))
                .multipart(form)
                .send()
                .await?
                .status()
                .as_u16();
            check(
                "POST /incidents/INC-000001/attachments",
                *role,
                got,
                uploads[i],
                &mut failures,
            );
            let form = reqwest::multipart::Form::new().part(
                "file",
                reqwest::multipart::Part::bytes(png.to_vec()).file_name("matrix.png"),
            );
            let got = http
                .post(format!(
                    "{}/api/v1/incidents/INC-000001/attachments",
                    app.base
                ))
                .bearer_auth(token)
                .multipart(form)
                .send()
                .await?
                .status()
                .as_u16();
            let want = if uploads[i] == 303 { 201 } else { uploads[i] };
            check(
                "POST /api/v1/incidents/INC-000001/attachments",
                *role,
                got,
                want,
                &mut failures,
            );
        }
        // Replying to an anonymous reporter: an anonymous report in service 1
        // (INC-000003 in organisation A from here on).
        let link = candour::actions::anonymous::public_token(
            &app.ctx,
            &app.actor(w.email(Role::RegisteredManager)).await?,
            s1,
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .1;
        let anonymous = ReportDraft {
            kind: "near_miss".into(),
            category: "environment".into(),
            occurred_at: "2026-11-23T07:00:00Z".into(),
            description: "Anonymous".into(),
            ..ReportDraft::default()
        };
        candour::actions::anonymous::report_anonymously(&app.ctx, &link, &anonymous, "192.0.2.1")
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let replies = [404, 303, 303, 303, 303, 303, 404, 404];
        for (i, role) in ROLES.iter().enumerate() {
            let (browser, _) = &sessions[i];
            let csrf = browser.csrf("/account/password").await?;
            let got = browser
                .post_form(
                    "/incidents/INC-000003/messages",
                    &[("csrf_token", &csrf), ("message", "matrix")],
                )
                .await?
                .status()
                .as_u16();
            check(
                "POST /incidents/INC-000003/messages",
                *role,
                got,
                replies[i],
                &mut failures,
            );
        }
        for (i, role) in ROLES.iter().enumerate() {
            let (browser, token) = &sessions[i];
            for (service, want) in &form_posts {
                let csrf = browser.csrf("/account/password").await?;
                let got = browser
                    .post_form(
                        "/incidents",
                        &[
                            ("csrf_token", &csrf),
                            ("service_id", service),
                            ("kind", "near_miss"),
                            ("category", "environment"),
                            ("occurred_date", "2026-11-23"),
                            ("occurred_time", "08:00"),
                            ("description", "matrix"),
                        ],
                    )
                    .await?
                    .status()
                    .as_u16();
                check(
                    &format!("POST /incidents into {service}"),
                    *role,
                    got,
                    want[i],
                    &mut failures,
                );
            }
            for (service, want) in &people_posts {
                let csrf = browser.csrf("/account/password").await?;
                let got = browser
                    .post_form(
                        &format!("/services/{service}/people"),
                        &[
                            ("csrf_token", &csrf),
                            ("display_name", "Matrix Person"),
                            ("start_date", "2026-11-01"),
                        ],
                    )
                    .await?
                    .status()
                    .as_u16();
                check(
                    &format!("POST /services/{service}/people"),
                    *role,
                    got,
                    want[i],
                    &mut failures,
                );
            }
            for (service, want) in &api_posts {
                let body = json!({"kind": "near_miss", "category": "environment", "service_id": service, "occurred_at": "2026-11-23T08:00:00Z", "description": "matrix"});
                let got = http
                    .post(format!("{}/api/v1/incidents", app.base))
                    .bearer_auth(token)
                    .json(&body)
                    .send()
                    .await?
                    .status()
                    .as_u16();
                check(
                    &format!("POST /api/v1/incidents into {service}"),
                    *role,
                    got,
                    want[i],
                    &mut failures,
                );
            }
        }
        assert!(
            failures.is_empty(),
            "authorisation matrix failures:\n{}",
            failures.join("\n")
        );
        Ok(())
    }
);

db_test!(a_board_member_sees_counts_but_no_one_by_name, |engine| {
    let app = TestApp::spawn(engine).await?;
    seed_reports(&app).await?;
    let board = app.signed_in(app.world.email(Role::BoardMember)).await?;
    let home = board.get("/").await?.text().await?;
    assert!(
        home.contains("Alder House") && home.contains("Birch House"),
        "aggregates for every service"
    );
    assert!(
        !home.contains("Cedar House"),
        "never another organisation's"
    );
    assert!(
        !home.contains("In scope") && !home.contains("Edna Test"),
        "no incident text or names"
    );
    assert!(
        !home.contains("/services/"),
        "no links into named incident lists"
    );
    Ok(())
});
