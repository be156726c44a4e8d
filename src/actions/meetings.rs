//! Lessons-learned meetings (domain `meetings`): the urgent meetings
//! Candour proposes, arranging a meeting with its agenda built from the
//! period since the last one, attendance, minutes and decisions (versioned),
//! actions into the service's improvement plan, and publishing the minutes.

use super::{ActionError, ActionResult, Actor, Ctx, service_where, services_where};
use crate::store::improvement::ImprovementAction;
use crate::store::meetings::{Attendee, Meeting, NewMeetingRow, insert_attendee, insert_meeting};
use crate::store::organisations::Service;
use candour_domain::display;
use candour_domain::ids::ServiceId;
use candour_domain::incident::{EventKind, IncidentReference, london};
use candour_domain::lessons::overlaps;
use candour_domain::meetings::{AgendaInputs, MeetingDraft, MeetingKind, agenda, urgent_by};
use candour_domain::role::{Permission, Scope};
use candour_domain::validation::{FieldErrors, checked_text};
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use serde_json::json;
use uuid::Uuid;

/// How far back Candour looks for incidents that call for an urgent meeting.
const PROPOSE_DAYS: i64 = 60;

/// An urgent meeting Candour proposes.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    /// The service.
    pub service: Service,
    /// The incident.
    pub reference: IncidentReference,
    /// Why, in words.
    pub why: String,
    /// Hold it by.
    pub hold_by: Date,
}

/// A service's meetings and the urgent ones to arrange, for those who
/// triage it.
pub async fn proposals(ctx: &Ctx, actor: &Actor) -> ActionResult<Vec<Proposal>> {
    let now = ctx.clock.now();
    let since = now
        .checked_sub(SignedDuration::from_hours(24 * PROPOSE_DAYS))
        .unwrap_or(Timestamp::UNIX_EPOCH);
    let services = services_where(ctx, actor, Permission::TriageIncidents).await?;
    let ids: Vec<ServiceId> = services.iter().map(|s| s.service_id).collect();
    // One read of the triggers and one of the meetings held about them,
    // for every service (not two a service).
    let triggers = ctx
        .store
        .urgent_meeting_triggers(actor.organisation_id, &ids, since)
        .await?;
    let refs: Vec<IncidentReference> = triggers.iter().map(|t| t.1).collect();
    let held: std::collections::HashSet<IncidentReference> = ctx
        .store
        .meetings_held_about(actor.organisation_id, &refs)
        .await?
        .into_iter()
        .collect();
    let mut calendars = std::collections::HashMap::new();
    let mut out = Vec::new();
    let hidden: std::collections::HashSet<IncidentReference> = ctx
        .store
        .incidents_by_ids(
            actor.organisation_id,
            &ctx.store
                .hidden_from(actor.user_id)
                .await?
                .into_iter()
                .collect::<Vec<_>>(),
        )
        .await?
        .into_iter()
        .map(|i| i.reference)
        .collect();
    for (service_id, reference, category, harm, triaged_at) in triggers {
        if held.contains(&reference) || hidden.contains(&reference) {
            continue;
        }
        let Some(service) = services.iter().find(|s| s.service_id == service_id) else {
            continue;
        };
        let cal = match calendars.entry(service.nation) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => e.insert(
                super::timescales::calendar(ctx, service.organisation_id, service.nation).await?,
            ),
        };
        let why = match harm.as_deref() {
            Some("fatal") => format!("{}: death", category.label()),
            Some("severe") => format!("{}: severe harm", category.label()),
            _ => format!("{}: sent to a serious investigation", category.label()),
        };
        out.push(Proposal {
            service: service.clone(),
            reference,
            why,
            hold_by: urgent_by(cal, triaged_at.to_zoned(london()).date()),
        });
    }
    out.sort_by_key(|p| p.hold_by);
    Ok(out)
}

/// A meeting in a list.
#[derive(Debug, Clone)]
pub struct MeetingLine {
    /// The meeting.
    pub meeting: Meeting,
    /// Its service's name.
    pub service_name: String,
}

/// How many meetings a page of the list shows.
pub const MEETINGS_PER_PAGE: usize = 50;

