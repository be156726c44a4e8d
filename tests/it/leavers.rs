//! Leavers: disabling an account ends it at once everywhere (sessions on
//! every instance, API tokens, the PIN, sign-in, alerts, being offered as an
//! owner), keeps its records under its name, and is audited with why.

use crate::helpers::*;
use candour_domain::role::{Role, Scope};
use serde_json::json;

/// Posts the disable or enable form on an account's page.
async fn change(
    c: &Client,
    id: &str,
    what: &str,
    reason: &str,
) -> anyhow::Result<reqwest::Response> {
    let token = c.csrf(&format!("/users/{id}")).await?;
    c.post_form(
        &format!("/users/{id}/{what}"),
        &[("csrf_token", &token), ("reason", reason)],
    )
    .await
}

db_test!(
    a_leaver_disabled_in_the_browser_is_out_everywhere_at_once,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let email = app.world.email(Role::SeniorCarer);
        let leaver = app.actor(email).await?;
        let id = leaver.user_id.to_string();
        // Signed in here and on a second instance on the same database,
        // with an API token and a quick sign-in PIN.
        let here = app.signed_in(email).await?;
        let second = app.second_instance().await?;
        let there = Client::browser(&second.base);
        assert_eq!(there.sign_in(email, PASSWORD).await?.status(), 303);
        assert_eq!(there.get("/").await?.status(), 200);
        let token = token_for(&app, email).await?;
        candour::actions::devices::set_own_pin(&app.ctx, &leaver, PASSWORD, "482915", "482915")
            .await
            .map_err(fail)?;
        let draft = candour_domain::incident::ReportDraft {
            kind: "near_miss".into(),
            category: "equipment".into(),
            service_id: app.world.service.service_id.to_string(),
            occurred_at: "2026-11-23T07:00:00Z".into(),
            description: "Hoist battery left uncharged overnight.".into(),
            ..Default::default()
        };
        let reported = candour::actions::incidents::report_incident(&app.ctx, &leaver, &draft)
            .await
            .map_err(fail)?
            .reference;

        // An email waiting in the outbox for them.
        let mut tx = app.ctx.store.begin().await?;
        candour::store::outbox::enqueue_email(
            &mut tx,
            &candour::store::outbox::NewEmail {
                organisation_id: app.world.org,
                to: email,
                subject: "Waiting",
                body_text: "Waiting to go",
                body_html: None,
            },
            app.ctx.clock.now().as_millisecond(),
        )
        .await?;
        tx.commit().await?;

        let admin = app.signed_in(app.world.email(Role::Administrator)).await?;
        let list = admin.text("/users").await?;
        assert!(list.contains(&format!("href=\"/users/{id}\"")), "{list}");
        let page = admin.text(&format!("/users/{id}")).await?;
        assert!(page.contains("Disable the account"), "{page}");
        let resp = change(&admin, &id, "disable", " ").await?;
        assert_eq!(resp.status(), 422);
        assert!(resp.text().await?.contains("Say why"));
        assert_eq!(here.get("/").await?.status(), 200, "nothing changed yet");
        let resp = change(&admin, &id, "disable", "Left on 30 Nov 2026").await?;
        assert_eq!(resp.status(), 303);

        // Out on the next click, on both instances; the token, the PIN and
        // the password no longer work.
        assert_eq!(here.get("/").await?.status(), 303);
        assert_eq!(there.get("/").await?.status(), 303);
        assert_eq!(
            api_get(&app, &token, "/api/v1/incidents").await?.status(),
            401
        );
        assert!(app.ctx.store.pin(leaver.user_id).await?.is_none());
        let waiting = app.ctx.store.emails(app.world.org).await?;
        let theirs: Vec<_> = waiting.iter().filter(|e| e.to == email).collect();
        assert!(
            !theirs.is_empty() && theirs.iter().all(|e| e.state == "failed"),
            "nothing more goes to them: {theirs:?}"
        );
        let again = app.client();
        let resp = again.sign_in(email, PASSWORD).await?;
        assert_eq!(resp.status(), 422, "the password no longer signs in");
        // Not offered as an owner or lead, not alerted; their records keep their name.
        let offered = candour::actions::incidents::staff_of_service(&app.ctx, &app.world.service)
            .await
            .map_err(fail)?;
        assert!(!offered.iter().any(|(u, _)| *u == leaver.user_id));
        let manager = app
            .signed_in(app.world.email(Role::RegisteredManager))
            .await?;
        let report = manager.text(&format!("/incidents/{reported}")).await?;
        assert!(report.contains(&leaver.display_name), "{report}");
        let audit = admin.text(&format!("/users/{id}")).await?;
        assert!(audit.contains("Disabled") && audit.contains("Enable the account"));

        // Disabled twice: a clear answer, nothing changed.
        let resp = change(&admin, &id, "disable", "Again").await?;
        assert_eq!(resp.status(), 409);
        // Enabled again, they sign in with their password.
        let resp = change(&admin, &id, "enable", "Came back on 7 Dec 2026").await?;
        assert_eq!(resp.status(), 303);
        assert_eq!(again.sign_in(email, PASSWORD).await?.status(), 303);
        let events = app
            .ctx
            .store
            .audit_for_record(app.world.org, "user", &id)
            .await?;
        let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
        assert!(
            actions.contains(&"user.disabled") && actions.contains(&"user.enabled"),
            "{actions:?}"
        );
        assert!(
            events
                .iter()
                .any(|e| format!("{}{:?}", e.changes, e.values).contains("Left on 30 Nov 2026")),
            "the reason is kept"
        );
        Ok(())
    }
);

