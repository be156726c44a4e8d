//! The monthly board report: headline figures, charts read in plain words,
//! and the sections behind them, for the organisation or a region, as a
//! page and a tagged PDF read back; nobody named; emailed to board members
//! on the first working day of the next month, once.

use crate::helpers::*;
use crate::smtp::SmtpSink;
use candour::email::sender::{Mailer, send_due};
use candour_domain::role::Role;

/// November in Alder House: a serious fall whose CQC notification is
/// required (and never made), a minor fall, a lesson read by the care
/// worker, an action due on 25 Nov, a meeting with attendance, and a safety
/// alert due on 27 Nov. Leaves the clock at 1 Dec 2026, 07:00.
async fn a_month_of_learning(app: &TestApp) -> anyhow::Result<()> {
    serious_injury(app).await?;
    let minor = minor_fall(app, "Slipped on the wet floor").await?;

    let manager = app.actor(app.world.email(Role::RegisteredManager)).await?;
    wet_floor_lesson_read(app, minor).await?;
    candour::actions::improvement::add_action(
        &app.ctx,
        &manager,
        candour::actions::improvement::From::Plan(app.world.service.service_id),
        &candour_domain::improvement::ActionDraft {
            title: "Dry-mop rota after lunch".into(),
            description: "Dining room dry-mopped by 14:00; checked daily.".into(),
            owner: manager.user_id.to_string(),
            due_on: "2026-11-25".into(),
            in_plan: true,
            ..Default::default()
        },
    )
    .await
    .map_err(fail)?;
    let meeting = candour::actions::meetings::arrange(
        &app.ctx,
        &manager,
        app.world.service.service_id,
        &candour_domain::meetings::MeetingDraft {
            kind: "monthly".into(),
            date: "2026-11-24".into(),
            time: "10:00".into(),
            location: "Office".into(),
            chair: "Priya Shah".into(),
            incident: String::new(),
        },
    )
    .await
    .map_err(fail)?;
    for (name, how) in [
        ("Priya Shah", "in_person"),
        ("Tom Reed", "in_person"),
        ("Ana Lopes", "online"),
        ("Sam Idris", "apologies"),
    ] {
        candour::actions::meetings::add_attendee(
            &app.ctx,
            &manager,
            meeting,
            &candour::store::meetings::Attendee {
                name: name.into(),
                role: "Care worker".into(),
                attendance: how.into(),
            },
        )
        .await
        .map_err(fail)?;
    }
    let lead = app.actor(app.world.email(Role::HeadOfOperations)).await?;
    candour::actions::alerts::log_alert(
        &app.ctx,
        &lead,
        &candour_domain::alerts::AlertDraft {
            reference: "NatPSA/2026/004".into(),
            title: "Bed rails: risk of entrapment".into(),
            kind: "natpsa".into(),
            issued_on: "2026-11-20".into(),
            received_on: "2026-11-20".into(),
            deadline: "2026-11-27".into(),
            summary: String::new(),
        },
    )
    .await
    .map_err(fail)?;
    // Monday 23 Nov 09:30 → Tuesday 1 Dec 07:00 (GMT).
    app.clock.advance(8 * 86_400 - 2 * 3600 - 30 * 60);
    Ok(())
}

/// The cells of the table row whose heading is `first`.
fn row_of(page: &str, first: &str) -> Option<String> {
    page.split(&format!("<tr><th scope=\"row\">{first}</th>"))
        .nth(1)
        .and_then(|r| r.split("</tr>").next())
        .map(|r| r.replace("<td>", "").replace("</td>", "|"))
}

