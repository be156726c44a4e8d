//! The JSON API: bearer tokens, problem+json errors naming the field,
//! pagination, and an OpenAPI document that matches the routes served.

use crate::helpers::*;
use candour::actions::tokens::revoke_own_token;
use candour_domain::role::Role;
use serde_json::{Value, json};

fn report(app: &TestApp, description: &str) -> Value {
    json!({
        "kind": "near_miss",
        "category": "fall",
        "service_id": app.world.service.service_id,
        "occurred_at": "2026-11-23T06:40:00Z",
        "description": description,
        "affected_person_ids": [app.world.person],
        "details": fall_details_json(),
    })
}

async fn post(app: &TestApp, token: &str, body: &str) -> anyhow::Result<reqwest::Response> {
    Ok(reqwest::Client::new()
        .post(format!("{}/api/v1/incidents", app.base))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await?)
}

fn is_problem(resp: &reqwest::Response) -> bool {
    resp.headers()
        .get("content-type")
        .is_some_and(|v| v == "application/problem+json")
}

db_test!(a_report_through_the_api_is_stored_and_read_back, |engine| {
    let app = TestApp::spawn(engine).await?;
    let token = token_for(&app, app.world.email(Role::CareWorker)).await?;
    let resp = post(
        &app,
        &token,
        &report(&app, "Nearly slipped on a wet floor").to_string(),
    )
    .await?;
    assert_eq!(resp.status(), 201);
    let body: Value = resp.json().await?;
    assert_eq!(body["reference"], "INC-000001");
    assert_eq!(body["kind"], "near_miss");
    assert_eq!(body["occurred_at"], "2026-11-23T06:40:00Z");
    assert_eq!(body["people"][0]["internal_code"], "P-000001");
    assert!(
        body["people"][0].get("display_name").is_none(),
        "the API names people by code only"
    );
    let manager = token_for(&app, app.world.email(Role::RegisteredManager)).await?;
    let read: Value = api_get(&app, &manager, "/api/v1/incidents/INC-000001")
        .await?
        .json()
        .await?;
    assert_eq!(read["description"], "Nearly slipped on a wet floor");
    Ok(())
});

db_test!(
    bad_bodies_get_problem_documents_that_name_the_field,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let token = token_for(&app, app.world.email(Role::CareWorker)).await?;
        let resp = post(&app, &token, "{not json").await?;
        assert_eq!(resp.status(), 400);
        assert!(is_problem(&resp));
        let mut wrong_type = report(&app, "x");
        wrong_type["description"] = json!(42);
        let resp = post(&app, &token, &wrong_type.to_string()).await?;
        assert_eq!(resp.status(), 400);
        let p: Value = resp.json().await?;
        assert!(p["detail"].as_str().unwrap().contains("description"), "{p}");
        let mut invalid = report(&app, "  ");
        invalid["kind"] = json!("accident");
        invalid["occurred_at"] = json!("yesterday");
        let resp = post(&app, &token, &invalid.to_string()).await?;
        assert_eq!(resp.status(), 422);
        assert!(is_problem(&resp));
        let p: Value = resp.json().await?;
        let fields: Vec<&str> = p["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, ["kind", "occurred_at", "description"]);
        assert_eq!(p["status"], 422);
        let huge = report(&app, &"x".repeat(2 * 1024 * 1024)).to_string();
        let resp = post(&app, &token, &huge).await?;
        assert_eq!(resp.status(), 413);
        Ok(())
    }
);

db_test!(requests_without_a_valid_token_are_unauthorised, |engine| {
    let app = TestApp::spawn(engine).await?;
    let resp = reqwest::Client::new()
        .get(format!("{}/api/v1/incidents", app.base))
        .send()
        .await?;
    assert_eq!(resp.status(), 401);
    assert!(is_problem(&resp));
    assert!(resp.headers().contains_key("www-authenticate"));
    assert_eq!(
        api_get(&app, "cdr_madeup", "/api/v1/incidents")
            .await?
            .status(),
        401
    );
    // A browser session is not an API credential.
    let c = app
        .signed_in(app.world.email(Role::RegisteredManager))
        .await?;
    assert_eq!(c.get("/api/v1/incidents").await?.status(), 401);
    Ok(())
});

