//! Subject access: everything held about a person using a service (from
//! their page, the API and the command line) or a member of staff, as a ZIP
//! of JSON, CSV, their files and a readable PDF, with other people redacted,
//! never a secret, and audited.

use crate::helpers::*;
use candour::actions::incidents::report_incident;
use candour_domain::incident::ReportDraft;
use candour_domain::role::Role;
use std::io::Read;

const PHOTO: &[u8] = &[
    0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, b'I', b'H', b'D', b'R', 1, 2,
];

/// The files of a ZIP by name.
fn unzip(bytes: &[u8]) -> anyhow::Result<std::collections::BTreeMap<String, Vec<u8>>> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes))?;
    let mut out = std::collections::BTreeMap::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i)?;
        let mut b = Vec::new();
        f.read_to_end(&mut b)?;
        out.insert(f.name()?.to_string(), b);
    }
    Ok(out)
}

/// Edna's fall, which another resident saw, with a photo of her heel.
/// Asks the API for everything held about the test world's person.
async fn export_person(app: &TestApp, token: &str) -> anyhow::Result<reqwest::Response> {
    Ok(reqwest::Client::new()
        .post(format!(
            "{}/api/v1/people/{}/subject-access",
            app.base, app.world.person
        ))
        .bearer_auth(token)
        .send()
        .await?)
}

async fn ednas_fall(app: &TestApp) -> anyhow::Result<()> {
    let worker = app.actor(app.world.email(Role::CareWorker)).await?;
    let draft = ReportDraft {
        kind: "incident".into(),
        category: "fall".into(),
        details: fall_details(),
        service_id: app.world.service.service_id.to_string(),
        occurred_at: "2026-11-23T07:15:00Z".into(),
        description: "Edna Test slipped by the bed; Arthur Test saw her go down.".into(),
        immediate_actions: "Checked for injury".into(),
        affected_person_ids: vec![app.world.person.to_string()],
        ..ReportDraft::default()
    };
    let r = report_incident(&app.ctx, &worker, &draft)
        .await
        .map_err(fail)?;
    candour::actions::attachments::add_attachment(
        &app.ctx,
        &worker,
        r.reference,
        "heel.png",
        PHOTO,
        1 << 20,
    )
    .await
    .map_err(fail)?;
    Ok(())
}

fn check_person_export(files: &std::collections::BTreeMap<String, Vec<u8>>) -> anyhow::Result<()> {
    let incidents: serde_json::Value = serde_json::from_slice(&files["incident.json"])?;
    let text = incidents[0]["description"].as_str().unwrap_or_default();
    assert_eq!(
        text, "Edna Test slipped by the bed; [another person] saw her go down.",
        "her own name stays, another resident's goes"
    );
    assert_eq!(incidents[0]["reference_number"], "INC-000001");
    assert_eq!(
        incidents[0]["reported_by"], "Care worker",
        "staff are named"
    );
    let person: serde_json::Value = serde_json::from_slice(&files["person.json"])?;
    assert_eq!(person[0]["internal_code"], "P-000001");
    assert_eq!(person[0]["nhs_number"], "9434765919");
    assert!(
        String::from_utf8_lossy(&files["incident.csv"])
            .starts_with("reference_number,kind,category,")
    );
    assert_eq!(
        files["attachments/INC-000001/heel.png"], PHOTO,
        "her photo, as sent"
    );
    let everything = String::from_utf8_lossy(&files["everything.json"]);
    for never in ["Arthur", "password", "token_hash", "$argon2"] {
        assert!(!everything.contains(never), "{never} is in the export");
    }
    if let Some((text, _)) = read_pdf(&files["index.pdf"])? {
        assert!(text.contains("Subject access: P-000001"), "{text}");
        assert!(text.contains("incident.json, incident.csv"));
        assert!(!text.contains("Arthur"));
    }
    Ok(())
}

db_test!(
    a_registered_manager_downloads_everything_held_about_a_person_from_their_page,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        ednas_fall(&app).await?;
        let rm = app
            .signed_in(app.world.email(Role::RegisteredManager))
            .await?;
        let path = format!("/people/{}", app.world.person);
        let page = rm.text(&path).await?;
        assert!(page.contains("Download everything held about P-000001"));
        let csrf = csrf_in(&page).unwrap();
        let resp = rm
            .post_form(&format!("{path}/subject-access"), &[("csrf_token", &csrf)])
            .await?;
        assert_eq!(resp.status(), 200);
        assert_eq!(resp.headers()["content-type"], "application/zip");
        assert!(
            resp.headers()["content-disposition"]
                .to_str()?
                .contains("subject-access-P-000001-2026-11-23.zip")
        );
        check_person_export(&unzip(&resp.bytes().await?)?)?;
        let trail = app
            .ctx
            .store
            .audit_for_record(app.world.org, "person", &app.world.person.to_string())
            .await?;
        assert!(
            trail
                .iter()
                .any(|e| e.action == "person.subject_access_exported")
        );

        // Not for a care worker, and not across organisations.
        let worker = app.signed_in(app.world.email(Role::CareWorker)).await?;
        let page = worker.text(&path).await?;
        assert!(!page.contains("Download everything held"));
        let csrf = csrf_in(&page).unwrap_or_default();
        let resp = worker
            .post_form(&format!("{path}/subject-access"), &[("csrf_token", &csrf)])
            .await?;
        assert_eq!(resp.status(), 403);
        let token_b = token_for(&app, &app.world.user_b).await?;
        let resp = export_person(&app, &token_b).await?;
        assert_eq!(resp.status(), 404);
        Ok(())
    }
);

