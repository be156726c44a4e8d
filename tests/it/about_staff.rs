//! Reports about staff: the person named as alleged to have caused harm
//! never sees the report or learns who made it; peers do not learn who made
//! it; those who handle it do; and it goes above a manager who is named.

use crate::helpers::*;
use candour::actions::Actor;
use candour::actions::incidents::report_incident;
use candour_domain::incident::ReportDraft;
use candour_domain::role::{Role, Scope};
use serde_json::json;

/// The reporter in every test here, a care worker at Alder House.
const REPORTER: &str = "Rowena Whistle";

/// Adds a care worker at Alder House called [`REPORTER`], with the test password.
async fn reporter(app: &TestApp) -> anyhow::Result<Actor> {
    let service = Scope::Service(app.world.service.service_id);
    staff_member(
        app,
        ("rowena@a.example", REPORTER),
        Role::CareWorker,
        service,
    )
    .await
}

/// A safeguarding concern at Alder House alleged against staff, with
/// `marker` in its text, naming `named` (if anyone) as alleged to have
/// caused harm. Answers its reference.
async fn concern(
    app: &TestApp,
    by: &Actor,
    marker: &str,
    named: Option<&Actor>,
) -> anyhow::Result<String> {
    let draft = concern_draft(app, marker, named);
    let made = report_incident(&app.ctx, by, &draft).await.map_err(fail)?;
    Ok(made.reference.to_string())
}

/// The report [`concern`] makes.
fn concern_draft(app: &TestApp, marker: &str, named: Option<&Actor>) -> ReportDraft {
    let details = [("abuse_type", "physical"), ("alleged_by", "staff")]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), vec![(*v).to_owned()]))
        .collect();
    ReportDraft {
        kind: "incident".into(),
        category: "safeguarding".into(),
        details,
        service_id: app.world.service.service_id.to_string(),
        occurred_at: "2026-11-23T07:00:00Z".into(),
        description: format!("{marker}: slapped Edna on the arm during personal care."),
        immediate_actions: "Stayed with Edna; told the nurse in charge.".into(),
        affected_person_ids: vec![app.world.person.to_string()],
        involved: named
            .map(|n| {
                vec![(
                    format!("staff:{}", n.user_id),
                    "alleged_perpetrator".to_owned(),
                )]
            })
            .unwrap_or_default(),
        ..ReportDraft::default()
    }
}

/// A fall at Alder House reported by `by` with `description`; answers its reference.
async fn fall(app: &TestApp, by: &Actor, description: &str) -> anyhow::Result<String> {
    let draft = ReportDraft {
        kind: "incident".into(),
        category: "fall".into(),
        details: fall_details(),
        service_id: app.world.service.service_id.to_string(),
        occurred_at: "2026-11-23T07:00:00Z".into(),
        description: description.into(),
        immediate_actions: "Checked for injury".into(),
        ..ReportDraft::default()
    };
    let made = report_incident(&app.ctx, by, &draft).await.map_err(fail)?;
    Ok(made.reference.to_string())
}

/// The references of what `user` has been told of, newest first.
async fn told(app: &TestApp, user: candour_domain::ids::UserId) -> anyhow::Result<Vec<String>> {
    Ok(app
        .ctx
        .store
        .notifications(user, 50)
        .await?
        .into_iter()
        .map(|n| n.reference)
        .collect())
}

/// Takes out the choice lists (the staff list offered in forms names
/// everyone who works at a service, whatever they did) and answers the rest.
fn without_choice_lists(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(start) = rest.find("<select") {
        out.push_str(&rest[..start]);
        rest = rest[start..]
            .find("</select>")
            .map_or("", |end| &rest[start + end + "</select>".len()..]);
    }
    out.push_str(rest);
    out
}