db_test!(a_revoked_token_stops_working_at_once, |engine| {
    let app = TestApp::spawn(engine).await?;
    let email = app.world.email(Role::RegisteredManager);
    let token = token_for(&app, email).await?;
    assert_eq!(
        api_get(&app, &token, "/api/v1/incidents").await?.status(),
        200
    );
    let actor = app.actor(email).await?;
    let id = app.ctx.store.tokens_of(actor.user_id).await?[0].api_token_id;
    revoke_own_token(&app.ctx, &actor, id)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    assert_eq!(
        api_get(&app, &token, "/api/v1/incidents").await?.status(),
        401
    );
    Ok(())
});

db_test!(
    tokens_can_be_made_and_revoked_from_the_account_page,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let c = app
            .signed_in(app.world.email(Role::RegisteredManager))
            .await?;
        let csrf = c.csrf("/account/tokens").await?;
        let page = c
            .post_form(
                "/account/tokens",
                &[("csrf_token", &csrf), ("label", "Rota sync")],
            )
            .await?
            .text()
            .await?;
        let at = page.find("cdr_").expect("the new token is shown once");
        let token: String = page[at..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
            .collect();
        assert_eq!(
            api_get(&app, &token, "/api/v1/incidents").await?.status(),
            200
        );
        let page = c.get("/account/tokens").await?.text().await?;
        assert!(!page.contains(&token), "the secret is never shown again");
        let revoke_at = page.find("/account/tokens/").unwrap();
        let action: String = page[revoke_at..]
            .chars()
            .take_while(|c| *c != '"')
            .collect();
        assert_eq!(
            c.post_form(&action, &[("csrf_token", &csrf)])
                .await?
                .status(),
            303
        );
        assert_eq!(
            api_get(&app, &token, "/api/v1/incidents").await?.status(),
            401
        );
        Ok(())
    }
);

db_test!(
    the_list_pages_through_every_report_with_a_cursor,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let worker = token_for(&app, app.world.email(Role::CareWorker)).await?;
        for i in 0..55 {
            assert_eq!(
                post(
                    &app,
                    &worker,
                    &report(&app, &format!("Report {i}")).to_string()
                )
                .await?
                .status(),
                201
            );
            app.clock.advance(60);
        }
        let manager = token_for(&app, app.world.email(Role::RegisteredManager)).await?;
        let path = format!("/api/v1/incidents?service={}", app.world.service.service_id);
        let first: Value = api_get(&app, &manager, &path).await?.json().await?;
        let items = first["items"].as_array().unwrap();
        assert_eq!(items.len(), 50);
        assert_eq!(items[0]["reference"], "INC-000055", "newest first");
        let cursor = first["next_cursor"].as_str().unwrap();
        let second: Value = api_get(&app, &manager, &format!("{path}&cursor={cursor}"))
            .await?
            .json()
            .await?;
        let items = second["items"].as_array().unwrap();
        assert_eq!(items.len(), 5);
        assert_eq!(items[4]["reference"], "INC-000001");
        assert!(second["next_cursor"].is_null());
        assert_eq!(
            api_get(&app, &manager, &format!("{path}&cursor=garbage"))
                .await?
                .status(),
            400
        );
        assert_eq!(
            api_get(&app, &manager, "/api/v1/incidents?service=nope")
                .await?
                .status(),
            400
        );
        Ok(())
    }
);

