//! Lessons-learned meetings: the urgent meeting Candour proposes, the
//! agenda that builds itself, attendance, minutes, actions into the plan,
//! and published minutes that no longer change.

use crate::helpers::*;
use candour_domain::role::Role;

db_test!(
    a_severe_fall_proposes_an_urgent_meeting_with_its_agenda_built,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        // Monday 23 Nov 2026: graded severe today, so the meeting is due by Monday 30th.
        let r = serious_fall(&app).await?;
        let manager = app
            .signed_in(app.world.email(Role::RegisteredManager))
            .await?;
        let home = manager.text("/").await?;
        assert!(
            home.contains("Urgent lessons-learned meetings to arrange (1)"),
            "{home}"
        );
        let list = manager.text("/meetings").await?;
        assert_ids_unique(&list);
        assert!(
            list.contains("Hold it by") && list.contains("30 Nov 2026"),
            "{list}"
        );
        assert!(list.contains("Fall: severe harm"));
        let service = app.world.service.service_id.to_string();
        let arrange = format!("/meetings/new?service={service}&#38;kind=urgent&#38;incident={r}");
        assert!(list.contains(&arrange), "{list}");

        let form = manager
            .text(&format!(
                "/meetings/new?service={service}&kind=urgent&incident={r}"
            ))
            .await?;
        assert_ids_unique(&form);
        let csrf = csrf_in(&form).unwrap();
        let reference = r.to_string();
        let fields = |date: &'static str, time: &'static str, incident: &str| {
            vec![
                ("csrf_token", csrf.clone()),
                ("service", service.clone()),
                ("kind", "urgent".to_owned()),
                ("date", date.to_owned()),
                ("time", time.to_owned()),
                ("location", "The quiet lounge".to_owned()),
                ("chair", "Registered manager".to_owned()),
                ("incident", incident.to_owned()),
            ]
        };
        let post = |f: Vec<(&'static str, String)>| {
            let m = &manager;
            async move {
                let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
                m.post_form("/meetings", &pairs).await
            }
        };
        let resp = post(fields("next week", "2pm", "")).await?;
        assert_eq!(resp.status(), 422);
        let body = resp.text().await?;
        for f in ["date", "time", "incident"] {
            assert!(body.contains(&format!("href=\"#{f}\"")), "{f}: {body}");
        }
        let resp = post(fields("2026-11-25", "14:00", "INC-000999")).await?;
        assert_eq!(resp.status(), 422);
        assert!(
            resp.text()
                .await?
                .contains("No incident at Alder House has that reference")
        );

        let resp = post(fields("2026-11-25", "14:00", &reference)).await?;
        assert_eq!(resp.status(), 303);
        let at = location_of(&resp);
        let page = manager.text(&at).await?;
        assert_ids_unique(&page);
        assert!(page.contains("Urgent lessons-learned meeting"));
        assert!(page.contains("25 Nov 2026, 14:00"), "{page}");
        assert!(
            page.contains("2. The incident this urgent meeting is about"),
            "{page}"
        );
        assert!(page.contains(&format!("   - {reference}: Fall, reported 23 Nov 2026")));
        assert!(page.contains("Fall: 1 incident, 0 near misses"));
        assert!(
            !manager
                .text("/meetings")
                .await?
                .contains("Urgent meetings to arrange")
        );

        // Not yet: it has not started, no one attended, no minutes.
        let csrf = csrf_in(&page).unwrap();
        let resp = manager
            .post_form(
                &format!("{at}/publish"),
                &[("csrf_token", &csrf), ("version", "1")],
            )
            .await?;
        assert_eq!(resp.status(), 409);
        let body = resp.text().await?;
        assert!(
            body.contains("The meeting has not started yet")
                && body.contains("Record who attended")
        );

        let resp = manager
            .post_form(
                &format!("{at}/attendees"),
                &[("csrf_token", &csrf), ("name", "Sam Okafor"), ("role", "")],
            )
            .await?;
        assert_eq!(resp.status(), 422);
        let body = resp.text().await?;
        assert!(body.contains("href=\"#attendee_role\"") && body.contains("href=\"#attendance\""));
        for (name, role, how) in [
            ("Sam Okafor", "Senior carer", "in_person"),
            ("Dr Patel", "GP", "online"),
            ("Jo Reed", "Night carer", "apologies"),
        ] {
            let resp = manager
                .post_form(
                    &format!("{at}/attendees"),
                    &[
                        ("csrf_token", &csrf),
                        ("name", name),
                        ("role", role),
                        ("attendance", how),
                    ],
                )
                .await?;
            assert_eq!(resp.status(), 303);
        }
        let agenda = "1. The fall\n2. Night checks";
        let resp = manager
            .post_form(
                &format!("{at}/record"),
                &[
                    ("csrf_token", &csrf),
                    ("version", "1"),
                    ("agenda", agenda),
                    ("minutes", "Sensor mat was unplugged after cleaning."),
                    ("decisions", "Mats checked on every night round."),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 303);
        // A stale save names who changed it.
        let resp = manager
            .post_form(
                &format!("{at}/record"),
                &[
                    ("csrf_token", &csrf),
                    ("version", "1"),
                    ("agenda", "x"),
                    ("minutes", ""),
                    ("decisions", ""),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 409);
        assert!(
            resp.text()
                .await?
                .contains("Registered manager changed this meeting at 23 Nov 2026, 09:30")
        );

        // An action agreed goes into the service's improvement plan.
        let owner = app
            .actor(app.world.email(Role::SeniorCarer))
            .await?
            .user_id
            .to_string();
        let resp = manager
            .post_form(
                &format!("{at}/actions"),
                &[
                    ("csrf_token", &csrf),
                    ("title", "Check sensor mats on every night round"),
                    (
                        "action_description",
                        "Signed on the night checklist; audited weekly",
                    ),
                    ("owner", &owner),
                    ("due_on", "2026-12-07"),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 303, "{}", resp.text().await?);
        let plan = app
            .ctx
            .store
            .service_actions(app.world.org, app.world.service.service_id)
            .await?;
        assert!(
            plan.iter()
                .any(|a| a.title == "Check sensor mats on every night round" && a.in_plan)
        );
        let page = manager.text(&at).await?;
        assert!(page.contains("Check sensor mats on every night round"));
        assert!(page.contains("Sent apologies"));

        // After it has begun, the minutes are published and fixed.
        app.clock.advance(2 * 24 * 3_600 + 6 * 3_600);
        let manager = app
            .signed_in(app.world.email(Role::RegisteredManager))
            .await?;
        let page = manager.text(&at).await?;
        let csrf = csrf_in(&page).unwrap();
        let resp = manager
            .post_form(
                &format!("{at}/publish"),
                &[("csrf_token", &csrf), ("version", "2")],
            )
            .await?;
        assert_eq!(resp.status(), 303);
        let page = manager.text(&at).await?;
        assert!(
            page.contains("Published by Registered manager on 25 Nov 2026, 15:30"),
            "{page}"
        );
        assert!(page.contains("Mats checked on every night round."));
        assert!(!page.contains("Publish the minutes"));
        let resp = manager
            .post_form(
                &format!("{at}/record"),
                &[
                    ("csrf_token", &csrf),
                    ("version", "3"),
                    ("agenda", "x"),
                    ("minutes", "y"),
                    ("decisions", ""),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 409);
        assert!(resp.text().await?.contains("no longer change"));
        let id = at.trim_start_matches("/meetings/");
        let actions: Vec<String> = app
            .ctx
            .store
            .audit_for_record(app.world.org, "learning_meeting", id)
            .await?
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert_eq!(
            actions,
            [
                "meeting.arranged",
                "meeting.attendee_added",
                "meeting.attendee_added",
                "meeting.attendee_added",
                "meeting.record_saved",
                "meeting.minutes_published"
            ]
        );

        // A care worker does not see meetings; another organisation cannot find them.
        let worker = app.signed_in(app.world.email(Role::CareWorker)).await?;
        assert_eq!(worker.get(&at).await?.status(), 404);
        let stranger = app.signed_in(&app.world.user_b).await?;
        assert_eq!(stranger.get(&at).await?.status(), 404);
        Ok(())
    }
);

db_test!(
    the_monthly_agenda_gathers_the_period_since_the_last_meeting,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let minor = minor_fall(&app, "Slipped on the wet floor").await?;
        let manager = app.actor(app.world.email(Role::RegisteredManager)).await?;
        wet_floor_lesson_read(&app, minor).await?;
        let draft = candour_domain::meetings::MeetingDraft {
            kind: "monthly".into(),
            date: "2026-11-30".into(),
            time: "10:00".into(),
            location: "Office".into(),
            chair: "Registered manager".into(),
            incident: String::new(),
        };
        let id = candour::actions::meetings::arrange(
            &app.ctx,
            &manager,
            app.world.service.service_id,
            &draft,
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        let v = candour::actions::meetings::meeting_view(&app.ctx, &manager, id)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let agenda = &v.meeting.agenda;
        assert!(
            agenda.contains("Incidents and near misses since 24 Oct 2026"),
            "{agenda}"
        );
        assert!(agenda.contains("   - Fall: 1 incident, 0 near misses\n"));
        assert!(
            agenda.contains("5. Lessons shared\n   - Wet floor signs\n"),
            "{agenda}"
        );
        assert!(agenda.contains("   - None overdue.\n"));
        assert!(
            agenda.contains("6. External guidance and safety alerts\n   - None received.\n"),
            "{agenda}"
        );
        assert!(!agenda.contains("urgent meeting is about"));
        // A worker in the service cannot arrange one.
        let worker = app.actor(app.world.email(Role::CareWorker)).await?;
        let refused = candour::actions::meetings::arrange(
            &app.ctx,
            &worker,
            app.world.service.service_id,
            &draft,
        )
        .await;
        assert!(refused.is_err());
        Ok(())
    }
);

db_test!(
    a_meeting_for_a_group_of_services_covers_them_all,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        minor_fall(&app, "Slipped on the wet floor").await?;
        // A fall at Birch House too.
        birch_fall(&app).await?;
        let web = app
            .signed_in(app.world.email(Role::HeadOfOperations))
            .await?;
        let form = web.text("/meetings/new").await?;
        assert_ids_unique(&form);
        assert!(
            form.contains("Held with other services (optional)"),
            "{form}"
        );
        let csrf = csrf_in(&form).unwrap();
        let alder = app.world.service.service_id.to_string();
        let birch = app.world.other_service.service_id.to_string();
        let resp = web
            .post_form(
                "/meetings",
                &[
                    ("csrf_token", &csrf),
                    ("service", &alder),
                    ("also", &birch),
                    ("kind", "monthly"),
                    ("date", "2026-11-30"),
                    ("time", "14:00"),
                    ("location", "Teams"),
                    ("chair", "Head of operations"),
                    ("incident", ""),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 303);
        let at = resp.headers()["location"].to_str()?.to_owned();
        let page = web.text(&at).await?;
        assert!(page.contains("Alder House and Birch House"), "{page}");
        assert!(
            page.contains("   - Fall: 2 incidents, 0 near misses"),
            "the agenda counts both services: {page}"
        );
        // Each service's manager sees it; a worker of another organisation does not.
        let manager = app
            .signed_in(app.world.email(Role::RegisteredManager))
            .await?;
        assert!(
            manager
                .text("/meetings")
                .await?
                .contains("Alder House and Birch House")
        );
        assert_eq!(manager.get(&at).await?.status(), 200);
        let id: uuid::Uuid = at.trim_start_matches("/meetings/").parse()?;
        let birch_meetings = app
            .ctx
            .store
            .learning_meetings(app.world.org, app.world.other_service.service_id)
            .await?;
        assert!(birch_meetings.iter().any(|m| m.meeting_id == id));
        // A manager cannot bring in a service whose incidents they do not triage.
        let csrf = csrf_in(&manager.text("/meetings/new").await?).unwrap();
        let refused = manager
            .post_form(
                "/meetings",
                &[
                    ("csrf_token", &csrf),
                    ("service", &alder),
                    ("also", &birch),
                    ("kind", "monthly"),
                    ("date", "2026-11-30"),
                    ("time", "14:00"),
                    ("location", "Office"),
                    ("chair", "Registered manager"),
                    ("incident", ""),
                ],
            )
            .await?;
        assert_eq!(refused.status(), 422);
        assert!(
            refused
                .text()
                .await?
                .contains("only with services whose incidents you triage")
        );
        Ok(())
    }
);

db_test!(
    the_meetings_list_shows_the_newest_fifty_and_pages_back_through_the_rest,
    |engine| {
        use candour::store::meetings::{NewMeetingRow, insert_meeting, insert_meeting_services};
        use candour_domain::meetings::MeetingKind;
        let app = TestApp::spawn(engine).await?;
        let w = &app.world;
        let by = app
            .ctx
            .store
            .user_by_email(w.email(Role::HeadOfOperations))
            .await?
            .unwrap()
            .user_id;
        // 54 meetings a day apart, alternating between the two services; the
        // newest is held by both. Two start at the same minute, so the page
        // turns on the id too. One is another organisation's.
        let newest = start_time() - jiff::SignedDuration::from_hours(1);
        let mut ids = Vec::new();
        let mut birch_held = Vec::new();
        let mut tx = app.ctx.store.begin().await?;
        for n in 0..54_i64 {
            let id = uuid::Uuid::now_v7();
            let service = if n % 2 == 0 {
                &w.service
            } else {
                &w.other_service
            };
            let starts_at = newest - jiff::SignedDuration::from_hours(24 * n.min(52));
            let row = NewMeetingRow {
                meeting_id: id,
                at: (w.org, service.service_id),
                kind: MeetingKind::Monthly,
                starts_at,
                place_and_chair: ("Office", "Registered manager"),
                incident: None,
                period_from: starts_at - jiff::SignedDuration::from_hours(24 * 30),
                agenda: "Agenda",
            };
            insert_meeting(&mut tx, &row, (by, 0)).await?;
            if n == 0 {
                insert_meeting_services(&mut tx, id, &[w.other_service.service_id]).await?;
            }
            if n == 0 || n % 2 == 1 {
                birch_held.push(id);
            }
            ids.push((starts_at, id));
        }
        let foreign = uuid::Uuid::now_v7();
        let row = NewMeetingRow {
            meeting_id: foreign,
            at: (w.org_b, w.service_b.service_id),
            kind: MeetingKind::Monthly,
            starts_at: newest,
            place_and_chair: ("Elsewhere", "Someone else"),
            incident: None,
            period_from: newest,
            agenda: "Agenda",
        };
        insert_meeting(&mut tx, &row, (by, 0)).await?;
        tx.commit().await?;
        // Newest first, ties broken by the later id.
        ids.sort_by_key(|(at, id)| std::cmp::Reverse((*at, *id)));

        let web = app.signed_in(w.email(Role::HeadOfOperations)).await?;
        let first = web.text("/meetings").await?;
        assert_ids_unique(&first);
        let shown = |html: &str| -> Vec<uuid::Uuid> {
            html.split("<a href=\"/meetings/")
                .skip(1)
                .filter_map(|s| s.split('"').next())
                .filter_map(|s| s.parse().ok())
                .collect()
        };
        let expected: Vec<uuid::Uuid> = ids.iter().map(|(_, id)| *id).collect();
        assert_eq!(shown(&first), expected[..50].to_vec());
        assert!(!first.contains(&foreign.to_string()));
        assert_eq!(
            first.matches("Alder House and Birch House").count(),
            1,
            "the group meeting once, named after both"
        );
        assert!(!first.contains("Back to the newest meetings"));
        let older = first
            .split("<a href=\"/meetings?after=")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .map(|s| format!("/meetings?after={s}"))
            .expect("a link to older meetings");
        assert!(first.contains(">Older meetings</a>"));
        let second = web.text(&older).await?;
        assert_ids_unique(&second);
        assert_eq!(shown(&second), expected[50..].to_vec());
        assert!(!second.contains("Older meetings"));
        assert!(second.contains("Back to the newest meetings"));

        // Birch House's manager sees only Birch House's meetings and the group's.
        let birch = app
            .ctx
            .store
            .learning_meetings_page(w.org, &[w.other_service.service_id], None, 100)
            .await?;
        let birch_ids: Vec<uuid::Uuid> = birch.iter().map(|m| m.meeting_id).collect();
        let expected_birch: Vec<uuid::Uuid> = ids
            .iter()
            .filter(|(_, id)| birch_held.contains(id))
            .map(|(_, id)| *id)
            .collect();
        assert_eq!(birch_ids, expected_birch);
        assert_eq!(birch_ids.len(), 28, "27 of its own and the group's");

        let bad = web.get("/meetings?after=yesterday").await?;
        assert_eq!(bad.status(), 400);
        assert!(bad.text().await?.contains("The after parameter"));
        Ok(())
    }
);
