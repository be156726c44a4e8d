//! Drafts: a report interrupted by care is not lost. Saved with a button
//! (no script) or as the reporter types (script), private to the writer,
//! never overwritten by an older save, and gone once the report is sent.

use crate::helpers::*;
use candour_domain::role::Role;
use serde_json::Value;

async fn form_fields(c: &Client, app: &TestApp) -> anyhow::Result<Vec<(String, String)>> {
    let token = c.csrf("/incidents/new").await?;
    Ok(vec![
        ("csrf_token".into(), token),
        (
            "service_id".into(),
            app.world.service.service_id.to_string(),
        ),
        ("kind".into(), "incident".into()),
        ("category".into(), "fall".into()),
        ("seen".into(), "found_on_floor".into()),
        ("occurred_date".into(), "2026-11-23".into()),
        ("occurred_time".into(), "09:00".into()),
        (
            "description".into(),
            "Found on the floor of her room by the".into(),
        ),
        ("idempotency_key".into(), "draft-key-1".into()),
    ])
}

async fn post(
    c: &Client,
    path: &str,
    fields: &[(String, String)],
    autosave: bool,
) -> anyhow::Result<reqwest::Response> {
    let mut req = c.http.post(format!("{}{path}", c.base)).form(fields);
    if autosave {
        req = req.header("x-candour-autosave", "1");
    }
    Ok(req.send().await?)
}

fn set(fields: &mut Vec<(String, String)>, name: &str, value: &str) {
    fields.retain(|(k, _)| k != name);
    fields.push((name.to_owned(), value.to_owned()));
}

db_test!(
    a_draft_saved_with_the_button_comes_back_whole_and_goes_when_sent,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let worker = app.signed_in(app.world.email(Role::CareWorker)).await?;
        let mut fields = form_fields(&worker, &app).await?;
        set(&mut fields, "save_draft", "1");
        let resp = post(&worker, "/incidents/drafts", &fields, false).await?;
        assert_eq!(resp.status(), 303);
        let back = resp.headers()["location"].to_str()?.to_owned();
        assert!(back.starts_with("/incidents/new?draft="), "{back}");
        let page = worker.get(&back).await?.text().await?;
        assert!(page.contains("Saved as a draft at 09:30"));
        assert!(page.contains("Found on the floor of her room by the"));
        assert!(
            page.contains("value=\"found_on_floor\" checked"),
            "the fall answers are kept"
        );
        assert!(
            page.contains("value=\"draft-key-1\""),
            "the same idempotency key"
        );

        let mine = worker.get("/my-reports").await?.text().await?;
        assert!(mine.contains("Carry on: Incident: Fall at Alder House"));
        let other = app.signed_in(app.world.email(Role::SeniorCarer)).await?;
        assert_eq!(other.get(&back).await?.status(), 404, "drafts are private");
        assert!(
            !other
                .get("/my-reports")
                .await?
                .text()
                .await?
                .contains("Carry on")
        );

        // Finish and send it: the draft goes in the same transaction.
        let draft_id = back
            .split("draft=")
            .nth(1)
            .unwrap()
            .split('&')
            .next()
            .unwrap();
        let mut fields = form_fields(&worker, &app).await?;
        set(&mut fields, "draft_id", draft_id);
        set(&mut fields, "head_struck", "no");
        set(&mut fields, "anticoagulant", "not_known");
        set(
            &mut fields,
            "immediate_actions",
            "Checked and helped up with the hoist.",
        );
        let resp = post(&worker, "/incidents", &fields, false).await?;
        assert_eq!(resp.status(), 303, "{}", resp.text().await?);
        let mine = worker.get("/my-reports").await?.text().await?;
        assert!(!mine.contains("Carry on"), "the draft is gone");
        assert!(mine.contains("INC-000001"));
        Ok(())
    }
);

db_test!(
    autosave_never_overwrites_a_newer_save_and_never_revives_a_sent_draft,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let worker = app.signed_in(app.world.email(Role::CareWorker)).await?;
        let mut fields = form_fields(&worker, &app).await?;
        let first: Value = post(&worker, "/incidents/drafts", &fields, true)
            .await?
            .json()
            .await?;
        assert_eq!(first["version"], 1);
        assert_eq!(first["saved_at"], "09:30");
        let id = first["draft_id"].as_str().unwrap().to_owned();
        set(&mut fields, "draft_id", &id);
        set(&mut fields, "draft_version", "1");
        set(
            &mut fields,
            "description",
            "Found on the floor of her room by the bed.",
        );
        let second: Value = post(&worker, "/incidents/drafts", &fields, true)
            .await?
            .json()
            .await?;
        assert_eq!(
            (second["draft_id"].as_str(), second["version"].as_i64()),
            (Some(id.as_str()), Some(2))
        );

        // A second window still at version 1 may not overwrite version 2.
        set(&mut fields, "description", "An older text");
        let stale = post(&worker, "/incidents/drafts", &fields, true).await?;
        assert_eq!(stale.status(), 409);
        let body: Value = stale.json().await?;
        assert!(
            body["problem"]
                .as_str()
                .unwrap()
                .contains("another window at 09:30")
        );
        // Without script, the older window's text is kept as a new draft.
        let resp = post(&worker, "/incidents/drafts", &fields, false).await?;
        assert!(resp.headers()["location"].to_str()?.ends_with("saved=copy"));
        let mine = worker.get("/my-reports").await?.text().await?;
        assert_eq!(mine.matches("Carry on:").count(), 2, "both kept");
        let page = worker
            .get(&format!("/incidents/new?draft={id}"))
            .await?
            .text()
            .await?;
        assert!(page.contains("by the bed."), "the newer save is intact");

        // Deleted: a late autosave does not bring it back.
        let csrf = worker.csrf("/my-reports").await?;
        let resp = worker
            .post_form(
                &format!("/incidents/drafts/{id}/delete"),
                &[("csrf_token", &csrf)],
            )
            .await?;
        assert_eq!(resp.status(), 303);
        set(&mut fields, "draft_version", "2");
        let late = post(&worker, "/incidents/drafts", &fields, true).await?;
        assert_eq!(late.status(), 410);
        let mine = worker.get("/my-reports").await?.text().await?;
        assert_eq!(mine.matches("Carry on:").count(), 1);
        Ok(())
    }
);

db_test!(someone_who_cannot_report_cannot_keep_drafts, |engine| {
    let app = TestApp::spawn(engine).await?;
    let board = app.signed_in(app.world.email(Role::BoardMember)).await?;
    let csrf = board.csrf("/my-reports").await?;
    let resp = board
        .post_form(
            "/incidents/drafts",
            &[("csrf_token", &csrf), ("description", "x")],
        )
        .await?;
    assert_eq!(resp.status(), 403);
    Ok(())
});
