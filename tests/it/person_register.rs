//! Keeping the people register true: details changed and statuses recorded
//! with their date, each kept as a version with who and when; a change made
//! on an older version refused naming who changed it; someone who moved out
//! or died no longer offered in new reports but keeping every record; a
//! death offering to be reported.

use crate::helpers::*;
use candour_domain::role::Role;

/// The version field on the register page.
async fn version_on(c: &Client, page: &str) -> anyhow::Result<String> {
    let html = c.text(page).await?;
    let at = html
        .find("name=\"version\" value=\"")
        .ok_or_else(|| anyhow::anyhow!("no version on {page}"))?
        + "name=\"version\" value=\"".len();
    Ok(html[at..].split('"').next().unwrap_or("").to_owned())
}

fn details<'a>(name: &'a str, room: &'a str, nhs: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("display_name", name),
        ("preferred_name", ""),
        ("date_of_birth", "1938-04-21"),
        ("nhs_number", nhs),
        ("room", room),
        ("funding", "local_authority"),
    ]
}

db_test!(
    a_registered_manager_keeps_a_persons_details_and_status_true_with_their_history,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let manager = app
            .signed_in(app.world.email(Role::RegisteredManager))
            .await?;
        let id = app.world.person.to_string();
        let page = format!("/people/{id}/register");
        let shown = manager.text(&format!("/people/{id}")).await?;
        assert!(shown.contains(&format!("href=\"{page}\"")), "{shown}");

        // A wrong NHS number and an unknown funding: each named, nothing saved.
        let v = version_on(&manager, &page).await?;
        let mut bad = details("Edna Hargreaves", "Room 14", "943 476 5918");
        bad.push(("version", &v));
        bad[5] = ("funding", "lottery");
        let resp = manager
            .submit(&page, &format!("/people/{id}/details"), &bad)
            .await?;
        assert_eq!(resp.status(), 422);
        let html = resp.text().await?;
        assert!(
            html.contains("href=\"#nhs_number\"") && html.contains("href=\"#funding\""),
            "{html}"
        );

        let mut good = details("Edna Hargreaves", "Room 14", "943 476 5919");
        good.push(("version", &v));
        let resp = manager
            .submit(&page, &format!("/people/{id}/details"), &good)
            .await?;
        assert_eq!(resp.status(), 303);
        // The same form again, made on the older version: refused, naming who.
        let resp = manager
            .submit(&page, &format!("/people/{id}/details"), &good)
            .await?;
        assert_eq!(resp.status(), 409);
        let manager_name = app
            .actor(app.world.email(Role::RegisteredManager))
            .await?
            .display_name;
        let html = resp.text().await?;
        assert!(
            html.contains(&manager_name) && html.contains("changed"),
            "{html}"
        );

        // In hospital: still offered when reporting, with where they are.
        let v = version_on(&manager, &page).await?;
        let resp = manager
            .submit(
                &page,
                &format!("/people/{id}/status"),
                &[
                    ("status", "in_hospital"),
                    ("since", "2026-11-22"),
                    ("version", &v),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 303);
        let worker = app.signed_in(app.world.email(Role::CareWorker)).await?;
        let form = worker
            .text(&format!(
                "/incidents/new?service={}&kind=incident&category=fall",
                app.world.service.service_id
            ))
            .await?;
        assert!(form.contains("(in hospital)"), "{form}");
        // A date in the future is refused.
        let v = version_on(&manager, &page).await?;
        let resp = manager
            .submit(
                &page,
                &format!("/people/{id}/status"),
                &[("status", "left"), ("since", "2026-12-25"), ("version", &v)],
            )
            .await?;
        assert_eq!(resp.status(), 422);
        // Moved out: no longer offered, their page and records stay.
        let resp = manager
            .submit(
                &page,
                &format!("/people/{id}/status"),
                &[("status", "left"), ("since", "2026-11-23"), ("version", &v)],
            )
            .await?;
        assert_eq!(resp.status(), 303);
        let form = worker
            .text(&format!(
                "/incidents/new?service={}&kind=incident&category=fall",
                app.world.service.service_id
            ))
            .await?;
        assert!(!form.contains(&format!("value=\"{id}\"")), "{form}");
        assert_eq!(manager.get(&format!("/people/{id}")).await?.status(), 200);

        let history = manager.text(&page).await?;
        for want in [
            "Room: Room 4 → Room 14",
            "Funding: (none) → Local authority",
            "Status: In hospital → Moved out",
            "Since: 22 Nov 2026 → 23 Nov 2026",
            manager_name.as_str(),
            "Before changes were kept",
        ] {
            assert!(history.contains(want), "{want}: {history}");
        }
        let events = app
            .ctx
            .store
            .audit_for_record(app.world.org, "person", &id)
            .await?;
        let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
        assert!(
            actions.contains(&"person.changed") && actions.contains(&"person.status_recorded"),
            "{actions:?}"
        );
        // Nobody outside the service's management changes them.
        let page_other = format!("/people/{}/register", app.world.other_person);
        assert_eq!(manager.get(&page_other).await?.status(), 403);
        assert_eq!(worker.get(&page).await?.status(), 403);
        Ok(())
    }
);

