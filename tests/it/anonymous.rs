//! Anonymous reports: a public link with no sign-in, a case code shown once
//! and stored only hashed, status and two-way messages with the code, and
//! throttled guessing.

use crate::helpers::*;
use candour_domain::role::Role;

async fn report_anonymously(app: &TestApp, path: &str) -> anyhow::Result<(String, String)> {
    let c = app.client();
    let form = c
        .get(&format!("{path}?kind=near_miss&category=medication"))
        .await?
        .text()
        .await?;
    assert!(
        !form.contains("Edna Test"),
        "the public form never lists people by name"
    );
    let token = csrf_in(&form).unwrap();
    let resp = c
        .post_form(
            path,
            &[
                ("csrf_token", &token),
                ("kind", "near_miss"),
                ("category", "medication"),
                ("error_type", "wrong_person"),
                ("occurred_date", "2026-11-23"),
                ("occurred_time", "08:00"),
                (
                    "description",
                    "Night staff keep swapping the tablet pots to save time.",
                ),
            ],
        )
        .await?;
    assert_eq!(resp.status(), 200);
    let page = resp.text().await?;
    let at = page.find("class=\"case-code\">").unwrap() + 18;
    let code: String = page[at..].chars().take(19).collect();
    let at = page.find("reference is INC-").unwrap() + 13;
    let reference: String = page[at..].chars().take(10).collect();
    Ok((code, reference))
}

async fn open(c: &Client, fields: &[(&str, &str)]) -> anyhow::Result<reqwest::Response> {
    let token = c.csrf("/case").await?;
    let mut all = vec![("csrf_token", token.as_str())];
    all.extend_from_slice(fields);
    c.post_form("/case", &all).await
}

db_test!(
    an_anonymous_report_gets_a_case_code_kept_only_as_a_hash,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let path = public_path(&app).await?;
        let (code, reference) = report_anonymously(&app, &path).await?;
        assert_eq!(reference, "INC-000001");
        assert_eq!(code.len(), 19);
        assert!(
            code.chars()
                .all(|c| c == '-' || c.is_ascii_uppercase() || c.is_ascii_digit()),
            "{code}"
        );
        let normalised = code.replace('-', "");
        let store = &app.ctx.store;
        let (_, incident_id) = store
            .case_by_hash(&candour::secrets::hash_secret(&normalised))
            .await?
            .expect("found by hash");
        let incident = store
            .incident_by_id(app.world.org, incident_id)
            .await?
            .unwrap();
        assert_eq!(incident.reported_by, None);
        let events = store
            .audit_for_record(app.world.org, "incident", &incident_id.to_string())
            .await?;
        assert_eq!(events[0].actor, "anonymous");
        assert!(
            events
                .iter()
                .all(|e| !e.details().unwrap_or_default().contains(&normalised)
                    && !e.details().unwrap_or_default().contains(&code)),
            "the code is in no record"
        );
        let rm = app
            .signed_in(app.world.email(Role::RegisteredManager))
            .await?;
        let page = rm.get("/incidents/INC-000001").await?.text().await?;
        assert!(
            page.contains("by Anonymous") && page.contains("Messages with the anonymous reporter")
        );
        // An unknown public link is not found.
        assert_eq!(
            app.client().get("/report/not-a-real-link").await?.status(),
            404
        );
        Ok(())
    }
);

