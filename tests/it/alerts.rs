//! The register of external guidance and safety alerts: logged, acknowledged,
//! judged, owned, acted on by the deadline, told to staff, completed with
//! evidence and signed off; overdue alerts escalate by email.

use crate::helpers::*;
use candour_domain::role::Role;

async fn post(
    client: &Client,
    path: &str,
    form: &[(String, String)],
) -> anyhow::Result<reqwest::Response> {
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    client.post_form(path, &pairs).await
}

db_test!(an_alert_goes_from_received_to_signed_off, |engine| {
    let app = TestApp::spawn(engine).await?;
    let lead = app
        .signed_in(app.world.email(Role::QualityAssurance))
        .await?;
    let page = lead.text("/alerts").await?;
    assert_ids_unique(&page);
    let csrf = csrf_in(&page).unwrap();
    let alert = |reference: &'static str, deadline: &'static str| {
        vec![
            ("reference", reference),
            ("title", "Bed rails: risk of entrapment"),
            ("kind", "natpsa"),
            ("issued_on", "2026-11-16"),
            ("received_on", "2026-11-17"),
            ("deadline", deadline),
            (
                "summary",
                "Measure every bed rail gap against the new limits",
            ),
        ]
    };
    let mut bad = alert(" ", "2026-11-01");
    bad.push(("csrf_token", &csrf));
    let resp = lead.post_form("/alerts", &bad).await?;
    assert_eq!(resp.status(), 422);
    let body = resp.text().await?;
    assert!(body.contains("href=\"#reference\"") && body.contains("href=\"#deadline\""));
    let mut good = alert("NatPSA/2026/004/MHRA", "2026-11-27");
    good.push(("csrf_token", &csrf));
    let resp = lead.post_form("/alerts", &good).await?;
    assert_eq!(resp.status(), 303);
    let at = location_of(&resp);
    let resp = lead.post_form("/alerts", &good).await?;
    assert_eq!(resp.status(), 422, "the same reference twice");
    assert!(resp.text().await?.contains("already in the register"));

    // Care workers do not see the register; a service's manager sees it but does not lead.
    let worker = app.signed_in(app.world.email(Role::CareWorker)).await?;
    assert_eq!(worker.get("/alerts").await?.status(), 403);
    let manager = app
        .signed_in(app.world.email(Role::RegisteredManager))
        .await?;
    let mcsrf = csrf_in(&manager.text(&at).await?).unwrap();
    let step = |c: &str, version: &str, step: &str| {
        vec![
            ("csrf_token".to_owned(), c.to_owned()),
            ("version".to_owned(), version.to_owned()),
            ("step".to_owned(), step.to_owned()),
        ]
    };
    let steps = format!("{at}/steps");
    assert_eq!(
        post(&manager, &steps, &step(&mcsrf, "1", "acknowledge"))
            .await?
            .status(),
        403
    );
    assert_eq!(
        post(&lead, &steps, &step(&csrf, "1", "acknowledge"))
            .await?
            .status(),
        303
    );
    // A stale decision names who changed the alert.
    let mut decide = step(&csrf, "1", "decide");
    decide.push(("relevant".into(), "yes".into()));
    decide.push(("text".into(), "We use bed rails in every home".into()));
    let owner = app
        .actor(app.world.email(Role::RegisteredManager))
        .await?
        .user_id
        .to_string();
    decide.push(("owner".into(), owner.clone()));
    let resp = post(&lead, &steps, &decide.clone()).await?;
    assert_eq!(resp.status(), 409);
    assert!(
        resp.text()
            .await?
            .contains("Quality assurance changed this alert at 23 Nov 2026, 09:30")
    );
    let mut no_owner: Vec<(String, String)> = decide
        .iter()
        .filter(|(k, _)| k != "owner")
        .cloned()
        .collect();
    no_owner[1].1 = "2".into();
    let resp = post(&lead, &steps, &no_owner).await?;
    assert_eq!(resp.status(), 422);
    assert!(resp.text().await?.contains("Choose who owns the response"));
    decide[1].1 = "2".into();
    assert_eq!(post(&lead, &steps, &decide).await?.status(), 303);

    // The owner cannot complete it before acting and telling staff.
    let mut complete = step(&mcsrf, "3", "complete");
    complete.push(("text".into(), "All rails measured".into()));
    let resp = post(&manager, &steps, &complete.clone()).await?;
    assert_eq!(resp.status(), 409);
    let body = resp.text().await?;
    assert!(
        body.contains("Record how staff were told") && body.contains("Add the actions taken"),
        "{body}"
    );
    let action = |due: &str| {
        vec![
            ("csrf_token".to_owned(), mcsrf.clone()),
            (
                "action_title".to_owned(),
                "Measure every bed rail gap".to_owned(),
            ),
            ("action_owner".to_owned(), owner.clone()),
            ("action_due_on".to_owned(), due.to_owned()),
        ]
    };
    let resp = post(&manager, &format!("{at}/actions"), &action("2026-12-20")).await?;
    assert_eq!(resp.status(), 422);
    assert!(
        resp.text()
            .await?
            .contains("The alert asks for action by 27 Nov 2026")
    );
    assert_eq!(
        post(&manager, &format!("{at}/actions"), &action("2026-11-26"))
            .await?
            .status(),
        303
    );

    // Past the deadline it is overdue and escalates, once per person and level.
    app.clock.advance(5 * 24 * 3_600);
    let lead = app
        .signed_in(app.world.email(Role::QualityAssurance))
        .await?;
    let register = lead.text("/alerts").await?;
    assert!(register.contains("tag-overdue\">Overdue"), "{register}");
    let escalate = || async {
        candour::actions::alerts::escalate_overdue_alerts(&app.ctx)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))
    };
    // The owner, and those who triage across the organisation (quality assurance, head of operations).
    assert_eq!(escalate().await?, 3);
    assert_eq!(escalate().await?, 0);
    app.clock.advance(4 * 24 * 3_600);
    assert_eq!(escalate().await?, 1, "the head of operations after 5 days");
    let emails = app.ctx.store.emails(app.world.org).await?;
    assert!(
        emails
            .iter()
            .any(|e| e.to == app.world.email(Role::RegisteredManager)
                && e.subject == "Safety alert overdue: NatPSA/2026/004/MHRA")
    );

    // Done, told, completed, signed off by a senior manager.
    let manager = app
        .signed_in(app.world.email(Role::RegisteredManager))
        .await?;
    let page = manager.text(&at).await?;
    let mcsrf = csrf_in(&page).unwrap();
    let done = page
        .split("/actions/")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(
        manager
            .post_form(
                &format!("{at}/actions/{done}/done"),
                &[("csrf_token", &mcsrf)]
            )
            .await?
            .status(),
        303
    );
    let mut told = step(&mcsrf, "3", "staff_told");
    told.push((
        "text".into(),
        "At every handover and by a lesson to read".into(),
    ));
    told.push(("on".into(), "2026-12-01".into()));
    assert_eq!(post(&manager, &steps, &told).await?.status(), 303);
    let mut complete = step(&mcsrf, "4", "complete");
    complete.push((
        "text".into(),
        "Gap measurements for 42 rails on file; 3 replaced".into(),
    ));
    assert_eq!(post(&manager, &steps, &complete).await?.status(), 303);
    let lead = app
        .signed_in(app.world.email(Role::QualityAssurance))
        .await?;
    let csrf = csrf_in(&lead.text(&at).await?).unwrap();
    assert_eq!(
        post(&lead, &steps, &step(&csrf, "5", "sign_off"))
            .await?
            .status(),
        403,
        "quality assurance does not sign off"
    );
    let head = app
        .signed_in(app.world.email(Role::HeadOfOperations))
        .await?;
    let hcsrf = csrf_in(&head.text(&at).await?).unwrap();
    let mut sign = step(&hcsrf, "5", "sign_off");
    sign.push(("text".into(), "Checked the measurements".into()));
    assert_eq!(post(&head, &steps, &sign).await?.status(), 303);
    let page = head.text(&at).await?;
    assert_ids_unique(&page);
    assert!(
        page.contains("<span class=\"tag\">Signed off</span>"),
        "{page}"
    );
    assert!(page.contains("Gap measurements for 42 rails on file"));
    let id = at.trim_start_matches("/alerts/");
    let actions: Vec<String> = app
        .ctx
        .store
        .audit_for_record(app.world.org, "safety_alert", id)
        .await?
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions,
        [
            "alert.logged",
            "alert.acknowledged",
            "alert.relevance_decided",
            "alert.action_added",
            "alert.action_done",
            "alert.staff_told",
            "alert.completed",
            "alert.signed_off"
        ]
    );
    assert_eq!(
        escalate().await?,
        0,
        "a completed alert no longer escalates"
    );
    let stranger = app.signed_in(&app.world.user_b).await?;
    assert_eq!(
        stranger.get(&at).await?.status(),
        403,
        "another organisation's care worker"
    );
    Ok(())
});

