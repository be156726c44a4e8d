//! Five years of a service's learning at scale, written in bulk beside its
//! incidents: each moderate or worse harm assessed for its duties, with the
//! CQC notification and the duty of candour done; one in three severe harms
//! investigated (finished once old enough); an improvement action a month
//! and one per investigation, done and checked for effect once past due; a
//! lessons-learned meeting each month with attendance and minutes; a lesson
//! a quarter acknowledged by most of the team. The same records the actions
//! layer makes, in the same shapes, so every page reads them as its own.

use super::rng::Rng;
use crate::store::Tx;
use crate::store::bulk::{Value, insert_rows};
use crate::store::counters::reserve_numbers;
use crate::store::incidents::IncidentInsert;
use crate::store::organisations::Service;
use candour_domain::duties::Duty;
use candour_domain::duty_tasks::{Method, Step};
use candour_domain::ids::{OrganisationId, UserId};
use candour_domain::incident::{Category, EventKind, london};
use candour_domain::meetings::{AgendaInputs, agenda};
use candour_domain::triage::PhysicalHarm;
use jiff::Timestamp;
use serde_json::json;
use std::collections::BTreeMap;

const DAY_MS: i64 = 86_400_000;
const HOUR_MS: i64 = 3_600_000;

/// Whose service it is and who works there.
pub(super) struct Team<'a> {
    /// The registered manager: id and name.
    pub(super) manager: (UserId, &'a str),
    /// The staff who report there: id and name.
    pub(super) staff: Vec<(UserId, &'a str)>,
}

/// How many of each record one service's history made.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(super) struct Made {
    pub(super) assessments: usize,
    pub(super) duty_steps: usize,
    pub(super) investigations: usize,
    pub(super) actions: usize,
    pub(super) meetings: usize,
    pub(super) lessons: usize,
    pub(super) acknowledgements: usize,
}

impl std::ops::AddAssign for Made {
    fn add_assign(&mut self, o: Made) {
        self.assessments += o.assessments;
        self.duty_steps += o.duty_steps;
        self.investigations += o.investigations;
        self.actions += o.actions;
        self.meetings += o.meetings;
        self.lessons += o.lessons;
        self.acknowledgements += o.acknowledgements;
    }
}

/// The rows of each table, gathered before one bulk insert per table.
#[derive(Default)]
struct Rows {
    assessments: Vec<Vec<Value>>,
    steps: Vec<Vec<Value>>,
    investigations: Vec<Vec<Value>>,
    actions: Vec<Vec<Value>>,
    action_incidents: Vec<Vec<Value>>,
    action_investigations: Vec<Vec<Value>>,
    meetings: Vec<Vec<Value>>,
    attendees: Vec<Vec<Value>>,
    meeting_actions: Vec<Vec<Value>>,
    lessons: Vec<Vec<Value>>,
    acknowledgements: Vec<Vec<Value>>,
}

/// An improvement action to make, numbered later.
struct PlannedAction {
    id: uuid::Uuid,
    title: String,
    description: &'static str,
    theme: &'static str,
    created_ms: i64,
}

fn at(ms: i64) -> Timestamp {
    Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH)
}

fn day_of(ms: i64) -> String {
    at(ms).to_zoned(london()).date().to_string()
}

fn uuid(rng: &mut Rng, ms: i64) -> Value {
    Value::from(rng.uuid(ms))
}

/// What to change after an incident of this category, and its CQC theme.
fn change_for(category: Category) -> (&'static str, &'static str, &'static str) {
    match category {
        Category::Fall => (
            "Review falls risk assessments and night checks",
            "Every resident's falls risk assessment reviewed, sensor mats tested at the start of each night shift, and checks recorded.",
            "risk_assessment",
        ),
        Category::Medication => (
            "Second check on the drug round for time-critical medicines",
            "A second member of staff checks time-critical medicines on every round for a month; the MAR audit repeated after it.",
            "documentation",
        ),
        Category::Equipment => (
            "Weekly checks of hoists and slings",
            "Each hoist and sling checked weekly and logged; faulty equipment labelled and taken out of use at once.",
            "equipment",
        ),
        _ => (
            "Refresher for the team on what went wrong",
            "A short refresher at handover for every shift, with a sign-off sheet kept by the deputy manager.",
            "training",
        ),
    }
}

