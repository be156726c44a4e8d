//! Triage: deadlines on working days, the queue, grading with history, and
//! no silent overwrite when two managers triage at once.

use crate::helpers::*;
use candour::actions::incidents::report_incident;
use candour_domain::incident::{IncidentReference, ReportDraft};
use candour_domain::role::Role;

async fn report(app: &TestApp, category: &str, at: &str) -> anyhow::Result<IncidentReference> {
    let worker = app.actor(app.world.email(Role::CareWorker)).await?;
    let mut details = candour_domain::details::RawDetails::new();
    match category {
        "fall" => details = fall_details(),
        "death" => {
            details.insert("expected".into(), vec!["not_known".into()]);
        }
        _ => {}
    }
    let draft = ReportDraft {
        kind: "incident".into(),
        category: category.into(),
        service_id: app.world.service.service_id.to_string(),
        occurred_at: at.into(),
        description: format!("A {category} to triage"),
        immediate_actions: "Made safe".into(),
        affected_person_ids: vec![app.world.person.to_string()],
        details,
        ..ReportDraft::default()
    };
    Ok(report_incident(&app.ctx, &worker, &draft)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .reference)
}

fn grading<'a>(
    csrf: &'a str,
    version: &'a str,
    extra: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("csrf_token", csrf),
        ("version", version),
        ("kind", "incident"),
        ("category", "fall"),
        ("physical_harm", "low"),
        ("psychological_harm", "none"),
        ("consequence", "2"),
        ("likelihood", "3"),
        ("learning_response", "local_review"),
    ];
    for (k, v) in extra {
        f.retain(|(name, _)| name != k);
        f.push((k, v));
    }
    f
}

fn version_in(page: &str) -> String {
    let at = page.find("name=\"version\" value=\"").unwrap() + 22;
    page[at..].split('"').next().unwrap().to_owned()
}

db_test!(
    a_report_is_triaged_from_the_queue_and_its_review_falls_due,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        // Monday 23 Nov 2026, 09:30 UK time.
        let r = report(&app, "fall", "2026-11-23T07:00:00Z").await?;
        let manager = app
            .signed_in(app.world.email(Role::RegisteredManager))
            .await?;
        let queue = manager.get("/triage").await?.text().await?;
        assert!(queue.contains(&r.to_string()));
        assert!(
            queue.contains("Triage: Due in 1 day 14 hours (24 Nov 2026, 23:59)"),
            "due by the end of the next working day: {queue}"
        );
        let form = manager
            .get(&format!("/incidents/{r}/triage"))
            .await?
            .text()
            .await?;
        assert!(form.contains("Similar incidents"));
        assert_ids_unique(&form);
        let (csrf, version) = (csrf_in(&form).unwrap(), version_in(&form));
        let resp = manager
            .post_form(
                &format!("/incidents/{r}/triage"),
                &grading(&csrf, &version, &[]),
            )
            .await?;
        assert_eq!(resp.status(), 303, "{}", resp.text().await?);
        let page = manager
            .get(&format!("/incidents/{r}"))
            .await?
            .text()
            .await?;
        assert!(page.contains("Triaged") && page.contains("6 (Moderate)"));
        assert!(page.contains("Review: due in"), "{page}");
        let incident = app
            .ctx
            .store
            .incident_by_reference(app.world.org, r)
            .await?
            .unwrap();
        let g = incident.grading.unwrap();
        assert_eq!(
            g.review_due_at.to_string(),
            "2026-12-14T23:59:59.999Z",
            "moderate risk: 15 working days"
        );
        let queue = manager.get("/triage").await?.text().await?;
        assert!(queue.contains("Review: Due in"));
        // A care worker cannot triage, or see the queue.
        let worker = app.signed_in(app.world.email(Role::CareWorker)).await?;
        assert_eq!(worker.get("/triage").await?.status(), 403);
        assert_eq!(
            worker
                .get(&format!("/incidents/{r}/triage"))
                .await?
                .status(),
            404
        );
        assert!(
            !worker
                .get(&format!("/incidents/{r}"))
                .await?
                .text()
                .await?
                .contains("6 (Moderate)"),
            "the reporter gets feedback, not the grading"
        );
        Ok(())
    }
);

