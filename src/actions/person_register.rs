//! Keeping the people register true: a registered manager changes a
//! person's details and records their status with the date it began
//! (living at the service or receiving care, in hospital, on leave, moved
//! out, died). Each change is kept as a version with who and when, and a
//! change made on an older version is refused, naming who changed it since.
//! Someone who moved out or died is no longer offered in new reports but
//! keeps every record; recording a death offers to report it.

use super::{ActionError, ActionResult, Actor, Ctx, service_where};
use crate::store::audit::{NewAuditEvent, append};
use crate::store::people::{
    Person, PersonDetails, PersonVersion, insert_person_version, update_person,
};
use candour_domain::display::date_time_ms;
use candour_domain::ids::{OrganisationId, PersonId, UserId};
use candour_domain::incident::{Category, london};
use candour_domain::organisation::{Funding, PersonStatus};
use candour_domain::person::{PersonDraft, RegisterDraft, StatusDraft};
use candour_domain::role::Permission;
use candour_domain::validation::FieldErrors;
use serde_json::{Value, json};

/// A person as their register page shows them, for someone who may change them.
#[derive(Debug, Clone)]
pub struct RegisterView {
    /// The person.
    pub person: Person,
    /// Their register details and version.
    pub details: PersonDetails,
    /// Their service.
    pub service: crate::store::organisations::Service,
}

/// A person `actor` may manage in the register.
pub async fn register_view(ctx: &Ctx, actor: &Actor, id: PersonId) -> ActionResult<RegisterView> {
    let org = actor.organisation_id;
    let (person, details) = match ctx.store.person_with_details(org, id).await {
        Ok(found) => found,
        Err(crate::store::StoreError::NotFound) => return Err(ActionError::NotFound),
        Err(e) => return Err(e.into()),
    };
    let service = service_where(ctx, actor, person.service_id, Permission::ManagePeople).await?;
    Ok(RegisterView {
        person,
        details,
        service,
    })
}

/// The details kept in each version, as JSON.
pub(crate) fn snapshot(p: &Person, d: &PersonDetails) -> Value {
    json!({
        "display_name": p.display_name,
        "preferred_name": d.preferred_name,
        "date_of_birth": p.date_of_birth,
        "nhs_number": p.nhs_number,
        "area_id": p.area_id,
        "room": p.room,
        "funding": d.funding,
        "status": p.status.code(),
        "status_since": d.status_since,
    })
}

/// The changed details of an edit: name, preferred name, date of birth, NHS
/// number, area, room, funding.
#[derive(Debug, Clone, Default)]
pub struct DetailsDraft {
    /// The person's details (start date and status are left as they are).
    pub person: PersonDraft,
    /// Preferred name and funding.
    pub register: RegisterDraft,
}

