//! Setting up the organisation's structure: the organisation, its regions,
//! services and areas. Run by an administrator from the command line today.

use super::{ActionError, ActionResult, Ctx, created_changes};
use crate::store::StoreError;
use crate::store::audit::{NewAuditEvent, append};
use crate::store::organisations::{
    Area, Organisation, Region, Service, insert_area, insert_organisation, insert_region,
    insert_service,
};
use candour_domain::ids::{AreaId, OrganisationId, RegionId, ServiceId};
use candour_domain::organisation::{AreaKind, CqcLocationId, Nation, ServiceType};
use candour_domain::validation::FieldErrors;
use serde_json::json;

fn invalid(field: &str, message: impl Into<String>) -> ActionError {
    let mut e = FieldErrors::new();
    e.add(field, message);
    ActionError::Invalid(e)
}

fn required(field: &str, value: &str, what: &str) -> ActionResult<String> {
    let v = value.trim();
    if v.is_empty() {
        Err(invalid(field, format!("Enter {what}")))
    } else if v.chars().count() > 200 {
        Err(invalid(
            field,
            format!("{what} must be 200 characters or fewer"),
        ))
    } else {
        Ok(v.to_owned())
    }
}

/// Maps a uniqueness conflict to a field error saying the name is taken.
fn taken(e: StoreError, field: &str, name: &str) -> ActionError {
    match e {
        StoreError::Conflict { .. } => invalid(field, format!("{name:?} is already taken")),
        other => other.into(),
    }
}

async fn audit_created(
    tx: &mut crate::store::Tx,
    org: OrganisationId,
    now: i64,
    actor: &str,
    action: &str,
    record: (&str, String),
    fields: &[(&str, serde_json::Value)],
) -> ActionResult<()> {
    let changes = created_changes(fields);
    append(
        tx,
        &NewAuditEvent {
            organisation_id: org,
            occurred_at_ms: now,
            actor,
            action,
            record_type: record.0,
            record_id: &record.1,
            changes: &changes,
        },
    )
    .await?;
    Ok(())
}

/// Creates an organisation.
pub async fn create_organisation(ctx: &Ctx, name: &str, actor: &str) -> ActionResult<Organisation> {
    let org = Organisation {
        organisation_id: OrganisationId(uuid::Uuid::now_v7()),
        name: required("name", name, "the organisation's name")?,
    };
    let now = ctx.clock.now().as_millisecond();
    let mut tx = ctx.store.begin().await?;
    insert_organisation(&mut tx, &org, now).await?;
    // A new organisation requires a second factor of its managers.
    crate::store::settings::put_org_setting(
        &mut tx,
        org.organisation_id,
        super::second_factor::REQUIRED_KEY,
        "true",
        now,
    )
    .await?;
    audit_created(
        &mut tx,
        org.organisation_id,
        now,
        actor,
        "organisation.created",
        ("organisation", org.organisation_id.to_string()),
        &[
            ("name", json!(org.name)),
            (super::second_factor::REQUIRED_KEY, json!(true)),
        ],
    )
    .await?;
    tx.commit().await?;
    Ok(org)
}

/// Adds a region to an organisation.
pub async fn add_region(
    ctx: &Ctx,
    org: OrganisationId,
    name: &str,
    actor: &str,
) -> ActionResult<Region> {
    let region = Region {
        region_id: RegionId(uuid::Uuid::now_v7()),
        name: required("name", name, "the region's name")?,
    };
    // Names are looked up ignoring case, so they must be unique ignoring case.
    if ctx
        .store
        .regions(org)
        .await?
        .iter()
        .any(|r| r.name.eq_ignore_ascii_case(&region.name))
    {
        return Err(invalid(
            "name",
            format!("{:?} is already taken", region.name),
        ));
    }
    let now = ctx.clock.now().as_millisecond();
    let mut tx = ctx.store.begin().await?;
    insert_region(&mut tx, org, &region, now)
        .await
        .map_err(|e| taken(e, "name", &region.name))?;
    audit_created(
        &mut tx,
        org,
        now,
        actor,
        "region.added",
        ("region", region.region_id.to_string()),
        &[("name", json!(region.name))],
    )
    .await?;
    tx.commit().await?;
    Ok(region)
}

/// A service to add, as typed.
#[derive(Debug, Clone, Default)]
pub struct ServiceDraft {
    /// The region's name or id.
    pub region: String,
    /// The service's name.
    pub name: String,
    /// A [`ServiceType`] code.
    pub service_type: String,
    /// CQC location id, optional.
    pub cqc_location_id: String,
    /// Address.
    pub address: String,
    /// Postcode.
    pub postcode: String,
    /// A [`Nation`] code; empty means England and Wales.
    pub nation: String,
}

