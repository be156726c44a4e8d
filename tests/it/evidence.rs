//! The CQC evidence pack: one ZIP for a service and a period, its index
//! mapping each file to Learning culture's subtopics, every register as
//! CSV and PDF, incidents sampled end to end, people by code (names in
//! free text too) unless the exporter chooses names and says why; audited.

use crate::helpers::*;
use candour_domain::role::Role;
use std::io::Read;

/// Alder House's autumn: a serious fall whose CQC notification and duty of
/// candour are required, with the family told and an action; a minor fall
/// whose report names Edna; a lesson read; a learning log; a meeting whose
/// published minutes name her; a safety alert. Ends on 25 Nov 2026, 12:00.
async fn an_autumn(app: &TestApp) -> anyhow::Result<()> {
    let serious = serious_injury(app).await?;
    let minor = minor_fall(app, "Edna Test slipped on the wet floor by the lounge").await?;
    let manager = app.actor(app.world.email(Role::RegisteredManager)).await?;
    let worker = app.actor(app.world.email(Role::CareWorker)).await?;
    candour::actions::openness::record_openness(
        &app.ctx,
        &manager,
        serious,
        &candour_domain::openness::OpennessDraft {
            told: "yes".into(),
            who: "Her son".into(),
            told_date: "2026-11-23".into(),
            told_time: "09:00".into(),
            how: "phone".into(),
            what: "She fell and broke her hip".into(),
            apology: "yes".into(),
            ..Default::default()
        },
    )
    .await
    .map_err(fail)?;
    candour::actions::improvement::add_action(
        &app.ctx,
        &manager,
        candour::actions::improvement::From::Incident(serious),
        &candour_domain::improvement::ActionDraft {
            title: "Test sensor mats at evening handover".into(),
            description: "Night staff test each mat at 21:00 and sign the sheet.".into(),
            owner: manager.user_id.to_string(),
            due_on: "2026-12-10".into(),
            in_plan: true,
            ..Default::default()
        },
    )
    .await
    .map_err(fail)?;
    wet_floor_lesson_read(app, minor).await?;
    candour::actions::learning::write_log(
        &app.ctx,
        &worker,
        app.world.person,
        &candour_domain::learning::LogDraft {
            activity: "Walking to the garden".into(),
            tried: "Walking with Edna Test after lunch instead of before".into(),
            worked: "Steadier after eating".into(),
            did_not_work: "Wet grass".into(),
            will_change: "Use the path".into(),
            changes_support: "yes".into(),
        },
    )
    .await
    .map_err(fail)?;
    let meeting = candour::actions::meetings::arrange(
        &app.ctx,
        &manager,
        app.world.service.service_id,
        &candour_domain::meetings::MeetingDraft {
            kind: "monthly".into(),
            date: "2026-11-24".into(),
            time: "10:00".into(),
            location: "Office".into(),
            chair: "Priya Shah".into(),
            incident: String::new(),
        },
    )
    .await
    .map_err(fail)?;
    candour::actions::meetings::add_attendee(
        &app.ctx,
        &manager,
        meeting,
        &candour::store::meetings::Attendee {
            name: "Tom Reed".into(),
            role: "Care worker".into(),
            attendance: "in_person".into(),
        },
    )
    .await
    .map_err(fail)?;
    candour::actions::meetings::save_record(
        &app.ctx,
        &manager,
        (meeting, 1),
        (
            "1. Falls",
            "Discussed Edna Test's fall and the sensor mats.",
            "Mats tested at every handover.",
        ),
    )
    .await
    .map_err(fail)?;
    let lead = app.actor(app.world.email(Role::HeadOfOperations)).await?;
    candour::actions::alerts::log_alert(
        &app.ctx,
        &lead,
        &candour_domain::alerts::AlertDraft {
            reference: "NatPSA/2026/004".into(),
            title: "Bed rails: risk of entrapment".into(),
            kind: "natpsa".into(),
            issued_on: "2026-11-20".into(),
            received_on: "2026-11-20".into(),
            deadline: "2026-12-20".into(),
            summary: String::new(),
        },
    )
    .await
    .map_err(fail)?;
    // Monday 23 Nov 09:30 → Wednesday 25 Nov 12:00: the meeting has been held.
    app.clock.advance(2 * 86_400 + 2 * 3600 + 30 * 60);
    candour::actions::meetings::publish_minutes(&app.ctx, &manager, (meeting, 2))
        .await
        .map_err(fail)?;
    Ok(())
}

/// The files of a ZIP, by name.
pub(crate) fn unzip(bytes: &[u8]) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))?;
    let mut out = Vec::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i)?;
        let mut data = Vec::new();
        f.read_to_end(&mut data)?;
        out.push((f.name()?.into_owned(), data));
    }
    Ok(out)
}