/// Writes a new version of `v`'s person as `(person, details)`, audited as
/// `action`; `expected` is the version the change was made on.
async fn write(
    ctx: &Ctx,
    actor: &Actor,
    v: &RegisterView,
    (person, mut details): (Person, PersonDetails),
    (expected, action): (i64, &str),
) -> ActionResult<()> {
    let org = actor.organisation_id;
    if expected != v.details.version {
        return Err(stale(ctx, org, v).await);
    }
    let now = ctx.clock.now().as_millisecond();
    details.version = expected + 1;
    let before = snapshot(&v.person, &v.details);
    let after = snapshot(&person, &details);
    let mut tx = ctx.store.begin().await?;
    if !update_person(&mut tx, org, (&person, &details), expected, now).await? {
        return Err(stale(ctx, org, v).await);
    }
    // A person added before versions were kept gets their earlier details
    // as the version before this one, so the history starts from them.
    if expected >= 1
        && ctx
            .store
            .person_versions(org, person.person_id)
            .await?
            .is_empty()
    {
        let earlier = PersonVersion {
            version: expected,
            details: before.to_string(),
            changed_by: None,
            changed_at_ms: now,
        };
        insert_person_version(&mut tx, org, person.person_id, &earlier).await?;
    }
    let kept = PersonVersion {
        version: details.version,
        details: after.to_string(),
        changed_by: Some(actor.user_id),
        changed_at_ms: now,
    };
    insert_person_version(&mut tx, org, person.person_id, &kept).await?;
    let mut changes = serde_json::Map::new();
    if let (Value::Object(b), Value::Object(a)) = (&before, &after) {
        for (k, new) in a {
            let old = b.get(k).cloned().unwrap_or(Value::Null);
            if &old != new {
                changes.insert(k.clone(), json!({"before": old, "after": new}));
            }
        }
    }
    append(
        &mut tx,
        &NewAuditEvent {
            organisation_id: org,
            occurred_at_ms: now,
            actor: &actor.audit_name(),
            action,
            record_type: "person",
            record_id: &person.person_id.to_string(),
            changes: &Value::Object(changes).to_string(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The conflict for a change made on an older version: who changed the
/// record since, and when.
async fn stale(ctx: &Ctx, org: OrganisationId, v: &RegisterView) -> ActionError {
    let latest = ctx
        .store
        .person_versions(org, v.person.person_id)
        .await
        .ok()
        .and_then(|vs| vs.into_iter().next());
    let by = match latest.as_ref().and_then(|l| l.changed_by) {
        Some(u) => ctx
            .store
            .user(u)
            .await
            .map(|u| u.display_name)
            .unwrap_or_else(|_| "Someone".to_owned()),
        None => "Someone".to_owned(),
    };
    let when = latest
        .map(|l| format!(" at {}", date_time_ms(l.changed_at_ms)))
        .unwrap_or_default();
    ActionError::Conflict(format!(
        "{by} changed {}'s details{when}, after you opened them. Look at them again and make your change.",
        v.person.internal_code
    ))
}

/// Changes a person's details, made on `version`.
pub async fn edit_person(
    ctx: &Ctx,
    actor: &Actor,
    id: PersonId,
    draft: &DetailsDraft,
    version: i64,
) -> ActionResult<()> {
    let v = register_view(ctx, actor, id).await?;
    let today = ctx.clock.now().to_zoned(london()).date();
    let full = PersonDraft {
        start_date: v.person.start_date.clone(),
        status: v.person.status.code().to_owned(),
        ..draft.person.clone()
    };
    let mut errors = FieldErrors::new();
    let person = full.validate(today).map_err(|e| errors.0.extend(e.0)).ok();
    let register = draft
        .register
        .validate()
        .map_err(|e| errors.0.extend(e.0))
        .ok();
    if let Some(area) = person.as_ref().and_then(|p| p.area_id) {
        let areas = ctx
            .store
            .areas(actor.organisation_id, v.service.service_id)
            .await?;
        if !areas.iter().any(|a| a.area_id == area) {
            errors.add("area_id", format!("Choose an area of {}", v.service.name));
        }
    }
    let (Some(new), Some(register)) = (person, register) else {
        return Err(ActionError::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(ActionError::Invalid(errors));
    }
    let person = Person {
        display_name: new.display_name,
        date_of_birth: new.date_of_birth.map(|d| d.to_string()),
        nhs_number: new.nhs_number.map(|n| n.as_str().to_owned()),
        area_id: new.area_id,
        room: new.room,
        ..v.person.clone()
    };
    let details = PersonDetails {
        preferred_name: register.preferred_name,
        funding: register.funding.map(|f| f.code().to_owned()),
        ..v.details.clone()
    };
    if version != v.details.version {
        return Err(stale(ctx, actor.organisation_id, &v).await);
    }
    if snapshot(&person, &details) == snapshot(&v.person, &v.details) {
        return Err(ActionError::Refused(vec![
            "Nothing was changed: change a detail first".to_owned(),
        ]));
    }
    write(
        ctx,
        actor,
        &v,
        (person, details),
        (version, "person.changed"),
    )
    .await
}

/// What recording a status led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusRecorded {
    /// They died and no report of category death names them: offer to report it.
    pub offer_death_report: bool,
}

/// Records a person's new status and the date it began, made on `version`.
pub async fn record_status(
    ctx: &Ctx,
    actor: &Actor,
    id: PersonId,
    draft: &StatusDraft,
    version: i64,
) -> ActionResult<StatusRecorded> {
    let v = register_view(ctx, actor, id).await?;
    let today = ctx.clock.now().to_zoned(london()).date();
    let start = v
        .person
        .start_date
        .parse()
        .map_err(|e| ActionError::Internal(anyhow::anyhow!("a stored start date: {e}")))?;
    let (status, since) = draft
        .validate(start, today, v.person.status)
        .map_err(ActionError::Invalid)?;
    let person = Person {
        status,
        ..v.person.clone()
    };
    let details = PersonDetails {
        status_since: Some(since.to_string()),
        ..v.details.clone()
    };
    write(
        ctx,
        actor,
        &v,
        (person, details),
        (version, "person.status_recorded"),
    )
    .await?;
    let offer_death_report = status == PersonStatus::Deceased && {
        let filter = crate::store::incidents::IncidentFilter {
            person: Some(id),
            category: Some(Category::Death),
            ..Default::default()
        };
        ctx.store
            .incidents_in_services(
                actor.organisation_id,
                &[v.service.service_id],
                &filter,
                None,
                1,
            )
            .await?
            .is_empty()
    };
    Ok(StatusRecorded { offer_death_report })
}

/// One change in a person's history.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryLine {
    /// When, as words.
    pub at: String,
    /// Who, by name ("Candour" for a command or import).
    pub by: String,
    /// What changed, as words: "Room: 12 → 14".
    pub changes: Vec<String>,
}

fn words(field: &str, value: &Value, areas: &[crate::store::organisations::Area]) -> String {
    let text = match value {
        Value::Null => return "(none)".to_owned(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    match field {
        "status" => PersonStatus::parse(&text).map_or(text, |s| s.label().to_owned()),
        "funding" => Funding::parse(&text).map_or(text, |f| f.label().to_owned()),
        "area_id" => areas
            .iter()
            .find(|a| a.area_id.to_string() == text)
            .map_or(text, |a| a.name.clone()),
        "date_of_birth" | "status_since" => text
            .parse()
            .map(candour_domain::display::civil_date)
            .unwrap_or(text),
        _ => text,
    }
}

fn label(field: &str) -> &str {
    match field {
        "display_name" => "Name",
        "preferred_name" => "Preferred name",
        "date_of_birth" => "Date of birth",
        "nhs_number" => "NHS number",
        "area_id" => "Area",
        "room" => "Room",
        "funding" => "Funding",
        "status" => "Status",
        "status_since" => "Since",
        other => other,
    }
}

/// A person's history, newest first: each kept version with who, when and
/// what it changed from the one before.
pub async fn person_history(
    ctx: &Ctx,
    actor: &Actor,
    id: PersonId,
) -> ActionResult<Vec<HistoryLine>> {
    let v = register_view(ctx, actor, id).await?;
    let org = actor.organisation_id;
    let versions = ctx.store.person_versions(org, id).await?;
    let areas = ctx.store.areas(org, v.service.service_id).await?;
    let staff = ctx.store.users(org).await?;
    let name_of = |u: Option<UserId>| {
        u.and_then(|u| staff.iter().find(|s| s.user_id == u))
            .map_or_else(|| "Candour".to_owned(), |s| s.display_name.clone())
    };
    let parsed: Vec<Value> = versions
        .iter()
        .map(|x| serde_json::from_str(&x.details).unwrap_or(Value::Null))
        .collect();
    let mut lines = Vec::new();
    for (i, x) in versions.iter().enumerate() {
        let now = &parsed[i];
        let changes = match parsed.get(i + 1) {
            Some(Value::Object(before)) => now
                .as_object()
                .map(|after| {
                    after
                        .iter()
                        .filter(|(k, val)| before.get(*k).unwrap_or(&Value::Null) != *val)
                        .map(|(k, val)| {
                            let old = before.get(k).unwrap_or(&Value::Null);
                            format!(
                                "{}: {} → {}",
                                label(k),
                                words(k, old, &areas),
                                words(k, val, &areas)
                            )
                        })
                        .collect()
                })
                .unwrap_or_default(),
            _ if x.changed_by.is_some() => vec!["Added to the register".to_owned()],
            _ => vec!["Details as first kept".to_owned()],
        };
        // The details a person had before changes were kept: when and by
        // whom they were recorded is not known.
        let before_history = i + 1 == versions.len() && x.changed_by.is_none();
        lines.push(HistoryLine {
            at: if before_history {
                "Before changes were kept".to_owned()
            } else {
                date_time_ms(x.changed_at_ms)
            },
            by: if before_history {
                "Not known".to_owned()
            } else {
                name_of(x.changed_by)
            },
            changes,
        });
    }
    Ok(lines)
}

/// The services whose register `actor` may read (or manage).
async fn register_services(
    ctx: &Ctx,
    actor: &Actor,
) -> ActionResult<Vec<crate::store::organisations::Service>> {
    let mut found = super::services_where(ctx, actor, Permission::ViewPeopleRegister).await?;
    for s in super::services_where(ctx, actor, Permission::ManagePeople).await? {
        if !found.iter().any(|f| f.service_id == s.service_id) {
            found.push(s);
        }
    }
    Ok(found)
}

/// People with their register details, for a client keeping in step: in
/// the services whose register `actor` may read (or only `service`), in
/// the order they were added, after `after`, at most `limit`.
pub async fn people_page(
    ctx: &Ctx,
    actor: &Actor,
    (service, status): (Option<candour_domain::ids::ServiceId>, Option<PersonStatus>),
    after: Option<PersonId>,
    limit: i64,
) -> ActionResult<Vec<(Person, PersonDetails)>> {
    let mut services: Vec<_> = register_services(ctx, actor)
        .await?
        .into_iter()
        .map(|s| s.service_id)
        .collect();
    if let Some(only) = service {
        if !services.contains(&only) {
            // Another organisation's service, or one not theirs: not found, or not allowed.
            ctx.store.service(actor.organisation_id, only).await?;
            return Err(ActionError::Forbidden);
        }
        services = vec![only];
    }
    if services.is_empty() {
        return Err(ActionError::Forbidden);
    }
    Ok(ctx
        .store
        .people_page(
            actor.organisation_id,
            &services,
            (status, after),
            limit.clamp(1, 500),
        )
        .await?)
}

/// One person with their register details, for someone who may read the
/// register of their service.
pub async fn person_record(
    ctx: &Ctx,
    actor: &Actor,
    id: PersonId,
) -> ActionResult<(Person, PersonDetails)> {
    let org = actor.organisation_id;
    let found = match ctx.store.person_with_details(org, id).await {
        Ok(found) => found,
        Err(crate::store::StoreError::NotFound) => return Err(ActionError::NotFound),
        Err(e) => return Err(e.into()),
    };
    let services = register_services(ctx, actor).await?;
    if !services.iter().any(|s| s.service_id == found.0.service_id) {
        return Err(ActionError::Forbidden);
    }
    Ok(found)
}