/// A page of the meetings of the services where the reader sees incidents,
/// newest first, after `after` (the start and id of the last meeting of the
/// page before); a meeting of a group of services once, named after them
/// all. The flag says whether older meetings follow.
pub async fn meetings_for(
    ctx: &Ctx,
    actor: &Actor,
    after: Option<(Timestamp, Uuid)>,
) -> ActionResult<(Vec<MeetingLine>, bool)> {
    let all = ctx.store.services(actor.organisation_id).await?;
    let ids: Vec<ServiceId> = services_where(ctx, actor, Permission::ViewIncidents)
        .await?
        .iter()
        .map(|s| s.service_id)
        .collect();
    let limit = MEETINGS_PER_PAGE + 1;
    let mut meetings = ctx
        .store
        .learning_meetings_page(
            actor.organisation_id,
            &ids,
            after,
            i64::try_from(limit).unwrap_or(i64::MAX),
        )
        .await?;
    let more = meetings.len() > MEETINGS_PER_PAGE;
    meetings.truncate(MEETINGS_PER_PAGE);
    let meeting_ids: Vec<Uuid> = meetings.iter().map(|m| m.meeting_id).collect();
    let mut others = ctx.store.meeting_services_of(&meeting_ids).await?;
    others.sort();
    let out = meetings
        .into_iter()
        .map(|meeting| {
            let mut group = vec![meeting.service_id];
            group.extend(
                others
                    .iter()
                    .filter(|(m, _)| *m == meeting.meeting_id)
                    .map(|(_, s)| *s),
            );
            let group: Vec<Service> = group
                .iter()
                .filter_map(|id| all.iter().find(|s| s.service_id == *id).cloned())
                .collect();
            MeetingLine {
                service_name: group_name(&group),
                meeting,
            }
        })
        .collect();
    Ok((out, more))
}

/// The services of a meeting: the one that arranged it, then any others.
pub(crate) async fn group_of(ctx: &Ctx, meeting: &Meeting) -> ActionResult<Vec<Service>> {
    let all = ctx.store.services(meeting.organisation_id).await?;
    group_among(ctx, meeting, &all).await
}

/// As [`group_of`], with the organisation's services already read (for
/// many meetings at once).
pub(crate) async fn group_among(
    ctx: &Ctx,
    meeting: &Meeting,
    all: &[Service],
) -> ActionResult<Vec<Service>> {
    let mut ids = vec![meeting.service_id];
    ids.extend(ctx.store.meeting_services(meeting.meeting_id).await?);
    Ok(ids
        .iter()
        .filter_map(|id| all.iter().find(|s| s.service_id == *id).cloned())
        .collect())
}

/// "Alder House", or "Alder House and Birch House".
pub fn group_name(group: &[Service]) -> String {
    let names: Vec<&str> = group.iter().map(|s| s.name.as_str()).collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        Some((only, _)) => (*only).to_owned(),
        None => String::new(),
    }
}

