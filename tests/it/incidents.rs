//! Reporting through the HTML form and reading reports back, within scope.

use crate::helpers::*;
use candour_domain::role::Role;

async fn report_form(
    c: &Client,
    app: &TestApp,
    extra: &[(&str, &str)],
) -> anyhow::Result<reqwest::Response> {
    let token = c.csrf("/incidents/new").await?;
    let service = app.world.service.service_id.to_string();
    let mut fields = vec![
        ("csrf_token", token.as_str()),
        ("service_id", service.as_str()),
        ("kind", "near_miss"),
        ("category", "medication"),
        ("error_type", "wrong_person"),
        ("occurred_date", "2026-11-23"),
        ("occurred_time", "08:05"),
        (
            "description",
            "Morning tablets for Room 4 put out for Room 5; spotted before given.",
        ),
    ];
    for (k, v) in extra {
        match fields.iter_mut().find(|(name, _)| name == k) {
            Some(f) => f.1 = v,
            None => fields.push((k, v)),
        }
    }
    c.post_form("/incidents", &fields).await
}

db_test!(
    a_care_worker_reports_a_near_miss_and_the_manager_reads_it,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let worker = app.signed_in(app.world.email(Role::CareWorker)).await?;
        let person = app.world.person.to_string();
        let area = app.world.area.to_string();
        let resp = report_form(
            &worker,
            &app,
            &[("affected_person_ids", &person), ("area_id", &area)],
        )
        .await?;
        assert_eq!(resp.status(), 303);
        assert_eq!(
            resp.headers()["location"],
            "/incidents/INC-000001?reported=1"
        );
        let page = worker
            .get("/incidents/INC-000001?reported=1")
            .await?
            .text()
            .await?;
        assert!(page.contains("Report sent") && page.contains("INC-000001"));
        assert!(
            page.contains("23 Nov 2026, 08:05"),
            "the time is shown in UK time"
        );
        let mine = worker.get("/my-reports").await?.text().await?;
        assert!(mine.contains("INC-000001"));

        let manager = app
            .signed_in(app.world.email(Role::RegisteredManager))
            .await?;
        let list = manager
            .get(&format!(
                "/services/{}/incidents",
                app.world.service.service_id
            ))
            .await?;
        assert_eq!(list.status(), 200);
        assert!(list.text().await?.contains("INC-000001"));
        let page = manager.get("/incidents/INC-000001").await?.text().await?;
        assert!(page.contains("Morning tablets for Room 4"));
        assert!(page.contains("Edna Test (P-000001)"));
        assert!(page.contains("Ground Floor"));
        let history = manager
            .get("/incidents/INC-000001/history")
            .await?
            .text()
            .await?;
        assert!(history.contains("incident reported") && history.contains("Care worker"));
        Ok(())
    }
);

db_test!(
    a_form_with_problems_comes_back_with_what_was_typed_and_an_error_summary,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let worker = app.signed_in(app.world.email(Role::CareWorker)).await?;
        let resp = report_form(
            &worker,
            &app,
            &[
                ("kind", ""),
                ("occurred_time", "25:99"),
                ("others_involved", "Visiting daughter"),
            ],
        )
        .await?;
        assert_eq!(resp.status(), 422);
        let body = resp.text().await?;
        assert_summary_links_resolve(&body);
        assert!(body.contains("There is a problem"));
        assert!(body.contains("href=\"#occurred_time\""));
        assert!(body.contains("Enter the time it happened, like 14:30"));
        assert!(
            body.contains("Morning tablets for Room 4"),
            "the description is kept"
        );
        assert!(
            body.contains("value=\"Visiting daughter\""),
            "other fields are kept"
        );
        let resp = report_form(&worker, &app, &[("kind", "incident")]).await?;
        assert!(
            resp.text()
                .await?
                .contains("Say what was done straight away")
        );
        Ok(())
    }
);

