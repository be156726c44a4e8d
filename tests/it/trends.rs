//! Trends: a measure per month as an XmR chart, with its data beside it.

use crate::helpers::*;
use candour_domain::role::Role;

db_test!(falls_per_month_are_charted_with_their_data, |engine| {
    let app = TestApp::spawn(engine).await?;
    for when in [
        "2026-09-10T10:00:00Z",
        "2026-10-05T10:00:00Z",
        "2026-10-20T10:00:00Z",
        "2026-11-02T10:00:00Z",
    ] {
        reported_and_triaged(
            &app,
            when,
            "Fell in the lounge",
            ("low", "none"),
            ("2", "3"),
            "local_review",
        )
        .await?;
    }
    let manager = app
        .signed_in(app.world.email(Role::RegisteredManager))
        .await?;
    let page = manager.text("/trends").await?;
    assert_ids_unique(&page);
    assert!(
        page.contains("<h1>Falls per month in all your services</h1>"),
        "{page}"
    );
    assert!(
        page.contains("<title id=\"chart-title\">Falls per month in all your services</title>")
    );
    assert!(page.contains("Falls per month, Nov 2024 to Oct 2026: mean"));
    let plain = page
        .split("<p id=\"plain-words\"><strong>In plain words:</strong> ")
        .nth(1)
        .and_then(|p| p.split("</p>").next())
        .unwrap_or_default();
    assert!(
        plain.starts_with("October 2026: 2 falls, above the upper process limit of"),
        "{plain}"
    );
    // Two years of complete months, this month left out; a month without falls is a zero.
    assert_eq!(page.matches("<tr><th scope=\"row\">").count(), 24);
    assert!(page.contains("<th scope=\"row\">Oct 2026</th><td>2</td>"));
    assert!(page.contains("<th scope=\"row\">Sep 2026</th><td>1</td>"));
    assert!(page.contains("<th scope=\"row\">Aug 2026</th><td>0</td>"));
    assert!(!page.contains("Nov 2026</th>"));
    assert_eq!(page.matches("class=\"spc-dot").count(), 24);
    assert!(page.contains("spc-limit") && page.contains("spc-mean"));
    // The latest month's variation as an icon beside its words.
    assert!(
        page.contains("<polygon class=\"spc-concern\" points=\"12,3 21,12 12,21 3,12\"/></svg> <strong>Special cause: concern</strong> in the latest month."),
        "{page}"
    );

    // One service, one region; near misses count the other way.
    let here = app.world.service.service_id;
    let page = manager
        .text(&format!("/trends?service={here}&measure=near_misses"))
        .await?;
    assert!(page.contains("Near misses reported per month in Alder House"));
    let other = app.world.other_service.service_id;
    let regional = app
        .signed_in(app.world.email(Role::RegionalManager))
        .await?;
    assert_eq!(
        regional
            .get(&format!("/trends?service={other}"))
            .await?
            .status(),
        404
    );
    assert_eq!(manager.get("/trends?measure=hiccups").await?.status(), 400);
    Ok(())
});

