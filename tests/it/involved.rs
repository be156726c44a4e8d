//! Who else was involved: witnesses and others from the register, staff from
//! the staff list, each with a part; checked against the service.

use crate::helpers::*;
use candour_domain::role::Role;
use serde_json::{Value, json};

fn near_miss(app: &TestApp, involved: Value) -> Value {
    json!({
        "kind": "near_miss",
        "category": "environment",
        "service_id": app.world.service.service_id,
        "occurred_at": "2026-11-23T07:10:00Z",
        "description": "Water on the floor by the lift, mopped before anyone slipped.",
        "involved": involved,
    })
}

db_test!(
    a_witness_and_staff_involved_are_kept_with_their_parts,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let senior = app.actor(app.world.email(Role::SeniorCarer)).await?;
        let worker = app.signed_in(app.world.email(Role::CareWorker)).await?;
        let token = worker.csrf("/incidents/new").await?;
        let form_page = worker
            .get(&format!(
                "/incidents/new?service={}&kind=incident&category=behaviour",
                app.world.service.service_id
            ))
            .await?
            .text()
            .await?;
        assert!(
            form_page.contains("Edna Test, Room 4") && form_page.contains("Senior carer"),
            "the form offers the register (with rooms) and the staff list"
        );
        assert!(
            !form_page.contains("Care worker B"),
            "never another organisation's staff"
        );
        let person = format!("person:{}", app.world.person);
        let staff = format!("staff:{}", senior.user_id);
        let service = app.world.service.service_id.to_string();
        let resp = worker
            .post_form(
                "/incidents",
                &[
                    ("csrf_token", &token),
                    ("service_id", &service),
                    ("kind", "incident"),
                    ("category", "behaviour"),
                    ("occurred_date", "2026-11-23"),
                    ("occurred_time", "08:00"),
                    (
                        "description",
                        "Raised voices at breakfast; a cup was thrown.",
                    ),
                    ("immediate_actions", "Moved to a quiet lounge; calmed."),
                    ("involved_who", &person),
                    ("involved_role", "witness"),
                    ("involved_who", &staff),
                    ("involved_role", "staff_involved"),
                    ("involved_who", ""),
                    ("involved_role", ""),
                    ("others_involved", "A visiting daughter"),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 303, "{}", resp.text().await?);
        let page = worker.get("/incidents/INC-000001").await?.text().await?;
        assert!(page.contains("Edna Test (P-000001), Witness"), "{page}");
        assert!(page.contains("Senior carer (staff), Staff involved"));
        assert!(page.contains("A visiting daughter"));

        let api = token_for(&app, app.world.email(Role::RegisteredManager)).await?;
        let read: Value = reqwest::Client::new()
            .get(format!("{}/api/v1/incidents/INC-000001", app.base))
            .bearer_auth(&api)
            .send()
            .await?
            .json()
            .await?;
        assert_eq!(read["people"][0]["role"], "witness");
        assert_eq!(read["staff"][0]["role"], "staff_involved");
        assert_eq!(read["staff"][0]["user_id"], senior.user_id.to_string());
        Ok(())
    }
);

db_test!(
    the_api_names_each_involved_problem_and_saves_nothing,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let token = token_for(&app, app.world.email(Role::CareWorker)).await?;
        let outsider = app.actor(&app.world.user_b).await?;
        let senior = app.actor(app.world.email(Role::SeniorCarer)).await?;
        // A colleague in the same organisation who works at another service.
        let mut tx = app.ctx.store.begin().await?;
        let elsewhere = candour::actions::accounts::add_user_in(
            &mut tx,
            &candour::actions::accounts::NewUser {
                organisation_id: app.world.org,
                email: "birch.carer@a.example".into(),
                display_name: "Birch carer".into(),
                grant: candour_domain::role::Grant {
                    role: Role::CareWorker,
                    scope: candour_domain::role::Scope::Service(app.world.other_service.service_id),
                },
                password: None,
            },
            None,
            "test",
            0,
        )
        .await?;
        tx.commit().await?;
        let cases = [
            json!([{"person_id": app.world.other_person, "role": "witness"}]),
            json!([{"user_id": outsider.user_id, "role": "witness"}]),
            json!([{"user_id": elsewhere.user_id, "role": "witness"}]),
            json!([{"person_id": app.world.person, "role": "staff_involved"}]),
            json!([{"person_id": app.world.person, "user_id": senior.user_id, "role": "witness"}]),
            json!([{"person_id": app.world.person, "role": "onlooker"}]),
            json!([{"role": "witness"}]),
        ];
        for involved in cases {
            let resp = api_post(
                &app,
                &token,
                "/api/v1/incidents",
                &near_miss(&app, involved.clone()),
            )
            .await?;
            assert_eq!(resp.status(), 422, "{involved}");
            let body: Value = resp.json().await?;
            let pointers: Vec<&str> = body["errors"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|e| e["pointer"].as_str())
                .collect();
            assert_eq!(pointers, ["/involved"], "{involved}: {body}");
        }
        let ok = api_post(
            &app,
            &token,
            "/api/v1/incidents",
            &near_miss(
                &app,
                json!([{"user_id": senior.user_id, "role": "witness"}]),
            ),
        )
        .await?;
        assert_eq!(ok.status(), 201);
        let body: Value = ok.json().await?;
        assert_eq!(
            body["reference"], "INC-000001",
            "nothing was half-saved by the refused reports"
        );
        assert_eq!(body["staff"][0]["name"], "Senior carer");
        Ok(())
    }
);

db_test!(
    a_half_filled_line_comes_back_with_what_was_chosen,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let worker = app.signed_in(app.world.email(Role::CareWorker)).await?;
        let token = worker.csrf("/incidents/new").await?;
        let person = format!("person:{}", app.world.person);
        let service = app.world.service.service_id.to_string();
        let resp = worker
            .post_form(
                "/incidents",
                &[
                    ("csrf_token", &token),
                    ("service_id", &service),
                    ("kind", "near_miss"),
                    ("category", "other"),
                    ("occurred_date", "2026-11-23"),
                    ("occurred_time", "08:00"),
                    ("description", "Fire door wedged open."),
                    ("involved_who", &person),
                    ("involved_role", ""),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 422);
        let page = resp.text().await?;
        assert_summary_links_resolve(&page);
        assert!(page.contains("Say what part each person played"));
        assert!(
            page.contains(&format!("value=\"{person}\" selected")),
            "the choice is kept"
        );
        assert!(page.contains("<details class=\"details\" id=\"involved-section\" open>"));
        Ok(())
    }
);