db_test!(
    a_report_in_a_service_outside_the_reporters_scope_is_refused,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let worker = app.signed_in(app.world.email(Role::CareWorker)).await?;
        let token = worker.csrf("/incidents/new").await?;
        let other = app.world.other_service.service_id.to_string();
        let resp = worker
            .post_form(
                "/incidents",
                &[
                    ("csrf_token", &token),
                    ("service_id", &other),
                    ("kind", "near_miss"),
                    ("category", "environment"),
                    ("occurred_date", "2026-11-23"),
                    ("occurred_time", "08:00"),
                    ("description", "x"),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 422);
        let body = resp.text().await?;
        assert_summary_links_resolve(&body);
        assert!(
            body.contains("Choose one of your services") && body.contains("href=\"#service_id\"")
        );
        assert!(
            body.contains("id=\"service_id\""),
            "the summary's link has somewhere to go"
        );
        // The form falls back to the reporter's own service and says what is wrong.
        let other_person = app.world.other_person.to_string();
        let resp = report_form(&worker, &app, &[("affected_person_ids", &other_person)]).await?;
        assert_eq!(resp.status(), 422);
        assert!(
            resp.text()
                .await?
                .contains("Choose people who use Alder House")
        );
        Ok(())
    }
);

db_test!(
    unknown_and_other_organisations_references_are_not_found,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let worker_b = app.signed_in(&app.world.user_b).await?;
        let token = worker_b.csrf("/incidents/new").await?;
        let service_b = app.world.service_b.service_id.to_string();
        let resp = worker_b
            .post_form(
                "/incidents",
                &[
                    ("csrf_token", &token),
                    ("service_id", &service_b),
                    ("kind", "near_miss"),
                    ("category", "environment"),
                    ("occurred_date", "2026-11-23"),
                    ("occurred_time", "08:00"),
                    ("description", "In organisation B"),
                ],
            )
            .await?;
        assert_eq!(
            resp.headers()["location"],
            "/incidents/INC-000001?reported=1"
        );
        let manager_a = app
            .signed_in(app.world.email(Role::HeadOfOperations))
            .await?;
        for path in [
            "/incidents/INC-000001",
            "/incidents/INC-999999",
            "/incidents/not-a-reference",
            "/no-such-page",
        ] {
            let resp = manager_a.get(path).await?;
            assert_eq!(resp.status(), 404, "{path}");
            assert!(resp.text().await?.contains("Page not found"));
        }
        let resp = manager_a
            .get(&format!(
                "/services/{}/incidents",
                app.world.service_b.service_id
            ))
            .await?;
        assert_eq!(resp.status(), 404);
        Ok(())
    }
);

db_test!(
    a_reporter_with_one_service_goes_straight_to_the_form,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let worker = app.signed_in(app.world.email(Role::CareWorker)).await?;
        let body = worker.get("/incidents/new").await?.text().await?;
        assert!(body.contains("At Alder House") && body.contains("What are you reporting?"));
        assert!(body.contains("What was it about?") && body.contains("category-pressure_ulcer"));
        let body = worker
            .get("/incidents/new?kind=incident&category=fall")
            .await?
            .text()
            .await?;
        assert!(body.contains("Incident: Fall</strong> at Alder House"));
        assert!(body.contains("Edna Test, Room 4"));
        assert!(
            body.contains("Did they hit their head?")
                && body.contains("Do they take a blood thinner?")
        );
        let body = worker
            .get("/incidents/new?kind=near_miss&category=choking")
            .await?
            .text()
            .await?;
        assert!(
            !body.contains("Did they hit their head?"),
            "only the chosen category's questions"
        );
        assert!(
            !body.contains("Arthur Test"),
            "people of other services are not listed"
        );
        let head = app
            .signed_in(app.world.email(Role::HeadOfOperations))
            .await?;
        let body = head.get("/incidents/new").await?.text().await?;
        assert!(body.contains("Which service did it happen in?"));
        Ok(())
    }
);

db_test!(
    a_double_tapped_send_files_one_report_but_an_edited_resend_files_another,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let worker = app.signed_in(app.world.email(Role::CareWorker)).await?;
        let form = worker
            .get("/incidents/new?kind=near_miss&category=environment")
            .await?
            .text()
            .await?;
        let token = csrf_in(&form).unwrap();
        let key = {
            let at = form.find("name=\"idempotency_key\" value=\"").unwrap() + 30;
            form[at..].split('"').next().unwrap().to_owned()
        };
        let service = app.world.service.service_id.to_string();
        let fields = |text: &'static str| {
            vec![
                ("csrf_token", token.clone()),
                ("idempotency_key", key.clone()),
                ("service_id", service.clone()),
                ("kind", "near_miss".to_owned()),
                ("category", "environment".to_owned()),
                ("occurred_date", "2026-11-23".to_owned()),
                ("occurred_time", "08:00".to_owned()),
                ("description", text.to_owned()),
            ]
        };
        let send = |f: Vec<(&'static str, String)>| {
            let worker = &worker;
            async move {
                worker
                    .http
                    .post(format!("{}/incidents", worker.base))
                    .form(&f)
                    .send()
                    .await
            }
        };
        let first = send(fields("Loose handrail on the stairs")).await?;
        let second = send(fields("Loose handrail on the stairs")).await?;
        assert_eq!(
            first.headers()["location"],
            "/incidents/INC-000001?reported=1"
        );
        assert_eq!(
            second.headers()["location"],
            "/incidents/INC-000001?reported=1",
            "the repeat is the same report"
        );
        let edited = send(fields("Loose handrail on the stairs and a broken bulb")).await?;
        assert_eq!(
            edited.headers()["location"],
            "/incidents/INC-000002?reported=1",
            "an edited resend is a new report"
        );
        Ok(())
    }
);