db_test!(
    the_queue_takes_the_most_pressing_first_before_it_is_cut_short,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        app.clock.advance(4 * 86_400 + 8 * 3600 + 30 * 60); // to Friday 27 Nov, 18:00
        let first = report(&app, "death", "2026-11-27T17:00:00Z").await?;
        let fall = report(&app, "fall", "2026-11-27T17:30:00Z").await?;
        app.clock.advance(3600);
        let second = report(&app, "death", "2026-11-27T18:30:00Z").await?;
        let services = [app.world.service.service_id];
        let queue = app
            .ctx
            .store
            .triage_queue(app.world.org, &services, 2)
            .await?;
        let order: Vec<_> = queue.iter().map(|l| l.summary.reference).collect();
        assert_eq!(order, vec![first, second], "the fall is due on Monday");
        assert!(
            queue
                .iter()
                .all(|l| l.summary.service_name == app.world.service.name),
            "names are joined to those taken"
        );
        let all = app
            .ctx
            .store
            .triage_queue(app.world.org, &services, 10)
            .await?;
        assert_eq!(all.last().map(|l| l.summary.reference), Some(fall));
        Ok(())
    }
);

db_test!(
    deaths_are_due_for_triage_within_four_hours_even_at_the_weekend,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        app.clock.advance(4 * 86_400 + 8 * 3600 + 30 * 60); // to Friday 27 Nov, 18:00
        let r = report(&app, "death", "2026-11-27T17:00:00Z").await?;
        let incident = app
            .ctx
            .store
            .incident_by_reference(app.world.org, r)
            .await?
            .unwrap();
        assert_eq!(
            incident.triage_due_at.map(|t| t.to_string()).as_deref(),
            Some("2026-11-27T22:00:00Z")
        );
        let fall = report(&app, "fall", "2026-11-27T17:30:00Z").await?;
        let incident = app
            .ctx
            .store
            .incident_by_reference(app.world.org, fall)
            .await?
            .unwrap();
        assert_eq!(
            incident.triage_due_at.map(|t| t.to_string()).as_deref(),
            Some("2026-11-30T23:59:59.999Z"),
            "a Friday evening fall is due by the end of Monday"
        );
        let manager = app
            .signed_in(app.world.email(Role::RegisteredManager))
            .await?;
        let queue = manager.get("/triage").await?.text().await?;
        let (death_at, fall_at) = (
            queue.find(&r.to_string()).unwrap(),
            queue.find(&fall.to_string()).unwrap(),
        );
        assert!(death_at < fall_at, "the most pressing first");
        app.clock.advance(5 * 3600);
        let manager = app
            .signed_in(app.world.email(Role::RegisteredManager))
            .await?;
        let queue = manager.get("/triage").await?.text().await?;
        assert!(queue.contains("Overdue by 1 hour"), "{queue}");
        Ok(())
    }
);

