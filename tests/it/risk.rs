//! People at increased risk: flags from the organisation's rules on the
//! person's page, the register, the home page and the digest; the review
//! that clears them; the rules as a setting.

use crate::helpers::*;
use candour_domain::role::Role;

/// A fall affecting the world's person, reported by a care worker.
async fn fall_of(
    app: &TestApp,
    occurred_at: &str,
    details: &[(&str, &str)],
    person: candour_domain::ids::PersonId,
) -> anyhow::Result<String> {
    use candour_domain::incident::ReportDraft;
    let worker = app.actor(app.world.email(Role::CareWorker)).await?;
    let draft = ReportDraft {
        kind: "incident".into(),
        category: "fall".into(),
        details: details
            .iter()
            .map(|(k, v)| ((*k).to_owned(), vec![(*v).to_owned()]))
            .collect(),
        service_id: app.world.service.service_id.to_string(),
        occurred_at: occurred_at.into(),
        description: "Found on the floor of her room".into(),
        immediate_actions: "Checked her over and helped her up".into(),
        affected_person_ids: vec![person.to_string()],
        ..ReportDraft::default()
    };
    Ok(
        candour::actions::incidents::report_incident(&app.ctx, &worker, &draft)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .reference
            .to_string(),
    )
}

db_test!(
    two_falls_in_a_month_flag_the_person_until_a_review,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let person = app.world.person;
        let first = fall_of(&app, "2026-11-02T10:00:00Z", &FALL_FIELDS, person).await?;
        let manager = app
            .signed_in(app.world.email(Role::RegisteredManager))
            .await?;
        let page = manager.text(&format!("/people/{person}")).await?;
        assert!(page.contains("Not flagged"), "one fall is not a pattern");
        let second = fall_of(&app, "2026-11-21T22:15:00Z", &FALL_FIELDS, person).await?;

        // The person's page names the rule and the incidents behind it.
        let page = manager.text(&format!("/people/{person}")).await?;
        assert_ids_unique(&page);
        assert!(page.contains("At increased risk"), "{page}");
        assert!(page.contains("2 falls in the last 30 days"));
        assert!(page.contains(&format!("href=\"/incidents/{first}\"")));
        assert!(page.contains(&format!("href=\"/incidents/{second}\"")));
        assert!(page.contains("P-000001"));

        // The home page and the register list them; the digest names them by code only.
        let home = manager.text("/").await?;
        assert!(home.contains("People at increased risk (1)"), "{home}");
        assert!(home.contains(&format!("href=\"/people/{person}\"")));
        let register = manager
            .text(&format!(
                "/services/{}/people",
                app.world.service.service_id
            ))
            .await?;
        assert!(register.contains("Repeated falls"));
        let manager_actor = app.actor(app.world.email(Role::RegisteredManager)).await?;
        let digest =
            candour::actions::digest::digest_for(&app.ctx, &manager_actor, app.ctx.clock.now())
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?
                .ok_or_else(|| anyhow::anyhow!("no digest"))?;
        assert_eq!(digest.at_risk.len(), 1);
        assert_eq!(digest.at_risk[0].code, "P-000001");
        assert!(digest.at_risk[0].reasons.contains(&first));
        let text = askama::Template::render(&digest)?;
        assert!(
            text.contains("People at increased risk (1):\n- P-000001"),
            "{text}"
        );
        assert!(!text.contains("Edna"), "no names in the digest");

        // A care worker sees the register but not the person's page, and cannot review.
        let worker = app.signed_in(app.world.email(Role::CareWorker)).await?;
        assert_eq!(
            worker.get(&format!("/people/{person}")).await?.status(),
            404
        );
        let csrf = csrf_in(&manager.text(&format!("/people/{person}")).await?).unwrap();
        let resp = worker
            .post_form(
                &format!("/people/{person}/risk-review"),
                &[
                    ("csrf_token", &csrf_in(&worker.text("/").await?).unwrap()),
                    ("risk_assessment_updated", "yes"),
                    ("care_plan_updated", "yes"),
                    ("outcome", "Sensor mat"),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 404);
        // Another organisation cannot find them at all.
        let stranger = app.signed_in(&app.world.user_b).await?;
        assert_eq!(
            stranger.get(&format!("/people/{person}")).await?.status(),
            404
        );

        // An incomplete review names each field, and keeps what was typed.
        let resp = manager
            .post_form(
                &format!("/people/{person}/risk-review"),
                &[("csrf_token", &csrf), ("outcome", "Sensor mat ordered")],
            )
            .await?;
        assert_eq!(resp.status(), 422);
        let body = resp.text().await?;
        assert!(body.contains("href=\"#risk_assessment_updated\""));
        assert!(body.contains("Say whether you updated their care plan"));
        assert!(body.contains("Sensor mat ordered"));

        let resp = manager
            .post_form(
                &format!("/people/{person}/risk-review"),
                &[
                    ("csrf_token", &csrf),
                    ("risk_assessment_updated", "yes"),
                    ("care_plan_updated", "no"),
                    (
                        "outcome",
                        "Sensor mat in place at night; GP asked to review her medicines",
                    ),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 303);
        let page = manager
            .text(&format!("/people/{person}?reviewed=1"))
            .await?;
        assert!(page.contains("Review recorded"));
        assert!(page.contains("Not flagged"));
        assert!(page.contains("Sensor mat in place at night"));
        assert!(page.contains(&format!("2 falls in the last 30 days ({first}, {second})")));
        assert!(
            !manager
                .text("/")
                .await?
                .contains("People at increased risk")
        );
        let history = app
            .ctx
            .store
            .audit_for_record(app.world.org, "person", &person.to_string())
            .await?;
        assert!(
            history.iter().any(|e| e.action == "person.risk_reviewed"
                && e.details().unwrap_or_default().contains(&second)),
            "the review is audited with the flags it answered"
        );

        // Only incidents after the review count again.
        app.clock.advance(3_600);
        fall_of(&app, "2026-11-23T10:00:00Z", &FALL_FIELDS, person).await?;
        assert!(
            manager
                .text(&format!("/people/{person}"))
                .await?
                .contains("Not flagged")
        );
        Ok(())
    }
);

db_test!(
    a_head_injury_on_a_blood_thinner_flags_at_once_and_windows_pass,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let person = app.world.person;
        let r = fall_of(
            &app,
            "2026-11-22T03:00:00Z",
            &[
                ("seen", "found_on_floor"),
                ("head_struck", "yes"),
                ("anticoagulant", "yes"),
            ],
            person,
        )
        .await?;
        let manager = app.actor(app.world.email(Role::RegisteredManager)).await?;
        let at_risk = candour::actions::risk::people_at_risk(&app.ctx, &manager, None)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        assert_eq!(at_risk.len(), 1);
        assert_eq!(
            at_risk[0].flags[0].rule,
            candour_domain::risk_flags::RiskRule::HeadInjuryOnAnticoagulants
        );
        assert_eq!(at_risk[0].flags[0].incidents, [r]);
        // 91 days on, the rules no longer look back that far.
        app.clock.advance(91 * 24 * 3_600);
        let at_risk = candour::actions::risk::people_at_risk(&app.ctx, &manager, None)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        assert!(at_risk.is_empty(), "{at_risk:?}");
        Ok(())
    }
);

