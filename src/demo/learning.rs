//! The demo's learning, recorded through the actions layer as people would:
//! two safety alerts (one done and signed off, one under way), lessons
//! shared with the first service from them, and last month's lessons-learned
//! meeting with its attendance, minutes and an action.

use crate::actions::alerts::{StepDraft, add_alert_action, finish_alert_action, log_alert, record};
use crate::actions::improvement::{From, add_action};
use crate::actions::lessons::publish_lesson;
use crate::actions::meetings::{add_attendee, arrange, publish_minutes, save_record};
use crate::actions::sessions::actor_for;
use crate::actions::{Actor, Ctx};
use crate::store::meetings::Attendee;
use crate::store::organisations::Service;
use candour_domain::alerts::AlertDraft;
use candour_domain::ids::{OrganisationId, UserId};
use candour_domain::improvement::ActionDraft;
use candour_domain::incident::london;
use candour_domain::lessons::LessonDraft;
use candour_domain::meetings::MeetingDraft;
use candour_domain::role::Role;
use jiff::Span;

fn fail(e: crate::actions::ActionError) -> anyhow::Error {
    anyhow::anyhow!("demo learning: {e}")
}

async fn step(
    ctx: &Ctx,
    who: &Actor,
    id: uuid::Uuid,
    version: i64,
    d: StepDraft,
) -> anyhow::Result<()> {
    record(ctx, who, (id, version), &d).await.map_err(fail)
}