/// Builds the agenda of a meeting of `group` (one service, or several)
/// covering `[from, now)`.
async fn build_agenda(
    ctx: &Ctx,
    group: &[Service],
    from: Timestamp,
    urgent: Option<String>,
) -> ActionResult<String> {
    let service = group.first().ok_or(ActionError::NotFound)?;
    let several = group.len() > 1;
    // An agenda is read by the whole team, so nothing from a report that
    // names a member of staff as alleged to have caused harm is on it.
    let about_staff = ctx.store.alleged_staff().await?;
    let ids: Vec<ServiceId> = group.iter().map(|s| s.service_id).collect();
    let now = ctx.clock.now();
    let mut counts = Vec::new();
    for s in &ids {
        counts.extend(ctx.store.reported_counts(*s, (from, now)).await?);
    }
    let mut by_category: Vec<(String, u32, u32)> = Vec::new();
    for (category, kind, n) in counts {
        let n = u32::try_from(n).unwrap_or(u32::MAX);
        let label = category.label().to_owned();
        let slot = match by_category.iter_mut().find(|(l, _, _)| *l == label) {
            Some(s) => s,
            None => {
                by_category.push((label, 0, 0));
                by_category.last_mut().ok_or(ActionError::NotFound)?
            }
        };
        match kind {
            EventKind::Incident => slot.1 += n,
            EventKind::NearMiss => slot.2 += n,
            EventKind::GoodPractice => {}
        }
    }
    by_category.retain(|(_, n, near)| n + near > 0);
    let investigations = ctx
        .store
        .investigations(service.organisation_id, &ids)
        .await?
        .into_iter()
        .filter(|v| !about_staff.contains_key(&v.incident_id))
        .filter(|v| v.completed.as_ref().is_some_and(|(_, at)| *at >= from))
        .map(|v| {
            let mut found: String = v.findings.findings.chars().take(300).collect();
            if found.is_empty() {
                found = "no findings written".to_owned();
            }
            format!(
                "{} ({}): {found}",
                candour_domain::investigation::investigation_reference(v.number),
                v.incident_reference
            )
        })
        .collect();
    let today = now.to_zoned(london()).date();
    let mut overdue_actions = Vec::new();
    for s in group {
        overdue_actions.extend(
            ctx.store
                .service_actions(s.organisation_id, s.service_id)
                .await?
                .into_iter()
                .filter(|a| !a.incidents.iter().any(|(i, _)| about_staff.contains_key(i)))
                .filter(|a| a.status.is_open() && a.due_on < today)
                .map(|a| {
                    format!(
                        "{} {} (due {}, {}){}",
                        candour_domain::improvement::action_reference(a.number),
                        a.title,
                        display::civil_date(a.due_on),
                        a.owner.1,
                        if several {
                            format!(", {}", s.name)
                        } else {
                            String::new()
                        }
                    )
                }),
        );
    }
    let services = ctx.store.services(service.organisation_id).await?;
    let region_of = |s: ServiceId| {
        services
            .iter()
            .find(|x| x.service_id == s)
            .map(|x| x.region_id)
    };
    let lessons = ctx
        .store
        .lessons_since(service.organisation_id, from)
        .await?
        .into_iter()
        .filter(|l| {
            ids.iter()
                .any(|s| overlaps(Scope::Service(*s), l.scope, region_of))
        })
        .map(|l| l.title)
        .collect();
    let from_day = from.to_zoned(london()).date();
    let alerts = ctx
        .store
        .alerts(service.organisation_id, false)
        .await?
        .into_iter()
        .filter(|a| a.received_on >= from_day)
        .map(|a| {
            let st = candour_domain::alerts::status(a.progress(), a.deadline, today);
            format!(
                "{} {} ({})",
                a.reference,
                a.title,
                st.label().to_lowercase()
            )
        })
        .collect();
    Ok(agenda(&AgendaInputs {
        since: display::date(from),
        urgent,
        by_category,
        investigations,
        overdue_actions,
        lessons,
        alerts: Some(alerts),
    }))
}

/// Arranges a meeting of `service` (those who triage it), with its agenda
/// built from the period since the service's last meeting (or a month);
/// an urgent meeting names an incident of the service. Audited.
pub async fn arrange(
    ctx: &Ctx,
    actor: &Actor,
    service: ServiceId,
    draft: &MeetingDraft,
) -> ActionResult<Uuid> {
    arrange_for(ctx, actor, (service, &[]), draft).await
}

