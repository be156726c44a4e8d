//! Category questions: asked, checked, stored and shown, with the NICE
//! head-injury prompts and the post-fall checks.

use crate::helpers::*;
use candour_domain::details::questions;
use candour_domain::incident::Category;
use candour_domain::role::Role;
use serde_json::{Value, json};

async fn send_fall(
    app: &TestApp,
    c: &Client,
    answers: &[(&str, &str)],
) -> anyhow::Result<reqwest::Response> {
    let form = c
        .get("/incidents/new?kind=incident&category=fall")
        .await?
        .text()
        .await?;
    let token = csrf_in(&form).unwrap();
    let service = app.world.service.service_id.to_string();
    let mut fields = vec![
        ("csrf_token", token.as_str()),
        ("service_id", service.as_str()),
        ("kind", "incident"),
        ("category", "fall"),
        ("occurred_date", "2026-11-23"),
        ("occurred_time", "06:10"),
        ("description", "Found on the floor beside the bed"),
        (
            "immediate_actions",
            "Checked for injury, used the lifting cushion",
        ),
    ];
    fields.extend_from_slice(answers);
    c.post_form("/incidents", &fields).await
}

db_test!(every_category_asks_its_own_questions, |engine| {
    let app = TestApp::spawn(engine).await?;
    let worker = app.signed_in(app.world.email(Role::CareWorker)).await?;
    for category in Category::ALL {
        let page = worker
            .get(&format!(
                "/incidents/new?kind=incident&category={}",
                category.code()
            ))
            .await?
            .text()
            .await?;
        for q in questions(*category) {
            assert!(
                page.contains(&format!("id=\"{}\"", q.name)),
                "{category:?}: no field for {}",
                q.name
            );
        }
    }
    Ok(())
});

db_test!(
    a_fall_without_its_answers_is_refused_naming_each,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let worker = app.signed_in(app.world.email(Role::CareWorker)).await?;
        let resp = send_fall(&app, &worker, &[("head_struck", "yes")]).await?;
        assert_eq!(resp.status(), 422);
        let body = resp.text().await?;
        assert!(body.contains("Say whether someone saw the fall"));
        assert!(body.contains("Say whether they take a blood thinner"));
        assert!(!body.contains("Say whether they hit their head"));
        assert!(
            body.contains("id=\"head_struck-yes\" name=\"head_struck\" value=\"yes\" checked"),
            "the answer given is kept"
        );
        assert_summary_links_resolve(&body);
        Ok(())
    }
);

db_test!(
    an_unwitnessed_fall_shows_the_nice_prompts_and_the_checks_in_uk_time,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let worker = app.signed_in(app.world.email(Role::CareWorker)).await?;
        let resp = send_fall(
            &app,
            &worker,
            &[
                ("seen", "found_on_floor"),
                ("head_struck", "not_known"),
                ("anticoagulant", "yes"),
                ("equipment", "sensor_mat"),
                ("equipment", "walking_aid"),
            ],
        )
        .await?;
        assert_eq!(resp.status(), 303);
        let page = worker
            .get("/incidents/INC-000001?reported=1")
            .await?
            .text()
            .await?;
        assert!(page.contains("Possible head injury: check now"));
        assert!(page.contains("anticoagulant or antiplatelet medicine (other than aspirin alone)"));
        assert!(page.contains("Any vomiting since the fall"));
        assert!(page.contains("Sensor mat, Walking aid"));
        // Half-hourly from 06:10, then the skin checks at 24 and 48 hours.
        assert!(page.contains("23 Nov 2026, 06:40") && page.contains("23 Nov 2026, 07:10"));
        assert!(
            page.contains("24 Nov 2026, 06:10")
                && page.contains("Check for bruising and skin damage (48 hours)")
        );
        // A witnessed fall without a head strike gets the skin checks only.
        let resp = send_fall(&app, &worker, &FALL_FIELDS).await?;
        assert_eq!(resp.status(), 303);
        let page = worker.get("/incidents/INC-000002").await?.text().await?;
        assert!(!page.contains("Possible head injury"));
        assert!(!page.contains("Observations:"));
        assert!(page.contains("Check for bruising and skin damage (24 hours)"));
        Ok(())
    }
);

