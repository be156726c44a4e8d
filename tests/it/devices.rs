//! Quick sign-in on a shared device: a manager trusts the device, staff set
//! a PIN, and sign in with name and PIN there only. Wrong PINs are limited
//! per person and per device; devices and PINs are revocable.

use crate::helpers::*;
use candour_domain::role::Role;

const GOOD_PIN: &str = "482915";

/// The manager trusts their browser as a shared device, then signs out:
/// the client keeps the device cookie, like the tablet left on the unit.
async fn shared_device(app: &TestApp) -> anyhow::Result<Client> {
    let tablet = app
        .signed_in(app.world.email(Role::RegisteredManager))
        .await?;
    let path = format!("/services/{}/devices", app.world.service.service_id);
    let csrf = tablet.csrf(&path).await?;
    let resp = tablet
        .post_form(
            &path,
            &[("csrf_token", &csrf), ("label", "Ground floor tablet")],
        )
        .await?;
    assert_eq!(resp.status(), 303);
    let cookie = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("candour_device="))
        .unwrap_or_default()
        .to_owned();
    assert!(
        cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Strict")
            && cookie.contains("Max-Age="),
        "{cookie}"
    );
    let csrf = tablet.csrf("/").await?;
    tablet
        .post_form("/logout", &[("csrf_token", &csrf)])
        .await?;
    Ok(tablet)
}

async fn set_pin(app: &TestApp, role: Role, pin: &str) -> anyhow::Result<reqwest::Response> {
    let c = app.signed_in(app.world.email(role)).await?;
    let csrf = c.csrf("/account/pin").await?;
    c.post_form(
        "/account/pin",
        &[
            ("csrf_token", &csrf),
            ("action", "set"),
            ("current_password", PASSWORD),
            ("pin", pin),
            ("confirm_pin", pin),
        ],
    )
    .await
}

async fn pin_sign_in(
    device: &Client,
    app: &TestApp,
    role: Role,
    pin: &str,
) -> anyhow::Result<reqwest::Response> {
    let user = app.actor(app.world.email(role)).await?.user_id.to_string();
    let csrf = device.csrf("/login").await?;
    device
        .post_form(
            "/login/pin",
            &[("csrf_token", &csrf), ("pin_user", &user), ("pin", pin)],
        )
        .await
}

db_test!(
    staff_sign_in_with_a_pin_on_a_trusted_device_only,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let tablet = shared_device(&app).await?;
        let login = tablet.get("/login").await?.text().await?;
        assert!(login.contains("Quick sign-in on Ground floor tablet"));
        assert!(login.contains("no one there has set a PIN yet"));

        let weak = set_pin(&app, Role::CareWorker, "123456").await?;
        assert_eq!(weak.status(), 422);
        let page = weak.text().await?;
        assert_summary_links_resolve(&page);
        assert!(page.contains("harder to guess"));
        assert_eq!(
            set_pin(&app, Role::CareWorker, GOOD_PIN).await?.status(),
            303
        );

        let login = tablet.get("/login").await?.text().await?;
        assert!(
            login.contains(">Care worker</option>"),
            "people with a PIN are listed"
        );
        let resp = pin_sign_in(&tablet, &app, Role::CareWorker, GOOD_PIN).await?;
        assert_eq!(resp.status(), 303);
        let home = tablet.get("/").await?.text().await?;
        assert!(home.contains("Hello, Care worker"));

        // Not on a browser the service has not trusted.
        let elsewhere = app.client();
        assert!(
            !elsewhere
                .get("/login")
                .await?
                .text()
                .await?
                .contains("Quick sign-in")
        );
        let resp = pin_sign_in(&elsewhere, &app, Role::CareWorker, GOOD_PIN).await?;
        assert_eq!(resp.status(), 422);

        // A shared-device session ends after ten minutes unused; a password one does not.
        let desk = app.signed_in(app.world.email(Role::SeniorCarer)).await?;
        app.clock.advance(11 * 60);
        assert_eq!(tablet.get("/").await?.status(), 303);
        assert_eq!(desk.get("/").await?.status(), 200);
        Ok(())
    }
);