db_test!(
    two_managers_triaging_at_once_never_overwrite_each_other,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let r = report(&app, "fall", "2026-11-23T07:00:00Z").await?;
        let first = app
            .signed_in(app.world.email(Role::RegisteredManager))
            .await?;
        let second = app.signed_in(app.world.email(Role::SeniorCarer)).await?;
        let form1 = first
            .get(&format!("/incidents/{r}/triage"))
            .await?
            .text()
            .await?;
        let form2 = second
            .get(&format!("/incidents/{r}/triage"))
            .await?
            .text()
            .await?;
        let v = version_in(&form1);
        assert_eq!(v, version_in(&form2));
        let resp = first
            .post_form(
                &format!("/incidents/{r}/triage"),
                &grading(
                    &csrf_in(&form1).unwrap(),
                    &v,
                    &[("physical_harm", "moderate")],
                ),
            )
            .await?;
        assert_eq!(resp.status(), 303);
        let resp = second
            .post_form(
                &format!("/incidents/{r}/triage"),
                &grading(
                    &csrf_in(&form2).unwrap(),
                    &v,
                    &[("physical_harm", "none"), ("reason", "Looked fine to me")],
                ),
            )
            .await?;
        assert_eq!(resp.status(), 409);
        let page = resp.text().await?;
        assert!(page.contains("Registered manager graded it at 23 Nov 2026, 09:30"));
        assert!(page.contains("What you chose (not saved):</strong> No physical harm"));
        assert!(
            page.contains("Looked fine to me"),
            "what was typed is not lost"
        );
        assert!(
            page.contains("value=\"moderate\" checked"),
            "the form now shows the first decision"
        );
        let incident = app
            .ctx
            .store
            .incident_by_reference(app.world.org, r)
            .await?
            .unwrap();
        assert_eq!(app.ctx.store.gradings(incident.incident_id).await?.len(), 1);

        // Grading again needs a reason, and keeps the first in the history.
        let form = second
            .get(&format!("/incidents/{r}/triage"))
            .await?
            .text()
            .await?;
        let (csrf, v) = (csrf_in(&form).unwrap(), version_in(&form));
        let resp = second
            .post_form(&format!("/incidents/{r}/triage"), &grading(&csrf, &v, &[]))
            .await?;
        assert_eq!(resp.status(), 422);
        let page = resp.text().await?;
        assert_summary_links_resolve(&page);
        assert!(page.contains("Say why the grading is changing"));
        let resp = second
            .post_form(
                &format!("/incidents/{r}/triage"),
                &grading(
                    &csrf,
                    &v,
                    &[
                        ("reason", "X-ray showed a fracture"),
                        ("physical_harm", "severe"),
                        ("consequence", "4"),
                        ("likelihood", "4"),
                    ],
                ),
            )
            .await?;
        assert_eq!(resp.status(), 303);
        let history = app.ctx.store.gradings(incident.incident_id).await?;
        assert_eq!(history.len(), 2);
        assert_eq!(history[1].grading.reason, "X-ray showed a fracture");
        let form = second
            .get(&format!("/incidents/{r}/triage"))
            .await?
            .text()
            .await?;
        assert!(
            form.contains("Earlier gradings")
                && form.contains("Severe physical harm; No psychological harm; risk 16 (Extreme)")
        );
        Ok(())
    }
);

db_test!(a_triage_with_problems_names_each_field, |engine| {
    let app = TestApp::spawn(engine).await?;
    let r = report(&app, "fall", "2026-11-23T07:00:00Z").await?;
    let manager = app
        .signed_in(app.world.email(Role::RegisteredManager))
        .await?;
    let form = manager
        .get(&format!("/incidents/{r}/triage"))
        .await?
        .text()
        .await?;
    let (csrf, v) = (csrf_in(&form).unwrap(), version_in(&form));
    let outsider = app.actor(&app.world.user_b).await?.user_id.to_string();
    let resp = manager
        .post_form(
            &format!("/incidents/{r}/triage"),
            &grading(
                &csrf,
                &v,
                &[
                    ("physical_harm", ""),
                    ("likelihood", "9"),
                    ("learning_response", "no_further_action"),
                ],
            ),
        )
        .await?;
    assert_eq!(resp.status(), 422);
    let page = resp.text().await?;
    assert_summary_links_resolve(&page);
    for message in [
        "Grade the physical harm",
        "Choose a likelihood from 1",
        "Say why no further action is needed",
    ] {
        assert!(page.contains(message), "{message}");
    }
    let resp = manager
        .post_form(
            &format!("/incidents/{r}/triage"),
            &grading(&csrf, &v, &[("handler", &outsider)]),
        )
        .await?;
    assert_eq!(resp.status(), 422, "a handler from another organisation");
    assert!(
        resp.text()
            .await?
            .contains("Choose someone who works at Alder House")
    );
    Ok(())
});