/// Every page and API answer to `email` that could reveal a report: none
/// may show `reference`, `marker` or the reporter, and the report's own
/// routes must answer 404. Failures are collected, not stopped at.
async fn check_unseen(
    app: &TestApp,
    email: &str,
    (reference, marker): (&str, &str),
    failures: &mut Vec<String>,
) -> anyhow::Result<()> {
    let client = app.signed_in(email).await?;
    let token = token_for(app, email).await?;
    let word = marker.to_lowercase();
    let own: Vec<String> = ["", "/history", "/triage", "/duties", "/reflection"]
        .iter()
        .map(|s| format!("/incidents/{reference}{s}"))
        .collect();
    let service = app.world.service.service_id;
    let lists: Vec<String> = [
        "/".to_owned(),
        format!("/services/{service}/incidents"),
        format!("/services/{service}/incidents?q={word}"),
        format!("/services/{service}/triage"),
        format!("/services/{service}/improvement-plan"),
        "/triage".to_owned(),
        "/my-reports".to_owned(),
        "/duties".to_owned(),
        "/investigations".to_owned(),
        "/lessons".to_owned(),
        "/meetings".to_owned(),
        "/meetings/new".to_owned(),
        "/digest".to_owned(),
        "/alerts".to_owned(),
        format!("/people/{}", app.world.person),
    ]
    .into();
    let api_own = [
        format!("/api/v1/incidents/{reference}"),
        format!("/api/v1/incidents/{reference}/duties"),
    ];
    let api_lists = [
        "/api/v1/incidents".to_owned(),
        format!("/api/v1/incidents?q={word}"),
        "/api/v1/triage".to_owned(),
        "/api/v1/duties".to_owned(),
        "/api/v1/investigations".to_owned(),
    ];
    let mut answers = Vec::new();
    for path in own.iter().chain(&lists) {
        let resp = client.get(path).await?;
        answers.push((
            path.clone(),
            own.contains(path),
            resp.status().as_u16(),
            resp.text().await?,
        ));
    }
    for path in api_own.iter().chain(&api_lists) {
        let resp = api_get(app, &token, path).await?;
        answers.push((
            path.clone(),
            api_own.contains(path),
            resp.status().as_u16(),
            resp.text().await?,
        ));
    }
    for (path, is_own, status, body) in answers {
        if is_own && status != 404 {
            failures.push(format!("{email}: {path} answered {status}, want 404"));
        }
        let body = without_choice_lists(&body);
        for secret in [reference, marker, REPORTER] {
            if body.contains(secret) {
                failures.push(format!("{email}: {path} ({status}) shows {secret:?}"));
            }
        }
    }
    Ok(())
}

db_test!(
    no_one_named_as_alleged_to_have_caused_harm_can_find_the_report,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let rowena = reporter(&app).await?;
        // Everyone who works at Alder House can be named; each in their own report.
        let named = [
            Role::CareWorker,
            Role::SeniorCarer,
            Role::RegisteredManager,
            Role::RegionalManager,
            Role::HeadOfOperations,
            Role::QualityAssurance,
        ];
        let mut reports = Vec::new();
        for role in named {
            let who = app.actor(app.world.email(role)).await?;
            let marker = format!("Concern{}", role.code().replace('_', ""));
            let reference = concern(&app, &rowena, &marker, Some(&who)).await?;
            reports.push((role, reference, marker));
        }
        let mut failures = Vec::new();
        for (role, reference, marker) in &reports {
            check_unseen(
                &app,
                app.world.email(*role),
                (reference, marker),
                &mut failures,
            )
            .await?;
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        // Not hidden from everyone: the head of operations handles the
        // report about the regional manager, and sees who made it.
        let head = app
            .signed_in(app.world.email(Role::HeadOfOperations))
            .await?;
        let page = head.text(&format!("/incidents/{}", reports[3].1)).await?;
        assert!(page.contains(&reports[3].2) && page.contains(REPORTER));
        Ok(())
    }
);

