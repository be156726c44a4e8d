//! Signing in and out: wrong passwords, lockout, session rotation, expiry,
//! CSRF, and password changes.

use crate::helpers::*;
use candour_domain::role::Role;

db_test!(
    a_wrong_password_is_refused_with_a_message_on_the_form,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let c = app.client();
        let resp = c
            .sign_in(app.world.email(Role::CareWorker), "not-the-password")
            .await?;
        assert_eq!(resp.status(), 422);
        assert!(set_cookie(&resp, "candour_session").is_none());
        let body = resp.text().await?;
        assert_summary_links_resolve(&body);
        assert!(body.contains("The email address or password is not right"));
        assert!(
            body.contains("value=\"care_worker@a.example\""),
            "the typed email is kept"
        );
        assert!(
            body.contains("href=\"#email\""),
            "the error summary links to the field"
        );
        let resp = c.sign_in("", "").await?;
        let body = resp.text().await?;
        assert_summary_links_resolve(&body);
        assert!(body.contains("Enter your email address") && body.contains("Enter your password"));
        Ok(())
    }
);

db_test!(
    signing_in_issues_a_new_session_and_the_old_one_stops_working,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let email = app.world.email(Role::CareWorker);
        let c = app.client();
        let first = set_cookie(&c.sign_in(email, PASSWORD).await?, "candour_session")
            .expect("session cookie");
        assert_eq!(c.get("/").await?.status(), 200);
        let second = set_cookie(&c.sign_in(email, PASSWORD).await?, "candour_session")
            .expect("session cookie");
        assert_ne!(first, second, "the session id must change at sign-in");
        // A client holding only the old cookie is sent to sign in.
        let old = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        let resp = old
            .get(format!("{}/", app.base))
            .header("cookie", format!("candour_session={first}"))
            .send()
            .await?;
        assert_eq!(resp.status(), 303);
        assert_eq!(resp.headers()["location"], "/login?expired=1");
        let resp = old
            .get(format!("{}/", app.base))
            .header("cookie", format!("candour_session={second}"))
            .send()
            .await?;
        assert_eq!(resp.status(), 200);
        Ok(())
    }
);

db_test!(
    the_session_cookie_is_http_only_and_same_site_lax,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let resp = app
            .client()
            .sign_in(app.world.email(Role::CareWorker), PASSWORD)
            .await?;
        let raw: Vec<String> = resp
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect();
        let session = raw
            .iter()
            .find(|c| c.starts_with("candour_session="))
            .expect("a session cookie");
        assert!(
            session.contains("HttpOnly") && session.contains("SameSite=Lax"),
            "{session}"
        );
        Ok(())
    }
);

db_test!(
    five_failures_lock_the_account_for_fifteen_minutes,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let email = app.world.email(Role::SeniorCarer);
        let c = app.client();
        for _ in 0..5 {
            assert_eq!(c.sign_in(email, "wrong-password-here").await?.status(), 422);
        }
        let resp = c.sign_in(email, PASSWORD).await?;
        assert_eq!(
            resp.status(),
            429,
            "even the right password is refused while locked"
        );
        assert!(resp.text().await?.contains("Too many attempts to sign in"));
        // Another account is not affected.
        assert_eq!(
            c.sign_in(app.world.email(Role::CareWorker), PASSWORD)
                .await?
                .status(),
            303
        );
        app.clock.advance(16 * 60);
        assert_eq!(c.sign_in(email, PASSWORD).await?.status(), 303);
        Ok(())
    }
);

/// Sends `n` sign-ins at once, each from its own browser, spread over
/// `servers` in turn, with `email(i)` and a wrong password; returns how many
/// had their password checked (422) and how many were held back (429).
async fn guess_at_once(
    servers: &[Client],
    n: usize,
    email: impl Fn(usize) -> String,
) -> anyhow::Result<(usize, usize)> {
    // Each browser fetches its form first, so the posts themselves go together.
    let mut ready = Vec::new();
    for i in 0..n {
        let server = &servers[i % servers.len()];
        let c = Client::browser(&server.base);
        let token = c.csrf("/login").await?;
        ready.push((c, token, email(i)));
    }
    let mut sends = tokio::task::JoinSet::new();
    for (c, token, email) in ready {
        sends.spawn(async move {
            c.post_form(
                "/login",
                &[
                    ("csrf_token", token.as_str()),
                    ("email", email.as_str()),
                    ("password", "wrong-password-here"),
                ],
            )
            .await
            .map(|r| r.status().as_u16())
        });
    }
    let (mut checked, mut held) = (0, 0);
    while let Some(status) = sends.join_next().await {
        match status?? {
            422 => checked += 1,
            429 => held += 1,
            other => anyhow::bail!("a wrong password answered {other}"),
        }
    }
    Ok((checked, held))
}