/// The statutory duty work for a moderate or worse harm: the facts, the
/// CQC notification and the duty of candour, each as long after as a
/// prompt service would do it, none in the future.
fn duties(
    rows: &mut Rows,
    rng: &mut Rng,
    org: OrganisationId,
    i: &IncidentInsert<'_>,
    team: &Team<'_>,
    now_ms: i64,
) {
    let Some(p) = &i.progress else { return };
    let occurred = i.occurred_at.as_millisecond();
    let id = Value::from(i.incident_id.0);
    let (manager, manager_name) = team.manager;
    let mut facts = super::duties::serious_injury_facts(
        at(occurred + 5 * HOUR_MS),
        "The care plan and risk assessment were current; no equipment, environment or staffing factor contributed.",
    );
    // Not a safeguarding matter: the section 42 questions answered.
    for (question, answer) in [
        ("adult_has_care_and_support_needs", true),
        ("experiencing_or_at_risk_of_abuse_or_neglect", false),
        ("unable_to_protect_self", true),
    ] {
        facts.insert(question.to_owned(), answer.into());
    }
    rows.assessments.push(vec![
        id.clone(),
        Value::from(org.0),
        Value::from(serde_json::Value::Object(facts).to_string()),
        Value::from(1),
        Value::from(manager.0),
        Value::from(p.triaged_at.as_millisecond()),
    ]);
    let by = manager_name.to_owned();
    let steps = [
        (
            Duty::CqcSeriousInjuryNotification,
            20,
            Step::Submitted {
                at: at(occurred + 20 * HOUR_MS),
                by: by.clone(),
                method: Method::Online,
                reference: format!("ENQ1-{:09}", i.reference.0),
            },
        ),
        (
            Duty::DutyOfCandour,
            26,
            Step::InPerson {
                at: at(occurred + 26 * HOUR_MS),
                by: by.clone(),
                whom: "Their next of kin".to_owned(),
                facts: "What happened, what we did straight away and what the doctor found.".to_owned(),
                apology: "We are very sorry that this happened while in our care.".to_owned(),
                enquiries: "We are looking into how it happened and will share what we find.".to_owned(),
                support: "The deputy manager is the family's named contact.".to_owned(),
            },
        ),
        (
            Duty::DutyOfCandour,
            72,
            Step::Written {
                at: at(occurred + 72 * HOUR_MS),
                by,
                whom: "Their next of kin".to_owned(),
                letter: "Following our conversation, we write to set out what happened, to say again that we are sorry, and to tell you what we are doing to find out more.".to_owned(),
            },
        ),
    ];
    for (duty, hours, step) in steps {
        let step_ms = occurred + hours * HOUR_MS;
        if step_ms > now_ms {
            continue;
        }
        let Ok(details) = serde_json::to_string(&step) else {
            continue;
        };
        rows.steps.push(vec![
            uuid(rng, step_ms),
            id.clone(),
            Value::from(org.0),
            Value::from(duty.code()),
            Value::from(step.kind().code()),
            Value::from(step_ms),
            Value::from(details),
            Value::from(manager.0),
            Value::from(step_ms + HOUR_MS),
        ]);
    }
}