db_test!(
    peers_see_a_report_about_staff_without_who_made_it_and_handlers_see_both,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let rowena = reporter(&app).await?;
        let worker = app.actor(app.world.email(Role::CareWorker)).await?;
        let reference = concern(&app, &rowena, "Peerconcern", Some(&worker)).await?;
        rowena_adds(&app, &rowena, &reference).await?;

        // The senior carer triages reports at Alder House but does not
        // handle reports about staff: they read it, not who made it.
        let senior = app.signed_in(app.world.email(Role::SeniorCarer)).await?;
        for path in [
            format!("/incidents/{reference}"),
            format!("/incidents/{reference}/history"),
        ] {
            let page = without_choice_lists(&senior.text(&path).await?);
            assert!(page.contains("Peerconcern") || path.ends_with("history"));
            assert!(!page.contains(REPORTER), "{path} names the reporter");
            assert!(
                !page.contains(&rowena.user_id.to_string()),
                "{path}: {page}"
            );
        }
        let page = senior.text(&format!("/incidents/{reference}")).await?;
        assert!(page.contains("withheld"), "says it is withheld");
        assert!(
            !page.contains("Anonymous"),
            "and does not pretend it was anonymous"
        );
        let token = token_for(&app, app.world.email(Role::SeniorCarer)).await?;
        let json = api_get(&app, &token, &format!("/api/v1/incidents/{reference}"))
            .await?
            .text()
            .await?;
        assert!(
            json.contains("Peerconcern") && !json.contains(REPORTER),
            "{json}"
        );

        // The registered manager and quality assurance handle it.
        for role in [Role::RegisteredManager, Role::QualityAssurance] {
            let handler = app.signed_in(app.world.email(role)).await?;
            let page = handler.text(&format!("/incidents/{reference}")).await?;
            assert!(page.contains(REPORTER), "{role:?} sees who made it");
        }

        // The reporter still sees their own report, with their name.
        let own = app.signed_in("rowena@a.example").await?;
        assert!(
            own.text(&format!("/incidents/{reference}"))
                .await?
                .contains(REPORTER)
        );

        // Every reading of it is in the audit trail, with who read it.
        let incident = app
            .ctx
            .store
            .incident_by_reference(
                app.world.org,
                candour_domain::incident::IncidentReference::parse(&reference).unwrap(),
            )
            .await?
            .unwrap();
        let events = app
            .ctx
            .store
            .audit_for_record(app.world.org, "incident", &incident.incident_id.to_string())
            .await?;
        let readers: Vec<&str> = events
            .iter()
            .filter(|e| e.action == "incident.read_about_staff")
            .map(|e| e.actor.as_str())
            .collect();
        let senior_id = app.actor(app.world.email(Role::SeniorCarer)).await?.user_id;
        assert!(
            readers.contains(&senior_id.to_string().as_str()),
            "{readers:?}"
        );
        assert!(readers.contains(&rowena.user_id.to_string().as_str()));
        Ok(())
    }
);

/// Names `user` in `reference` with `role`, through the API as `token`.
async fn name_in(
    app: &TestApp,
    token: &str,
    reference: &str,
    user: impl serde::Serialize,
    role: &str,
) -> anyhow::Result<reqwest::Response> {
    let path = format!("/api/v1/incidents/{reference}/staff");
    api_post(app, token, &path, &json!({"user_id": user, "role": role})).await
}

/// The reporter adds to their report, so their name would show as an author.
async fn rowena_adds(app: &TestApp, rowena: &Actor, reference: &str) -> anyhow::Result<()> {
    candour::actions::addenda::add_to_report(
        &app.ctx,
        rowena,
        candour_domain::incident::IncidentReference::parse(reference).unwrap(),
        candour_domain::incident::AddendumKind::Addendum,
        None,
        "Peerconcern: I saw a red mark on her arm afterwards.",
    )
    .await
    .map_err(fail)?;
    Ok(())
}