db_test!(
    a_hundred_guesses_at_once_check_at_most_five_passwords,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let email = app.world.email(Role::SeniorCarer).to_owned();
        let (checked, held) = guess_at_once(&[app.client()], 100, |_| email.clone()).await?;
        assert_eq!(
            checked, 5,
            "the account's limit, however many arrive at once"
        );
        assert_eq!(held, 95);
        let resp = app.client().sign_in(&email, PASSWORD).await?;
        assert_eq!(
            resp.status(),
            429,
            "the right password is refused while locked"
        );
        assert!(
            resp.headers()["retry-after"].to_str()?.parse::<i64>()? > 14 * 60,
            "locked for fifteen minutes"
        );
        Ok(())
    }
);

db_test!(
    guesses_at_once_through_two_instances_check_at_most_five_passwords,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let second = app.second_instance().await?;
        let email = app.world.email(Role::SeniorCarer).to_owned();
        let (checked, held) =
            guess_at_once(&[app.client(), second.client()], 100, |_| email.clone()).await?;
        assert_eq!(checked, 5, "one limit across instances");
        assert_eq!(held, 95);
        assert_eq!(
            second.client().sign_in(&email, PASSWORD).await?.status(),
            429
        );
        Ok(())
    }
);

db_test!(
    guessing_at_many_accounts_from_one_address_slows_it_down_but_locks_nobody_out,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        // One person's repeated mistakes are their account's business:
        // the address does not slow down for them.
        let c = app.client();
        for _ in 0..4 {
            let resp = c
                .sign_in(app.world.email(Role::CareWorker), "wrong-password-here")
                .await?;
            assert_eq!(resp.status(), 422);
        }
        // A hundred accounts guessed at once from one address: ten are
        // tried, the rest told to wait a moment.
        let (checked, held) =
            guess_at_once(&[app.client()], 100, |i| format!("nobody{i}@a.example")).await?;
        assert!(
            (9..=10).contains(&checked),
            "ten accounts before the address slows down, got {checked}"
        );
        assert_eq!(checked + held, 100);
        let resp = c
            .sign_in(app.world.email(Role::SeniorCarer), PASSWORD)
            .await?;
        assert_eq!(resp.status(), 429);
        let wait = resp.headers()["retry-after"].to_str()?.parse::<i64>()?;
        assert!(
            (1..=2).contains(&wait),
            "a short wait, not a lockout: {wait}"
        );
        assert!(resp.text().await?.contains("wait 1 second"));
        // After the wait, someone else behind the same address signs in.
        app.clock.advance(wait);
        assert_eq!(
            c.sign_in(app.world.email(Role::SeniorCarer), PASSWORD)
                .await?
                .status(),
            303
        );
        Ok(())
    }
);

db_test!(a_session_ends_after_two_idle_hours, |engine| {
    let app = TestApp::spawn(engine).await?;
    let c = app.signed_in(app.world.email(Role::CareWorker)).await?;
    app.clock.advance(60 * 60);
    assert_eq!(c.get("/").await?.status(), 200);
    app.clock.advance(2 * 60 * 60 + 60);
    let resp = c.get("/").await?;
    assert_eq!(resp.status(), 303);
    assert_eq!(resp.headers()["location"], "/login?expired=1");
    let body = c.get("/login?expired=1").await?.text().await?;
    assert!(body.contains("Your session has ended"));
    Ok(())
});

