//! People using services (the register a reporter picks from).

use super::{PortableRow, Store, StoreError, StoreResult, Tx, on_read, on_tx, parse_code};
use candour_domain::ids::{AreaId, OrganisationId, PersonId, ServiceId, UserId};
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
    /// People currently using a service (living there or receiving care, in
    /// hospital or on leave), by name.
    pub async fn current_people(
        &self,
        org: OrganisationId,
        service: ServiceId,
    ) -> StoreResult<Vec<Person>> {
        let sql = format!(
            "select {PERSON_COLUMNS} from person where organisation_id = $1 and service_id = $2 \
             and status in ('active', 'in_hospital', 'on_leave') order by display_name, internal_code"
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

/// What the register keeps about a person beyond what reports read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PersonDetails {
    /// The name they like to be called, if not their name.
    pub preferred_name: Option<String>,
    /// How their care is paid for, as a code.
    pub funding: Option<String>,
    /// When their status began, ISO date.
    pub status_since: Option<String>,
    /// The record's version: every change adds one.
    pub version: i64,
}

fn details_from(r: &impl PortableRow) -> StoreResult<PersonDetails> {
    Ok(PersonDetails {
        preferred_name: r.opt_text("preferred_name")?,
        funding: r.opt_text("funding")?,
        status_since: r.opt_text("status_since")?,
        version: r.int("version")?,
    })
}

/// One kept version of a person's details.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonVersion {
    /// The version.
    pub version: i64,
    /// The details as they were then (JSON).
    pub details: String,
    /// Who changed them (`None` when done by a command or an import).
    pub changed_by: Option<UserId>,
    /// When, epoch ms.
    pub changed_at_ms: i64,
}

/// Writes `p` and `d` over the person's record if it is still at
/// `expected` (its version then becomes `d.version`); false when someone
/// changed it first.
pub async fn update_person(
    tx: &mut Tx,
    org: OrganisationId,
    (p, d): (&Person, &PersonDetails),
    expected: i64,
    now_ms: i64,
) -> StoreResult<bool> {
    let n = on_tx!(tx, |c| {
        sqlx::query(
            "update person set display_name = $1, date_of_birth = $2, nhs_number = $3, area_id = $4, room = $5, \
             status = $6, preferred_name = $7, funding = $8, status_since = $9, version = $10, updated_at = $11 \
             where organisation_id = $12 and person_id = $13 and version = $14",
        )
        .bind(&p.display_name)
        .bind(&p.date_of_birth)
        .bind(&p.nhs_number)
        .bind(p.area_id.map(|a| a.0))
        .bind(&p.room)
        .bind(p.status.code())
        .bind(&d.preferred_name)
        .bind(&d.funding)
        .bind(&d.status_since)
        .bind(d.version)
        .bind(now_ms)
        .bind(org.0)
        .bind(p.person_id.0)
        .bind(expected)
        .execute(&mut *c)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

/// Keeps a version of a person's details.
pub async fn insert_person_version(
    tx: &mut Tx,
    org: OrganisationId,
    person: PersonId,
    v: &PersonVersion,
) -> StoreResult<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into person_version (person_id, version, organisation_id, details, changed_by, changed_at) \
             values ($1, $2, $3, $4, $5, $6)",
        )
        .bind(person.0)
        .bind(v.version)
        .bind(org.0)
        .bind(&v.details)
        .bind(v.changed_by.map(|u| u.0))
        .bind(v.changed_at_ms)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

impl Store {
    /// A person of `org` with the details only the register reads.
    pub async fn person_with_details(
        &self,
        org: OrganisationId,
        id: PersonId,
    ) -> StoreResult<(Person, PersonDetails)> {
        let sql = format!(
            "select {PERSON_COLUMNS}, preferred_name, funding, status_since, version from person \
             where organisation_id = $1 and person_id = $2"
        );
        on_read!(self, |p| {
            let r = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(org.0)
                .bind(id.0)
                .fetch_optional(p)
                .await?
                .ok_or(StoreError::NotFound)?;
            Ok((person_from(&r)?, details_from(&r)?))
        })
    }

    /// Every kept version of a person, newest first.
    pub async fn person_versions(
        &self,
        org: OrganisationId,
        id: PersonId,
    ) -> StoreResult<Vec<PersonVersion>> {
        on_read!(self, |p| {
            let rows = sqlx::query(
                "select version, details, changed_by, changed_at from person_version \
                 where organisation_id = $1 and person_id = $2 order by version desc",
            )
            .bind(org.0)
            .bind(id.0)
            .fetch_all(p)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(PersonVersion {
                        version: r.int("version")?,
                        details: r.text("details")?,
                        changed_by: r.opt_uuid("changed_by")?.map(UserId),
                        changed_at_ms: r.int("changed_at")?,
                    })
                })
                .collect()
        })
    }
}

impl Store {
    /// People of `org` in `services`, with their register details, by id
    /// (the order they were added), after `after`, at most `limit`; only
    /// those with `status` when given. For a client keeping in step.
    pub async fn people_page(
        &self,
        org: OrganisationId,
        services: &[ServiceId],
        (status, after): (Option<PersonStatus>, Option<PersonId>),
        limit: i64,
    ) -> StoreResult<Vec<(Person, PersonDetails)>> {
        if services.is_empty() {
            return Ok(Vec::new());
        }
        // The SQL is built from fixed fragments and placeholder numbers only.
        let list: Vec<String> = (0..services.len()).map(|i| format!("${}", i + 5)).collect();
        let sql = format!(
            "select {PERSON_COLUMNS}, preferred_name, funding, status_since, version from person \
             where organisation_id = $1 and person_id > $2 and ($3 = '' or status = $3) \
             and service_id in ({}) order by person_id limit $4",
            list.join(", ")
        );
        let after = after.map_or(uuid::Uuid::nil(), |p| p.0);
        let status = status.map(PersonStatus::code).unwrap_or_default();
        on_read!(self, |p| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(org.0)
                .bind(after)
                .bind(status)
                .bind(limit);
            for s in services {
                q = q.bind(s.0);
            }
            let rows = q.fetch_all(p).await?;
            rows.iter()
                .map(|r| Ok((person_from(r)?, details_from(r)?)))
                .collect()
        })
    }
}