/// Adds a service (a CQC location) to a region of the organisation.
pub async fn add_service(
    ctx: &Ctx,
    org: OrganisationId,
    d: &ServiceDraft,
    actor: &str,
) -> ActionResult<Service> {
    let regions = ctx.store.regions(org).await?;
    let region = regions
        .iter()
        .find(|r| {
            r.name.eq_ignore_ascii_case(d.region.trim())
                || r.region_id.to_string() == d.region.trim()
        })
        .ok_or_else(|| {
            invalid(
                "region",
                format!("There is no region called {:?}", d.region.trim()),
            )
        })?;
    let service_type = ServiceType::parse(d.service_type.trim()).ok_or_else(|| {
        let codes: Vec<&str> = ServiceType::ALL.iter().map(|t| t.code()).collect();
        invalid(
            "type",
            format!("The type must be one of {}", codes.join(", ")),
        )
    })?;
    let cqc_location_id = match d.cqc_location_id.trim() {
        "" => None,
        s => Some(
            CqcLocationId::parse(s)
                .map_err(|m| invalid("cqc_location_id", m))?
                .as_str()
                .to_owned(),
        ),
    };
    let nation = match d.nation.trim() {
        "" => Nation::EnglandAndWales,
        s => Nation::parse(s).ok_or_else(|| {
            invalid(
                "nation",
                "The nation must be england_and_wales, scotland or northern_ireland",
            )
        })?,
    };
    let service = Service {
        service_id: ServiceId(uuid::Uuid::now_v7()),
        organisation_id: org,
        region_id: region.region_id,
        name: required("name", &d.name, "the service's name")?,
        cqc_location_id,
        service_type,
        address: required("address", &d.address, "the address")?,
        postcode: required("postcode", &d.postcode, "the postcode")?.to_uppercase(),
        nation,
    };
    if ctx
        .store
        .services(org)
        .await?
        .iter()
        .any(|s| s.name.eq_ignore_ascii_case(&service.name))
    {
        return Err(invalid(
            "name",
            format!("{:?} is already taken", service.name),
        ));
    }
    let now = ctx.clock.now().as_millisecond();
    let mut tx = ctx.store.begin().await?;
    insert_service(&mut tx, &service, now)
        .await
        .map_err(|e| taken(e, "name", &service.name))?;
    audit_created(
        &mut tx,
        org,
        now,
        actor,
        "service.added",
        ("service", service.service_id.to_string()),
        &[
            ("name", json!(service.name)),
            ("region_id", json!(service.region_id)),
            ("service_type", json!(service.service_type.code())),
            ("cqc_location_id", json!(service.cqc_location_id)),
            ("address", json!(service.address)),
            ("postcode", json!(service.postcode)),
            ("nation", json!(service.nation.code())),
        ],
    )
    .await?;
    tx.commit().await?;
    Ok(service)
}

/// Adds an area (floor, wing, unit, round or house) to a service.
pub async fn add_area(
    ctx: &Ctx,
    org: OrganisationId,
    service: &str,
    name: &str,
    kind: &str,
    actor: &str,
) -> ActionResult<Area> {
    let services = ctx.store.services(org).await?;
    let s = services
        .iter()
        .find(|s| {
            s.name.eq_ignore_ascii_case(service.trim())
                || s.service_id.to_string() == service.trim()
        })
        .ok_or_else(|| {
            invalid(
                "service",
                format!("There is no service called {:?}", service.trim()),
            )
        })?;
    let kind = AreaKind::parse(kind.trim())
        .ok_or_else(|| invalid("kind", "The kind must be floor, wing, unit, round or house"))?;
    let area = Area {
        area_id: AreaId(uuid::Uuid::now_v7()),
        service_id: s.service_id,
        name: required("name", name, "the area's name")?,
        kind,
    };
    if ctx
        .store
        .areas(org, s.service_id)
        .await?
        .iter()
        .any(|a| a.name.eq_ignore_ascii_case(&area.name))
    {
        return Err(invalid("name", format!("{:?} is already taken", area.name)));
    }
    let now = ctx.clock.now().as_millisecond();
    let mut tx = ctx.store.begin().await?;
    insert_area(&mut tx, org, &area, now)
        .await
        .map_err(|e| taken(e, "name", &area.name))?;
    audit_created(
        &mut tx,
        org,
        now,
        actor,
        "area.added",
        ("area", area.area_id.to_string()),
        &[
            ("name", json!(area.name)),
            ("service_id", json!(area.service_id)),
            ("kind", json!(area.kind.code())),
        ],
    )
    .await?;
    tx.commit().await?;
    Ok(area)
}