db_test!(forms_without_a_matching_csrf_token_are_refused, |engine| {
    let app = TestApp::spawn(engine).await?;
    let c = app.signed_in(app.world.email(Role::CareWorker)).await?;
    let service = app.world.service.service_id.to_string();
    let fields = [
        ("service_id", service.as_str()),
        ("kind", "near_miss"),
        ("category", "fall"),
        ("description", "x"),
    ];
    let resp = c.post_form("/incidents", &fields).await?;
    assert_eq!(resp.status(), 403);
    assert!(resp.text().await?.contains("This form has expired"));
    let mut with_wrong = fields.to_vec();
    with_wrong.push(("csrf_token", "forged"));
    assert_eq!(c.post_form("/incidents", &with_wrong).await?.status(), 403);
    // A sign-in form without the token is refused too (login CSRF).
    let fresh = app.client();
    let resp = fresh
        .post_form(
            "/login",
            &[("email", "care_worker@a.example"), ("password", PASSWORD)],
        )
        .await?;
    assert_eq!(resp.status(), 403);
    // A cross-site post with the right token is still refused by its Origin.
    let token = c.csrf("/incidents/new").await?;
    let resp = c
        .http
        .post(format!("{}/logout", app.base))
        .header("origin", "https://evil.example")
        .form(&[("csrf_token", token.as_str())])
        .send()
        .await?;
    assert_eq!(resp.status(), 403);
    assert_eq!(c.get("/").await?.status(), 200, "still signed in");
    // A post from our own origin, as a browser sends it, is accepted.
    let host = app.base.trim_start_matches("http://").to_owned();
    let resp = c
        .http
        .post(format!("{}/logout", app.base))
        .header("origin", format!("http://{host}"))
        .form(&[("csrf_token", token.as_str())])
        .send()
        .await?;
    assert_eq!(resp.status(), 303);
    Ok(())
});

db_test!(signing_out_ends_the_session, |engine| {
    let app = TestApp::spawn(engine).await?;
    let c = app.signed_in(app.world.email(Role::CareWorker)).await?;
    let token = c.csrf("/").await?;
    let resp = c.post_form("/logout", &[("csrf_token", &token)]).await?;
    assert_eq!(resp.status(), 303);
    assert_eq!(c.get("/").await?.status(), 303);
    Ok(())
});

db_test!(
    changing_the_password_needs_the_old_one_and_ends_every_session,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let email = app.world.email(Role::CareWorker);
        let c = app.signed_in(email).await?;
        let other_device = app.signed_in(email).await?;
        let token = c.csrf("/account/password").await?;
        let resp = c
            .post_form(
                "/account/password",
                &[
                    ("csrf_token", &token),
                    ("current_password", "wrong"),
                    ("new_password", "river-lantern-pebble"),
                    ("confirm_password", "river-lantern-pebble"),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 422);
        assert!(
            resp.text()
                .await?
                .contains("Your current password is not right")
        );
        let resp = c
            .post_form(
                "/account/password",
                &[
                    ("csrf_token", &token),
                    ("current_password", PASSWORD),
                    ("new_password", "password123"),
                    ("confirm_password", "password123"),
                ],
            )
            .await?;
        assert!(resp.text().await?.contains("This password is too common"));
        let resp = c
            .post_form(
                "/account/password",
                &[
                    ("csrf_token", &token),
                    ("current_password", PASSWORD),
                    ("new_password", "river-lantern-pebble"),
                    ("confirm_password", "river-lantern-pebble"),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 303);
        assert_eq!(
            other_device.get("/").await?.status(),
            303,
            "other sessions ended"
        );
        assert_eq!(app.client().sign_in(email, PASSWORD).await?.status(), 422);
        assert_eq!(
            app.client()
                .sign_in(email, "river-lantern-pebble")
                .await?
                .status(),
            303
        );
        Ok(())
    }
);

db_test!(pages_need_a_signed_in_user, |engine| {
    let app = TestApp::spawn(engine).await?;
    for path in [
        "/",
        "/incidents/new",
        "/my-reports",
        "/account/tokens",
        "/incidents/INC-000001",
    ] {
        let resp = app.client().get(path).await?;
        assert_eq!(resp.status(), 303, "{path}");
        assert_eq!(
            resp.headers()["location"],
            "/login",
            "{path}: a first visit is not told its session ended"
        );
    }
    Ok(())
});

db_test!(cookies_are_secure_behind_an_https_proxy, |engine| {
    let app = TestApp::spawn(engine).await?;
    let c = app.client();
    let token = c.csrf("/login").await?;
    let resp = c
        .http
        .post(format!("{}/login", app.base))
        .header("x-forwarded-proto", "https")
        .form(&[
            ("csrf_token", token.as_str()),
            ("email", app.world.email(Role::CareWorker)),
            ("password", PASSWORD),
        ])
        .send()
        .await?;
    assert_eq!(resp.status(), 303);
    let raw: Vec<String> = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_owned))
        .collect();
    assert!(
        raw.iter()
            .any(|c| c.starts_with("candour_session=") && c.contains("; Secure")),
        "{raw:?}"
    );
    Ok(())
});