db_test!(
    the_openapi_document_describes_exactly_the_routes_served,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let doc: Value = reqwest::get(format!("{}/api/v1/openapi.json", app.base))
            .await?
            .json()
            .await?;
        assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
        let paths = doc["paths"].as_object().unwrap();
        let mut documented: Vec<String> = Vec::new();
        for (path, ops) in paths {
            for method in ops.as_object().unwrap().keys() {
                documented.push(format!("{} {path}", method.to_uppercase()));
            }
        }
        documented.sort();
        assert_eq!(
            documented,
            [
                "GET /api/v1/actions/{reference}",
                "GET /api/v1/contributory-factors",
                "GET /api/v1/duties",
                "GET /api/v1/incidents",
                "GET /api/v1/incidents/{reference}",
                "GET /api/v1/incidents/{reference}/attachments/{id}",
                "GET /api/v1/incidents/{reference}/duties",
                "GET /api/v1/incidents/{reference}/duties/{duty}",
                "GET /api/v1/investigations",
                "GET /api/v1/investigations/{reference}",
                "GET /api/v1/people",
                "GET /api/v1/people/{person_id}",
                "GET /api/v1/services/{service_id}/actions",
                "GET /api/v1/speaking-up",
                "GET /api/v1/speaking-up/{reference}",
                "GET /api/v1/triage",
                "GET /api/v1/users",
                "GET /api/v1/users/{user_id}",
                "PATCH /api/v1/people/{person_id}",
                "PATCH /api/v1/users/{user_id}",
                "POST /api/v1/actions",
                "POST /api/v1/actions/{reference}/incidents",
                "POST /api/v1/actions/{reference}/progress",
                "POST /api/v1/cases",
                "POST /api/v1/incidents",
                "POST /api/v1/incidents/{reference}/addenda",
                "POST /api/v1/incidents/{reference}/attachments",
                "POST /api/v1/incidents/{reference}/duties/{duty}/decision",
                "POST /api/v1/incidents/{reference}/duties/{duty}/steps",
                "POST /api/v1/incidents/{reference}/feedback",
                "POST /api/v1/incidents/{reference}/investigation",
                "POST /api/v1/incidents/{reference}/moves",
                "POST /api/v1/incidents/{reference}/openness",
                "POST /api/v1/incidents/{reference}/staff",
                "POST /api/v1/incidents/{reference}/triage",
                "POST /api/v1/investigations/{reference}/completion",
                "POST /api/v1/investigations/{reference}/factors",
                "POST /api/v1/investigations/{reference}/meetings",
                "POST /api/v1/investigations/{reference}/timeline",
                "POST /api/v1/people",
                "POST /api/v1/people/{person_id}/status",
                "POST /api/v1/people/{person_id}/subject-access",
                "POST /api/v1/public/{link}/incidents",
                "POST /api/v1/speaking-up",
                "POST /api/v1/speaking-up/cases",
                "POST /api/v1/speaking-up/{reference}/acknowledgement",
                "POST /api/v1/speaking-up/{reference}/messages",
                "POST /api/v1/speaking-up/{reference}/outcome",
                "POST /api/v1/users",
                "POST /api/v1/users/{user_id}/disable",
                "POST /api/v1/users/{user_id}/enable",
                "POST /api/v1/users/{user_id}/grants",
                "POST /api/v1/users/{user_id}/grants/remove",
                "POST /api/v1/users/{user_id}/invitation",
                "POST /api/v1/users/{user_id}/invitation/withdraw",
                "POST /api/v1/users/{user_id}/reset-link",
                "POST /api/v1/users/{user_id}/subject-access",
                "PUT /api/v1/incidents/{reference}/assessment",
                "PUT /api/v1/incidents/{reference}/duties/{duty}/draft",
                "PUT /api/v1/investigations/{reference}/findings"
            ]
        );
        // Every documented operation is served (anything but 404/405 without a token means a route exists).
        let client = reqwest::Client::new();
        for op in &documented {
            let (method, path) = op.split_once(' ').unwrap();
            let url = format!(
                "{}{}",
                app.base,
                path.replace("{reference}", "INC-000001")
                    .replace("{id}", "0190b0d8-0000-7000-8000-000000000001")
                    .replace("{service_id}", "0190b0d8-0000-7000-8000-000000000002")
                    .replace("{duty}", "riddor_report")
                    .replace("{user_id}", "0190b0d8-0000-7000-8000-000000000003")
                    .replace("{person_id}", "0190b0d8-0000-7000-8000-000000000004")
            );
            let resp = client.request(method.parse()?, url).send().await?;
            // Anonymous reporting needs no token: an empty body is simply not valid.
            let public = path.starts_with("/api/v1/public/")
                || path == "/api/v1/cases"
                || path == "/api/v1/speaking-up/cases";
            let want = if public { 400 } else { 401 };
            assert_eq!(
                resp.status(),
                want,
                "{op} should exist (and need a token unless public)"
            );
        }
        assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
        Ok(())
    }
);