fn file<'a>(files: &'a [(String, Vec<u8>)], name: &str) -> &'a [u8] {
    files
        .iter()
        .find(|(n, _)| n == name)
        .map_or(&[][..], |(_, b)| b.as_slice())
}

fn text(files: &[(String, Vec<u8>)], name: &str) -> String {
    String::from_utf8_lossy(file(files, name)).into_owned()
}

/// A PDF's words on one line, or `None` without poppler.
fn pdf_words(files: &[(String, Vec<u8>)], name: &str) -> anyhow::Result<Option<String>> {
    Ok(read_pdf(file(files, name))?
        .map(|(t, _)| t.split_whitespace().collect::<Vec<_>>().join(" ")))
}

db_test!(
    the_manager_hands_the_inspector_a_pack_that_names_nobody,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        an_autumn(&app).await?;
        let web = app
            .signed_in(app.world.email(Role::RegisteredManager))
            .await?;
        let index = web.text("/reports").await?;
        assert!(index.contains("href=\"/evidence\""));
        let page = web.text("/evidence").await?;
        assert_ids_unique(&page);
        assert!(
            page.contains("value=\"2025-11-26\""),
            "the last twelve months"
        );
        let csrf = csrf_in(&page).unwrap();
        let service = app.world.service.service_id.to_string();
        let resp = web
            .post_form(
                "/evidence",
                &[
                    ("csrf_token", &csrf),
                    ("service", &service),
                    ("from", "2025-12-01"),
                    ("to", "2026-11-30"),
                    ("identify", "codes"),
                    ("reason", ""),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 200);
        assert_eq!(resp.headers()["content-type"], "application/zip");
        assert_eq!(
            resp.headers()["content-disposition"],
            "attachment; filename=\"candour-evidence-alder-house-2025-12-01-to-2026-11-25.zip\"",
            "the period ends today"
        );
        let files = unzip(&resp.bytes().await?)?;
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        let mut want = vec!["index.html", "index.pdf"];
        for r in [
            "incidents",
            "investigations",
            "improvement-plan",
            "safety-alerts",
            "notifications",
            "duty-of-candour",
            "meetings",
            "lessons",
            "lesson-acknowledgements",
            "learning-logs",
        ] {
            want.push(Box::leak(format!("{r}.csv").into_boxed_str()));
            want.push(Box::leak(format!("{r}.pdf").into_boxed_str()));
        }
        want.extend(["sample-end-to-end.pdf", "meeting-minutes.pdf"]);
        assert_eq!(names, want);

        // Nobody using the service is named, even where staff wrote a name.
        for (name, bytes) in &files {
            if name.ends_with(".csv") || name.ends_with(".html") {
                let t = String::from_utf8_lossy(bytes);
                assert!(!t.contains("Edna"), "Edna named in {name}: {t}");
            }
        }
        let incidents = text(&files, "incidents.csv");
        assert!(
            incidents.starts_with(
                "Reference,Kind,Category,Happened,Reported,Area,People affected,What happened,"
            ),
            "{incidents}"
        );
        assert!(incidents.contains("INC-000002,Incident,Fall,"));
        assert!(incidents.contains(",P-000001,P-000001 slipped on the wet floor by the lounge,"));
        let notifications = text(&files, "notifications.csv");
        assert!(
            notifications.contains(
                "INC-000001,CQC notification: serious injury,\"24 Nov 2026, 09:30\",,\"Overdue, not done\""
            ),
            "{notifications}"
        );
        assert!(
            !notifications.contains("INC-000002"),
            "the minor fall needs no notification"
        );
        let candour = text(&files, "duty-of-candour.csv");
        assert!(candour.contains("INC-000001,Duty of candour,"), "{candour}");
        assert!(candour.contains("23 Nov 2026, 09:00\",Yes"), "{candour}");
        assert!(
            text(&files, "improvement-plan.csv").contains("Test sensor mats at evening handover")
        );
        assert!(text(&files, "safety-alerts.csv").contains("NatPSA/2026/004"));
        assert!(
            text(&files, "meetings.csv").contains("Tom Reed (Care worker)"),
            "staff are named"
        );
        assert!(text(&files, "lessons.csv").contains("Wet floor signs"));
        assert!(
            text(&files, "lesson-acknowledgements.csv").contains("Wet floor signs,Care worker,")
        );
        assert!(
            text(&files, "learning-logs.csv")
                .contains("P-000001,Walking to the garden,Walking with P-000001 after lunch")
        );
        let html = text(&files, "index.html");
        for topic in [
            "Organisational learning and actions",
            "Continuous improvement",
            "Duty of candour",
        ] {
            assert!(html.contains(&format!("<h2>{topic}</h2>")), "{topic}");
        }
        assert!(html.contains("<a href=\"sample-end-to-end.pdf\">"));

        if let Some(index) = pdf_words(&files, "index.pdf")? {
            assert!(
                index.contains("Learning culture: evidence Alder House, 1 Dec 2025 to 25 Nov 2026"),
                "{index}"
            );
            assert!(index.contains("Organisational learning and actions"));
            assert!(index.contains("identified by their internal codes"));
            let sample = pdf_words(&files, "sample-end-to-end.pdf")?.unwrap_or_default();
            assert!(sample.contains("INC-000001: Fall"), "{sample}");
            assert!(sample.contains("Triaged"));
            assert!(sample.contains("ACT-000001"));
            assert!(
                sample.contains("The person or family were told on 23 Nov 2026, with an apology")
            );
            assert!(
                sample.contains("What happened: P-000001 slipped"),
                "{sample}"
            );
            let minutes = pdf_words(&files, "meeting-minutes.pdf")?.unwrap_or_default();
            assert!(minutes.contains("Discussed P-000001's fall"), "{minutes}");
            for (name, _) in files.iter().filter(|(n, _)| n.ends_with(".pdf")) {
                let words = pdf_words(&files, name)?.unwrap_or_default();
                assert!(!words.contains("Edna"), "Edna named in {name}");
            }
        }
        let events = app
            .ctx
            .store
            .audit_for_record(app.world.org, "evidence_pack", &service)
            .await?;
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].action, "evidence_pack.exported");
        let details = events[0].details().unwrap_or_default();
        assert!(details.contains("\"identify\":\"codes\""), "{details}");
        Ok(())
    }
);

