//! Serious incident investigations: the record, its meetings, timeline and
//! contributory factors, the organisation's factor list, and the actions
//! that came from it.

use super::{
    PortableRow, Store, StoreError, StoreResult, Tx, millis_to_ts, on_read, on_tx, parse_code,
};
use candour_domain::ids::{IncidentId, OrganisationId, ServiceId, UserId};
use candour_domain::incident::IncidentReference;
use candour_domain::investigation::{
    Event, Factor, Findings, InvestigationStatus, Meeting, Opening,
};
use jiff::Timestamp;
use uuid::Uuid;

/// An investigation as read back.
#[derive(Debug, Clone, PartialEq)]
pub struct InvestigationRecord {
    /// Its id.
    pub investigation_id: Uuid,
    /// Organisation.
    pub organisation_id: OrganisationId,
    /// Service.
    pub service_id: ServiceId,
    /// Service name.
    pub service_name: String,
    /// The incident investigated.
    pub incident_id: IncidentId,
    /// Its reference.
    pub incident_reference: IncidentReference,
    /// Number (`INV-000012`).
    pub number: i64,
    /// Lead investigator and their name.
    pub lead: (UserId, String),
    /// Terms of reference.
    pub terms_of_reference: String,
    /// Where it stands.
    pub status: InvestigationStatus,
    /// Findings and the family's part.
    pub findings: Findings,
    /// Who opened it and when.
    pub opened: (String, Timestamp),
    /// When it is due.
    pub due_at: Timestamp,
    /// Who completed it and when.
    pub completed: Option<(String, Timestamp)>,
    /// Version (for changes).
    pub version: i64,
}

/// Something recorded, with who recorded it and when.
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded<T> {
    /// Its id.
    pub id: Uuid,
    /// What.
    pub item: T,
    /// Who recorded it.
    pub by: String,
    /// When.
    pub at: Timestamp,
}

/// Stores a new investigation.
#[allow(clippy::too_many_arguments)]
pub async fn insert_investigation(
    tx: &mut Tx,
    (id, number): (Uuid, i64),
    org: OrganisationId,
    (service, incident): (ServiceId, IncidentId),
    o: &Opening,
    by: UserId,
    due_at: Timestamp,
    now_ms: i64,
) -> StoreResult<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into investigation (investigation_id, organisation_id, service_id, incident_id, reference_number, lead_id, terms_of_reference, \
             status, findings, family_questions, family_account, opened_by, opened_at, due_at, version, updated_at) \
             values ($1, $2, $3, $4, $5, $6, $7, 'open', '', '', '', $8, $9, $10, 1, $9)",
        )
        .bind(id)
        .bind(org.0)
        .bind(service.0)
        .bind(incident.0)
        .bind(number)
        .bind(o.lead)
        .bind(&o.terms_of_reference)
        .bind(by.0)
        .bind(now_ms)
        .bind(due_at.as_millisecond())
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

