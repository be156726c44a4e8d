//! Serious incident investigations for the demo, made through the actions
//! layer as managers would make them: in the first service, one under way
//! (a meeting, a timeline and factors, findings still to write); in the
//! second, one completed with its findings, the family's questions and a
//! safety action. Each investigates the most recent open fall with the worst
//! harm in its service.

use crate::actions::improvement::{From, add_action};
use crate::actions::investigations::{
    add_event, add_factor, add_meeting, complete, investigators, open_investigation, save_findings,
    show_investigation,
};
use crate::actions::sessions::actor_for;
use crate::actions::{Actor, Ctx};
use crate::store::incidents::IncidentFilter;
use crate::store::organisations::Service;
use candour_domain::ids::{OrganisationId, UserId};
use candour_domain::improvement::ActionDraft;
use candour_domain::incident::{Category, IncidentReference, IncidentStatus, london};
use candour_domain::investigation::{
    EventDraft, FactorDraft, FindingsDraft, MeetingDraft, OpeningDraft, investigation_reference,
};
use candour_domain::triage::PhysicalHarm;

fn fail(e: crate::actions::ActionError) -> anyhow::Error {
    anyhow::anyhow!("demo investigation: {e}")
}

/// The open fall with the worst physical harm, most recent first, if any
/// was triaged and none of its duties or investigation is yet recorded.
async fn worst_open_fall(
    ctx: &Ctx,
    org: OrganisationId,
    service: &Service,
) -> anyhow::Result<Option<IncidentReference>> {
    let filter = IncidentFilter {
        category: Some(Category::Fall),
        ..IncidentFilter::default()
    };
    let list = ctx
        .store
        .incidents_in_services(org, &[service.service_id], &filter, None, 200)
        .await?;
    let rank = |h: PhysicalHarm| PhysicalHarm::ALL.iter().position(|x| *x == h);
    let mut best: Option<(Option<usize>, IncidentReference)> = None;
    for s in list.iter().filter(|s| {
        matches!(
            s.status,
            IncidentStatus::Triaged | IncidentStatus::UnderReview | IncidentStatus::AwaitingSignOff
        )
    }) {
        let Some(i) = ctx.store.incident_by_reference(org, s.reference).await? else {
            continue;
        };
        let Some(g) = i.grading else { continue };
        // At scale, the history may already have assessed or investigated it.
        if ctx.store.assessment(i.incident_id).await?.1 > 0
            || ctx
                .store
                .incident_investigation(i.incident_id)
                .await?
                .is_some()
        {
            continue;
        }
        let harm = rank(g.physical_harm);
        if best.as_ref().is_none_or(|(h, _)| harm > *h) {
            best = Some((harm, s.reference));
        }
    }
    Ok(best.map(|(_, r)| r))
}

