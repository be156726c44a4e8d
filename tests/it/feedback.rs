//! Feedback to every reporter: given by a manager, shown in "My reports",
//! told in the app and by email through the outbox to a real SMTP server,
//! with the time from report to feedback kept.

use crate::helpers::*;
use crate::smtp::SmtpSink;
use candour::actions::addenda::add_to_report;
use candour::actions::feedback::give_feedback;
use candour::actions::incidents::report_incident;
use candour::email::sender::{Mailer, send_due};
use candour_domain::incident::{AddendumKind, IncidentReference, ReportDraft};
use candour_domain::role::Role;
use serde_json::{Value, json};

const FROM: &str = "Candour <candour@a.example>";

async fn a_report_by(app: &TestApp, role: Role) -> anyhow::Result<IncidentReference> {
    let actor = app.actor(app.world.email(role)).await?;
    let draft = ReportDraft {
        kind: "near_miss".into(),
        category: "environment".into(),
        service_id: app.world.service.service_id.to_string(),
        occurred_at: "2026-11-23T07:00:00Z".into(),
        description: "Cable across the corridor by the lift".into(),
        ..ReportDraft::default()
    };
    Ok(report_incident(&app.ctx, &actor, &draft)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .reference)
}

db_test!(
    a_reporter_is_told_of_feedback_in_the_app_and_by_email,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let reference = a_report_by(&app, Role::CareWorker).await?;
        let worker = app.signed_in(app.world.email(Role::CareWorker)).await?;
        let mine = worker.get("/my-reports").await?.text().await?;
        assert!(mine.contains("Not yet"), "no feedback yet");

        app.clock.advance(2 * 3600 + 5 * 60);
        let manager = app
            .signed_in(app.world.email(Role::RegisteredManager))
            .await?;
        let csrf = manager.csrf(&format!("/incidents/{reference}")).await?;
        let resp = manager
            .post_form(
                &format!("/incidents/{reference}/feedback"),
                &[
                    ("csrf_token", &csrf),
                    (
                        "feedback",
                        "We found the cleaner's cable. Cleaning is now done after 10:00 with cables taped.",
                    ),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 303);

        // Two hours on, the reporter's session has ended: they sign in again.
        let worker = app.signed_in(app.world.email(Role::CareWorker)).await?;
        let home = worker.get("/").await?.text().await?;
        assert!(home.contains("1 new"), "the navigation shows something new");
        let mine = worker.get("/my-reports").await?.text().await?;
        assert!(mine.contains("Feedback on your report: INC-000001"));
        assert!(mine.contains("Given 23 Nov 2026"));
        assert!(
            mine.contains("Cleaning is now done after 10:00"),
            "My reports shows every feedback message"
        );
        let page = worker
            .get(&format!("/incidents/{reference}"))
            .await?
            .text()
            .await?;
        assert!(page.contains("Cleaning is now done after 10:00"));
        assert!(page.contains("First feedback 2 hours 5 minutes after the report"));
        let home = worker.get("/").await?.text().await?;
        assert!(!home.contains("1 new"), "opening the report reads it");

        // The email waits in the outbox until a real SMTP server takes it.
        let emails = app.ctx.store.emails(app.world.org).await?;
        assert_eq!(emails.len(), 1);
        assert_eq!(emails[0].state, "queued");
        assert_eq!(emails[0].to, app.world.email(Role::CareWorker));
        let sink = SmtpSink::start()?;
        let mailer = Mailer::new(&sink.url, FROM)?;
        assert_eq!(send_due(&app.ctx, &mailer).await?, 1);
        let got = sink.wait_for(1, 10).await;
        assert_eq!(got.len(), 1);
        assert!(
            got[0].to[0].contains("care_worker@a.example"),
            "{:?}",
            got[0].to
        );
        assert!(
            got[0]
                .data
                .contains("Subject: Feedback on your report INC-000001")
        );
        assert!(
            !got[0].data.contains("cable"),
            "the email carries no details of the report"
        );
        assert_eq!(app.ctx.store.emails(app.world.org).await?[0].state, "sent");
        assert_eq!(send_due(&app.ctx, &mailer).await?, 0, "each email once");

        let api = token_for(&app, app.world.email(Role::CareWorker)).await?;
        let read: Value = reqwest::Client::new()
            .get(format!("{}/api/v1/incidents/{reference}", app.base))
            .bearer_auth(&api)
            .send()
            .await?
            .json()
            .await?;
        assert_eq!(read["minutes_to_feedback"], 125);
        assert_eq!(read["feedback"][0]["author"], "Registered manager");
        Ok(())
    }
);