async fn post_with_key(
    app: &TestApp,
    token: &str,
    key: &str,
    body: &str,
) -> anyhow::Result<reqwest::Response> {
    Ok(reqwest::Client::new()
        .post(format!("{}/api/v1/incidents", app.base))
        .bearer_auth(token)
        .header("idempotency-key", key)
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await?)
}

db_test!(
    the_same_idempotency_key_sent_ten_times_at_once_makes_one_report,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let token = token_for(&app, app.world.email(Role::CareWorker)).await?;
        let body = report(&app, "Sent from a phone that kept retrying").to_string();
        let key = "0190b0d8-aaaa-7000-8000-00000000beef";
        let mut tasks = Vec::new();
        for _ in 0..10 {
            let (base, token, body) = (app.base.clone(), token.clone(), body.clone());
            tasks.push(tokio::spawn(async move {
                let resp = reqwest::Client::new()
                    .post(format!("{base}/api/v1/incidents"))
                    .bearer_auth(&token)
                    .header("idempotency-key", key)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await?;
                let replayed = resp.headers().contains_key("idempotent-replayed");
                let status = resp.status().as_u16();
                let json: Value = resp.json().await?;
                anyhow::Ok((
                    status,
                    json["reference"].as_str().unwrap_or("").to_owned(),
                    replayed,
                ))
            }));
        }
        let mut answers = Vec::new();
        for t in tasks {
            answers.push(t.await??);
        }
        assert!(
            answers
                .iter()
                .all(|(s, r, _)| *s == 201 && r == "INC-000001"),
            "{answers:?}"
        );
        assert_eq!(
            answers.iter().filter(|(_, _, replayed)| !replayed).count(),
            1,
            "exactly one made the report"
        );
        let manager = token_for(&app, app.world.email(Role::RegisteredManager)).await?;
        let list: Value = api_get(&app, &manager, "/api/v1/incidents")
            .await?
            .json()
            .await?;
        assert_eq!(list["items"].as_array().unwrap().len(), 1);
        let events = app.ctx.store.audit_page(app.world.org, 0, 10_000).await?;
        assert_eq!(
            events
                .iter()
                .filter(|e| e.action == "incident.reported")
                .count(),
            1
        );
        Ok(())
    }
);

db_test!(
    a_key_reused_for_a_different_report_is_a_conflict_and_bad_keys_are_refused,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let token = token_for(&app, app.world.email(Role::CareWorker)).await?;
        let key = "report-2026-11-23-0001";
        assert_eq!(
            post_with_key(&app, &token, key, &report(&app, "First").to_string())
                .await?
                .status(),
            201
        );
        let resp = post_with_key(
            &app,
            &token,
            key,
            &report(&app, "Second, different").to_string(),
        )
        .await?;
        assert_eq!(resp.status(), 409);
        assert!(is_problem(&resp));
        let p: Value = resp.json().await?;
        assert!(
            p["detail"]
                .as_str()
                .unwrap()
                .contains("already used for a different report (INC-000001)"),
            "{p}"
        );
        // Keys belong to their user: another user's identical key is independent.
        let senior = token_for(&app, app.world.email(Role::SeniorCarer)).await?;
        let resp = post_with_key(
            &app,
            &senior,
            key,
            &report(&app, "Second, different").to_string(),
        )
        .await?;
        assert_eq!(resp.status(), 201);
        assert_eq!(resp.json::<Value>().await?["reference"], "INC-000002");
        let resp = post_with_key(
            &app,
            &token,
            "has spaces in it",
            &report(&app, "x").to_string(),
        )
        .await?;
        assert_eq!(resp.status(), 400);
        assert!(
            resp.json::<Value>().await?["detail"]
                .as_str()
                .unwrap()
                .contains("Idempotency-Key")
        );
        Ok(())
    }
);

