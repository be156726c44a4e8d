//! Lessons learned: published to a scope, read and acknowledged by the
//! staff in it, who has and who has not, and reminders through the outbox.

use crate::helpers::*;
use candour_domain::role::Role;

fn lesson_form<'a>(csrf: &'a str, scope: &'a str, happened: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf_token", csrf),
        ("title", "Sensor mats after cleaning"),
        ("what_happened", happened),
        (
            "what_we_learned",
            "The mat had been unplugged when the room was cleaned",
        ),
        (
            "what_we_changed",
            "Night staff check every mat is plugged in on the first round",
        ),
        ("scope", scope),
        ("source", "incident"),
        ("source_ref", "INC-000001"),
    ]
}

db_test!(a_lesson_is_shared_read_and_acknowledged, |engine| {
    let app = TestApp::spawn(engine).await?;
    let r = minor_fall(&app, "Found on the floor by her bed").await?;
    assert_eq!(r.to_string(), "INC-000001");
    let manager = app
        .signed_in(app.world.email(Role::RegisteredManager))
        .await?;
    let incident = manager.text("/incidents/INC-000001").await?;
    assert!(incident.contains("href=\"/lessons/new?incident=INC-000001\""));
    let form = manager.text("/lessons/new?incident=INC-000001").await?;
    assert_ids_unique(&form);
    assert!(form.contains("value=\"INC-000001\""));
    let service_scope = format!("service:{}", app.world.service.service_id);
    assert!(form.contains(&service_scope));
    assert!(
        !form.contains("value=\"organisation\""),
        "a registered manager shares with their own service only"
    );
    let csrf = csrf_in(&form).unwrap();

    // A name is refused, by field; the rest is kept.
    let resp = manager
        .post_form(
            "/lessons",
            &lesson_form(&csrf, &service_scope, "Edna Test fell at night"),
        )
        .await?;
    assert_eq!(resp.status(), 422);
    let body = resp.text().await?;
    assert!(body.contains("href=\"#what_happened\""));
    assert!(
        body.contains("write the person&#39;s internal code instead of"),
        "{body}"
    );
    assert!(body.contains("The mat had been unplugged"));
    // Beyond their scope: refused.
    let resp = manager
        .post_form(
            "/lessons",
            &lesson_form(&csrf, "organisation", "P-000001 fell at night"),
        )
        .await?;
    assert_eq!(resp.status(), 403);

    let resp = manager
        .post_form(
            "/lessons",
            &lesson_form(&csrf, &service_scope, "P-000001 fell at night"),
        )
        .await?;
    assert_eq!(resp.status(), 303);
    let at = resp
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(at.starts_with("/lessons/"), "{at}");

    // The care worker is asked to read it: on the home page, then acknowledged.
    let worker = app.signed_in(app.world.email(Role::CareWorker)).await?;
    let home = worker.text("/").await?;
    assert!(home.contains("Lessons to read (1)"), "{home}");
    assert!(home.contains(&format!("href=\"{at}\"")));
    let page = worker.text(&at).await?;
    assert_ids_unique(&page);
    assert!(page.contains("Night staff check every mat"));
    assert!(page.contains("I have read and understood this lesson"));
    assert!(
        !page.contains("Read by"),
        "only managers see who has read it"
    );
    let wcsrf = csrf_in(&page).unwrap();
    for _ in 0..2 {
        let resp = worker
            .post_form(&format!("{at}/acknowledge"), &[("csrf_token", &wcsrf)])
            .await?;
        assert_eq!(resp.status(), 303);
    }
    let page = worker.text(&at).await?;
    assert!(page.contains("Read on 23 Nov 2026"));
    assert!(!worker.text("/").await?.contains("Lessons to read"));
    let list = worker.text("/lessons").await?;
    assert!(list.contains("Sensor mats after cleaning") && list.contains("Read on 23 Nov 2026"));

    // The manager sees who has and who has not.
    let page = manager.text(&at).await?;
    let everyone = app.world.users.len();
    assert!(page.contains(&format!("Read by 1 of {everyone}")), "{page}");
    assert!(page.contains("Not yet"));
    let id = at.trim_start_matches("/lessons/");
    let events = app
        .ctx
        .store
        .audit_for_record(app.world.org, "lesson", id)
        .await?;
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["lesson.published", "lesson.acknowledged"]);

    // Another organisation cannot find it.
    let stranger = app.signed_in(&app.world.user_b).await?;
    assert_eq!(stranger.get(&at).await?.status(), 404);
    Ok(())
});

db_test!(only_the_scope_is_asked_and_reminded, |engine| {
    let app = TestApp::spawn(engine).await?;
    let head = app.actor(app.world.email(Role::HeadOfOperations)).await?;
    let draft = |scope: String| candour_domain::lessons::LessonDraft {
        title: "Bed rails checked weekly".into(),
        what_happened: "A bed rail came loose overnight".into(),
        what_we_learned: "Checks were monthly".into(),
        what_we_changed: "Weekly checks on the maintenance round".into(),
        scope,
        source: "guidance".into(),
        source_ref: "MHRA DSI/2026/004".into(),
    };
    let elsewhere = candour::actions::lessons::publish_lesson(
        &app.ctx,
        &head,
        &draft(format!("service:{}", app.world.other_service.service_id)),
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let worker = app.signed_in(app.world.email(Role::CareWorker)).await?;
    assert_eq!(
        worker.get(&format!("/lessons/{elsewhere}")).await?.status(),
        404
    );
    assert!(!worker.text("/lessons").await?.contains("Bed rails"));

    let here = candour::actions::lessons::publish_lesson(
        &app.ctx,
        &head,
        &draft(format!("service:{}", app.world.service.service_id)),
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let worker_actor = app.actor(app.world.email(Role::CareWorker)).await?;
    candour::actions::lessons::acknowledge(&app.ctx, &worker_actor, here)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let remind = || async {
        candour::actions::lessons::remind_lessons(&app.ctx)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))
    };
    assert_eq!(remind().await?, 0, "not yet three days");
    app.clock.advance(3 * 24 * 3_600);
    // Everyone in the service's scope but the worker who read it; the
    // other service's lesson reaches its own scope (the organisation-wide roles).
    let asked_here = app.world.users.len() - 1;
    let asked_elsewhere = app
        .world
        .users
        .iter()
        .map(|(r, _)| r)
        .filter(|r| {
            !matches!(
                r,
                Role::CareWorker
                    | Role::SeniorCarer
                    | Role::RegisteredManager
                    | Role::RegionalManager
            )
        })
        .count();
    assert_eq!(remind().await?, asked_here + asked_elsewhere);
    assert_eq!(remind().await?, 0, "each reminder once");
    let emails = app.ctx.store.emails(app.world.org).await?;
    assert!(
        !emails
            .iter()
            .any(|e| e.to == app.world.email(Role::CareWorker)),
        "the worker has read it"
    );
    assert!(
        emails
            .iter()
            .any(|e| e.to == app.world.email(Role::SeniorCarer)
                && e.subject == "A lesson to read: Bed rails checked weekly")
    );
    app.clock.advance(7 * 24 * 3_600);
    assert_eq!(
        remind().await?,
        asked_here + asked_elsewhere,
        "the second reminder"
    );
    assert_eq!(remind().await?, 0);
    Ok(())
});
