//! Breaches: recorded when a deadline passes (the moment it passed),
//! escalated a level each working day it stays open, each level told once in
//! the app and by email; urgent reports alert managers at once; the
//! scheduler runs each slot once across instances.

use crate::helpers::*;
use crate::smtp::SmtpSink;
use candour::actions::breaches::sweep;
use candour::actions::incidents::report_incident;
use candour::email::sender::{Mailer, send_due};
use candour_domain::incident::{IncidentReference, ReportDraft};
use candour_domain::role::Role;

async fn report(app: &TestApp, category: &str) -> anyhow::Result<IncidentReference> {
    let worker = app.actor(app.world.email(Role::CareWorker)).await?;
    let mut details = fall_details();
    if category == "death" {
        details = [("expected".to_owned(), vec!["unexpected".to_owned()])]
            .into_iter()
            .collect();
    }
    let draft = ReportDraft {
        kind: "incident".into(),
        category: category.into(),
        details,
        service_id: app.world.service.service_id.to_string(),
        occurred_at: "2026-11-23T07:00:00Z".into(),
        description: "Needs a manager".into(),
        immediate_actions: "Made safe".into(),
        ..ReportDraft::default()
    };
    Ok(report_incident(&app.ctx, &worker, &draft)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .reference)
}

async fn swept(app: &TestApp) -> anyhow::Result<(usize, usize)> {
    let s = sweep(&app.ctx).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok((s.breaches, s.told))
}

db_test!(
    a_missed_triage_is_recorded_and_climbs_a_level_each_working_day,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        // Monday 23 Nov, 09:30: triage due by the end of Tuesday.
        let r = report(&app, "fall").await?;
        assert_eq!(swept(&app).await?, (0, 0), "nothing is late yet");
        // Wednesday 25 Nov, 09:30: late. The registered manager is told.
        app.clock.advance(2 * 86_400);
        assert_eq!(swept(&app).await?, (1, 1));
        assert_eq!(swept(&app).await?, (0, 0), "each level is told once");
        // Thursday 26 Nov, 09:30: a working day later, the regional manager.
        app.clock.advance(86_400);
        assert_eq!(swept(&app).await?, (0, 1));
        // Friday 27 Nov, 09:30: the head of operations.
        app.clock.advance(86_400);
        assert_eq!(swept(&app).await?, (0, 1));
        let manager = app
            .signed_in(app.world.email(Role::RegisteredManager))
            .await?;
        let page = manager
            .get(&format!("/incidents/{r}"))
            .await?
            .text()
            .await?;
        assert!(
            page.contains("Triage was due 24 Nov 2026, 23:59"),
            "the moment of the breach"
        );
        assert!(page.contains("Registered manager (registered manager), Regional manager (regional manager), Head of operations (head of operations)"));
        let home = manager.get("/my-reports").await?.text().await?;
        assert!(home.contains("A timescale was missed: INC-000001"));
        // The handler records why.
        let csrf = csrf_in(&page).unwrap();
        let at = page.find("/breaches/").unwrap() + "/breaches/".len();
        let id = page[at..].split('"').next().unwrap();
        let resp = manager
            .post_form(
                &format!("/incidents/{r}/breaches/{id}"),
                &[
                    ("csrf_token", &csrf),
                    ("breach_reason", "The manager was on leave"),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 303);
        let page = manager
            .get(&format!("/incidents/{r}"))
            .await?
            .text()
            .await?;
        assert!(page.contains("Why it was late: The manager was on leave (Registered manager)"));
        // Emails go to each person told, with no details of the report.
        let sink = SmtpSink::start()?;
        let mailer = Mailer::new(&sink.url, "Candour <candour@a.example>")?;
        assert_eq!(send_due(&app.ctx, &mailer).await?, 3);
        let mail = sink.wait_for(3, 10).await;
        assert!(mail.iter().all(|m| {
            m.data
                .contains("Subject: Overdue: triage of INC-000001 at Alder House")
        }));
        Ok(())
    }
);

