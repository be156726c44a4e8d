//! From triage to closure: review, sign-off with recommendations, feedback
//! required before closing, sending back and reopening, each refusal in words.

use crate::helpers::*;
use candour_domain::incident::{IncidentReference, IncidentStatus};
use candour_domain::role::Role;
use serde_json::{Value, json};

async fn triaged(app: &TestApp) -> anyhow::Result<IncidentReference> {
    minor_fall(app, "Slipped in the bathroom").await
}

fn version_of(page: &str) -> String {
    let at = page.find("name=\"version\" value=\"").unwrap() + 22;
    page[at..].split('"').next().unwrap().to_owned()
}

async fn make_move(
    c: &Client,
    r: IncidentReference,
    fields: &[(&str, &str)],
) -> anyhow::Result<reqwest::Response> {
    let page = c.get(&format!("/incidents/{r}")).await?.text().await?;
    let (csrf, version) = (csrf_in(&page).unwrap(), version_of(&page));
    let mut all = vec![("csrf_token", csrf.as_str()), ("version", version.as_str())];
    all.extend_from_slice(fields);
    c.post_form(&format!("/incidents/{r}/moves"), &all).await
}

db_test!(
    a_review_is_signed_off_with_recommendations_and_closes_only_after_feedback,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let r = triaged(&app).await?;
        let manager = app
            .signed_in(app.world.email(Role::RegisteredManager))
            .await?;
        assert_eq!(
            make_move(&manager, r, &[("move", "start_review")])
                .await?
                .status(),
            303
        );
        assert_eq!(
            make_move(
                &manager,
                r,
                &[
                    ("move", "request_sign_off"),
                    ("note", "Bath mat was missing; replaced.")
                ]
            )
            .await?
            .status(),
            303
        );
        let resp = make_move(&manager, r, &[("move", "close"), ("note", "")]).await?;
        assert_eq!(resp.status(), 409);
        let page = resp.text().await?;
        assert!(page.contains("This cannot be done yet"));
        assert!(page.contains("Give the reporter feedback first"));
        assert!(page.contains("Write a sign-off note"));
        let resp = make_move(
            &manager,
            r,
            &[
                ("move", "close"),
                ("note", "Reviewed at the huddle; cause was the missing mat."),
                ("recommendations", "Check bath mats on the morning round."),
                ("feedback", "Thank you: mats are now checked every morning."),
            ],
        )
        .await?;
        assert_eq!(resp.status(), 303);
        let page = manager
            .get(&format!("/incidents/{r}"))
            .await?
            .text()
            .await?;
        assert!(page.contains("Signed off 23 Nov 2026, 09:30 by Registered manager"));
        assert!(page.contains("Recommendations to prevent it happening again"));
        assert!(page.contains("Check bath mats on the morning round."));
        assert!(page.contains("Awaiting sign-off → Closed"));
        let incident = app
            .ctx
            .store
            .incident_by_reference(app.world.org, r)
            .await?
            .unwrap();
        assert_eq!(incident.status, IncidentStatus::Closed);
        assert!(incident.closed_at.is_some());
        let worker = app.signed_in(app.world.email(Role::CareWorker)).await?;
        let mine = worker.get("/my-reports").await?.text().await?;
        assert!(
            mine.contains("mats are now checked every morning"),
            "the reporter has the feedback"
        );

        // Reopening needs a reason, and clears the closing time.
        let resp = make_move(&manager, r, &[("move", "reopen"), ("note", "")]).await?;
        assert_eq!(resp.status(), 409);
        assert!(resp.text().await?.contains("Say why it is being reopened"));
        let resp = make_move(
            &manager,
            r,
            &[("move", "reopen"), ("note", "Fell again the next day")],
        )
        .await?;
        assert_eq!(resp.status(), 303);
        let incident = app
            .ctx
            .store
            .incident_by_reference(app.world.org, r)
            .await?
            .unwrap();
        assert_eq!(
            (incident.status, incident.closed_at),
            (IncidentStatus::UnderReview, None)
        );
        Ok(())
    }
);

db_test!(
    only_managers_sign_off_and_stale_moves_are_conflicts,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let r = triaged(&app).await?;
        let senior = app.signed_in(app.world.email(Role::SeniorCarer)).await?;
        assert_eq!(
            make_move(&senior, r, &[("move", "request_sign_off")])
                .await?
                .status(),
            303
        );
        let page = senior.get(&format!("/incidents/{r}")).await?.text().await?;
        assert!(
            !page.contains("Sign off and close"),
            "a senior carer does not sign off"
        );
        let csrf = csrf_in(&page).unwrap();
        let resp = senior
            .post_form(
                &format!("/incidents/{r}/moves"),
                &[
                    ("csrf_token", &csrf),
                    ("version", "3"),
                    ("move", "close"),
                    ("note", "x"),
                    ("feedback", "y"),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 403);
        let worker = app.signed_in(app.world.email(Role::CareWorker)).await?;
        let csrf = worker.csrf("/my-reports").await?;
        let resp = worker
            .post_form(
                &format!("/incidents/{r}/moves"),
                &[
                    ("csrf_token", &csrf),
                    ("version", "3"),
                    ("move", "start_review"),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 404, "a reporter cannot move their report on");

        // Through the API: a stale version, then a refusal with its reasons.
        let token = token_for(&app, app.world.email(Role::RegisteredManager)).await?;
        let path = format!("/api/v1/incidents/{r}/moves");
        let resp = api_post(&app, &token, &path, &json!({"version": 1, "move": "close"})).await?;
        assert_eq!(resp.status(), 409);
        let p: Value = resp.json().await?;
        assert!(
            p["detail"]
                .as_str()
                .unwrap()
                .contains("Senior carer made it awaiting sign-off")
        );
        let resp = api_post(&app, &token, &path, &json!({"version": 3, "move": "close"})).await?;
        assert_eq!(resp.status(), 409);
        let p: Value = resp.json().await?;
        assert_eq!(p["reasons"].as_array().unwrap().len(), 2, "{p}");
        let resp = api_post(
            &app,
            &token,
            &path,
            &json!({"version": 3, "move": "send_back", "note": "Add the GP's view"}),
        )
        .await?;
        assert_eq!(resp.status(), 200);
        let body: Value = resp.json().await?;
        assert_eq!(body["status"], "under_review");
        let resp = api_post(&app, &token, &path, &json!({"version": 4, "move": "fly"})).await?;
        assert_eq!(resp.status(), 400);
        Ok(())
    }
);