db_test!(
    an_email_the_server_cannot_take_is_retried_and_a_refused_one_is_given_up,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let reference = a_report_by(&app, Role::CareWorker).await?;
        let manager = app.actor(app.world.email(Role::RegisteredManager)).await?;
        give_feedback(&app.ctx, &manager, reference, "Looked into it.")
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        // Nothing listens on this port: a temporary failure.
        let closed = std::net::TcpListener::bind("127.0.0.1:0")?;
        let dead = format!("smtp://{}", closed.local_addr()?);
        drop(closed);
        assert_eq!(send_due(&app.ctx, &Mailer::new(&dead, FROM)?).await?, 0);
        let e = &app.ctx.store.emails(app.world.org).await?[0];
        assert_eq!((e.state.as_str(), e.attempts), ("queued", 1));
        assert!(e.last_error.is_some());

        let sink = SmtpSink::start()?;
        let mailer = Mailer::new(&sink.url, FROM)?;
        assert_eq!(
            send_due(&app.ctx, &mailer).await?,
            0,
            "not before its retry time"
        );
        app.clock.advance(61);
        assert_eq!(send_due(&app.ctx, &mailer).await?, 1);
        assert_eq!(sink.wait_for(1, 10).await.len(), 1);

        // A recipient the server refuses for good is not retried.
        let mut tx = app.ctx.store.begin().await?;
        candour::store::outbox::enqueue_email(
            &mut tx,
            &candour::store::outbox::NewEmail {
                organisation_id: app.world.org,
                to: "refuse-me@a.example",
                subject: "Test",
                body_text: "Test",
                body_html: None,
            },
            app.ctx.clock.now().as_millisecond(),
        )
        .await?;
        tx.commit().await?;
        assert_eq!(send_due(&app.ctx, &mailer).await?, 0);
        let emails = app.ctx.store.emails(app.world.org).await?;
        assert_eq!(emails[1].state, "failed");
        assert_eq!(emails[1].attempts, 1);
        Ok(())
    }
);

db_test!(a_correction_request_tells_the_reporter_too, |engine| {
    let app = TestApp::spawn(engine).await?;
    let reference = a_report_by(&app, Role::CareWorker).await?;
    let senior = app.actor(app.world.email(Role::SeniorCarer)).await?;
    add_to_report(
        &app.ctx,
        &senior,
        reference,
        AddendumKind::CorrectionRequest,
        None,
        "Which corridor?",
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let worker = app.signed_in(app.world.email(Role::CareWorker)).await?;
    let mine = worker.get("/my-reports").await?.text().await?;
    assert!(mine.contains("A manager asks you to correct your report: INC-000001"));
    let emails = app.ctx.store.emails(app.world.org).await?;
    assert_eq!(emails[0].subject, "Please check your report INC-000001");
    Ok(())
});

db_test!(
    feedback_must_say_something_and_only_reviewers_give_it,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let reference = a_report_by(&app, Role::CareWorker).await?;
        let manager = token_for(&app, app.world.email(Role::RegisteredManager)).await?;
        let resp = api_post(
            &app,
            &manager,
            &format!("/api/v1/incidents/{reference}/feedback"),
            &json!({"text": "  "}),
        )
        .await?;
        assert_eq!(resp.status(), 422);
        let body: Value = resp.json().await?;
        assert_eq!(body["errors"][0]["pointer"], "/text");
        let worker = token_for(&app, app.world.email(Role::CareWorker)).await?;
        let resp = api_post(
            &app,
            &worker,
            &format!("/api/v1/incidents/{reference}/feedback"),
            &json!({"text": "I give myself feedback"}),
        )
        .await?;
        assert_eq!(
            resp.status(),
            404,
            "a reporter cannot answer their own report"
        );
        let browser = app
            .signed_in(app.world.email(Role::RegisteredManager))
            .await?;
        let csrf = browser.csrf(&format!("/incidents/{reference}")).await?;
        let resp = browser
            .post_form(
                &format!("/incidents/{reference}/feedback"),
                &[("csrf_token", &csrf), ("feedback", "")],
            )
            .await?;
        assert_eq!(resp.status(), 422);
        let page = resp.text().await?;
        assert_summary_links_resolve(&page);
        assert_eq!(
            page.matches("class=\"error-summary\"").count(),
            1,
            "one error summary"
        );
        assert!(app.ctx.store.emails(app.world.org).await?.is_empty());
        Ok(())
    }
);