/// Writes the findings and the family's part, if the record is still at `version`.
pub async fn update_findings(
    tx: &mut Tx,
    id: Uuid,
    f: &Findings,
    version: i64,
    now_ms: i64,
) -> StoreResult<bool> {
    let n = on_tx!(tx, |c| {
        sqlx::query(
            "update investigation set findings = $1, family_questions = $2, family_account = $3, version = version + 1, updated_at = $4 \
             where investigation_id = $5 and version = $6 and status = 'open'",
        )
        .bind(&f.findings)
        .bind(&f.family_questions)
        .bind(&f.family_account)
        .bind(now_ms)
        .bind(id)
        .bind(version)
        .execute(&mut *c)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

/// Marks it completed, if still open at `version`.
pub async fn complete_investigation(
    tx: &mut Tx,
    id: Uuid,
    by: UserId,
    version: i64,
    now_ms: i64,
) -> StoreResult<bool> {
    let n = on_tx!(tx, |c| {
        sqlx::query(
            "update investigation set status = 'completed', completed_by = $1, completed_at = $2, version = version + 1, updated_at = $2 \
             where investigation_id = $3 and version = $4 and status = 'open'",
        )
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

/// Adds a meeting of the team.
pub async fn insert_meeting(
    tx: &mut Tx,
    (investigation, org): (Uuid, OrganisationId),
    m: &Meeting,
    by: UserId,
    now_ms: i64,
) -> StoreResult<Uuid> {
    let id = Uuid::now_v7();
    let attendees = serde_json::to_string(&m.attendees)
        .map_err(|e| StoreError::Corrupt(format!("attendees: {e}")))?;
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into investigation_meeting (meeting_id, investigation_id, organisation_id, held_on, attendees, discussion, decisions, recorded_by, recorded_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(id)
        .bind(investigation)
        .bind(org.0)
        .bind(m.held_on.to_string())
        .bind(&attendees)
        .bind(&m.discussion)
        .bind(&m.decisions)
        .bind(by.0)
        .bind(now_ms)
        .execute(&mut *c)
        .await?;
    });
    Ok(id)
}

/// Adds a timeline entry.
pub async fn insert_event(
    tx: &mut Tx,
    (investigation, org): (Uuid, OrganisationId),
    e: &Event,
    by: UserId,
    now_ms: i64,
) -> StoreResult<Uuid> {
    let id = Uuid::now_v7();
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into investigation_event (event_id, investigation_id, organisation_id, event_on, event_time, what, source, recorded_by, recorded_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(id)
        .bind(investigation)
        .bind(org.0)
        .bind(e.on.to_string())
        .bind(e.at.map(|t| t.strftime("%H:%M").to_string()))
        .bind(&e.what)
        .bind(&e.source)
        .bind(by.0)
        .bind(now_ms)
        .execute(&mut *c)
        .await?;
    });
    Ok(id)
}

/// Tags a contributory factor.
pub async fn insert_factor(
    tx: &mut Tx,
    (investigation, org): (Uuid, OrganisationId),
    f: &Factor,
    by: UserId,
    now_ms: i64,
) -> StoreResult<Uuid> {
    let id = Uuid::now_v7();
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into investigation_factor (factor_id, investigation_id, organisation_id, factor_code, note, evidence, recorded_by, recorded_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id)
        .bind(investigation)
        .bind(org.0)
        .bind(&f.code)
        .bind(&f.note)
        .bind(&f.evidence)
        .bind(by.0)
        .bind(now_ms)
        .execute(&mut *c)
        .await?;
    });
    Ok(id)
}

/// Links an action to an investigation.
pub async fn link_action(
    tx: &mut Tx,
    action: Uuid,
    investigation: Uuid,
    org: OrganisationId,
) -> StoreResult<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into action_investigation (action_id, investigation_id, organisation_id) values ($1, $2, $3)",
        )
        .bind(action)
        .bind(investigation)
        .bind(org.0)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

/// Sets an organisation's own factor, or retires (or brings back) any factor.
pub async fn upsert_factor_type(
    tx: &mut Tx,
    org: OrganisationId,
    (code, label): (&str, &str),
    retired: bool,
    now_ms: i64,
) -> StoreResult<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into factor_type (organisation_id, code, label, retired, updated_at) values ($1, $2, $3, $4, $5) \
             on conflict (organisation_id, code) do update set label = excluded.label, retired = excluded.retired, updated_at = excluded.updated_at",
        )
        .bind(org.0)
        .bind(code)
        .bind(label)
        .bind(retired)
        .bind(now_ms)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

const INVESTIGATION_SELECT: &str = "select v.investigation_id, v.organisation_id, v.service_id, s.name as service_name, v.incident_id, \
    i.reference_number as incident_number, v.reference_number, v.lead_id, l.display_name as lead_name, v.terms_of_reference, v.status, \
    v.findings, v.family_questions, v.family_account, o.display_name as opened_by_name, v.opened_at, v.due_at, \
    c.display_name as completed_by_name, v.completed_at, v.version \
    from investigation v join service s on s.service_id = v.service_id join incident i on i.incident_id = v.incident_id \
    join app_user l on l.user_id = v.lead_id join app_user o on o.user_id = v.opened_by left join app_user c on c.user_id = v.completed_by";