db_test!(names_need_a_reason_and_the_choice_is_audited, |engine| {
    let app = TestApp::spawn(engine).await?;
    an_autumn(&app).await?;
    let web = app
        .signed_in(app.world.email(Role::RegisteredManager))
        .await?;
    let csrf = csrf_in(&web.text("/evidence").await?).unwrap();
    let service = app.world.service.service_id.to_string();
    let post = |fields: Vec<(&'static str, String)>| {
        let web = &web;
        let mut form = vec![("csrf_token", csrf.clone())];
        form.extend(fields);
        async move {
            let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            web.post_form("/evidence", &pairs).await
        }
    };
    let refused = post(vec![
        ("service", service.clone()),
        ("from", "2026-11-01".into()),
        ("to", "2026-10-01".into()),
        ("identify", "names".into()),
        ("reason", "".into()),
    ])
    .await?;
    assert_eq!(refused.status(), 422);
    let page = refused.text().await?;
    assert_ids_unique(&page);
    assert!(page.contains("href=\"#to\""), "{page}");
    assert!(page.contains("href=\"#reason\""));
    assert!(page.contains("The last day must be the same as or after the first day"));
    assert!(
        page.contains("value=\"names\" checked"),
        "what was typed is kept"
    );

    let named = post(vec![
        ("service", service.clone()),
        ("from", "2026-11-01".into()),
        ("to", "2026-11-30".into()),
        ("identify", "names".into()),
        ("reason", "The inspector asked to trace Edna's care".into()),
    ])
    .await?;
    assert_eq!(named.status(), 200);
    let files = unzip(&named.bytes().await?)?;
    let incidents = text(&files, "incidents.csv");
    assert!(
        incidents.contains(",Edna Test (P-000001),Edna Test slipped"),
        "{incidents}"
    );
    let events = app
        .ctx
        .store
        .audit_for_record(app.world.org, "evidence_pack", &service)
        .await?;
    assert_eq!(events.len(), 1, "the refused request made nothing");
    let details = events[0].details().unwrap_or_default();
    assert!(details.contains("\"identify\":\"names\""));
    assert!(details.contains("The inspector asked to trace Edna's care"));

    // Another region's service is refused, another organisation's not
    // found; a care worker has no pack.
    let regional = app
        .signed_in(app.world.email(Role::RegionalManager))
        .await?;
    let csrf = csrf_in(&regional.text("/evidence").await?).unwrap();
    for (other, status) in [
        (app.world.other_service.service_id.to_string(), 403),
        (app.world.service_b.service_id.to_string(), 404),
    ] {
        let resp = regional
            .post_form(
                "/evidence",
                &[
                    ("csrf_token", &csrf),
                    ("service", &other),
                    ("from", "2026-11-01"),
                    ("to", "2026-11-30"),
                    ("identify", "codes"),
                ],
            )
            .await?;
        assert_eq!(resp.status(), status, "{other}");
    }
    let worker = app.signed_in(app.world.email(Role::CareWorker)).await?;
    assert_eq!(worker.get("/evidence").await?.status(), 403);
    Ok(())
});
