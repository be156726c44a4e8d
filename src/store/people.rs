//! People using services (the register a reporter picks from).

use super::{PortableRow, Store, StoreResult, Tx, on_read, on_tx, parse_code};
use candour_domain::ids::{AreaId, OrganisationId, PersonId, ServiceId};
use candour_domain::organisation::PersonStatus;

/// A person using a service.
#[derive(Debug, Clone, PartialEq)]
pub struct Person {
    /// Their id.
    pub person_id: PersonId,
    /// The service they use.
    pub service_id: ServiceId,
    /// The internal code used wherever a name is not needed, such as `AH-0012`.
    pub internal_code: String,
    /// The name staff know them by.
    pub display_name: String,
    /// Date of birth, ISO.
    pub date_of_birth: Option<String>,
    /// NHS number, ten digits.
    pub nhs_number: Option<String>,
    /// Area they live in or are supported in.
    pub area_id: Option<AreaId>,
    /// Room, flat or address line.
    pub room: Option<String>,
    /// Date they started using the service, ISO.
    pub start_date: String,
    /// Whether they use the service now.
    pub status: PersonStatus,
}

fn person_from(r: &(impl PortableRow + ?Sized)) -> StoreResult<Person> {
    Ok(Person {
        person_id: PersonId(r.uuid("person_id")?),
        service_id: ServiceId(r.uuid("service_id")?),
        internal_code: r.text("internal_code")?,
        display_name: r.text("display_name")?,
        date_of_birth: r.opt_text("date_of_birth")?,
        nhs_number: r.opt_text("nhs_number")?,
        area_id: r.opt_uuid("area_id")?.map(AreaId),
        room: r.opt_text("room")?,
        start_date: r.text("start_date")?,
        status: parse_code(&r.text("status")?, PersonStatus::parse, "person status")?,
    })
}

const PERSON_COLUMNS: &str = "person_id, service_id, internal_code, display_name, date_of_birth, nhs_number, area_id, room, start_date, status";

/// Inserts a person into `org`.
pub async fn insert_person(
    tx: &mut Tx,
    org: OrganisationId,
    p: &Person,
    now_ms: i64,
) -> StoreResult<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into person (person_id, organisation_id, service_id, internal_code, display_name, date_of_birth, nhs_number, area_id, room, start_date, status, version, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1, $12, $12)",
        )
        .bind(p.person_id.0)
        .bind(org.0)
        .bind(p.service_id.0)
        .bind(&p.internal_code)
        .bind(&p.display_name)
        .bind(&p.date_of_birth)
        .bind(&p.nhs_number)
        .bind(p.area_id.map(|a| a.0))
        .bind(&p.room)
        .bind(&p.start_date)
        .bind(p.status.code())
        .bind(now_ms)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

impl Store {
    /// People currently using a service (active or in hospital), by name.
    pub async fn current_people(
        &self,
        org: OrganisationId,
        service: ServiceId,
    ) -> StoreResult<Vec<Person>> {
        let sql = format!(
            "select {PERSON_COLUMNS} from person where organisation_id = $1 and service_id = $2 \
             and status in ('active', 'in_hospital') order by display_name, internal_code"
        );
        on_read!(self, |p| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(org.0)
                .bind(service.0)
                .fetch_all(p)
                .await?;
            rows.iter().map(person_from).collect()
        })
    }

    /// Everyone who has used a service, whatever their status now, by code.
    pub async fn people_of_service(
        &self,
        org: OrganisationId,
        service: ServiceId,
    ) -> StoreResult<Vec<Person>> {
        let sql = format!(
            "select {PERSON_COLUMNS} from person where organisation_id = $1 and service_id = $2 \
             order by internal_code"
        );
        on_read!(self, |p| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(org.0)
                .bind(service.0)
                .fetch_all(p)
                .await?;
            rows.iter().map(person_from).collect()
        })
    }

    /// The people of `org` with these ids, in no set order (others are left out).
    pub async fn people_by_ids(
        &self,
        org: OrganisationId,
        ids: &[PersonId],
    ) -> StoreResult<Vec<Person>> {
        let ids: Vec<uuid::Uuid> = ids.iter().map(|p| p.0).collect();
        let sql = format!(
            "select {PERSON_COLUMNS} from person where organisation_id = $1 and person_id in ({{ids}})"
        );
        self.rows_of_ids(&sql, (org, None), &ids, |r| person_from(r))
            .await
    }

    /// The people with these ids, in `org` and `service` only (others are left out).
    pub async fn people_in_service(
        &self,
        org: OrganisationId,
        service: ServiceId,
        ids: &[PersonId],
    ) -> StoreResult<Vec<Person>> {
        let mut found = Vec::with_capacity(ids.len());
        let sql = format!(
            "select {PERSON_COLUMNS} from person where organisation_id = $1 and service_id = $2 and person_id = $3"
        );
        for id in ids {
            let row = on_read!(self, |p| {
                match sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                    .bind(org.0)
                    .bind(service.0)
                    .bind(id.0)
                    .fetch_optional(p)
                    .await?
                {
                    Some(r) => Some(person_from(&r)?),
                    None => None,
                }
            });
            found.extend(row);
        }
        Ok(found)
    }
}

impl Store {
    /// A person of `org` by their internal code (`P-000123`), whatever their service.
    pub async fn person_by_code(
        &self,
        org: OrganisationId,
        code: &str,
    ) -> StoreResult<Option<Person>> {
        let sql = format!(
            "select {PERSON_COLUMNS} from person where organisation_id = $1 and internal_code = $2"
        );
        Ok(on_read!(self, |p| {
            match sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(org.0)
                .bind(code)
                .fetch_optional(p)
                .await?
            {
                Some(r) => Some(person_from(&r)?),
                None => None,
            }
        }))
    }

    /// A person of `org` by id, whatever their service.
    pub async fn person_by_id(
        &self,
        org: OrganisationId,
        id: PersonId,
    ) -> StoreResult<Option<Person>> {
        let sql = format!(
            "select {PERSON_COLUMNS} from person where organisation_id = $1 and person_id = $2"
        );
        Ok(on_read!(self, |p| {
            match sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(org.0)
                .bind(id.0)
                .fetch_optional(p)
                .await?
            {
                Some(r) => Some(person_from(&r)?),
                None => None,
            }
        }))
    }
}
