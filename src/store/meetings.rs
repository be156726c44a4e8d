//! Lessons-learned meetings: the record, attendance, the actions agreed,
//! and what the agenda and the urgent-meeting proposals are built from.

use super::{PortableRow, Store, StoreResult, Tx, millis_to_ts, on_read, on_tx, parse_code};
use candour_domain::ids::{OrganisationId, ServiceId, UserId};
use candour_domain::incident::{Category, EventKind, IncidentReference};
use candour_domain::meetings::MeetingKind;
use jiff::Timestamp;
use uuid::Uuid;

/// A meeting as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Meeting {
    /// Its id.
    pub meeting_id: Uuid,
    /// Organisation.
    pub organisation_id: OrganisationId,
    /// Service.
    pub service_id: ServiceId,
    /// Monthly or urgent.
    pub kind: MeetingKind,
    /// When it starts.
    pub starts_at: Timestamp,
    /// Where.
    pub location: String,
    /// Who chairs it.
    pub chair: String,
    /// The incident behind an urgent meeting.
    pub incident: Option<IncidentReference>,
    /// The start of the period its agenda covers.
    pub period_from: Timestamp,
    /// Agenda.
    pub agenda: String,
    /// Minutes.
    pub minutes: String,
    /// Decisions.
    pub decisions: String,
    /// When the minutes were published, and by whom (by name).
    pub published: Option<(Timestamp, String)>,
    /// Version, for changes.
    pub version: i64,
    /// Who last changed it, by name, and when.
    pub updated: (String, Timestamp),
}

/// Someone at (or sending apologies to) a meeting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attendee {
    /// Name.
    pub name: String,
    /// Their role.
    pub role: String,
    /// `in_person`, `online` or `apologies`.
    pub attendance: String,
}

const COLUMNS: &str = "m.meeting_id, m.organisation_id, m.service_id, m.kind, m.starts_at, m.location, m.chair, \
    m.incident_reference, m.period_from, m.agenda, m.minutes, m.decisions, m.published_at, p.display_name as published_name, \
    m.version, u.display_name as updated_name, m.updated_at";
const FROM: &str = "from learning_meeting m join app_user u on u.user_id = m.updated_by \
    left join app_user p on p.user_id = m.published_by";

fn meeting_from(r: &impl PortableRow) -> StoreResult<Meeting> {
    Ok(Meeting {
        meeting_id: r.uuid("meeting_id")?,
        organisation_id: OrganisationId(r.uuid("organisation_id")?),
        service_id: ServiceId(r.uuid("service_id")?),
        kind: parse_code(&r.text("kind")?, MeetingKind::parse, "meeting kind")?,
        starts_at: millis_to_ts(r.int("starts_at")?)?,
        location: r.text("location")?,
        chair: r.text("chair")?,
        incident: r.opt_int("incident_reference")?.map(IncidentReference),
        period_from: millis_to_ts(r.int("period_from")?)?,
        agenda: r.text("agenda")?,
        minutes: r.text("minutes")?,
        decisions: r.text("decisions")?,
        published: match (r.opt_int("published_at")?, r.opt_text("published_name")?) {
            (Some(at), Some(by)) => Some((millis_to_ts(at)?, by)),
            _ => None,
        },
        version: r.int("version")?,
        updated: (r.text("updated_name")?, millis_to_ts(r.int("updated_at")?)?),
    })
}

/// A meeting to arrange.
#[derive(Debug, Clone, PartialEq)]
pub struct NewMeetingRow<'a> {
    /// Its id.
    pub meeting_id: Uuid,
    /// Where.
    pub at: (OrganisationId, ServiceId),
    /// Kind.
    pub kind: MeetingKind,
    /// Starts.
    pub starts_at: Timestamp,
    /// Place and chair.
    pub place_and_chair: (&'a str, &'a str),
    /// The incident behind an urgent meeting.
    pub incident: Option<IncidentReference>,
    /// The period the agenda covers, from.
    pub period_from: Timestamp,
    /// The agenda built.
    pub agenda: &'a str,
}

/// Arranges a meeting.
pub async fn insert_meeting(
    tx: &mut Tx,
    m: &NewMeetingRow<'_>,
    (by, now_ms): (UserId, i64),
) -> StoreResult<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into learning_meeting (meeting_id, organisation_id, service_id, kind, starts_at, location, chair, \
             incident_reference, period_from, agenda, minutes, decisions, status, version, created_by, created_at, updated_by, updated_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, '', '', 'arranged', 1, $11, $12, $11, $12)",
        )
        .bind(m.meeting_id)
        .bind(m.at.0.0)
        .bind(m.at.1.0)
        .bind(m.kind.code())
        .bind(m.starts_at.as_millisecond())
        .bind(m.place_and_chair.0)
        .bind(m.place_and_chair.1)
        .bind(m.incident.map(|r| r.0))
        .bind(m.period_from.as_millisecond())
        .bind(m.agenda)
        .bind(by.0)
        .bind(now_ms)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

