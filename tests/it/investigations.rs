//! Serious incident investigations: opened from a triaged incident with a
//! lead and terms of reference, worked through meetings, a timeline,
//! contributory factors, findings and the family's part and actions, and
//! completed only when nothing is missing; the incident cannot be signed
//! off meanwhile; the report reads back.

use crate::helpers::*;
use candour_domain::role::Role;

const INV: &str = "/investigations/INV-000001";

fn version_in(page: &str, form_action: &str) -> String {
    let start = page.find(form_action).unwrap();
    let at = page[start..].find("name=\"version\" value=\"").unwrap() + start + 22;
    page[at..].split('"').next().unwrap().to_owned()
}

async fn post(
    c: &Client,
    path: &str,
    fields: &[(&str, &str)],
) -> anyhow::Result<reqwest::Response> {
    let csrf = c.csrf(INV).await?;
    let mut all = vec![("csrf_token", csrf.as_str())];
    all.extend_from_slice(fields);
    c.post_form(path, &all).await
}

db_test!(an_investigation_runs_from_opening_to_its_report, |engine| {
    let app = TestApp::spawn(engine).await?;
    let r = serious_fall(&app).await?;
    let manager = app
        .signed_in(app.world.email(Role::RegisteredManager))
        .await?;
    let page = manager.text(&format!("/incidents/{r}")).await?;
    assert_ids_unique(&page);
    assert!(
        page.contains("<details class=\"details\" open>"),
        "the triage chose a serious investigation"
    );
    let csrf = csrf_in(&page).unwrap();

    // Opening needs a lead who can see the service's incidents, and terms of reference.
    let resp = manager
        .post_form(
            &format!("/incidents/{r}/investigation"),
            &[
                ("csrf_token", &csrf),
                ("lead", ""),
                ("terms_of_reference", ""),
            ],
        )
        .await?;
    assert_eq!(resp.status(), 422);
    let body = resp.text().await?;
    assert!(body.contains("Choose the lead investigator"));
    assert!(body.contains("Write the terms of reference"));
    assert_summary_links_resolve(&body);
    let outsider = app
        .actor("care_worker@b.example")
        .await?
        .user_id
        .to_string();
    let resp = manager
        .post_form(
            &format!("/incidents/{r}/investigation"),
            &[
                ("csrf_token", &csrf),
                ("lead", &outsider),
                ("terms_of_reference", "Why the sensor mat did not alarm"),
            ],
        )
        .await?;
    assert_eq!(resp.status(), 422);
    assert!(
        resp.text()
            .await?
            .contains("Choose someone who can see incidents at Alder House")
    );
    let regional = app.actor(app.world.email(Role::RegionalManager)).await?;
    let lead = regional.user_id.to_string();
    let tor = "Why the sensor mat did not alarm, and how night checks are planned. Her son asked why no one heard her.";
    let resp = manager
        .post_form(
            &format!("/incidents/{r}/investigation"),
            &[
                ("csrf_token", &csrf),
                ("lead", &lead),
                ("terms_of_reference", tor),
            ],
        )
        .await?;
    assert_eq!(resp.status(), 303);
    assert_eq!(resp.headers()["location"], INV);
    let incident = manager.text(&format!("/incidents/{r}")).await?;
    assert!(incident.contains("Under investigation"));
    assert!(
        incident.contains("INV-000001 opened"),
        "the move is on the timeline"
    );
    assert!(incident.contains("led by Regional manager"), "{incident}");
    // The lead is told, in the app and by email.
    let lead_page = app
        .signed_in(app.world.email(Role::RegionalManager))
        .await?
        .text("/my-reports")
        .await?;
    assert!(
        lead_page.contains(&format!("You lead a serious incident investigation: {r}")),
        "{lead_page}"
    );
    let emails = app.ctx.store.emails(app.world.org).await?;
    let told: Vec<_> = emails
        .iter()
        .filter(|e| e.subject == "You lead INV-000001 at Alder House")
        .collect();
    assert_eq!(told.len(), 1);
    assert_eq!(told[0].to, app.world.email(Role::RegionalManager));
    let again = manager
        .post_form(
            &format!("/incidents/{r}/investigation"),
            &[
                ("csrf_token", &csrf),
                ("lead", &lead),
                ("terms_of_reference", tor),
            ],
        )
        .await?;
    assert_eq!(again.status(), 409);
    assert!(again.text().await?.contains("INV-000001 is already open"));

    // Care workers, board members and other organisations cannot see it.
    for email in [
        app.world.email(Role::CareWorker),
        app.world.email(Role::BoardMember),
        "care_worker@b.example",
    ] {
        let c = app.signed_in(email).await?;
        assert_eq!(c.get(INV).await?.status(), 404, "{email}");
    }

    // Meetings: who attended with their role, each gap named.
    let resp = post(
        &manager,
        &format!("{INV}/meetings"),
        &[
            ("held_on", "2026-11-23"),
            ("attendee_name", "Priya Shah"),
            ("attendee_role", ""),
            ("discussion", "Night log"),
            ("decisions", ""),
        ],
    )
    .await?;
    assert_eq!(resp.status(), 422);
    let body = resp.text().await?;
    assert!(body.contains("Say what Priya Shah does"));
    assert!(body.contains("Write what was decided"));
    assert!(
        body.contains("value=\"Priya Shah\""),
        "what was typed stays"
    );
    assert_summary_links_resolve(&body);
    let resp = post(
        &manager,
        &format!("{INV}/meetings"),
        &[
            ("held_on", "2026-11-23"),
            ("attendee_name", "Priya Shah"),
            ("attendee_role", "Registered manager"),
            ("attendee_name", "Tom Reid"),
            ("attendee_role", "Physiotherapist"),
            ("attendee_name", ""),
            ("attendee_role", ""),
            (
                "discussion",
                "Went through the night log and the sensor mat's test record.",
            ),
            (
                "decisions",
                "Test every sensor mat at each evening handover.",
            ),
        ],
    )
    .await?;
    assert_eq!(resp.status(), 303);

    // The timeline is shown in the order things happened, whatever the order typed.
    for (date, time, what) in [
        ("2026-11-20", "02:40", "Found on the floor by the bed"),
        (
            "2026-11-19",
            "22:00",
            "Settled for the night; sensor mat switched on",
        ),
        ("2026-11-01", "", "Sensor mat last tested"),
    ] {
        let resp = post(
            &manager,
            &format!("{INV}/timeline"),
            &[
                ("event_date", date),
                ("event_time", time),
                ("what", what),
                ("source", "Night log"),
            ],
        )
        .await?;
        assert_eq!(resp.status(), 303, "{what}");
    }
    let resp = post(
        &manager,
        &format!("{INV}/timeline"),
        &[
            ("event_date", "2026-11-23"),
            ("event_time", "25:00"),
            ("what", "x"),
        ],
    )
    .await?;
    assert_eq!(resp.status(), 422);

    // Factors come from the shipped frameworks.
    let resp = post(
        &manager,
        &format!("{INV}/factors"),
        &[("factor", "ycff.nonsense"), ("factor_note", "x")],
    )
    .await?;
    assert_eq!(resp.status(), 422);
    assert!(
        resp.text()
            .await?
            .contains("Choose a contributory factor from the list")
    );
    let resp = post(
        &manager,
        &format!("{INV}/factors"),
        &[
            ("factor", "seips.tools"),
            ("factor_note", "The mat's cable was loose at the socket"),
            ("evidence", "Maintenance check 21 Nov"),
        ],
    )
    .await?;
    assert_eq!(resp.status(), 303);

    let page = manager.text(INV).await?;
    assert_ids_unique(&page);
    let timeline = &page[page.find("id=\"timeline\"").unwrap()..];
    let (first, second, third) = (
        timeline.find("1 Nov 2026 (time not known)").unwrap(),
        timeline.find("19 Nov 2026, 22:00").unwrap(),
        timeline.find("20 Nov 2026, 02:40").unwrap(),
    );
    assert!(first < second && second < third);
    assert!(page.contains("Tom Reid (Physiotherapist)"));
    assert!(page.contains("Tools and technology, including their usability"));
    assert!(page.contains("SEIPS work system"));

    // Findings are versioned: a stale save is a conflict that keeps the text.
    let version = version_in(&page, "/findings\"");
    let resp = post(
        &manager,
        &format!("{INV}/findings"),
        &[
            ("version", &version),
            ("findings", "The mat was not tested after the move of room."),
            ("family_questions", "Why did no one hear her?"),
            ("family_account", ""),
        ],
    )
    .await?;
    assert_eq!(resp.status(), 303);
    let resp = post(
        &manager,
        &format!("{INV}/findings"),
        &[
            ("version", &version),
            ("findings", "An older draft"),
            ("family_questions", ""),
            ("family_account", ""),
        ],
    )
    .await?;
    assert_eq!(resp.status(), 409);
    let body = resp.text().await?;
    assert!(body.contains("Someone saved the investigation while you were writing"));
    assert!(body.contains("An older draft"));

    // The incident cannot go for sign-off while the investigation is under way.
    let incident = manager.text(&format!("/incidents/{r}")).await?;
    let iv = {
        let at = incident.find("name=\"version\" value=\"").unwrap() + 22;
        incident[at..].split('"').next().unwrap().to_owned()
    };
    let resp = manager
        .post_form(
            &format!("/incidents/{r}/moves"),
            &[
                ("csrf_token", &csrf),
                ("version", &iv),
                ("move", "request_sign_off"),
                ("note", "Done"),
            ],
        )
        .await?;
    assert_eq!(resp.status(), 409);
    assert!(
        resp.text()
            .await?
            .contains("The serious incident investigation is still under way")
    );

    // Completion waits for a safety action.
    let page = manager.text(INV).await?;
    let version = version_in(&page, "/complete\"");
    let resp = post(
        &manager,
        &format!("{INV}/complete"),
        &[("version", &version)],
    )
    .await?;
    assert_eq!(resp.status(), 409);
    assert!(
        resp.text()
            .await?
            .contains("Add at least one safety action")
    );
    let senior = app
        .actor(app.world.email(Role::SeniorCarer))
        .await?
        .user_id
        .to_string();
    let resp = post(
        &manager,
        &format!("{INV}/actions"),
        &[
            ("title", "Test sensor mats at evening handover"),
            (
                "action_description",
                "Senior on shift tests each mat and signs the handover sheet; audited weekly.",
            ),
            ("owner", &senior),
            ("due_on", "2026-12-11"),
        ],
    )
    .await?;
    assert_eq!(resp.status(), 303);
    let page = manager.text(INV).await?;
    assert!(page.contains("ACT-000001"));
    assert!(
        page.contains("Everything the report needs is recorded."),
        "{page}"
    );
    let incident = manager.text(&format!("/incidents/{r}")).await?;
    assert!(
        incident.contains("ACT-000001"),
        "the action is the incident's too"
    );

    // Only a manager who may sign off completes it; then nothing more is added.
    let senior_client = app.signed_in(app.world.email(Role::SeniorCarer)).await?;
    let version = version_in(&page, "/complete\"");
    assert!(
        !senior_client
            .text(INV)
            .await?
            .contains("Complete the investigation</button>")
    );
    let resp = post(
        &senior_client,
        &format!("{INV}/complete"),
        &[("version", &version)],
    )
    .await?;
    assert_eq!(resp.status(), 403);
    let resp = post(
        &manager,
        &format!("{INV}/complete"),
        &[("version", &version)],
    )
    .await?;
    assert_eq!(resp.status(), 303);
    let page = manager.text(INV).await?;
    assert!(page.contains("Completed"));
    let resp = post(
        &manager,
        &format!("{INV}/timeline"),
        &[("event_date", "2026-11-23"), ("what", "Late")],
    )
    .await?;
    assert_eq!(resp.status(), 409);

    // The report has every part.
    let report = manager.text(&format!("{INV}/report")).await?;
    for part in [
        "1. Summary of the incident",
        "2. Terms of reference",
        tor,
        "3. The investigation team",
        "Priya Shah (Registered manager)",
        "4. Involvement of the person and their family",
        "Why did no one hear her?",
        "5. Timeline of events",
        "6. Contributory factors",
        "cable was loose at the socket",
        "7. Findings",
        "The mat was not tested after the move of room.",
        "8. Safety actions",
        "Test sensor mats at evening handover",
        "Severe physical harm; Moderate psychological harm. Risk: 12 (High).",
    ] {
        assert!(report.contains(part), "{part}");
    }
    // And the same as a tagged PDF, read back with poppler.
    let resp = manager.get(&format!("{INV}/report.pdf")).await?;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/pdf");
    if let Some((text, info)) = read_pdf(&resp.bytes().await?)? {
        for part in [
            "Serious incident investigation report: INV-000001",
            "1. Summary of the incident",
            "2. Terms of reference",
            "3. The investigation team",
            "Priya Shah (Registered manager)",
            "4. Involvement of the person and their family",
            "Why did no one hear her?",
            "5. Timeline of events",
            "Settled for the night; sensor mat switched on",
            "6. Contributory factors",
            "7. Findings",
            "The mat was not tested after the move of room.",
            "8. Safety actions",
            "ACT-000001 Test sensor mats at evening",
        ] {
            assert!(text.contains(part), "{part} in {text}");
        }
        assert!(info.contains("Tagged:          yes"), "{info}");
        assert!(
            info.contains("Title:           Serious incident investigation report INV-000001"),
            "{info}"
        );
    }
    let care_worker = app.signed_in(app.world.email(Role::CareWorker)).await?;
    assert_eq!(
        care_worker
            .get(&format!("{INV}/report.pdf"))
            .await?
            .status(),
        404
    );
    let list = app
        .signed_in(app.world.email(Role::QualityAssurance))
        .await?
        .text("/investigations")
        .await?;
    assert!(list.contains("INV-000001"));
    assert!(list.contains("Completed"));
    let history = manager.text(&format!("/incidents/{r}/history")).await?;
    assert!(
        history.contains("INV-000001"),
        "opening is in the incident's history"
    );
    Ok(())
});