db_test!(
    the_reporter_and_the_manager_talk_through_the_case_code,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let path = public_path(&app).await?;
        let (code, _) = report_anonymously(&app, &path).await?;
        let reporter = app.client();
        let page = open(
            &reporter,
            &[("code", &code.to_lowercase().replace('-', " "))],
        )
        .await?;
        assert_eq!(page.status(), 200);
        let page = page.text().await?;
        assert!(
            page.contains("INC-000001") && page.contains("Near miss: Medication, at Alder House")
        );
        let page = open(
            &reporter,
            &[
                ("code", &code),
                ("send", "1"),
                ("message", "It happens most nights on the first floor."),
            ],
        )
        .await?
        .text()
        .await?;
        assert!(page.contains("It happens most nights on the first floor."));
        let rm = app
            .signed_in(app.world.email(Role::RegisteredManager))
            .await?;
        let token = rm.csrf("/incidents/INC-000001").await?;
        let resp = rm
            .post_form(
                "/incidents/INC-000001/messages",
                &[
                    ("csrf_token", &token),
                    (
                        "message",
                        "Thank you. We are changing the night round from Monday.",
                    ),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 303);
        let page = rm.get("/incidents/INC-000001").await?.text().await?;
        assert!(page.contains("Anonymous reporter") && page.contains("It happens most nights"));
        let page = open(&reporter, &[("code", &code)]).await?.text().await?;
        assert!(
            page.contains("We are changing the night round from Monday.")
                && page.contains("Registered manager")
        );
        let events = app.ctx.store.audit_page(app.world.org, 0, 10_000).await?;
        assert!(
            events
                .iter()
                .any(|e| e.action == "incident.message_from_reporter" && e.actor == "anonymous")
        );
        assert!(
            events
                .iter()
                .any(|e| e.action == "incident.message_to_reporter")
        );
        Ok(())
    }
);

db_test!(
    wrong_and_malformed_codes_get_the_same_answer_and_guessing_is_throttled,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let path = public_path(&app).await?;
        let (code, _) = report_anonymously(&app, &path).await?;
        let guesser = app.client();
        let wrong = open(&guesser, &[("code", "ABCD-EFGH-JKMN-PQRS")]).await?;
        let malformed = open(&guesser, &[("code", "not a code")]).await?;
        assert_eq!(wrong.status(), 404);
        assert_eq!(malformed.status(), 404);
        let (w, m) = (wrong.text().await?, malformed.text().await?);
        assert!(
            w.contains("No report has that case code")
                && m.contains("No report has that case code")
        );
        assert_summary_links_resolve(&w);
        for _ in 0..8 {
            open(&guesser, &[("code", "ABCD-EFGH-JKMN-PQRS")]).await?;
        }
        let resp = open(&guesser, &[("code", &code)]).await?;
        assert_eq!(
            resp.status(),
            429,
            "even the right code waits after ten wrong ones"
        );
        assert!(resp.text().await?.contains("Too many codes were tried"));
        app.clock.advance(16 * 60);
        assert_eq!(open(&guesser, &[("code", &code)]).await?.status(), 200);
        Ok(())
    }
);

db_test!(
    anonymous_reporting_and_following_through_the_api,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let path = public_path(&app).await?;
        let link = path.trim_start_matches("/report/");
        let http = reqwest::Client::new();
        let body = serde_json::json!({"kind": "near_miss", "category": "fall", "occurred_at": "2026-11-23T08:00:00Z",
        "description": "Sent from a kiosk app", "details": {"seen": "witnessed", "head_struck": "no", "anticoagulant": "not_known"}});
        let resp = http
            .post(format!("{}/api/v1/public/{link}/incidents", app.base))
            .json(&body)
            .send()
            .await?;
        assert_eq!(resp.status(), 201);
        let created: serde_json::Value = resp.json().await?;
        let code = created["case_code"].as_str().unwrap().to_owned();
        assert_eq!(created["reference"], "INC-000001");
        let resp = http
            .post(format!("{}/api/v1/cases", app.base))
            .json(&serde_json::json!({"code": code, "message": "Any news?"}))
            .send()
            .await?;
        assert_eq!(resp.status(), 200);
        let case: serde_json::Value = resp.json().await?;
        assert_eq!(case["messages"][0]["text"], "Any news?");
        assert_eq!(case["messages"][0]["from_reporter"], true);
        let resp = http
            .post(format!("{}/api/v1/cases", app.base))
            .json(&serde_json::json!({"code": "ABCD-EFGH-JKMN-PQRS"}))
            .send()
            .await?;
        assert_eq!(resp.status(), 404);
        assert_eq!(resp.headers()["content-type"], "application/problem+json");
        let resp = http
            .post(format!("{}/api/v1/public/not-a-link/incidents", app.base))
            .json(&body)
            .send()
            .await?;
        assert_eq!(resp.status(), 404);
        Ok(())
    }
);

