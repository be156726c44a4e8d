//! Adding to a submitted report without changing it.

use crate::helpers::*;
use candour::actions::incidents::report_incident;
use candour_domain::incident::ReportDraft;
use candour_domain::role::Role;

async fn reported_by_care_worker(app: &TestApp) -> anyhow::Result<()> {
    let worker = app.actor(app.world.email(Role::CareWorker)).await?;
    let draft = ReportDraft {
        kind: "incident".into(),
        category: "fall".into(),
        details: fall_details(),
        service_id: app.world.service.service_id.to_string(),
        occurred_at: "2026-11-23T07:00:00Z".into(),
        description: "Found on the floor by the wardrobe".into(),
        immediate_actions: "Checked for injury".into(),
        ..ReportDraft::default()
    };
    report_incident(&app.ctx, &worker, &draft)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(())
}

async fn add(c: &Client, fields: &[(&str, &str)]) -> anyhow::Result<reqwest::Response> {
    let token = c.csrf("/incidents/INC-000001").await?;
    let mut all = vec![("csrf_token", token.as_str())];
    all.extend_from_slice(fields);
    c.post_form("/incidents/INC-000001/addenda", &all).await
}

db_test!(a_reporter_adds_to_a_report_without_changing_it, |engine| {
    let app = TestApp::spawn(engine).await?;
    reported_by_care_worker(&app).await?;
    let worker = app.signed_in(app.world.email(Role::CareWorker)).await?;
    let resp = add(
        &worker,
        &[
            ("kind", "addendum"),
            ("text", "I remembered: the bed rail was down."),
        ],
    )
    .await?;
    assert_eq!(resp.status(), 303);
    let page = worker.get("/incidents/INC-000001").await?.text().await?;
    assert!(page.contains("I remembered: the bed rail was down."));
    assert!(
        page.contains("Found on the floor by the wardrobe"),
        "the original text is untouched"
    );
    let incident = app
        .ctx
        .store
        .incident_by_reference(
            app.world.org,
            candour_domain::incident::IncidentReference(1),
        )
        .await?
        .unwrap();
    assert_eq!(incident.description, "Found on the floor by the wardrobe");
    assert_eq!(incident.version, 1);
    let events = app
        .ctx
        .store
        .audit_for_record(app.world.org, "incident", &incident.incident_id.to_string())
        .await?;
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["incident.reported", "incident.addendum_added"]);
    let resp = add(&worker, &[("kind", "addendum"), ("text", "   ")]).await?;
    assert_eq!(resp.status(), 422);
    let body = resp.text().await?;
    assert!(body.contains("Write what you want to add"));
    assert_summary_links_resolve(&body);
    Ok(())
});

db_test!(
    a_manager_asks_for_a_correction_and_the_reporter_answers_it,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        reported_by_care_worker(&app).await?;
        let manager = app
            .signed_in(app.world.email(Role::RegisteredManager))
            .await?;
        let worker = app.signed_in(app.world.email(Role::CareWorker)).await?;
        assert_eq!(
            add(
                &manager,
                &[
                    ("kind", "correction_request"),
                    ("text", "Which wardrobe: in her room or the hall?")
                ]
            )
            .await?
            .status(),
            303
        );
        // Only reviewers ask; only the reporter answers.
        assert_eq!(
            add(&worker, &[("kind", "correction_request"), ("text", "x")])
                .await?
                .status(),
            403
        );
        let page = worker.get("/incidents/INC-000001").await?.text().await?;
        assert!(page.contains("Waiting for the reporter") && page.contains("Your answer"));
        let at = page.find("name=\"in_reply_to\" value=\"").unwrap() + 26;
        let request_id: String = page[at..].chars().take_while(|c| *c != '"').collect();
        assert_eq!(
            add(
                &manager,
                &[
                    ("kind", "correction"),
                    ("in_reply_to", &request_id),
                    ("text", "x")
                ]
            )
            .await?
            .status(),
            403
        );
        let resp = add(
            &worker,
            &[
                ("kind", "correction"),
                ("in_reply_to", "00000000-0000-0000-0000-000000000000"),
                ("text", "In her room"),
            ],
        )
        .await?;
        assert_eq!(resp.status(), 422);
        assert_eq!(
            add(
                &worker,
                &[
                    ("kind", "correction"),
                    ("in_reply_to", &request_id),
                    ("text", "In her room, by the window.")
                ]
            )
            .await?
            .status(),
            303
        );
        let page = manager.get("/incidents/INC-000001").await?.text().await?;
        assert!(
            page.contains("In her room, by the window.")
                && !page.contains("Waiting for the reporter")
        );
        let history = manager
            .get("/incidents/INC-000001/history")
            .await?
            .text()
            .await?;
        assert!(
            history.contains("incident correction request added")
                && history.contains("incident correction added")
        );
        Ok(())
    }
);

db_test!(addenda_through_the_api, |engine| {
    let app = TestApp::spawn(engine).await?;
    reported_by_care_worker(&app).await?;
    let user = app
        .ctx
        .store
        .user_by_email(app.world.email(Role::CareWorker))
        .await?
        .unwrap();
    let (_, token) = candour::actions::tokens::create_token(&app.ctx, user.user_id, "t", "test")
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let http = reqwest::Client::new();
    let resp = http
        .post(format!("{}/api/v1/incidents/INC-000001/addenda", app.base))
        .bearer_auth(&token)
        .json(&serde_json::json!({"text": "Added from the rota app"}))
        .send()
        .await?;
    assert_eq!(resp.status(), 201);
    let added: serde_json::Value = resp.json().await?;
    assert_eq!(added["kind"], "addendum");
    let read: serde_json::Value = http
        .get(format!("{}/api/v1/incidents/INC-000001", app.base))
        .bearer_auth(&token)
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(read["addenda"][0]["text"], "Added from the rota app");
    let resp = http
        .post(format!("{}/api/v1/incidents/INC-000001/addenda", app.base))
        .bearer_auth(&token)
        .json(&serde_json::json!({"kind": "remark", "text": "x"}))
        .send()
        .await?;
    assert_eq!(resp.status(), 400);
    Ok(())
});
