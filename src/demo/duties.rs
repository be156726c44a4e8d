//! Statutory duties for the demo's investigated falls, recorded through the
//! actions layer as a manager would: the GP's opinion makes a CQC serious
//! injury notification and the duty of candour required; the notification
//! is submitted with CQC's reference; in the finished case the family were
//! told in person and written to, in the other the letter is still to send.

use crate::actions::duties::update_assessment;
use crate::actions::duty_tasks::record_step;
use crate::actions::{Actor, Ctx};
use candour_domain::duties::Duty;
use candour_domain::duty_tasks::StepDraft;
use candour_domain::incident::{IncidentReference, london};
use serde_json::json;

fn fail(e: crate::actions::ActionError) -> anyhow::Error {
    anyhow::anyhow!("demo duties: {e}")
}

/// What is known of an injury a GP judged serious, in a fall at work that
/// no work factor caused: a CQC serious injury notification and the duty of
/// candour follow; RIDDOR does not.
pub(super) fn serious_injury_facts(
    gp_at: jiff::Timestamp,
    not_work_related_because: &str,
) -> serde_json::Map<String, serde_json::Value> {
    let facts = json!({
        "person_type": "service_user",
        "died": false,
        "unintended_or_unexpected": true,
        "abuse_alleged": false,
        "police_involved": false,
        "hcp_opinion": {"name": "Dr Amara Okafor", "role": "GP", "given_at": gp_at.to_string(),
                        "outcomes": ["body_structure_change", "treatment_needed_to_prevent"]},
        "accident": true,
        "work_related": false,
        "work_related_rationale": not_work_related_because,
    });
    match facts {
        serde_json::Value::Object(m) => m,
        _ => serde_json::Map::new(),
    }
}

/// A step `hours` after the fall, no later than now.
fn when(ctx: &Ctx, occurred: jiff::Timestamp, hours: i64) -> (String, String) {
    let at = occurred
        .checked_add(jiff::SignedDuration::from_hours(hours))
        .unwrap_or(occurred)
        .min(ctx.clock.now());
    let z = at.to_zoned(london());
    (z.date().to_string(), z.time().strftime("%H:%M").to_string())
}

/// Records the duties of the fall `r`; `finished` also closes the candour steps.
pub(super) async fn record(
    ctx: &Ctx,
    manager: &Actor,
    r: IncidentReference,
    finished: bool,
) -> anyhow::Result<()> {
    let Some(incident) = ctx
        .store
        .incident_by_reference(manager.organisation_id, r)
        .await?
    else {
        return Ok(());
    };
    let occurred = incident.occurred_at;
    let gp_at = occurred
        .checked_add(jiff::SignedDuration::from_hours(5))
        .unwrap_or(occurred)
        .min(ctx.clock.now());
    let facts = serious_injury_facts(
        gp_at,
        "Her falls risk assessment was current and the plan in place; no equipment, environment or staffing factor contributed.",
    );
    update_assessment(ctx, manager, r, &facts, 0)
        .await
        .map_err(fail)?;
    let (date, time) = when(ctx, occurred, 20);
    let step = |kind: &str, date: String, time: String| StepDraft {
        kind: kind.to_owned(),
        date,
        time,
        ..StepDraft::default()
    };
    record_step(
        ctx,
        manager,
        r,
        Duty::CqcSeriousInjuryNotification,
        &StepDraft {
            method: "online".to_owned(),
            reference: format!("ENQ1-{:08}", 20_261_000 + r.0),
            ..step("submitted", date.clone(), time.clone())
        },
    )
    .await
    .map_err(fail)?;
    if !finished {
        return Ok(());
    }
    let (date, time) = when(ctx, occurred, 26);
    record_step(
        ctx,
        manager,
        r,
        Duty::DutyOfCandour,
        &StepDraft {
            whom: "Her son, who holds lasting power of attorney".to_owned(),
            text: "She got up in the night, the sensor mat did not alarm, and she fell by her \
                bed. The GP found a broken hip and she went to hospital."
                .to_owned(),
            apology: "We are very sorry that this happened to your mother while in our care."
                .to_owned(),
            enquiries: "We are investigating why the mat did not alarm and how night checks \
                are done, and will share what we find."
                .to_owned(),
            support: "The deputy manager is your named contact.".to_owned(),
            ..step("in_person", date, time)
        },
    )
    .await
    .map_err(fail)?;
    let task = crate::actions::duty_tasks::duty_task(ctx, manager, r, Duty::DutyOfCandour)
        .await
        .map_err(fail)?;
    let (date, time) = when(ctx, occurred, 72);
    record_step(
        ctx,
        manager,
        r,
        Duty::DutyOfCandour,
        &StepDraft {
            whom: "Her son".to_owned(),
            text: task.letter.unwrap_or_default(),
            ..step("written", date, time)
        },
    )
    .await
    .map_err(fail)?;
    Ok(())
}
