//! The register of people using a service.

use crate::helpers::*;
use candour_domain::role::Role;

db_test!(
    a_manager_adds_a_person_who_gets_the_next_code_and_an_audit_event,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let rm = app
            .signed_in(app.world.email(Role::RegisteredManager))
            .await?;
        let s = app.world.service.service_id;
        let form = rm
            .get(&format!("/services/{s}/people/new"))
            .await?
            .text()
            .await?;
        assert!(
            form.contains("value=\"2026-11-23\""),
            "start date defaults to today"
        );
        let token = csrf_in(&form).unwrap();
        let area = app.world.area.to_string();
        let resp = rm
            .post_form(
                &format!("/services/{s}/people"),
                &[
                    ("csrf_token", &token),
                    ("display_name", "Winifred Crowther"),
                    ("date_of_birth", "1936-02-29"),
                    ("nhs_number", "401 023 2137"),
                    ("area_id", &area),
                    ("room", "Room 12"),
                    ("start_date", "2026-11-20"),
                    ("status", "active"),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 303);
        assert_eq!(
            resp.headers()["location"].to_str()?,
            format!("/services/{s}/people?added=P-000003")
        );
        let list = rm
            .get(&format!("/services/{s}/people?added=P-000003"))
            .await?
            .text()
            .await?;
        assert!(list.contains("Added P-000003"));
        assert!(
            list.contains("Winifred Crowther")
                && list.contains("401 023 2137")
                && list.contains("29 Feb 1936")
        );
        let events = app.ctx.store.audit_page(app.world.org, 0, 10_000).await?;
        assert_eq!(
            events.iter().filter(|e| e.action == "person.added").count(),
            1
        );
        // The new person can be chosen on the report form.
        let worker = app.signed_in(app.world.email(Role::CareWorker)).await?;
        assert!(
            worker
                .get("/incidents/new?kind=near_miss&category=other")
                .await?
                .text()
                .await?
                .contains("Winifred Crowther, Room 12")
        );
        Ok(())
    }
);

db_test!(
    a_person_with_a_bad_nhs_number_is_refused_and_the_form_keeps_what_was_typed,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let rm = app
            .signed_in(app.world.email(Role::RegisteredManager))
            .await?;
        let s = app.world.service.service_id;
        let token = rm.csrf(&format!("/services/{s}/people/new")).await?;
        let resp = rm
            .post_form(
                &format!("/services/{s}/people"),
                &[
                    ("csrf_token", &token),
                    ("display_name", "Harold Lumb"),
                    ("nhs_number", "401 023 2138"),
                    ("date_of_birth", "2030-01-01"),
                    ("start_date", ""),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 422);
        let body = resp.text().await?;
        assert_summary_links_resolve(&body);
        assert!(body.contains("This is not a valid NHS number"));
        assert!(body.contains("Date of birth must be in the past"));
        assert!(body.contains("href=\"#start_date\""));
        assert!(body.contains("value=\"Harold Lumb\"") && body.contains("value=\"401 023 2138\""));
        let events = app.ctx.store.audit_page(app.world.org, 0, 10_000).await?;
        assert_eq!(
            events.iter().filter(|e| e.action == "person.added").count(),
            0
        );
        Ok(())
    }
);