db_test!(
    an_oversized_form_is_refused_without_losing_the_server,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        // The server answers 413 and closes that connection without reading
        // the rest; a pooled client could reuse the closed connection, so this
        // client opens a new one for every request.
        let c = Client {
            http: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .pool_max_idle_per_host(0)
                .build()?,
            base: app.base.clone(),
        };
        assert_eq!(
            c.sign_in(app.world.email(Role::CareWorker), PASSWORD)
                .await?
                .status(),
            303
        );
        let token = c.csrf("/incidents/new").await?;
        let huge = "x".repeat(2 * 1024 * 1024);
        let resp = c
            .post_form(
                "/incidents",
                &[("csrf_token", &token), ("description", &huge)],
            )
            .await?;
        assert_eq!(resp.status(), 413);
        assert!(resp.text().await?.contains("What was sent is too large"));
        assert_eq!(c.get("/").await?.status(), 200);
        Ok(())
    }
);

db_test!(
    behind_a_trusted_proxy_throttling_counts_each_forwarded_address,
    |engine| {
        let app = TestApp::spawn_with(engine, true).await?;
        let c = app.client();
        let from = |ip: &'static str, email: String, password: &'static str| {
            let c = &c;
            async move {
                let token = c.csrf("/login").await?;
                let resp = c
                    .http
                    .post(format!("{}/login", c.base))
                    .header("x-forwarded-for", format!("203.0.113.9, {ip}"))
                    .form(&[
                        ("csrf_token", token.as_str()),
                        ("email", email.as_str()),
                        ("password", password),
                    ])
                    .send()
                    .await?;
                anyhow::Ok(resp.status().as_u16())
            }
        };
        for i in 0..20 {
            from(
                "192.0.2.1",
                format!("nobody{i}@a.example"),
                "wrong-password-here",
            )
            .await?;
        }
        assert_eq!(
            from(
                "192.0.2.1",
                app.world.email(Role::CareWorker).to_owned(),
                PASSWORD
            )
            .await?,
            429
        );
        // Someone else behind the same proxy is not locked out.
        assert_eq!(
            from(
                "192.0.2.2",
                app.world.email(Role::CareWorker).to_owned(),
                PASSWORD
            )
            .await?,
            303
        );
        Ok(())
    }
);