db_test!(
    five_wrong_pins_turn_a_pin_off_and_ten_on_a_device_make_it_wait,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let tablet = shared_device(&app).await?;
        for role in [Role::CareWorker, Role::SeniorCarer, Role::RegisteredManager] {
            assert_eq!(set_pin(&app, role, GOOD_PIN).await?.status(), 303);
        }
        for n in 1..=4 {
            let page = pin_sign_in(&tablet, &app, Role::CareWorker, "000111")
                .await?
                .text()
                .await?;
            assert!(page.contains(&format!("After {} more wrong", 5 - n)), "{n}");
        }
        let page = pin_sign_in(&tablet, &app, Role::CareWorker, "000111")
            .await?
            .text()
            .await?;
        assert!(page.contains("it has been turned off"));
        let resp = pin_sign_in(&tablet, &app, Role::CareWorker, GOOD_PIN).await?;
        assert_eq!(resp.status(), 422, "the right PIN no longer works");
        let worker = app.actor(app.world.email(Role::CareWorker)).await?;
        let history = app
            .ctx
            .store
            .audit_for_record(app.world.org, "user", &worker.user_id.to_string())
            .await?;
        assert!(history.iter().any(|e| e.action == "user.pin_turned_off"));

        for _ in 0..5 {
            pin_sign_in(&tablet, &app, Role::SeniorCarer, "000111").await?;
        }
        let page = pin_sign_in(&tablet, &app, Role::RegisteredManager, GOOD_PIN)
            .await?
            .text()
            .await?;
        assert!(
            page.contains("Too many wrong PINs on this device"),
            "ten on one device"
        );
        app.clock.advance(16 * 60);
        let resp = pin_sign_in(&tablet, &app, Role::RegisteredManager, GOOD_PIN).await?;
        assert_eq!(resp.status(), 303, "after the wait");
        Ok(())
    }
);

/// Sends `tries` (who, PIN) from the shared device all at once, spread over
/// `bases` in turn (cookies go to any port of the host); returns each
/// answer's status and page.
async fn pins_at_once(
    tablet: &Client,
    bases: &[String],
    tries: Vec<(String, &'static str)>,
) -> anyhow::Result<Vec<(u16, String)>> {
    let csrf = tablet.csrf("/login").await?;
    let mut sends = tokio::task::JoinSet::new();
    for (i, (user, pin)) in tries.into_iter().enumerate() {
        let http = tablet.http.clone();
        let url = format!("{}/login/pin", bases[i % bases.len()]);
        let csrf = csrf.clone();
        sends.spawn(async move {
            let resp = http
                .post(url)
                .form(&[
                    ("csrf_token", csrf.as_str()),
                    ("pin_user", &user),
                    ("pin", pin),
                ])
                .send()
                .await?;
            let status = resp.status().as_u16();
            anyhow::Ok((status, resp.text().await?))
        });
    }
    let mut answers = Vec::new();
    while let Some(answer) = sends.join_next().await {
        answers.push(answer??);
    }
    Ok(answers)
}

/// Whether an answer says its PIN was checked and found wrong.
fn checked(page: &str) -> bool {
    page.contains("That PIN is not right") || page.contains("so it has been turned off")
}

db_test!(
    a_hundred_pins_at_once_through_two_instances_check_at_most_five,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let second = app.second_instance().await?;
        let tablet = shared_device(&app).await?;
        assert_eq!(
            set_pin(&app, Role::CareWorker, GOOD_PIN).await?.status(),
            303
        );
        let worker = app.actor(app.world.email(Role::CareWorker)).await?;
        let tries = (0..100)
            .map(|_| (worker.user_id.to_string(), "000111"))
            .collect();
        let answers =
            pins_at_once(&tablet, &[app.base.clone(), second.base.clone()], tries).await?;
        for (status, _) in &answers {
            assert_eq!(*status, 422, "every wrong PIN is answered on the form");
        }
        let n = answers.iter().filter(|(_, page)| checked(page)).count();
        assert_eq!(n, 5, "five PINs checked, however many arrive at once");
        assert!(
            answers
                .iter()
                .any(|(_, page)| page.contains("so it has been turned off"))
        );
        // The PIN is off: the right one opens nothing, on either instance.
        let resp = pin_sign_in(&tablet, &app, Role::CareWorker, GOOD_PIN).await?;
        assert_eq!(resp.status(), 422);
        Ok(())
    }
);

