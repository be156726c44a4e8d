//! The oversight API: actions and improvement plans, serious incident
//! investigations and openness with the family, each refused with the
//! field named, a stale version refused with 409, and nothing seen outside
//! the organisation.

use crate::helpers::*;
use candour_domain::role::Role;
use serde_json::{Value, json};

/// The fields named in a 422 problem.
async fn fields_of(resp: reqwest::Response) -> anyhow::Result<Vec<String>> {
    assert_eq!(resp.status(), 422);
    let p: Value = resp.json().await?;
    Ok(p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect())
}

db_test!(
    actions_are_added_progressed_and_listed_through_the_api,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let r = serious_fall(&app).await?;
        let token = token_for(&app, app.world.email(Role::RegisteredManager)).await?;
        let owner = app.actor(app.world.email(Role::SeniorCarer)).await?.user_id;
        let outsider = app.actor(&app.world.user_b.clone()).await?.user_id;
        let base = json!({
            "incident": r.to_string(),
            "title": "Check every sensor mat at the start of each night shift",
            "description": "Night senior tests each mat and records it on the shift sheet; audited weekly",
            "owner_id": owner.to_string(),
            "due_on": "2026-12-11",
            "themes": ["equipment"],
        });
        let with = |k: &str, v: Value| {
            let mut b = base.clone();
            b[k] = v;
            b
        };

        // Each bad input is refused with its field named.
        let resp = api_post(
            &app,
            &token,
            "/api/v1/actions",
            &with("owner_id", json!(outsider.to_string())),
        )
        .await?;
        assert_eq!(
            fields_of(resp).await?,
            ["owner_id"],
            "an owner outside the organisation"
        );
        let resp = api_post(
            &app,
            &token,
            "/api/v1/actions",
            &with("due_on", json!("2026-11-19")),
        )
        .await?;
        assert_eq!(
            fields_of(resp).await?,
            ["due_on"],
            "due before the incident"
        );
        let resp = api_post(
            &app,
            &token,
            "/api/v1/actions",
            &with("themes", json!(["weather"])),
        )
        .await?;
        assert_eq!(fields_of(resp).await?, ["themes"]);
        let resp = api_post(
            &app,
            &token,
            "/api/v1/actions",
            &with(
                "service_id",
                json!(app.world.service.service_id.to_string()),
            ),
        )
        .await?;
        assert_eq!(fields_of(resp).await?, ["incident"], "two sources at once");

        let resp = api_post(&app, &token, "/api/v1/actions", &base).await?;
        assert_eq!(resp.status(), 201);
        let a: Value = resp.json().await?;
        assert_eq!(a["reference"], "ACT-000001");
        assert_eq!(a["status"], "open");
        assert_eq!(a["incidents"], json!([r.to_string()]));
        let senior = app
            .ctx
            .store
            .user_by_email(app.world.email(Role::SeniorCarer))
            .await?
            .unwrap();
        assert_eq!(a["owner_name"], senior.display_name.as_str());

        // Progress: done needs evidence; a stale version is a conflict.
        let path = "/api/v1/actions/ACT-000001/progress";
        let resp = api_post(&app, &token, path, &json!({"version": 1, "status": "done"})).await?;
        assert_eq!(fields_of(resp).await?, ["evidence"]);
        let resp = api_post(
            &app,
            &token,
            path,
            &json!({"version": 1, "status": "done", "evidence": "Shift sheets 1–7 Dec show every mat tested", "effectiveness": "worked", "effectiveness_note": "No unalarmed falls since"}),
        )
        .await?;
        assert_eq!(resp.status(), 200);
        let a: Value = resp.json().await?;
        assert_eq!(a["status"], "done");
        assert_eq!(a["effectiveness"]["result"], "worked");
        let resp = api_post(&app, &token, path, &json!({"version": 1, "status": "open"})).await?;
        assert_eq!(resp.status(), 409);

        // Straight into a plan, and the plan lists both.
        let plan = json!({
            "service_id": app.world.service.service_id.to_string(),
            "title": "Refresh falls training for night staff",
            "description": "All night staff complete the falls module by the date; checked on the training matrix",
            "owner_id": owner.to_string(),
            "due_on": "2027-01-15",
            "themes": ["training"],
        });
        let resp = api_post(&app, &token, "/api/v1/actions", &plan).await?;
        assert_eq!(resp.status(), 201);
        let list: Value = api_get(
            &app,
            &token,
            &format!("/api/v1/services/{}/actions", app.world.service.service_id),
        )
        .await?
        .json()
        .await?;
        let refs: Vec<&str> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["reference"].as_str().unwrap())
            .collect();
        assert_eq!(refs, ["ACT-000002", "ACT-000001"], "open ones first");
        let incident: Value = api_get(&app, &token, &format!("/api/v1/incidents/{r}"))
            .await?
            .json()
            .await?;
        assert_eq!(incident["actions"], json!(["ACT-000001"]));

        // The owner reads their action; a care worker who does not own it, and
        // another organisation, do not.
        let owner_token = token_for(&app, app.world.email(Role::SeniorCarer)).await?;
        assert_eq!(
            api_get(&app, &owner_token, "/api/v1/actions/ACT-000001")
                .await?
                .status(),
            200
        );
        let worker = token_for(&app, app.world.email(Role::CareWorker)).await?;
        assert_eq!(
            api_get(&app, &worker, "/api/v1/actions/ACT-000001")
                .await?
                .status(),
            404
        );
        let other = token_for(&app, &app.world.user_b.clone()).await?;
        assert_eq!(
            api_get(&app, &other, "/api/v1/actions/ACT-000001")
                .await?
                .status(),
            404
        );
        let resp = api_post(&app, &other, "/api/v1/actions", &base).await?;
        assert_eq!(
            resp.status(),
            404,
            "another organisation's incident does not exist for them"
        );
        Ok(())
    }
);

