//! Lessons learned (domain `lessons`): publishing one to a scope, the
//! staff in scope reading and acknowledging it, managers seeing who has and
//! who has not, and reminders by email through the outbox.

use super::{ActionError, ActionResult, Actor, Ctx};
use crate::store::audit::{NewAuditEvent, append};
use crate::store::lessons::{Lesson, claim_reminder, insert_acknowledgement, insert_lesson};
use crate::store::outbox::{NewEmail, enqueue_email};
use candour_domain::ids::{OrganisationId, RegionId, ServiceId, UserId};
use candour_domain::incident::IncidentReference;
use candour_domain::lessons::{
    LessonDraft, REMINDER_DAYS, Source, in_audience, may_publish, reminders_due, scope_code,
};
use candour_domain::role::{Permission, Scope};
use jiff::{SignedDuration, Timestamp};
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

/// How far back the lesson list reaches.
const LIST_DAYS: i64 = 730;

/// The organisation's services' regions, and the names of its regions and services.
struct Places {
    region_of: HashMap<ServiceId, RegionId>,
    names: HashMap<String, String>,
    services: Vec<crate::store::organisations::Service>,
}

async fn places(ctx: &Ctx, org: OrganisationId) -> ActionResult<Places> {
    let services = ctx.store.services(org).await?;
    let mut names: HashMap<String, String> = HashMap::new();
    names.insert("organisation".into(), "Everyone in the organisation".into());
    for r in ctx.store.regions(org).await? {
        names.insert(scope_code(Scope::Region(r.region_id)), r.name);
    }
    for s in &services {
        names.insert(scope_code(Scope::Service(s.service_id)), s.name.clone());
    }
    Ok(Places {
        region_of: services
            .iter()
            .map(|s| (s.service_id, s.region_id))
            .collect(),
        names,
        services,
    })
}

impl Places {
    fn region(&self) -> impl Fn(ServiceId) -> Option<RegionId> + Copy + '_ {
        |s| self.region_of.get(&s).copied()
    }

    fn name(&self, scope: Scope) -> String {
        self.names
            .get(&scope_code(scope))
            .cloned()
            .unwrap_or_else(|| "A place no longer in the organisation".to_owned())
    }
}

/// Who has acknowledged a lesson.
async fn acknowledged(ctx: &Ctx, lesson: Uuid) -> ActionResult<Vec<UserId>> {
    Ok(ctx
        .store
        .acknowledgements(lesson)
        .await?
        .into_iter()
        .map(|(u, _)| u)
        .collect())
}

/// Of the staff whose grants touch a lesson's scope now, how many have
/// acknowledged it, and how many there are.
async fn reach(
    ctx: &Ctx,
    staff: &[(UserId, String, Vec<candour_domain::role::Grant>)],
    lesson: &Lesson,
    p: &Places,
) -> ActionResult<(usize, usize)> {
    let acks = acknowledged(ctx, lesson.lesson_id).await?;
    let audience: Vec<UserId> = staff
        .iter()
        .filter(|(_, _, g)| in_audience(g, lesson.scope, p.region()))
        .map(|(u, _, _)| *u)
        .collect();
    Ok((
        audience.iter().filter(|u| acks.contains(u)).count(),
        audience.len(),
    ))
}

/// A lesson in a list.
#[derive(Debug, Clone)]
pub struct LessonLine {
    /// The lesson.
    pub lesson: Lesson,
    /// Who it is for, in words.
    pub scope_name: String,
    /// When the reader acknowledged it, if they have (and are asked to).
    pub acknowledged_at: Option<Timestamp>,
    /// Whether the reader is asked to read it.
    pub asked: bool,
    /// For those who may publish to its scope: (acknowledged, asked).
    pub counts: Option<(usize, usize)>,
}

/// The lessons of the last two years the reader is asked to read or may
/// publish to, newest first.
pub async fn lessons_for(ctx: &Ctx, actor: &Actor) -> ActionResult<Vec<LessonLine>> {
    lessons_listed(ctx, actor, true).await
}