db_test!(
    the_list_filters_by_area_category_kind_status_person_dates_and_words,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let w = app.world.clone();
        let worker = token_for(&app, w.email(Role::HeadOfOperations)).await?;
        let send = |kind: &str,
                    category: &str,
                    service: String,
                    area: Option<String>,
                    person: Option<String>,
                    at: &str| {
            let mut body = json!({"kind": kind, "category": category, "service_id": service, "occurred_at": at,
            "description": format!("{kind} {category} at {at}"), "immediate_actions": "Checked"});
            if let Some(a) = area {
                body["area_id"] = json!(a);
            }
            if let Some(p) = person {
                body["affected_person_ids"] = json!([p]);
            }
            match category {
                "fall" => body["details"] = fall_details_json(),
                "medication" => body["details"] = json!({"error_type": "wrong_time"}),
                _ => {}
            }
            body.to_string()
        };
        let s1 = w.service.service_id.to_string();
        let s2 = w.other_service.service_id.to_string();
        let bodies = [
            send(
                "incident",
                "fall",
                s1.clone(),
                Some(w.area.to_string()),
                Some(w.person.to_string()),
                "2026-11-02T23:30:00Z",
            ),
            send(
                "near_miss",
                "medication",
                s1.clone(),
                None,
                None,
                "2026-11-10T08:00:00Z",
            ),
            send(
                "incident",
                "fall",
                s2.clone(),
                None,
                Some(w.other_person.to_string()),
                "2026-11-20T14:00:00Z",
            ),
            send(
                "good_practice",
                "other",
                s1.clone(),
                None,
                None,
                "2026-10-31T12:00:00Z",
            ),
        ];
        for b in &bodies {
            assert_eq!(post(&app, &worker, b).await?.status(), 201);
        }
        let refs = |v: Value| -> Vec<String> {
            v["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["reference"].as_str().unwrap().to_owned())
                .collect()
        };
        let cases: Vec<(String, Vec<&str>)> = vec![
            (
                "".into(),
                vec!["INC-000004", "INC-000003", "INC-000002", "INC-000001"],
            ),
            (
                format!("service={s1}"),
                vec!["INC-000004", "INC-000002", "INC-000001"],
            ),
            (format!("area={}", w.area), vec!["INC-000001"]),
            ("category=fall".into(), vec!["INC-000003", "INC-000001"]),
            ("kind=near_miss".into(), vec!["INC-000002"]),
            (
                "status=reported".into(),
                vec!["INC-000004", "INC-000003", "INC-000002", "INC-000001"],
            ),
            (format!("person={}", w.other_person), vec!["INC-000003"]),
            // 23:30 UTC on 2 Nov is still 2 Nov in the UK (GMT); dates are UK days.
            (
                "occurred_from=2026-11-01&occurred_to=2026-11-02".into(),
                vec!["INC-000001"],
            ),
            (
                "occurred_from=2026-11-03".into(),
                vec!["INC-000003", "INC-000002"],
            ),
            ("occurred_to=2026-10-31".into(), vec!["INC-000004"]),
            (
                "category=fall&kind=incident".into(),
                vec!["INC-000003", "INC-000001"],
            ),
            // Words in what happened or what was done, every one, in any form.
            ("q=medication".into(), vec!["INC-000002"]),
            ("q=Falls%20checked".into(), vec!["INC-000003", "INC-000001"]),
            ("q=fall%20medication".into(), vec![]),
            (format!("q=fall&service={s1}"), vec!["INC-000001"]),
        ];
        for (query, want) in cases {
            let got = refs(
                api_get(&app, &worker, &format!("/api/v1/incidents?{query}"))
                    .await?
                    .json()
                    .await?,
            );
            assert_eq!(got, want, "?{query}");
        }
        for (query, name) in [
            ("category=falls", "category"),
            ("kind=accident", "kind"),
            ("status=gone", "status"),
            ("area=upstairs", "area"),
            ("person=edna", "person"),
            ("q=%21%3F", "q"),
            ("occurred_from=02/11/2026", "occurred_from"),
            (
                "occurred_from=2026-11-05&occurred_to=2026-11-01",
                "occurred_from",
            ),
        ] {
            let resp = api_get(&app, &worker, &format!("/api/v1/incidents?{query}")).await?;
            assert_eq!(resp.status(), 400, "?{query}");
            let p: Value = resp.json().await?;
            assert!(
                p["detail"]
                    .as_str()
                    .unwrap()
                    .contains(&format!("The {name} parameter")),
                "?{query}: {p}"
            );
        }
        Ok(())
    }
);