db_test!(the_board_sees_the_month_without_anyone_named, |engine| {
    let app = TestApp::spawn(engine).await?;
    a_month_of_learning(&app).await?;
    let board = app.signed_in(app.world.email(Role::BoardMember)).await?;
    let index = board.text("/reports").await?;
    assert!(index.contains("href=\"/reports/board\""), "{index}");
    assert!(
        !index.contains("href=\"/reports/breaches\""),
        "named reports are not offered to the board"
    );
    let page = board.text("/reports/board").await?;
    assert_ids_unique(&page);
    assert!(
        page.contains("<h1>Board report: November 2026</h1>"),
        "{page}"
    );
    for (figure, value) in [
        (
            "Reports made",
            "2: 2 incidents, 0 near misses, 0 good practice",
        ),
        (
            "Incidents by physical harm",
            "no harm 0, low 1, moderate 0, severe 1, fatal 0, not graded yet 0",
        ),
        ("Serious incidents", "1"),
        ("Statutory notifications made in time", "0 of 1 (0%)"),
        ("Improvement actions overdue now", "1"),
        ("Lessons shared", "1; read by 1 of "),
        ("Lessons-learned meetings held", "1"),
        (
            "Safety alerts open",
            "1 (1 overdue); 1 received, 0 signed off this month",
        ),
    ] {
        assert!(
            page.contains(&format!("<dt>{figure}</dt><dd>{value}")),
            "{figure}: {value} in {page}"
        );
    }
    // Five charts, each an image with its description and its reading.
    assert_eq!(
        page.matches("<img src=\"data:image/svg+xml;base64,")
            .count(),
        5
    );
    assert!(
        page.contains(
            "alt=\"Falls per month in Organisation A, Dec 2024 to Nov 2026: 2 in Nov 2026;"
        )
    );
    assert!(page.contains("<strong>In plain words:</strong> November 2026: 2 falls"));
    // The sections behind the figures.
    let serious = row_of(&page, "INC-000001").unwrap_or_default();
    assert_eq!(
        serious,
        "Alder House|Fall|Severe physical harm, high risk|Chosen; not opened yet|"
    );
    assert_eq!(
        row_of(&page, "CQC notification: serious injury").as_deref(),
        Some("1|0|0|1|0|"),
        "required, not made, past due"
    );
    let actions = row_of(&page, "Alder House").unwrap_or_default();
    assert!(actions.starts_with("1|1|0|"), "{actions}");
    let meeting = row_of(&page, "24 Nov 2026").unwrap_or_default();
    assert!(
        meeting.contains("Alder House|Monthly lessons-learned meeting|2|1|1|Not yet|"),
        "{meeting}"
    );
    assert!(page.contains("<th scope=\"row\">NatPSA/2026/004</th><td>National Patient Safety Alert</td><td>Bed rails: risk of entrapment</td><td>27 Nov 2026</td><td>Overdue</td>"));
    for name in [
        "Edna Test",
        "Priya Shah",
        "Tom Reed",
        "Dr Okafor",
        "Wet floor signs",
    ] {
        assert!(!page.contains(name), "{name} named in the board report");
    }

    // The PDF says the same, tagged, with the charts inside.
    let resp = board
        .get("/reports/board.pdf?month=2026-11&scope=all")
        .await?;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/pdf");
    if let Some((text, info)) = read_pdf(&resp.bytes().await?)? {
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for part in [
            "Board report: November 2026: Organisation A",
            "Headline figures",
            "Falls per month",
            "In plain words: November 2026: 2 falls",
            "Serious incidents and investigations",
            "INC-000001",
            "Statutory notifications and their timeliness",
            "CQC notification: serious injury",
            "Duty of candour",
            "Timescale breaches",
            "Improvement actions",
            "Lessons learned",
            "Lessons-learned meetings",
            "Safety alerts and guidance",
            "NatPSA/2026/004",
        ] {
            assert!(text.contains(part), "{part} in {text}");
        }
        for name in ["Edna Test", "Priya Shah", "Dr Okafor"] {
            assert!(!text.contains(name), "{name} named in the PDF");
        }
        assert!(info.contains("Tagged:          yes"), "{info}");
        assert!(
            info.contains("Title:           Board report: November 2026"),
            "{info}"
        );
    }
    Ok(())
});

