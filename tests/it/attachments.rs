//! Photos and documents on a report: judged by content, limited in size,
//! stored in the database, and served only as downloads to readers.

use crate::helpers::*;
use candour::actions::incidents::report_incident;
use candour_domain::incident::ReportDraft;
use candour_domain::role::Role;

const PNG: &[u8] = &[
    0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, b'I', b'H', b'D', b'R',
];

async fn reported(app: &TestApp) -> anyhow::Result<()> {
    let worker = app.actor(app.world.email(Role::CareWorker)).await?;
    let draft = ReportDraft {
        kind: "incident".into(),
        category: "pressure_ulcer".into(),
        service_id: app.world.service.service_id.to_string(),
        occurred_at: "2026-11-23T07:00:00Z".into(),
        description: "Red area on the left heel".into(),
        immediate_actions: "Heel offloaded".into(),
        ..ReportDraft::default()
    };
    report_incident(&app.ctx, &worker, &draft)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(())
}

async fn upload(
    c: &Client,
    name: &str,
    bytes: Vec<u8>,
    csrf: bool,
) -> anyhow::Result<reqwest::Response> {
    let token = c.csrf("/incidents/INC-000001").await?;
    let mut form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
    );
    if csrf {
        form = form.text("csrf_token", token);
    }
    Ok(c.http
        .post(format!("{}/incidents/INC-000001/attachments", c.base))
        .multipart(form)
        .send()
        .await?)
}

db_test!(a_photo_is_added_and_downloaded_exactly_as_sent, |engine| {
    let app = TestApp::spawn(engine).await?;
    reported(&app).await?;
    let worker = app.signed_in(app.world.email(Role::CareWorker)).await?;
    let resp = upload(&worker, "left heel.png", PNG.to_vec(), true).await?;
    assert_eq!(resp.status(), 303);
    let page = worker.get("/incidents/INC-000001").await?.text().await?;
    assert!(page.contains("left heel.png") && page.contains("PNG image, 1 KB"));
    let at = page.find("/incidents/INC-000001/attachments/").unwrap();
    let href: String = page[at..].chars().take_while(|c| *c != '"').collect();
    let manager = app
        .signed_in(app.world.email(Role::RegisteredManager))
        .await?;
    let file = manager.get(&href).await?;
    assert_eq!(file.status(), 200);
    assert_eq!(file.headers()["content-type"], "image/png");
    assert_eq!(
        file.headers()["content-disposition"],
        "attachment; filename=\"left heel.png\""
    );
    assert!(
        file.headers()["content-security-policy"]
            .to_str()?
            .starts_with("sandbox")
    );
    assert_eq!(file.headers()["x-content-type-options"], "nosniff");
    assert_eq!(file.bytes().await?.as_ref(), PNG);
    // Not for someone who may not see the report.
    let other = app.signed_in(&app.world.user_b).await?;
    assert_eq!(other.get(&href).await?.status(), 404);
    let events = app.ctx.store.audit_page(app.world.org, 0, 10_000).await?;
    let added = events
        .iter()
        .find(|e| e.action == "incident.attachment_added")
        .unwrap();
    assert!(
        added.details().unwrap_or_default().contains("\"sha256\"")
            && !added.details().unwrap_or_default().contains("IHDR"),
        "the audit keeps a hash, not the file"
    );
    Ok(())
});