db_test!(an_investigation_is_run_through_the_api, |engine| {
    let app = TestApp::spawn(engine).await?;
    let r = serious_fall(&app).await?;
    let token = token_for(&app, app.world.email(Role::RegisteredManager)).await?;
    let lead = app
        .actor(app.world.email(Role::RegionalManager))
        .await?
        .user_id;
    let open = format!("/api/v1/incidents/{r}/investigation");
    let tor = "Why the sensor mat did not alarm, and how night checks are planned";
    let resp = api_post(
        &app,
        &token,
        &open,
        &json!({"lead_id": "someone", "terms_of_reference": ""}),
    )
    .await?;
    assert_eq!(fields_of(resp).await?, ["lead_id", "terms_of_reference"]);
    let resp = api_post(
        &app,
        &token,
        &open,
        &json!({"lead_id": lead.to_string(), "terms_of_reference": tor}),
    )
    .await?;
    assert_eq!(resp.status(), 201);
    let inv: Value = resp.json().await?;
    assert_eq!(inv["reference"], "INV-000001");
    assert_eq!(inv["status"], "open");
    assert_eq!(inv["incident"], r.to_string());
    assert!(!inv["gaps"].as_array().unwrap().is_empty());
    let resp = api_post(
        &app,
        &token,
        &open,
        &json!({"lead_id": lead.to_string(), "terms_of_reference": tor}),
    )
    .await?;
    assert_eq!(resp.status(), 409, "one investigation per incident");
    let incident: Value = api_get(&app, &token, &format!("/api/v1/incidents/{r}"))
        .await?
        .json()
        .await?;
    assert_eq!(incident["status"], "under_investigation");
    assert_eq!(incident["investigation"], "INV-000001");

    let inv_path = "/api/v1/investigations/INV-000001";
    // Completion is refused while anything is missing, with the reasons.
    let resp = api_post(
        &app,
        &token,
        &format!("{inv_path}/completion"),
        &json!({"version": 1}),
    )
    .await?;
    assert_eq!(resp.status(), 409);
    let p: Value = resp.json().await?;
    assert!(p["reasons"].as_array().unwrap().len() >= 4, "{p}");

    let resp = api_post(
        &app,
        &token,
        &format!("{inv_path}/meetings"),
        &json!({"held_on": "2026-11-24", "attendees": [], "discussion": "x", "decisions": "y"}),
    )
    .await?;
    assert_eq!(
        fields_of(resp).await?,
        ["held_on", "attendees"],
        "in the future, and nobody there"
    );
    let resp = api_post(
            &app,
            &token,
            &format!("{inv_path}/meetings"),
            &json!({"held_on": "2026-11-23", "attendees": [{"name": "A. Patel", "role": "Registered manager"}, {"name": "Dr Ng", "role": "GP"}], "discussion": "The night's events and the mat", "decisions": "Test every mat nightly"}),
        )
        .await?;
    assert_eq!(resp.status(), 201);
    let resp = api_post(
        &app,
        &token,
        &format!("{inv_path}/timeline"),
        &json!({"event_date": "2026-11-20", "event_time": "2:40pm", "what": "Found on the floor"}),
    )
    .await?;
    assert_eq!(fields_of(resp).await?, ["event_time"]);
    let resp = api_post(
            &app,
            &token,
            &format!("{inv_path}/timeline"),
            &json!({"event_date": "2026-11-20", "event_time": "02:40", "what": "Found on the floor", "source": "Night notes"}),
        )
        .await?;
    assert_eq!(resp.status(), 201);
    let factors: Value = api_get(&app, &token, "/api/v1/contributory-factors")
        .await?
        .json()
        .await?;
    assert!(
        factors
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "seips.tools")
    );
    let resp = api_post(
        &app,
        &token,
        &format!("{inv_path}/factors"),
        &json!({"factor": "ycff.nonsense", "note": "", "evidence": ""}),
    )
    .await?;
    assert_eq!(fields_of(resp).await?, ["factor", "note"]);
    let resp = api_post(
            &app,
            &token,
            &format!("{inv_path}/factors"),
            &json!({"factor": "seips.tools", "note": "The mat's cable was loose", "evidence": "Maintenance check 21 Nov"}),
        )
        .await?;
    assert_eq!(resp.status(), 201);
    let inv: Value = resp.json().await?;
    assert_eq!(inv["factors"][0]["framework"], "seips");
    let version = inv["version"].as_i64().unwrap();
    let findings = json!({"version": version, "findings": "The mat was unplugged by the cleaning round", "family_questions": "Why did no one hear her?"});
    let resp = api_put(&app, &token, &format!("{inv_path}/findings"), &findings).await?;
    assert_eq!(resp.status(), 200);
    let resp = api_put(&app, &token, &format!("{inv_path}/findings"), &findings).await?;
    assert_eq!(
        resp.status(),
        409,
        "the findings were saved since that version"
    );
    let owner = app.actor(app.world.email(Role::SeniorCarer)).await?.user_id;
    let resp = api_post(
            &app,
            &token,
            "/api/v1/actions",
            &json!({"investigation": "INV-000001", "title": "Fix mat cables out of reach", "description": "Cable covers in every room with a mat, checked on the monthly audit", "owner_id": owner.to_string(), "due_on": "2026-12-18"}),
        )
        .await?;
    assert_eq!(resp.status(), 201);
    let inv: Value = api_get(&app, &token, inv_path).await?.json().await?;
    assert_eq!(inv["gaps"], json!([]), "{inv}");
    assert_eq!(inv["actions"][0]["reference"], "ACT-000001");
    assert_eq!(inv["meetings"][0]["attendees"][1]["role"], "GP");
    assert_eq!(inv["timeline"][0]["event_time"], "02:40");

    // Completing is for those who sign off; the lead cannot.
    let lead_token = token_for(&app, app.world.email(Role::RegionalManager)).await?;
    let version = inv["version"].as_i64().unwrap();
    let other = token_for(&app, &app.world.user_b.clone()).await?;
    assert_eq!(api_get(&app, &other, inv_path).await?.status(), 404);
    let resp = api_post(
        &app,
        &token,
        &format!("{inv_path}/completion"),
        &json!({"version": version}),
    )
    .await?;
    assert_eq!(resp.status(), 200, "{}", resp.text().await?);
    let done: Value = api_get(&app, &lead_token, inv_path).await?.json().await?;
    assert_eq!(done["status"], "completed");
    assert!(done["completed_at"].is_string());
    let list: Value = api_get(&app, &token, "/api/v1/investigations")
        .await?
        .json()
        .await?;
    assert_eq!(list[0]["reference"], "INV-000001");
    let resp = api_post(
        &app,
        &token,
        &format!("{inv_path}/timeline"),
        &json!({"event_date": "2026-11-21", "what": "Late"}),
    )
    .await?;
    assert_eq!(resp.status(), 409, "nothing is added once completed");
    Ok(())
});