db_test!(the_rules_are_the_organisations_to_change, |engine| {
    let app = TestApp::spawn(engine).await?;
    let person = app.world.person;
    fall_of(&app, "2026-11-02T10:00:00Z", &FALL_FIELDS, person).await?;
    fall_of(&app, "2026-11-21T10:00:00Z", &FALL_FIELDS, person).await?;
    let admin = app.signed_in(app.world.email(Role::Administrator)).await?;
    let settings = admin.text("/settings").await?;
    assert_ids_unique(&settings);
    assert!(settings.contains("id=\"falls_short_count\""));
    let csrf = csrf_in(&settings).unwrap();
    let form = |short: &'static str, days: &'static str| {
        vec![
            ("falls_short_count", short),
            ("falls_short_days", days),
            ("falls_long_count", "4"),
            ("falls_long_days", "90"),
            ("medication_count", "2"),
            ("medication_days", "30"),
            ("ulcer_category", "2"),
            ("head_injury", "yes"),
        ]
    };
    let mut bad = form("3", "a month");
    bad.push(("csrf_token", &csrf));
    let resp = admin.post_form("/settings/risk-rules", &bad).await?;
    assert_eq!(resp.status(), 422);
    let body = resp.text().await?;
    assert!(body.contains("href=\"#falls_short_days\""), "{body}");
    assert!(body.contains("value=\"a month\""));

    let mut good = form("3", "30");
    good.push(("csrf_token", &csrf));
    assert_eq!(
        admin
            .post_form("/settings/risk-rules", &good)
            .await?
            .status(),
        303
    );
    let manager = app.actor(app.world.email(Role::RegisteredManager)).await?;
    let at_risk = candour::actions::risk::people_at_risk(&app.ctx, &manager, None)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    assert!(at_risk.is_empty(), "two falls no longer meet the rule");
    // A care worker cannot change them.
    let worker = app.signed_in(app.world.email(Role::CareWorker)).await?;
    let mut attempt = form("1", "30");
    let worker_csrf = csrf_in(&worker.text("/").await?).unwrap();
    attempt.push(("csrf_token", &worker_csrf));
    assert_eq!(
        worker
            .post_form("/settings/risk-rules", &attempt)
            .await?
            .status(),
        403
    );
    Ok(())
});

