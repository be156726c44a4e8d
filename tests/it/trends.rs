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