/// The lessons of the last [`LIST_DAYS`] the reader is asked to read or may
/// publish to; `with_counts` adds who has read each where they may publish.
async fn lessons_listed(
    ctx: &Ctx,
    actor: &Actor,
    with_counts: bool,
) -> ActionResult<Vec<LessonLine>> {
    let org = actor.organisation_id;
    let p = places(ctx, org).await?;
    let since = ctx
        .clock
        .now()
        .checked_sub(SignedDuration::from_hours(24 * LIST_DAYS))
        .unwrap_or(Timestamp::UNIX_EPOCH);
    let mine: HashMap<Uuid, Timestamp> = ctx
        .store
        .acknowledged_by(org, actor.user_id)
        .await?
        .into_iter()
        .collect();
    let staff = if with_counts {
        ctx.store.staff_with_grants(org).await?
    } else {
        Vec::new()
    };
    let mut out = Vec::new();
    for lesson in ctx.store.lessons_since(org, since).await? {
        let asked = in_audience(&actor.grants, lesson.scope, p.region());
        let manages = may_publish(&actor.grants, lesson.scope, p.region());
        if !asked && !manages {
            continue;
        }
        let counts = if manages && with_counts {
            Some(reach(ctx, &staff, &lesson, &p).await?)
        } else {
            None
        };
        out.push(LessonLine {
            scope_name: p.name(lesson.scope),
            acknowledged_at: mine.get(&lesson.lesson_id).copied(),
            asked,
            counts,
            lesson,
        });
    }
    Ok(out)
}

/// The lessons the reader is asked to read and has not acknowledged.
pub async fn to_read(ctx: &Ctx, actor: &Actor) -> ActionResult<Vec<LessonLine>> {
    Ok(lessons_listed(ctx, actor, false)
        .await?
        .into_iter()
        .filter(|l| l.asked && l.acknowledged_at.is_none())
        .collect())
}

/// One lesson as its page shows it.
#[derive(Debug, Clone)]
pub struct LessonView {
    /// The lesson, with the reader's acknowledgement.
    pub line: LessonLine,
    /// For those who may publish to its scope: everyone asked, by name, with when they acknowledged.
    pub audience: Option<Vec<(String, Option<Timestamp>)>>,
    /// The source incident, when the reader may open it.
    pub source_incident: Option<IncidentReference>,
}

/// A lesson for its page; `NotFound` for anyone neither asked to read it nor able to publish to its scope.
pub async fn lesson_view(ctx: &Ctx, actor: &Actor, id: Uuid) -> ActionResult<LessonView> {
    let org = actor.organisation_id;
    let lesson = ctx
        .store
        .lesson(org, id)
        .await?
        .ok_or(ActionError::NotFound)?;
    let p = places(ctx, org).await?;
    let asked = in_audience(&actor.grants, lesson.scope, p.region());
    let manages = may_publish(&actor.grants, lesson.scope, p.region());
    if !asked && !manages {
        return Err(ActionError::NotFound);
    }
    let acks: HashMap<UserId, Timestamp> =
        ctx.store.acknowledgements(id).await?.into_iter().collect();
    let audience: Vec<(String, Option<Timestamp>)> = ctx
        .store
        .staff_with_grants(org)
        .await?
        .into_iter()
        .filter(|(_, _, g)| in_audience(g, lesson.scope, p.region()))
        .map(|(u, name, _)| (name, acks.get(&u).copied()))
        .collect();
    let mut source_incident = None;
    if lesson.source == Source::Incident
        && let Some(r) = IncidentReference::parse(&lesson.source_ref)
        && let Some(i) = ctx.store.incident_by_reference(org, r).await?
        && p.services
            .iter()
            .any(|s| s.service_id == i.service_id && actor.can_in(Permission::ViewIncidents, s))
        && !ctx
            .store
            .is_hidden_from(i.incident_id, actor.user_id)
            .await?
    {
        source_incident = Some(r);
    }
    let counts = (
        audience.iter().filter(|(_, a)| a.is_some()).count(),
        audience.len(),
    );
    Ok(LessonView {
        line: LessonLine {
            scope_name: p.name(lesson.scope),
            acknowledged_at: acks.get(&actor.user_id).copied(),
            asked,
            counts: manages.then_some(counts),
            lesson,
        },
        audience: manages.then_some(audience),
        source_incident,
    })
}

