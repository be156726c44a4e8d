//! Records retention: the periods are settings never under RIDDOR's three
//! years; a closed incident is destroyed only once its period has ended,
//! every part of its record with it, audited; an open one never.

use crate::helpers::*;
use candour::actions::workflow::{MoveInput, move_incident};
use candour_domain::incident::IncidentReference;
use candour_domain::role::Role;
use candour_domain::workflow::Move;
use serde_json::json;

async fn close(app: &TestApp, r: IncidentReference) -> anyhow::Result<()> {
    let manager = app.actor(app.world.email(Role::RegisteredManager)).await?;
    let input = MoveInput {
        note: "Reviewed at the huddle.".into(),
        recommendations: "Check mats on the morning round.".into(),
        feedback: "Thank you: mats are now checked every morning.".into(),
    };
    for mv in [Move::StartReview, Move::RequestSignOff, Move::Close] {
        let version = app
            .ctx
            .store
            .incident_by_reference(app.world.org, r)
            .await?
            .unwrap()
            .version;
        move_incident(&app.ctx, &manager, r, mv, &input, version)
            .await
            .map_err(|e| anyhow::anyhow!("{mv:?}: {e}"))?;
    }
    Ok(())
}

async fn rows(app: &TestApp, table: &str, r: IncidentReference) -> anyhow::Result<i64> {
    let id = match app
        .ctx
        .store
        .incident_by_reference(app.world.org, r)
        .await?
    {
        Some(i) => i.incident_id,
        None => return Ok(0),
    };
    Ok(app.ctx.store.count_rows_for_incident(table, id).await?)
}

