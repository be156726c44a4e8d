//! Organisations, regions, services and areas.

use super::{PortableRow, Store, StoreResult, Tx, on_read, on_tx, parse_code};
use candour_domain::ids::{AreaId, OrganisationId, RegionId, ServiceId};
use candour_domain::organisation::{AreaKind, Nation, ServiceType};

/// A stored organisation.
#[derive(Debug, Clone, PartialEq)]
pub struct Organisation {
    /// Its id.
    pub organisation_id: OrganisationId,
    /// Its name.
    pub name: String,
}

/// A stored region.
#[derive(Debug, Clone, PartialEq)]
pub struct Region {
    /// Its id.
    pub region_id: RegionId,
    /// Its name.
    pub name: String,
}

/// A stored service (one CQC location).
#[derive(Debug, Clone, PartialEq)]
pub struct Service {
    /// Its id.
    pub service_id: ServiceId,
    /// The organisation it belongs to.
    pub organisation_id: OrganisationId,
    /// The region it is in.
    pub region_id: RegionId,
    /// Its name.
    pub name: String,
    /// CQC location id, when registered.
    pub cqc_location_id: Option<String>,
    /// The kind of service.
    pub service_type: ServiceType,
    /// First lines of the address.
    pub address: String,
    /// Postcode.
    pub postcode: String,
    /// Nation (for bank holidays).
    pub nation: Nation,
}

/// A stored area within a service.
#[derive(Debug, Clone, PartialEq)]
pub struct Area {
    /// Its id.
    pub area_id: AreaId,
    /// The service it is part of.
    pub service_id: ServiceId,
    /// Its name.
    pub name: String,
    /// Floor, wing, unit, round or house.
    pub kind: AreaKind,
}

pub(crate) fn service_from(r: &impl PortableRow) -> StoreResult<Service> {
    Ok(Service {
        service_id: ServiceId(r.uuid("service_id")?),
        organisation_id: OrganisationId(r.uuid("organisation_id")?),
        region_id: RegionId(r.uuid("region_id")?),
        name: r.text("name")?,
        cqc_location_id: r.opt_text("cqc_location_id")?,
        service_type: parse_code(&r.text("service_type")?, ServiceType::parse, "service type")?,
        address: r.text("address")?,
        postcode: r.text("postcode")?,
        nation: parse_code(&r.text("nation")?, Nation::parse, "nation")?,
    })
}

pub(crate) const SERVICE_COLUMNS: &str = "service_id, organisation_id, region_id, name, cqc_location_id, service_type, address, postcode, nation";

/// Inserts an organisation.
pub async fn insert_organisation(tx: &mut Tx, org: &Organisation, now_ms: i64) -> StoreResult<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into organisation (organisation_id, name, created_at) values ($1, $2, $3)",
        )
        .bind(org.organisation_id.0)
        .bind(&org.name)
        .bind(now_ms)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

/// Inserts a region of `org`.
pub async fn insert_region(
    tx: &mut Tx,
    org: OrganisationId,
    region: &Region,
    now_ms: i64,
) -> StoreResult<()> {
    on_tx!(tx, |c| {
        sqlx::query("insert into region (region_id, organisation_id, name, created_at) values ($1, $2, $3, $4)")
            .bind(region.region_id.0)
            .bind(org.0)
            .bind(&region.name)
            .bind(now_ms)
            .execute(&mut *c)
            .await?;
    });
    Ok(())
}