/// A lesson in the board report: where it went and how many have read it.
#[derive(Debug, Clone)]
pub struct LessonReach {
    /// The lesson.
    pub lesson: Lesson,
    /// Who it is for, in words.
    pub scope_name: String,
    /// How many of those asked have acknowledged it.
    pub read: usize,
    /// How many are asked to read it.
    pub asked: usize,
}

/// The lessons of `org` published in `[from, to)` to a scope that takes
/// in any of `services`, oldest first, with how many have read each.
pub(crate) async fn lessons_reaching(
    ctx: &Ctx,
    org: OrganisationId,
    services: &[ServiceId],
    (from, to): (Timestamp, Timestamp),
) -> ActionResult<Vec<LessonReach>> {
    let p = places(ctx, org).await?;
    let staff = ctx.store.staff_with_grants(org).await?;
    let mut out = Vec::new();
    for lesson in ctx.store.lessons_since(org, from).await?.into_iter().rev() {
        if lesson.published_at >= to
            || !services.iter().any(|s| {
                candour_domain::lessons::overlaps(Scope::Service(*s), lesson.scope, p.region())
            })
        {
            continue;
        }
        let (read, asked) = reach(ctx, &staff, &lesson, &p).await?;
        out.push(LessonReach {
            scope_name: p.name(lesson.scope),
            read,
            asked,
            lesson,
        });
    }
    Ok(out)
}

/// The scopes the reader may publish to, as (code, name).
pub async fn publish_scopes(ctx: &Ctx, actor: &Actor) -> ActionResult<Vec<(String, String)>> {
    let p = places(ctx, actor.organisation_id).await?;
    let mut scopes = vec![Scope::Organisation];
    scopes.extend(
        ctx.store
            .regions(actor.organisation_id)
            .await?
            .into_iter()
            .map(|r| Scope::Region(r.region_id)),
    );
    scopes.extend(p.services.iter().map(|s| Scope::Service(s.service_id)));
    Ok(scopes
        .into_iter()
        .filter(|s| may_publish(&actor.grants, *s, p.region()))
        .map(|s| (scope_code(s), p.name(s)))
        .collect())
}