db_test!(
    a_death_alerts_the_managers_at_once_and_is_late_after_four_hours,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        report(&app, "death").await?;
        let manager = app
            .signed_in(app.world.email(Role::RegisteredManager))
            .await?;
        let mine = manager.get("/my-reports").await?.text().await?;
        assert!(mine.contains("Urgent: needs a manager now: INC-000001"));
        let regional = app
            .signed_in(app.world.email(Role::RegionalManager))
            .await?;
        assert!(
            regional.get("/").await?.text().await?.contains("1 new"),
            "the senior manager too"
        );
        let emails = app.ctx.store.emails(app.world.org).await?;
        assert!(
            emails
                .iter()
                .any(|e| e.subject == "Urgent: INC-000001 at Alder House needs a manager now")
        );
        app.clock.advance(4 * 3600 + 60);
        assert_eq!(
            swept(&app).await?,
            (1, 1),
            "four hours on, the triage is late"
        );
        Ok(())
    }
);

db_test!(
    the_scheduler_runs_each_minute_once_across_instances,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        report(&app, "fall").await?;
        app.clock.advance(2 * 86_400);
        // Two instances on one database: the same slot runs once.
        assert!(candour::jobs::tick(&app.ctx).await?);
        assert!(!candour::jobs::tick(&app.ctx).await?);
        let page = app
            .signed_in(app.world.email(Role::RegisteredManager))
            .await?
            .get("/incidents/INC-000001")
            .await?
            .text()
            .await?;
        assert!(page.contains("Timescales missed"));
        app.clock.advance(60);
        assert!(
            candour::jobs::tick(&app.ctx).await?,
            "the next minute is a new slot"
        );
        Ok(())
    }
);

/// A fall at `at` reported by the care worker now.
async fn fall_at(app: &TestApp, at: &str) -> anyhow::Result<IncidentReference> {
    let worker = app.actor(app.world.email(Role::CareWorker)).await?;
    let draft = ReportDraft {
        kind: "incident".into(),
        category: "fall".into(),
        details: fall_details(),
        service_id: app.world.service.service_id.to_string(),
        occurred_at: at.into(),
        description: "Slipped on the stairs".into(),
        immediate_actions: "Checked and helped up".into(),
        ..ReportDraft::default()
    };
    Ok(report_incident(&app.ctx, &worker, &draft)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .reference)
}

async fn triage_due(app: &TestApp, r: IncidentReference) -> anyhow::Result<String> {
    Ok(app
        .ctx
        .store
        .incident_by_reference(app.world.org, r)
        .await?
        .and_then(|i| i.triage_due_at)
        .map(|t| t.to_string())
        .unwrap_or_default())
}

/// Moves the test clock to `to` (it only goes forward).
fn move_to(app: &TestApp, to: &str) {
    let to: jiff::Timestamp = to.parse().unwrap();
    let secs = to.as_second() - app.ctx.clock.now().as_second();
    assert!(secs >= 0, "the clock only goes forward");
    app.clock.advance(secs);
}

async fn triaged_low(app: &TestApp, r: IncidentReference) -> anyhow::Result<()> {
    let manager = app.actor(app.world.email(Role::RegisteredManager)).await?;
    let version = app
        .ctx
        .store
        .incident_by_reference(app.world.org, r)
        .await?
        .unwrap()
        .version;
    let t = candour_domain::triage::TriageDraft {
        kind: "incident".into(),
        category: "fall".into(),
        physical_harm: "low".into(),
        psychological_harm: "none".into(),
        consequence: "2".into(),
        likelihood: "2".into(),
        learning_response: "local_review".into(),
        ..Default::default()
    };
    candour::actions::triage::triage_incident(&app.ctx, &manager, r, &t, version)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(())
}

