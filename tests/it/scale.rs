//! The large-shaped demo (`candour demo --scale large`, here with two
//! services): five years of incidents with the learning records the other
//! issues added, made in bulk, read by the same pages as records made one
//! by one.

use crate::helpers::*;
use candour::demo::{DEMO_PASSWORD, Scale, generate_sized};

db_test!(
    a_large_shaped_demo_has_five_years_of_learning_and_every_page_reads_it,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let summary = generate_sized(&app.ctx, Scale::Large, 7, Some(2)).await?;
        assert_eq!(summary.services, 2);
        assert!(summary.incidents > 10_000, "{summary:?}");
        let h = summary.history.expect("the large scale writes its history");
        // About one in nine incidents is moderate harm or worse: each is
        // assessed, and its CQC notification and candour steps done.
        assert!(h.assessments * 20 > summary.incidents, "{h:?}");
        assert!(h.duty_steps >= h.assessments * 2, "{h:?}");
        assert!(h.investigations > 10, "{h:?}");
        assert!(h.actions > h.investigations + 100, "{h:?}");
        assert!(
            h.meetings >= 2 * 58,
            "a meeting a month in each service: {h:?}"
        );
        assert!(
            h.lessons >= 2 * 18,
            "a lesson a quarter in each service: {h:?}"
        );
        assert!(h.acknowledgements > h.lessons * 3, "{h:?}");
        // The same seed makes the same history on another engine.
        let again = TestDb::new(candour::store::Engine::Sqlite).await?;
        let ctx = candour::actions::Ctx {
            store: again.store().await?,
            ..app.ctx.clone()
        };
        let other = generate_sized(&ctx, Scale::Large, 7, Some(2)).await?;
        assert_eq!(
            (other.incidents, other.history),
            (summary.incidents, summary.history)
        );

        let rm = summary
            .logins
            .iter()
            .find(|l| l.role == "Registered manager")
            .expect("a registered manager");
        let c = app.client();
        let resp = c.sign_in(&rm.email, DEMO_PASSWORD).await?;
        assert_eq!(resp.status(), 303);
        for path in [
            "/",
            "/triage",
            "/duties",
            "/investigations",
            "/meetings",
            "/lessons",
            "/trends",
            "/safety-cross",
            "/reports",
        ] {
            let resp = c.get(path).await?;
            assert_eq!(resp.status(), 200, "{path}");
        }
        let store = &app.ctx.store;
        let (org, services) = demo_organisation(&app).await?;
        let list = c
            .get(&format!("/services/{}/incidents", services[0]))
            .await?;
        assert_eq!(list.status(), 200);
        let plan = c
            .text(&format!("/services/{}/improvement-plan", services[0]))
            .await?;
        assert!(plan.contains("Review falls risk assessments"), "{plan}");
        // A finished investigation, its action and its incident's duties.
        let list = store.investigations(org, &services[..1]).await?;
        let done = list
            .iter()
            .find(|v| v.status.code() == "completed")
            .expect("an investigation finished");
        let page = c
            .text(&format!(
                "/investigations/{}",
                candour_domain::investigation::investigation_reference(done.number)
            ))
            .await?;
        assert!(
            page.contains("risk assessment had not been reviewed"),
            "{page}"
        );
        let duties = c
            .text(&format!("/incidents/{}/duties", done.incident_reference))
            .await?;
        assert_eq!(
            duties.matches(">Done ").count(),
            2,
            "the CQC notification and the duty of candour: {duties}"
        );
        assert!(!duties.contains("Needs information"), "{duties}");
        let cqc = c
            .text(&format!(
                "/incidents/{}/duties/cqc_serious_injury_notification",
                done.incident_reference
            ))
            .await?;
        assert!(cqc.contains("ENQ1-"), "the notification's reference: {cqc}");
        // A month's meeting and a quarter's lesson, with who came and who read it.
        let meetings = c.text("/meetings").await?;
        let id = meetings
            .split("/meetings/")
            .filter_map(|s| s.split('"').next())
            .find(|s| s.len() == 36)
            .expect("a meeting link");
        let meeting = c.text(&format!("/meetings/{id}")).await?;
        assert!(meeting.contains("Registered manager"), "{meeting}");
        let lessons = c.text("/lessons").await?;
        assert!(
            lessons.contains("Review falls risk assessments")
                || lessons.contains("refresher")
                || lessons.contains("Second check"),
            "{lessons}"
        );
        Ok(())
    }
);

db_test!(
    a_list_over_many_services_gives_the_same_pages_as_each_service_read_alone,
    |engine| {
        use candour::store::incidents::{IncidentFilter, ListCursor};
        use candour_domain::incident::{Category, IncidentStatus};
        let app = TestApp::spawn(engine).await?;
        // Enough services that the list reads the organisation's newest
        // reports first, and enough reports that a rare filter is not among them.
        let summary = generate_sized(&app.ctx, Scale::Small, 11, Some(18)).await?;
        assert!(summary.incidents > 4_000, "{summary:?}");
        let store = &app.ctx.store;
        let (org, services) = demo_organisation(&app).await?;
        assert_eq!(services.len(), 18);
        // The oldest resident of the first service: their reports are rare.
        let person = store
            .people_of_service(org, services[0])
            .await?
            .first()
            .expect("a person")
            .person_id;
        let filters = [
            IncidentFilter::default(),
            IncidentFilter {
                category: Some(Category::Fall),
                status: Some(IncidentStatus::Closed),
                ..IncidentFilter::default()
            },
            IncidentFilter {
                person: Some(person),
                ..IncidentFilter::default()
            },
            IncidentFilter {
                category: Some(Category::Safeguarding),
                ..IncidentFilter::default()
            },
            IncidentFilter {
                words: vec!["sensor".to_owned(), "mat".to_owned()],
                ..IncidentFilter::default()
            },
            IncidentFilter {
                words: vec!["pressure".to_owned()],
                status: Some(IncidentStatus::Closed),
                ..IncidentFilter::default()
            },
        ];
        for (n, filter) in filters.iter().enumerate() {
            let mut after: Option<ListCursor> = None;
            for page in 0..3 {
                let got: Vec<_> = store
                    .incidents_in_services(org, &services, filter, after, 25)
                    .await?
                    .iter()
                    .map(|s| (s.reported_at, s.incident_id))
                    .collect();
                // Each service read alone, merged.
                let mut want = Vec::new();
                for s in &services {
                    want.extend(
                        store
                            .incidents_in_services(org, &[*s], filter, after, 25)
                            .await?
                            .iter()
                            .map(|s| (s.reported_at, s.incident_id)),
                    );
                }
                want.sort_by_key(|k| std::cmp::Reverse(*k));
                want.truncate(25);
                assert_eq!(got, want, "{filter:?}, page {page}");
                if [0, 1, 4].contains(&n) {
                    assert_eq!(got.len(), 25, "a common filter fills its pages: {filter:?}");
                }
                let Some(&(at, id)) = got.last() else { break };
                after = Some(ListCursor {
                    reported_at_ms: at.as_millisecond(),
                    incident_id: id,
                });
            }
        }
        Ok(())
    }
);
