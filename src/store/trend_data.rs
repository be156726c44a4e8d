//! What trends need besides incidents: changes recorded against a chart
//! (its limits are recalculated after each) and each service's occupied bed
//! days per month (the denominator of rates).

use super::{PortableRow, Store, StoreResult, Tx, millis_to_ts, on_read, on_tx};
use candour_domain::ids::{OrganisationId, ServiceId, UserId};
use candour_domain::role::Scope;
use jiff::Timestamp;
use jiff::civil::Date;
use uuid::Uuid;

/// A change recorded against a trend.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendChange {
    /// The day it took effect.
    pub starts_on: Date,
    /// What changed.
    pub label: String,
    /// Who recorded it (by name), and when.
    pub recorded: (String, Timestamp),
}

/// A month's occupied bed days of one service.
#[derive(Debug, Clone, PartialEq)]
pub struct Occupancy {
    /// The service.
    pub service_id: ServiceId,
    /// `YYYY-MM`.
    pub month: String,
    /// Occupied bed days.
    pub bed_days: u32,
    /// Version, for changes.
    pub version: i64,
    /// Who last changed it (by name), and when.
    pub updated: (String, Timestamp),
}

/// Records a change against `measure` in `scope`; returns its id.
pub async fn insert_change(
    tx: &mut Tx,
    org: OrganisationId,
    (scope, measure): (Scope, &str),
    (starts_on, label): (Date, &str),
    (by, now_ms): (UserId, i64),
) -> StoreResult<Uuid> {
    let id = Uuid::now_v7();
    let (region, service) = super::users::scope_columns(scope);
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into spc_change (change_id, organisation_id, scope_kind, region_id, service_id, measure, \
             starts_on, label, recorded_by, recorded_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(id)
        .bind(org.0)
        .bind(scope.kind_code())
        .bind(region)
        .bind(service)
        .bind(measure)
        .bind(starts_on.to_string())
        .bind(label)
        .bind(by.0)
        .bind(now_ms)
        .execute(&mut *c)
        .await?;
    });
    Ok(id)
}

/// Saves a month's occupied bed days for a service at `version` (0: none
/// yet). `false` when someone else saved it first.
pub async fn save_occupancy(
    tx: &mut Tx,
    (org, service): (OrganisationId, ServiceId),
    (month, bed_days): (&str, u32),
    version: i64,
    (by, now_ms): (UserId, i64),
) -> StoreResult<bool> {
    let days = i64::from(bed_days);
    let n = on_tx!(tx, |c| {
        if version == 0 {
            sqlx::query(
                "insert into service_occupancy (service_id, month, organisation_id, bed_days, version, updated_by, updated_at) \
                 values ($1, $2, $3, $4, 1, $5, $6) on conflict (service_id, month) do nothing",
            )
            .bind(service.0)
            .bind(month)
            .bind(org.0)
            .bind(days)
            .bind(by.0)
            .bind(now_ms)
            .execute(&mut *c)
            .await?
            .rows_affected()
        } else {
            sqlx::query(
                "update service_occupancy set bed_days = $1, version = version + 1, updated_by = $2, updated_at = $3 \
                 where service_id = $4 and month = $5 and organisation_id = $6 and version = $7",
            )
            .bind(days)
            .bind(by.0)
            .bind(now_ms)
            .bind(service.0)
            .bind(month)
            .bind(org.0)
            .bind(version)
            .execute(&mut *c)
            .await?
            .rows_affected()
        }
    });
    Ok(n == 1)
}

impl Store {
    /// The changes recorded against `measure` in exactly `scope`, oldest first.
    pub async fn trend_changes(
        &self,
        org: OrganisationId,
        scope: Scope,
        measure: &str,
    ) -> StoreResult<Vec<TrendChange>> {
        let (region, service) = super::users::scope_columns(scope);
        on_read!(self, |p| {
            let rows = sqlx::query(
                "select c.starts_on, c.label, u.display_name, c.recorded_at from spc_change c \
                 join app_user u on u.user_id = c.recorded_by \
                 where c.organisation_id = $1 and c.scope_kind = $2 and c.measure = $3 \
                 and (($4 is null and c.region_id is null) or c.region_id = $4) \
                 and (($5 is null and c.service_id is null) or c.service_id = $5) \
                 order by c.starts_on, c.recorded_at",
            )
            .bind(org.0)
            .bind(scope.kind_code())
            .bind(measure)
            .bind(region)
            .bind(service)
            .fetch_all(p)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(TrendChange {
                        starts_on: super::parse_code(
                            &r.text("starts_on")?,
                            |s| s.parse::<Date>().ok(),
                            "change date",
                        )?,
                        label: r.text("label")?,
                        recorded: (
                            r.text("display_name")?,
                            millis_to_ts(r.int("recorded_at")?)?,
                        ),
                    })
                })
                .collect()
        })
    }

    /// The occupied bed days recorded for `services` in `org`.
    pub async fn occupancy(
        &self,
        org: OrganisationId,
        services: &[ServiceId],
    ) -> StoreResult<Vec<Occupancy>> {
        let mut out = Vec::new();
        for service in services {
            let rows = on_read!(self, |p| {
                let rows = sqlx::query(
                    "select o.month, o.bed_days, o.version, u.display_name, o.updated_at from service_occupancy o \
                     join app_user u on u.user_id = o.updated_by \
                     where o.organisation_id = $1 and o.service_id = $2 order by o.month",
                )
                .bind(org.0)
                .bind(service.0)
                .fetch_all(p)
                .await?;
                rows.iter()
                    .map(|r| {
                        Ok(Occupancy {
                            service_id: *service,
                            month: r.text("month")?,
                            bed_days: u32::try_from(r.int("bed_days")?).unwrap_or(0),
                            version: r.int("version")?,
                            updated: (r.text("display_name")?, millis_to_ts(r.int("updated_at")?)?),
                        })
                    })
                    .collect::<StoreResult<Vec<_>>>()?
            });
            out.extend(rows);
        }
        Ok(out)
    }
}