db_test!(
    a_home_page_lists_up_to_twenty_five_flagged_people_and_counts_more_by_service,
    |engine| {
        use candour::web::pages::home::LISTED;
        let app = TestApp::spawn(engine).await?;
        let service = app.world.service.service_id;
        let mut people = vec![app.world.person];
        let mut tx = app.ctx.store.begin().await?;
        for n in 1..=LISTED {
            let p = person(service, &format!("P-1{n:05}"), &format!("Resident {n}"));
            candour::store::people::insert_person(&mut tx, app.world.org, &p, 0).await?;
            people.push(p.person_id);
        }
        tx.commit().await?;
        for p in &people[..LISTED] {
            fall_of(&app, "2026-11-02T10:00:00Z", &FALL_FIELDS, *p).await?;
            fall_of(&app, "2026-11-21T22:15:00Z", &FALL_FIELDS, *p).await?;
        }
        let manager = app
            .signed_in(app.world.email(Role::RegisteredManager))
            .await?;

        // As many as the page lists: each by code, with why.
        let home = manager.text("/").await?;
        assert_ids_unique(&home);
        assert!(
            home.contains(&format!("People at increased risk ({LISTED})")),
            "{home}"
        );
        for p in &people[..LISTED] {
            assert!(home.contains(&format!("href=\"/people/{p}\"")), "{p}");
        }
        assert!(!home.contains("People flagged"));

        // One more: counted by service, linked to the register that lists them.
        let last = people[LISTED];
        fall_of(&app, "2026-11-02T10:00:00Z", &FALL_FIELDS, last).await?;
        fall_of(&app, "2026-11-21T22:15:00Z", &FALL_FIELDS, last).await?;
        let home = manager.text("/").await?;
        assert_ids_unique(&home);
        assert!(
            home.contains(&format!("People at increased risk ({})", LISTED + 1)),
            "{home}"
        );
        assert!(
            !people
                .iter()
                .any(|p| home.contains(&format!("href=\"/people/{p}\""))),
            "no one listed one by one"
        );
        assert!(home.contains("People flagged"), "{home}");
        assert!(
            home.contains(&format!(
                "<a href=\"/services/{service}/people\">Alder House</a></th><td class=\"num\">{}</td>",
                LISTED + 1
            )),
            "{home}"
        );
        let register = manager.text(&format!("/services/{service}/people")).await?;
        assert_eq!(register.matches("Repeated falls").count(), LISTED + 1);
        Ok(())
    }
);

/// The kept flags of `services` are the flags worked out afresh from every
/// incident now; returns how many are flagged.
async fn kept_as_worked_out(
    app: &TestApp,
    org: candour_domain::ids::OrganisationId,
    services: &[candour_domain::ids::ServiceId],
) -> anyhow::Result<usize> {
    use candour::actions::risk::{flags_in, org_risk_rules, worked_out};
    let e = |e: candour::actions::ActionError| anyhow::anyhow!("{e}");
    let now = app.ctx.clock.now();
    let rules = org_risk_rules(&app.ctx, org).await.map_err(e)?;
    let mut fresh = worked_out(&app.ctx, (org, services), None, &rules, now)
        .await
        .map_err(e)?;
    fresh.sort_by_key(|(s, p, _)| (*s, *p));
    let kept = flags_in(&app.ctx, (org, services), None, now)
        .await
        .map_err(e)?;
    assert_eq!(
        kept, fresh,
        "kept flags differ from those worked out at {now}"
    );
    Ok(fresh.len())
}

/// The minute's work on the kept flags; returns how many were due.
async fn refresh(app: &TestApp) -> anyhow::Result<usize> {
    let (due, _) = candour::actions::risk::refresh_kept_flags(&app.ctx)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(due)
}

