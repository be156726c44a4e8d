//! The safety cross: a service's month coloured day by day from its records.

use crate::helpers::*;
use candour_domain::role::Role;

async fn near_miss_fall(app: &TestApp, occurred_at: &str) -> anyhow::Result<()> {
    use candour_domain::incident::ReportDraft;
    let worker = app.actor(app.world.email(Role::CareWorker)).await?;
    let draft = ReportDraft {
        kind: "near_miss".into(),
        category: "fall".into(),
        service_id: app.world.service.service_id.to_string(),
        occurred_at: occurred_at.into(),
        description: "Found the sensor mat unplugged; she had not got up".into(),
        details: fall_details(),
        ..ReportDraft::default()
    };
    candour::actions::incidents::report_incident(&app.ctx, &worker, &draft)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(())
}

db_test!(the_months_falls_colour_the_cross_day_by_day, |engine| {
    let app = TestApp::spawn(engine).await?;
    // Today is Monday 23 Nov 2026.
    reported_and_triaged(
        &app,
        "2026-11-10T14:00:00Z",
        "Slipped in the bathroom",
        ("low", "none"),
        ("2", "3"),
        "local_review",
    )
    .await?;
    reported_and_triaged(
        &app,
        "2026-11-10T20:00:00Z",
        "Fell from her chair",
        ("low", "none"),
        ("2", "3"),
        "local_review",
    )
    .await?;
    near_miss_fall(&app, "2026-11-05T03:00:00Z").await?;
    let manager = app
        .signed_in(app.world.email(Role::RegisteredManager))
        .await?;
    let page = manager
        .text("/safety-cross?measure=falls&month=2026-11")
        .await?;
    assert_ids_unique(&page);
    let day = |d: u8| {
        let at = page.find(&format!("data-day=\"{d}\"")).unwrap();
        let end = page[at..].find("</div>").unwrap() + at;
        page[at..end].to_owned()
    };
    assert!(
        day(10).contains("data-colour=\"red\"") && day(10).contains("2 events"),
        "{}",
        day(10)
    );
    assert!(day(5).contains("data-colour=\"amber\"") && day(5).contains("1 near miss"));
    assert!(day(4).contains("data-colour=\"green\"") && day(4).contains("None"));
    assert!(
        day(23).contains("data-colour=\"blank\""),
        "today is not over"
    );
    assert!(!page.contains("data-day=\"31\""), "November has 30 days");
    assert!(page.contains("13 days since the last fall"));
    assert!(page.contains("This month: 2 events and 1 near miss."));
    assert!(page.contains("Falls safety cross: November 2026"));

    // Another measure, another month; nothing recorded is green, not blank.
    let page = manager
        .text("/safety-cross?measure=medication_errors&month=2026-10")
        .await?;
    assert!(page.contains("No medication error in the last year"));
    assert!(!page.contains("data-colour=\"red\"") && !page.contains("data-colour=\"blank\""));
    assert_eq!(
        page.matches("class=\"cross-day cross-green").count(),
        31 + 1,
        "31 days and the key"
    );

    // A note on a day: kept, audited, shown; the latest note of a day is the one shown.
    let here = app.world.service.service_id.to_string();
    let csrf = csrf_in(&manager.text("/safety-cross").await?).unwrap();
    let note = |day: &'static str, text: &'static str| {
        let (csrf, here) = (csrf.clone(), here.clone());
        let manager = &manager;
        async move {
            manager
                .post_form(
                    "/safety-cross/notes",
                    &[
                        ("csrf_token", csrf.as_str()),
                        ("service", here.as_str()),
                        ("measure", "falls"),
                        ("month", "2026-11"),
                        ("day", day),
                        ("note", text),
                    ],
                )
                .await
        }
    };
    assert_eq!(
        note("2026-11-10", "Two falls, different people")
            .await?
            .status(),
        303
    );
    assert_eq!(
        note("2026-11-10", "Two falls, the same person")
            .await?
            .status(),
        303
    );
    let resp = note("2026-11-25", "Sensor mats arrive").await?;
    assert_eq!(resp.status(), 422);
    let body = resp.text().await?;
    assert!(body.contains("Choose a day that has begun"));
    assert!(
        body.contains("value=\"Sensor mats arrive\""),
        "what was typed is kept"
    );
    assert_summary_links_resolve(&body);
    assert_eq!(note("2026-11-11", "  ").await?.status(), 422);
    let page = manager
        .text("/safety-cross?measure=falls&month=2026-11")
        .await?;
    assert!(page.contains("Two falls, the same person"));
    assert!(!page.contains("Two falls, different people"));
    assert!(
        page.contains("data-day=\"10\"")
            && page.contains("title=\"a note is written on this day\"")
    );
    let events = app.ctx.store.audit_page(app.world.org, 0, 10_000).await?;
    assert_eq!(
        events
            .iter()
            .filter(|e| e.action == "safety_cross.note_added")
            .count(),
        2
    );
    let worker = app.signed_in(app.world.email(Role::CareWorker)).await?;
    let wcsrf = csrf_in(&worker.text("/").await?).unwrap();
    let resp = worker
        .post_form(
            "/safety-cross/notes",
            &[
                ("csrf_token", wcsrf.as_str()),
                ("service", here.as_str()),
                ("measure", "falls"),
                ("month", "2026-11"),
                ("day", "2026-11-10"),
                ("note", "x"),
            ],
        )
        .await?;
    assert!(
        matches!(resp.status().as_u16(), 403 | 404),
        "{}",
        resp.status()
    );

    // A person's own cross: only their records, by code, without notes.
    let person = app.world.person;
    let page = manager
        .text(&format!(
            "/safety-cross?service={here}&person={person}&month=2026-11"
        ))
        .await?;
    assert!(
        page.contains("Any incident for P-000001: November 2026"),
        "{page}"
    );
    assert!(!page.contains("Edna Test"));
    let day = |d: u8| {
        let at = page.find(&format!("data-day=\"{d}\"")).unwrap();
        page[at..at + 120].to_owned()
    };
    assert!(day(10).contains("data-colour=\"red\""));
    assert!(
        day(5).contains("data-colour=\"green\""),
        "the near miss was not about her"
    );
    assert!(!page.contains("id=\"note-form\""));
    let register = manager.text(&format!("/services/{here}/people")).await?;
    assert!(register.contains(&format!("/safety-cross?service={here}&amp;person={person}")));
    let elsewhere = app.world.other_person;
    assert_eq!(
        manager
            .get(&format!("/safety-cross?service={here}&person={elsewhere}"))
            .await?
            .status(),
        404
    );

    // Bad input is answered plainly; another organisation's service is not found.
    assert_eq!(
        manager.get("/safety-cross?measure=sneezes").await?.status(),
        400
    );
    assert_eq!(
        manager.get("/safety-cross?month=November").await?.status(),
        400
    );
    let outsider = app.signed_in(&app.world.user_b).await?;
    assert_eq!(
        outsider
            .get(&format!("/safety-cross?service={here}"))
            .await?
            .status(),
        404
    );
    Ok(())
});