db_test!(
    many_anonymous_reports_from_one_address_wait_and_nothing_typed_is_lost,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let path = public_path(&app).await?;
        for _ in 0..candour::actions::anonymous::MAX_SUBMISSIONS_PER_ADDRESS {
            report_anonymously(&app, &path).await?;
        }
        let c = app.client();
        let form = c
            .get(&format!("{path}?kind=near_miss&category=other"))
            .await?
            .text()
            .await?;
        let token = csrf_in(&form).unwrap();
        let resp = c
            .post_form(
                &path,
                &[
                    ("csrf_token", &token),
                    ("kind", "near_miss"),
                    ("category", "other"),
                    ("occurred_date", "2026-11-23"),
                    ("occurred_time", "08:00"),
                    ("description", "The eleventh report from one address."),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 429);
        let page = resp.text().await?;
        assert!(page.contains("Wait 60 minutes and send again"));
        assert!(
            page.contains("The eleventh report from one address."),
            "kept"
        );
        assert_summary_links_resolve(&page);
        // The API says the same; an hour later it is accepted.
        let link = path.trim_start_matches("/report/").to_owned();
        let body = serde_json::json!({"kind": "near_miss", "category": "other",
            "occurred_at": "2026-11-23T08:00:00Z", "description": "From the API"});
        let resp = reqwest::Client::new()
            .post(format!("{}/api/v1/public/{link}/incidents", app.base))
            .json(&body)
            .send()
            .await?;
        assert_eq!(resp.status(), 429);
        app.clock.advance(3601);
        let resp = reqwest::Client::new()
            .post(format!("{}/api/v1/public/{link}/incidents", app.base))
            .json(&body)
            .send()
            .await?;
        assert_eq!(resp.status(), 201);
        Ok(())
    }
);

/// Posts `n` copies of `body` to `path` at once; returns how many got each status.
async fn post_at_once(
    app: &TestApp,
    path: &str,
    body: serde_json::Value,
    n: usize,
) -> anyhow::Result<std::collections::BTreeMap<u16, usize>> {
    let http = reqwest::Client::new();
    let mut sends = tokio::task::JoinSet::new();
    for _ in 0..n {
        let send = http.post(format!("{}{path}", app.base)).json(&body).send();
        sends.spawn(async move { anyhow::Ok(send.await?.status().as_u16()) });
    }
    let mut counts = std::collections::BTreeMap::new();
    while let Some(status) = sends.join_next().await {
        *counts.entry(status??).or_insert(0) += 1;
    }
    Ok(counts)
}

db_test!(
    codes_and_reports_sent_at_once_from_one_address_keep_to_their_limits,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let path = public_path(&app).await?;
        let link = path.trim_start_matches("/report/").to_owned();
        let guesses = post_at_once(
            &app,
            "/api/v1/cases",
            serde_json::json!({"code": "ABCD-EFGH-JKMN-PQRS"}),
            60,
        )
        .await?;
        assert_eq!(
            guesses.get(&404),
            Some(&10),
            "ten codes looked up: {guesses:?}"
        );
        assert_eq!(guesses.get(&429), Some(&50), "{guesses:?}");
        let body = serde_json::json!({"kind": "near_miss", "category": "other",
            "occurred_at": "2026-11-23T08:00:00Z", "description": "Sent many times at once"});
        let reports =
            post_at_once(&app, &format!("/api/v1/public/{link}/incidents"), body, 30).await?;
        assert_eq!(
            reports.get(&201),
            Some(&(candour::actions::anonymous::MAX_SUBMISSIONS_PER_ADDRESS as usize)),
            "{reports:?}"
        );
        assert_eq!(reports.get(&429), Some(&20), "{reports:?}");
        Ok(())
    }
);