/// Opens an investigation of `r` led by someone other than the manager,
/// with a meeting, a timeline and two factors. Returns its reference.
async fn open_with_work(
    ctx: &Ctx,
    manager: &Actor,
    service: &Service,
    r: IncidentReference,
) -> anyhow::Result<String> {
    let lead = investigators(ctx, service)
        .await
        .map_err(fail)?
        .into_iter()
        .find(|(id, _)| *id != manager.user_id)
        .map_or(manager.user_id, |(id, _)| id);
    let number = open_investigation(
        ctx,
        manager,
        r,
        &OpeningDraft {
            lead: lead.to_string(),
            terms_of_reference:
                "How the fall happened and why it was not prevented: the falls risk \
                assessment and its review, night checks, the sensor equipment and how staff were \
                deployed. Out of scope: the hospital's care after admission. The family asked why \
                no one heard her call."
                    .to_owned(),
        },
    )
    .await
    .map_err(fail)?;
    let reference = investigation_reference(number);
    let incident = ctx
        .store
        .incident_by_reference(manager.organisation_id, r)
        .await?
        .ok_or_else(|| anyhow::anyhow!("demo investigation: {r} vanished"))?;
    let happened = incident.occurred_at.to_zoned(london());
    let today = ctx.clock.now().to_zoned(london()).date();
    let held_on = happened.date().tomorrow().unwrap_or(today).min(today);
    add_meeting(
        ctx,
        manager,
        &reference,
        &MeetingDraft {
            held_on: held_on.to_string(),
            attendees: vec![
                (
                    manager.display_name.clone(),
                    "Registered manager, chair".to_owned(),
                ),
                ("Gemma Holt".to_owned(), "Night senior carer".to_owned()),
                (
                    "Ravi Menon".to_owned(),
                    "Community physiotherapist".to_owned(),
                ),
                ("Lucy Adeyemi".to_owned(), "Falls lead".to_owned()),
            ],
            discussion: "Went through the night log, the falls risk assessment and the sensor \
                mat's test record. The mat was found unplugged after the fall."
                .to_owned(),
            decisions: "Statements from the night team by Friday; the maintenance log for the \
                mat; invite her son to give his account."
                .to_owned(),
        },
    )
    .await
    .map_err(fail)?;
    let earlier = happened
        .checked_sub(jiff::Span::new().hours(3))
        .unwrap_or_else(|_| happened.clone());
    for (at, what, source) in [
        (
            &earlier,
            "Settled in bed after the evening medicines; sensor mat in place.",
            "Night log",
        ),
        (
            &happened,
            "Found on the floor beside the bed; the sensor mat had not alarmed.",
            "Incident report",
        ),
    ] {
        add_event(
            ctx,
            manager,
            &reference,
            &EventDraft {
                date: at.date().to_string(),
                time: at.time().strftime("%H:%M").to_string(),
                what: what.to_owned(),
                source: source.to_owned(),
            },
        )
        .await
        .map_err(fail)?;
    }
    for (factor, note) in [
        (
            "seips.tools",
            "The sensor mat's plug sits where the cleaning round knocks it out.",
        ),
        (
            "ycff.workload",
            "One of three night staff was on a hospital escort for two hours.",
        ),
    ] {
        add_factor(
            ctx,
            manager,
            &reference,
            &FactorDraft {
                factor: factor.to_owned(),
                note: note.to_owned(),
                evidence: "Night log, rota and maintenance records".to_owned(),
            },
        )
        .await
        .map_err(fail)?;
    }
    Ok(reference)
}

/// Adds the demo's investigations. Returns how many it opened.
pub(super) async fn investigations(
    ctx: &Ctx,
    org: OrganisationId,
    services: &[Service],
    managers: &[UserId],
) -> anyhow::Result<usize> {
    let mut opened = 0;
    for (ix, (service, manager)) in services.iter().zip(managers).take(2).enumerate() {
        let Some(r) = worst_open_fall(ctx, org, service).await? else {
            continue;
        };
        let manager = actor_for(ctx, *manager).await.map_err(fail)?;
        let reference = open_with_work(ctx, &manager, service, r).await?;
        super::duties::record(ctx, &manager, r, ix == 1).await?;
        opened += 1;
        if ix == 0 {
            continue;
        }
        // The second is finished: findings, the family's part, an action, done.
        let v = show_investigation(ctx, &manager, &reference)
            .await
            .map_err(fail)?;
        save_findings(
            ctx,
            &manager,
            &reference,
            &FindingsDraft {
                findings: "The mat did not alarm because its plug had been knocked out during the \
                    evening clean, and nothing in the night checks asked staff to test it. With one \
                    carer away on an escort, the two-hourly check was late."
                    .to_owned(),
                family_questions: "Why did no one hear her? Will the mat be checked from now on?"
                    .to_owned(),
                family_account: "Her son said she often gets up to use the toilet at night and \
                    would not think to call."
                    .to_owned(),
            },
            v.record.version,
        )
        .await
        .map_err(fail)?;
        let due = ctx
            .clock
            .now()
            .to_zoned(london())
            .date()
            .checked_add(jiff::Span::new().days(28))?;
        add_action(
            ctx,
            &manager,
            From::Investigation(v.record.number),
            &ActionDraft {
                title: "Test every sensor mat at the start of each night shift".to_owned(),
                description: "The night senior tests each mat and records it on the shift sheet; \
                    the deputy manager audits the sheets weekly for a month."
                    .to_owned(),
                owner: manager.user_id.to_string(),
                due_on: due.to_string(),
                themes: vec!["equipment".to_owned()],
                in_plan: true,
            },
        )
        .await
        .map_err(fail)?;
        let v = show_investigation(ctx, &manager, &reference)
            .await
            .map_err(fail)?;
        complete(ctx, &manager, &reference, v.record.version)
            .await
            .map_err(fail)?;
    }
    Ok(opened)
}
