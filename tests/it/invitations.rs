//! Inviting staff and one-time links to choose a password: invitations
//! (72 hours), password reset links (1 hour) sent by a manager or asked for
//! at sign-in, each used once, each emailed through a real SMTP server; and
//! roles given and taken in the browser, within what the giver manages.

use crate::helpers::*;
use crate::smtp::{Received, SmtpSink};
use base64::Engine as _;
use candour::actions::Ctx;
use candour::actions::invitations::{InvitationForm, invite};
use candour::email::sender::{Mailer, send_due};
use candour_domain::role::Role;

/// The address Candour is told people reach it at.
const PUBLIC: &str = "https://candour.example.org";

async fn spawn(engine: candour::store::Engine) -> anyhow::Result<TestApp> {
    TestApp::spawn_tuned(engine, |s| s.ctx.public_url = Some(PUBLIC.to_owned())).await
}

/// The test context with the public address, for calling actions directly.
fn ctx_of(app: &TestApp) -> Ctx {
    Ctx {
        public_url: Some(PUBLIC.to_owned()),
        ..app.ctx.clone()
    }
}

/// A message's body, decoded from whatever transfer encoding it was sent in.
fn body_of(m: &Received) -> String {
    let (head, body) = m.data.split_once("\r\n\r\n").unwrap_or(("", &m.data));
    let head = head.to_ascii_lowercase();
    if head.contains("content-transfer-encoding: base64") {
        let joined: String = body.split_whitespace().collect();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(joined)
            .unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    } else if head.contains("content-transfer-encoding: quoted-printable") {
        let unfolded = body.replace("=\r\n", "");
        let mut out = Vec::new();
        let bytes = unfolded.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'='
                && i + 2 < bytes.len()
                && let Ok(b) = u8::from_str_radix(&unfolded[i + 1..i + 3], 16)
            {
                out.push(b);
                i += 3;
                continue;
            }
            out.push(bytes[i]);
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    } else {
        body.to_owned()
    }
}

/// Sends what is queued through a real SMTP server and returns the path
/// (`/set-password/…`) of the newest link emailed to `to`, with its body.
async fn emailed_link(
    app: &TestApp,
    sink: &SmtpSink,
    to: &str,
) -> anyhow::Result<(String, String)> {
    let mailer = Mailer::new(&sink.url, "Candour <candour@a.example>")?;
    let before = sink.received().len();
    let sent = send_due(&app.ctx, &mailer).await?;
    let got = sink.wait_for(before + sent, 10).await;
    let m = got
        .iter()
        .rev()
        .find(|m| m.to.iter().any(|t| t == to))
        .ok_or_else(|| anyhow::anyhow!("no email to {to}"))?;
    let body = body_of(m);
    let start = body
        .find(&format!("{PUBLIC}/set-password/"))
        .ok_or_else(|| anyhow::anyhow!("no link in {body}"))?;
    let path: String = body[start + PUBLIC.len()..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | '_'))
        .collect();
    Ok((path, body))
}

async fn audit_actions(app: &TestApp, id: &str) -> anyhow::Result<Vec<String>> {
    Ok(app
        .ctx
        .store
        .audit_for_record(app.world.org, "user", id)
        .await?
        .into_iter()
        .map(|e| e.action)
        .collect())
}