db_test!(category_answers_through_the_api, |engine| {
    let app = TestApp::spawn(engine).await?;
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
    let post = |body: Value| {
        let (http, token, base) = (http.clone(), token.clone(), app.base.clone());
        async move {
            http.post(format!("{base}/api/v1/incidents"))
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
        }
    };
    let service = app.world.service.service_id.to_string();
    let resp = post(json!({"kind": "incident", "category": "data_breach", "service_id": service, "occurred_at": "2026-11-23T08:00:00Z",
        "description": "Care plan left on a table", "immediate_actions": "Removed it",
        "details": {"aware_date": "2026-11-23", "aware_time": "09:15"}}))
    .await?;
    assert_eq!(resp.status(), 201);
    let body: Value = resp.json().await?;
    assert_eq!(body["details"]["category"], "data_breach");
    assert_eq!(body["details"]["became_aware_at"], "2026-11-23T09:15:00Z");
    let resp = post(json!({"kind": "near_miss", "category": "medication", "service_id": service, "occurred_at": "2026-11-23T08:00:00Z",
        "description": "Wrong pot", "details": {"error_type": "wrong_persons", "time_due": "8"}}))
    .await?;
    assert_eq!(resp.status(), 422);
    let p: Value = resp.json().await?;
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["error_type", "time_due"]);
    let pointers: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pointer"].as_str().unwrap())
        .collect();
    assert_eq!(
        pointers,
        ["/details/error_type", "/details/time_due"],
        "each error points into the body"
    );
    let resp = post(json!({"kind": "incident", "category": "fall", "service_id": service, "occurred_at": "2026-11-23T08:00:00Z",
        "description": "Slid from chair", "immediate_actions": "Checked", "details": {"seen": "witnessed", "head_struck": false, "anticoagulant": "not_known", "equipment": ["bed_rails"]}}))
    .await?;
    assert_eq!(resp.status(), 201);
    let body: Value = resp.json().await?;
    assert_eq!(body["details"]["head_struck"], "no");
    assert_eq!(body["details"]["equipment"], json!(["bed_rails"]));
    Ok(())
});

db_test!(
    who_has_been_told_is_recorded_from_the_form_and_the_api,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let worker = app.signed_in(app.world.email(Role::CareWorker)).await?;
        let resp = send_fall(
            &app,
            &worker,
            &[
                ("seen", "witnessed"),
                ("head_struck", "no"),
                ("anticoagulant", "no"),
                ("told", "family"),
                ("told", "on_call_manager"),
            ],
        )
        .await?;
        assert_eq!(resp.status(), 303);
        let page = worker.get("/incidents/INC-000001").await?.text().await?;
        assert!(
            page.contains("Family or representative, On-call manager"),
            "who was told is shown"
        );
        let user = app
            .ctx
            .store
            .user_by_email(app.world.email(Role::CareWorker))
            .await?
            .unwrap();
        let (_, token) =
            candour::actions::tokens::create_token(&app.ctx, user.user_id, "t", "test")
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
        let http = reqwest::Client::new();
        let body = json!({"kind": "incident", "category": "choking", "service_id": app.world.service.service_id, "occurred_at": "2026-11-23T08:00:00Z",
        "description": "Coughing at lunch", "immediate_actions": "Back blows", "told": ["gp", "nhs_111_or_999", "gp"]});
        let resp = http
            .post(format!("{}/api/v1/incidents", app.base))
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await?;
        assert_eq!(resp.status(), 201);
        assert_eq!(
            resp.json::<Value>().await?["told"],
            json!(["gp", "nhs_111_or_999"]),
            "repeats are dropped"
        );
        let mut bad = body.clone();
        bad["told"] = json!(["the_press"]);
        let resp = http
            .post(format!("{}/api/v1/incidents", app.base))
            .bearer_auth(&token)
            .json(&bad)
            .send()
            .await?;
        assert_eq!(resp.status(), 422);
        assert_eq!(resp.json::<Value>().await?["errors"][0]["field"], "told");
        Ok(())
    }
);

db_test!(
    html_typed_into_a_report_is_kept_as_typed_and_shown_escaped,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let worker = app.signed_in(app.world.email(Role::CareWorker)).await?;
        let typed = "<script>alert('x')</script> & <b>bold</b>";
        let resp = send_fall(
            &app,
            &worker,
            &[
                ("seen", "witnessed"),
                ("head_struck", "no"),
                ("anticoagulant", "no"),
                ("fall_location", typed),
            ],
        )
        .await?;
        assert_eq!(resp.status(), 303);
        let page = worker.get("/incidents/INC-000001").await?.text().await?;
        assert!(!page.contains("<script>alert"), "never rendered as markup");
        let at = page.find("Where exactly").unwrap_or(0);
        let shown = &page[at..(at + 200).min(page.len())];
        assert!(
            shown.contains("&lt;script&gt;") || shown.contains("&#60;script&#62;"),
            "shown as text: {shown}"
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
        assert!(
            incident
                .details_json
                .contains("<script>alert('x')</script>"),
            "stored exactly as typed"
        );
        Ok(())
    }
);