db_test!(
    regional_managers_get_a_monthly_serious_incident_summary,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let r = serious_fall(&app).await?;
        let manager = app
            .signed_in(app.world.email(Role::RegisteredManager))
            .await?;
        let csrf = manager.csrf(&format!("/incidents/{r}")).await?;
        let lead = app
            .actor(app.world.email(Role::RegisteredManager))
            .await?
            .user_id
            .to_string();
        let resp = manager
            .post_form(
                &format!("/incidents/{r}/investigation"),
                &[
                    ("csrf_token", &csrf),
                    ("lead", &lead),
                    ("terms_of_reference", "The night checks"),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 303);
        for factor in ["ycff.workload", "seips.tools"] {
            let resp = post(
                &manager,
                &format!("{INV}/factors"),
                &[("factor", factor), ("factor_note", "Found at the meeting")],
            )
            .await?;
            assert_eq!(resp.status(), 303);
        }

        let regional = app
            .signed_in(app.world.email(Role::RegionalManager))
            .await?;
        let page = regional
            .text("/reports/serious-incidents?month=2026-11")
            .await?;
        assert!(
            page.contains("<span class=\"caption\">Alder House</span>"),
            "their one service, by name: {}",
            &page[page.find("<main").unwrap_or(0)..]
        );
        assert!(page.contains("1 serious incident</strong>"), "{page}");
        assert!(page.contains(&format!("{r}</a>")));
        assert!(page.contains("Severe physical harm, high risk"));
        assert!(page.contains("INV-000001 under way"));
        assert!(page.contains("<dt>Opened in November 2026</dt><dd>1</dd>"));
        assert!(page.contains("<dt>Under way at the end of the month</dt><dd>1</dd>"));
        assert!(page.contains("Workload and staffing"));
        assert!(page.contains("Tools and technology, including their usability"));
        let october = regional
            .text("/reports/serious-incidents?month=2026-10")
            .await?;
        assert!(october.contains("0 serious incidents</strong>"));
        assert!(october.contains("<dt>Opened in October 2026</dt><dd>0</dd>"));
        let care_worker = app.signed_in(app.world.email(Role::CareWorker)).await?;
        assert_eq!(
            care_worker
                .get("/reports/serious-incidents")
                .await?
                .status(),
            403
        );

        // On Tuesday 1 December at 07:00 the regional manager is emailed it, once.
        app.clock.advance(8 * 86_400 - (2 * 3600 + 30 * 60));
        candour::jobs::tick(&app.ctx).await?;
        candour::actions::reports::send_monthly_reports(&app.ctx)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let sent: Vec<_> = app
            .ctx
            .store
            .emails(app.world.org)
            .await?
            .into_iter()
            .filter(|e| e.subject.starts_with("Serious incidents"))
            .collect();
        assert_eq!(sent.len(), 1, "{sent:?}");
        assert_eq!(sent[0].to, app.world.email(Role::RegionalManager));
        assert_eq!(
            sent[0].subject,
            "Serious incidents in November 2026: 1 (Alder House)"
        );
        Ok(())
    }
);