db_test!(
    someone_named_later_loses_sight_of_the_report_from_then_on,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let rowena = reporter(&app).await?;
        let reference = concern(&app, &rowena, "Latername", None).await?;
        let senior_email = app.world.email(Role::SeniorCarer);
        let senior = app.actor(senior_email).await?;
        let client = app.signed_in(senior_email).await?;
        assert_eq!(
            client
                .get(&format!("/incidents/{reference}"))
                .await?
                .status(),
            200
        );
        assert!(client.text("/triage").await?.contains(&reference));

        // Bad input names the field and changes nothing.
        let manager = token_for(&app, app.world.email(Role::RegisteredManager)).await?;
        let resp = name_in(
            &app,
            &manager,
            &reference,
            app.world.org,
            "alleged_perpetrator",
        )
        .await?;
        assert_eq!(resp.status(), 422);
        assert!(resp.text().await?.contains("user_id"));
        let resp = name_in(&app, &manager, &reference, senior.user_id, "bystander").await?;
        assert_eq!(resp.status(), 422);
        // A care worker who did not make the report cannot name anyone in it.
        let worker = token_for(&app, app.world.email(Role::CareWorker)).await?;
        let resp = name_in(
            &app,
            &worker,
            &reference,
            senior.user_id,
            "alleged_perpetrator",
        )
        .await?;
        assert_eq!(resp.status(), 404);
        assert_eq!(
            client
                .get(&format!("/incidents/{reference}"))
                .await?
                .status(),
            200
        );

        // The registered manager names the senior carer at review.
        let resp = name_in(
            &app,
            &manager,
            &reference,
            senior.user_id,
            "alleged_perpetrator",
        )
        .await?;
        assert_eq!(resp.status(), 204);
        let mut failures = Vec::new();
        check_unseen(&app, senior_email, (&reference, "Latername"), &mut failures).await?;
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        // Naming them again changes nothing, and the naming is in the trail.
        let again = name_in(
            &app,
            &manager,
            &reference,
            senior.user_id,
            "alleged_perpetrator",
        )
        .await?;
        assert_eq!(again.status(), 204);
        let page = app
            .signed_in(app.world.email(Role::RegisteredManager))
            .await?
            .text(&format!("/incidents/{reference}/history"))
            .await?;
        assert!(page.contains("incident staff named"), "{page}");
        Ok(())
    }
);

db_test!(
    a_senior_carer_names_themselves_in_the_page_and_is_taken_to_the_list,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let rowena = reporter(&app).await?;
        let reference = concern(&app, &rowena, "Selfnamed", None).await?;
        let email = app.world.email(Role::SeniorCarer);
        let senior = app.actor(email).await?;
        let client = app.signed_in(email).await?;
        let page = client.text(&format!("/incidents/{reference}")).await?;
        assert!(page.contains("Name a member of staff"));
        let csrf = csrf_in(&page).unwrap_or_default();
        let user = senior.user_id.to_string();
        let resp = client
            .post_form(
                &format!("/incidents/{reference}/staff"),
                &[
                    ("csrf_token", &csrf),
                    ("user_id", "nobody"),
                    ("role", "witness"),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 422);
        assert!(
            resp.text()
                .await?
                .contains("Choose a member of staff who works at Alder House")
        );
        let resp = client
            .post_form(
                &format!("/incidents/{reference}/staff"),
                &[
                    ("csrf_token", &csrf),
                    ("user_id", &user),
                    ("role", "alleged_perpetrator"),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 303);
        assert_eq!(location_of(&resp), "/incidents");
        assert_eq!(
            client
                .get(&format!("/incidents/{reference}"))
                .await?
                .status(),
            404
        );
        Ok(())
    }
);

db_test!(
    an_urgent_report_goes_above_whoever_is_named_at_each_level_of_the_line,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let rowena = reporter(&app).await?;
        // (who is named, who is told first)
        let levels = [
            (Role::CareWorker, Role::RegisteredManager),
            (Role::SeniorCarer, Role::RegisteredManager),
            (Role::RegisteredManager, Role::RegionalManager),
            (Role::RegionalManager, Role::HeadOfOperations),
            (Role::HeadOfOperations, Role::QualityAssurance),
        ];
        for (named, first) in levels {
            let who = app.actor(app.world.email(named)).await?;
            let above = app.actor(app.world.email(first)).await?;
            let marker = format!("Route{}", named.code().replace('_', ""));
            let reference = concern(&app, &rowena, &marker, Some(&who)).await?;
            assert!(
                !told(&app, who.user_id).await?.contains(&reference),
                "{named:?} named is never told"
            );
            assert!(
                told(&app, above.user_id).await?.contains(&reference),
                "{first:?} is told when {named:?} is named"
            );
        }
        Ok(())
    }
);