db_test!(
    a_registered_manager_disables_only_their_own_services_staff,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let manager = token_for(&app, app.world.email(Role::RegisteredManager)).await?;
        let worker = app.actor(app.world.email(Role::CareWorker)).await?;
        let regional = app.actor(app.world.email(Role::RegionalManager)).await?;
        let birch = staff_member(
            &app,
            ("birch@a.example", "Bea Birch"),
            Role::CareWorker,
            Scope::Service(app.world.other_service.service_id),
        )
        .await?;
        let me = app.actor(app.world.email(Role::RegisteredManager)).await?;
        let path = |u: candour_domain::ids::UserId| format!("/api/v1/users/{u}/disable");
        let why = json!({"reason": "Left"});
        let status = |resp: reqwest::Response| resp.status().as_u16();
        assert_eq!(
            status(api_post(&app, &manager, &path(regional.user_id), &why).await?),
            403,
            "not a role above their own"
        );
        assert_eq!(
            status(api_post(&app, &manager, &path(birch.user_id), &why).await?),
            403,
            "not another service's staff"
        );
        assert_eq!(
            status(api_post(&app, &manager, &path(me.user_id), &why).await?),
            409,
            "not themselves"
        );
        let resp = api_post(
            &app,
            &manager,
            &path(worker.user_id),
            &json!({"reason": ""}),
        )
        .await?;
        assert_eq!(resp.status(), 422);
        assert!(resp.text().await?.contains("\"field\":\"reason\""));
        assert_eq!(
            status(api_post(&app, &manager, &path(worker.user_id), &why).await?),
            204
        );
        let other_org = app
            .ctx
            .store
            .user_by_email(&app.world.user_b)
            .await?
            .unwrap();
        assert_eq!(
            status(api_post(&app, &manager, &path(other_org.user_id), &why).await?),
            404,
            "another organisation's account does not exist here"
        );
        // A care worker manages no one.
        let birch_token = token_for(&app, "birch@a.example").await?;
        let resp = api_post(
            &app,
            &birch_token,
            &format!("/api/v1/users/{}/enable", worker.user_id),
            &why,
        )
        .await?;
        assert_eq!(resp.status(), 403);
        Ok(())
    }
);