db_test!(
    a_manager_enters_a_report_for_a_care_worker_and_both_are_recorded,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let w = &app.world;
        let id_of = |email: &str| {
            let store = app.ctx.store.clone();
            let email = email.to_owned();
            async move {
                anyhow::Ok(
                    store
                        .user_by_email(&email)
                        .await?
                        .unwrap()
                        .user_id
                        .to_string(),
                )
            }
        };
        let (cw, sc, bm) = (
            id_of(w.email(Role::CareWorker)).await?,
            id_of(w.email(Role::SeniorCarer)).await?,
            id_of(w.email(Role::BoardMember)).await?,
        );
        let manager = app.signed_in(w.email(Role::RegisteredManager)).await?;
        let form = manager
            .get("/incidents/new?kind=near_miss&category=environment")
            .await?
            .text()
            .await?;
        assert!(form.contains("Entering this for a colleague?") && form.contains(&cw));
        assert!(
            !form.contains(&bm),
            "only people who report at this service are offered"
        );
        let token = csrf_in(&form).unwrap();
        let service = w.service.service_id.to_string();
        let send = |c: &Client, for_whom: String| {
            let fields = vec![
                ("csrf_token", token.clone()),
                ("service_id", service.clone()),
                ("kind", "near_miss".to_owned()),
                ("category", "environment".to_owned()),
                ("occurred_date", "2026-11-23".to_owned()),
                ("occurred_time", "08:00".to_owned()),
                (
                    "description",
                    "Phoned in: the lift door closed on a wheelchair footplate".to_owned(),
                ),
                ("on_behalf_of", for_whom),
            ];
            let http = c.http.clone();
            let url = format!("{}/incidents", c.base);
            async move { http.post(url).form(&fields).send().await }
        };
        assert_eq!(send(&manager, cw.clone()).await?.status(), 303);
        let worker = app.signed_in(w.email(Role::CareWorker)).await?;
        assert!(
            worker
                .get("/my-reports")
                .await?
                .text()
                .await?
                .contains("INC-000001"),
            "it is the care worker's report"
        );
        let page = manager.get("/incidents/INC-000001").await?.text().await?;
        assert!(page.contains("by Care worker (entered by Registered manager)"));
        let resp = send(&manager, bm).await?;
        assert_eq!(resp.status(), 422);
        assert!(
            resp.text()
                .await?
                .contains("Choose someone who works at Alder House")
        );
        let worker_token = worker
            .csrf("/incidents/new?kind=near_miss&category=environment")
            .await?;
        let resp = worker
            .post_form(
                "/incidents",
                &[
                    ("csrf_token", &worker_token),
                    ("service_id", &service),
                    ("kind", "near_miss"),
                    ("category", "environment"),
                    ("occurred_date", "2026-11-23"),
                    ("occurred_time", "08:00"),
                    ("description", "x"),
                    ("on_behalf_of", &sc),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 422);
        assert!(resp.text().await?.contains(
            "Only a senior carer or a manager of this service can enter a report for someone else"
        ));
        let events = app.ctx.store.audit_page(w.org, 0, 10_000).await?;
        let reported = events
            .iter()
            .find(|e| e.action == "incident.reported")
            .unwrap();
        let changes: serde_json::Value =
            serde_json::from_str(reported.details().unwrap_or_default())?;
        assert_eq!(changes["reported_by"]["after"], cw.as_str());
        assert!(changes["entered_by"]["after"].is_string());
        Ok(())
    }
);
