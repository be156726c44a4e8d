//! Organisation settings in the app, for administrators: timescales (and a
//! category's own), risk bands, added non-working days and contributory
//! factors; waiting reports' triage deadlines follow the changes.

use crate::helpers::*;
use candour::actions::incidents::report_incident;
use candour::actions::investigations::available_factors;
use candour_domain::incident::{IncidentReference, ReportDraft};
use candour_domain::role::Role;

async fn fall(app: &TestApp) -> anyhow::Result<IncidentReference> {
    let worker = app.actor(app.world.email(Role::CareWorker)).await?;
    let draft = ReportDraft {
        kind: "incident".into(),
        category: "fall".into(),
        details: fall_details(),
        service_id: app.world.service.service_id.to_string(),
        occurred_at: "2026-11-23T07:00:00Z".into(),
        description: "Slipped".into(),
        immediate_actions: "Checked".into(),
        ..ReportDraft::default()
    };
    Ok(report_incident(&app.ctx, &worker, &draft)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .reference)
}

async fn triage_due(app: &TestApp, r: IncidentReference) -> anyhow::Result<String> {
    let i = app
        .ctx
        .store
        .incident_by_reference(app.world.org, r)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no {r}"))?;
    Ok(i.triage_due_at.map(|t| t.to_string()).unwrap_or_default())
}