db_test!(
    a_manager_named_later_no_longer_finds_what_they_were_told,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let rowena = reporter(&app).await?;
        let reference = concern(&app, &rowena, "Toldbefore", None).await?;
        let email = app.world.email(Role::RegisteredManager);
        let manager = app.actor(email).await?;
        let client = app.signed_in(email).await?;
        let page = client.text("/my-reports").await?;
        assert!(
            page.contains(&reference) && page.contains("1 new</span>"),
            "told at once of a safeguarding concern"
        );
        let regional = token_for(&app, app.world.email(Role::RegionalManager)).await?;
        let resp = name_in(
            &app,
            &regional,
            &reference,
            manager.user_id,
            "alleged_perpetrator",
        )
        .await?;
        assert_eq!(resp.status(), 204);
        let mut failures = Vec::new();
        check_unseen(&app, email, (&reference, "Toldbefore"), &mut failures).await?;
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        assert!(
            !client.text("/").await?.contains(" new</span>"),
            "nothing new to read about it either"
        );
        Ok(())
    }
);

db_test!(
    a_designated_safeguarding_lead_sees_every_safeguarding_concern_in_scope_and_nothing_else,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let rowena = reporter(&app).await?;
        let worker = app.actor(app.world.email(Role::CareWorker)).await?;
        let concern_ref = concern(&app, &rowena, "Guardconcern", Some(&worker)).await?;
        let fall_ref = fall(&app, &rowena, "Guardfall: found on the floor by the bed.").await?;
        // A lead for Region One (Alder House), not Region Two (Birch House).
        let email = "guard@a.example";
        let region = Scope::Region(app.world.service.region_id);
        staff_member(&app, (email, "Sally Guard"), Role::SafeguardingLead, region).await?;
        let head = app.actor(app.world.email(Role::HeadOfOperations)).await?;
        let birch = ReportDraft {
            service_id: app.world.other_service.service_id.to_string(),
            affected_person_ids: vec![app.world.other_person.to_string()],
            ..concern_draft(&app, "Birchconcern", None)
        };
        let birch_ref = report_incident(&app.ctx, &head, &birch)
            .await
            .map_err(fail)?
            .reference
            .to_string();
        let lead = app.signed_in(email).await?;
        assert_eq!(
            lead.get(&format!("/incidents/{birch_ref}")).await?.status(),
            404,
            "not a concern outside their region"
        );
        let page = lead.text(&format!("/incidents/{concern_ref}")).await?;
        assert!(page.contains("Guardconcern"), "reads the concern");
        assert!(page.contains(REPORTER), "and, handling it, who made it");
        assert_eq!(
            lead.get(&format!("/incidents/{fall_ref}")).await?.status(),
            404,
            "a fall is not theirs to read"
        );
        let token = token_for(&app, email).await?;
        let list = api_get(&app, &token, "/api/v1/incidents").await?;
        assert_eq!(list.status(), 200);
        let list = list.text().await?;
        assert!(
            list.contains(&concern_ref) && !list.contains(&fall_ref) && !list.contains(&birch_ref),
            "{list}"
        );
        let falls = api_get(&app, &token, "/api/v1/incidents?category=fall")
            .await?
            .text()
            .await?;
        assert!(!falls.contains(&fall_ref), "{falls}");

        // Named in a concern, they lose sight of it like anyone else.
        let guard = app.actor(email).await?;
        let about_them = concern(&app, &rowena, "Guardnamed", Some(&guard)).await?;
        let mut failures = Vec::new();
        check_unseen(&app, email, (&about_them, "Guardnamed"), &mut failures).await?;
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        Ok(())
    }
);

