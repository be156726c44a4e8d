//! Statutory duties through the API: the facts recorded over time, each
//! change audited and versioned, and the duties decided again from them.

use crate::helpers::*;
use candour_domain::role::Role;
use serde_json::{Value, json};

fn duty<'a>(body: &'a Value, name: &str) -> &'a Value {
    body["duties"]
        .as_array()
        .and_then(|d| d.iter().find(|x| x["duty"] == name))
        .unwrap_or(&Value::Null)
}

db_test!(duties_follow_the_facts_a_manager_records, |engine| {
    let app = TestApp::spawn(engine).await?;
    let r = serious_fall(&app).await?;
    let token = token_for(&app, app.world.email(Role::RegisteredManager)).await?;
    let duties = format!("/api/v1/incidents/{r}/duties");
    let assessment = format!("/api/v1/incidents/{r}/assessment");

    let body: Value = api_get(&app, &token, &duties).await?.json().await?;
    assert_eq!(body["version"], 0);
    assert_eq!(body["duties"].as_array().map(Vec::len), Some(10));
    let death = duty(&body, "cqc_death_notification");
    assert_eq!(death["verdict"], "needs_information");
    assert_eq!(death["missing_facts"], json!(["person_type", "died"]));
    assert!(death["basis"].as_str().unwrap().contains("regulation 16"));

    let resp = api_put(
            &app,
            &token,
            &assessment,
            &json!({"version": 0, "facts": {"person_type": "service_user", "died": false, "unintended_or_unexpected": true}}),
        )
        .await?;
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await?;
    assert_eq!(body["version"], 1);
    assert_eq!(
        duty(&body, "cqc_death_notification")["verdict"],
        "not_required"
    );
    let injury = duty(&body, "cqc_serious_injury_notification");
    assert_eq!(
        injury["verdict"], "needs_information",
        "severe harm: a professional must judge"
    );
    assert_eq!(injury["missing_facts"], json!(["hcp_opinion"]));

    // The GP's opinion makes it a serious injury and a candour incident.
    let opinion = json!({"version": 1, "facts": {"hcp_opinion": {"name": "Dr Okafor", "role": "GP", "given_at": "2026-11-23T09:15:00Z", "outcomes": ["body_structure_change"]}}});
    let body: Value = api_put(&app, &token, &assessment, &opinion)
        .await?
        .json()
        .await?;
    let injury = duty(&body, "cqc_serious_injury_notification");
    assert_eq!(injury["verdict"], "required");
    assert_eq!(
        injury["due_at"], "2026-11-24T09:30:00Z",
        "24 hours from the report"
    );
    assert!(injury["reason"].as_str().unwrap().contains("Dr Okafor"));
    assert_eq!(duty(&body, "duty_of_candour")["verdict"], "required");
    assert_eq!(body["assessment"]["hcp_opinion"]["role"], "GP");

    // A stale version, an unknown fact and a bad value are refused by name.
    let resp = api_put(&app, &token, &assessment, &opinion).await?;
    assert_eq!(resp.status(), 409);
    let resp = api_put(
        &app,
        &token,
        &assessment,
        &json!({"version": 2, "facts": {"diedd": true, "person_type": "resident"}}),
    )
    .await?;
    assert_eq!(resp.status(), 422);
    let p: Value = resp.json().await?;
    let pointers: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pointer"].as_str().unwrap())
        .collect();
    assert_eq!(pointers, ["/facts/diedd", "/facts/person_type"]);

    // Each change is audited with what it was and is.
    let incident = app
        .ctx
        .store
        .incident_by_reference(app.world.org, r)
        .await?
        .unwrap();
    let events = app
        .ctx
        .store
        .audit_for_record(app.world.org, "incident", &incident.incident_id.to_string())
        .await?;
    let changes: Vec<&str> = events
        .iter()
        .filter(|e| e.action == "incident.assessment_changed")
        .map(|e| e.details().unwrap_or_default())
        .collect();
    assert_eq!(changes.len(), 2);
    assert!(
        changes[0].contains("\"person_type\":{\"after\":\"service_user\",\"before\":null}"),
        "{}",
        changes[0]
    );

    // Only those who review the service see or change it.
    let worker = token_for(&app, app.world.email(Role::CareWorker)).await?;
    assert_eq!(api_get(&app, &worker, &duties).await?.status(), 404);
    assert_eq!(
        api_put(
            &app,
            &worker,
            &assessment,
            &json!({"version": 2, "facts": {}})
        )
        .await?
        .status(),
        404
    );
    let other = token_for(&app, &app.world.user_b.clone()).await?;
    assert_eq!(api_get(&app, &other, &duties).await?.status(), 404);
    let board = token_for(&app, app.world.email(Role::BoardMember)).await?;
    assert_eq!(api_get(&app, &board, &duties).await?.status(), 404);
    Ok(())
});