db_test!(
    the_api_and_the_command_line_make_the_same_export,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        ednas_fall(&app).await?;
        let token = token_for(&app, app.world.email(Role::RegisteredManager)).await?;
        let resp = export_person(&app, &token).await?;
        assert_eq!(resp.status(), 200);
        check_person_export(&unzip(&resp.bytes().await?)?)?;

        let dir = tempfile::tempdir()?;
        let out = dir.path().join("edna.zip");
        let run = std::process::Command::new(env!("CARGO_BIN_EXE_candour"))
            .args([
                "subject-access",
                "--database",
                &app._db.url,
                "--person",
                "P-000001",
            ])
            .args(["--organisation", "Organisation A", "--out"])
            .arg(&out)
            .output()?;
        let said = String::from_utf8_lossy(&run.stdout).into_owned()
            + &String::from_utf8_lossy(&run.stderr);
        assert!(run.status.success(), "{said}");
        check_person_export(&unzip(&std::fs::read(&out)?)?)?;
        let again = std::process::Command::new(env!("CARGO_BIN_EXE_candour"))
            .args([
                "subject-access",
                "--database",
                &app._db.url,
                "--person",
                "P-000001",
            ])
            .args(["--organisation", "Organisation A", "--out"])
            .arg(&out)
            .output()?;
        assert!(
            !again.status.success(),
            "an earlier export is never overwritten"
        );
        Ok(())
    }
);

db_test!(
    an_administrator_exports_what_is_held_about_a_member_of_staff,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        ednas_fall(&app).await?;
        let worker = app.actor(app.world.email(Role::CareWorker)).await?;
        let admin = token_for(&app, app.world.email(Role::Administrator)).await?;
        let url = format!(
            "{}/api/v1/users/{}/subject-access",
            app.base, worker.user_id
        );
        let resp = reqwest::Client::new()
            .post(&url)
            .bearer_auth(&admin)
            .send()
            .await?;
        assert_eq!(resp.status(), 200);
        let files = unzip(&resp.bytes().await?)?;
        let me: serde_json::Value = serde_json::from_slice(&files["app_user.json"])?;
        assert_eq!(me[0]["email"], app.world.email(Role::CareWorker));
        let reported: serde_json::Value =
            serde_json::from_slice(&files["incident_reported_by.json"])?;
        let text = reported[0]["description"].as_str().unwrap_or_default();
        assert!(
            !text.contains("Edna") && !text.contains("Arthur"),
            "people using the service are not named: {text}"
        );
        let everything = String::from_utf8_lossy(&files["everything.json"]);
        assert!(!everything.contains("$argon2"), "no password hash");
        assert!(files.contains_key("index.pdf"));
        // A registered manager does not manage users.
        let rm = token_for(&app, app.world.email(Role::RegisteredManager)).await?;
        let resp = reqwest::Client::new()
            .post(&url)
            .bearer_auth(&rm)
            .send()
            .await?;
        assert_eq!(resp.status(), 403);
        let trail = app
            .ctx
            .store
            .audit_for_record(app.world.org, "user", &worker.user_id.to_string())
            .await?;
        assert!(
            trail
                .iter()
                .any(|e| e.action == "user.subject_access_exported")
        );
        Ok(())
    }
);

db_test!(
    two_photos_with_one_name_and_text_no_font_can_show_still_export,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        ednas_fall(&app).await?;
        let worker = app.actor(app.world.email(Role::CareWorker)).await?;
        let reference = candour_domain::incident::IncidentReference::parse("INC-000001").unwrap();
        candour::actions::attachments::add_attachment(
            &app.ctx,
            &worker,
            reference,
            "heel.png",
            PHOTO,
            1 << 20,
        )
        .await
        .map_err(fail)?;
        candour::actions::addenda::add_to_report(
            &app.ctx,
            &worker,
            reference,
            candour_domain::incident::AddendumKind::Addendum,
            None,
            "She smiled \u{1F600} after; pasted text \u{8b}\u{db39d} came with it.",
        )
        .await
        .map_err(fail)?;
        let token = token_for(&app, app.world.email(Role::RegisteredManager)).await?;
        let resp = export_person(&app, &token).await?;
        assert_eq!(resp.status(), 200);
        let files = unzip(&resp.bytes().await?)?;
        assert_eq!(files["attachments/INC-000001/heel.png"], PHOTO);
        assert_eq!(files["attachments/INC-000001/heel (2).png"], PHOTO);
        let addenda = String::from_utf8_lossy(&files["incident_addendum.json"]).into_owned();
        assert!(
            addenda.contains('\u{1F600}'),
            "the data keeps what was typed"
        );
        assert!(files["index.pdf"].starts_with(b"%PDF-"));
        Ok(())
    }
);