db_test!(
    a_designated_safeguarding_lead_is_told_of_a_new_concern_at_once_unless_named,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let rowena = reporter(&app).await?;
        let one = Scope::Region(app.world.service.region_id);
        let two = Scope::Region(app.world.other_service.region_id);
        let lead = staff_member(
            &app,
            ("guard@a.example", "Sally Guard"),
            Role::SafeguardingLead,
            one,
        )
        .await?;
        let other = staff_member(
            &app,
            ("far@a.example", "Farah Away"),
            Role::SafeguardingLead,
            two,
        )
        .await?;
        let first = concern(&app, &rowena, "Toldconcern", None).await?;
        assert_eq!(told(&app, lead.user_id).await?, vec![first.clone()]);
        assert!(
            told(&app, other.user_id).await?.is_empty(),
            "not outside their region"
        );
        let about_lead = concern(&app, &rowena, "Leadnamed", Some(&lead)).await?;
        assert!(
            !told(&app, lead.user_id).await?.contains(&about_lead),
            "never told of a concern about themselves"
        );

        // Home links to the service's list, where the lead finds its
        // concerns and nothing else.
        let fall_ref = fall(&app, &rowena, "Leadfall: found on the floor.").await?;
        let c = app.signed_in("guard@a.example").await?;
        let list_path = format!("/services/{}/incidents", app.world.service.service_id);
        let home = c.text("/").await?;
        assert!(home.contains(&format!("href=\"{list_path}\"")), "{home}");
        assert!(!home.contains("/poster"), "no poster link: not theirs");
        let resp = c.get(&list_path).await?;
        assert_eq!(resp.status(), 200);
        let list = resp.text().await?;
        assert!(list.contains(&first) && !list.contains(&fall_ref), "{list}");
        assert!(!list.contains(&about_lead), "{list}");
        Ok(())
    }
);