db_test!(
    when_and_where_falls_happen_by_day_time_shift_and_place,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        // Tuesday 10 Nov 2026 at 14:00 and 20:00 (late shift); Sunday 22 Nov at 03:00 (night).
        for (at, what) in [
            ("2026-11-10T14:00:00Z", "Slipped in the bathroom"),
            ("2026-11-10T20:00:00Z", "Fell from her chair"),
            ("2026-11-22T03:00:00Z", "Found on the floor"),
        ] {
            reported_and_triaged(&app, at, what, ("low", "none"), ("2", "3"), "local_review")
                .await?;
        }
        let manager = app
            .signed_in(
                app.world
                    .email(candour_domain::role::Role::RegisteredManager),
            )
            .await?;
        assert!(
            manager
                .text("/trends")
                .await?
                .contains("href=\"/trends/patterns?measure=falls\"")
        );
        let page = manager.text("/trends/patterns?measure=falls").await?;
        assert_ids_unique(&page);
        let row = |day: &str| -> Vec<String> {
            let at = page.find(&format!("<th scope=\"row\">{day}</th>")).unwrap();
            let end = page[at..].find("</tr>").unwrap() + at;
            page[at..end]
                .split("<td class=\"shade-")
                .skip(1)
                .map(|c| {
                    c.split('>')
                        .nth(1)
                        .unwrap_or("")
                        .split('<')
                        .next()
                        .unwrap_or("")
                        .to_owned()
                })
                .collect()
        };
        assert_eq!(row("Tuesday"), ["0", "0", "0", "0", "1", "0", "1", "0"]);
        assert_eq!(row("Sunday"), ["0", "1", "0", "0", "0", "0", "0", "0"]);
        assert_eq!(row("Monday"), ["0"; 8]);
        assert!(
            page.contains("<th scope=\"row\">Late (14:00 to 21:00)</th><td>2</td>"),
            "{page}"
        );
        assert!(page.contains("<th scope=\"row\">Night (21:00 to 07:00)</th><td>1</td>"));
        assert!(page.contains("<th scope=\"row\">Alder House, no area recorded</th><td>3</td>"));
        assert!(page.contains("3 since 1 Nov 2025"), "{page}");
        // Near misses are another measure: none here.
        let near = manager.text("/trends/patterns?measure=near_misses").await?;
        assert!(near.contains("0 since") && near.contains("None in this period."));
        Ok(())
    }
);

/// The data table's rows: (period, cells after it).
fn table_rows(page: &str) -> Vec<(String, String)> {
    let Some(table) = page
        .split("<table class=\"table\" id=\"trend-data\">")
        .nth(1)
    else {
        return Vec::new();
    };
    let body = table.split("</tbody>").next().unwrap_or_default();
    body.split("<tr><th scope=\"row\">")
        .skip(1)
        .map(|r| {
            let (period, rest) = r.split_once("</th>").unwrap_or_default();
            (
                period.to_owned(),
                rest.replace("</tr>", "")
                    .replace("<td>", "")
                    .replace("</td>", "|"),
            )
        })
        .collect()
}

db_test!(trends_count_by_week_and_by_harm, |engine| {
    let app = TestApp::spawn(engine).await?;
    // A severe fall on Friday 20 Nov and a low-harm one on Monday 23 Nov (this week).
    serious_fall(&app).await?;
    minor_fall(&app, "Slipped in the lounge").await?;
    reported_and_triaged(
        &app,
        "2026-11-10T10:00:00Z",
        "Fell from the chair",
        ("moderate", "none"),
        ("3", "3"),
        "local_review",
    )
    .await?;
    let manager = app
        .signed_in(app.world.email(Role::RegisteredManager))
        .await?;
    let page = manager.text("/trends?period=week").await?;
    assert_ids_unique(&page);
    assert!(
        page.contains("<h1>Falls per week in all your services</h1>"),
        "{page}"
    );
    let rows = table_rows(&page);
    assert_eq!(
        rows.len(),
        104,
        "two years of complete weeks, this one left out"
    );
    assert_eq!(
        rows.last().map(|r| r.0.as_str()),
        Some("week of 16 Nov 2026")
    );
    assert_eq!(
        rows[rows.len() - 1].1.split('|').next(),
        Some("1"),
        "the 20 Nov fall"
    );
    assert_eq!(rows[rows.len() - 2].0, "week of 9 Nov 2026");
    assert_eq!(
        rows[rows.len() - 2].1.split('|').next(),
        Some("1"),
        "the 10 Nov fall"
    );
    assert_eq!(rows[rows.len() - 3].1.split('|').next(), Some("0"));
    assert!(page.contains("The latest week shows"));

    let moderate = manager.text("/trends?harm=moderate").await?;
    assert!(
        moderate.contains("<h1>Falls per month (moderate harm or worse) in all your services</h1>")
    );
    let rows = table_rows(&moderate);
    assert_eq!(
        rows.last().map(|r| (r.0.as_str(), r.1.split('|').next())),
        Some(("Oct 2026", Some("0")))
    );
    // The month so far is left out, so count on the weekly chart: both graded moderate or worse.
    let weekly = table_rows(&manager.text("/trends?harm=moderate&period=week").await?);
    let total: u32 = weekly
        .iter()
        .filter_map(|r| r.1.split('|').next()?.parse::<u32>().ok())
        .sum();
    assert_eq!(
        total, 2,
        "the severe and the moderate fall, not the low one (this week is left out anyway)"
    );
    let severe = table_rows(&manager.text("/trends?harm=severe&period=week").await?);
    let total: u32 = severe
        .iter()
        .filter_map(|r| r.1.split('|').next()?.parse::<u32>().ok())
        .sum();
    assert_eq!(total, 1);
    assert_eq!(manager.get("/trends?period=fortnight").await?.status(), 400);
    assert_eq!(manager.get("/trends?harm=some").await?.status(), 400);
    Ok(())
});

