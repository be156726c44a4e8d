//! Doing a statutory duty through the pages: the CQC draft (the person by
//! code and age band, never by name), the manager's answers kept with a
//! version, each step recorded as evidence in order and audited, and the
//! duty shown done.

use crate::helpers::*;
use candour_domain::role::Role;
use serde_json::json;

/// A serious fall whose GP judged a change to the body's structure:
/// a CQC serious injury notification and the duty of candour are required.
async fn serious_injury(app: &TestApp) -> anyhow::Result<String> {
    Ok(crate::helpers::serious_injury(app).await?.to_string())
}

db_test!(
    a_manager_prepares_the_cqc_notification_and_records_it_submitted,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let r = serious_injury(&app).await?;
        let manager = app
            .signed_in(app.world.email(Role::RegisteredManager))
            .await?;
        let path = format!("/incidents/{r}/duties/cqc_serious_injury_notification");

        let incident_page = manager.text(&format!("/incidents/{r}")).await?;
        assert!(
            incident_page.contains("CQC notification: serious injury</a>: due 24 Nov 2026, 09:30"),
            "{incident_page}"
        );
        assert!(incident_page.contains("Duty of candour</a>: due"));
        let page = manager.text(&path).await?;
        assert_ids_unique(&page);
        assert!(page.contains("CQC notification: serious injury"));
        assert!(page.contains("P-000001"), "the person by code");
        assert!(
            page.contains("85 and over"),
            "born 2 Mar 1940: 86 in Nov 2026"
        );
        assert!(!page.contains("Edna Test"), "never by name");
        assert!(
            page.contains("1 Jan 2024"),
            "when they began using the service"
        );
        assert!(page.contains("Found on the floor by the bed at 02:40; hip pain"));
        assert!(page.contains("Dr Okafor (GP)"));
        assert!(page.contains("Known to be at risk of this: [to be written]"));
        assert!(
            page.contains("name=\"circumstances\" rows=\"3\">Found on the floor by the bed at 02:40; hip pain</textarea>"),
            "the answers start from what the report says"
        );
        assert!(page.contains("Not yet"));

        // The manager answers CQC's questions; a second save from the same
        // version is refused and names who saved in between.
        let csrf = csrf_in(&page).unwrap();
        let answers = [
            ("csrf_token", csrf.as_str()),
            ("version", "0"),
            (
                "circumstances",
                "P-000001 was found on the floor by her bed at 02:40.",
            ),
            (
                "known_at_risk",
                "Yes: two falls in October; falls risk assessment high.",
            ),
            (
                "risk_assessment",
                "Falls risk assessment reviewed 1 Nov 2026.",
            ),
            ("plan", "Sensor mat and hourly night checks."),
            ("actions_staff", "Night staff debriefed."),
            ("actions_person", "Taken to hospital; sensor mat checked."),
            ("actions_others", "All sensor mats tested that night."),
        ];
        let resp = manager
            .post_form(&format!("{path}/draft"), &answers)
            .await?;
        assert_eq!(resp.status(), 303);
        let page = manager.text(&path).await?;
        assert!(page.contains("Known to be at risk of this: Yes: two falls in October"));
        assert!(page.contains("Saved by"));
        let resp = manager
            .post_form(&format!("{path}/draft"), &answers)
            .await?;
        assert_eq!(resp.status(), 409);
        let body = resp.text().await?;
        assert!(body.contains("was changed since you opened it"), "{body}");
        assert!(body.contains("saved it at 23 Nov 2026, 09:30"), "{body}");

        // Recording the submission: the reference is required, named by field.
        let csrf = csrf_in(&page).unwrap();
        let step = |reference: &'static str, date: &'static str| {
            vec![
                ("csrf_token", csrf.clone()),
                ("kind", "submitted".to_owned()),
                ("date", date.to_owned()),
                ("time", "09:10".to_owned()),
                ("method", "online".to_owned()),
                ("reference", reference.to_owned()),
            ]
        };
        let form = step("", "2026-11-23");
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let resp = manager.post_form(&format!("{path}/steps"), &pairs).await?;
        assert_eq!(resp.status(), 422);
        let body = resp.text().await?;
        assert!(body.contains("Give CQC&#39;s reference"), "{body}");
        assert!(body.contains("href=\"#submitted-reference\""));
        assert_summary_links_resolve(&body);
        let form = step("ENQ1-23456789", "2026-11-24");
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let body = manager
            .post_form(&format!("{path}/steps"), &pairs)
            .await?
            .text()
            .await?;
        assert!(body.contains("cannot be in the future"), "{body}");
        let form = step("ENQ1-23456789", "2026-11-23");
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let resp = manager.post_form(&format!("{path}/steps"), &pairs).await?;
        assert_eq!(resp.status(), 303);
        let page = manager.text(&path).await?;
        assert!(page.contains("ENQ1-23456789"));
        assert!(page.contains("Done 23 Nov 2026, 09:10"));
        let duties = manager.text(&format!("/incidents/{r}/duties")).await?;
        assert!(duties.contains("Done 23 Nov 2026, 09:10"), "{duties}");
        let incident_page = manager.text(&format!("/incidents/{r}")).await?;
        assert!(
            incident_page.contains("CQC notification: serious injury</a>: done 23 Nov 2026, 09:10")
        );

        // Follow-up information quotes the same reference; the audit keeps both.
        let resp = manager
            .post_form(
                &format!("{path}/steps"),
                &[
                    ("csrf_token", &csrf),
                    ("kind", "follow_up"),
                    ("date", "2026-11-23"),
                    ("time", "09:25"),
                    ("text", "Hospital confirmed a fractured neck of femur."),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 303);
        let page = manager.text(&path).await?;
        assert!(page.contains("<dt>Quoting reference</dt><dd class=\"prose\">ENQ1-23456789</dd>"));
        let incident = app
            .ctx
            .store
            .incident_by_reference(
                app.world.org,
                candour_domain::incident::IncidentReference::parse(&r).unwrap(),
            )
            .await?
            .unwrap();
        let events = app
            .ctx
            .store
            .audit_for_record(app.world.org, "incident", &incident.incident_id.to_string())
            .await?;
        let steps = events
            .iter()
            .filter(|e| e.action == "incident.duty_step_recorded")
            .count();
        assert_eq!(steps, 2);
        assert!(
            events
                .iter()
                .any(|e| e.action == "incident.duty_draft_saved")
        );

        // Another organisation cannot see it; a care worker cannot record.
        let outsider = app.signed_in(&app.world.user_b).await?;
        assert_eq!(outsider.get(&path).await?.status(), 404);
        Ok(())
    }
);