db_test!(
    a_report_about_staff_stays_hidden_as_it_is_triaged_investigated_and_acted_on,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let rowena = reporter(&app).await?;
        let senior = app.actor(app.world.email(Role::SeniorCarer)).await?;
        let marker = "Deepconcern";
        let reference = concern(&app, &rowena, marker, Some(&senior)).await?;
        let r = candour_domain::incident::IncidentReference::parse(&reference).unwrap();
        let manager = app.actor(app.world.email(Role::RegisteredManager)).await?;
        let triage = candour_domain::triage::TriageDraft {
            kind: "incident".into(),
            category: "safeguarding".into(),
            physical_harm: "low".into(),
            psychological_harm: "moderate".into(),
            consequence: "4".into(),
            likelihood: "3".into(),
            learning_response: "serious_investigation".into(),
            ..Default::default()
        };
        candour::actions::triage::triage_incident(&app.ctx, &manager, r, &triage, 1)
            .await
            .map_err(fail)?;
        let regional = app.actor(app.world.email(Role::RegionalManager)).await?;
        let number = candour::actions::investigations::open_investigation(
            &app.ctx,
            &manager,
            r,
            &candour_domain::investigation::OpeningDraft {
                lead: regional.user_id.to_string(),
                terms_of_reference: "Deepconcern: what happened on the night check".into(),
            },
        )
        .await
        .map_err(fail)?;
        let action = candour::actions::improvement::add_action(
            &app.ctx,
            &manager,
            candour::actions::improvement::From::Investigation(number),
            &candour_domain::improvement::ActionDraft {
                title: "Deepconcern: two staff on every night check".into(),
                description: "Rota shows two names against each check; audited weekly.".into(),
                owner: manager.user_id.to_string(),
                due_on: "2026-12-20".into(),
                in_plan: true,
                ..Default::default()
            },
        )
        .await
        .map_err(fail)?;
        // Those handling it see it at every stage.
        let handler = app
            .signed_in(app.world.email(Role::RegisteredManager))
            .await?;
        let investigation = candour_domain::investigation::investigation_reference(number);
        let plan = handler
            .text(&format!(
                "/services/{}/improvement-plan",
                app.world.service.service_id
            ))
            .await?;
        assert!(plan.contains("two staff on every night check"), "{plan}");
        assert_eq!(
            handler
                .get(&format!("/investigations/{investigation}"))
                .await?
                .status(),
            200
        );

        // The senior carer named finds nothing of it, anywhere.
        let mut failures = Vec::new();
        let email = app.world.email(Role::SeniorCarer);
        check_unseen(&app, email, (&reference, marker), &mut failures).await?;
        let c = app.signed_in(email).await?;
        let token = token_for(&app, email).await?;
        let action_ref = candour_domain::improvement::action_reference(action.number);
        for path in [
            format!("/investigations/{investigation}"),
            format!("/investigations/{investigation}/report"),
            format!("/actions/{action_ref}"),
        ] {
            let status = c.get(&path).await?.status();
            if status != 404 {
                failures.push(format!("{path} answered {status}, want 404"));
            }
        }
        for path in [
            format!("/api/v1/investigations/{investigation}"),
            format!("/api/v1/actions/{action_ref}"),
        ] {
            let status = api_get(&app, &token, &path).await?.status();
            if status != 404 {
                failures.push(format!("{path} answered {status}, want 404"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        Ok(())
    }
);

db_test!(
    a_report_naming_the_head_of_operations_reaches_the_board_designate,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let rowena = reporter(&app).await?;
        let board_email = app.world.email(Role::BoardMember);
        let board = app.actor(board_email).await?;
        let other_board = staff_member(
            &app,
            ("bob@a.example", "Bob Boardroom"),
            Role::BoardMember,
            Scope::Organisation,
        )
        .await?;
        let admin = app.signed_in(app.world.email(Role::Administrator)).await?;
        let token = admin.csrf("/settings").await?;
        let worker = app.actor(app.world.email(Role::CareWorker)).await?;
        let worker_id = worker.user_id.to_string();
        let resp = admin
            .post_form(
                "/settings/board-designate",
                &[("csrf_token", &token), ("board_designate", &worker_id)],
            )
            .await?;
        assert_eq!(resp.status(), 422, "only a board member may be designated");
        assert!(resp.text().await?.contains("Choose a board member"));
        let board_id = board.user_id.to_string();
        let resp = admin
            .post_form(
                "/settings/board-designate",
                &[("csrf_token", &token), ("board_designate", &board_id)],
            )
            .await?;
        assert_eq!(resp.status(), 303);

        let head = app.actor(app.world.email(Role::HeadOfOperations)).await?;
        let manager = app.actor(app.world.email(Role::RegisteredManager)).await?;
        let about_head = concern(&app, &rowena, "Boardconcern", Some(&head)).await?;
        let about_manager = concern(&app, &rowena, "Managerconcern", Some(&manager)).await?;
        assert_eq!(told(&app, board.user_id).await?, vec![about_head.clone()]);
        assert!(told(&app, other_board.user_id).await?.is_empty());
        let qa = app.actor(app.world.email(Role::QualityAssurance)).await?;
        assert!(told(&app, qa.user_id).await?.contains(&about_head));
        assert!(!told(&app, head.user_id).await?.contains(&about_head));

        let c = app.signed_in(board_email).await?;
        let page = c.text(&format!("/incidents/{about_head}")).await?;
        assert!(page.contains("Boardconcern"), "{page}");
        assert!(!page.contains(REPORTER), "who made it is withheld");
        assert_eq!(
            c.get(&format!("/incidents/{about_manager}"))
                .await?
                .status(),
            404,
            "no other report"
        );
        let other = app.signed_in("bob@a.example").await?;
        assert_eq!(
            other
                .get(&format!("/incidents/{about_head}"))
                .await?
                .status(),
            404,
            "only the board member designated"
        );
        Ok(())
    }
);

db_test!(
    the_daily_digest_follows_the_route_above_a_manager_named,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let rowena = reporter(&app).await?;
        let manager = app.actor(app.world.email(Role::RegisteredManager)).await?;
        let reference = concern(&app, &rowena, "Digestconcern", Some(&manager)).await?;
        assert!(candour::jobs::tick(&app.ctx).await?);
        let queued = app.ctx.store.emails(app.world.org).await?.len();
        let sink = crate::smtp::SmtpSink::start()?;
        let mailer = candour::email::sender::Mailer::new(&sink.url, "Candour <c@a.example>")?;
        candour::email::sender::send_due(&app.ctx, &mailer).await?;
        let got = sink.wait_for(queued, 10).await;
        // No email names the reporter or gives the report's words.
        for m in &got {
            assert!(
                !m.data.contains(REPORTER) && !m.data.contains("Digestconcern"),
                "{:?}: {}",
                m.to,
                m.data
            );
        }
        let digest_to = |email: &str| {
            got.iter().find(|m| {
                m.data.contains("Candour daily digest") && m.to.iter().any(|t| t == email)
            })
        };
        let above = digest_to(app.world.email(Role::RegionalManager))
            .expect("the regional manager's digest");
        assert!(above.data.contains(&reference), "{}", above.data);
        if let Some(own) = digest_to(app.world.email(Role::RegisteredManager)) {
            assert!(!own.data.contains(&reference), "{}", own.data);
        }
        Ok(())
    }
);

db_test!(
    the_evidence_pack_a_manager_named_downloads_leaves_the_report_out,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let rowena = reporter(&app).await?;
        let manager = app.actor(app.world.email(Role::RegisteredManager)).await?;
        let reference = concern(&app, &rowena, "Packconcern", Some(&manager)).await?;
        let other = fall(&app, &rowena, "Packfall: found by the bed.").await?;
        let web = app
            .signed_in(app.world.email(Role::RegisteredManager))
            .await?;
        let csrf = csrf_in(&web.text("/evidence").await?).unwrap();
        let service = app.world.service.service_id.to_string();
        let resp = web
            .post_form(
                "/evidence",
                &[
                    ("csrf_token", &csrf),
                    ("service", &service),
                    ("from", "2026-11-01"),
                    ("to", "2026-11-30"),
                    ("identify", "codes"),
                    ("reason", ""),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 200);
        let files = crate::evidence::unzip(&resp.bytes().await?)?;
        let mut saw_other = false;
        for (name, bytes) in &files {
            let text = if name.ends_with(".pdf") {
                read_pdf(bytes)?.map(|(t, _)| t).unwrap_or_default()
            } else {
                String::from_utf8_lossy(bytes).into_owned()
            };
            saw_other |= text.contains(&other);
            for secret in [reference.as_str(), "Packconcern", REPORTER] {
                assert!(!text.contains(secret), "{name} shows {secret}");
            }
        }
        assert!(saw_other, "the pack holds the service's other reports");
        Ok(())
    }
);

/// Everything in the subject access export `email` makes for the test
/// world's person: (every file's text, the index PDF's text if it can be read).
async fn person_export(app: &TestApp, email: &str) -> anyhow::Result<(String, Option<String>)> {
    let token = token_for(app, email).await?;
    let resp = reqwest::Client::new()
        .post(format!(
            "{}/api/v1/people/{}/subject-access",
            app.base, app.world.person
        ))
        .bearer_auth(token)
        .send()
        .await?;
    assert_eq!(resp.status(), 200, "{email}");
    let (mut all, mut index) = (String::new(), None);
    for (name, bytes) in crate::evidence::unzip(&resp.bytes().await?)? {
        if name.ends_with(".pdf") {
            let text = read_pdf(&bytes)?.map(|(t, _)| t);
            all.push_str(text.as_deref().unwrap_or_default());
            if name == "index.pdf" {
                index = text;
            }
        } else {
            all.push_str(&String::from_utf8_lossy(&bytes));
        }
    }
    Ok((all, index))
}

db_test!(
    a_subject_access_export_by_a_manager_named_leaves_the_report_out,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let rowena = reporter(&app).await?;
        let manager = app.actor(app.world.email(Role::RegisteredManager)).await?;
        let reference = concern(&app, &rowena, "Sarconcern", Some(&manager)).await?;
        let (by_manager, index) =
            person_export(&app, app.world.email(Role::RegisteredManager)).await?;
        for secret in [reference.as_str(), "Sarconcern", REPORTER] {
            assert!(
                !by_manager.contains(secret),
                "the manager's export shows {secret}"
            );
        }
        if let Some(index) = index {
            assert!(index.contains("Made in the app"), "{index}");
        }
        let (by_admin, _) = person_export(&app, app.world.email(Role::Administrator)).await?;
        assert!(
            by_admin.contains("Sarconcern"),
            "an administrator's export is complete"
        );
        Ok(())
    }
);