db_test!(
    an_administrator_invites_a_senior_carer_who_chooses_a_password_and_signs_in,
    |engine| {
        let app = spawn(engine).await?;
        let sink = SmtpSink::start()?;
        let admin = app.signed_in(app.world.email(Role::Administrator)).await?;
        let list = admin.text("/users").await?;
        assert!(list.contains("href=\"/users/new\""), "{list}");
        let form = admin.text("/users/new").await?;
        assert!(form.contains("Invite a member of staff"), "{form}");
        assert!(form.contains("Region One region") && form.contains("the whole organisation"));

        // Nothing filled in: every field named.
        let resp = admin.submit("/users/new", "/users/new", &[]).await?;
        assert_eq!(resp.status(), 422);
        let page = resp.text().await?;
        for want in [
            "Enter their name",
            "Enter an email address",
            "Choose a role",
            "Choose where the role applies",
        ] {
            assert!(page.contains(want), "{want}: {page}");
        }
        // An email already in use.
        let taken = app.world.email(Role::CareWorker).to_owned();
        let service = format!("service:{}", app.world.service.service_id);
        let resp = admin
            .submit(
                "/users/new",
                "/users/new",
                &[
                    ("name", "Someone"),
                    ("email", &taken),
                    ("role", "care_worker"),
                    ("places", &service),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 422);
        assert!(resp.text().await?.contains("already exists"));

        let resp = admin
            .submit(
                "/users/new",
                "/users/new",
                &[
                    ("name", "Priya Shah"),
                    ("email", "Priya.Shah@A.example"),
                    ("role", "senior_carer"),
                    ("places", &service),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 303);
        let location = location_of(&resp);
        assert!(location.ends_with("?done=invited"), "{location}");
        let id = location
            .trim_start_matches("/users/")
            .trim_end_matches("?done=invited")
            .to_owned();
        let page = admin.text(&location).await?;
        assert!(
            page.contains("Invitation sent") && page.contains("Invited"),
            "{page}"
        );
        let invited = admin.text("/users?status=invited").await?;
        assert!(invited.contains("Priya Shah"), "{invited}");
        assert!(
            !invited.contains(&taken),
            "only invited accounts: {invited}"
        );
        // An invited account cannot sign in before choosing a password.
        let priya = app.client();
        assert_eq!(
            priya.sign_in("priya.shah@a.example", "").await?.status(),
            422
        );

        let (link, body) = emailed_link(&app, &sink, "priya.shah@a.example").await?;
        assert!(
            body.contains("Hello Priya Shah") && body.contains("Organisation A"),
            "{body}"
        );
        let form = priya.text(&link).await?;
        assert!(form.contains("Choose your password") && form.contains("priya.shah@a.example"));
        let resp = priya
            .submit(
                &link,
                &link,
                &[
                    ("new_password", "tea kettle garden"),
                    ("confirm_password", "tea kettle gardens"),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 422);
        assert!(resp.text().await?.contains("do not match"));
        let resp = priya
            .submit(
                &link,
                &link,
                &[("new_password", "short"), ("confirm_password", "short")],
            )
            .await?;
        assert_eq!(resp.status(), 422);
        let resp = priya
            .submit(
                &link,
                &link,
                &[
                    ("new_password", "tea kettle garden"),
                    ("confirm_password", "tea kettle garden"),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 303);
        assert_eq!(location_of(&resp), "/login?password_set=1");
        // Used once: the link no longer works.
        let again = priya.get(&link).await?;
        assert_eq!(again.status(), 404);
        assert!(again.text().await?.contains("This link no longer works"));
        assert_eq!(
            priya
                .sign_in("priya.shah@a.example", "tea kettle garden")
                .await?
                .status(),
            303
        );
        let home = priya.text("/").await?;
        assert!(home.contains("Priya Shah"), "{home}");
        let page = admin.text(&format!("/users/{id}")).await?;
        assert!(page.contains(">Active<"), "{page}");
        let actions = audit_actions(&app, &id).await?;
        assert!(
            actions.iter().any(|a| a == "user.invited")
                && actions.iter().any(|a| a == "user.invitation_accepted"),
            "{actions:?}"
        );
        Ok(())
    }
);

db_test!(
    an_invitation_is_sent_again_or_withdrawn_and_runs_out_after_72_hours,
    |engine| {
        let app = spawn(engine).await?;
        let sink = SmtpSink::start()?;
        let ctx = ctx_of(&app);
        let admin_actor = app.actor(app.world.email(Role::Administrator)).await?;
        let form = |email: &str| InvitationForm {
            name: "Tom Reyes".into(),
            email: email.into(),
            role: "care_worker".into(),
            places: vec![format!("service:{}", app.world.service.service_id)],
        };
        let tom = invite(&ctx, &admin_actor, &form("tom@a.example"))
            .await
            .map_err(fail)?;
        let (first, _) = emailed_link(&app, &sink, "tom@a.example").await?;
        let admin = app.signed_in(app.world.email(Role::Administrator)).await?;
        let page = format!("/users/{}", tom.user_id);
        let resp = admin
            .submit(&page, &format!("{page}/invitation"), &[])
            .await?;
        assert_eq!(resp.status(), 303);
        let (second, _) = emailed_link(&app, &sink, "tom@a.example").await?;
        assert_ne!(first, second);
        let c = app.client();
        assert_eq!(
            c.get(&first).await?.status(),
            404,
            "the older link is replaced"
        );
        assert_eq!(c.get(&second).await?.status(), 200);
        // Withdrawn: the link stops and the account is disabled.
        let resp = admin
            .submit(&page, &format!("{page}/invitation/withdraw"), &[])
            .await?;
        assert_eq!(resp.status(), 303);
        assert_eq!(c.get(&second).await?.status(), 404);
        let shown = admin.text(&page).await?;
        assert!(shown.contains(">Disabled<"), "{shown}");
        let actions = audit_actions(&app, &tom.user_id.to_string()).await?;
        assert!(
            actions.iter().any(|a| a == "user.invitation_resent")
                && actions.iter().any(|a| a == "user.invitation_withdrawn"),
            "{actions:?}"
        );

        // Another invitation runs out after 72 hours, not before.
        invite(&ctx, &admin_actor, &form("ana@a.example"))
            .await
            .map_err(fail)?;
        let (link, body) = emailed_link(&app, &sink, "ana@a.example").await?;
        assert!(body.contains("26 Nov 2026"), "until when, in words: {body}");
        app.clock.advance(72 * 3600 - 60);
        assert_eq!(c.get(&link).await?.status(), 200);
        app.clock.advance(120);
        assert_eq!(c.get(&link).await?.status(), 404);
        Ok(())
    }
);

db_test!(without_a_public_address_no_invitation_is_sent, |engine| {
    let app = TestApp::spawn(engine).await?;
    let admin = app.signed_in(app.world.email(Role::Administrator)).await?;
    let service = format!("service:{}", app.world.service.service_id);
    let resp = admin
        .submit(
            "/users/new",
            "/users/new",
            &[
                ("name", "Nobody Yet"),
                ("email", "nobody@a.example"),
                ("role", "care_worker"),
                ("places", &service),
            ],
        )
        .await?;
    assert_eq!(resp.status(), 409);
    assert!(resp.text().await?.contains("--public-url"));
    assert!(
        app.ctx
            .store
            .user_by_email("nobody@a.example")
            .await?
            .is_none()
    );
    Ok(())
});

db_test!(
    a_registered_manager_invites_and_manages_only_their_own_services_staff,
    |engine| {
        let app = spawn(engine).await?;
        let manager = app
            .signed_in(app.world.email(Role::RegisteredManager))
            .await?;
        let form = manager.text("/users/new").await?;
        assert!(form.contains(&app.world.service.name), "{form}");
        assert!(!form.contains(&app.world.other_service.name), "{form}");
        assert!(!form.contains("Regional manager") && !form.contains("Administrator"));
        let own = format!("service:{}", app.world.service.service_id);
        let other = format!("service:{}", app.world.other_service.service_id);
        for (role, place, field_message) in [
            (
                "regional_manager",
                own.as_str(),
                "You cannot give the role regional manager",
            ),
            (
                "care_worker",
                other.as_str(),
                "Choose only places you manage",
            ),
            (
                "care_worker",
                "organisation",
                "Choose only places you manage",
            ),
        ] {
            let resp = manager
                .submit(
                    "/users/new",
                    "/users/new",
                    &[
                        ("name", "Ella Park"),
                        ("email", "ella@a.example"),
                        ("role", role),
                        ("places", place),
                    ],
                )
                .await?;
            assert_eq!(resp.status(), 422, "{role} {place}");
            let page = resp.text().await?;
            assert!(page.contains(field_message), "{field_message}: {page}");
        }
        let resp = manager
            .submit(
                "/users/new",
                "/users/new",
                &[
                    ("name", "Ella Park"),
                    ("email", "ella@a.example"),
                    ("role", "care_worker"),
                    ("places", own.as_str()),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 303);
        // Their list holds their own services' staff only.
        let list = manager.text("/users").await?;
        assert!(list.contains("Ella Park"), "{list}");
        assert!(list.contains(app.world.email(Role::CareWorker)), "{list}");
        assert!(
            !list.contains(app.world.email(Role::Administrator)),
            "{list}"
        );
        assert!(
            !list.contains(app.world.email(Role::RegionalManager)),
            "{list}"
        );
        let csv = manager.text("/users.csv").await?;
        assert!(
            csv.contains("ella@a.example") && !csv.contains(app.world.email(Role::Administrator))
        );
        // Someone they do not manage: not theirs to change.
        let regional = app.actor(app.world.email(Role::RegionalManager)).await?;
        let resp = manager.get(&format!("/users/{}", regional.user_id)).await?;
        assert_eq!(resp.status(), 403);
        // A care worker manages no one.
        let worker = app.signed_in(app.world.email(Role::CareWorker)).await?;
        assert_eq!(worker.get("/users").await?.status(), 403);
        assert_eq!(worker.get("/users/new").await?.status(), 403);
        Ok(())
    }
);

db_test!(
    roles_are_given_and_taken_in_the_browser_with_a_reason,
    |engine| {
        let app = spawn(engine).await?;
        let admin = app.signed_in(app.world.email(Role::Administrator)).await?;
        let worker = app.actor(app.world.email(Role::CareWorker)).await?;
        let page = format!("/users/{}", worker.user_id);
        let other = format!("service:{}", app.world.other_service.service_id);
        let resp = admin
            .submit(
                &page,
                &format!("{page}/roles"),
                &[("role", "senior_carer"), ("places", &other)],
            )
            .await?;
        assert_eq!(resp.status(), 422);
        assert!(resp.text().await?.contains("Say why"));
        let resp = admin
            .submit(
                &page,
                &format!("{page}/roles"),
                &[
                    ("role", "senior_carer"),
                    ("places", &other),
                    ("grant_reason", "Covering nights at the other home"),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 303);
        let shown = admin.text(&page).await?;
        assert!(
            shown.contains(&format!("Senior carer, {}", app.world.other_service.name)),
            "{shown}"
        );
        let granted = app.ctx.store.grants(worker.user_id).await?;
        assert_eq!(granted.len(), 2);
        // The worker's own session sees the new role on their next click.
        let resp = admin
            .submit(
                &page,
                &format!("{page}/roles/remove"),
                &[
                    ("grant", &format!("senior_carer|{other}")),
                    ("remove_reason", "Cover ended"),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 303);
        assert_eq!(app.ctx.store.grants(worker.user_id).await?.len(), 1);
        // The only role left cannot be taken: disable the account instead.
        let only = &app.ctx.store.grants(worker.user_id).await?[0];
        let only = format!(
            "{}|{}",
            only.role.code(),
            candour_domain::lessons::scope_code(only.scope)
        );
        let resp = admin
            .submit(
                &page,
                &format!("{page}/roles/remove"),
                &[("grant", &only), ("remove_reason", "Testing")],
            )
            .await?;
        assert_eq!(resp.status(), 409);
        let events = app
            .ctx
            .store
            .audit_for_record(app.world.org, "user", &worker.user_id.to_string())
            .await?;
        let text: String = events
            .iter()
            .map(|e| format!("{} {}{:?}\n", e.action, e.changes, e.values))
            .collect();
        assert!(
            text.contains("user.granted") && text.contains("Covering nights"),
            "{text}"
        );
        assert!(
            text.contains("user.revoked") && text.contains("Cover ended"),
            "{text}"
        );
        // Nobody changes their own roles.
        let own = app.actor(app.world.email(Role::Administrator)).await?;
        let own_page = format!("/users/{}", own.user_id);
        let resp = admin
            .submit(
                &own_page,
                &format!("{own_page}/roles"),
                &[
                    ("role", "care_worker"),
                    ("places", "organisation"),
                    ("grant_reason", "Why not"),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 409);
        // A registered manager cannot raise anyone above their own role.
        let manager = app
            .signed_in(app.world.email(Role::RegisteredManager))
            .await?;
        let own_service = format!("service:{}", app.world.service.service_id);
        let resp = manager
            .submit(
                &page,
                &format!("{page}/roles"),
                &[
                    ("role", "quality_assurance"),
                    ("places", &own_service),
                    ("grant_reason", "Promotion"),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 422);
        Ok(())
    }
);

db_test!(
    a_forgotten_password_is_reset_by_a_one_hour_link_with_the_same_answer_for_anyone,
    |engine| {
        let app = spawn(engine).await?;
        let sink = SmtpSink::start()?;
        let email = app.world.email(Role::SeniorCarer).to_owned();
        let signed_in = app.signed_in(&email).await?;
        let token = token_for(&app, &email).await?;
        let c = app.client();
        let login = c.text("/login").await?;
        assert!(login.contains("href=\"/forgot-password\""), "{login}");
        let ask = |who: String| {
            let c = c.clone();
            async move {
                c.submit("/forgot-password", "/forgot-password", &[("email", &who)])
                    .await
            }
        };
        let known = ask(email.to_uppercase()).await?;
        assert_eq!(known.status(), 200);
        let known = known.text().await?;
        let unknown = ask("nobody-here@a.example".to_owned()).await?;
        assert_eq!(unknown.status(), 200);
        let unknown = unknown.text().await?;
        let strip = |page: &str, who: &str| page.replace(who, "ADDRESS");
        assert_eq!(
            strip(&known, &email.to_uppercase()),
            strip(&unknown, "nobody-here@a.example"),
            "the same answer either way"
        );
        let (link, body) = emailed_link(&app, &sink, &email).await?;
        assert!(body.contains("works once"), "{body}");
        assert!(
            !sink
                .received()
                .iter()
                .any(|m| m.to.iter().any(|t| t.contains("nobody-here"))),
            "no email to an address without an account"
        );
        // Until it is used, the old password still works.
        assert_eq!(signed_in.get("/").await?.status(), 200);
        let resp = c
            .submit(
                &link,
                &link,
                &[
                    ("new_password", "copper lantern meadow"),
                    ("confirm_password", "copper lantern meadow"),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 303);
        // Sessions ended, API tokens revoked, the old password gone.
        assert_ne!(signed_in.get("/").await?.status(), 200);
        assert_eq!(
            api_get(&app, &token, "/api/v1/incidents").await?.status(),
            401
        );
        assert_eq!(app.client().sign_in(&email, PASSWORD).await?.status(), 422);
        assert_eq!(
            app.client()
                .sign_in(&email, "copper lantern meadow")
                .await?
                .status(),
            303
        );
        assert_eq!(c.get(&link).await?.status(), 404, "used once");

        // A link runs out after an hour.
        let other = app.world.email(Role::CareWorker).to_owned();
        assert_eq!(ask(other.clone()).await?.status(), 200);
        let (late, _) = emailed_link(&app, &sink, &other).await?;
        app.clock.advance(61 * 60);
        assert_eq!(c.get(&late).await?.status(), 404);
        let id = app.actor(&email).await?.user_id.to_string();
        let actions = audit_actions(&app, &id).await?;
        assert!(
            actions.iter().any(|a| a == "user.reset_link_sent")
                && actions.iter().any(|a| a == "user.password_reset"),
            "{actions:?}"
        );
        Ok(())
    }
);

db_test!(
    reset_links_are_limited_per_address_and_per_client,
    |engine| {
        let app = spawn(engine).await?;
        let c = app.client();
        let ask = |who: &str| {
            let c = c.clone();
            let who = who.to_owned();
            async move {
                c.submit("/forgot-password", "/forgot-password", &[("email", &who)])
                    .await
            }
        };
        for _ in 0..3 {
            assert_eq!(ask("someone@a.example").await?.status(), 200);
        }
        let resp = ask("someone@a.example").await?;
        assert_eq!(resp.status(), 429);
        assert!(resp.headers().contains_key("retry-after"));
        assert!(resp.text().await?.contains("Too many reset links"));
        // Other addresses from the same client, up to its limit.
        for n in 0..7 {
            assert_eq!(
                ask(&format!("other{n}@a.example")).await?.status(),
                200,
                "{n}"
            );
        }
        assert_eq!(ask("one-more@a.example").await?.status(), 429);
        // An hour on, it may ask again.
        app.clock.advance(3601);
        assert_eq!(ask("someone@a.example").await?.status(), 200);
        Ok(())
    }
);

db_test!(
    a_manager_sends_a_reset_link_and_it_is_refused_for_an_invited_account,
    |engine| {
        let app = spawn(engine).await?;
        let sink = SmtpSink::start()?;
        let manager = app
            .signed_in(app.world.email(Role::RegisteredManager))
            .await?;
        let worker = app.actor(app.world.email(Role::CareWorker)).await?;
        let page = format!("/users/{}", worker.user_id);
        let shown = manager.text(&page).await?;
        assert!(shown.contains("Send a password reset link"), "{shown}");
        let resp = manager
            .submit(&page, &format!("{page}/reset-link"), &[])
            .await?;
        assert_eq!(resp.status(), 303);
        let (link, body) = emailed_link(&app, &sink, &worker.email).await?;
        assert!(
            body.contains(
                &app.actor(app.world.email(Role::RegisteredManager))
                    .await?
                    .display_name
            )
        );
        assert_eq!(app.client().get(&link).await?.status(), 200);
        // An invited account is sent its invitation again instead.
        let invited = invite(
            &ctx_of(&app),
            &app.actor(app.world.email(Role::RegisteredManager)).await?,
            &InvitationForm {
                name: "New Starter".into(),
                email: "starter@a.example".into(),
                role: "care_worker".into(),
                places: vec![format!("service:{}", app.world.service.service_id)],
            },
        )
        .await
        .map_err(fail)?;
        let page = format!("/users/{}", invited.user_id);
        let resp = manager
            .submit(&page, &format!("{page}/reset-link"), &[])
            .await?;
        assert_eq!(resp.status(), 409);
        Ok(())
    }
);

db_test!(
    staff_are_invited_and_their_roles_changed_over_the_api,
    |engine| {
        let app = spawn(engine).await?;
        let sink = SmtpSink::start()?;
        let admin = token_for(&app, app.world.email(Role::Administrator)).await?;
        let service = format!("service:{}", app.world.service.service_id);
        let other = format!("service:{}", app.world.other_service.service_id);
        let bad = api_post(
            &app,
            &admin,
            "/api/v1/users",
            &serde_json::json!({"name": "", "email": "nope", "role": "chef", "places": []}),
        )
        .await?;
        assert_eq!(bad.status(), 422);
        let problem: serde_json::Value = bad.json().await?;
        let fields: Vec<&str> = problem["errors"]
            .as_array()
            .map(|a| a.iter().filter_map(|e| e["field"].as_str()).collect())
            .unwrap_or_default();
        for want in ["name", "email", "role", "places"] {
            assert!(fields.contains(&want), "{want}: {problem}");
        }
        let made = api_post(
            &app,
            &admin,
            "/api/v1/users",
            &serde_json::json!({"name": "Sam Okafor", "email": "sam@a.example", "role": "care_worker", "places": [service]}),
        )
        .await?;
        assert_eq!(made.status(), 201);
        let location = location_of(&made);
        let made: serde_json::Value = made.json().await?;
        assert_eq!(made["status"], "invited");
        assert_eq!(
            location,
            format!("/api/v1/users/{}", made["user_id"].as_str().unwrap_or(""))
        );
        let id = made["user_id"].as_str().unwrap_or("").to_owned();
        let (link, _) = emailed_link(&app, &sink, "sam@a.example").await?;
        assert_eq!(app.client().get(&link).await?.status(), 200);
        // Still invited: a reset link is refused, the invitation sent again.
        let path = |end: &str| format!("/api/v1/users/{id}{end}");
        let none = serde_json::json!({});
        assert_eq!(
            api_post(&app, &admin, &path("/reset-link"), &none)
                .await?
                .status(),
            409
        );
        assert_eq!(
            api_post(&app, &admin, &path("/invitation"), &none)
                .await?
                .status(),
            204
        );
        assert_eq!(app.client().get(&link).await?.status(), 404, "replaced");

        let give = serde_json::json!({"role": "care_worker", "places": [other], "reason": "Also works at the other home"});
        assert_eq!(
            api_post(&app, &admin, &path("/grants"), &give)
                .await?
                .status(),
            204
        );
        let shown: serde_json::Value = api_get(&app, &admin, &path("")).await?.json().await?;
        assert_eq!(shown["grants"].as_array().map(Vec::len), Some(2), "{shown}");
        let take =
            serde_json::json!({"role": "care_worker", "places": [other], "reason": "Moved back"});
        assert_eq!(
            api_post(&app, &admin, &path("/grants/remove"), &take)
                .await?
                .status(),
            204
        );
        // A registered manager: their own service only, never above their role.
        let manager = token_for(&app, app.world.email(Role::RegisteredManager)).await?;
        let above = serde_json::json!({"name": "Kim", "email": "kim@a.example", "role": "head_of_operations", "places": [service]});
        assert_eq!(
            api_post(&app, &manager, "/api/v1/users", &above)
                .await?
                .status(),
            422
        );
        let elsewhere = serde_json::json!({"name": "Kim", "email": "kim@a.example", "role": "care_worker", "places": [other]});
        assert_eq!(
            api_post(&app, &manager, "/api/v1/users", &elsewhere)
                .await?
                .status(),
            422
        );
        assert_eq!(
            api_post(&app, &manager, &path("/invitation/withdraw"), &none)
                .await?
                .status(),
            204
        );
        let shown: serde_json::Value = api_get(&app, &admin, &path("")).await?.json().await?;
        assert_eq!(shown["status"], "disabled");
        // A care worker manages no one.
        let worker = token_for(&app, app.world.email(Role::CareWorker)).await?;
        assert_eq!(
            api_post(&app, &worker, "/api/v1/users", &elsewhere)
                .await?
                .status(),
            403
        );
        Ok(())
    }
);