db_test!(
    an_alert_that_does_not_apply_is_closed_with_its_reason,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let lead = app.actor(app.world.email(Role::HeadOfOperations)).await?;
        let id = candour::actions::alerts::log_alert(
            &app.ctx,
            &lead,
            &candour_domain::alerts::AlertDraft {
                reference: "MDA/2026/011".into(),
                title: "Infusion pump software".into(),
                kind: "mhra_device".into(),
                issued_on: "2026-11-20".into(),
                received_on: "2026-11-20".into(),
                deadline: "2026-11-22".into(),
                summary: String::new(),
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        let step = |step: &str, relevant: &str, text: &str| candour::actions::alerts::StepDraft {
            step: step.into(),
            relevant: relevant.into(),
            text: text.into(),
            ..Default::default()
        };
        candour::actions::alerts::record(&app.ctx, &lead, (id, 1), &step("acknowledge", "", ""))
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        candour::actions::alerts::record(
            &app.ctx,
            &lead,
            (id, 2),
            &step("decide", "no", "We use no infusion pumps"),
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        let register = candour::actions::alerts::register(&app.ctx, &lead)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        assert_eq!(
            register[0].status,
            candour_domain::alerts::AlertStatus::NotRelevant,
            "past its deadline, but closed"
        );
        assert_eq!(
            candour::actions::alerts::escalate_overdue_alerts(&app.ctx)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?,
            0
        );
        Ok(())
    }
);