db_test!(
    an_anonymous_reporter_reads_feedback_with_their_code,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let (_, link) = candour::actions::anonymous::public_token(
            &app.ctx,
            &app.actor(app.world.email(Role::RegisteredManager)).await?,
            app.world.service.service_id,
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        let created: Value = reqwest::Client::new()
            .post(format!("{}/api/v1/public/{link}/incidents", app.base))
            .json(&json!({
                "kind": "near_miss",
                "category": "other",
                "occurred_at": "2026-11-23T07:00:00Z",
                "description": "Keypad code written on the door frame",
            }))
            .send()
            .await?
            .json()
            .await?;
        let reference = IncidentReference::parse(created["reference"].as_str().unwrap()).unwrap();
        let manager = app.actor(app.world.email(Role::RegisteredManager)).await?;
        give_feedback(
            &app.ctx,
            &manager,
            reference,
            "Code changed and frame cleaned.",
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        let case: Value = reqwest::Client::new()
            .post(format!("{}/api/v1/cases", app.base))
            .json(&json!({"code": created["case_code"]}))
            .send()
            .await?
            .json()
            .await?;
        assert_eq!(
            case["feedback"][0]["text"],
            "Code changed and frame cleaned."
        );
        assert!(
            app.ctx.store.emails(app.world.org).await?.is_empty(),
            "no one to email"
        );
        Ok(())
    }
);

db_test!(
    an_email_is_given_up_after_the_configured_number_of_tries,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let reference = a_report_by(&app, Role::CareWorker).await?;
        let manager = app.actor(app.world.email(Role::RegisteredManager)).await?;
        give_feedback(&app.ctx, &manager, reference, "Looked into it.")
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let closed = std::net::TcpListener::bind("127.0.0.1:0")?;
        let dead = format!("smtp://{}", closed.local_addr()?);
        drop(closed);
        assert!(Mailer::new(&dead, FROM)?.with_max_attempts(0).is_err());
        let mailer = Mailer::new(&dead, FROM)?.with_max_attempts(2)?;
        send_due(&app.ctx, &mailer).await?;
        let e = &app.ctx.store.emails(app.world.org).await?[0];
        assert_eq!(
            (e.state.as_str(), e.attempts),
            ("queued", 1),
            "tried again later"
        );
        app.clock.advance(61);
        let metrics = app.metrics().await?;
        assert!(
            metrics.contains("candour_email_outbox{state=\"waiting\"} 1"),
            "{metrics}"
        );
        assert!(
            metrics.contains("candour_email_oldest_waiting_seconds 61"),
            "{metrics}"
        );
        send_due(&app.ctx, &mailer).await?;
        let e = &app.ctx.store.emails(app.world.org).await?[0];
        assert_eq!(
            (e.state.as_str(), e.attempts),
            ("failed", 2),
            "given up, kept"
        );
        assert!(e.last_error.is_some());
        app.clock.advance(86_400);
        assert_eq!(send_due(&app.ctx, &mailer).await?, 0, "never tried again");
        assert_eq!(app.ctx.store.emails(app.world.org).await?[0].attempts, 2);
        let metrics = app.metrics().await?;
        assert!(metrics.contains("candour_email_outbox{state=\"failed\"} 1"));
        assert!(metrics.contains("candour_email_outbox{state=\"waiting\"} 0"));
        assert!(metrics.contains("candour_email_oldest_waiting_seconds 0"));
        Ok(())
    }
);

db_test!(opening_a_report_marks_only_its_own_news_read, |engine| {
    let app = TestApp::spawn(engine).await?;
    let first = a_report_by(&app, Role::CareWorker).await?;
    let second = a_report_by(&app, Role::CareWorker).await?;
    let manager = app.actor(app.world.email(Role::RegisteredManager)).await?;
    for r in [first, second] {
        give_feedback(&app.ctx, &manager, r, "Looked into it.")
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    let worker = app.actor(app.world.email(Role::CareWorker)).await?;
    let unread = async || -> anyhow::Result<Vec<String>> {
        Ok(app
            .ctx
            .store
            .notifications(worker.user_id, 10)
            .await?
            .into_iter()
            .filter(|n| !n.read)
            .map(|n| n.reference)
            .collect())
    };
    assert_eq!(unread().await?.len(), 2);
    candour::actions::incidents::show_incident(&app.ctx, &worker, first)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    assert_eq!(unread().await?, [second.to_string()]);
    // A report with nothing new about it marks nothing.
    let third = a_report_by(&app, Role::CareWorker).await?;
    candour::actions::incidents::show_incident(&app.ctx, &worker, third)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    assert_eq!(unread().await?, [second.to_string()]);
    Ok(())
});