db_test!(
    a_recorded_change_rebases_the_chart_and_is_audited,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        for when in [
            "2026-06-10T10:00:00Z",
            "2026-07-10T10:00:00Z",
            "2026-09-10T10:00:00Z",
        ] {
            reported_and_triaged(
                &app,
                when,
                "Fell",
                ("low", "none"),
                ("2", "3"),
                "local_review",
            )
            .await?;
        }
        let here = app.world.service.service_id;
        let manager = app
            .signed_in(app.world.email(Role::RegisteredManager))
            .await?;
        let chart = format!("/trends?measure=falls&service={here}");
        let page = manager.text(&chart).await?;
        assert!(page.contains("None recorded for this measure here."));
        assert!(!page.contains("class=\"spc-break\""));
        let form_at = format!("/trends/changes/new?measure=falls&service={here}");
        assert!(page.contains(&form_at.replace('&', "&amp;")), "{page}");
        let form = manager.text(&form_at).await?;
        assert_ids_unique(&form);
        let csrf = csrf_in(&form).unwrap();
        let service = here.to_string();
        let send = |day: &'static str, label: &'static str| {
            let (manager, csrf, service) = (&manager, csrf.clone(), service.clone());
            async move {
                manager
                    .post_form(
                        "/trends/changes",
                        &[
                            ("csrf_token", &csrf),
                            ("measure", "falls"),
                            ("service", &service),
                            ("region", ""),
                            ("starts_on", day),
                            ("label", label),
                        ],
                    )
                    .await
            }
        };
        let refused = send("2026-12-25", "").await?;
        assert_eq!(refused.status(), 422);
        let body = refused.text().await?;
        assert!(
            body.contains("href=\"#starts_on\"") && body.contains("href=\"#label\""),
            "{body}"
        );
        assert!(body.contains("The change must have started: today or earlier"));
        let done = send("2026-08-15", "Sensor mats introduced on every bed").await?;
        assert_eq!(done.status(), 303);
        let page = manager.text(&chart).await?;
        assert!(
            page.contains("<strong>15 Aug 2026</strong>: Sensor mats introduced on every bed"),
            "{page}"
        );
        // Limits are recalculated from September, the first whole month after it.
        assert!(
            page.contains("<title>Limits recalculated from Sep 26</title>"),
            "{page}"
        );
        assert_eq!(
            page.matches("class=\"spc-mean\"").count(),
            2,
            "a mean for each period"
        );
        let events = app.ctx.store.audit_page(app.world.org, 0, 1000).await?;
        assert!(
            events.iter().any(|e| e.action == "trend_change.recorded"
                && e.details()
                    .unwrap_or_default()
                    .contains("Sensor mats introduced")),
            "audited"
        );
        // Another chart (the region's) has its own changes; a care worker records none.
        let worker = app.signed_in(app.world.email(Role::CareWorker)).await?;
        assert_eq!(worker.get(&form_at).await?.status(), 403);
        Ok(())
    }
);