/// Inserts a service.
pub async fn insert_service(tx: &mut Tx, s: &Service, now_ms: i64) -> StoreResult<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into service (service_id, organisation_id, region_id, name, cqc_location_id, service_type, address, postcode, nation, created_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(s.service_id.0)
        .bind(s.organisation_id.0)
        .bind(s.region_id.0)
        .bind(&s.name)
        .bind(&s.cqc_location_id)
        .bind(s.service_type.code())
        .bind(&s.address)
        .bind(&s.postcode)
        .bind(s.nation.code())
        .bind(now_ms)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

/// Inserts an area of a service in `org`.
pub async fn insert_area(
    tx: &mut Tx,
    org: OrganisationId,
    a: &Area,
    now_ms: i64,
) -> StoreResult<()> {
    on_tx!(tx, |c| {
        sqlx::query("insert into area (area_id, organisation_id, service_id, name, kind, created_at) values ($1, $2, $3, $4, $5, $6)")
            .bind(a.area_id.0)
            .bind(org.0)
            .bind(a.service_id.0)
            .bind(&a.name)
            .bind(a.kind.code())
            .bind(now_ms)
            .execute(&mut *c)
            .await?;
    });
    Ok(())
}

impl Store {
    /// One organisation by id.
    pub async fn organisation(&self, org: OrganisationId) -> StoreResult<Organisation> {
        on_read!(self, |p| {
            let r = sqlx::query(
                "select organisation_id, name from organisation where organisation_id = $1",
            )
            .bind(org.0)
            .fetch_one(p)
            .await?;
            Ok(Organisation {
                organisation_id: OrganisationId(r.uuid("organisation_id")?),
                name: r.text("name")?,
            })
        })
    }

    /// Every organisation (for `candour audit verify`).
    pub async fn organisation_ids(&self) -> StoreResult<Vec<OrganisationId>> {
        on_read!(self, |p| {
            let rows =
                sqlx::query("select organisation_id from organisation order by organisation_id")
                    .fetch_all(p)
                    .await?;
            rows.iter()
                .map(|r| Ok(OrganisationId(r.uuid("organisation_id")?)))
                .collect()
        })
    }

    /// Every service of an organisation, by name.
    pub async fn services(&self, org: OrganisationId) -> StoreResult<Vec<Service>> {
        let sql = format!(
            "select {SERVICE_COLUMNS} from service where organisation_id = $1 order by name"
        );
        on_read!(self, |p| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(org.0)
                .fetch_all(p)
                .await?;
            rows.iter().map(service_from).collect()
        })
    }

    /// An organisation's services by id.
    pub async fn services_by_id(
        &self,
        org: OrganisationId,
    ) -> StoreResult<std::collections::HashMap<ServiceId, Service>> {
        Ok(self
            .services(org)
            .await?
            .into_iter()
            .map(|s| (s.service_id, s))
            .collect())
    }

    /// One service of an organisation; `NotFound` when it is another organisation's.
    pub async fn service(&self, org: OrganisationId, id: ServiceId) -> StoreResult<Service> {
        let sql = format!(
            "select {SERVICE_COLUMNS} from service where organisation_id = $1 and service_id = $2"
        );
        on_read!(self, |p| {
            let r = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(org.0)
                .bind(id.0)
                .fetch_one(p)
                .await?;
            service_from(&r)
        })
    }

    /// Regions of an organisation, by name.
    pub async fn regions(&self, org: OrganisationId) -> StoreResult<Vec<Region>> {
        on_read!(self, |p| {
            let rows = sqlx::query(
                "select region_id, name from region where organisation_id = $1 order by name",
            )
            .bind(org.0)
            .fetch_all(p)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(Region {
                        region_id: RegionId(r.uuid("region_id")?),
                        name: r.text("name")?,
                    })
                })
                .collect()
        })
    }

    /// Areas of a service, by name.
    pub async fn areas(&self, org: OrganisationId, service: ServiceId) -> StoreResult<Vec<Area>> {
        on_read!(self, |p| {
            let rows = sqlx::query(
                "select area_id, service_id, name, kind from area where organisation_id = $1 and service_id = $2 order by name",
            )
            .bind(org.0)
            .bind(service.0)
            .fetch_all(p)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(Area {
                        area_id: AreaId(r.uuid("area_id")?),
                        service_id: ServiceId(r.uuid("service_id")?),
                        name: r.text("name")?,
                        kind: parse_code(&r.text("kind")?, AreaKind::parse, "area kind")?,
                    })
                })
                .collect()
        })
    }
}