/// Writes one service's history in `tx`, from its incidents `rows` (as
/// stored just before) over `months` months to `now`.
pub(super) async fn record(
    tx: &mut Tx,
    rng: &mut Rng,
    (org, service): (OrganisationId, &Service),
    team: &Team<'_>,
    incidents: &[IncidentInsert<'_>],
    (months, now): (i64, Timestamp),
) -> anyhow::Result<Made> {
    let now_ms = now.as_millisecond();
    let tz = london();
    let (manager, manager_name) = team.manager;
    let mut rows = Rows::default();
    let mut planned: Vec<(PlannedAction, Option<usize>, Option<uuid::Uuid>)> = Vec::new();
    let mut investigations: Vec<(uuid::Uuid, usize, i64, Option<i64>)> = Vec::new();
    // Incidents by month (the first day, UK time) they happened.
    let mut by_month: BTreeMap<jiff::civil::Date, Vec<usize>> = BTreeMap::new();
    for (ix, i) in incidents.iter().enumerate() {
        let d = i.occurred_at.to_zoned(tz.clone()).date().first_of_month();
        by_month.entry(d).or_default().push(ix);
        let Some(p) = &i.progress else { continue };
        let harm = p.grading.physical_harm;
        if harm.lfpse_code() <= PhysicalHarm::Moderate.lfpse_code() {
            duties(&mut rows, rng, org, i, team, now_ms);
        }
        if harm == PhysicalHarm::Severe && rng.chance(0.33) {
            let opened = p.triaged_at.as_millisecond();
            let completed = (opened + 45 * DAY_MS < now_ms)
                .then(|| opened + (20 + rng.below(25) as i64) * DAY_MS);
            let inv = rng.uuid(opened);
            investigations.push((inv, ix, opened, completed));
            let (title, description, theme) = change_for(p.grading.category);
            planned.push((
                PlannedAction {
                    id: rng.uuid(completed.unwrap_or(opened)),
                    title: title.to_owned(),
                    description,
                    theme,
                    created_ms: completed.unwrap_or(opened + 7 * DAY_MS).min(now_ms),
                },
                Some(ix),
                Some(inv),
            ));
        }
    }
    let first_inv = reserve_numbers(tx, org, "INV", investigations.len() as i64).await?;
    for (n, (inv, ix, opened, completed)) in investigations.iter().enumerate() {
        let i = &incidents[*ix];
        rows.investigations.push(vec![
            Value::from(*inv),
            Value::from(org.0),
            Value::from(service.service_id.0),
            Value::from(i.incident_id.0),
            Value::from(first_inv + n as i64),
            Value::from(manager.0),
            Value::from("Why the harm happened, what in our systems allowed it, and what will stop it happening again. Statements from staff on shift; care plan, risk assessment and equipment records; the family's questions."),
            Value::from(if completed.is_some() { "completed" } else { "open" }),
            Value::from(if completed.is_some() {
                "The risk assessment had not been reviewed after the person's last hospital stay, and the night checks did not include testing the sensor mat. Staffing was at the planned level."
            } else {
                ""
            }),
            Value::from(if completed.is_some() { "Could it have been prevented? What will change?" } else { "" }),
            Value::from(if completed.is_some() { "The family said the person had been more unsteady since coming home from hospital." } else { "" }),
            Value::from(manager.0),
            Value::from(*opened),
            Value::from(opened + 28 * DAY_MS),
            Value::Uuid(completed.map(|_| manager.0)),
            Value::Int(*completed),
            Value::from(if completed.is_some() { 2 } else { 1 }),
            Value::from(completed.unwrap_or(*opened)),
        ]);
    }
    // Month by month: an action from the worst incident, the meeting, and
    // each quarter a lesson.
    let months_from = now
        .to_zoned(tz.clone())
        .date()
        .first_of_month()
        .saturating_sub(jiff::Span::new().months(months));
    let mut meetings = Vec::new();
    for (month, list) in by_month.range(months_from..) {
        let month_start = month.to_zoned(tz.clone())?.timestamp().as_millisecond();
        let worst = list
            .iter()
            .copied()
            .filter(|ix| incidents[*ix].kind == EventKind::Incident)
            .filter_map(|ix| incidents[ix].progress.as_ref().map(|p| (ix, p)))
            .max_by_key(|(_, p)| p.grading.risk_score);
        if let Some((ix, p)) = worst {
            let (title, description, theme) = change_for(p.grading.category);
            planned.push((
                PlannedAction {
                    id: rng.uuid(p.triaged_at.as_millisecond()),
                    title: title.to_owned(),
                    description,
                    theme,
                    created_ms: p.triaged_at.as_millisecond() + DAY_MS,
                },
                Some(ix),
                None,
            ));
        }
        // The meeting on the 10th of the next month, 2 pm.
        let next = month.saturating_add(jiff::Span::new().months(1));
        let starts = next
            .saturating_add(jiff::Span::new().days(9))
            .to_datetime(jiff::civil::time(14, 0, 0, 0))
            .to_zoned(tz.clone())?
            .timestamp()
            .as_millisecond();
        if starts > now_ms {
            continue;
        }
        let mut counts: BTreeMap<&str, (u32, u32)> = BTreeMap::new();
        for ix in list {
            let i = &incidents[*ix];
            let c = counts.entry(i.category.label()).or_default();
            match i.kind {
                EventKind::NearMiss => c.1 += 1,
                EventKind::Incident => c.0 += 1,
                _ => {}
            }
        }
        let text = agenda(&AgendaInputs {
            since: month.strftime("%-d %b %Y").to_string(),
            by_category: counts
                .into_iter()
                .map(|(label, (n, near))| (label.to_owned(), n, near))
                .collect(),
            ..AgendaInputs::default()
        });
        let meeting = rng.uuid(starts);
        meetings.push((meeting, starts, worst.map(|(ix, _)| ix)));
        rows.meetings.push(vec![
            Value::from(meeting),
            Value::from(org.0),
            Value::from(service.service_id.0),
            Value::from("monthly"),
            Value::from(starts),
            Value::from("The lounge"),
            Value::from(manager_name),
            Value::Int(None),
            Value::from(month_start),
            Value::from(text),
            Value::from("We went through the month's incidents by category, the actions due and the lessons shared. The team discussed the worst incident and agreed the change in the action."),
            Value::from("Action agreed for the month's worst incident; the lesson to be shared at handover."),
            Value::from("published"),
            Value::from(starts + 2 * DAY_MS),
            Value::from(manager.0),
            Value::from(2),
            Value::from(manager.0),
            Value::from(starts - 14 * DAY_MS),
            Value::from(manager.0),
            Value::from(starts + 2 * DAY_MS),
        ]);
        let mut present = vec![(manager_name, "Registered manager")];
        for (_, name) in team.staff.iter().take(4) {
            present.push((name, "Care team"));
        }
        for (n, (name, role)) in present.into_iter().enumerate() {
            let attendance = match rng.below(10) {
                0 => "apologies",
                1 => "online",
                _ => "in_person",
            };
            rows.attendees.push(vec![
                uuid(rng, starts),
                Value::from(meeting),
                Value::from(name),
                Value::from(role),
                Value::from(attendance),
                Value::from(starts + n as i64 * 60_000),
            ]);
        }
        // A lesson a quarter, from the worst incident of the month.
        if next.month() % 3 == 1
            && let Some(ix) = worst.map(|(ix, _)| ix)
        {
            let i = &incidents[ix];
            let published = starts + 3 * DAY_MS;
            if published > now_ms {
                continue;
            }
            let (title, description, _) = change_for(i.category);
            let lesson = rng.uuid(published);
            rows.lessons.push(vec![
                Value::from(lesson),
                Value::from(org.0),
                Value::from("service"),
                Value::Uuid(None),
                Value::from(service.service_id.0),
                Value::from(format!("{} ({})", title, month.strftime("%b %Y"))),
                Value::from(format!(
                    "{} {}",
                    i.category.label(),
                    "with harm; the team looked at how it happened."
                )),
                Value::from("The checks we relied on did not catch the risk in time."),
                Value::from(description),
                Value::from("incident"),
                Value::from(i.reference.to_string()),
                Value::from(manager.0),
                Value::from(published),
            ]);
            for (user, _) in &team.staff {
                if !rng.chance(0.85) {
                    continue;
                }
                let read = published + (1 + rng.below(14 * 24) as i64) * HOUR_MS;
                if read <= now_ms {
                    rows.acknowledgements.push(vec![
                        Value::from(lesson),
                        Value::from(user.0),
                        Value::from(read),
                    ]);
                }
            }
        }
    }
    // The actions, numbered in the order they were planned.
    let first_act = reserve_numbers(tx, org, "ACT", planned.len() as i64).await?;
    for (n, (a, incident, investigation)) in planned.iter().enumerate() {
        let due_ms = a.created_ms + 28 * DAY_MS;
        let done = due_ms + 14 * DAY_MS < now_ms;
        let completed = done.then(|| due_ms - rng.below(10) as i64 * DAY_MS);
        let checked = completed.map(|c| c + 30 * DAY_MS).filter(|c| *c <= now_ms);
        let effectiveness = checked.map(|_| match rng.below(10) {
            0 => (
                "did_not_work",
                "Falls carried on at the same rate; a new approach agreed.",
            ),
            1 | 2 => (
                "partly",
                "Fewer incidents, but the checks were missed on some nights.",
            ),
            _ => (
                "worked",
                "No repeat in the month after; the checks are part of the routine.",
            ),
        });
        let status = match (done, rng.chance(0.5)) {
            (true, _) => "done",
            (false, true) => "in_progress",
            (false, false) => "open",
        };
        let updated = checked.or(completed).unwrap_or(a.created_ms);
        rows.actions.push(vec![
            Value::from(a.id),
            Value::from(org.0),
            Value::from(service.service_id.0),
            Value::from(first_act + n as i64),
            Value::from(a.title.as_str()),
            Value::from(a.description),
            Value::from(manager.0),
            Value::from(day_of(due_ms)),
            Value::from(status),
            Value::from(true),
            Value::from(json!([a.theme]).to_string()),
            Value::Text(
                done.then(|| {
                    "Checked by the deputy manager; records kept in the office.".to_owned()
                }),
            ),
            Value::Int(completed),
            Value::Text(effectiveness.map(|(e, _)| e.to_owned())),
            Value::Text(effectiveness.map(|(_, note)| note.to_owned())),
            Value::Int(checked),
            Value::from(1 + i64::from(completed.is_some()) + i64::from(checked.is_some())),
            Value::from(manager.0),
            Value::from(a.created_ms),
            Value::from(updated),
        ]);
        if let Some(ix) = incident {
            rows.action_incidents.push(vec![
                Value::from(a.id),
                Value::from(incidents[*ix].incident_id.0),
                Value::from(org.0),
            ]);
        }
        if let Some(inv) = investigation {
            rows.action_investigations.push(vec![
                Value::from(a.id),
                Value::from(*inv),
                Value::from(org.0),
            ]);
        }
        if investigation.is_none()
            && let Some((meeting, _, _)) = meetings
                .iter()
                .find(|(_, starts, worst)| *worst == *incident && *starts >= a.created_ms - DAY_MS)
        {
            rows.meeting_actions
                .push(vec![Value::from(*meeting), Value::from(a.id)]);
        }
    }
    let made = Made {
        assessments: rows.assessments.len(),
        duty_steps: rows.steps.len(),
        investigations: rows.investigations.len(),
        actions: rows.actions.len(),
        meetings: rows.meetings.len(),
        lessons: rows.lessons.len(),
        acknowledgements: rows.acknowledgements.len(),
    };
    write(tx, &rows).await?;
    Ok(made)
}

async fn write(tx: &mut Tx, r: &Rows) -> anyhow::Result<()> {
    insert_rows(
        tx,
        "incident_assessment",
        &[
            "incident_id",
            "organisation_id",
            "facts",
            "version",
            "updated_by",
            "updated_at",
        ],
        &r.assessments,
    )
    .await?;
    insert_rows(
        tx,
        "duty_step",
        &[
            "step_id",
            "incident_id",
            "organisation_id",
            "duty",
            "kind",
            "occurred_at",
            "details",
            "recorded_by",
            "recorded_at",
        ],
        &r.steps,
    )
    .await?;
    insert_rows(
        tx,
        "investigation",
        &[
            "investigation_id",
            "organisation_id",
            "service_id",
            "incident_id",
            "reference_number",
            "lead_id",
            "terms_of_reference",
            "status",
            "findings",
            "family_questions",
            "family_account",
            "opened_by",
            "opened_at",
            "due_at",
            "completed_by",
            "completed_at",
            "version",
            "updated_at",
        ],
        &r.investigations,
    )
    .await?;
    insert_rows(
        tx,
        "improvement_action",
        &[
            "action_id",
            "organisation_id",
            "service_id",
            "reference_number",
            "title",
            "description",
            "owner_id",
            "due_on",
            "status",
            "in_plan",
            "themes",
            "evidence",
            "completed_at",
            "effectiveness",
            "effectiveness_note",
            "effectiveness_checked_at",
            "version",
            "created_by",
            "created_at",
            "updated_at",
        ],
        &r.actions,
    )
    .await?;
    insert_rows(
        tx,
        "action_incident",
        &["action_id", "incident_id", "organisation_id"],
        &r.action_incidents,
    )
    .await?;
    insert_rows(
        tx,
        "action_investigation",
        &["action_id", "investigation_id", "organisation_id"],
        &r.action_investigations,
    )
    .await?;
    insert_rows(
        tx,
        "learning_meeting",
        &[
            "meeting_id",
            "organisation_id",
            "service_id",
            "kind",
            "starts_at",
            "location",
            "chair",
            "incident_reference",
            "period_from",
            "agenda",
            "minutes",
            "decisions",
            "status",
            "published_at",
            "published_by",
            "version",
            "created_by",
            "created_at",
            "updated_by",
            "updated_at",
        ],
        &r.meetings,
    )
    .await?;
    insert_rows(
        tx,
        "learning_meeting_attendee",
        &[
            "attendee_id",
            "meeting_id",
            "name",
            "role",
            "attendance",
            "added_at",
        ],
        &r.attendees,
    )
    .await?;
    insert_rows(
        tx,
        "learning_meeting_action",
        &["meeting_id", "action_id"],
        &r.meeting_actions,
    )
    .await?;
    insert_rows(
        tx,
        "lesson",
        &[
            "lesson_id",
            "organisation_id",
            "scope_kind",
            "region_id",
            "service_id",
            "title",
            "what_happened",
            "what_we_learned",
            "what_we_changed",
            "source",
            "source_ref",
            "published_by",
            "published_at",
        ],
        &r.lessons,
    )
    .await?;
    insert_rows(
        tx,
        "lesson_acknowledgement",
        &["lesson_id", "user_id", "acknowledged_at"],
        &r.acknowledgements,
    )
    .await?;
    Ok(())
}
