//! Openness with the person and their family: recorded by reviewers on the
//! incident page, each missing part named, out of reach of care workers.

use crate::helpers::*;
use candour::actions::incidents::report_incident;
use candour_domain::incident::{IncidentReference, ReportDraft};
use candour_domain::role::Role;

async fn reported(app: &TestApp, affected: bool) -> anyhow::Result<IncidentReference> {
    let worker = app.actor(app.world.email(Role::CareWorker)).await?;
    let draft = ReportDraft {
        kind: "incident".into(),
        category: "fall".into(),
        details: fall_details(),
        service_id: app.world.service.service_id.to_string(),
        occurred_at: "2026-11-23T07:00:00Z".into(),
        description: "Slipped on a wet floor".into(),
        immediate_actions: "Checked for injury".into(),
        affected_person_ids: if affected {
            vec![app.world.person.to_string()]
        } else {
            Vec::new()
        },
        ..ReportDraft::default()
    };
    Ok(report_incident(&app.ctx, &worker, &draft)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .reference)
}

db_test!(
    a_manager_records_who_was_told_how_and_the_apology,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let r = reported(&app, true).await?;
        let manager = app
            .signed_in(app.world.email(Role::RegisteredManager))
            .await?;
        let page = manager.text(&format!("/incidents/{r}")).await?;
        assert!(page.contains("Telling the person and their family"));
        assert!(page.contains("Nothing recorded yet."));
        let csrf = csrf_in(&page).unwrap();

        // Nothing chosen: the first question is named and linked.
        let resp = manager
            .post_form(
                &format!("/incidents/{r}/openness"),
                &[("csrf_token", &csrf)],
            )
            .await?;
        assert_eq!(resp.status(), 422);
        let body = resp.text().await?;
        assert!(body.contains("Say whether they have been told"), "{body}");
        assert_summary_links_resolve(&body);

        // Told, but the parts are missing or wrong: each is named, and what was typed stays.
        let resp = manager
            .post_form(
                &format!("/incidents/{r}/openness"),
                &[
                    ("csrf_token", &csrf),
                    ("told", "yes"),
                    ("who", ""),
                    ("told_date", "2026-11-22"),
                    ("told_time", "09:00"),
                    ("how", ""),
                    ("what", "We are reviewing the floor cleaning rota"),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 422);
        let body = resp.text().await?;
        for msg in [
            "Say who was told",
            "Choose how they were told",
            "They cannot have been told before it happened",
        ] {
            assert!(body.contains(msg), "{msg}");
        }
        assert!(body.contains("We are reviewing the floor cleaning rota"));
        assert_summary_links_resolve(&body);

        let resp = manager
            .post_form(
                &format!("/incidents/{r}/openness"),
                &[
                    ("csrf_token", &csrf),
                    ("told", "yes"),
                    ("who", "Her daughter, who holds lasting power of attorney"),
                    ("told_date", "2026-11-23"),
                    ("told_time", "08:45"),
                    ("how", "phone"),
                    (
                        "what",
                        "She slipped on a wet floor; no injury; the floor is now dry-mopped after lunch.",
                    ),
                    ("apology", "yes"),
                    ("questions", "Asked to be rung if it happens again"),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 303);
        let page = manager.text(&format!("/incidents/{r}")).await?;
        assert!(
            page.contains(
                "Told: Her daughter, who holds lasting power of attorney, by phone 23 Nov 2026"
            ),
            "{page}"
        );
        assert!(page.contains("An apology was given."));
        assert!(page.contains("Asked to be rung if it happens again"));

        // Not told yet needs a reason, and is then shown with it.
        let resp = manager
            .post_form(
                &format!("/incidents/{r}/openness"),
                &[("csrf_token", &csrf), ("told", "no")],
            )
            .await?;
        assert!(
            resp.text()
                .await?
                .contains("Say why they have not been told yet")
        );

        let history = manager.text(&format!("/incidents/{r}/history")).await?;
        assert!(history.contains("incident openness recorded"), "{history}");
        Ok(())
    }
);

db_test!(
    openness_is_for_reviewers_and_offered_only_when_someone_was_affected,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let r = reported(&app, true).await?;
        let worker = app.signed_in(app.world.email(Role::CareWorker)).await?;
        let page = worker.text(&format!("/incidents/{r}")).await?;
        assert!(!page.contains("Telling the person and their family"));
        let csrf = csrf_in(&page).unwrap();
        let resp = worker
            .post_form(
                &format!("/incidents/{r}/openness"),
                &[
                    ("csrf_token", &csrf),
                    ("told", "no"),
                    ("not_told_reason", "x"),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 404);

        let no_one = reported(&app, false).await?;
        let manager = app
            .signed_in(app.world.email(Role::RegisteredManager))
            .await?;
        let page = manager.text(&format!("/incidents/{no_one}")).await?;
        assert!(!page.contains("Telling the person and their family"));
        Ok(())
    }
);