db_test!(
    the_body_map_records_coded_regions_front_and_back,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let worker = app.signed_in(app.world.email(Role::CareWorker)).await?;
        let form = worker
            .get("/incidents/new?kind=incident&category=pressure_ulcer")
            .await?
            .text()
            .await?;
        assert!(
            form.contains("<legend class=\"legend-small\">Front</legend>")
                && form.contains("<legend class=\"legend-small\">Back</legend>")
        );
        assert!(
            form.contains("id=\"body_sites-left_heel\"")
                && form.contains("id=\"body_sites-chest\"")
        );
        let token = csrf_in(&form).unwrap();
        let service = app.world.service.service_id.to_string();
        let send = |sites: Vec<&'static str>| {
            let mut fields: Vec<(&str, String)> = vec![
                ("csrf_token", token.clone()),
                ("service_id", service.clone()),
                ("kind", "incident".into()),
                ("category", "pressure_ulcer".into()),
                ("occurred_date", "2026-11-23".into()),
                ("occurred_time", "07:30".into()),
                ("description", "Redness that does not blanch".into()),
                (
                    "immediate_actions",
                    "Repositioned, district nurse called".into(),
                ),
            ];
            fields.extend(sites.into_iter().map(|s| ("body_sites", s.to_owned())));
            let (http, base) = (worker.http.clone(), worker.base.clone());
            async move {
                http.post(format!("{base}/incidents"))
                    .form(&fields)
                    .send()
                    .await
            }
        };
        assert_eq!(
            send(vec!["sacrum", "left_heel", "left_heel"])
                .await?
                .status(),
            303
        );
        let page = worker.get("/incidents/INC-000001").await?.text().await?;
        assert!(
            page.contains("Sacrum (base of the spine), Left heel"),
            "regions shown by name, once each"
        );
        let resp = send(vec!["tail"]).await?;
        assert_eq!(resp.status(), 422);
        let body = resp.text().await?;
        assert!(body.contains("Choose places on the body from the list"));
        assert_summary_links_resolve(&body);
        Ok(())
    }
);

db_test!(
    the_remaining_categories_keep_their_answers_and_name_what_is_missing,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let token = token_for(&app, app.world.email(Role::CareWorker)).await?;
        let service = app.world.service.service_id.to_string();
        let report = |category: &str, details: Value| {
            json!({"kind": "incident", "category": category, "service_id": service,
                "occurred_at": "2026-11-23T08:00:00Z", "description": "Test of the category questions",
                "immediate_actions": "Made safe", "details": details})
        };
        let cases = [
            (
                "equipment",
                json!({"equipment_kind": "hoist", "problem": "no_power", "taken_out_of_use": "yes"}),
                "Hoist or sling",
            ),
            (
                "environment",
                json!({"hazard": "wet_floor"}),
                "Wet or slippery floor",
            ),
            (
                "infection",
                json!({"infection_kind": "urinary", "people_affected": 3, "outbreak_suspected": false}),
                "People with symptoms",
            ),
            (
                "choking",
                json!({"choked_on": "drink", "first_aid": ["back_blows", "encouraged_to_cough"]}),
                "Back blows, Encouraged to cough",
            ),
            (
                "missing_person",
                json!({"found": "no", "last_seen": "14:30"}),
                "No, still missing",
            ),
            (
                "self_harm",
                json!({"needed_treatment": "not_known"}),
                "Needed medical treatment",
            ),
            (
                "death",
                json!({"expected": "unexpected", "place": "hospital"}),
                "In hospital",
            ),
        ];
        for (n, (category, details, shown)) in cases.iter().enumerate() {
            let resp = api_post(
                &app,
                &token,
                "/api/v1/incidents",
                &report(category, details.clone()),
            )
            .await?;
            assert_eq!(resp.status(), 201, "{category}");
            let body: Value = resp.json().await?;
            assert_eq!(body["details"]["category"], *category);
            let worker = app.signed_in(app.world.email(Role::CareWorker)).await?;
            let page = worker
                .get(&format!("/incidents/INC-{:06}", n + 1))
                .await?
                .text()
                .await?;
            assert!(page.contains(shown), "{category}: {shown}");
        }
        for (category, field) in [("missing_person", "found"), ("death", "expected")] {
            let resp = api_post(
                &app,
                &token,
                "/api/v1/incidents",
                &report(category, json!({})),
            )
            .await?;
            assert_eq!(resp.status(), 422);
            let p: Value = resp.json().await?;
            assert_eq!(p["errors"][0]["pointer"], format!("/details/{field}"));
        }
        Ok(())
    }
);