db_test!(
    the_duty_of_candour_is_a_checklist_with_its_letter,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let r = serious_injury(&app).await?;
        let manager = app
            .signed_in(app.world.email(Role::RegisteredManager))
            .await?;
        let path = format!("/incidents/{r}/duties/duty_of_candour");
        let page = manager.text(&path).await?;
        assert_ids_unique(&page);
        let csrf = csrf_in(&page).unwrap();
        assert!(page.contains("Tell the relevant person in person"));
        assert!(
            page.contains("[the facts known]"),
            "a letter to edit before anyone is told"
        );

        // The letter follows telling them.
        let resp = manager
            .post_form(
                &format!("{path}/steps"),
                &[
                    ("csrf_token", &csrf),
                    ("kind", "written"),
                    ("date", "2026-11-23"),
                    ("time", "09:00"),
                    ("whom", "Her daughter"),
                    ("text", "Dear Ms Test"),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 422);
        assert!(
            resp.text()
                .await?
                .contains("Record telling them in person first")
        );

        // Telling them without an apology is refused by name.
        let told = |apology: &'static str| {
            vec![
                ("csrf_token", csrf.clone()),
                ("kind", "in_person".to_owned()),
                ("date", "2026-11-21".to_owned()),
                ("time", "11:00".to_owned()),
                (
                    "whom",
                    "Her daughter, who holds lasting power of attorney".to_owned(),
                ),
                (
                    "text",
                    "She fell by her bed at night and broke her hip.".to_owned(),
                ),
                ("apology", apology.to_owned()),
                (
                    "enquiries",
                    "We are reviewing her falls plan and the sensor mat.".to_owned(),
                ),
                ("support", "A named contact at the home.".to_owned()),
            ]
        };
        let form = told("");
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let resp = manager.post_form(&format!("{path}/steps"), &pairs).await?;
        assert_eq!(resp.status(), 422);
        let body = resp.text().await?;
        assert!(body.contains("href=\"#in_person-apology\""));
        assert!(
            body.contains("She fell by her bed at night"),
            "what was typed is kept"
        );
        let form = told("We are so sorry this happened to your mother.");
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(
            manager
                .post_form(&format!("{path}/steps"), &pairs)
                .await?
                .status(),
            303
        );

        // The letter is written from what was said; kept as sent, the duty is done.
        let page = manager.text(&path).await?;
        assert!(page.contains("Dear Her daughter, who holds lasting power of attorney,"));
        assert!(page.contains("We are so sorry this happened to your mother."));
        assert!(page.contains("Not yet"));
        let resp = manager
            .post_form(
                &format!("{path}/steps"),
                &[
                    ("csrf_token", &csrf),
                    ("kind", "written"),
                    ("date", "2026-11-23"),
                    ("time", "09:00"),
                    ("whom", "Her daughter"),
                    ("text", "Dear Ms Test, as we said when we met…"),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 303);
        let page = manager.text(&path).await?;
        assert!(page.contains("Done 23 Nov 2026, 09:00"), "{page}");
        assert!(page.contains("as we said when we met"));

        // A duty not required takes no steps.
        let resp = manager
            .post_form(
                &format!("/incidents/{r}/duties/ico_breach_report/steps"),
                &[
                    ("csrf_token", &csrf),
                    ("kind", "not_reported"),
                    ("date", "2026-11-23"),
                    ("time", "09:00"),
                    ("text", "No data involved"),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 409);
        assert_eq!(
            manager
                .get(&format!("/incidents/{r}/duties/no_such_duty"))
                .await?
                .status(),
            404
        );
        Ok(())
    }
);

db_test!(a_stale_assessment_names_who_changed_it, |engine| {
    let app = TestApp::spawn(engine).await?;
    let r = serious_injury(&app).await?;
    let token = token_for(&app, app.world.email(Role::RegionalManager)).await?;
    let resp = api_put(
        &app,
        &token,
        &format!("/api/v1/incidents/{r}/assessment"),
        &json!({"version": 0, "facts": {"police_involved": false}}),
    )
    .await?;
    assert_eq!(resp.status(), 409);
    let body = resp.text().await?;
    assert!(body.contains("changed it at 23 Nov 2026, 09:30"), "{body}");
    // An opinion given in the future, or before the fall, is refused by name.
    for given in ["2026-11-24T09:00:00Z", "2026-11-19T09:00:00Z"] {
        let resp = api_put(
            &app,
            &token,
            &format!("/api/v1/incidents/{r}/assessment"),
            &json!({"version": 1, "facts": {"hcp_opinion": {"name": "Dr Okafor", "role": "GP", "given_at": given, "outcomes": []}}}),
        )
        .await?;
        assert_eq!(resp.status(), 422);
        let p: serde_json::Value = resp.json().await?;
        assert_eq!(p["errors"][0]["pointer"], "/facts/hcp_opinion", "{p}");
    }
    Ok(())
});

db_test!(a_safeguarding_referral_through_the_api, |engine| {
    let app = TestApp::spawn(engine).await?;
    let r = minor_fall(
        &app,
        "Bruise on her arm; she says another resident pushed her",
    )
    .await?;
    let token = token_for(&app, app.world.email(Role::RegisteredManager)).await?;
    let resp = api_put(
        &app,
        &token,
        &format!("/api/v1/incidents/{r}/assessment"),
        &json!({"version": 0, "facts": {
            "abuse_alleged": true, "abuse_role": "victim", "abuse_type": "physical",
            "adult_has_care_and_support_needs": true,
            "experiencing_or_at_risk_of_abuse_or_neglect": true,
            "unable_to_protect_self": true
        }}),
    )
    .await?;
    assert_eq!(resp.status(), 200);
    let path = format!("/api/v1/incidents/{r}/duties/safeguarding_referral");
    let body: serde_json::Value = api_get(&app, &token, &path).await?.json().await?;
    assert_eq!(body["in_force"], "required");
    assert_eq!(body["done_at"], serde_json::Value::Null);
    assert_eq!(body["checklist"].as_array().map(Vec::len), Some(2));

    // An update before the referral, and a time that cannot be read, are refused.
    let resp = api_post(
        &app,
        &token,
        &format!("{path}/steps"),
        &json!({"kind": "enquiry_update", "at": "2026-11-23T09:00:00Z", "s42_opened": true}),
    )
    .await?;
    assert_eq!(resp.status(), 422);
    let resp = api_post(
        &app,
        &token,
        &format!("{path}/steps"),
        &json!({"kind": "referred", "at": "yesterday", "authority": "Leeds City Council", "method": "phone"}),
    )
    .await?;
    assert_eq!(resp.status(), 422);
    let p: serde_json::Value = resp.json().await?;
    assert_eq!(p["errors"][0]["field"], "at");

    let resp = api_post(
        &app,
        &token,
        &format!("{path}/steps"),
        &json!({"kind": "referred", "at": "2026-11-23T09:15:00Z", "authority": "Leeds City Council",
                "method": "phone", "reference": "ASC-778812"}),
    )
    .await?;
    assert_eq!(resp.status(), 200);
    let body: serde_json::Value = resp.json().await?;
    assert_eq!(body["done_at"], "2026-11-23T09:15:00Z");
    assert_eq!(body["steps"][0]["step"]["kind"], "referred");
    assert_eq!(body["steps"][0]["step"]["by"], "Registered manager");
    let body: serde_json::Value = api_post(
        &app,
        &token,
        &format!("{path}/steps"),
        &json!({"kind": "enquiry_update", "at": "2026-11-23T09:20:00Z", "s42_opened": true, "asked_to_cause": false}),
    )
    .await?
    .json()
    .await?;
    assert_eq!(body["steps"][1]["step"]["s42_opened"], true);
    assert_eq!(body["checklist"][1]["done_at"], "2026-11-23T09:20:00Z");

    // The duties list says it is done; the abuse notification's draft takes answers.
    let all: serde_json::Value = api_get(&app, &token, &format!("/api/v1/incidents/{r}/duties"))
        .await?
        .json()
        .await?;
    let sg = all["duties"]
        .as_array()
        .and_then(|d| d.iter().find(|x| x["duty"] == "safeguarding_referral"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(sg["done_at"], "2026-11-23T09:15:00Z");
    let draft = format!("/api/v1/incidents/{r}/duties/cqc_abuse_notification/draft");
    let body = json!({"version": 0, "answers": {"known_at_risk": "No history of aggression between them."}});
    let resp = api_put(&app, &token, &draft, &body).await?;
    assert_eq!(resp.status(), 200);
    let t: serde_json::Value = resp.json().await?;
    assert_eq!(t["answers_version"], 1);
    assert!(
        t["draft_text"]
            .as_str()
            .unwrap()
            .contains("Type of abuse: Physical")
    );
    assert!(
        t["draft_text"]
            .as_str()
            .unwrap()
            .contains("Known to be at risk of this: No history")
    );
    assert_eq!(api_put(&app, &token, &draft, &body).await?.status(), 409);
    assert_eq!(
        api_put(
            &app,
            &token,
            &format!("/api/v1/incidents/{r}/duties/riddor_report/draft"),
            &body
        )
        .await?
        .status(),
        404
    );
    assert_eq!(
        api_get(&app, &token, &format!("/api/v1/incidents/{r}/duties/nope"))
            .await?
            .status(),
        404
    );
    Ok(())
});

/// The subjects of the emails queued to `to`.
async fn subjects_to(app: &TestApp, to: &str) -> anyhow::Result<Vec<String>> {
    Ok(app
        .ctx
        .store
        .emails(app.world.org)
        .await?
        .into_iter()
        .filter(|e| e.to == to)
        .map(|e| e.subject)
        .collect())
}

db_test!(
    open_duties_are_listed_overdue_first_and_remind_then_escalate_once,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let r = serious_injury(&app).await?;
        let rm = app.world.email(Role::RegisteredManager).to_owned();
        let regional = app.world.email(Role::RegionalManager).to_owned();
        let head = app.world.email(Role::HeadOfOperations).to_owned();
        let manager = app.signed_in(&rm).await?;

        // Reported Monday 23 Nov 09:30: CQC due in 24 hours, candour in 10 working days.
        let page = manager.text("/duties").await?;
        assert_ids_unique(&page);
        let cqc = page.find("CQC notification: serious injury").unwrap();
        let candour = page.find(">Duty of candour<").unwrap();
        assert!(cqc < candour, "soonest first");
        assert!(page.contains("24 Nov 2026, 09:30"));
        assert!(page.contains("Submit the notification to CQC"));
        assert!(page.contains(&format!("/incidents/{r}/duties/duty_of_candour")));

        // The same through the API, and scoped: another region is empty, a
        // service outside the reader's grants is not found.
        let token = token_for(&app, &regional).await?;
        let list: serde_json::Value = api_get(&app, &token, "/api/v1/duties")
            .await?
            .json()
            .await?;
        let duties: Vec<&str> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["duty"].as_str().unwrap())
            .collect();
        assert_eq!(
            duties,
            ["cqc_serious_injury_notification", "duty_of_candour"]
        );
        assert_eq!(list[0]["overdue"], false);
        let other = app.world.other_service.service_id;
        assert_eq!(
            api_get(&app, &token, &format!("/api/v1/duties?service={other}"))
                .await?
                .status(),
            404
        );
        assert_eq!(
            api_get(&app, &token, "/api/v1/duties?service=nope")
                .await?
                .status(),
            400
        );
        let worker = token_for(&app, app.world.email(Role::CareWorker)).await?;
        assert_eq!(
            api_get(&app, &worker, "/api/v1/duties").await?.status(),
            403
        );

        // Halfway to the CQC deadline the registered manager is reminded, once.
        let remind = || candour::actions::duty_board::remind_duties(&app.ctx);
        assert_eq!(remind().await.map_err(|e| anyhow::anyhow!("{e}"))?, 0);
        app.clock.advance(12 * 3600);
        assert!(remind().await.map_err(|e| anyhow::anyhow!("{e}"))? > 0);
        assert_eq!(remind().await.map_err(|e| anyhow::anyhow!("{e}"))?, 0);
        let due_soon: Vec<String> = subjects_to(&app, &rm)
            .await?
            .into_iter()
            .filter(|s| s.starts_with("Due soon"))
            .collect();
        assert_eq!(
            due_soon,
            [format!(
                "Due soon at Alder House: CQC notification: serious injury for {r}"
            )]
        );
        assert!(
            !subjects_to(&app, &regional)
                .await?
                .iter()
                .any(|s| s.starts_with("Due soon"))
        );

        // Past the deadline: overdue to the registered manager, then the
        // regional manager a working day later, then the head of operations.
        app.clock.advance(12 * 3600 + 60);
        remind().await.map_err(|e| anyhow::anyhow!("{e}"))?;
        let to_rm = subjects_to(&app, &rm).await?;
        assert!(to_rm.contains(&format!(
            "Overdue at Alder House: CQC notification: serious injury for {r}"
        )));
        assert!(
            !subjects_to(&app, &regional)
                .await?
                .iter()
                .any(|s| s.starts_with("Overdue"))
        );
        // (A day on, the morning's session has expired: sign in again.)
        let manager = app.signed_in(&rm).await?;
        let page = manager.text("/duties").await?;
        assert!(page.contains("1 overdue"), "{page}");
        app.clock.advance(3 * 24 * 3600); // Friday: two working days past
        remind().await.map_err(|e| anyhow::anyhow!("{e}"))?;
        assert!(
            subjects_to(&app, &regional)
                .await?
                .iter()
                .any(|s| s.starts_with("Overdue"))
        );
        assert!(
            subjects_to(&app, &head)
                .await?
                .iter()
                .any(|s| s.starts_with("Overdue"))
        );
        let rm_user = app.ctx.store.user_by_email(&rm).await?.unwrap();
        let kinds: Vec<&str> = app
            .ctx
            .store
            .notifications(rm_user.user_id, 50)
            .await?
            .iter()
            .map(|n| n.kind.code())
            .collect::<Vec<_>>()
            .into_iter()
            .collect();
        assert!(
            kinds.contains(&"duty_due") && kinds.contains(&"duty_overdue"),
            "{kinds:?}"
        );

        // Once submitted, the duty leaves the list and nothing more is sent about it.
        let body = json!({"kind": "submitted", "at": "2026-11-25T10:00:00Z", "method": "online", "reference": "ENQ1-1"});
        let mtoken = token_for(&app, &rm).await?;
        let resp = api_post(
            &app,
            &mtoken,
            &format!("/api/v1/incidents/{r}/duties/cqc_serious_injury_notification/steps"),
            &body,
        )
        .await?;
        assert_eq!(resp.status(), 200);
        let list: serde_json::Value = api_get(&app, &token, "/api/v1/duties")
            .await?
            .json()
            .await?;
        assert_eq!(list.as_array().map(Vec::len), Some(1));
        assert_eq!(list[0]["duty"], "duty_of_candour");
        let before = app.ctx.store.emails(app.world.org).await?.len();
        app.clock.advance(3600);
        remind().await.map_err(|e| anyhow::anyhow!("{e}"))?;
        let after = app.ctx.store.emails(app.world.org).await?;
        assert!(
            after[before..]
                .iter()
                .all(|e| !e.subject.contains("CQC notification")),
            "nothing more about the submitted notification"
        );
        Ok(())
    }
);

db_test!(
    settled_duties_are_skipped_until_what_they_are_decided_from_changes,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let reference = crate::helpers::serious_injury(&app).await?;
        let r = reference.to_string();
        let org = app.world.org;
        let store = &app.ctx.store;
        let unsettled = async || -> anyhow::Result<Vec<(candour_domain::ids::IncidentId, i64)>> {
            Ok(store.unsettled_duties(org, (0, i64::MAX)).await?)
        };
        let remind = async || -> anyhow::Result<usize> {
            candour::actions::duty_board::remind_duties(&app.ctx)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))
        };
        let rm = app.world.email(Role::RegisteredManager).to_owned();
        let token = token_for(&app, &rm).await?;
        let open = async || -> anyhow::Result<Vec<String>> {
            let list: serde_json::Value = api_get(&app, &token, "/api/v1/duties")
                .await?
                .json()
                .await?;
            Ok(list
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["duty"].as_str().unwrap().to_owned())
                .collect())
        };
        let decide = async |duty: &str, verdict: &str| -> anyhow::Result<()> {
            let resp = api_post(
                &app,
                &token,
                &format!("/api/v1/incidents/{r}/duties/{duty}/decision"),
                &json!({"verdict": verdict, "rationale": "Discussed with the family and the GP"}),
            )
            .await?;
            anyhow::ensure!(resp.status() == 200, "decision: {}", resp.status());
            Ok(())
        };
        let incident = store
            .incident_by_reference(org, reference)
            .await?
            .unwrap()
            .incident_id;

        // Open duties keep the incident unsettled however often the sweep runs.
        assert_eq!(unsettled().await?.len(), 1);
        remind().await?;
        assert_eq!(
            unsettled()
                .await?
                .iter()
                .map(|(id, _)| *id)
                .collect::<Vec<_>>(),
            [incident]
        );

        // With nothing required in force, the sweep marks it settled and
        // the board no longer decides it.
        decide("cqc_serious_injury_notification", "not_required").await?;
        decide("duty_of_candour", "not_required").await?;
        let (_, read_at) = unsettled().await?[0];
        remind().await?;
        assert!(unsettled().await?.is_empty(), "settled by the sweep");
        assert!(open().await?.is_empty());

        // A manager's decision unsettles it: the duty is back on the board.
        decide("duty_of_candour", "required").await?;
        let (_, now_at) = unsettled().await?[0];
        assert!(now_at > read_at);
        assert_eq!(open().await?, ["duty_of_candour"]);

        // A sweep that decided from what it read before that change cannot
        // mark it settled: the generation moved on.
        let mut tx = store.begin().await?;
        let marked =
            candour::store::duty_steps::settle_duties(&mut tx, &[(incident, read_at)]).await?;
        tx.commit().await?;
        assert_eq!(marked, 0);
        assert_eq!(unsettled().await?.len(), 1);

        // A step moves the generation on too; once the last required duty
        // is done, the sweep settles the incident.
        decide("cqc_serious_injury_notification", "required").await?;
        decide("duty_of_candour", "not_required").await?;
        remind().await?;
        let (_, before_step) = unsettled().await?[0];
        app.clock.advance(2 * 86_400 + 3 * 3600); // to Wednesday 25 Nov, after noon
        let resp = api_post(
            &app,
            &token,
            &format!("/api/v1/incidents/{r}/duties/cqc_serious_injury_notification/steps"),
            &json!({"kind": "submitted", "at": "2026-11-25T10:00:00Z", "method": "online", "reference": "ENQ1-1"}),
        )
        .await?;
        assert_eq!(resp.status(), 200);
        assert!(unsettled().await?[0].1 > before_step, "a step unsettles it");
        remind().await?;
        assert!(unsettled().await?.is_empty(), "the notification is done");

        // New facts unsettle it: a death calls for a new notification.
        let version = store.assessment(incident).await?.1;
        let resp = api_put(
            &app,
            &token,
            &format!("/api/v1/incidents/{r}/assessment"),
            &json!({"version": version, "facts": {"died": true, "occurred_during_regulated_activity": true}}),
        )
        .await?;
        assert_eq!(resp.status(), 200);
        assert_eq!(unsettled().await?.len(), 1, "new facts unsettle it");
        let now_open = open().await?;
        assert!(
            now_open.contains(&"cqc_death_notification".to_owned()),
            "{now_open:?}"
        );
        Ok(())
    }
);