db_test!(
    a_region_sees_its_own_services_and_workers_see_none,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        // A fall at Birch House, in region 2, in November.
        birch_fall(&app).await?;
        a_month_of_learning(&app).await?;

        let board = app.signed_in(app.world.email(Role::BoardMember)).await?;
        let all = board.text("/reports/board?month=2026-11").await?;
        assert!(
            all.contains("<dt>Reports made</dt><dd>3: 3 incidents"),
            "{all}"
        );
        // The board may choose a region, not a single service.
        assert!(all.contains("Region One region</option>"), "{all}");
        assert!(!all.contains(&format!(
            "value=\"service:{}\"",
            app.world.service.service_id
        )));
        let regional = app
            .signed_in(app.world.email(Role::RegionalManager))
            .await?;
        let page = regional.text("/reports/board?month=2026-11").await?;
        // Region One has one service: the report is named after it.
        assert!(
            page.contains("<span class=\"caption\">Alder House</span>"),
            "{page}"
        );
        assert!(
            page.contains("<dt>Reports made</dt><dd>2: 2 incidents"),
            "{page}"
        );
        assert!(!page.contains("Birch House"));
        // Asking for another region's report is not found.
        let other = format!("region:{}", app.world.other_service.region_id);
        assert_eq!(
            regional
                .get(&format!("/reports/board?month=2026-11&scope={other}"))
                .await?
                .status(),
            404
        );
        let worker = app.signed_in(app.world.email(Role::CareWorker)).await?;
        assert_eq!(worker.get("/reports/board").await?.status(), 403);
        assert_eq!(worker.get("/reports/board.pdf").await?.status(), 403);
        let stranger = app.signed_in(&app.world.user_b).await?;
        assert_eq!(stranger.get("/reports/board").await?.status(), 403);
        Ok(())
    }
);

db_test!(
    board_members_are_emailed_last_months_report_once,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        a_month_of_learning(&app).await?;
        app.clock.advance(-60);
        let board_emails = |app: &TestApp| {
            let store = app.ctx.store.clone();
            let org = app.world.org;
            async move {
                anyhow::Ok(
                    store
                        .emails(org)
                        .await?
                        .into_iter()
                        .filter(|e| e.subject.starts_with("Board report"))
                        .collect::<Vec<_>>(),
                )
            }
        };
        candour::jobs::tick(&app.ctx).await?;
        assert!(board_emails(&app).await?.is_empty(), "not before 07:00");
        app.clock.advance(60);
        assert!(candour::jobs::tick(&app.ctx).await?);
        let queued = board_emails(&app).await?;
        assert_eq!(queued.len(), 1, "{queued:?}");
        assert_eq!(queued[0].to, app.world.email(Role::BoardMember));
        assert_eq!(
            queued[0].subject,
            "Board report for November 2026: Organisation A"
        );
        app.clock.advance(60);
        candour::jobs::tick(&app.ctx).await?;
        candour::actions::reports::send_monthly_reports(&app.ctx)
            .await
            .map_err(fail)?;
        assert_eq!(board_emails(&app).await?.len(), 1, "once");

        let sink = SmtpSink::start()?;
        let mailer = Mailer::new(&sink.url, "Candour <candour@a.example>")?;
        let all = app.ctx.store.emails(app.world.org).await?.len();
        send_due(&app.ctx, &mailer).await?;
        let mail = sink.wait_for(all, 10).await;
        let report = mail
            .iter()
            .find(|m| m.data.contains("Subject: Board report for November 2026"))
            .ok_or_else(|| anyhow::anyhow!("no board report among {} emails", mail.len()))?;
        assert!(
            report.data.contains("Serious incidents: 1"),
            "{}",
            report.data
        );
        assert!(
            report
                .data
                .contains("Statutory notifications made in time: 0 of 1 (0%)")
        );
        assert!(report.data.contains("text/html"));
        for name in ["Edna Test", "Priya Shah", "Dr Okafor"] {
            assert!(!report.data.contains(name), "{name} named in the email");
        }
        Ok(())
    }
);