db_test!(
    pins_for_many_people_at_once_check_at_most_ten_on_a_device,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let tablet = shared_device(&app).await?;
        let mut people = Vec::new();
        for role in [Role::CareWorker, Role::SeniorCarer, Role::RegisteredManager] {
            assert_eq!(set_pin(&app, role, GOOD_PIN).await?.status(), 303);
            people.push(app.actor(app.world.email(role)).await?.user_id.to_string());
        }
        let tries = (0..100)
            .map(|i| (people[i % 3].clone(), "000111"))
            .collect();
        let answers = pins_at_once(&tablet, std::slice::from_ref(&app.base), tries).await?;
        let n = answers.iter().filter(|(_, page)| checked(page)).count();
        assert_eq!(n, 10, "the device's limit of ten");
        for (status, _) in &answers {
            assert_eq!(*status, 422);
        }
        assert!(
            answers
                .iter()
                .any(|(_, page)| page.contains("Too many wrong PINs on this device"))
        );
        Ok(())
    }
);

db_test!(
    a_revoked_device_and_a_new_password_end_quick_sign_in,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let tablet = shared_device(&app).await?;
        assert_eq!(
            set_pin(&app, Role::CareWorker, GOOD_PIN).await?.status(),
            303
        );
        assert_eq!(
            pin_sign_in(&tablet, &app, Role::CareWorker, GOOD_PIN)
                .await?
                .status(),
            303
        );
        let manager = app
            .signed_in(app.world.email(Role::RegisteredManager))
            .await?;
        let path = format!("/services/{}/devices", app.world.service.service_id);
        let page = manager.get(&path).await?.text().await?;
        assert!(page.contains("Ground floor tablet"));
        let at = page.find("/revoke\"").unwrap();
        let start = page[..at].rfind("/devices/").unwrap() + "/devices/".len();
        let device = &page[start..at];
        let csrf = csrf_in(&page).unwrap();
        let resp = manager
            .post_form(&format!("{path}/{device}/revoke"), &[("csrf_token", &csrf)])
            .await?;
        assert_eq!(resp.status(), 303);
        assert_eq!(tablet.get("/").await?.status(), 303, "its sessions ended");
        assert!(
            !tablet
                .get("/login")
                .await?
                .text()
                .await?
                .contains("Quick sign-in")
        );
        assert_eq!(
            pin_sign_in(&tablet, &app, Role::CareWorker, GOOD_PIN)
                .await?
                .status(),
            422
        );

        // A new password turns the PIN off too.
        let tablet = shared_device(&app).await?;
        let worker = app.signed_in(app.world.email(Role::CareWorker)).await?;
        let csrf = worker.csrf("/account/password").await?;
        worker
            .post_form(
                "/account/password",
                &[
                    ("csrf_token", &csrf),
                    ("current_password", PASSWORD),
                    ("new_password", "lantern-pebble-harbour"),
                    ("confirm_password", "lantern-pebble-harbour"),
                ],
            )
            .await?;
        assert_eq!(
            pin_sign_in(&tablet, &app, Role::CareWorker, GOOD_PIN)
                .await?
                .status(),
            422
        );
        Ok(())
    }
);

db_test!(only_managers_of_the_service_manage_its_devices, |engine| {
    let app = TestApp::spawn(engine).await?;
    let w = &app.world;
    for (role, here, other_org) in [
        (Role::CareWorker, 403, 404),
        (Role::SeniorCarer, 403, 404),
        (Role::RegisteredManager, 200, 404),
        (Role::BoardMember, 403, 404),
        (Role::Administrator, 200, 404),
    ] {
        let c = app.signed_in(w.email(role)).await?;
        let got = c
            .get(&format!("/services/{}/devices", w.service.service_id))
            .await?
            .status();
        assert_eq!(got, here, "{role:?}");
        let got = c
            .get(&format!("/services/{}/devices", w.service_b.service_id))
            .await?
            .status();
        assert_eq!(got, other_org, "{role:?} in another organisation");
    }
    Ok(())
});