db_test!(
    recording_a_death_offers_to_report_it_when_no_report_names_it,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let manager = app
            .signed_in(app.world.email(Role::RegisteredManager))
            .await?;
        let id = app.world.person.to_string();
        let page = format!("/people/{id}/register");
        let v = version_on(&manager, &page).await?;
        let resp = manager
            .submit(
                &page,
                &format!("/people/{id}/status"),
                &[
                    ("status", "deceased"),
                    ("since", "2026-11-23"),
                    ("version", &v),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 303);
        let to = location_of(&resp);
        assert!(to.ends_with("done=died"), "{to}");
        let shown = manager.text(&to).await?.replace("&#38;", "&");
        let link = format!(
            "/incidents/new?service={}&kind=incident&category=death&person={id}",
            app.world.service.service_id
        );
        assert!(shown.contains(&link), "{shown}");
        // The report form opens with the death category and them ticked.
        let form = manager.text(&link).await?;
        assert!(
            form.contains(&format!("value=\"{id}\" checked"))
                || form.contains(&format!("value=\"{id}\" selected")),
            "the person is chosen: {form}"
        );
        Ok(())
    }
);

/// Sends `body` to `path` with `method`, a token and an optional If-Match.
async fn api_send(
    app: &TestApp,
    token: &str,
    (method, path): (reqwest::Method, &str),
    if_match: Option<&str>,
    body: &serde_json::Value,
) -> anyhow::Result<reqwest::Response> {
    let mut req = reqwest::Client::new()
        .request(method, format!("{}{path}", app.base))
        .bearer_auth(token)
        .json(body);
    if let Some(v) = if_match {
        req = req.header("if-match", v);
    }
    Ok(req.send().await?)
}