db_test!(
    kept_flags_are_the_flags_worked_out_afresh_through_reports_reviews_rules_and_time,
    |engine| {
        use candour::demo::{Scale, generate_sized};
        let app = TestApp::spawn(engine).await?;
        generate_sized(&app.ctx, Scale::Small, 5, None).await?;
        let store = &app.ctx.store;
        let (demo, demo_services) = demo_organisation(&app).await?;
        // The demo settles what it loads: nothing is left to work out.
        assert_eq!(refresh(&app).await?, 0);
        let flagged = kept_as_worked_out(&app, demo, &demo_services).await?;
        assert!(flagged > 0, "the demo has people at increased risk");

        // The world's organisation: two falls flag a person.
        let org = app.world.org;
        let ours = [
            app.world.service.service_id,
            app.world.other_service.service_id,
        ];
        let person = app.world.person;
        assert_eq!(kept_as_worked_out(&app, org, &ours).await?, 0);
        fall_of(&app, "2026-11-02T10:00:00Z", &FALL_FIELDS, person).await?;
        fall_of(&app, "2026-11-21T22:15:00Z", &FALL_FIELDS, person).await?;
        // Read before the minute's work (the row is stale) and after (kept).
        assert_eq!(kept_as_worked_out(&app, org, &ours).await?, 1);
        assert!(refresh(&app).await? >= 1);
        assert_eq!(refresh(&app).await?, 0, "kept until something changes");
        assert_eq!(kept_as_worked_out(&app, org, &ours).await?, 1);

        // A review clears them.
        let manager = app.actor(app.world.email(Role::RegisteredManager)).await?;
        candour::actions::risk::record_review(
            &app.ctx,
            &manager,
            person,
            &candour::actions::risk::ReviewDraft {
                risk_assessment_updated: "yes".into(),
                care_plan_updated: "yes".into(),
                outcome: "Sensor mat at night".into(),
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        assert_eq!(kept_as_worked_out(&app, org, &ours).await?, 0);
        refresh(&app).await?;
        assert_eq!(kept_as_worked_out(&app, org, &ours).await?, 0);

        // One fall since the review does not flag, until the rules say one is enough.
        app.clock.advance(3600);
        fall_of(&app, "2026-11-23T09:45:00Z", &FALL_FIELDS, person).await?;
        refresh(&app).await?;
        assert_eq!(kept_as_worked_out(&app, org, &ours).await?, 0);
        let admin = app.actor(app.world.email(Role::Administrator)).await?;
        let mut rules = candour_domain::risk_flags::RiskRulesDraft::from_rules(
            &candour_domain::risk_flags::RiskRules::default(),
        );
        rules.falls_short_count = "1".into();
        candour::actions::settings::save_risk_rules(&app.ctx, &admin, &rules)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        assert_eq!(kept_as_worked_out(&app, org, &ours).await?, 1);
        refresh(&app).await?;
        assert_eq!(kept_as_worked_out(&app, org, &ours).await?, 1);

        // A fall reported a minute ahead of the clock (within the tolerance
        // for a phone's clock) flags them only once it has happened: kept
        // until then, though it flags nothing yet.
        let other =
            crate::helpers::person(app.world.service.service_id, "P-200001", "Resident Ahead");
        let mut tx = store.begin().await?;
        candour::store::people::insert_person(&mut tx, org, &other, 0).await?;
        tx.commit().await?;
        let ahead = (app.ctx.clock.now() + jiff::SignedDuration::from_secs(60)).to_string();
        fall_of(&app, &ahead, &FALL_FIELDS, other.person_id).await?;
        assert_eq!(
            kept_as_worked_out(&app, org, &ours).await?,
            1,
            "only the first person"
        );
        refresh(&app).await?;
        assert_eq!(kept_as_worked_out(&app, org, &ours).await?, 1);
        app.clock.advance(120);
        assert_eq!(
            kept_as_worked_out(&app, org, &ours).await?,
            2,
            "the fall has happened"
        );

        // Time passes: the falls leave the 30-day window, read before and after the minute's work.
        app.clock.advance(31 * 24 * 3600);
        assert_eq!(kept_as_worked_out(&app, org, &ours).await?, 0);
        assert!(refresh(&app).await? >= 1, "the kept flag was due");
        assert_eq!(kept_as_worked_out(&app, org, &ours).await?, 0);
        assert!(
            store.kept_risk((org, &ours)).await?.is_empty(),
            "no flags, nothing kept"
        );
        // And the demo's, a month on.
        kept_as_worked_out(&app, demo, &demo_services).await?;
        refresh(&app).await?;
        kept_as_worked_out(&app, demo, &demo_services).await?;
        Ok(())
    }
);