db_test!(
    a_manager_chooses_the_categories_of_their_own_cross,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        reported_and_triaged(
            &app,
            "2026-11-10T14:00:00Z",
            "Slipped in the bathroom",
            ("low", "none"),
            ("2", "3"),
            "local_review",
        )
        .await?;
        let manager = app
            .signed_in(app.world.email(Role::RegisteredManager))
            .await?;
        let service = app.world.service.service_id.to_string();
        let resp = manager
            .get(&format!(
                "/safety-cross?service={service}&measure=chosen&month=2026-11"
            ))
            .await?;
        assert_eq!(resp.status(), 409, "no set chosen yet");
        assert!(
            resp.text()
                .await?
                .contains("No category set is chosen for Alder House yet")
        );
        let page = manager.text("/safety-cross?month=2026-11").await?;
        assert!(!page.contains("value=\"chosen\""));
        let csrf = csrf_in(&page).unwrap();
        let resp = manager
            .post_form(
                "/safety-cross/set",
                &[
                    ("csrf_token", &csrf),
                    ("service", &service),
                    ("month", "2026-11"),
                    ("set_name", " "),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 422);
        let body = resp.text().await?;
        assert!(body.contains("href=\"#set_name\"") && body.contains("href=\"#set_categories\""));
        let resp = manager
            .post_form(
                "/safety-cross/set",
                &[
                    ("csrf_token", &csrf),
                    ("service", &service),
                    ("month", "2026-11"),
                    ("set_name", "Falls and medicines"),
                    ("set_categories", "fall"),
                    ("set_categories", "medication"),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 303);
        let page = manager
            .text(&format!(
                "/safety-cross?service={service}&measure=chosen&month=2026-11"
            ))
            .await?;
        assert_ids_unique(&page);
        assert!(
            page.contains("Falls and medicines safety cross: November 2026"),
            "{page}"
        );
        assert!(page.contains("<option value=\"chosen\" selected>Falls and medicines</option>"));
        assert!(page.contains(
            "id=\"set-medication\" name=\"set_categories\" value=\"medication\" checked"
        ));
        let at = page.find("data-day=\"10\"").unwrap();
        assert!(page[at..at + 300].contains("data-colour=\"red\""));
        let events = app.ctx.store.audit_page(app.world.org, 0, 10_000).await?;
        assert!(events.iter().any(|e| e.action == "safety_cross.set_chosen"));
        // A care worker sees no form and cannot choose.
        let worker = app.signed_in(app.world.email(Role::CareWorker)).await?;
        let wcsrf = csrf_in(&worker.text("/").await?).unwrap();
        let resp = worker
            .post_form(
                "/safety-cross/set",
                &[
                    ("csrf_token", &wcsrf),
                    ("service", &service),
                    ("set_name", "Mine"),
                    ("set_categories", "fall"),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 403);
        Ok(())
    }
);

db_test!(an_areas_cross_counts_only_that_area, |engine| {
    use candour_domain::incident::ReportDraft;
    let app = TestApp::spawn(engine).await?;
    let worker = app.actor(app.world.email(Role::CareWorker)).await?;
    for (day, area) in [
        ("2026-11-10T14:00:00Z", Some(app.world.area)),
        ("2026-11-12T14:00:00Z", None),
    ] {
        candour::actions::incidents::report_incident(
            &app.ctx,
            &worker,
            &ReportDraft {
                kind: "incident".into(),
                category: "fall".into(),
                service_id: app.world.service.service_id.to_string(),
                area_id: area.map(|a| a.to_string()).unwrap_or_default(),
                occurred_at: day.into(),
                description: "Slipped".into(),
                immediate_actions: "Checked for injury".into(),
                details: fall_details(),
                affected_person_ids: vec![app.world.person.to_string()],
                ..ReportDraft::default()
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    let manager = app
        .signed_in(app.world.email(Role::RegisteredManager))
        .await?;
    let service = app.world.service.service_id;
    let whole = manager
        .text(&format!(
            "/safety-cross?service={service}&measure=falls&month=2026-11"
        ))
        .await?;
    assert!(whole.contains("data-day=\"10\" data-colour=\"red\""));
    assert!(whole.contains("data-day=\"12\" data-colour=\"red\""));
    assert!(
        whole.contains("<option value=\"\">The whole service</option>"),
        "{whole}"
    );
    let area = app.world.area;
    let page = manager
        .text(&format!(
            "/safety-cross?service={service}&area={area}&measure=falls&month=2026-11"
        ))
        .await?;
    assert_ids_unique(&page);
    assert!(
        page.contains("data-day=\"10\" data-colour=\"red\""),
        "{page}"
    );
    assert!(
        page.contains("data-day=\"12\" data-colour=\"green\""),
        "the other fall was elsewhere"
    );
    assert!(page.contains("This month: 1 event"));
    assert!(
        !page.contains("id=\"note-form\""),
        "notes are written on the whole service's cross"
    );
    // An area of another service is not found.
    let other = app.world.other_service.service_id;
    let head = app
        .signed_in(app.world.email(Role::HeadOfOperations))
        .await?;
    assert_eq!(
        head.get(&format!("/safety-cross?service={other}&area={area}"))
            .await?
            .status(),
        404
    );
    Ok(())
});
