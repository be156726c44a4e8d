//! Who was involved in an incident: people using the service
//! (`incident_person`) and staff (`incident_staff`), each with a part.

use super::bulk::{Value, insert_rows};
use super::{PortableRow, Store, StoreResult, Tx, on_read, on_tx, parse_code};
use candour_domain::ids::{IncidentId, OrganisationId, PersonId, UserId};
use candour_domain::incident::InvolvementRole;
use candour_domain::involvement::{Involved, Party};

/// A person's part in an incident, with what a reader needs to know them by.
#[derive(Debug, Clone, PartialEq)]
pub struct Involvement {
    /// The person.
    pub person_id: PersonId,
    /// Their internal code.
    pub internal_code: String,
    /// Their name.
    pub display_name: String,
    /// Their part.
    pub role: InvolvementRole,
}

/// A member of staff's part in an incident.
#[derive(Debug, Clone, PartialEq)]
pub struct StaffInvolvement {
    /// Their account.
    pub user_id: UserId,
    /// Their name.
    pub display_name: String,
    /// Their part.
    pub role: InvolvementRole,
}

/// Records one part in an incident, for a person or a member of staff.
pub async fn insert_involved(
    tx: &mut Tx,
    org: OrganisationId,
    incident: IncidentId,
    line: &Involved,
) -> StoreResult<()> {
    let (sql, id) = match line.party {
        Party::Person(p) => (
            "insert into incident_person (incident_id, person_id, organisation_id, role) values ($1, $2, $3, $4)",
            p.0,
        ),
        Party::Staff(u) => (
            "insert into incident_staff (incident_id, user_id, organisation_id, role) values ($1, $2, $3, $4)",
            u.0,
        ),
    };
    on_tx!(tx, |c| {
        sqlx::query(sql)
            .bind(incident.0)
            .bind(id)
            .bind(org.0)
            .bind(line.role.code())
            .execute(&mut *c)
            .await?;
    });
    Ok(())
}

impl Store {
    /// The people using the service recorded against an incident, by name.
    pub async fn involvements(&self, incident: IncidentId) -> StoreResult<Vec<Involvement>> {
        on_read!(self, |p| {
            let rows = sqlx::query(
                "select ip.person_id, p.internal_code, p.display_name, ip.role from incident_person ip \
                 join person p on p.person_id = ip.person_id where ip.incident_id = $1 order by p.display_name, ip.role",
            )
            .bind(incident.0)
            .fetch_all(p)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(Involvement {
                        person_id: PersonId(r.uuid("person_id")?),
                        internal_code: r.text("internal_code")?,
                        display_name: r.text("display_name")?,
                        role: parse_code(&r.text("role")?, InvolvementRole::parse, "role")?,
                    })
                })
                .collect()
        })
    }

    /// The staff recorded against an incident, by name.
    pub async fn staff_involvements(
        &self,
        incident: IncidentId,
    ) -> StoreResult<Vec<StaffInvolvement>> {
        on_read!(self, |p| {
            let rows = sqlx::query(
                "select s.user_id, u.display_name, s.role from incident_staff s \
                 join app_user u on u.user_id = s.user_id where s.incident_id = $1 order by u.display_name, s.role",
            )
            .bind(incident.0)
            .fetch_all(p)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(StaffInvolvement {
                        user_id: UserId(r.uuid("user_id")?),
                        display_name: r.text("display_name")?,
                        role: parse_code(&r.text("role")?, InvolvementRole::parse, "role")?,
                    })
                })
                .collect()
        })
    }
}

/// Records many (incident, person, role) links with multi-row statements.
pub async fn insert_involvements_batch(
    tx: &mut Tx,
    org: OrganisationId,
    rows: &[(IncidentId, PersonId, InvolvementRole)],
) -> StoreResult<()> {
    let rows: Vec<Vec<Value>> = rows
        .iter()
        .map(|(i, p, role)| {
            vec![
                Value::from(i.0),
                Value::from(p.0),
                Value::from(org.0),
                Value::from(role.code()),
            ]
        })
        .collect();
    insert_rows(
        tx,
        "incident_person",
        &["incident_id", "person_id", "organisation_id", "role"],
        &rows,
    )
    .await
}
