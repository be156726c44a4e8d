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