db_test!(the_duty_deadlines_are_the_organisations_to_set, |engine| {
    let app = TestApp::spawn(engine).await?;
    let r = serious_fall(&app).await?;
    let token = token_for(&app, app.world.email(Role::RegisteredManager)).await?;
    let facts = json!({"version": 0, "facts": {
        "person_type": "service_user", "died": false, "unintended_or_unexpected": true,
        "hcp_opinion": {"name": "Dr Okafor", "role": "GP", "given_at": "2026-11-23T09:15:00Z", "outcomes": ["prolonged_pain"]}
    }});
    let body: Value = api_put(
        &app,
        &token,
        &format!("/api/v1/incidents/{r}/assessment"),
        &facts,
    )
    .await?
    .json()
    .await?;
    assert_eq!(
        duty(&body, "cqc_serious_injury_notification")["due_at"],
        "2026-11-24T09:30:00Z"
    );
    assert_eq!(
        duty(&body, "duty_of_candour")["due_at"],
        "2026-12-07T23:59:59.999Z"
    );

    let admin = app.signed_in(app.world.email(Role::Administrator)).await?;
    let page = admin.text("/settings").await?;
    assert!(page.contains(
        "id=\"cqc_hours\" name=\"cqc_hours\" type=\"text\" inputmode=\"numeric\" value=\"24\""
    ));
    assert_ids_unique(&page);
    let csrf = csrf_in(&page).unwrap();
    let resp = admin
        .post_form(
            "/settings/duties",
            &[
                ("csrf_token", csrf.as_str()),
                ("cqc_hours", "0"),
                ("candour_working_days", "5"),
            ],
        )
        .await?;
    assert_eq!(resp.status(), 422);
    let body = resp.text().await?;
    assert!(body.contains("Enter the hours to notify CQC as a whole number from 1 to 72"));
    assert!(body.contains("value=\"0\""), "what was typed stays");
    assert_summary_links_resolve(&body);
    let resp = admin
        .post_form(
            "/settings/duties",
            &[
                ("csrf_token", csrf.as_str()),
                ("cqc_hours", "12"),
                ("candour_working_days", "5"),
            ],
        )
        .await?;
    assert_eq!(resp.status(), 303);
    let body: Value = api_get(&app, &token, &format!("/api/v1/incidents/{r}/duties"))
        .await?
        .json()
        .await?;
    assert_eq!(
        duty(&body, "cqc_serious_injury_notification")["due_at"],
        "2026-11-23T21:30:00Z"
    );
    assert_eq!(
        duty(&body, "duty_of_candour")["due_at"],
        "2026-11-30T23:59:59.999Z"
    );
    let manager = app
        .signed_in(app.world.email(Role::RegisteredManager))
        .await?;
    let csrf = manager.csrf("/my-reports").await?;
    let resp = manager
        .post_form(
            "/settings/duties",
            &[
                ("csrf_token", csrf.as_str()),
                ("cqc_hours", "1"),
                ("candour_working_days", "1"),
            ],
        )
        .await?;
    assert_eq!(resp.status(), 403);
    Ok(())
});

fn row<'a>(page: &'a str, duty: &str) -> &'a str {
    let at = page.find(&format!("\">{duty}</a><br>")).unwrap_or(0);
    let start = page[..at].rfind("<tr").unwrap_or(0);
    let end = page[at..].find("</tr>").map_or(page.len(), |e| at + e);
    &page[start..end]
}

