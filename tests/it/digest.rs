//! The daily digest: at 07:00 UK time, once a day per person across
//! instances and restarts, people by internal code only, text and HTML
//! parts, nothing lost through an SMTP outage; self-service subscription.

use crate::helpers::*;
use crate::smtp::SmtpSink;
use candour::actions::incidents::report_incident;
use candour::email::sender::{Mailer, send_due};
use candour_domain::incident::ReportDraft;
use candour_domain::role::Role;

async fn report(app: &TestApp) -> anyhow::Result<()> {
    let worker = app.actor(app.world.email(Role::CareWorker)).await?;
    let draft = ReportDraft {
        kind: "incident".into(),
        category: "fall".into(),
        details: fall_details(),
        service_id: app.world.service.service_id.to_string(),
        occurred_at: "2026-11-23T07:00:00Z".into(),
        description: "Edna Test slipped by the wardrobe".into(),
        immediate_actions: "Checked and helped up".into(),
        affected_person_ids: vec![app.world.person.to_string()],
        ..ReportDraft::default()
    };
    report_incident(&app.ctx, &worker, &draft)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(())
}

async fn digests_queued(app: &TestApp) -> anyhow::Result<usize> {
    Ok(app
        .ctx
        .store
        .emails(app.world.org)
        .await?
        .iter()
        .filter(|e| e.subject.starts_with("Candour daily digest"))
        .count())
}

db_test!(
    the_digest_goes_at_seven_once_a_day_and_names_no_one,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        report(&app).await?;
        // Monday 09:30: today's digest time is past 07:00 but before noon, so
        // the scheduler sends it now (a server that was down at 07:00 catches up).
        assert!(candour::jobs::tick(&app.ctx).await?);
        let emails = app.ctx.store.emails(app.world.org).await?;
        let digests: Vec<_> = emails
            .iter()
            .filter(|e| e.subject.starts_with("Candour daily digest"))
            .collect();
        // Registered manager, regional manager, head of operations, quality assurance.
        assert_eq!(digests.len(), 4, "{digests:?}");
        assert!(
            digests
                .iter()
                .all(|e| e.subject
                    == "Candour daily digest, 23 Nov 2026: 1 new, 0 overdue, 0 due today"),
            "triage is due tomorrow: {digests:?}"
        );
        assert!(
            !digests
                .iter()
                .any(|e| e.to == app.world.email(Role::CareWorker))
        );
        assert!(
            !digests
                .iter()
                .any(|e| e.to == app.world.email(Role::SeniorCarer)),
            "not by default"
        );
        // A second instance, a minute later: no second digest today.
        app.clock.advance(60);
        assert!(candour::jobs::tick(&app.ctx).await?);
        assert_eq!(digests_queued(&app).await?, 4);

        // An outage: nothing is lost, and each arrives once when the server is back.
        let closed = std::net::TcpListener::bind("127.0.0.1:0")?;
        let dead = format!("smtp://{}", closed.local_addr()?);
        drop(closed);
        assert_eq!(
            send_due(&app.ctx, &Mailer::new(&dead, "Candour <c@a.example>")?).await?,
            0
        );
        app.clock.advance(120);
        let sink = SmtpSink::start()?;
        let mailer = Mailer::new(&sink.url, "Candour <c@a.example>")?;
        send_due(&app.ctx, &mailer).await?;
        send_due(&app.ctx, &mailer).await?;
        let got = sink.wait_for(4, 10).await;
        let digests: Vec<_> = got
            .iter()
            .filter(|m| m.data.contains("Candour daily digest"))
            .collect();
        assert_eq!(digests.len(), 4, "each digest exactly once");
        let one = &digests[0].data;
        assert!(
            one.contains("multipart/alternative") && one.contains("text/html"),
            "text and HTML parts"
        );
        assert!(one.contains("P-000001"), "people by internal code");
        assert!(
            !one.contains("Edna"),
            "never by name, even from the report's own words"
        );

        // The next morning at 07:00 there is a new digest; at 06:59 not yet.
        app.clock.advance(86_400 - 2 * 3600 - 30 * 60 - 180 - 60); // Tuesday 06:59
        assert!(candour::jobs::tick(&app.ctx).await?);
        assert_eq!(digests_queued(&app).await?, 4);
        app.clock.advance(60);
        assert!(candour::jobs::tick(&app.ctx).await?);
        assert_eq!(digests_queued(&app).await?, 8);
        Ok(())
    }
);

db_test!(
    people_choose_whether_they_get_it_and_see_it_in_the_app,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        report(&app).await?;
        let manager = app
            .signed_in(app.world.email(Role::RegisteredManager))
            .await?;
        let page = manager.get("/digest").await?.text().await?;
        assert!(page.contains("New in the last 24 hours (1)") && page.contains("P-000001"));
        assert!(page.contains("You get this digest by email every day at 07:00"));
        let csrf = csrf_in(&page).unwrap();
        let resp = manager
            .post_form("/digest", &[("csrf_token", &csrf), ("subscribed", "no")])
            .await?;
        assert_eq!(resp.status(), 303);
        let senior = app.signed_in(app.world.email(Role::SeniorCarer)).await?;
        let page = senior.get("/digest").await?.text().await?;
        let csrf = csrf_in(&page).unwrap();
        senior
            .post_form("/digest", &[("csrf_token", &csrf), ("subscribed", "yes")])
            .await?;
        assert!(candour::jobs::tick(&app.ctx).await?);
        let emails = app.ctx.store.emails(app.world.org).await?;
        let to: Vec<&str> = emails
            .iter()
            .filter(|e| e.subject.starts_with("Candour daily digest"))
            .map(|e| e.to.as_str())
            .collect();
        assert!(
            !to.contains(&app.world.email(Role::RegisteredManager)),
            "opted out"
        );
        assert!(to.contains(&app.world.email(Role::SeniorCarer)), "opted in");
        let worker = app.signed_in(app.world.email(Role::CareWorker)).await?;
        assert_eq!(
            worker.get("/digest").await?.status(),
            403,
            "a care worker has no digest"
        );
        Ok(())
    }
);

db_test!(
    each_case_in_the_digest_links_to_it_when_the_address_is_known,
    |engine| {
        use askama::Template;
        let app = TestApp::spawn(engine).await?;
        report(&app).await?;
        let manager = app.actor(app.world.email(Role::RegisteredManager)).await?;
        let now = app.ctx.clock.now();
        let plain = candour::actions::digest::digest_for(&app.ctx, &manager, now)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .unwrap();
        assert!(
            !plain.render()?.contains("/incidents/"),
            "no address, no links"
        );
        let mut ctx = app.ctx.clone();
        ctx.public_url = Some("https://candour.example.org/".into());
        let digest = candour::actions::digest::digest_for(&ctx, &manager, now)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .unwrap();
        let text = digest.render()?;
        assert!(
            text.contains("- INC-000001, Alder House")
                && text.contains("\n  https://candour.example.org/incidents/INC-000001\n"),
            "{text}"
        );
        Ok(())
    }
);