db_test!(
    the_nightly_purge_forgets_old_attempts_addresses_and_ended_sessions,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let store = &app.ctx.store;
        let c = app.client();
        c.sign_in(app.world.email(Role::CareWorker), "wrong-password-here")
            .await?;
        let _signed_in = app.signed_in(app.world.email(Role::SeniorCarer)).await?;
        let path = public_path(&app).await?;
        let link = path.trim_start_matches("/report/");
        let resp = reqwest::Client::new()
            .post(format!("{}/api/v1/public/{link}/incidents", app.base))
            .json(
                &serde_json::json!({"kind": "near_miss", "category": "other",
                "occurred_at": "2026-11-23T08:00:00Z", "description": "A loose handrail"}),
            )
            .send()
            .await?;
        assert_eq!(resp.status(), 201);
        reqwest::Client::new()
            .post(format!("{}/api/v1/cases", app.base))
            .json(&serde_json::json!({"code": "ABCD-EFGH-JKMN-PQRS"}))
            .send()
            .await?;
        // An email went out, and one still waits (a waiting one is never purged).
        let mut tx = store.begin().await?;
        let mut emails = Vec::new();
        for to in ["rm@a.example", "qa@a.example"] {
            let e = candour::store::outbox::NewEmail {
                organisation_id: app.world.org,
                to,
                subject: "INC-000001",
                body_text: "A report needs you",
                body_html: None,
            };
            let now = app.ctx.clock.now().as_millisecond();
            emails.push(candour::store::outbox::enqueue_email(&mut tx, &e, now).await?);
        }
        tx.commit().await?;
        store
            .mark_email_sent(emails[0], app.ctx.clock.now().as_millisecond())
            .await?;
        for table in ["login_attempt", "case_lookup", "public_submission"] {
            assert!(count_rows(store, table).await? > 0, "{table}");
        }
        let sessions = count_rows(store, "user_session").await?;
        assert!(sessions >= 2);

        // Two nights on (the tests start at 09:30 UK time): over a day on, the
        // addresses are gone and the ended sessions with them; attempts stay.
        app.clock.advance(41 * 60 * 60);
        assert!(candour::jobs::tick(&app.ctx).await?);
        assert_eq!(count_rows(store, "case_lookup").await?, 0);
        assert_eq!(count_rows(store, "public_submission").await?, 0);
        assert_eq!(
            count_rows(store, "user_session").await?,
            0,
            "idle for hours"
        );
        assert_eq!(count_rows(store, "login_attempt").await?, 3);
        // Only once a night.
        c.sign_in(app.world.email(Role::CareWorker), PASSWORD)
            .await?;
        app.clock.advance(60);
        candour::jobs::tick(&app.ctx).await?;
        assert_eq!(count_rows(store, "user_session").await?, 1);

        app.clock.advance(90 * 24 * 60 * 60);
        assert!(candour::jobs::tick(&app.ctx).await?);
        assert_eq!(
            count_rows(store, "login_attempt").await?,
            0,
            "after 90 days"
        );
        assert_eq!(count_rows(store, "user_session").await?, 0);
        let left: Vec<String> = store
            .emails(app.world.org)
            .await?
            .into_iter()
            .filter(|e| e.subject == "INC-000001")
            .map(|e| e.to)
            .collect();
        assert_eq!(
            left,
            ["qa@a.example"],
            "the sent email is gone after 90 days, the waiting one stays"
        );
        Ok(())
    }
);

db_test!(
    a_planted_csrf_cookie_does_not_pass_for_a_signed_in_person,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let resp = app
            .client()
            .sign_in(app.world.email(Role::CareWorker), PASSWORD)
            .await?;
        let session = set_cookie(&resp, "candour_session").expect("a session");
        // An attacker who can set a cookie for the site (a sibling
        // subdomain, plain HTTP on the network) chooses both halves of a
        // double-submit token: it must not be enough.
        let plain = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        let post = |token: &str, cookie: String| {
            plain
                .post(format!("{}/logout", app.base))
                .header("cookie", cookie)
                .form(&[("csrf_token", token)])
                .send()
        };
        let resp = post(
            "planted-by-someone-else",
            format!("candour_session={session}; candour_csrf=planted-by-someone-else"),
        )
        .await?;
        assert_eq!(resp.status(), 403);
        // The session's own token, from its own page, works with no cookie of its own.
        let page = plain
            .get(format!("{}/", app.base))
            .header("cookie", format!("candour_session={session}"))
            .send()
            .await?
            .text()
            .await?;
        let token = csrf_in(&page).expect("a token on the page");
        let resp = post(
            &token,
            format!("candour_session={session}; candour_csrf=other"),
        )
        .await?;
        assert_eq!(resp.status(), 303, "signed out with the session's token");
        Ok(())
    }
);

db_test!(
    only_a_page_sets_a_new_form_token_so_a_request_beside_it_cannot_spoil_its_form,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let fresh = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        // A signed-out phone sending its waiting report, and fetching a
        // style sheet, while the sign-in page loads.
        let post = fresh
            .post(format!("{}/incidents", app.base))
            .header("origin", &app.base)
            .form(&[("description", "x")])
            .send()
            .await?;
        assert!(set_cookie(&post, "candour_csrf").is_none(), "a POST");
        let css = fresh
            .get(format!("{}/assets/candour.css", app.base))
            .send()
            .await?;
        assert_eq!(css.status(), 200);
        assert!(set_cookie(&css, "candour_csrf").is_none(), "a style sheet");
        let login = fresh.get(format!("{}/login", app.base)).send().await?;
        let token = set_cookie(&login, "candour_csrf").expect("the page sets one");
        let form = csrf_in(&login.text().await?).unwrap_or_default();
        assert_eq!(form, token, "and its form carries it");
        Ok(())
    }
);