db_test!(
    files_that_lie_carry_paths_or_are_not_accepted_types_are_refused_clearly,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        reported(&app).await?;
        let worker = app.signed_in(app.world.email(Role::CareWorker)).await?;
        let cases: [(&str, Vec<u8>, &str); 4] = [
            (
                "notes.pdf",
                PNG.to_vec(),
                "does not match what it contains (it is a PNG image)",
            ),
            ("../../etc/heel.png", PNG.to_vec(), "with no folders in it"),
            (
                "setup.png",
                b"MZ\x90\x00 a program".to_vec(),
                "Only photos (JPEG, PNG, WebP) and PDF documents",
            ),
            ("empty.png", Vec::new(), "Choose a file to add"),
        ];
        for (name, bytes, message) in cases {
            let resp = upload(&worker, name, bytes, true).await?;
            assert_eq!(resp.status(), 422, "{name}");
            assert!(resp.text().await?.contains(message), "{name}: {message}");
        }
        assert_eq!(
            upload(&worker, "heel.png", PNG.to_vec(), false)
                .await?
                .status(),
            403,
            "the form's CSRF token is checked"
        );
        assert!(
            app.ctx
                .store
                .attachments(
                    app.ctx
                        .store
                        .incident_by_reference(
                            app.world.org,
                            candour_domain::incident::IncidentReference(1)
                        )
                        .await?
                        .unwrap()
                        .incident_id
                )
                .await?
                .is_empty()
        );
        Ok(())
    }
);

db_test!(the_size_limit_is_a_setting_and_is_explained, |engine| {
    let app = TestApp::spawn_tuned(engine, |s| s.max_upload_bytes = 1024 * 1024).await?;
    reported(&app).await?;
    let c = Client {
        http: reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(0)
            .build()?,
        base: app.base.clone(),
    };
    assert_eq!(
        c.sign_in(app.world.email(Role::CareWorker), PASSWORD)
            .await?
            .status(),
        303
    );
    let mut just_over = PNG.to_vec();
    just_over.resize(1024 * 1024 + 10, 0);
    let resp = upload(&c, "big.png", just_over, true).await?;
    assert_eq!(resp.status(), 422);
    assert!(resp.text().await?.contains("The file is larger than 1 MB"));
    let mut far_over = PNG.to_vec();
    far_over.resize(3 * 1024 * 1024, 0);
    assert_eq!(upload(&c, "huge.png", far_over, true).await?.status(), 413);
    Ok(())
});

db_test!(
    attachments_through_the_api_beyond_the_ordinary_body_limit,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        reported(&app).await?;
        let user = app
            .ctx
            .store
            .user_by_email(app.world.email(Role::CareWorker))
            .await?
            .unwrap();
        let (_, token) =
            candour::actions::tokens::create_token(&app.ctx, user.user_id, "t", "test")
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
        let http = reqwest::Client::new();
        let mut photo = PNG.to_vec();
        photo.resize(2 * 1024 * 1024, 7);
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(photo.clone()).file_name("heel.png"),
        );
        let resp = http
            .post(format!(
                "{}/api/v1/incidents/INC-000001/attachments",
                app.base
            ))
            .bearer_auth(&token)
            .multipart(form)
            .send()
            .await?;
        assert_eq!(
            resp.status(),
            201,
            "2 MB is over the 1 MB body limit but within the upload limit"
        );
        let read: serde_json::Value = http
            .get(format!("{}/api/v1/incidents/INC-000001", app.base))
            .bearer_auth(&token)
            .send()
            .await?
            .json()
            .await?;
        let url = read["attachments"][0]["url"].as_str().unwrap().to_owned();
        assert_eq!(read["attachments"][0]["size_bytes"], 2 * 1024 * 1024);
        let file = http
            .get(format!("{}{url}", app.base))
            .bearer_auth(&token)
            .send()
            .await?;
        assert_eq!(file.headers()["content-disposition"], "attachment");
        assert_eq!(file.bytes().await?.as_ref(), photo.as_slice());
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(PNG.to_vec()).file_name("form.pdf"),
        );
        let resp = http
            .post(format!(
                "{}/api/v1/incidents/INC-000001/attachments",
                app.base
            ))
            .bearer_auth(&token)
            .multipart(form)
            .send()
            .await?;
        assert_eq!(resp.status(), 422);
        let p: serde_json::Value = resp.json().await?;
        assert_eq!(p["errors"][0]["pointer"], "/file");
        Ok(())
    }
);