/// Arranges a meeting of `service` held with the services in `also` (a
/// group: the reader triages every one of them); its agenda covers them
/// all, and an urgent meeting names an incident of any of them. Audited.
pub async fn arrange_for(
    ctx: &Ctx,
    actor: &Actor,
    (service, also): (ServiceId, &[ServiceId]),
    draft: &MeetingDraft,
) -> ActionResult<Uuid> {
    let service = service_where(ctx, actor, service, Permission::TriageIncidents).await?;
    let mut group = vec![service.clone()];
    for id in also {
        if *id == service.service_id || group.iter().any(|s| s.service_id == *id) {
            continue;
        }
        group.push(
            service_where(ctx, actor, *id, Permission::TriageIncidents)
                .await
                .map_err(|_| {
                    let mut e = FieldErrors::new();
                    e.add(
                        "also",
                        "You can hold a meeting only with services whose incidents you triage",
                    );
                    ActionError::Invalid(e)
                })?,
        );
    }
    let new = draft.validate().map_err(ActionError::Invalid)?;
    let starts_at = london()
        .to_ambiguous_timestamp(new.starts)
        .compatible()
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let urgent = match new.incident {
        Some(r) => {
            let i = ctx
                .store
                .incident_by_reference(service.organisation_id, r)
                .await?
                .filter(|i| group.iter().any(|s| s.service_id == i.service_id));
            let i = super::about_staff::unless_hidden(ctx, actor, i).await?;
            let Some(i) = i else {
                let mut e = FieldErrors::new();
                e.add(
                    "incident",
                    format!(
                        "No incident at {} has that reference",
                        group
                            .iter()
                            .map(|s| s.name.as_str())
                            .collect::<Vec<_>>()
                            .join(" or ")
                    ),
                );
                return Err(ActionError::Invalid(e));
            };
            Some(format!(
                "{r}: {}, reported {}",
                i.category.label(),
                display::date(i.reported_at)
            ))
        }
        None => None,
    };
    let now = ctx.clock.now();
    let from = ctx
        .store
        .learning_meetings(service.organisation_id, service.service_id)
        .await?
        .into_iter()
        .filter(|m| m.kind == MeetingKind::Monthly && m.starts_at < now)
        .map(|m| m.starts_at)
        .max()
        .unwrap_or_else(|| {
            now.checked_sub(SignedDuration::from_hours(24 * 30))
                .unwrap_or(Timestamp::UNIX_EPOCH)
        });
    let text = build_agenda(ctx, &group, from, urgent).await?;
    let id = Uuid::now_v7();
    let mut tx = ctx.store.begin().await?;
    insert_meeting(
        &mut tx,
        &NewMeetingRow {
            meeting_id: id,
            at: (service.organisation_id, service.service_id),
            kind: new.kind,
            starts_at,
            place_and_chair: (&new.location, &new.chair),
            incident: new.incident,
            period_from: from,
            agenda: &text,
        },
        (actor.user_id, now.as_millisecond()),
    )
    .await?;
    let others: Vec<ServiceId> = group.iter().skip(1).map(|s| s.service_id).collect();
    crate::store::meetings::insert_meeting_services(&mut tx, id, &others).await?;
    audit(
        (ctx, &mut tx),
        actor,
        id,
        "meeting.arranged",
        json!({
            "kind": new.kind.code(),
            "starts_at": starts_at.to_string(),
            "incident": new.incident.map(|r| r.to_string()),
            "with_services": others.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

async fn audit(
    (ctx, tx): (&Ctx, &mut crate::store::Tx),
    actor: &Actor,
    id: Uuid,
    action: &str,
    changes: serde_json::Value,
) -> ActionResult<()> {
    super::audit_now(
        ctx,
        tx,
        actor,
        ("learning_meeting", &id.to_string(), action),
        &changes,
    )
    .await
}

/// One meeting, with its service, attendance and actions, and whether the
/// reader may change it.
#[derive(Debug, Clone)]
pub struct MeetingView {
    /// The meeting.
    pub meeting: Meeting,
    /// Its service (the one that arranged it).
    pub service: Service,
    /// Every service it is for (the first arranged it).
    pub group: Vec<Service>,
    /// Attendance.
    pub attendees: Vec<Attendee>,
    /// Actions agreed.
    pub actions: Vec<ImprovementAction>,
    /// Whether the reader may change it (those who triage, until published).
    pub can_edit: bool,
}

/// A meeting for those who see its service's incidents.
pub async fn meeting_view(ctx: &Ctx, actor: &Actor, id: Uuid) -> ActionResult<MeetingView> {
    let meeting = ctx
        .store
        .learning_meeting(actor.organisation_id, id)
        .await?
        .ok_or(ActionError::NotFound)?;
    let group = group_of(ctx, &meeting).await?;
    if !group
        .iter()
        .any(|s| actor.can_in(Permission::ViewIncidents, s))
    {
        return Err(ActionError::NotFound);
    }
    let service = group.first().cloned().ok_or(ActionError::NotFound)?;
    let ids = ctx.store.meeting_action_ids(id).await?;
    let actions = ctx
        .store
        .service_actions(service.organisation_id, service.service_id)
        .await?
        .into_iter()
        .filter(|a| ids.contains(&a.action_id))
        .collect();
    let actions = super::about_staff::without_hidden_actions(ctx, actor, actions).await?;
    Ok(MeetingView {
        group,
        attendees: ctx.store.attendees(id).await?,
        can_edit: meeting.published.is_none()
            && actor.can_in(Permission::TriageIncidents, &service),
        actions,
        meeting,
        service,
    })
}

/// A meeting the reader may change: not yet published, in a service they triage.
pub(crate) async fn editable(
    ctx: &Ctx,
    actor: &Actor,
    id: Uuid,
) -> ActionResult<(Meeting, Service)> {
    let v = meeting_view(ctx, actor, id).await?;
    if !actor.can_in(Permission::TriageIncidents, &v.service) {
        return Err(ActionError::Forbidden);
    }
    if v.meeting.published.is_some() {
        return Err(ActionError::Refused(vec![
            "The minutes are published: they are evidence and no longer change".to_owned(),
        ]));
    }
    Ok((v.meeting, v.service))
}

fn stale(m: &Meeting) -> ActionError {
    ActionError::Conflict(format!(
        "{} changed this meeting at {}; open it again to see their changes",
        m.updated.0,
        display::date_time(m.updated.1)
    ))
}

/// Saves the agenda, minutes and decisions at the version the reader saw.
pub async fn save_record(
    ctx: &Ctx,
    actor: &Actor,
    (id, version): (Uuid, i64),
    (agenda, minutes, decisions): (&str, &str, &str),
) -> ActionResult<()> {
    let (m, _) = editable(ctx, actor, id).await?;
    let mut e = FieldErrors::new();
    let agenda = checked_text(&mut e, "agenda", agenda, 20_000, Some("Keep an agenda"));
    let minutes = checked_text(&mut e, "minutes", minutes, 40_000, None);
    let decisions = checked_text(&mut e, "decisions", decisions, 20_000, None);
    if !e.is_empty() {
        return Err(ActionError::Invalid(e));
    }
    let now = ctx.clock.now().as_millisecond();
    let mut tx = ctx.store.begin().await?;
    if !crate::store::meetings::update_record(
        &mut tx,
        (id, version),
        (&agenda, &minutes, &decisions),
        (actor.user_id, now),
    )
    .await?
    {
        return Err(stale(&m));
    }
    audit(
        (ctx, &mut tx),
        actor,
        id,
        "meeting.record_saved",
        json!({
            "agenda": {"before": m.agenda, "after": agenda},
            "minutes": {"before": m.minutes, "after": minutes},
            "decisions": {"before": m.decisions, "after": decisions},
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Adds someone to the attendance (present in person, online, or apologies).
pub async fn add_attendee(ctx: &Ctx, actor: &Actor, id: Uuid, a: &Attendee) -> ActionResult<()> {
    // Refused unless the reader may change the meeting.
    editable(ctx, actor, id).await?;
    let mut e = FieldErrors::new();
    let name = checked_text(&mut e, "name", &a.name, 120, Some("Enter their name"));
    let role = checked_text(
        &mut e,
        "role",
        &a.role,
        120,
        Some("Enter their role, such as senior carer"),
    );
    if !matches!(a.attendance.as_str(), "in_person" | "online" | "apologies") {
        e.add(
            "attendance",
            "Say whether they came in person, joined online or sent apologies",
        );
    }
    if !e.is_empty() {
        return Err(ActionError::Invalid(e));
    }
    let a = Attendee {
        name,
        role,
        attendance: a.attendance.clone(),
    };
    let mut tx = ctx.store.begin().await?;
    insert_attendee(&mut tx, id, &a, ctx.clock.now().as_millisecond()).await?;
    audit(
        (ctx, &mut tx),
        actor,
        id,
        "meeting.attendee_added",
        json!({"name": a.name, "role": a.role, "attendance": a.attendance}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Publishes the minutes: the meeting has started, someone attended and
/// the minutes are written. They are fixed from then on. Audited.
pub async fn publish_minutes(
    ctx: &Ctx,
    actor: &Actor,
    (id, version): (Uuid, i64),
) -> ActionResult<()> {
    let (m, _) = editable(ctx, actor, id).await?;
    let now = ctx.clock.now();
    let mut reasons = Vec::new();
    if !candour_domain::meetings::has_started(m.starts_at, now) {
        reasons.push("The meeting has not started yet".to_owned());
    }
    if !ctx
        .store
        .attendees(id)
        .await?
        .iter()
        .any(|a| a.attendance != "apologies")
    {
        reasons.push("Record who attended".to_owned());
    }
    if m.minutes.trim().is_empty() {
        reasons.push("Write and save the minutes".to_owned());
    }
    if !reasons.is_empty() {
        return Err(ActionError::Refused(reasons));
    }
    let mut tx = ctx.store.begin().await?;
    if !crate::store::meetings::publish(
        &mut tx,
        (id, version),
        (actor.user_id, now.as_millisecond()),
    )
    .await?
    {
        return Err(stale(&m));
    }
    audit(
        (ctx, &mut tx),
        actor,
        id,
        "meeting.minutes_published",
        json!({"minutes": m.minutes, "decisions": m.decisions}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