/// Records the demo's alerts, lessons and meeting for the first service.
pub(super) async fn record_learning(
    ctx: &Ctx,
    org: OrganisationId,
    services: &[Service],
    managers: &[UserId],
) -> anyhow::Result<()> {
    let (Some(service), Some(manager)) = (services.first(), managers.first()) else {
        return Ok(());
    };
    let manager = actor_for(ctx, *manager).await.map_err(fail)?;
    let head = match ctx
        .store
        .staff_with_grants(org)
        .await?
        .into_iter()
        .find(|(_, _, g)| g.iter().any(|g| g.role == Role::HeadOfOperations))
    {
        Some((id, _, _)) => actor_for(ctx, id).await.map_err(fail)?,
        None => return Ok(()),
    };
    let today = ctx.clock.now().to_zoned(london()).date();
    let day = |days: i64| today.saturating_sub(Span::new().days(days)).to_string();

    // An alert acted on, completed and signed off.
    let done = log_alert(
        ctx,
        &head,
        &AlertDraft {
            reference: "NatPSA/2026/002/DHSC".into(),
            title: "Bed rails: risk of entrapment in older rails".into(),
            kind: "natpsa".into(),
            issued_on: day(40),
            received_on: day(39),
            deadline: day(10),
            summary: "Measure every bed rail gap against the limits in the alert; replace rails that fail.".into(),
        },
    )
    .await
    .map_err(fail)?;
    let decide = |relevant: &str, text: &str| StepDraft {
        step: "decide".into(),
        relevant: relevant.into(),
        text: text.into(),
        owner: manager.user_id.to_string(),
        ..StepDraft::default()
    };
    let plain = |s: &str, text: &str, on: String| StepDraft {
        step: s.into(),
        text: text.into(),
        on,
        ..StepDraft::default()
    };
    step(ctx, &head, done, 1, plain("acknowledge", "", String::new())).await?;
    step(
        ctx,
        &head,
        done,
        2,
        decide("yes", "Every home uses bed rails for some residents"),
    )
    .await?;
    add_alert_action(
        ctx,
        &manager,
        done,
        (
            "Measure every bed rail gap",
            &manager.user_id.to_string(),
            &day(12),
        ),
    )
    .await
    .map_err(fail)?;
    if let Some(a) = ctx.store.alert_actions(done).await?.first() {
        finish_alert_action(ctx, &manager, (done, a.action_id))
            .await
            .map_err(fail)?;
    }
    step(
        ctx,
        &manager,
        done,
        3,
        plain(
            "staff_told",
            "At handovers, and by a lesson to read",
            day(20),
        ),
    )
    .await?;
    step(
        ctx,
        &manager,
        done,
        4,
        plain(
            "complete",
            "Gaps measured on 38 rails; 2 replaced",
            String::new(),
        ),
    )
    .await?;
    step(
        ctx,
        &head,
        done,
        5,
        plain(
            "sign_off",
            "Measurements checked at the quality visit",
            String::new(),
        ),
    )
    .await?;

    // An alert still under way.
    let open = log_alert(
        ctx,
        &head,
        &AlertDraft {
            reference: "MHRA DSI/2026/017".into(),
            title: "Air mattress pumps: alarms that may not sound".into(),
            kind: "mhra_device".into(),
            issued_on: day(6),
            received_on: day(5),
            deadline: today.saturating_add(Span::new().days(21)).to_string(),
            summary:
                "Check the model and serial numbers of every air mattress pump and test the alarm."
                    .into(),
        },
    )
    .await
    .map_err(fail)?;
    step(ctx, &head, open, 1, plain("acknowledge", "", String::new())).await?;
    step(
        ctx,
        &head,
        open,
        2,
        decide("yes", "Three homes use pumps of the models named"),
    )
    .await?;

    // Lessons shared with the first service.
    let scope = format!("service:{}", service.service_id);
    for (title, happened, learned, changed, reference) in [
        (
            "Bed rail gaps are measured, not judged by eye",
            "A national alert named rails like ours; two failed the measurement.",
            "Rails that looked fine were outside the limits.",
            "Maintenance measures every rail each quarter and after every bed move.",
            "NatPSA/2026/002/DHSC",
        ),
        (
            "Sensor mats are checked after cleaning",
            "A resident fell at night; the sensor mat had been unplugged when the room was cleaned.",
            "Cleaning routines unplug mats, and nobody checked them afterwards.",
            "Night staff check every mat on the first round; housekeeping plugs them back in.",
            "",
        ),
    ] {
        publish_lesson(
            ctx,
            &manager,
            &LessonDraft {
                title: title.into(),
                what_happened: happened.into(),
                what_we_learned: learned.into(),
                what_we_changed: changed.into(),
                scope: scope.clone(),
                source: if reference.is_empty() {
                    "meeting"
                } else {
                    "guidance"
                }
                .into(),
                source_ref: reference.into(),
            },
        )
        .await
        .map_err(fail)?;
    }

    // Last month's meeting, held and minuted.
    let meeting = arrange(
        ctx,
        &manager,
        service.service_id,
        &MeetingDraft {
            kind: "monthly".into(),
            date: day(14),
            time: "14:00".into(),
            location: "The quiet lounge, and on Teams".into(),
            chair: manager.display_name.clone(),
            incident: String::new(),
        },
    )
    .await
    .map_err(fail)?;
    for (name, role, how) in [
        (
            manager.display_name.as_str(),
            "Registered manager",
            "in_person",
        ),
        ("Night senior", "Senior carer", "in_person"),
        ("Visiting GP", "GP", "online"),
        ("Housekeeping lead", "Housekeeper", "apologies"),
    ] {
        add_attendee(
            ctx,
            &manager,
            meeting,
            &Attendee {
                name: name.into(),
                role: role.into(),
                attendance: how.into(),
            },
        )
        .await
        .map_err(fail)?;
    }
    let agenda = crate::actions::meetings::meeting_view(ctx, &manager, meeting)
        .await
        .map_err(fail)?
        .meeting
        .agenda;
    save_record(
        ctx,
        &manager,
        (meeting, 1),
        (
            &agenda,
            "Falls at night are the largest group this month. Two were linked to sensor mats left unplugged after cleaning. The bed rail alert is on track.",
            "Night staff check sensor mats on the first round. Housekeeping plug mats back in after cleaning.",
        ),
    )
    .await
    .map_err(fail)?;
    let owner = crate::actions::incidents::staff_of_service(ctx, service)
        .await
        .map_err(fail)?
        .into_iter()
        .map(|(id, _)| id)
        .next()
        .unwrap_or(manager.user_id);
    add_action(
        ctx,
        &manager,
        From::Meeting(meeting),
        &ActionDraft {
            title: "Add sensor mats to the night checklist".into(),
            description: "On the checklist and signed each night; checked weekly by the manager"
                .into(),
            owner: owner.to_string(),
            due_on: today.saturating_add(Span::new().days(14)).to_string(),
            themes: vec![],
            in_plan: true,
        },
    )
    .await
    .map_err(fail)?;
    publish_minutes(ctx, &manager, (meeting, 2))
        .await
        .map_err(fail)?;
    Ok(())
}
