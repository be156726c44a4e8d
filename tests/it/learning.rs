//! Learning logs, reflective practice, the person's involvement in a
//! review, and supervision reflections kept private.

use crate::helpers::*;
use candour_domain::role::Role;

db_test!(
    a_learning_log_that_changes_support_asks_for_a_review,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let person = app.world.person;
        let worker = app.signed_in(app.world.email(Role::CareWorker)).await?;
        let register = worker
            .text(&format!(
                "/services/{}/people",
                app.world.service.service_id
            ))
            .await?;
        assert!(register.contains(&format!("href=\"/people/{person}/learning-log\"")));
        let page = worker
            .text(&format!("/people/{person}/learning-log"))
            .await?;
        assert_ids_unique(&page);
        let csrf = csrf_in(&page).unwrap();
        let path = format!("/people/{person}/learning-log");
        let resp = worker
            .post_form(&path, &[("csrf_token", &csrf), ("activity", "Swimming")])
            .await?;
        assert_eq!(resp.status(), 422);
        let body = resp.text().await?;
        for f in [
            "tried",
            "worked",
            "did_not_work",
            "will_change",
            "changes_support",
        ] {
            assert!(body.contains(&format!("href=\"#{f}\"")), "{f}");
        }
        assert!(body.contains("value=\"Swimming\""));
        let resp = worker
            .post_form(
                &path,
                &[
                    ("csrf_token", &csrf),
                    ("activity", "Swimming more independently"),
                    ("tried", "Changing in the family room with one carer nearby"),
                    ("worked", "She chose her own kit and timed her lengths"),
                    ("did_not_work", "The busy Saturday session"),
                    ("will_change", "Go on Tuesday mornings; one carer poolside"),
                    ("changes_support", "yes"),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 303);
        let page = worker.text(&path).await?;
        assert!(page.contains("Swimming more independently") && page.contains("Care worker,"));
        assert!(page.contains("1 learning log since their last review changes their support"));

        let manager = app
            .signed_in(app.world.email(Role::RegisteredManager))
            .await?;
        let person_page = manager.text(&format!("/people/{person}")).await?;
        assert!(
            person_page.contains("A learning log since their last review changes their support")
        );
        let mcsrf = csrf_in(&person_page).unwrap();
        app.clock.advance(60);
        let resp = manager
            .post_form(
                &format!("/people/{person}/risk-review"),
                &[
                    ("csrf_token", &mcsrf),
                    ("risk_assessment_updated", "yes"),
                    ("care_plan_updated", "yes"),
                    ("outcome", "Swimming plan added to her care plan"),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 303);
        assert!(
            !manager
                .text(&format!("/people/{person}"))
                .await?
                .contains("A learning log since their last review")
        );

        let stranger = app.signed_in(&app.world.user_b).await?;
        assert_eq!(stranger.get(&path).await?.status(), 404);
        Ok(())
    }
);

db_test!(
    reflective_practice_and_involvement_are_recorded_for_an_incident,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let r = minor_fall(&app, "Slipped in the dining room").await?;
        let manager = app
            .signed_in(app.world.email(Role::RegisteredManager))
            .await?;
        assert!(
            manager
                .text(&format!("/incidents/{r}"))
                .await?
                .contains(&format!("href=\"/incidents/{r}/reflection\""))
        );
        let page = manager.text(&format!("/incidents/{r}/reflection")).await?;
        assert_ids_unique(&page);
        let csrf = csrf_in(&page).unwrap();
        let resp = manager
            .post_form(
                &format!("/incidents/{r}/reflection/practice"),
                &[
                    ("csrf_token", &csrf),
                    ("held_on", "2026-11-01"),
                    ("participants", "Day team"),
                    ("reflections", "Floors are mopped during lunch"),
                    ("changes", "Mop after lunch"),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 422);
        assert!(
            resp.text()
                .await?
                .contains("between the incident and today")
        );
        let resp = manager
            .post_form(
                &format!("/incidents/{r}/reflection/practice"),
                &[
                    ("csrf_token", &csrf),
                    ("held_on", "2026-11-23"),
                    ("participants", "Day team and the housekeeper"),
                    ("reflections", "Floors are mopped during lunch"),
                    ("changes", "Mop after lunch, signs out"),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 303);
        let resp = manager
            .post_form(
                &format!("/incidents/{r}/reflection/involvement"),
                &[("csrf_token", &csrf), ("who", "representative")],
            )
            .await?;
        assert_eq!(resp.status(), 422);
        let body = resp.text().await?;
        assert!(body.contains("href=\"#representative\""), "{body}");
        let resp = manager
            .post_form(
                &format!("/incidents/{r}/reflection/involvement"),
                &[
                    ("csrf_token", &csrf),
                    ("who", "representative"),
                    ("representative", "Her daughter"),
                    ("views", "The floor is often wet at lunch"),
                    ("wishes", "Non-slip mats by the servery"),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 303);
        let page = manager.text(&format!("/incidents/{r}/reflection")).await?;
        assert!(
            page.contains("Session on 23 Nov 2026")
                && page.contains("Day team and the housekeeper")
        );
        assert!(page.contains("Her daughter") && page.contains("Non-slip mats by the servery"));
        let worker = app.signed_in(app.world.email(Role::CareWorker)).await?;
        assert_ne!(
            worker
                .get(&format!("/incidents/{r}/reflection"))
                .await?
                .status(),
            200
        );
        Ok(())
    }
);

db_test!(
    supervision_reflections_are_private_to_the_two_of_them,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let manager = app
            .signed_in(app.world.email(Role::RegisteredManager))
            .await?;
        let page = manager.text("/supervision").await?;
        assert_ids_unique(&page);
        let csrf = csrf_in(&page).unwrap();
        let carer = app
            .actor(app.world.email(Role::SeniorCarer))
            .await?
            .user_id
            .to_string();
        let resp = manager
            .post_form(
                "/supervision",
                &[
                    ("csrf_token", &csrf),
                    ("held_on", "2026-11-24"),
                    ("incident", "yesterday"),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 422);
        let body = resp.text().await?;
        for f in ["staff", "held_on", "incident", "reflection"] {
            assert!(body.contains(&format!("href=\"#{f}\"")), "{f}: {body}");
        }
        let resp = manager
            .post_form(
                "/supervision",
                &[
                    ("csrf_token", &csrf),
                    ("staff", &carer),
                    ("held_on", "2026-11-23"),
                    ("incident", ""),
                    (
                        "reflection",
                        "I gave the 08:00 dose at 09:40 because the round was interrupted",
                    ),
                    ("support", "Protected medicines round; tabard on"),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 303);
        let senior = app.signed_in(app.world.email(Role::SeniorCarer)).await?;
        assert!(
            senior
                .text("/supervision")
                .await?
                .contains("the round was interrupted")
        );
        assert!(
            manager
                .text("/supervision")
                .await?
                .contains("the round was interrupted")
        );
        for other in [
            Role::CareWorker,
            Role::RegionalManager,
            Role::HeadOfOperations,
        ] {
            let c = app.signed_in(app.world.email(other)).await?;
            assert!(
                !c.text("/supervision")
                    .await?
                    .contains("the round was interrupted"),
                "{other:?}"
            );
        }
        let events = app.ctx.store.audit_page(app.world.org, 0, 10_000).await?;
        let e = events
            .iter()
            .find(|e| e.action == "supervision.reflection_recorded")
            .ok_or_else(|| anyhow::anyhow!("not audited"))?;
        assert!(
            !e.details().unwrap_or_default().contains("interrupted"),
            "the audit trail keeps no words of it"
        );
        Ok(())
    }
);