db_test!(
    falls_per_thousand_occupied_bed_days_once_occupancy_is_recorded,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        for when in [
            "2026-10-05T10:00:00Z",
            "2026-10-20T10:00:00Z",
            "2026-09-10T10:00:00Z",
        ] {
            reported_and_triaged(
                &app,
                when,
                "Fell",
                ("low", "none"),
                ("2", "3"),
                "local_review",
            )
            .await?;
        }
        let here = app.world.service.service_id;
        let manager = app
            .signed_in(app.world.email(Role::RegisteredManager))
            .await?;
        let sheet = manager.text(&format!("/occupancy?service={here}")).await?;
        assert_ids_unique(&sheet);
        assert!(sheet.contains("id=\"bed_days-2026-10\""), "{sheet}");
        let csrf = csrf_in(&sheet).unwrap();
        let service = here.to_string();
        let save = |month: &'static str, days: &'static str, version: &'static str| {
            let (manager, csrf, service) = (&manager, csrf.clone(), service.clone());
            async move {
                manager
                    .post_form(
                        "/occupancy",
                        &[
                            ("csrf_token", &csrf),
                            ("service", &service),
                            ("month", month),
                            ("bed_days", days),
                            ("version", version),
                        ],
                    )
                    .await
            }
        };
        let bad = save("2026-10", "nine hundred", "0").await?;
        assert_eq!(bad.status(), 422);
        assert!(
            bad.text()
                .await?
                .contains("Enter occupied bed days as a whole number")
        );
        assert_eq!(save("2026-10", "900", "0").await?.status(), 303);
        assert_eq!(save("2026-09", "880", "0").await?.status(), 303);
        // A second save over the first's version is refused, naming who changed it.
        let stale = save("2026-10", "930", "0").await?;
        assert_eq!(stale.status(), 409);
        let body = stale.text().await?;
        assert!(
            body.contains(
                "Registered manager changed the occupied bed days for October 2026 to 900"
            ),
            "{body}"
        );
        assert_eq!(save("2026-10", "930", "1").await?.status(), 303);

        let page = manager
            .text(&format!(
                "/trends?measure=falls&service={here}&rate=bed_days"
            ))
            .await?;
        assert_ids_unique(&page);
        assert!(
            page.contains("<h1>Falls per 1,000 occupied bed days in Alder House</h1>"),
            "{page}"
        );
        let rows = table_rows(&page);
        assert_eq!(
            rows.iter()
                .map(|r| (r.0.as_str(), r.1.as_str()))
                .collect::<Vec<_>>(),
            vec![
                ("Sep 2026", "1|880|1.14|Common cause variation|"),
                ("Oct 2026", "2|930|2.15|Common cause variation|"),
            ]
        );
        assert!(page.contains("id=\"missing-occupancy\""));
        assert!(
            page.contains("Nov 2024, Dec 2024"),
            "the months without occupancy are named"
        );
        let worker = app.signed_in(app.world.email(Role::CareWorker)).await?;
        assert_eq!(worker.get("/occupancy").await?.status(), 403);
        Ok(())
    }
);