db_test!(
    a_manager_answers_what_candour_asks_and_sees_the_duties_change,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let r = serious_fall(&app).await?;
        let manager = app
            .signed_in(app.world.email(Role::RegisteredManager))
            .await?;
        let path = format!("/incidents/{r}/duties");
        let incident = manager.text(&format!("/incidents/{r}")).await?;
        assert!(incident.contains(&format!("href=\"{path}\"")));
        let page = manager.text(&path).await?;
        assert_ids_unique(&page);
        assert!(page.contains("Who was affected?") && page.contains("Did they die?"));
        assert!(row(&page, "CQC notification: death").contains("Needs information"));
        let csrf = csrf_in(&page).unwrap();
        let resp = manager
            .post_form(
                &path,
                &[
                    ("csrf_token", csrf.as_str()),
                    ("version", "0"),
                    ("person_type", "service_user"),
                    ("died", "no"),
                    ("unintended_or_unexpected", "yes"),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 303);
        let page = manager.text(&path).await?;
        assert!(row(&page, "CQC notification: death").contains("Not required"));
        assert!(row(&page, "CQC notification: serious injury").contains("Needs information"));
        assert!(
            page.contains("What did a health care professional judge the injury to have caused?")
        );
        assert!(
            !page.contains("Who was affected?"),
            "answered questions are not asked again"
        );

        // An opinion without its date is refused, and what was typed stays.
        let resp = manager
            .post_form(
                &path,
                &[
                    ("csrf_token", csrf.as_str()),
                    ("version", "1"),
                    ("hcp_name", "Dr Okafor"),
                    ("hcp_role", "GP"),
                    ("hcp_outcomes", "body_structure_change"),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 422);
        let body = resp.text().await?;
        assert!(
            body.contains(
                "Enter the date and time the health care professional gave their opinion"
            )
        );
        assert!(body.contains("value=\"Dr Okafor\""));
        assert!(body.contains("value=\"body_structure_change\" checked"));
        assert_summary_links_resolve(&body);
        let resp = manager
            .post_form(
                &path,
                &[
                    ("csrf_token", csrf.as_str()),
                    ("version", "1"),
                    ("hcp_name", "Dr Okafor"),
                    ("hcp_role", "GP"),
                    ("hcp_date", "2026-11-23"),
                    ("hcp_time", "09:15"),
                    ("hcp_outcomes", "body_structure_change"),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 303);
        let page = manager.text(&path).await?;
        let injury = row(&page, "CQC notification: serious injury");
        assert!(
            injury.contains("Required") && injury.contains("24 Nov 2026, 09:30"),
            "{injury}"
        );
        assert!(row(&page, "Duty of candour").contains("Required"));
        // A second manager working from the old page is told, not overwritten.
        let resp = manager
            .post_form(
                &path,
                &[
                    ("csrf_token", csrf.as_str()),
                    ("version", "1"),
                    ("died", "yes"),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 409);
        // A care worker has no such page.
        let worker = app.signed_in(app.world.email(Role::CareWorker)).await?;
        assert_eq!(worker.get(&path).await?.status(), 404);
        Ok(())
    }
);

db_test!(
    a_manager_confirms_or_overrides_a_duty_with_a_reason,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let r = serious_fall(&app).await?;
        let token = token_for(&app, app.world.email(Role::RegisteredManager)).await?;
        let facts = json!({"version": 0, "facts": {
            "person_type": "service_user", "died": false,
            "accident": true, "work_related": false,
            "work_related_rationale": "Assessed as not needing falls equipment; no hazard found"
        }});
        let body: Value = api_put(
            &app,
            &token,
            &format!("/api/v1/incidents/{r}/assessment"),
            &facts,
        )
        .await?
        .json()
        .await?;
        assert_eq!(duty(&body, "riddor_report")["verdict"], "not_required");
        let path = format!("/api/v1/incidents/{r}/duties/riddor_report/decision");
        let resp = api_post(&app, &token, &path, &json!({"verdict": "required"})).await?;
        assert_eq!(resp.status(), 422);
        let p: Value = resp.json().await?;
        assert_eq!(p["errors"][0]["field"], "rationale");
        assert!(
            p["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("which says not required")
        );
        let resp = api_post(
            &app,
            &token,
            &path,
            &json!({"verdict": "required", "rationale": "The rail was left down by the night round: the work contributed"}),
        )
        .await?;
        assert_eq!(resp.status(), 200);
        let body: Value = resp.json().await?;
        let riddor = duty(&body, "riddor_report");
        assert_eq!(
            riddor["verdict"], "not_required",
            "Candour's decision stays shown"
        );
        assert_eq!(riddor["manager_decision"]["verdict"], "required");
        assert_eq!(riddor["manager_decision"]["overrides"], true);
        // Confirming needs no reason.
        let resp = api_post(
            &app,
            &token,
            &format!("/api/v1/incidents/{r}/duties/cqc_death_notification/decision"),
            &json!({"verdict": "not_required"}),
        )
        .await?;
        assert_eq!(resp.status(), 200);
        let body: Value = resp.json().await?;
        assert_eq!(
            duty(&body, "cqc_death_notification")["manager_decision"]["overrides"],
            false
        );
        // Only managers who sign off decide; an unknown duty is not found.
        let senior = token_for(&app, app.world.email(Role::SeniorCarer)).await?;
        assert_eq!(
            api_post(
                &app,
                &senior,
                &path,
                &json!({"verdict": "required", "rationale": "x"})
            )
            .await?
            .status(),
            404
        );
        assert_eq!(
            api_post(
                &app,
                &token,
                &format!("/api/v1/incidents/{r}/duties/tea_break/decision"),
                &json!({"verdict": "required"})
            )
            .await?
            .status(),
            404
        );
        // On the page, the manager's decision stands beside Candour's.
        let manager = app
            .signed_in(app.world.email(Role::RegisteredManager))
            .await?;
        let page = manager.text(&format!("/incidents/{r}/duties")).await?;
        assert_ids_unique(&page);
        let riddor = row(&page, "RIDDOR report to HSE");
        assert!(
            riddor.contains("Not required") && riddor.contains("decided it required"),
            "{riddor}"
        );
        assert!(riddor.contains("The rail was left down"));
        let csrf = csrf_in(&page).unwrap();
        let resp = manager
            .post_form(
                &format!("/incidents/{r}/duties/decision"),
                &[
                    ("csrf_token", csrf.as_str()),
                    ("duty", "duty_of_candour"),
                    ("verdict", ""),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 422);
        let body = resp.text().await?;
        assert!(body.contains("Choose whether the duty is required or not required"));
        assert_summary_links_resolve(&body);
        let senior = app.signed_in(app.world.email(Role::SeniorCarer)).await?;
        assert!(
            !senior
                .text(&format!("/incidents/{r}/duties"))
                .await?
                .contains("Your decision")
        );
        let incident = app
            .ctx
            .store
            .incident_by_reference(app.world.org, r)
            .await?
            .unwrap();
        let actions: Vec<String> = app
            .ctx
            .store
            .audit_for_record(app.world.org, "incident", &incident.incident_id.to_string())
            .await?
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert!(actions.contains(&"incident.duty_overridden".to_owned()));
        assert!(actions.contains(&"incident.duty_confirmed".to_owned()));
        Ok(())
    }
);

db_test!(
    facts_candour_never_asks_for_are_recorded_when_they_apply,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let r = serious_fall(&app).await?;
        let manager = app
            .signed_in(app.world.email(Role::RegisteredManager))
            .await?;
        let path = format!("/incidents/{r}/duties");
        let page = manager.text(&path).await?;
        assert!(page.contains("Other facts, if they apply"));
        assert_ids_unique(&page);
        let csrf = csrf_in(&page).unwrap();
        let other = |ulcer: &'static str, version: &'static str| {
            vec![
                ("csrf_token", csrf.clone()),
                ("version", version.to_owned()),
                ("pressure_ulcer_category", ulcer.to_owned()),
                ("pressure_ulcer_acquired_in_service", "yes".to_owned()),
                ("dols_outcome", String::new()),
                ("service_disruption", String::new()),
                ("specified_injury", String::new()),
                ("occupational_disease", String::new()),
                ("dangerous_occurrence", String::new()),
            ]
        };
        let send = |fields: Vec<(&'static str, String)>| {
            let manager = &manager;
            let path = path.clone();
            async move {
                let pairs: Vec<(&str, &str)> =
                    fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
                manager.post_form(&path, &pairs).await
            }
        };
        let mut first = other("3", "0");
        first.push(("person_type", "service_user".to_owned()));
        first.push(("died", "no".to_owned()));
        assert_eq!(send(first).await?.status(), 303);
        let page = manager.text(&path).await?;
        let injury = row(&page, "CQC notification: serious injury");
        assert!(
            injury.contains("Required") && injury.contains("pressure ulcer"),
            "{injury}"
        );
        assert!(
            page.contains("<option value=\"3\" selected>"),
            "the recorded category is shown"
        );
        // "None" clears it again.
        assert_eq!(send(other("", "1")).await?.status(), 303);
        let body: Value = api_get(
            &app,
            &token_for(&app, app.world.email(Role::RegisteredManager)).await?,
            &format!("/api/v1/incidents/{r}/duties"),
        )
        .await?
        .json()
        .await?;
        assert_eq!(body["assessment"]["pressure_ulcer_category"], Value::Null);
        assert_eq!(
            body["assessment"]["pressure_ulcer_acquired_in_service"],
            true
        );
        assert_eq!(body["version"], 2);
        Ok(())
    }
);
