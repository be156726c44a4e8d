//! Action plans: SMART actions from incidents or straight into a service's
//! improvement plan, evidence and effectiveness, the closing guard, and
//! escalation when overdue.

use crate::helpers::*;
use candour::actions::improvement::escalate_overdue_actions;
use candour_domain::incident::IncidentReference;
use candour_domain::role::Role;

async fn triaged(app: &TestApp) -> anyhow::Result<IncidentReference> {
    minor_fall(app, "Slipped on a wet floor").await
}

fn version_in(page: &str, after: &str) -> String {
    let start = page.find(after).unwrap();
    let at = page[start..].find("name=\"version\" value=\"").unwrap() + start + 22;
    page[at..].split('"').next().unwrap().to_owned()
}

db_test!(
    an_action_from_an_incident_must_be_done_or_in_the_plan_before_closing,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let r = triaged(&app).await?;
        let senior = app
            .actor(app.world.email(Role::SeniorCarer))
            .await?
            .user_id
            .to_string();
        let manager = app
            .signed_in(app.world.email(Role::RegisteredManager))
            .await?;
        let page = manager
            .get(&format!("/incidents/{r}"))
            .await?
            .text()
            .await?;
        let csrf = csrf_in(&page).unwrap();
        let resp = manager
            .post_form(
                &format!("/incidents/{r}/actions"),
                &[
                    ("csrf_token", &csrf),
                    ("title", "Dry-mop rota after lunch"),
                    (
                        "action_description",
                        "Domestic dry-mops the dining room by 14:00; checked daily.",
                    ),
                    ("owner", &senior),
                    ("due_on", "2026-11-20"),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 422);
        let page = resp.text().await?;
        assert!(page.contains("The action cannot be due before the incident happened"));
        assert_summary_links_resolve(&page);
        let resp = manager
            .post_form(
                &format!("/incidents/{r}/actions"),
                &[
                    ("csrf_token", &csrf),
                    ("title", "Dry-mop rota after lunch"),
                    (
                        "action_description",
                        "Domestic dry-mops the dining room by 14:00; checked daily.",
                    ),
                    ("owner", &senior),
                    ("due_on", "2026-11-30"),
                    ("themes", "risk_assessment"),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 303);
        let page = manager
            .get(&format!("/incidents/{r}"))
            .await?
            .text()
            .await?;
        assert!(page.contains("ACT-000001") && page.contains("Dry-mop rota after lunch"));
        let senior_c = app.signed_in(app.world.email(Role::SeniorCarer)).await?;
        assert!(
            senior_c
                .get("/my-reports")
                .await?
                .text()
                .await?
                .contains("An action was given to you: ACT-000001")
        );
        // Opening the action marks that news read.
        let senior_id = app.actor(app.world.email(Role::SeniorCarer)).await?.user_id;
        let unread = async || -> anyhow::Result<usize> {
            Ok(app
                .ctx
                .store
                .notifications(senior_id, 10)
                .await?
                .iter()
                .filter(|n| !n.read)
                .count())
        };
        assert_eq!(unread().await?, 1);
        assert_eq!(senior_c.get("/actions/ACT-000001").await?.status(), 200);
        assert_eq!(unread().await?, 0);

        // Into sign-off: closing is refused while the action is open outside the plan.
        for (mv, note) in [("start_review", ""), ("request_sign_off", "Reviewed")] {
            let page = manager
                .get(&format!("/incidents/{r}"))
                .await?
                .text()
                .await?;
            let v = version_in(&page, "name=\"move\"");
            manager
                .post_form(
                    &format!("/incidents/{r}/moves"),
                    &[
                        ("csrf_token", &csrf),
                        ("version", &v),
                        ("move", mv),
                        ("note", note),
                    ],
                )
                .await?;
        }
        let page = manager
            .get(&format!("/incidents/{r}"))
            .await?
            .text()
            .await?;
        let v = version_in(&page, "Sign off and close");
        let close = [
            ("csrf_token", csrf.as_str()),
            ("version", v.as_str()),
            ("move", "close"),
            ("note", "Done"),
            ("feedback", "Thank you: a mopping rota is in place."),
        ];
        let resp = manager
            .post_form(&format!("/incidents/{r}/moves"), &close)
            .await?;
        assert_eq!(resp.status(), 409);
        assert!(
            resp.text()
                .await?
                .contains("1 action is still open: complete it or carry it into the service&#39;s improvement plan (ACT-000001)")
        );
        // Carry it into the plan: now it may close.
        let action = manager.get("/actions/ACT-000001").await?.text().await?;
        let av = version_in(&action, "Update it");
        let resp = manager
            .post_form(
                "/actions/ACT-000001",
                &[
                    ("csrf_token", &csrf),
                    ("version", &av),
                    ("status", "in_progress"),
                    ("in_plan", "yes"),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 303);
        let resp = manager
            .post_form(&format!("/incidents/{r}/moves"), &close)
            .await?;
        assert_eq!(resp.status(), 303);
        let plan = manager
            .get(&format!(
                "/services/{}/improvement-plan",
                app.world.service.service_id
            ))
            .await?
            .text()
            .await?;
        assert!(plan.contains("ACT-000001") && plan.contains("In the improvement plan"));
        Ok(())
    }
);

db_test!(
    done_needs_evidence_and_effectiveness_is_checked_after,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let senior = app
            .actor(app.world.email(Role::SeniorCarer))
            .await?
            .user_id
            .to_string();
        let manager = app
            .signed_in(app.world.email(Role::RegisteredManager))
            .await?;
        let path = format!(
            "/services/{}/improvement-plan",
            app.world.service.service_id
        );
        let csrf = manager.csrf(&path).await?;
        let resp = manager
            .post_form(
                &path,
                &[
                    ("csrf_token", &csrf),
                    ("title", "Sensor mats for three rooms"),
                    ("action_description", "Order and fit; test weekly."),
                    ("owner", &senior),
                    ("due_on", "2026-12-04"),
                    ("themes", "equipment"),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 303);
        // The owner, a senior carer, updates it.
        let owner = app.signed_in(app.world.email(Role::SeniorCarer)).await?;
        let page = owner.get("/actions/ACT-000001").await?.text().await?;
        assert!(
            page.contains("In the improvement plan"),
            "made in the plan, so in it"
        );
        let v = version_in(&page, "Update it");
        let csrf = csrf_in(&page).unwrap();
        let resp = owner
            .post_form(
                "/actions/ACT-000001",
                &[
                    ("csrf_token", &csrf),
                    ("version", &v),
                    ("status", "done"),
                    ("effectiveness", "worked"),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 422);
        assert!(resp.text().await?.contains("Say what shows it is done"));
        let resp = owner
            .post_form(
                "/actions/ACT-000001",
                &[
                    ("csrf_token", &csrf),
                    ("version", &v),
                    ("status", "done"),
                    ("evidence", "Fitted 2 Dec; test log signed."),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 303);
        let page = owner.get("/actions/ACT-000001").await?.text().await?;
        let v2 = version_in(&page, "Update it");
        let stale = owner
            .post_form(
                "/actions/ACT-000001",
                &[
                    ("csrf_token", &csrf),
                    ("version", &v),
                    ("status", "done"),
                    ("effectiveness", "worked"),
                ],
            )
            .await?;
        assert_eq!(stale.status(), 409, "no silent overwrite");
        let resp = owner
            .post_form(
                "/actions/ACT-000001",
                &[
                    ("csrf_token", &csrf),
                    ("version", &v2),
                    ("status", "done"),
                    ("effectiveness", "worked"),
                    (
                        "effectiveness_note",
                        "No unwitnessed falls in those rooms since",
                    ),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 303);
        let page = owner.get("/actions/ACT-000001").await?.text().await?;
        assert!(page.contains("It worked: No unwitnessed falls in those rooms since"));
        // A care worker neither sees the plan nor someone else's action.
        let worker = app.signed_in(app.world.email(Role::CareWorker)).await?;
        assert_eq!(worker.get(&path).await?.status(), 403);
        assert_eq!(worker.get("/actions/ACT-000001").await?.status(), 404);
        Ok(())
    }
);

db_test!(an_overdue_action_is_escalated_like_a_review, |engine| {
    let app = TestApp::spawn(engine).await?;
    let senior = app
        .actor(app.world.email(Role::SeniorCarer))
        .await?
        .user_id
        .to_string();
    let manager = app
        .signed_in(app.world.email(Role::RegisteredManager))
        .await?;
    let path = format!(
        "/services/{}/improvement-plan",
        app.world.service.service_id
    );
    let csrf = manager.csrf(&path).await?;
    manager
        .post_form(
            &path,
            &[
                ("csrf_token", &csrf),
                ("title", "Retrain night staff on hoists"),
                ("action_description", "Two sessions; sign-off sheet."),
                ("owner", &senior),
                ("due_on", "2026-11-24"),
            ],
        )
        .await?;
    let tell = |app: &TestApp| {
        let ctx = app.ctx.clone();
        async move {
            escalate_overdue_actions(&ctx)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))
        }
    };
    assert_eq!(tell(&app).await?, 0, "not overdue yet");
    app.clock.advance(2 * 86_400); // Wednesday: due yesterday.
    assert_eq!(tell(&app).await?, 2, "the registered manager and the owner");
    assert_eq!(tell(&app).await?, 0, "once");
    app.clock.advance(86_400); // Thursday: a working day on.
    assert_eq!(tell(&app).await?, 1, "the regional manager");
    let owner = app.signed_in(app.world.email(Role::SeniorCarer)).await?;
    let mine = owner.get("/my-reports").await?.text().await?;
    assert!(mine.contains("An action is overdue: ACT-000001"));
    let emails = app.ctx.store.emails(app.world.org).await?;
    assert!(
        emails
            .iter()
            .any(|e| e.subject == "Action ACT-000001 at Alder House: is overdue")
    );
    Ok(())
});

db_test!(
    one_action_can_answer_several_reports_of_its_service,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let first = triaged(&app).await?;
        let second = minor_fall(&app, "Slipped by the same wet patch").await?;
        let head = app.actor(app.world.email(Role::HeadOfOperations)).await?;
        let elsewhere = candour::actions::incidents::report_incident(
            &app.ctx,
            &head,
            &candour_domain::incident::ReportDraft {
                kind: "near_miss".into(),
                category: "equipment".into(),
                service_id: app.world.other_service.service_id.to_string(),
                occurred_at: "2026-11-23T08:00:00Z".into(),
                description: "Wet floor sign missing".into(),
                immediate_actions: "Sign found".into(),
                ..candour_domain::incident::ReportDraft::default()
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .reference;
        let senior = app.actor(app.world.email(Role::SeniorCarer)).await?.user_id;
        let manager = app.actor(app.world.email(Role::RegisteredManager)).await?;
        candour::actions::improvement::add_action(
            &app.ctx,
            &manager,
            candour::actions::improvement::From::Incident(first),
            &candour_domain::improvement::ActionDraft {
                title: "Dry-mop rota after lunch".into(),
                description: "Domestic dry-mops the dining room by 14:00; checked daily.".into(),
                owner: senior.to_string(),
                due_on: "2026-11-30".into(),
                ..Default::default()
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;

        let web = app
            .signed_in(app.world.email(Role::RegisteredManager))
            .await?;
        let page = web.text("/actions/ACT-000001").await?;
        assert!(page.contains("Link another report"));
        assert_ids_unique(&page);
        let csrf = csrf_in(&page).unwrap();
        let link = |typed: &'static str| {
            let csrf = csrf.clone();
            let web = &web;
            async move {
                web.post_form(
                    "/actions/ACT-000001/incidents",
                    &[("csrf_token", csrf.as_str()), ("incident", typed)],
                )
                .await
            }
        };
        for (typed, says) in [
            ("the wet one", "reference, like INC-000123"),
            (
                "INC-999999",
                "There is no report INC-999999 that you review",
            ),
            ("INC-000001", "INC-000001 is already linked to this action"),
        ] {
            let resp = link(typed).await?;
            assert_eq!(resp.status(), 422, "{typed}");
            let body = resp.text().await?;
            assert!(body.contains(says), "{typed}: {body}");
            assert_summary_links_resolve(&body);
        }
        let resp = link("INC-000002").await?;
        assert_eq!(resp.status(), 303);
        let page = web.text("/actions/ACT-000001").await?;
        assert!(
            page.contains("href=\"/incidents/INC-000001\"")
                && page.contains("href=\"/incidents/INC-000002\"")
        );
        let page = web.text(&format!("/incidents/{second}")).await?;
        assert!(
            page.contains("ACT-000001"),
            "the second report lists the action"
        );

        // Another service's report is refused by name, even for someone who
        // reviews both; the action's owner cannot link; nor can another
        // organisation.
        let token = token_for(&app, app.world.email(Role::HeadOfOperations)).await?;
        let resp = api_post(
            &app,
            &token,
            "/api/v1/actions/ACT-000001/incidents",
            &serde_json::json!({"incident": elsewhere.to_string()}),
        )
        .await?;
        assert_eq!(resp.status(), 422);
        let p: serde_json::Value = resp.json().await?;
        assert_eq!(p["errors"][0]["field"], "incident");
        assert!(
            p["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains(" is at "),
            "{p}"
        );
        let owner = token_for(&app, app.world.email(Role::SeniorCarer)).await?;
        let resp = api_post(
            &app,
            &owner,
            "/api/v1/actions/ACT-000001/incidents",
            &serde_json::json!({"incident": "INC-000002"}),
        )
        .await?;
        assert_eq!(
            resp.status(),
            422,
            "the senior carer reviews the service, but it is already linked"
        );
        let other = token_for(&app, &app.world.user_b.clone()).await?;
        let resp = api_post(
            &app,
            &other,
            "/api/v1/actions/ACT-000001/incidents",
            &serde_json::json!({"incident": "INC-000002"}),
        )
        .await?;
        assert_eq!(resp.status(), 404);
        let audit = app
            .ctx
            .store
            .audit_page(app.world.org, 0, 1_000_000)
            .await?
            .into_iter()
            .filter(|e| e.action == "action.incident_linked")
            .count();
        assert_eq!(audit, 1);
        Ok(())
    }
);