db_test!(
    each_category_has_a_trend_counted_as_confirmed_at_triage,
    |engine| {
        use candour_domain::incident::ReportDraft;
        use candour_domain::triage::TriageDraft;
        let app = TestApp::spawn(engine).await?;
        let worker = app.actor(app.world.email(Role::CareWorker)).await?;
        // Reported as "other" on Tuesday 17 Nov; the manager confirms it was a fall.
        let r = candour::actions::incidents::report_incident(
            &app.ctx,
            &worker,
            &ReportDraft {
                kind: "incident".into(),
                category: "other".into(),
                service_id: app.world.service.service_id.to_string(),
                occurred_at: "2026-11-17T10:00:00Z".into(),
                description: "Found sitting on the floor of the lounge".into(),
                immediate_actions: "Helped up; checked for injury".into(),
                affected_person_ids: vec![app.world.person.to_string()],
                ..ReportDraft::default()
            },
        )
        .await
        .map_err(fail)?
        .reference;
        let manager = app.actor(app.world.email(Role::RegisteredManager)).await?;
        candour::actions::triage::triage_incident(
            &app.ctx,
            &manager,
            r,
            &TriageDraft {
                kind: "incident".into(),
                category: "fall".into(),
                physical_harm: "low".into(),
                psychological_harm: "none".into(),
                consequence: "2".into(),
                likelihood: "3".into(),
                learning_response: "local_review".into(),
                ..TriageDraft::default()
            },
            1,
        )
        .await
        .map_err(fail)?;
        let web = app
            .signed_in(app.world.email(Role::RegisteredManager))
            .await?;
        let total = |rows: Vec<(String, String)>| -> u32 {
            rows.iter()
                .filter_map(|r| r.1.split('|').next()?.parse::<u32>().ok())
                .sum()
        };
        assert_eq!(
            total(table_rows(
                &web.text("/trends?measure=falls&period=week").await?
            )),
            1
        );
        let other = web.text("/trends?measure=other&period=week").await?;
        assert!(
            other.contains("<h1>Other per week in all your services</h1>"),
            "{other}"
        );
        assert_eq!(total(table_rows(&other)), 0, "counted where triage put it");
        let page = web.text("/trends?measure=infection").await?;
        assert!(page.contains("<option value=\"infection\" selected>Infection</option>"));
        Ok(())
    }
);

db_test!(the_organisation_sets_how_long_a_run_is, |engine| {
    let app = TestApp::spawn(engine).await?;
    falls_april_to_october(&app).await?;
    let plain = |page: &str| {
        page.split("<p id=\"plain-words\"><strong>In plain words:</strong> ")
            .nth(1)
            .and_then(|p| p.split("</p>").next())
            .unwrap_or_default()
            .to_owned()
    };
    let manager = app
        .signed_in(app.world.email(Role::RegisteredManager))
        .await?;
    let before = plain(&manager.text("/trends").await?);
    assert!(
        before.starts_with("The last 7 periods have all been above the average"),
        "{before}"
    );

    let admin = app.signed_in(app.world.email(Role::Administrator)).await?;
    let settings = admin.text("/settings").await?;
    assert!(settings.contains(
        "id=\"run_length\" name=\"run_length\" type=\"text\" inputmode=\"numeric\" value=\"7\""
    ));
    let csrf = csrf_in(&settings).unwrap();
    let refused = admin
        .post_form(
            "/settings/charts",
            &[("csrf_token", &csrf), ("run_length", "4")],
        )
        .await?;
    assert_eq!(refused.status(), 422);
    let body = refused.text().await?;
    assert!(
        body.contains("href=\"#run_length\"") && body.contains("from 5 to 12"),
        "{body}"
    );
    let saved = admin
        .post_form(
            "/settings/charts",
            &[("csrf_token", &csrf), ("run_length", "8")],
        )
        .await?;
    assert_eq!(saved.status(), 303);
    let after = plain(&manager.text("/trends").await?);
    assert!(
        !after.contains("The last 7 periods"),
        "seven is no longer a run: {after}"
    );
    assert!(after.contains("above the upper process limit"), "{after}");
    let events = app.ctx.store.audit_page(app.world.org, 0, 1000).await?;
    assert!(
        events
            .iter()
            .any(|e| e.action == "organisation.spc_chart_set")
    );
    assert_eq!(manager.get("/settings").await?.status(), 403);
    Ok(())
});
