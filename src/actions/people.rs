//! The register of people using a service: listing and adding.

use super::{ActionError, ActionResult, Actor, Ctx, created_changes, service_where};
use crate::store::audit::{NewAuditEvent, append};
use crate::store::counters::reserve_numbers;
use crate::store::organisations::Service;
use crate::store::people::{Person, insert_person};
use candour_domain::ids::{PersonId, ServiceId};
use candour_domain::incident::london;
use candour_domain::person::PersonDraft;
use candour_domain::role::Permission;
use candour_domain::validation::FieldErrors;
use serde_json::json;

/// People currently using a service, for someone who may see or manage the register.
pub async fn list_people(
    ctx: &Ctx,
    actor: &Actor,
    service: ServiceId,
) -> ActionResult<(Service, Vec<Person>)> {
    let s = ctx.store.service(actor.organisation_id, service).await?;
    if !actor.can_in(Permission::ViewPeopleRegister, &s)
        && !actor.can_in(Permission::ManagePeople, &s)
    {
        return Err(ActionError::Forbidden);
    }
    let people = ctx
        .store
        .current_people(actor.organisation_id, s.service_id)
        .await?;
    Ok((s, people))
}

/// Adds a person to a service's register. They get the next internal code
/// (`P-000123`), used wherever a name is not needed.
pub async fn add_person(
    ctx: &Ctx,
    actor: &Actor,
    service: ServiceId,
    draft: &PersonDraft,
) -> ActionResult<Person> {
    let s = service_where(ctx, actor, service, Permission::ManagePeople).await?;
    let today = ctx.clock.now().to_zoned(london()).date();
    let new = draft.validate(today).map_err(ActionError::Invalid)?;
    if let Some(area) = new.area_id {
        let areas = ctx.store.areas(actor.organisation_id, s.service_id).await?;
        if !areas.iter().any(|a| a.area_id == area) {
            let mut e = FieldErrors::new();
            e.add("area_id", format!("Choose an area of {}", s.name));
            return Err(ActionError::Invalid(e));
        }
    }
    let now = ctx.clock.now().as_millisecond();
    let mut tx = ctx.store.begin().await?;
    let number = reserve_numbers(&mut tx, actor.organisation_id, "P", 1).await?;
    let person = Person {
        person_id: PersonId(uuid::Uuid::now_v7()),
        service_id: s.service_id,
        internal_code: format!("P-{number:06}"),
        display_name: new.display_name,
        date_of_birth: new.date_of_birth.map(|d| d.to_string()),
        nhs_number: new.nhs_number.map(|n| n.as_str().to_owned()),
        area_id: new.area_id,
        room: new.room,
        start_date: new.start_date.to_string(),
        status: new.status,
    };
    insert_person(&mut tx, actor.organisation_id, &person, now).await?;
    let first = crate::store::people::PersonVersion {
        version: 1,
        details: super::person_register::snapshot(
            &person,
            &crate::store::people::PersonDetails {
                version: 1,
                ..Default::default()
            },
        )
        .to_string(),
        changed_by: Some(actor.user_id),
        changed_at_ms: now,
    };
    crate::store::people::insert_person_version(
        &mut tx,
        actor.organisation_id,
        person.person_id,
        &first,
    )
    .await?;
    let changes = created_changes(&[
        ("internal_code", json!(person.internal_code)),
        ("service_id", json!(person.service_id)),
        ("display_name", json!(person.display_name)),
        ("date_of_birth", json!(person.date_of_birth)),
        ("nhs_number", json!(person.nhs_number)),
        ("area_id", json!(person.area_id)),
        ("room", json!(person.room)),
        ("start_date", json!(person.start_date)),
        ("status", json!(person.status.code())),
    ]);
    append(
        &mut tx,
        &NewAuditEvent {
            organisation_id: actor.organisation_id,
            occurred_at_ms: now,
            actor: &actor.audit_name(),
            action: "person.added",
            record_type: "person",
            record_id: &person.person_id.to_string(),
            changes: &changes,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(person)
}