db_test!(
    a_care_records_system_keeps_the_register_in_step_through_the_api,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let token = token_for(&app, app.world.email(Role::RegisteredManager)).await?;
        let service = app.world.service.service_id.to_string();
        let added = api_post(
            &app,
            &token,
            "/api/v1/people",
            &serde_json::json!({"service_id": service, "display_name": "Arthur Penrose", "nhs_number": "943 476 5919", "start_date": "2026-11-01"}),
        )
        .await?;
        assert_eq!(added.status(), 201);
        let etag = added
            .headers()
            .get("etag")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        assert_eq!(etag, "\"1\"");
        let person: serde_json::Value = added.json().await?;
        let id = person["person_id"].as_str().unwrap_or("").to_owned();
        assert_eq!(person["status"], "active");
        let path = format!("/api/v1/people/{id}");

        // A change must say which version it was made on.
        let patch = serde_json::json!({"room": "Room 9", "funding": "self_funded"});
        let none = api_send(&app, &token, (reqwest::Method::PATCH, &path), None, &patch).await?;
        assert_eq!(none.status(), 428);
        let changed = api_send(
            &app,
            &token,
            (reqwest::Method::PATCH, &path),
            Some(&etag),
            &patch,
        )
        .await?;
        assert_eq!(changed.status(), 200);
        let changed: serde_json::Value = changed.json().await?;
        assert_eq!(changed["room"], "Room 9");
        assert_eq!(changed["nhs_number"], "9434765919", "fields left out stay");
        assert_eq!(changed["version"], 2);
        // The same change again on the old version: 412, naming who.
        let again = api_send(
            &app,
            &token,
            (reqwest::Method::PATCH, &path),
            Some(&etag),
            &serde_json::json!({"room": "Room 10"}),
        )
        .await?;
        assert_eq!(again.status(), 412);
        let problem: serde_json::Value = again.json().await?;
        let manager = app.actor(app.world.email(Role::RegisteredManager)).await?;
        assert!(
            problem["detail"]
                .as_str()
                .unwrap_or("")
                .contains(&manager.display_name),
            "{problem}"
        );
        let bad = api_send(
            &app,
            &token,
            (reqwest::Method::PATCH, &path),
            Some("\"2\""),
            &serde_json::json!({"nhs_number": "943 476 5918"}),
        )
        .await?;
        assert_eq!(bad.status(), 422);
        let bad: serde_json::Value = bad.json().await?;
        assert_eq!(bad["errors"][0]["field"], "nhs_number", "{bad}");

        // On leave, then listed by status.
        let status = api_send(
            &app,
            &token,
            (reqwest::Method::POST, &format!("{path}/status")),
            Some("\"2\""),
            &serde_json::json!({"status": "on_leave", "since": "2026-11-20"}),
        )
        .await?;
        assert_eq!(status.status(), 200);
        let status: serde_json::Value = status.json().await?;
        assert_eq!(status["person"]["status"], "on_leave");
        assert_eq!(status["offer_death_report"], false);
        let listed: serde_json::Value = api_get(&app, &token, "/api/v1/people?status=on_leave")
            .await?
            .json()
            .await?;
        let ids: Vec<&str> = listed["items"]
            .as_array()
            .map(|a| a.iter().filter_map(|p| p["person_id"].as_str()).collect())
            .unwrap_or_default();
        assert_eq!(ids, [id.as_str()]);
        // Scoped as the pages are: not another service's register.
        let other = format!(
            "/api/v1/people?service={}",
            app.world.other_service.service_id
        );
        assert_eq!(api_get(&app, &token, &other).await?.status(), 403);
        assert_eq!(
            api_get(
                &app,
                &token,
                &format!("/api/v1/people/{}", app.world.other_person)
            )
            .await?
            .status(),
            403
        );
        let worker = token_for(&app, app.world.email(Role::CareWorker)).await?;
        assert_eq!(
            api_send(
                &app,
                &worker,
                (reqwest::Method::PATCH, &path),
                Some("\"3\""),
                &patch
            )
            .await?
            .status(),
            403
        );
        Ok(())
    }
);

db_test!(
    the_people_list_pages_through_everyone_with_a_cursor,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let token = token_for(&app, app.world.email(Role::RegisteredManager)).await?;
        let manager = app.actor(app.world.email(Role::RegisteredManager)).await?;
        for n in 0..205 {
            let draft = candour_domain::person::PersonDraft {
                display_name: format!("Person {n:03}"),
                start_date: "2026-11-01".into(),
                ..Default::default()
            };
            candour::actions::people::add_person(
                &app.ctx,
                &manager,
                app.world.service.service_id,
                &draft,
            )
            .await
            .map_err(fail)?;
        }
        let first: serde_json::Value = api_get(&app, &token, "/api/v1/people")
            .await?
            .json()
            .await?;
        assert_eq!(first["items"].as_array().map(Vec::len), Some(200));
        let cursor = first["next_cursor"].as_str().unwrap_or("").to_owned();
        assert!(!cursor.is_empty());
        let second: serde_json::Value =
            api_get(&app, &token, &format!("/api/v1/people?cursor={cursor}"))
                .await?
                .json()
                .await?;
        // 205 added and the one seeded in the manager's service.
        assert_eq!(second["items"].as_array().map(Vec::len), Some(6));
        assert!(second["next_cursor"].is_null());
        let bad = api_get(&app, &token, "/api/v1/people?cursor=nonsense").await?;
        assert_eq!(bad.status(), 400);
        Ok(())
    }
);
