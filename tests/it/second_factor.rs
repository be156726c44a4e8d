//! A second factor for password sign-in: set up with a code from an
//! authenticator app, asked for after a right password, never accepted
//! twice, counted toward the lockout when wrong, replaced by single-use
//! recovery codes, and reset by an administrator.

use crate::helpers::*;
use candour_domain::role::Role;
use candour_domain::totp;

/// The value of the hidden or shown field `marker` ends before the next `<` or `"`.
fn after(html: &str, marker: &str) -> Option<String> {
    let at = html.find(marker)? + marker.len();
    Some(
        html[at..]
            .chars()
            .take_while(|c| *c != '<' && *c != '"')
            .collect(),
    )
}

/// Turns the second factor on for the signed-in `c`; returns its secret and recovery codes.
async fn turn_on(app: &TestApp, c: &Client) -> anyhow::Result<(Vec<u8>, Vec<String>)> {
    let page = c.text("/account/second-factor").await?;
    assert!(page.contains("<svg"), "a QR code: {page}");
    let shown = after(&page, "id=\"second-factor-secret\">").expect("the key is shown");
    let secret = totp::from_base32(&shown).expect("base32");
    let wrong = c
        .submit(
            "/account/second-factor",
            "/account/second-factor",
            &[("code", "000000")],
        )
        .await?;
    assert_eq!(wrong.status(), 422);
    let code = totp::code_at(&secret, app.ctx.clock.now().as_second());
    let resp = c
        .submit(
            "/account/second-factor",
            "/account/second-factor",
            &[("code", &code)],
        )
        .await?;
    assert_eq!(resp.status(), 200);
    let html = resp.text().await?;
    let codes: Vec<String> = html
        .split("<li><code>")
        .skip(1)
        .filter_map(|s| s.split("</code>").next())
        .map(str::to_owned)
        .collect();
    assert_eq!(codes.len(), 10, "{html}");
    Ok((secret, codes))
}

/// Signs in with the password and returns the challenge the code page holds.
async fn password_step(c: &Client, email: &str) -> anyhow::Result<String> {
    let resp = c.sign_in(email, PASSWORD).await?;
    assert_eq!(resp.status(), 200, "the code is asked for, not a session");
    assert!(set_cookie(&resp, "candour_session").is_none());
    let html = resp.text().await?;
    assert!(html.contains("Enter your code"), "{html}");
    Ok(after(&html, "name=\"challenge\" value=\"").expect("a challenge"))
}

async fn code_step(c: &Client, challenge: &str, code: &str) -> anyhow::Result<reqwest::Response> {
    c.submit(
        "/login",
        "/login/code",
        &[("challenge", challenge), ("code", code)],
    )
    .await
}

db_test!(
    a_second_factor_is_set_up_then_asked_for_after_the_password,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let email = app.world.email(Role::SeniorCarer).to_owned();
        let me = app.signed_in(&email).await?;
        let (secret, codes) = turn_on(&app, &me).await?;
        let shown = me.text("/account/second-factor").await?;
        assert!(shown.contains("second-factor-status"), "{shown}");

        // The password alone no longer signs in.
        let c = app.client();
        let challenge = password_step(&c, &email).await?;
        assert_ne!(c.get("/").await?.status(), 200);
        // The code used to turn it on is not accepted again.
        let now = app.ctx.clock.now().as_second();
        let used = totp::code_at(&secret, now);
        assert_eq!(code_step(&c, &challenge, &used).await?.status(), 422);
        app.clock.advance(30);
        let next = totp::code_at(&secret, app.ctx.clock.now().as_second());
        let resp = code_step(&c, &challenge, &next).await?;
        assert_eq!(resp.status(), 303);
        assert_eq!(c.get("/").await?.status(), 200);

        // A recovery code works once.
        let c2 = app.client();
        let challenge = password_step(&c2, &email).await?;
        let typed = codes[0].to_uppercase().replace('-', " ");
        assert_eq!(code_step(&c2, &challenge, &typed).await?.status(), 303);
        let c3 = app.client();
        let challenge = password_step(&c3, &email).await?;
        assert_eq!(code_step(&c3, &challenge, &codes[0]).await?.status(), 422);

        // A challenge lasts five minutes.
        app.clock.advance(5 * 60 + 1);
        let late = totp::code_at(&secret, app.ctx.clock.now().as_second());
        let resp = code_step(&c3, &challenge, &late).await?;
        assert_eq!(resp.status(), 303);
        assert_eq!(location_of(&resp), "/login?expired=1");

        let id = app.actor(&email).await?.user_id.to_string();
        let events = app
            .ctx
            .store
            .audit_for_record(app.world.org, "user", &id)
            .await?;
        let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
        assert!(
            actions.contains(&"user.second_factor_on")
                && actions.contains(&"user.recovery_code_used"),
            "{actions:?}"
        );
        Ok(())
    }
);