fn investigation_from(r: &impl PortableRow) -> StoreResult<InvestigationRecord> {
    Ok(InvestigationRecord {
        investigation_id: r.uuid("investigation_id")?,
        organisation_id: OrganisationId(r.uuid("organisation_id")?),
        service_id: ServiceId(r.uuid("service_id")?),
        service_name: r.text("service_name")?,
        incident_id: IncidentId(r.uuid("incident_id")?),
        incident_reference: IncidentReference(r.int("incident_number")?),
        number: r.int("reference_number")?,
        lead: (UserId(r.uuid("lead_id")?), r.text("lead_name")?),
        terms_of_reference: r.text("terms_of_reference")?,
        status: parse_code(
            &r.text("status")?,
            InvestigationStatus::parse,
            "investigation status",
        )?,
        findings: Findings {
            findings: r.text("findings")?,
            family_questions: r.text("family_questions")?,
            family_account: r.text("family_account")?,
        },
        opened: (
            r.text("opened_by_name")?,
            millis_to_ts(r.int("opened_at")?)?,
        ),
        due_at: millis_to_ts(r.int("due_at")?)?,
        completed: match (r.opt_text("completed_by_name")?, r.opt_int("completed_at")?) {
            (Some(by), Some(at)) => Some((by, millis_to_ts(at)?)),
            _ => None,
        },
        version: r.int("version")?,
    })
}

fn date(s: &str, what: &str) -> StoreResult<jiff::civil::Date> {
    s.parse()
        .map_err(|e| StoreError::Corrupt(format!("{what} {s:?}: {e}")))
}