db_test!(
    triage_through_the_api_answers_conflicts_with_who_and_when,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let r = report(&app, "fall", "2026-11-23T07:00:00Z").await?;
        let token = token_for(&app, app.world.email(Role::RegisteredManager)).await?;
        let queue: serde_json::Value = reqwest::Client::new()
            .get(format!("{}/api/v1/triage", app.base))
            .bearer_auth(&token)
            .send()
            .await?
            .json()
            .await?;
        assert_eq!(queue[0]["reference"], r.to_string());
        assert_eq!(queue[0]["due"], "triage");
        assert_eq!(queue[0]["due_at"], "2026-11-24T23:59:59.999Z");
        let body = serde_json::json!({"version": 1, "kind": "incident", "category": "fall",
            "physical_harm": "low", "psychological_harm": "none", "consequence": 2, "likelihood": 2,
            "learning_response": "swarm_huddle"});
        let path = format!("/api/v1/incidents/{r}/triage");
        let resp = api_post(&app, &token, &path, &body).await?;
        assert_eq!(resp.status(), 200);
        let incident: serde_json::Value = resp.json().await?;
        assert_eq!(incident["status"], "triaged");
        assert_eq!(incident["grading"]["risk_score"], 4);
        assert_eq!(incident["grading"]["risk_band"], "moderate");
        assert_eq!(incident["version"], 2);
        let again = api_post(&app, &token, &path, &body).await?;
        assert_eq!(again.status(), 409, "version 1 is stale now");
        let problem: serde_json::Value = again.json().await?;
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains("Registered manager graded it at 23 Nov 2026, 09:30")
        );
        let bad = serde_json::json!({"version": 2, "kind": "incident", "category": "fall",
            "physical_harm": "dreadful", "psychological_harm": "none", "consequence": 7, "likelihood": 2,
            "learning_response": "swarm_huddle", "reason": "New facts"});
        let resp = api_post(&app, &token, &path, &bad).await?;
        assert_eq!(resp.status(), 422);
        let problem: serde_json::Value = resp.json().await?;
        let pointers: Vec<&str> = problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["pointer"].as_str())
            .collect();
        assert_eq!(pointers, ["/physical_harm", "/consequence"]);
        Ok(())
    }
);

/// A report of an equipment incident with `text`, by `email`'s user in `service`.
async fn report_words(
    app: &TestApp,
    email: &str,
    service: &candour::store::organisations::Service,
    text: &str,
) -> anyhow::Result<IncidentReference> {
    let actor = app.actor(email).await?;
    let draft = ReportDraft {
        kind: "incident".into(),
        category: "equipment".into(),
        service_id: service.service_id.to_string(),
        occurred_at: "2026-11-23T07:00:00Z".into(),
        description: text.into(),
        immediate_actions: "Reported at once".into(),
        ..ReportDraft::default()
    };
    Ok(report_incident(&app.ctx, &actor, &draft)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .reference)
}

db_test!(
    reports_with_similar_words_are_shown_while_triaging,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let worker = app.world.email(Role::CareWorker).to_owned();
        let here = app.world.service.clone();
        let this = report_words(
            &app,
            &worker,
            &here,
            "The sensor mat beside the bed did not alarm when she got up.",
        )
        .await?;
        let alike = report_words(
            &app,
            &worker,
            &here,
            "Sensor mats in rooms 4 and 6 were found unplugged at night.",
        )
        .await?;
        let unrelated = report_words(
            &app,
            &worker,
            &here,
            "The hoist sling was frayed and taken out of use.",
        )
        .await?;
        let elsewhere = report_words(
            &app,
            &app.world.user_b.clone(),
            &app.world.service_b.clone(),
            "Sensor mat alarm failed overnight.",
        )
        .await?;
        let manager = app
            .signed_in(app.world.email(Role::RegisteredManager))
            .await?;
        let form = manager.text(&format!("/incidents/{this}/triage")).await?;
        let words = &form[form.find("Reports with similar words").unwrap()..];
        let words = &words[..words.find("</aside>").unwrap()];
        assert!(
            words.contains(&alike.to_string()),
            "a report about sensor mats (stemmed) is found: {words}"
        );
        assert!(
            !words.contains(&unrelated.to_string()),
            "a report sharing only common words is not: {words}"
        );
        assert!(
            !words.contains(&this.to_string()),
            "the report itself is not listed"
        );
        assert!(
            !words.contains(&elsewhere.to_string()),
            "another organisation's reports never appear"
        );
        // Nothing a reporter types is taken as search syntax.
        let odd = report_words(
            &app,
            &worker,
            &here,
            "\"sensor\" OR NEAR(mat) * AND -alarm: col:1 & | !",
        )
        .await?;
        let form = manager.text(&format!("/incidents/{odd}/triage")).await?;
        let words = &form[form.find("Reports with similar words").unwrap()..];
        assert!(words.contains(&alike.to_string()), "{words}");
        Ok(())
    }
);