db_test!(
    the_retention_periods_refuse_less_than_riddors_three_years,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let admin = app.signed_in(app.world.email(Role::Administrator)).await?;
        let csrf = admin.csrf("/settings").await?;
        let resp = admin
            .post_form(
                "/settings/retention",
                &[
                    ("csrf_token", &csrf),
                    ("incident_years", "2"),
                    ("serious_years", "20"),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 422);
        let page = resp.text().await?;
        assert!(page.contains("RIDDOR requires a record of every reportable incident"));
        assert!(page.contains("href=\"#incident_years\""));
        assert_summary_links_resolve(&page);
        let resp = admin
            .post_form(
                "/settings/retention",
                &[
                    ("csrf_token", &csrf),
                    ("incident_years", "3"),
                    ("serious_years", "6"),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 303);
        let page = admin.text("/settings").await?;
        assert!(page.contains("id=\"incident_years\" name=\"incident_years\" type=\"text\" inputmode=\"numeric\" value=\"3\""));
        let manager = app
            .signed_in(app.world.email(Role::RegisteredManager))
            .await?;
        let csrf = manager.csrf("/").await?;
        let resp = manager
            .post_form(
                "/settings/retention",
                &[
                    ("csrf_token", &csrf),
                    ("incident_years", "3"),
                    ("serious_years", "3"),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 403);
        Ok(())
    }
);

db_test!(
    a_closed_incident_is_destroyed_whole_only_when_its_retention_ends,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let admin = app.actor(app.world.email(Role::Administrator)).await?;
        candour::actions::settings::save_retention(
            &app.ctx,
            &admin,
            &candour_domain::retention::RetentionDraft {
                incident_years: "4".into(),
                serious_years: "4".into(),
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;

        // A RIDDOR-reportable fall (taken to hospital), its report made; a
        // plain fall; and one still open. The first two are closed today.
        let riddor = minor_fall(&app, "Slipped on a wet floor by the kitchen").await?;
        let token = token_for(&app, app.world.email(Role::RegisteredManager)).await?;
        let resp = api_put(
            &app,
            &token,
            &format!("/api/v1/incidents/{riddor}/assessment"),
            &json!({"version": 0, "facts": {"person_type": "service_user", "died": false, "accident": true,
                "work_related": true, "work_related_rationale": "The floor had just been mopped with no sign out.",
                "taken_to_hospital_for_treatment": true, "accident_at_hospital": false}}),
        )
        .await?;
        assert_eq!(resp.status(), 200);
        let resp = api_post(
            &app,
            &token,
            &format!("/api/v1/incidents/{riddor}/duties/riddor_report/steps"),
            &json!({"kind": "submitted", "at": "2026-11-23T09:15:00Z", "method": "online", "reference": "HSE-12345"}),
        )
        .await?;
        assert_eq!(resp.status(), 200, "{}", resp.text().await?);
        let resp = api_post(
            &app,
            &token,
            &format!("/api/v1/incidents/{riddor}/addenda"),
            &json!({"text": "She was discharged the same evening."}),
        )
        .await?;
        assert!(resp.status().is_success());
        let plain = minor_fall(&app, "Lowered to the floor during a transfer").await?;
        let open = minor_fall(&app, "Found sitting on the floor").await?;
        close(&app, riddor).await?;
        close(&app, plain).await?;
        assert!(rows(&app, "duty_step", riddor).await? > 0);
        assert!(rows(&app, "incident_person", riddor).await? > 0);

        // An hour short of three years: not even reviewed yet.
        app.clock.advance((3 * 365 + 1) * 24 * 3600 - 3600);
        let review = || candour::actions::retention::review(&app.ctx, app.world.org);
        let destroy = || candour::actions::retention::destroy_due(&app.ctx, app.world.org);
        assert!(
            review()
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?
                .is_empty()
        );

        // Three years on: reviewed, but kept for the organisation's four years.
        app.clock.advance(2 * 3600);
        let list = review().await.map_err(|e| anyhow::anyhow!("{e}"))?;
        assert_eq!(list.len(), 2, "the open incident is not reviewed");
        let kept = list.iter().find(|x| x.reference == riddor).unwrap();
        assert!(kept.riddor);
        assert!(
            kept.verdict
                .as_ref()
                .is_err_and(|m| m.contains("kept until 23 Nov 2030") && m.contains("RIDDOR")),
            "{:?}",
            kept.verdict
        );
        assert!(
            destroy()
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?
                .is_empty()
        );

        // At the shortest period allowed, both closed records go, whole; the open one stays.
        candour::actions::settings::save_retention(
            &app.ctx,
            &admin,
            &candour_domain::retention::RetentionDraft {
                incident_years: "3".into(),
                serious_years: "3".into(),
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        // A legal hold keeps one whatever its period, until released.
        let hold = |on: bool, why: &'static str| {
            candour::actions::retention::set_legal_hold(
                &app.ctx,
                app.world.org,
                "INC-000002",
                (on, why, "Quality lead (command line)"),
            )
        };
        assert_eq!(plain.to_string(), "INC-000002");
        hold(true, "Claim notified by the family's solicitor")
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let list = review().await.map_err(|e| anyhow::anyhow!("{e}"))?;
        let held = list.iter().find(|x| x.reference == plain).unwrap();
        assert_eq!(
            held.verdict,
            Err("It is on legal hold: Claim notified by the family's solicitor".to_owned())
        );
        let done = destroy().await.map_err(|e| anyhow::anyhow!("{e}"))?;
        assert_eq!(done, [riddor]);
        assert!(matches!(
            hold(true, " ").await,
            Err(candour::actions::ActionError::Invalid(_))
        ));
        hold(false, "Claim settled")
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        assert!(matches!(
            hold(false, "Again").await,
            Err(candour::actions::ActionError::Invalid(_))
        ));
        let done = destroy().await.map_err(|e| anyhow::anyhow!("{e}"))?;
        assert_eq!(done, [plain]);
        for r in [riddor, plain] {
            assert!(
                app.ctx
                    .store
                    .incident_by_reference(app.world.org, r)
                    .await?
                    .is_none()
            );
        }
        assert!(
            app.ctx
                .store
                .incident_by_reference(app.world.org, open)
                .await?
                .is_some()
        );
        let left = app.ctx.store.rows_without_incident().await?;
        assert_eq!(left, 0, "no row points at a destroyed incident");
        let events = app.ctx.store.audit_page(app.world.org, 0, 10_000).await?;
        let destroyed: Vec<String> = events
            .iter()
            .filter(|e| e.action == "incident.destroyed")
            .map(|e| e.details().unwrap_or_default().to_owned())
            .collect();
        assert_eq!(destroyed.len(), 2);
        // Their events stay, naming the fields changed, but what was written is gone.
        for gone in events.iter().filter(|e| e.action == "incident.destroyed") {
            let before: Vec<_> = events
                .iter()
                .filter(|e| e.record_id == gone.record_id && e.sequence < gone.sequence)
                .collect();
            assert!(!before.is_empty());
            for e in before {
                assert_eq!(e.details(), None, "{} kept its values", e.action);
                assert!(!e.field_names().is_empty());
            }
        }
        assert!(
            events
                .iter()
                .any(|e| e.action == "incident.legal_hold_placed")
        );
        assert!(
            events
                .iter()
                .any(|e| e.action == "incident.legal_hold_released")
        );
        assert!(
            destroyed[0].contains(&riddor.to_string()) && destroyed[0].contains("\"riddor\":true")
        );
        let chains = candour::actions::audit::verify_all(&app.ctx.store, &[])
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        assert!(chains.iter().all(|c| c.broken.is_none()));
        // Reports still search and list without them.
        let manager = app
            .signed_in(app.world.email(Role::RegisteredManager))
            .await?;
        assert_eq!(
            manager.get(&format!("/incidents/{open}")).await?.status(),
            200
        );
        assert_eq!(
            manager.get(&format!("/incidents/{riddor}")).await?.status(),
            404
        );
        Ok(())
    }
);