fn timescales(overrides: &[(&'static str, &'static str)]) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = [
        ("triage_working_days", "1"),
        ("urgent_triage_hours", "4"),
        ("review_low", "5"),
        ("review_moderate", "15"),
        ("review_high", "20"),
        ("review_extreme", "20"),
        ("investigation_working_days", "60"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    for (k, v) in overrides {
        match fields.iter_mut().find(|(f, _)| f == k) {
            Some(f) => f.1 = (*v).to_owned(),
            None => fields.push(((*k).to_owned(), (*v).to_owned())),
        }
    }
    fields
}

async fn post(
    c: &Client,
    path: &str,
    fields: &[(String, String)],
) -> anyhow::Result<reqwest::Response> {
    let csrf = c.csrf("/settings").await?;
    let mut all = vec![("csrf_token", csrf.as_str())];
    all.extend(fields.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    c.post_form(path, &all).await
}

db_test!(
    an_administrator_sets_timescales_and_waiting_deadlines_follow,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let r = fall(&app).await?;
        assert_eq!(
            triage_due(&app, r).await?,
            "2026-11-24T23:59:59.999Z",
            "one working day"
        );
        let admin = app.signed_in(app.world.email(Role::Administrator)).await?;
        let home = admin.text("/").await?;
        assert!(home.contains("href=\"/settings\""));
        for role in [Role::RegisteredManager, Role::CareWorker] {
            let c = app.signed_in(app.world.email(role)).await?;
            assert_eq!(c.get("/settings").await?.status(), 403, "{role:?}");
        }

        // Each bad value is named where it was typed.
        let resp = post(
            &admin,
            "/settings/timescales",
            &timescales(&[("urgent_triage_hours", "0"), ("triage-fall", "two")]),
        )
        .await?;
        assert_eq!(resp.status(), 422);
        let body = resp.text().await?;
        assert!(
            body.contains(
                "Enter the hours to triage urgent reports as a whole number from 1 to 72"
            )
        );
        assert!(body.contains("Enter the working days to triage fall reports, or leave it blank"));
        assert!(body.contains("value=\"two\""));
        assert_summary_links_resolve(&body);

        // Three working days to triage: the waiting fall moves from Tuesday to Thursday.
        let resp = post(
            &admin,
            "/settings/timescales",
            &timescales(&[("triage_working_days", "3"), ("review-fall", "3")]),
        )
        .await?;
        assert_eq!(resp.status(), 303);
        assert_eq!(triage_due(&app, r).await?, "2026-11-26T23:59:59.999Z");
        let page = admin.text("/settings").await?;
        assert_ids_unique(&page);
        assert!(page.contains("id=\"triage_working_days\" name=\"triage_working_days\" type=\"text\" inputmode=\"numeric\" value=\"3\""));
        assert!(page.contains("id=\"review-fall\" name=\"review-fall\" type=\"text\" inputmode=\"numeric\" value=\"3\""));

        // A closure day on Tuesday pushes it to Friday; removing it brings it back.
        let day = |label: &str| {
            vec![
                ("nation".to_owned(), "england_and_wales".to_owned()),
                ("day".to_owned(), "2026-11-24".to_owned()),
                ("day_label".to_owned(), label.to_owned()),
            ]
        };
        let resp = post(&admin, "/settings/non-working-days", &day("")).await?;
        assert_eq!(resp.status(), 422);
        assert!(resp.text().await?.contains("Name the day"));
        assert_eq!(
            post(
                &admin,
                "/settings/non-working-days",
                &day("Staff training day")
            )
            .await?
            .status(),
            303
        );
        assert_eq!(triage_due(&app, r).await?, "2026-11-27T23:59:59.999Z");
        let page = admin.text("/settings").await?;
        assert!(page.contains("24 Nov 2026: Staff training day"));
        assert!(
            page.contains("25 Dec 2026"),
            "shipped bank holidays are listed"
        );
        let remove = vec![
            ("nation".to_owned(), "england_and_wales".to_owned()),
            ("day".to_owned(), "2026-11-24".to_owned()),
        ];
        assert_eq!(
            post(&admin, "/settings/non-working-days/remove", &remove)
                .await?
                .status(),
            303
        );
        assert_eq!(triage_due(&app, r).await?, "2026-11-26T23:59:59.999Z");
        assert_eq!(
            post(&admin, "/settings/non-working-days/remove", &remove)
                .await?
                .status(),
            404
        );

        // Risk bands must rise.
        let bands = |m: &str, h: &str, x: &str| {
            vec![
                ("moderate_from".to_owned(), m.to_owned()),
                ("high_from".to_owned(), h.to_owned()),
                ("extreme_from".to_owned(), x.to_owned()),
            ]
        };
        let resp = post(&admin, "/settings/risk-bands", &bands("8", "4", "15")).await?;
        assert_eq!(resp.status(), 422);
        assert!(
            resp.text()
                .await?
                .contains("Each band must start above the one before")
        );
        assert_eq!(
            post(&admin, "/settings/risk-bands", &bands("5", "10", "16"))
                .await?
                .status(),
            303
        );
        let edges = candour::actions::timescales::org_band_edges(&app.ctx, app.world.org)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        assert_eq!(
            (edges.moderate_from, edges.high_from, edges.extreme_from),
            (5, 10, 16)
        );
        Ok(())
    }
);

db_test!(an_administrator_keeps_the_contributory_factors, |engine| {
    let app = TestApp::spawn(engine).await?;
    let admin = app.signed_in(app.world.email(Role::Administrator)).await?;
    let label = vec![("label".to_owned(), "Agency staff induction".to_owned())];
    assert_eq!(
        post(&admin, "/settings/factors", &label).await?.status(),
        303
    );
    let resp = post(&admin, "/settings/factors", &label).await?;
    assert_eq!(resp.status(), 422);
    let body = resp.text().await?;
    assert!(
        body.contains("Agency staff induction&#34; is already in the list"),
        "{body}"
    );
    let resp = post(
        &admin,
        "/settings/factors",
        &[("label".to_owned(), "!!".to_owned())],
    )
    .await?;
    assert_eq!(resp.status(), 422);
    let retire = |yes: &str| {
        vec![
            ("code".to_owned(), "ycff.workload".to_owned()),
            ("retired".to_owned(), yes.to_owned()),
        ]
    };
    assert_eq!(
        post(&admin, "/settings/factors/retire", &retire("yes"))
            .await?
            .status(),
        303
    );
    let offered = available_factors(&app.ctx, app.world.org)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    assert!(
        !offered.iter().any(|f| f.code == "ycff.workload"),
        "retired"
    );
    assert!(
        offered
            .iter()
            .any(|f| f.code == "local.agency_staff_induction"),
        "their own"
    );
    let page = admin.text("/settings").await?;
    assert!(
        page.contains(
            "Offer it again<span class=\"visually-hidden\">: Workload and staffing</span>"
        )
    );
    assert_eq!(
        post(&admin, "/settings/factors/retire", &retire("no"))
            .await?
            .status(),
        303
    );
    let offered = available_factors(&app.ctx, app.world.org)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    assert!(
        offered.iter().any(|f| f.code == "ycff.workload"),
        "offered again"
    );
    Ok(())
});

db_test!(
    urgent_reports_alert_the_senior_manager_on_call_for_the_region,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let admin = app.signed_in(app.world.email(Role::Administrator)).await?;
        let page = admin.text("/settings").await?;
        assert!(page.contains("On call for Region One") && page.contains("On call for Region Two"));
        assert_ids_unique(&page);
        let region = app.world.service.region_id.to_string();
        let field = format!("on_call-{region}");
        let worker = app.actor(app.world.email(Role::CareWorker)).await?.user_id;
        let head = app
            .actor(app.world.email(Role::HeadOfOperations))
            .await?
            .user_id;
        let choose =
            |who: String| vec![("region".to_owned(), region.clone()), (field.clone(), who)];
        let resp = post(&admin, "/settings/on-call", &choose(worker.to_string())).await?;
        assert_eq!(resp.status(), 422);
        let body = resp.text().await?;
        assert!(
            body.contains("Choose a regional manager or head of operations who covers Region One")
        );
        assert_summary_links_resolve(&body);
        let resp = post(&admin, "/settings/on-call", &choose(head.to_string())).await?;
        assert_eq!(resp.status(), 303);
        let page = admin.text("/settings").await?;
        assert!(page.contains(&format!("<option value=\"{head}\" selected>")));

        // A death at Alder House: its registered manager and the head of
        // operations on call are alerted; the regional manager is not.
        let reporter = app.actor(app.world.email(Role::CareWorker)).await?;
        let draft = candour_domain::incident::ReportDraft {
            kind: "incident".into(),
            category: "death".into(),
            details: [("expected".to_owned(), vec!["unexpected".to_owned()])]
                .into_iter()
                .collect(),
            service_id: app.world.service.service_id.to_string(),
            occurred_at: "2026-11-23T07:00:00Z".into(),
            description: "Found unresponsive".into(),
            immediate_actions: "999 called".into(),
            ..Default::default()
        };
        candour::actions::incidents::report_incident(&app.ctx, &reporter, &draft)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let urgent_to: Vec<String> = app
            .ctx
            .store
            .emails(app.world.org)
            .await?
            .into_iter()
            .filter(|e| e.subject.starts_with("Urgent: INC-000001"))
            .map(|e| e.to)
            .collect();
        assert!(urgent_to.contains(&app.world.email(Role::RegisteredManager).to_owned()));
        assert!(urgent_to.contains(&app.world.email(Role::HeadOfOperations).to_owned()));
        assert!(
            !urgent_to.contains(&app.world.email(Role::RegionalManager).to_owned()),
            "{urgent_to:?}"
        );
        // Nobody named again: the regional managers are alerted.
        let resp = post(&admin, "/settings/on-call", &choose(String::new())).await?;
        assert_eq!(resp.status(), 303);
        candour::actions::incidents::report_incident(&app.ctx, &reporter, &draft)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let second: Vec<String> = app
            .ctx
            .store
            .emails(app.world.org)
            .await?
            .into_iter()
            .filter(|e| e.subject.starts_with("Urgent: INC-000002"))
            .map(|e| e.to)
            .collect();
        assert!(second.contains(&app.world.email(Role::RegionalManager).to_owned()));
        assert!(!second.contains(&app.world.email(Role::HeadOfOperations).to_owned()));
        // Only administrators choose.
        let manager = app
            .signed_in(app.world.email(Role::RegisteredManager))
            .await?;
        let csrf = manager.csrf("/my-reports").await?;
        let resp = manager
            .post_form(
                "/settings/on-call",
                &[("csrf_token", csrf.as_str()), ("region", region.as_str())],
            )
            .await?;
        assert_eq!(resp.status(), 403);
        Ok(())
    }
);