db_test!(
    an_investigation_opened_at_sign_off_takes_the_incident_back_under_investigation,
    |engine| {
        use candour::actions::workflow::{MoveInput, move_incident};
        use candour_domain::workflow::Move;
        let app = TestApp::spawn(engine).await?;
        let r = minor_fall(&app, "Found on the floor again").await?;
        let manager = app.actor(app.world.email(Role::RegisteredManager)).await?;
        let input = MoveInput {
            note: "Looked at the care plan".into(),
            ..MoveInput::default()
        };
        let version = |app: &TestApp| {
            let store = app.ctx.store.clone();
            let org = app.world.org;
            async move { anyhow::Ok(store.incident_by_reference(org, r).await?.unwrap().version) }
        };
        for mv in [Move::StartReview, Move::RequestSignOff] {
            let v = version(&app).await?;
            move_incident(&app.ctx, &manager, r, mv, &input, v)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        let regional = app.actor(app.world.email(Role::RegionalManager)).await?;
        candour::actions::investigations::open_investigation(
            &app.ctx,
            &manager,
            r,
            &candour_domain::investigation::OpeningDraft {
                lead: regional.user_id.to_string(),
                terms_of_reference: "Why she fell twice in a week".into(),
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        let i = app
            .ctx
            .store
            .incident_by_reference(app.world.org, r)
            .await?
            .unwrap();
        assert_eq!(i.status.code(), "under_investigation");
        let close = MoveInput {
            note: "Signed off".into(),
            feedback: "Thank you".into(),
            ..MoveInput::default()
        };
        let refused = move_incident(&app.ctx, &manager, r, Move::Close, &close, i.version).await;
        assert!(
            matches!(refused, Err(candour::actions::ActionError::Refused(_))),
            "{refused:?}"
        );
        Ok(())
    }
);