db_test!(wrong_codes_count_toward_the_sign_in_lockout, |engine| {
    let app = TestApp::spawn(engine).await?;
    let email = app.world.email(Role::CareWorker).to_owned();
    let me = app.signed_in(&email).await?;
    let (secret, _) = turn_on(&app, &me).await?;
    app.clock.advance(30);
    let c = app.client();
    let challenge = password_step(&c, &email).await?;
    // The password attempt counts until a right code; four wrong codes make five.
    for _ in 0..4 {
        assert_eq!(code_step(&c, &challenge, "123456").await?.status(), 422);
    }
    let right = totp::code_at(&secret, app.ctx.clock.now().as_second());
    let resp = code_step(&c, &challenge, &right).await?;
    assert_eq!(resp.status(), 422, "locked out: even the right code waits");
    assert!(resp.text().await?.contains("Too many wrong codes"));
    assert_eq!(c.sign_in(&email, PASSWORD).await?.status(), 429);
    Ok(())
});

db_test!(an_administrator_resets_a_lost_second_factor, |engine| {
    let app = TestApp::spawn(engine).await?;
    let email = app.world.email(Role::RegisteredManager).to_owned();
    let me = app.signed_in(&email).await?;
    turn_on(&app, &me).await?;
    let id = app.actor(&email).await?.user_id;
    let admin = app.signed_in(app.world.email(Role::Administrator)).await?;
    let list = admin.text("/users?second_factor=on").await?;
    assert!(list.contains(&email), "{list}");
    assert!(!list.contains(app.world.email(Role::CareWorker)), "{list}");
    let page = format!("/users/{id}");
    let shown = admin.text(&page).await?;
    assert!(shown.contains("Reset their second factor"), "{shown}");
    // Only an administrator: not a registered manager over their staff.
    let manager = app.signed_in(&email).await;
    assert!(manager.is_err(), "a code is needed now");
    let resp = admin
        .submit(&page, &format!("{page}/second-factor/reset"), &[])
        .await?;
    assert_eq!(resp.status(), 303);
    assert_ne!(me.get("/").await?.status(), 200, "their sessions ended");
    assert_eq!(app.client().sign_in(&email, PASSWORD).await?.status(), 303);
    let resp = admin
        .submit(&page, &format!("{page}/second-factor/reset"), &[])
        .await?;
    assert_eq!(resp.status(), 409, "nothing left to reset");
    let events = app
        .ctx
        .store
        .audit_for_record(app.world.org, "user", &id.to_string())
        .await?;
    assert!(
        events
            .iter()
            .any(|e| e.action == "user.second_factor_reset")
    );
    // A registered manager may not reset it.
    let worker_email = app.world.email(Role::CareWorker).to_owned();
    let worker = app.signed_in(&worker_email).await?;
    turn_on(&app, &worker).await?;
    let worker_id = app.actor(&worker_email).await?.user_id;
    let manager = app.signed_in(&email).await?;
    let wpage = format!("/users/{worker_id}");
    let resp = manager
        .submit(&wpage, &format!("{wpage}/second-factor/reset"), &[])
        .await?;
    assert_eq!(resp.status(), 403);
    Ok(())
});

db_test!(
    an_organisation_that_requires_it_sends_managers_to_set_it_up_first,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let admin = app.signed_in(app.world.email(Role::Administrator)).await?;
        let users = admin.text("/users").await?;
        assert!(users.contains("Require it of managers"), "{users}");
        let resp = admin
            .submit(
                "/users",
                "/users/second-factor-policy",
                &[("required", "yes")],
            )
            .await?;
        assert_eq!(resp.status(), 303);
        // The administrator too: every page sends them to set it up.
        let resp = admin.get("/users").await?;
        assert_eq!(resp.status(), 303);
        assert_eq!(location_of(&resp), "/account/second-factor");
        let manager_email = app.world.email(Role::RegisteredManager).to_owned();
        let manager = app.signed_in(&manager_email).await?;
        for path in ["/", "/triage", "/users"] {
            let resp = manager.get(path).await?;
            assert_eq!(resp.status(), 303, "{path}");
            assert_eq!(location_of(&resp), "/account/second-factor", "{path}");
        }
        // A care worker is not asked.
        let worker = app.signed_in(app.world.email(Role::CareWorker)).await?;
        assert_eq!(worker.get("/").await?.status(), 200);
        // Once set up, the manager goes on, and cannot turn it off.
        turn_on(&app, &manager).await?;
        assert_eq!(manager.get("/").await?.status(), 200);
        let resp = manager
            .submit(
                "/account/second-factor",
                "/account/second-factor/off",
                &[("password", PASSWORD)],
            )
            .await?;
        assert_eq!(resp.status(), 409);
        // A new organisation requires it from the start.
        let made =
            candour::actions::organisation::create_organisation(&app.ctx, "Harbour Care", "cli")
                .await
                .map_err(fail)?;
        assert!(
            candour::actions::second_factor::required_in(&app.ctx, made.organisation_id)
                .await
                .map_err(fail)?
        );
        Ok(())
    }
);