db_test!(openness_is_recorded_through_the_api, |engine| {
    let app = TestApp::spawn(engine).await?;
    let r = serious_fall(&app).await?;
    let token = token_for(&app, app.world.email(Role::RegisteredManager)).await?;
    let path = format!("/api/v1/incidents/{r}/openness");
    let resp = api_post(&app, &token, &path, &json!({"told": false})).await?;
    assert_eq!(fields_of(resp).await?, ["not_told_reason"]);
    let resp = api_post(
            &app,
            &token,
            &path,
            &json!({"told": true, "who": "Her son", "told_at": "yesterday", "how": "phone", "what": "She fell"}),
        )
        .await?;
    assert_eq!(fields_of(resp).await?, ["told_at"]);
    let resp = api_post(
            &app,
            &token,
            &path,
            &json!({"told": true, "who": "Her son", "told_at": "2026-11-19T10:00:00Z", "how": "phone", "what": "She fell"}),
        )
        .await?;
    assert_eq!(fields_of(resp).await?, ["told_at"], "before the incident");
    let resp = api_post(
            &app,
            &token,
            &path,
            &json!({"told": true, "who": "Her son, her representative", "told_at": "2026-11-20T09:15:00Z", "how": "phone", "what": "She fell at night and is in hospital; we are investigating", "apology": true, "questions": "Why did the mat not alarm?"}),
        )
        .await?;
    assert_eq!(resp.status(), 201);
    let incident: Value = resp.json().await?;
    let o = &incident["openness"][0];
    assert_eq!(o["told"], true);
    assert_eq!(o["told_at"], "2026-11-20T09:15:00Z");
    assert_eq!(o["apology"], true);
    assert_eq!(o["how"], "phone");
    // The reporter sees their report, not the family's record.
    let worker = token_for(&app, app.world.email(Role::CareWorker)).await?;
    let mine: Value = api_get(&app, &worker, &format!("/api/v1/incidents/{r}"))
        .await?
        .json()
        .await?;
    assert_eq!(mine["openness"], json!([]));
    assert_eq!(
        api_post(
            &app,
            &worker,
            &path,
            &json!({"told": false, "not_told_reason": "x"})
        )
        .await?
        .status(),
        404
    );
    Ok(())
});