db_test!(
    deadlines_and_escalation_skip_christmas_and_new_year,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        // Thursday 24 Dec 2026, 10:00: Friday is Christmas Day and Monday
        // 28 Dec the Boxing Day holiday, so triage is due by the end of
        // Tuesday 29 Dec.
        move_to(&app, "2026-12-24T10:00:00Z");
        let christmas = fall_at(&app, "2026-12-24T09:00:00Z").await?;
        assert_eq!(
            triage_due(&app, christmas).await?,
            "2026-12-29T23:59:59.999Z"
        );
        move_to(&app, "2026-12-29T23:30:00Z");
        assert_eq!(swept(&app).await?, (0, 0), "not late on the due day");
        move_to(&app, "2026-12-30T00:30:00Z");
        assert_eq!(swept(&app).await?, (1, 1), "late, and the manager is told");
        let incident = app
            .ctx
            .store
            .incident_by_reference(app.world.org, christmas)
            .await?
            .unwrap();
        let breaches = app.ctx.store.breaches(incident.incident_id).await?;
        assert_eq!(
            breaches[0].due_at.to_string(),
            "2026-12-29T23:59:59.999Z",
            "the breach is the moment it was due"
        );
        triaged_low(&app, christmas).await?;

        // Wednesday 30 Dec, 10:00: due by the end of Thursday 31 Dec. New
        // Year's Day and the weekend are not working days, so the regional
        // manager hears on Tuesday 5 Jan and the head of operations on
        // Wednesday 6 Jan.
        move_to(&app, "2026-12-30T10:00:00Z");
        let new_year = fall_at(&app, "2026-12-30T08:00:00Z").await?;
        assert_eq!(
            triage_due(&app, new_year).await?,
            "2026-12-31T23:59:59.999Z"
        );
        move_to(&app, "2027-01-01T00:30:00Z");
        assert_eq!(swept(&app).await?, (1, 1));
        move_to(&app, "2027-01-04T12:00:00Z");
        assert_eq!(
            swept(&app).await?,
            (0, 0),
            "the holiday and the weekend do not count"
        );
        move_to(&app, "2027-01-05T00:30:00Z");
        assert_eq!(swept(&app).await?, (0, 1), "the regional manager");
        move_to(&app, "2027-01-05T23:30:00Z");
        assert_eq!(swept(&app).await?, (0, 0));
        move_to(&app, "2027-01-06T00:30:00Z");
        assert_eq!(swept(&app).await?, (0, 1), "the head of operations");
        Ok(())
    }
);

db_test!(
    a_deadline_over_easter_and_the_spring_clock_change_ends_at_midnight_uk_time,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        // Good Friday, 26 Mar 2027, 15:00 GMT. Easter Monday is a holiday
        // too and the clocks go forward on Sunday, so triage is due by the
        // end of Tuesday 30 Mar, UK time: 22:59:59.999 UTC.
        move_to(&app, "2027-03-26T15:00:00Z");
        let r = fall_at(&app, "2027-03-26T14:00:00Z").await?;
        assert_eq!(triage_due(&app, r).await?, "2027-03-30T22:59:59.999Z");
        move_to(&app, "2027-03-30T22:30:00Z");
        assert_eq!(swept(&app).await?, (0, 0), "23:30 in the UK: not yet late");
        move_to(&app, "2027-03-30T23:30:00Z");
        assert_eq!(swept(&app).await?, (1, 1), "00:30 in the UK: late");
        let manager = app
            .signed_in(app.world.email(Role::RegisteredManager))
            .await?;
        let page = manager.text(&format!("/incidents/{r}")).await?;
        assert!(
            page.contains("Triage was due 30 Mar 2027, 23:59"),
            "shown in UK time"
        );
        Ok(())
    }
);

db_test!(
    sqlite_planner_statistics_are_refreshed_once_a_night,
    |engine| {
        use candour::store::Engine;
        let app = TestApp::spawn(engine).await?;
        let store = &app.ctx.store;
        let claim = async |day: &str| -> anyhow::Result<bool> {
            let mut tx = store.begin().await?;
            let mine = candour::store::breaches::claim_slot(
                &mut tx,
                "planner_statistics",
                day,
                app.ctx.clock.now().as_millisecond(),
            )
            .await?;
            tx.commit().await?;
            Ok(mine)
        };
        // 02:30 UK time on Tuesday 24 Nov: not yet.
        let at = |s: &str| s.parse::<jiff::Timestamp>().unwrap();
        app.clock
            .advance(at("2026-11-24T02:30:00Z").as_second() - app.ctx.clock.now().as_second());
        let before = store.planner_statistics().await?;
        assert!(candour::jobs::tick(&app.ctx).await?);
        assert_eq!(store.planner_statistics().await?, before);
        // 03:00: SQLite reads its indexes once for the day; PostgreSQL
        // leaves it to autovacuum.
        app.clock.advance(30 * 60);
        assert!(candour::jobs::tick(&app.ctx).await?);
        if engine == Engine::Sqlite {
            assert_eq!(before, 0, "a new database has none");
            assert!(store.planner_statistics().await? > 0);
            assert!(!claim("2026-11-24").await?, "claimed for the day");
        } else {
            assert!(claim("2026-11-24").await?, "no nightly work on PostgreSQL");
        }
        Ok(())
    }
);
