//! Reports sent from the phone's offline queue: JSON answers, the time they
//! were written, and exactly-once delivery by idempotency key.

use crate::helpers::*;
use candour_domain::role::Role;
use serde_json::Value;

async fn queued(
    c: &Client,
    app: &TestApp,
    key: &str,
    text: &str,
    written_at: &str,
) -> anyhow::Result<reqwest::Response> {
    let token = c
        .csrf("/incidents/new?kind=near_miss&category=environment")
        .await?;
    let service = app.world.service.service_id.to_string();
    Ok(c.http
        .post(format!("{}/incidents", c.base))
        .header("x-candour-queue", "1")
        .form(&[
            ("csrf_token", token.as_str()),
            ("idempotency_key", key),
            ("service_id", &service),
            ("kind", "near_miss"),
            ("category", "environment"),
            ("occurred_date", "2026-11-23"),
            ("occurred_time", "07:00"),
            ("description", text),
            ("written_at", written_at),
        ])
        .send()
        .await?)
}

db_test!(
    a_queued_report_is_answered_in_json_once_per_key_with_when_it_was_written,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let worker = app.signed_in(app.world.email(Role::CareWorker)).await?;
        // Written at 07:05; the phone got signal back at 09:30 (the test clock).
        let resp = queued(
            &worker,
            &app,
            "phone-key-1",
            "Gate left open at the front",
            "2026-11-23T07:05:00Z",
        )
        .await?;
        assert_eq!(resp.status(), 201);
        let body: Value = resp.json().await?;
        assert_eq!(body["reference"], "INC-000001");
        // The answer was lost; the phone sends it again: the same report, not a second.
        let again: Value = queued(
            &worker,
            &app,
            "phone-key-1",
            "Gate left open at the front",
            "2026-11-23T07:05:00Z",
        )
        .await?
        .json()
        .await?;
        assert_eq!(again["reference"], "INC-000001");
        let incident = app
            .ctx
            .store
            .incident_by_reference(
                app.world.org,
                candour_domain::incident::IncidentReference(1),
            )
            .await?
            .unwrap();
        assert_eq!(
            incident.written_at.map(|t| t.to_string()).as_deref(),
            Some("2026-11-23T07:05:00Z")
        );
        assert_eq!(incident.reported_at.to_string(), "2026-11-23T09:30:00Z");
        let page = worker.get("/incidents/INC-000001").await?.text().await?;
        assert!(page.contains("written 23 Nov 2026, 07:05, sent when the phone was back online"));
        let resp = queued(
            &worker,
            &app,
            "phone-key-2",
            "Clock is wrong",
            "2026-11-24T09:00:00Z",
        )
        .await?;
        assert_eq!(resp.status(), 422);
        let body: Value = resp.json().await?;
        assert_eq!(body["errors"][0]["field"], "written_at");
        let resp = queued(
            &worker,
            &app,
            "phone-key-3",
            "Before it happened?",
            "2026-11-23T06:00:00Z",
        )
        .await?;
        assert_eq!(
            resp.json::<Value>().await?["errors"][0]["field"],
            "written_at"
        );
        Ok(())
    }
);

db_test!(
    the_offline_script_and_service_worker_are_served_from_our_own_origin,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let c = app.client();
        let js = c.get("/assets/offline.js").await?;
        assert_eq!(
            js.headers()["content-type"],
            "text/javascript; charset=utf-8"
        );
        assert!(js.text().await?.contains("X-Candour-Queue"));
        let sw = c.get("/sw.js").await?.text().await?;
        assert!(
            sw.contains("/incidents/new") && !sw.contains("http"),
            "the worker keeps only the report form and fetches nothing elsewhere"
        );
        Ok(())
    }
);

db_test!(
    a_report_queued_by_one_person_is_never_filed_as_another_persons,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let worker = app.signed_in(app.world.email(Role::CareWorker)).await?;
        let form = worker
            .get("/incidents/new?kind=near_miss&category=environment")
            .await?
            .text()
            .await?;
        let at = form.find("name=\"queued_by\" value=\"").unwrap() + 24;
        let writer: String = form[at..].chars().take_while(|c| *c != '"').collect();
        let senior = app.signed_in(app.world.email(Role::SeniorCarer)).await?;
        let token = senior
            .csrf("/incidents/new?kind=near_miss&category=environment")
            .await?;
        let service = app.world.service.service_id.to_string();
        let resp = senior
            .http
            .post(format!("{}/incidents", senior.base))
            .header("x-candour-queue", "1")
            .form(&[
                ("csrf_token", token.as_str()),
                ("queued_by", writer.as_str()),
                ("idempotency_key", "shared-phone-1"),
                ("service_id", &service),
                ("kind", "near_miss"),
                ("category", "environment"),
                ("occurred_date", "2026-11-23"),
                ("occurred_time", "07:00"),
                (
                    "description",
                    "Written by the care worker before handing the phone on",
                ),
            ])
            .send()
            .await?;
        assert_eq!(resp.status(), 409);
        assert!(
            app.ctx
                .store
                .incident_by_reference(
                    app.world.org,
                    candour_domain::incident::IncidentReference(1)
                )
                .await?
                .is_none(),
            "nothing filed"
        );
        Ok(())
    }
);
