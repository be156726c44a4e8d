//! The monthly breach report: every missed deadline of a month in the
//! reader's scope, by how much, why, and how the review and actions stand;
//! as CSV; and emailed to quality assurance on the first working day of the
//! next month, once.

use crate::helpers::*;
use crate::smtp::SmtpSink;
use candour::actions::breaches::sweep;
use candour::actions::incidents::report_incident;
use candour::actions::openness::record_openness;
use candour::actions::triage::triage_incident;
use candour::email::sender::{Mailer, send_due};
use candour_domain::incident::{IncidentReference, ReportDraft};
use candour_domain::openness::OpennessDraft;
use candour_domain::role::Role;
use candour_domain::triage::TriageDraft;

const REASON: &str = "The manager was on leave and cover was not arranged";

/// Two falls on Monday 23 Nov, one at each service, both triaged late
/// (due by the end of Tuesday): Alder House's on Wednesday 09:30 with a
/// reason, Birch House's not at all.
async fn a_late_month(app: &TestApp) -> anyhow::Result<(IncidentReference, IncidentReference)> {
    let report = |who: Role, service: String, person: String| {
        let draft = ReportDraft {
            kind: "incident".into(),
            category: "fall".into(),
            details: fall_details(),
            service_id: service,
            occurred_at: "2026-11-23T07:00:00Z".into(),
            description: "Slipped in the lounge".into(),
            immediate_actions: "Checked for injury".into(),
            affected_person_ids: vec![person],
            ..ReportDraft::default()
        };
        async move {
            let actor = app.actor(app.world.email(who)).await?;
            anyhow::Ok(
                report_incident(&app.ctx, &actor, &draft)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?
                    .reference,
            )
        }
    };
    let alder = report(
        Role::CareWorker,
        app.world.service.service_id.to_string(),
        app.world.person.to_string(),
    )
    .await?;
    let birch = report(
        Role::HeadOfOperations,
        app.world.other_service.service_id.to_string(),
        app.world.other_person.to_string(),
    )
    .await?;
    app.clock.advance(2 * 86_400);
    sweep(&app.ctx).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let manager = app.actor(app.world.email(Role::RegisteredManager)).await?;
    let t = TriageDraft {
        kind: "incident".into(),
        category: "fall".into(),
        physical_harm: "low".into(),
        psychological_harm: "none".into(),
        consequence: "2".into(),
        likelihood: "2".into(),
        learning_response: "local_review".into(),
        ..TriageDraft::default()
    };
    triage_incident(&app.ctx, &manager, alder, &t, 1)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let breach = app
        .ctx
        .store
        .breaches(
            app.ctx
                .store
                .incident_by_reference(app.world.org, alder)
                .await?
                .ok_or_else(|| anyhow::anyhow!("no {alder}"))?
                .incident_id,
        )
        .await?;
    candour::actions::breaches::explain_breach(
        &app.ctx,
        &manager,
        alder,
        breach[0].breach_id,
        REASON,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let told = OpennessDraft {
        told: "yes".into(),
        who: "Her son".into(),
        told_date: "2026-11-23".into(),
        told_time: "09:00".into(),
        how: "phone".into(),
        what: "She slipped; no injury".into(),
        apology: "yes".into(),
        ..OpennessDraft::default()
    };
    record_openness(&app.ctx, &manager, alder, &told)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok((alder, birch))
}

db_test!(
    the_breach_report_shows_each_missed_deadline_by_how_much_and_why,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let (alder, birch) = a_late_month(&app).await?;
        let qa = app
            .signed_in(app.world.email(Role::QualityAssurance))
            .await?;
        let index = qa.text("/reports").await?;
        assert!(index.contains("Timescale breaches by month"));
        let page = qa.text("/reports/breaches?month=2026-11").await?;
        assert!(page.contains("Timescale breaches in November 2026"));
        assert!(page.contains("2 deadlines missed</strong>: 2 triage, 0 review. 1 still without a reason recorded."), "{page}");
        assert!(page.contains(&format!("{alder}</a>")));
        assert!(
            page.contains("9 hours 30 minutes"),
            "triaged 09:30 Wednesday, due by midnight"
        );
        assert!(page.contains(REASON));
        assert!(page.contains("Triaged; local review; no actions"));
        assert!(page.contains(&format!("{birch}</a>")));
        assert!(page.contains("No reason yet"));
        assert!(
            page.contains("9 hours 30 minutes so far"),
            "still not triaged"
        );
        assert!(page.contains("Of 2 incidents in November 2026 that affected someone using a service, 1 record that the person or their family were told, 1 that we said sorry, and 0 that they have not been told yet."), "{page}");
        assert!(
            page.contains("None of the 2 reports made in November 2026 has had feedback yet."),
            "{page}"
        );
        // Feedback two days after the report: the time is reported.
        let manager_actor = app.actor(app.world.email(Role::RegisteredManager)).await?;
        candour::actions::feedback::give_feedback(
            &app.ctx,
            &manager_actor,
            alder,
            "Thank you: the lounge rug is gone.",
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        let page = qa.text("/reports/breaches?month=2026-11").await?;
        assert!(
            page.contains("1 of 2 reports made in November 2026 has had feedback: half within 2 days, the longest after 2 days. 1 still waiting."),
            "{page}"
        );

        // One service, then the CSV of it.
        let alder_only = format!("service:{}", app.world.service.service_id);
        let page = qa
            .text(&format!(
                "/reports/breaches?month=2026-11&scope={alder_only}"
            ))
            .await?;
        assert!(
            page.contains(
                "1 deadline missed</strong>: 1 triage, 0 review. Every one has a reason recorded."
            ),
            "{page}"
        );
        assert!(!page.contains(&format!("{birch}</a>")));
        let resp = qa.get("/reports/breaches.csv?month=2026-11").await?;
        assert_eq!(resp.status(), 200);
        assert_eq!(resp.headers()["content-type"], "text/csv; charset=utf-8");
        assert!(
            resp.headers()["content-disposition"]
                .to_str()?
                .contains("candour-breaches-2026-11.csv")
        );
        let csv = resp.text().await?;
        let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
        assert_eq!(lines.len(), 3, "{csv}");
        assert!(lines[0].starts_with("Reference,Service,Category,Target missed,"));
        assert!(
            lines[1].starts_with(&format!(
                "{alder},Alder House,Fall,Triage,\"24 Nov 2026, 23:59\",\"25 Nov 2026, 09:30\",570,9 hours 30 minutes,"
            )),
            "{}",
            lines[1]
        );
        assert!(lines[1].contains(",570,9 hours 30 minutes,"));
        assert!(lines[1].contains(REASON));

        // October had none.
        let page = qa.text("/reports/breaches?month=2026-10").await?;
        assert!(page.contains("No triage or review deadline was missed in October 2026."));

        // A registered manager sees their own service only; others' are not found.
        let manager = app
            .signed_in(app.world.email(Role::RegisteredManager))
            .await?;
        let page = manager.text("/reports/breaches?month=2026-11").await?;
        assert!(page.contains(&format!("{alder}</a>")));
        assert!(!page.contains(&format!("{birch}</a>")));
        let other = format!("service:{}", app.world.other_service.service_id);
        let resp = manager
            .get(&format!("/reports/breaches?month=2026-11&scope={other}"))
            .await?;
        assert_eq!(resp.status(), 404);
        assert_eq!(
            manager
                .get("/reports/breaches?month=2026-13")
                .await?
                .status(),
            404
        );
        // Care workers and board members have no breach report.
        for role in [Role::CareWorker, Role::BoardMember] {
            let c = app.signed_in(app.world.email(role)).await?;
            assert_eq!(c.get("/reports/breaches").await?.status(), 403, "{role:?}");
            assert_eq!(
                c.get("/reports/breaches.csv").await?.status(),
                403,
                "{role:?}"
            );
            // The board member's reports are the board report only.
            assert_eq!(
                c.text("/").await?.contains("href=\"/reports\""),
                role == Role::BoardMember,
                "{role:?}"
            );
        }
        Ok(())
    }
);

db_test!(
    quality_assurance_are_emailed_last_months_report_once_on_the_first_working_day,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let (alder, _) = a_late_month(&app).await?;
        // Wednesday 25 Nov 09:30 → Tuesday 1 Dec 06:59 (GMT).
        app.clock.advance(6 * 86_400 - (2 * 3600 + 31 * 60));
        let breach_emails = |app: &TestApp| {
            let store = app.ctx.store.clone();
            let org = app.world.org;
            async move {
                anyhow::Ok(
                    store
                        .emails(org)
                        .await?
                        .into_iter()
                        .filter(|e| e.subject.starts_with("Timescale breaches"))
                        .collect::<Vec<_>>(),
                )
            }
        };
        candour::jobs::tick(&app.ctx).await?;
        assert!(breach_emails(&app).await?.is_empty(), "not before 07:00");
        app.clock.advance(60);
        assert!(candour::jobs::tick(&app.ctx).await?);
        let queued = breach_emails(&app).await?;
        assert_eq!(queued.len(), 1, "{queued:?}");
        assert_eq!(queued[0].to, app.world.email(Role::QualityAssurance));
        assert_eq!(
            queued[0].subject,
            "Timescale breaches in November 2026: 2 (All your services)"
        );
        // Later ticks, and another instance, send nothing more.
        app.clock.advance(60);
        candour::jobs::tick(&app.ctx).await?;
        candour::actions::reports::send_monthly_reports(&app.ctx)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        assert_eq!(breach_emails(&app).await?.len(), 1);

        let sink = SmtpSink::start()?;
        let mailer = Mailer::new(&sink.url, "Candour <candour@a.example>")?;
        let all = app.ctx.store.emails(app.world.org).await?.len();
        send_due(&app.ctx, &mailer).await?;
        let mail = sink.wait_for(all, 10).await;
        let report = mail
            .iter()
            .find(|m| {
                m.data
                    .contains("Subject: Timescale breaches in November 2026")
            })
            .ok_or_else(|| anyhow::anyhow!("no breach report among {} emails", mail.len()))?;
        assert!(report.data.contains(&alder.to_string()));
        assert!(report.data.contains("Reason recorded"));
        assert!(report.data.contains("Feedback to reporters"));
        assert!(
            !report.data.contains("on leave"),
            "reasons stay out of email"
        );
        assert!(report.data.contains("text/html"));
        Ok(())
    }
);