impl Store {
    async fn one_investigation(
        &self,
        condition: &str,
        bind: (Uuid, Option<i64>),
    ) -> StoreResult<Option<InvestigationRecord>> {
        let sql = format!("{INVESTIGATION_SELECT} where {condition}");
        on_read!(self, |p| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str())).bind(bind.0);
            if let Some(n) = bind.1 {
                q = q.bind(n);
            }
            let row = q.fetch_optional(p).await?;
            row.as_ref().map(investigation_from).transpose()
        })
    }

    /// One investigation of `org` by number.
    pub async fn investigation(
        &self,
        org: OrganisationId,
        number: i64,
    ) -> StoreResult<Option<InvestigationRecord>> {
        self.one_investigation(
            "v.organisation_id = $1 and v.reference_number = $2",
            (org.0, Some(number)),
        )
        .await
    }

    /// The investigation of an incident, if there is one.
    pub async fn incident_investigation(
        &self,
        incident: IncidentId,
    ) -> StoreResult<Option<InvestigationRecord>> {
        self.one_investigation("v.incident_id = $1", (incident.0, None))
            .await
    }

    /// The investigations in `services`, open ones first, then newest.
    pub async fn investigations(
        &self,
        org: OrganisationId,
        services: &[ServiceId],
    ) -> StoreResult<Vec<InvestigationRecord>> {
        if services.is_empty() {
            return Ok(Vec::new());
        }
        let list: Vec<String> = (0..services.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "{INVESTIGATION_SELECT} where v.organisation_id = $1 and v.service_id in ({}) \
             order by case when v.status = 'open' then 0 else 1 end, v.due_at, v.opened_at desc limit 500",
            list.join(", ")
        );
        on_read!(self, |p| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str())).bind(org.0);
            for s in services {
                q = q.bind(s.0);
            }
            let rows = q.fetch_all(p).await?;
            rows.iter().map(investigation_from).collect()
        })
    }

    /// The meetings of an investigation, by date.
    pub async fn meetings(&self, investigation: Uuid) -> StoreResult<Vec<Recorded<Meeting>>> {
        on_read!(self, |p| {
            let rows = sqlx::query(
                "select m.meeting_id, m.held_on, m.attendees, m.discussion, m.decisions, u.display_name, m.recorded_at \
                 from investigation_meeting m join app_user u on u.user_id = m.recorded_by \
                 where m.investigation_id = $1 order by m.held_on, m.recorded_at",
            )
            .bind(investigation)
            .fetch_all(p)
            .await?;
            rows.iter()
                .map(|r| {
                    let attendees: Vec<(String, String)> =
                        serde_json::from_str(&r.text("attendees")?)
                            .map_err(|e| StoreError::Corrupt(format!("attendees: {e}")))?;
                    Ok(Recorded {
                        id: r.uuid("meeting_id")?,
                        item: Meeting {
                            held_on: date(&r.text("held_on")?, "meeting date")?,
                            attendees,
                            discussion: r.text("discussion")?,
                            decisions: r.text("decisions")?,
                        },
                        by: r.text("display_name")?,
                        at: millis_to_ts(r.int("recorded_at")?)?,
                    })
                })
                .collect()
        })
    }

    /// The timeline of an investigation, in the order things happened.
    pub async fn timeline(&self, investigation: Uuid) -> StoreResult<Vec<Recorded<Event>>> {
        let mut events: Vec<Recorded<Event>> = on_read!(self, |p| {
            let rows = sqlx::query(
                "select e.event_id, e.event_on, e.event_time, e.what, e.source, u.display_name, e.recorded_at \
                 from investigation_event e join app_user u on u.user_id = e.recorded_by \
                 where e.investigation_id = $1",
            )
            .bind(investigation)
            .fetch_all(p)
            .await?;
            rows.iter()
                .map(|r| {
                    let at = r
                        .opt_text("event_time")?
                        .map(|t| {
                            t.parse::<jiff::civil::Time>()
                                .map_err(|e| StoreError::Corrupt(format!("event time {t:?}: {e}")))
                        })
                        .transpose()?;
                    Ok(Recorded {
                        id: r.uuid("event_id")?,
                        item: Event {
                            on: date(&r.text("event_on")?, "event date")?,
                            at,
                            what: r.text("what")?,
                            source: r.text("source")?,
                        },
                        by: r.text("display_name")?,
                        at: millis_to_ts(r.int("recorded_at")?)?,
                    })
                })
                .collect::<StoreResult<Vec<_>>>()?
        });
        events.sort_by_key(|e| (e.item.sort_key(), e.at));
        Ok(events)
    }

    /// The contributory factors tagged in an investigation, as recorded.
    pub async fn factors(&self, investigation: Uuid) -> StoreResult<Vec<Recorded<Factor>>> {
        on_read!(self, |p| {
            let rows = sqlx::query(
                "select f.factor_id, f.factor_code, f.note, f.evidence, u.display_name, f.recorded_at \
                 from investigation_factor f join app_user u on u.user_id = f.recorded_by \
                 where f.investigation_id = $1 order by f.factor_code, f.recorded_at",
            )
            .bind(investigation)
            .fetch_all(p)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(Recorded {
                        id: r.uuid("factor_id")?,
                        item: Factor {
                            code: r.text("factor_code")?,
                            note: r.text("note")?,
                            evidence: r.text("evidence")?,
                        },
                        by: r.text("display_name")?,
                        at: millis_to_ts(r.int("recorded_at")?)?,
                    })
                })
                .collect()
        })
    }

    /// The organisation's factor settings: (code, label, retired).
    pub async fn factor_types(
        &self,
        org: OrganisationId,
    ) -> StoreResult<Vec<(String, String, bool)>> {
        on_read!(self, |p| {
            let rows = sqlx::query(
                "select code, label, retired from factor_type where organisation_id = $1 order by label",
            )
            .bind(org.0)
            .fetch_all(p)
            .await?;
            rows.iter()
                .map(|r| Ok((r.text("code")?, r.text("label")?, r.boolean("retired")?)))
                .collect()
        })
    }
}