db_test!(
    the_answer_to_a_submission_is_the_report_as_read_back,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let senior = app.actor(app.world.email(Role::SeniorCarer)).await?;
        // The reporter, and a manager who reviews the service (who sees more).
        for role in [Role::CareWorker, Role::RegisteredManager] {
            let token = token_for(&app, app.world.email(role)).await?;
            let mut body = report(&app, "Slid from the chair in the lounge");
            body["involved"] = json!([{"user_id": senior.user_id, "role": "staff_involved"}]);
            body["others_involved"] = json!("A visiting daughter");
            body["immediate_actions"] = json!("Helped up with the hoist; observations normal");
            body["told"] = json!(["family"]);
            body["written_at"] = json!("2026-11-23T06:50:00Z");
            let key = uuid::Uuid::now_v7().to_string();
            let send = || {
                reqwest::Client::new()
                    .post(format!("{}/api/v1/incidents", app.base))
                    .bearer_auth(&token)
                    .header("Idempotency-Key", &key)
                    .json(&body)
                    .send()
            };
            let made = send().await?;
            assert_eq!(made.status(), 201);
            let made: Value = made.json().await?;
            let path = format!(
                "/api/v1/incidents/{}",
                made["reference"].as_str().unwrap_or("")
            );
            let read: Value = api_get(&app, &token, &path).await?.json().await?;
            assert_eq!(
                made, read,
                "{role:?}: the answer is the report as read back"
            );
            assert_eq!(made["staff"][0]["role"], "staff_involved");
            assert_eq!(made["people"][0]["internal_code"], "P-000001");
            // A retry with the same key answers the same.
            let again = send().await?;
            assert_eq!(again.status(), 201);
            assert_eq!(again.json::<Value>().await?, read);
        }
        Ok(())
    }
);

db_test!(
    every_operation_documents_the_problems_any_request_can_meet_and_every_error_is_problem_json,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let doc: Value = reqwest::get(format!("{}/api/v1/openapi.json", app.base))
            .await?
            .json()
            .await?;
        for (path, ops) in doc["paths"].as_object().unwrap() {
            for (method, op) in ops.as_object().unwrap() {
                let responses = op["responses"].as_object().unwrap();
                let mut want = vec!["400", "503"];
                if op["security"].as_array().is_some_and(|s| !s.is_empty()) {
                    want.push("401");
                }
                if !op["requestBody"].is_null() {
                    want.push("413");
                }
                for status in want {
                    assert!(
                        responses.contains_key(status),
                        "{method} {path} does not document {status}"
                    );
                }
            }
        }
        let download = &doc["paths"]["/api/v1/incidents/{reference}/attachments/{id}"]["get"]["responses"]
            ["200"]["content"];
        for kind in ["image/jpeg", "image/png", "image/webp", "application/pdf"] {
            assert!(download.get(kind).is_some(), "downloads are sent as {kind}");
        }

        // Requests the extractors refuse still answer in the API's one shape.
        let token = token_for(&app, app.world.email(Role::RegisteredManager)).await?;
        let http = reqwest::Client::new();
        let tries = [
            http.get(format!("{}/api/v1/incidents/%FF", app.base)),
            http.get(format!(
                "{}/api/v1/incidents?limit=lots&cursor=%FF",
                app.base
            )),
            http.post(format!(
                "{}/api/v1/incidents/INC-000001/attachments",
                app.base
            ))
            .header("content-type", "multipart/form-data"),
            http.delete(format!("{}/api/v1/incidents", app.base)),
        ];
        for req in tries {
            let resp = req.bearer_auth(&token).send().await?;
            let status = resp.status();
            assert!(status.is_client_error(), "{status}");
            assert_eq!(
                resp.headers()["content-type"],
                "application/problem+json",
                "{status}"
            );
            let problem: Value = resp.json().await?;
            assert_eq!(problem["status"], status.as_u16());
        }
        Ok(())
    }
);