/// Adds the other services of a meeting held for a group of services.
pub async fn insert_meeting_services(
    tx: &mut Tx,
    meeting: Uuid,
    services: &[ServiceId],
) -> StoreResult<()> {
    for s in services {
        on_tx!(tx, |c| {
            sqlx::query(
                "insert into learning_meeting_service (meeting_id, service_id) values ($1, $2) \
                 on conflict (meeting_id, service_id) do nothing",
            )
            .bind(meeting)
            .bind(s.0)
            .execute(&mut *c)
            .await?;
        });
    }
    Ok(())
}

/// Saves the agenda, minutes and decisions of an arranged meeting at
/// `version`; `false` when it has moved on or is published.
pub async fn update_record(
    tx: &mut Tx,
    (id, version): (Uuid, i64),
    (agenda, minutes, decisions): (&str, &str, &str),
    (by, now_ms): (UserId, i64),
) -> StoreResult<bool> {
    let n = on_tx!(tx, |c| {
        sqlx::query(
            "update learning_meeting set agenda = $1, minutes = $2, decisions = $3, version = version + 1, \
             updated_by = $4, updated_at = $5 where meeting_id = $6 and version = $7 and status = 'arranged'",
        )
        .bind(agenda)
        .bind(minutes)
        .bind(decisions)
        .bind(by.0)
        .bind(now_ms)
        .bind(id)
        .bind(version)
        .execute(&mut *c)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

/// Publishes the minutes at `version`; `false` when it has moved on.
pub async fn publish(
    tx: &mut Tx,
    (id, version): (Uuid, i64),
    (by, now_ms): (UserId, i64),
) -> StoreResult<bool> {
    let n = on_tx!(tx, |c| {
        sqlx::query(
            "update learning_meeting set status = 'published', published_at = $1, published_by = $2, \
             version = version + 1, updated_by = $2, updated_at = $1 \
             where meeting_id = $3 and version = $4 and status = 'arranged'",
        )
        .bind(now_ms)
        .bind(by.0)
        .bind(id)
        .bind(version)
        .execute(&mut *c)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

/// Adds someone to the attendance.
pub async fn insert_attendee(
    tx: &mut Tx,
    meeting: Uuid,
    a: &Attendee,
    now_ms: i64,
) -> StoreResult<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into learning_meeting_attendee (attendee_id, meeting_id, name, role, attendance, added_at) \
             values ($1, $2, $3, $4, $5, $6)",
        )
        .bind(Uuid::now_v7())
        .bind(meeting)
        .bind(&a.name)
        .bind(&a.role)
        .bind(&a.attendance)
        .bind(now_ms)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

/// Links an action agreed at a meeting.
pub async fn link_action(tx: &mut Tx, meeting: Uuid, action: Uuid) -> StoreResult<()> {
    on_tx!(tx, |c| {
        sqlx::query("insert into learning_meeting_action (meeting_id, action_id) values ($1, $2)")
            .bind(meeting)
            .bind(action)
            .execute(&mut *c)
            .await?;
    });
    Ok(())
}

impl Store {
    /// One meeting of `org`.
    pub async fn learning_meeting(
        &self,
        org: OrganisationId,
        id: Uuid,
    ) -> StoreResult<Option<Meeting>> {
        let sql =
            format!("select {COLUMNS} {FROM} where m.organisation_id = $1 and m.meeting_id = $2");
        Ok(on_read!(self, |p| {
            match sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(org.0)
                .bind(id)
                .fetch_optional(p)
                .await?
            {
                Some(r) => Some(meeting_from(&r)?),
                None => None,
            }
        }))
    }

    /// The other services of a meeting held for a group of services.
    pub async fn meeting_services(&self, meeting: Uuid) -> StoreResult<Vec<ServiceId>> {
        on_read!(self, |p| {
            let rows = sqlx::query(
                "select service_id from learning_meeting_service where meeting_id = $1 order by service_id",
            )
            .bind(meeting)
            .fetch_all(p)
            .await?;
            rows.iter()
                .map(|r| Ok(ServiceId(r.uuid("service_id")?)))
                .collect()
        })
    }

    /// The meetings of any of `services` (their own and those of groups they
    /// are in) starting in `[from, to)`, each once, oldest first.
    pub async fn learning_meetings_starting(
        &self,
        org: OrganisationId,
        services: &[ServiceId],
        (from, to): (Timestamp, Timestamp),
    ) -> StoreResult<Vec<Meeting>> {
        if services.is_empty() {
            return Ok(Vec::new());
        }
        let list = super::placeholders(services.len(), 4);
        let sql = format!(
            "select {COLUMNS} {FROM} where m.organisation_id = $1 and m.starts_at >= $2 and m.starts_at < $3 \
             and m.meeting_id in (select o.meeting_id from learning_meeting o where o.service_id in ({list}) \
              union select j.meeting_id from learning_meeting_service j where j.service_id in ({list})) \
             order by m.starts_at, m.meeting_id"
        );
        on_read!(self, |p| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(org.0)
                .bind(from.as_millisecond())
                .bind(to.as_millisecond());
            for s in services {
                q = q.bind(s.0);
            }
            let rows = q.fetch_all(p).await?;
            rows.iter().map(meeting_from).collect()
        })
    }

    /// A page of the meetings of any of `services` (their own and those of
    /// groups they are in), each once, newest first, after `after` (the
    /// start and id of the last meeting of the page before).
    pub async fn learning_meetings_page(
        &self,
        org: OrganisationId,
        services: &[ServiceId],
        after: Option<(Timestamp, Uuid)>,
        limit: i64,
    ) -> StoreResult<Vec<Meeting>> {
        if services.is_empty() {
            return Ok(Vec::new());
        }
        let (at, id) = after.map_or((i64::MAX, Uuid::max()), |(t, id)| (t.as_millisecond(), id));
        let list = super::placeholders(services.len(), 5);
        // The page's ids are taken walking the organisation's meetings
        // newest first through its index (migration 0043); only those rows
        // are then read in full.
        let sql = format!(
            "select {COLUMNS} {FROM} where m.meeting_id in (select x.meeting_id from learning_meeting x \
             where x.organisation_id = $1 and (x.starts_at < $2 or (x.starts_at = $2 and x.meeting_id < $3)) \
             and (x.service_id in ({list}) or x.meeting_id in \
              (select j.meeting_id from learning_meeting_service j where j.service_id in ({list}))) \
             order by x.starts_at desc, x.meeting_id desc limit $4) \
             order by m.starts_at desc, m.meeting_id desc"
        );
        on_read!(self, |p| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(org.0)
                .bind(at)
                .bind(id)
                .bind(limit);
            for s in services {
                q = q.bind(s.0);
            }
            let rows = q.fetch_all(p).await?;
            rows.iter().map(meeting_from).collect()
        })
    }

    /// The other services of each of `meetings` held for a group, as
    /// (meeting, service) pairs, in no order.
    pub async fn meeting_services_of(
        &self,
        meetings: &[Uuid],
    ) -> StoreResult<Vec<(Uuid, ServiceId)>> {
        let mut out = Vec::new();
        for chunk in meetings.chunks(super::IDS_PER_READ) {
            let sql = format!(
                "select meeting_id, service_id from learning_meeting_service where meeting_id in ({})",
                super::placeholders(chunk.len(), 1)
            );
            let rows = on_read!(self, |p| {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
                for m in chunk {
                    q = q.bind(*m);
                }
                q.fetch_all(p)
                    .await?
                    .iter()
                    .map(|r| Ok((r.uuid("meeting_id")?, ServiceId(r.uuid("service_id")?))))
                    .collect::<StoreResult<Vec<_>>>()?
            });
            out.extend(rows);
        }
        Ok(out)
    }

    /// The meetings of one service (its own and those of a group it is in), newest first.
    pub async fn learning_meetings(
        &self,
        org: OrganisationId,
        service: ServiceId,
    ) -> StoreResult<Vec<Meeting>> {
        let sql = format!(
            "select {COLUMNS} {FROM} where m.organisation_id = $1 and m.meeting_id in \
             (select o.meeting_id from learning_meeting o where o.service_id = $2 \
              union select j.meeting_id from learning_meeting_service j where j.service_id = $2) \
             order by m.starts_at desc, m.meeting_id desc"
        );
        on_read!(self, |p| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(org.0)
                .bind(service.0)
                .fetch_all(p)
                .await?;
            rows.iter().map(meeting_from).collect()
        })
    }

    /// The attendance of a meeting, in the order added.
    pub async fn attendees(&self, meeting: Uuid) -> StoreResult<Vec<Attendee>> {
        on_read!(self, |p| {
            let rows = sqlx::query(
                "select name, role, attendance from learning_meeting_attendee where meeting_id = $1 \
                 order by added_at, attendee_id",
            )
            .bind(meeting)
            .fetch_all(p)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(Attendee {
                        name: r.text("name")?,
                        role: r.text("role")?,
                        attendance: r.text("attendance")?,
                    })
                })
                .collect()
        })
    }

    /// The actions agreed at a meeting.
    pub async fn meeting_action_ids(&self, meeting: Uuid) -> StoreResult<Vec<Uuid>> {
        on_read!(self, |p| {
            let rows =
                sqlx::query("select action_id from learning_meeting_action where meeting_id = $1")
                    .bind(meeting)
                    .fetch_all(p)
                    .await?;
            rows.iter().map(|r| r.uuid("action_id")).collect()
        })
    }

    /// How many incidents and near misses of a service were reported in
    /// `[from, to]`, per category and kind.
    pub async fn reported_counts(
        &self,
        service: ServiceId,
        (from, to): (Timestamp, Timestamp),
    ) -> StoreResult<Vec<(Category, EventKind, i64)>> {
        on_read!(self, |p| {
            let rows = sqlx::query(
                "select category, kind, count(*) as n from incident where service_id = $1 \
                 and reported_at >= $2 and reported_at <= $3 group by category, kind order by category, kind",
            )
            .bind(service.0)
            .bind(from.as_millisecond())
            .bind(to.as_millisecond())
            .fetch_all(p)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok((
                        parse_code(&r.text("category")?, Category::parse, "category")?,
                        parse_code(&r.text("kind")?, EventKind::parse, "kind")?,
                        r.int("n")?,
                    ))
                })
                .collect()
        })
    }

    /// Incidents of `services` triaged since `since` that call for an
    /// urgent meeting (severe or fatal harm, or a serious investigation),
    /// with their service, oldest first, in one read.
    pub async fn urgent_meeting_triggers(
        &self,
        org: OrganisationId,
        services: &[ServiceId],
        since: Timestamp,
    ) -> StoreResult<
        Vec<(
            ServiceId,
            IncidentReference,
            Category,
            Option<String>,
            Timestamp,
        )>,
    > {
        if services.is_empty() {
            return Ok(Vec::new());
        }
        // The condition repeats the partial index's (migration 0037) word for word.
        let sql = format!(
            "select service_id, reference_number, coalesce(confirmed_category, category) as category, physical_harm, triaged_at \
             from incident where organisation_id = $1 and service_id in ({}) and triaged_at >= $2 \
             and (physical_harm in ('severe', 'fatal') or learning_response = 'serious_investigation') \
             order by triaged_at, reference_number",
            super::placeholders(services.len(), 3)
        );
        on_read!(self, |p| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(org.0)
                .bind(since.as_millisecond());
            for s in services {
                q = q.bind(s.0);
            }
            let rows = q.fetch_all(p).await?;
            rows.iter()
                .map(|r| {
                    Ok((
                        ServiceId(r.uuid("service_id")?),
                        IncidentReference(r.int("reference_number")?),
                        parse_code(&r.text("category")?, Category::parse, "category")?,
                        r.opt_text("physical_harm")?,
                        millis_to_ts(r.int("triaged_at")?)?,
                    ))
                })
                .collect()
        })
    }

    /// Which of `incidents` of `org` a meeting has been arranged about.
    pub async fn meetings_held_about(
        &self,
        org: OrganisationId,
        incidents: &[IncidentReference],
    ) -> StoreResult<Vec<IncidentReference>> {
        let mut out = Vec::new();
        for chunk in incidents.chunks(super::IDS_PER_READ) {
            let sql = format!(
                // The condition names the partial index's (migration 0043).
                "select distinct incident_reference from learning_meeting where organisation_id = $1 \
                 and incident_reference is not null and incident_reference in ({})",
                super::placeholders(chunk.len(), 2)
            );
            let rows = on_read!(self, |p| {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str())).bind(org.0);
                for r in chunk {
                    q = q.bind(r.0);
                }
                q.fetch_all(p)
                    .await?
                    .iter()
                    .map(|r| Ok(IncidentReference(r.int("incident_reference")?)))
                    .collect::<StoreResult<Vec<_>>>()?
            });
            out.extend(rows);
        }
        Ok(out)
    }
}