db_test!(
    the_boards_charts_are_rebased_at_the_organisations_recorded_changes,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        falls_april_to_october(&app).await?;
        let board = app.actor(app.world.email(Role::BoardMember)).await?;
        let month = candour_domain::monthly::Month::new(2026, 10).unwrap_or_else(|| unreachable!());
        let falls_svg = |r: &candour::actions::board_report::BoardReport| {
            r.charts
                .iter()
                .find(|c| c.measure == candour::actions::trends::TrendMeasure::Falls)
                .map(|c| r.chart_document(c).svg)
                .unwrap_or_default()
        };
        let before = candour::actions::board_report::board_report(&app.ctx, &board, month, None)
            .await
            .map_err(fail)?;
        assert!(!falls_svg(&before).contains("stroke-dasharray=\"2 3\""));
        // The head of operations records a change for the whole organisation.
        let head = app.actor(app.world.email(Role::HeadOfOperations)).await?;
        candour::actions::trends::record_change(
            &app.ctx,
            &head,
            (None, None),
            candour::actions::trends::TrendMeasure::Falls,
            ("2026-07-01", "Sensor mats in every home"),
        )
        .await
        .map_err(fail)?;
        let after = candour::actions::board_report::board_report(&app.ctx, &board, month, None)
            .await
            .map_err(fail)?;
        assert!(
            falls_svg(&after).contains("stroke-dasharray=\"2 3\""),
            "a break where the new period starts"
        );
        let falls = after
            .charts
            .iter()
            .find(|c| c.measure == candour::actions::trends::TrendMeasure::Falls)
            .ok_or_else(|| anyhow::anyhow!("no falls chart"))?;
        let first_mean = falls.chart.points[0].mean;
        let last_mean = falls
            .chart
            .points
            .last()
            .map(|p| p.mean)
            .unwrap_or_default();
        assert!(
            first_mean < last_mean,
            "the new period has its own mean: {first_mean} then {last_mean}"
        );
        Ok(())
    }
);

db_test!(
    the_report_the_board_was_sent_is_kept_and_shown_as_it_was,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        a_month_of_learning(&app).await?;
        assert!(
            candour::jobs::tick(&app.ctx).await?,
            "the month's reports go out"
        );
        let board = app.signed_in(app.world.email(Role::BoardMember)).await?;
        let page = board.text("/reports/board?month=2026-11").await?;
        assert!(
            page.contains("This report was sent to the board on 1 Dec 2026, 07:00"),
            "{page}"
        );
        let sent = board
            .get("/reports/board.pdf?month=2026-11&scope=all")
            .await?;
        assert_eq!(sent.status(), 200);
        assert!(
            sent.headers()["content-disposition"]
                .to_str()?
                .contains("as-sent")
        );
        let sent = sent.bytes().await?.to_vec();
        let kept = app
            .ctx
            .store
            .sent_board_report(app.world.org, "2026-11", "all")
            .await?
            .unwrap();
        assert_eq!(sent, kept.pdf, "the PDF as it was sent");

        // A November fall reported since: today's version counts it, the sent one does not.
        serious_injury(&app).await?;
        let again = board
            .get("/reports/board.pdf?month=2026-11&scope=all")
            .await?;
        assert_eq!(again.bytes().await?.to_vec(), kept.pdf, "unchanged");
        let now = board
            .get("/reports/board.pdf?month=2026-11&scope=all&as=now")
            .await?
            .bytes()
            .await?
            .to_vec();
        assert_ne!(now, kept.pdf);
        if let (Some((then, _)), Some((today, _))) = (read_pdf(&kept.pdf)?, read_pdf(&now)?) {
            // The falls chart counts the fall by when it happened.
            assert!(then.contains("November 2026: 2 falls"), "{then}");
            assert!(today.contains("November 2026: 3 falls"), "{today}");
        }
        // Only for those who may see the report.
        let worker = app.signed_in(app.world.email(Role::CareWorker)).await?;
        let resp = worker.get("/reports/board.pdf?month=2026-11").await?;
        assert!(
            resp.status() == 403 || resp.status() == 404,
            "{}",
            resp.status()
        );
        Ok(())
    }
);