/// Publishes a lesson to a scope the reader triages over the whole of,
/// refusing one that names a person using a service in that scope; audited.
pub async fn publish_lesson(ctx: &Ctx, actor: &Actor, draft: &LessonDraft) -> ActionResult<Uuid> {
    let org = actor.organisation_id;
    let p = places(ctx, org).await?;
    let mut names = Vec::new();
    if let Some(scope) = candour_domain::lessons::parse_scope(draft.scope.trim()) {
        for s in p.services.iter().filter(|s| {
            candour_domain::lessons::overlaps(Scope::Service(s.service_id), scope, p.region())
        }) {
            names.extend(
                ctx.store
                    .current_people(org, s.service_id)
                    .await?
                    .into_iter()
                    .map(|x| x.display_name),
            );
        }
    }
    let lesson = draft.validate(&names).map_err(ActionError::Invalid)?;
    if !may_publish(&actor.grants, lesson.scope, p.region()) {
        return Err(ActionError::Forbidden);
    }
    if lesson.source == Source::Incident {
        let found = match IncidentReference::parse(&lesson.source_ref) {
            Some(r) => ctx.store.incident_by_reference(org, r).await?,
            None => None,
        };
        let found = super::about_staff::unless_hidden(ctx, actor, found).await?;
        if found.is_none() {
            let mut e = candour_domain::validation::FieldErrors::new();
            e.add("source_ref", "No incident has that reference");
            return Err(ActionError::Invalid(e));
        }
    }
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    let id = insert_lesson(&mut tx, org, &lesson, (actor.user_id, now.as_millisecond())).await?;
    append(
        &mut tx,
        &NewAuditEvent {
            organisation_id: org,
            occurred_at_ms: now.as_millisecond(),
            actor: &actor.audit_name(),
            action: "lesson.published",
            record_type: "lesson",
            record_id: &id.to_string(),
            changes: &super::created_changes(&[
                ("title", json!(lesson.title)),
                ("scope", json!(scope_code(lesson.scope))),
                ("source", json!(lesson.source.code())),
                ("source_ref", json!(lesson.source_ref)),
            ]),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Records that the reader has read and acknowledged a lesson they are
/// asked to read (once; a second time changes nothing); audited.
pub async fn acknowledge(ctx: &Ctx, actor: &Actor, id: Uuid) -> ActionResult<()> {
    let view = lesson_view(ctx, actor, id).await?;
    if !view.line.asked {
        return Err(ActionError::Forbidden);
    }
    let now = ctx.clock.now().as_millisecond();
    let mut tx = ctx.store.begin().await?;
    if insert_acknowledgement(&mut tx, id, actor.user_id, now).await? {
        append(
            &mut tx,
            &NewAuditEvent {
                organisation_id: actor.organisation_id,
                occurred_at_ms: now,
                actor: &actor.audit_name(),
                action: "lesson.acknowledged",
                record_type: "lesson",
                record_id: &id.to_string(),
                changes: &json!({"acknowledged_by": actor.user_id.to_string()}).to_string(),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Reminds by email everyone asked to read a lesson who has not
/// acknowledged it, 3 and 10 days after it was published, each reminder
/// once per person. Returns how many were queued.
pub async fn remind_lessons(ctx: &Ctx) -> ActionResult<usize> {
    let now = ctx.clock.now();
    let last = REMINDER_DAYS.iter().copied().max().unwrap_or(0);
    let from = now
        .checked_sub(SignedDuration::from_hours(24 * (last + 7)))
        .unwrap_or(Timestamp::UNIX_EPOCH);
    let mut queued = 0;
    let mut by_org: HashMap<OrganisationId, Vec<Lesson>> = HashMap::new();
    for l in ctx.store.lessons_published_between((from, now)).await? {
        by_org.entry(l.organisation_id).or_default().push(l);
    }
    for (org, lessons) in by_org {
        let p = places(ctx, org).await?;
        let staff = ctx.store.staff_with_grants(org).await?;
        for lesson in lessons {
            let due = reminders_due(lesson.published_at, now);
            let Some(&latest) = due.last() else { continue };
            let acked = acknowledged(ctx, lesson.lesson_id).await?;
            let mut tx = ctx.store.begin().await?;
            for (user, _, grants) in &staff {
                if acked.contains(user) || !in_audience(grants, lesson.scope, p.region()) {
                    continue;
                }
                // Only the latest reminder reached is sent; earlier ones missed are not sent late.
                let mut fresh = false;
                for i in &due {
                    fresh |=
                        claim_reminder(&mut tx, lesson.lesson_id, *user, *i, now.as_millisecond())
                            .await?
                            && *i == latest;
                }
                if !fresh {
                    continue;
                }
                let account = ctx.store.user(*user).await?;
                let email = crate::email::lesson_reminder(
                    ctx.public_url.as_deref(),
                    &lesson.title,
                    lesson.lesson_id,
                    &candour_domain::display::date(lesson.published_at),
                );
                enqueue_email(
                    &mut tx,
                    &NewEmail {
                        organisation_id: org,
                        to: &account.email,
                        subject: &email.subject,
                        body_text: &email.body,
                        body_html: None,
                    },
                    now.as_millisecond(),
                )
                .await?;
                queued += 1;
            }
            tx.commit().await?;
        }
    }
    Ok(queued)
}
