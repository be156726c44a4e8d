//! Who was involved in an incident: people using the service
//! (`incident_person`) and staff (`incident_staff`), each with a part.

use super::bulk::{Value, insert_rows};
use super::{PortableRow, Store, StoreResult, Tx, on_read, on_tx, parse_code};
use candour_domain::ids::{IncidentId, OrganisationId, PersonId, UserId};
use candour_domain::incident::InvolvementRole;
use candour_domain::involvement::{Involved, Party};
use std::collections::{HashMap, HashSet};

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
    /// The incidents that name `user` as alleged to have caused harm: they
    /// do not exist for them (`candour_domain::about_staff`).
    pub async fn hidden_from(&self, user: UserId) -> StoreResult<HashSet<IncidentId>> {
        on_read!(self, |p| {
            let rows = sqlx::query(
                "select incident_id from incident_staff where user_id = $1 and role = $2",
            )
            .bind(user.0)
            .bind(InvolvementRole::AllegedPerpetrator.code())
            .fetch_all(p)
            .await?;
            rows.iter()
                .map(|r| Ok(IncidentId(r.uuid("incident_id")?)))
                .collect()
        })
    }

    /// Every incident that names staff as alleged to have caused harm, with
    /// them: for the minute's sweeps, which must never tell them of it.
    /// (Staff are named by hand, so these are few.)
    pub async fn alleged_staff(&self) -> StoreResult<HashMap<IncidentId, Vec<UserId>>> {
        on_read!(self, |p| {
            let rows =
                sqlx::query("select incident_id, user_id from incident_staff where role = $1")
                    .bind(InvolvementRole::AllegedPerpetrator.code())
                    .fetch_all(p)
                    .await?;
            let mut out: HashMap<IncidentId, Vec<UserId>> = HashMap::new();
            for r in &rows {
                out.entry(IncidentId(r.uuid("incident_id")?))
                    .or_default()
                    .push(UserId(r.uuid("user_id")?));
            }
            Ok(out)
        })
    }

    /// Whether `incident` names `user` as alleged to have caused harm.
    pub async fn is_hidden_from(&self, incident: IncidentId, user: UserId) -> StoreResult<bool> {
        on_read!(self, |p| {
            let row = sqlx::query(
                "select 1 from incident_staff where incident_id = $1 and user_id = $2 and role = $3",
            )
            .bind(incident.0)
            .bind(user.0)
            .bind(InvolvementRole::AllegedPerpetrator.code())
            .fetch_optional(p)
            .await?;
            Ok(row.is_some())
        })
    }

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
