//! Learning logs, reflective practice, involvement in a review, and
//! supervision reflections.

use super::{PortableRow, Store, StoreResult, Tx, millis_to_ts, on_read, on_tx};
use candour_domain::ids::{IncidentId, OrganisationId, PersonId, ServiceId, UserId};
use candour_domain::incident::IncidentReference;
use candour_domain::learning::{Involvement, Log, Practice, Supervision};
use jiff::Timestamp;
use jiff::civil::Date;
use uuid::Uuid;

/// Something written, with who wrote it (by name) and when.
#[derive(Debug, Clone, PartialEq)]
pub struct Written<T> {
    /// What.
    pub record: T,
    /// Who, by name.
    pub by: String,
    /// When.
    pub at: Timestamp,
}

fn yes(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

fn day(s: &str) -> StoreResult<Date> {
    s.parse()
        .map_err(|e| super::StoreError::Corrupt(format!("date {s}: {e}")))
}

/// Adds a learning log about a person.
pub async fn insert_log(
    tx: &mut Tx,
    (org, service, person): (OrganisationId, ServiceId, PersonId),
    l: &Log,
    (by, now_ms): (UserId, i64),
) -> StoreResult<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into learning_log (log_id, organisation_id, service_id, person_id, activity, tried, worked, \
             did_not_work, will_change, changes_support, written_by, written_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(Uuid::now_v7())
        .bind(org.0)
        .bind(service.0)
        .bind(person.0)
        .bind(&l.activity)
        .bind(&l.tried)
        .bind(&l.worked)
        .bind(&l.did_not_work)
        .bind(&l.will_change)
        .bind(yes(l.changes_support))
        .bind(by.0)
        .bind(now_ms)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

/// Records a reflective practice session after an incident.
pub async fn insert_practice(
    tx: &mut Tx,
    (org, incident): (OrganisationId, IncidentId),
    p: &Practice,
    (by, now_ms): (UserId, i64),
) -> StoreResult<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into reflective_practice (session_id, organisation_id, incident_id, held_on, participants, \
             reflections, changes, written_by, written_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(Uuid::now_v7())
        .bind(org.0)
        .bind(incident.0)
        .bind(p.held_on.to_string())
        .bind(&p.participants)
        .bind(&p.reflections)
        .bind(&p.changes)
        .bind(by.0)
        .bind(now_ms)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

/// Records the person's (or their representative's) part in a review.
pub async fn insert_involvement(
    tx: &mut Tx,
    (org, incident): (OrganisationId, IncidentId),
    i: &Involvement,
    (by, now_ms): (UserId, i64),
) -> StoreResult<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into review_involvement (involvement_id, organisation_id, incident_id, representative, account, \
             views, wishes, recorded_by, recorded_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(Uuid::now_v7())
        .bind(org.0)
        .bind(incident.0)
        .bind(&i.representative)
        .bind(&i.account)
        .bind(&i.views)
        .bind(&i.wishes)
        .bind(by.0)
        .bind(now_ms)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

/// Records a supervision reflection.
pub async fn insert_supervision(
    tx: &mut Tx,
    org: OrganisationId,
    (staff, supervisor): (UserId, UserId),
    s: &Supervision,
    now_ms: i64,
) -> StoreResult<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into supervision_reflection (reflection_id, organisation_id, staff_id, supervisor_id, held_on, \
             incident_reference, reflection, support, written_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(Uuid::now_v7())
        .bind(org.0)
        .bind(staff.0)
        .bind(supervisor.0)
        .bind(s.held_on.to_string())
        .bind(s.incident.map(|r| r.0))
        .bind(&s.reflection)
        .bind(&s.support)
        .bind(now_ms)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

/// A supervision reflection as read back, with both names.
#[derive(Debug, Clone, PartialEq)]
pub struct SupervisionRecord {
    /// The member of staff (id, name).
    pub staff: (UserId, String),
    /// The supervisor (id, name).
    pub supervisor: (UserId, String),
    /// What was recorded.
    pub record: Supervision,
}

impl Store {
    /// A person's learning logs, newest first.
    pub async fn learning_logs(
        &self,
        org: OrganisationId,
        person: PersonId,
    ) -> StoreResult<Vec<Written<Log>>> {
        on_read!(self, |p| {
            let rows = sqlx::query(
                "select l.*, u.display_name from learning_log l join app_user u on u.user_id = l.written_by \
                 where l.organisation_id = $1 and l.person_id = $2 order by l.written_at desc, l.log_id desc",
            )
            .bind(org.0)
            .bind(person.0)
            .fetch_all(p)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(Written {
                        record: Log {
                            activity: r.text("activity")?,
                            tried: r.text("tried")?,
                            worked: r.text("worked")?,
                            did_not_work: r.text("did_not_work")?,
                            will_change: r.text("will_change")?,
                            changes_support: r.text("changes_support")? == "yes",
                        },
                        by: r.text("display_name")?,
                        at: millis_to_ts(r.int("written_at")?)?,
                    })
                })
                .collect()
        })
    }

    /// An incident's reflective practice sessions, by day.
    pub async fn practice_sessions(
        &self,
        incident: IncidentId,
    ) -> StoreResult<Vec<Written<Practice>>> {
        on_read!(self, |p| {
            let rows = sqlx::query(
                "select s.*, u.display_name from reflective_practice s join app_user u on u.user_id = s.written_by \
                 where s.incident_id = $1 order by s.held_on, s.written_at",
            )
            .bind(incident.0)
            .fetch_all(p)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(Written {
                        record: Practice {
                            held_on: day(&r.text("held_on")?)?,
                            participants: r.text("participants")?,
                            reflections: r.text("reflections")?,
                            changes: r.text("changes")?,
                        },
                        by: r.text("display_name")?,
                        at: millis_to_ts(r.int("written_at")?)?,
                    })
                })
                .collect()
        })
    }

    /// The person's involvement recorded in an incident's review, oldest first.
    pub async fn review_involvements(
        &self,
        incident: IncidentId,
    ) -> StoreResult<Vec<Written<Involvement>>> {
        on_read!(self, |p| {
            let rows = sqlx::query(
                "select v.*, u.display_name from review_involvement v join app_user u on u.user_id = v.recorded_by \
                 where v.incident_id = $1 order by v.recorded_at",
            )
            .bind(incident.0)
            .fetch_all(p)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(Written {
                        record: Involvement {
                            representative: r.opt_text("representative")?,
                            account: r.text("account")?,
                            views: r.text("views")?,
                            wishes: r.text("wishes")?,
                        },
                        by: r.text("display_name")?,
                        at: millis_to_ts(r.int("recorded_at")?)?,
                    })
                })
                .collect()
        })
    }

    /// The supervision reflections `user` may read: their own, and those
    /// they recorded as supervisor. Newest first.
    pub async fn supervision_for(
        &self,
        org: OrganisationId,
        user: UserId,
    ) -> StoreResult<Vec<SupervisionRecord>> {
        on_read!(self, |p| {
            let rows = sqlx::query(
                "select r.*, s.display_name as staff_name, v.display_name as supervisor_name \
                 from supervision_reflection r join app_user s on s.user_id = r.staff_id \
                 join app_user v on v.user_id = r.supervisor_id \
                 where r.organisation_id = $1 and (r.staff_id = $2 or r.supervisor_id = $2) \
                 order by r.held_on desc, r.written_at desc",
            )
            .bind(org.0)
            .bind(user.0)
            .fetch_all(p)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(SupervisionRecord {
                        staff: (UserId(r.uuid("staff_id")?), r.text("staff_name")?),
                        supervisor: (UserId(r.uuid("supervisor_id")?), r.text("supervisor_name")?),
                        record: Supervision {
                            held_on: day(&r.text("held_on")?)?,
                            incident: r.opt_int("incident_reference")?.map(IncidentReference),
                            reflection: r.text("reflection")?,
                            support: r.text("support")?,
                        },
                    })
                })
                .collect()
        })
    }
}
