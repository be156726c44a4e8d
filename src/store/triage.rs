//! Triage: an incident's current grading (on the incident row, for queues
//! and lists), deadlines, and the grading history.

use super::bulk::{Value, insert_rows};
use super::{PortableRow, Store, StoreResult, Tx, millis_to_ts, on_read, on_tx, parse_code};
use candour_domain::ids::{IncidentId, OrganisationId, ServiceId, UserId};
use candour_domain::incident::{Category, EventKind, IncidentStatus};
use candour_domain::triage::{LearningResponse, PhysicalHarm, PsychologicalHarm, RiskBand};
use jiff::Timestamp;

/// An incident's current triage decision (its history is in `gradings`).
#[derive(Debug, Clone, PartialEq)]
pub struct CurrentGrading {
    /// Confirmed kind.
    pub kind: EventKind,
    /// Confirmed category.
    pub category: Category,
    /// Physical harm.
    pub physical_harm: PhysicalHarm,
    /// Psychological harm.
    pub psychological_harm: PsychologicalHarm,
    /// Risk score, 1–25.
    pub risk_score: i64,
    /// Its band.
    pub risk_band: RiskBand,
    /// The learning response chosen.
    pub learning_response: LearningResponse,
    /// Who handles it, with their name.
    pub handler: Option<(UserId, String)>,
    /// When it was first triaged.
    pub triaged_at: Timestamp,
    /// When the review is due.
    pub review_due_at: Timestamp,
}

pub(super) fn grading_from(r: &(impl PortableRow + ?Sized)) -> StoreResult<Option<CurrentGrading>> {
    let Some(triaged_at) = r.opt_int("triaged_at")? else {
        return Ok(None);
    };
    let text = |col: &str| -> StoreResult<String> {
        r.opt_text(col)?
            .ok_or_else(|| super::StoreError::Corrupt(format!("a triaged incident has no {col}")))
    };
    Ok(Some(CurrentGrading {
        kind: parse_code(&text("confirmed_kind")?, EventKind::parse, "kind")?,
        category: parse_code(&text("confirmed_category")?, Category::parse, "category")?,
        physical_harm: parse_code(
            &text("physical_harm")?,
            PhysicalHarm::parse,
            "physical harm",
        )?,
        psychological_harm: parse_code(
            &text("psychological_harm")?,
            PsychologicalHarm::parse,
            "psychological harm",
        )?,
        risk_score: r.opt_int("risk_score")?.unwrap_or(0),
        risk_band: parse_code(&text("risk_band")?, RiskBand::parse, "risk band")?,
        learning_response: parse_code(
            &text("learning_response")?,
            LearningResponse::parse,
            "learning response",
        )?,
        handler: match (r.opt_uuid("handler_id")?, r.opt_text("handler_name")?) {
            (Some(id), Some(name)) => Some((UserId(id), name)),
            _ => None,
        },
        triaged_at: millis_to_ts(triaged_at)?,
        review_due_at: millis_to_ts(r.opt_int("review_due_at")?.unwrap_or(triaged_at))?,
    }))
}

/// Sets when triage is due (after the timescales or the calendar changed).
pub async fn set_triage_due(tx: &mut Tx, id: IncidentId, due: Timestamp) -> StoreResult<()> {
    on_tx!(tx, |c| {
        sqlx::query("update incident set triage_due_at = $1 where incident_id = $2")
            .bind(due.as_millisecond())
            .bind(id.0)
            .execute(&mut *c)
            .await?;
    });
    Ok(())
}

impl Store {
    /// Reports of `org` still waiting for triage (all of them, or only those
    /// with no deadline yet): (id, service, category, reported at).
    pub async fn awaiting_triage_deadlines(
        &self,
        org: OrganisationId,
        only_missing: bool,
    ) -> StoreResult<Vec<(IncidentId, ServiceId, Category, Timestamp)>> {
        let sql = format!(
            "select incident_id, service_id, coalesce(confirmed_category, category) as category, reported_at from incident \
             where organisation_id = $1 and status = 'reported'{}",
            if only_missing {
                " and triage_due_at is null"
            } else {
                ""
            }
        );
        on_read!(self, |p| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(org.0)
                .fetch_all(p)
                .await?;
            rows.iter()
                .map(|r| {
                    Ok((
                        IncidentId(r.uuid("incident_id")?),
                        ServiceId(r.uuid("service_id")?),
                        parse_code(&r.text("category")?, Category::parse, "category")?,
                        millis_to_ts(r.int("reported_at")?)?,
                    ))
                })
                .collect()
        })
    }
}

/// One grading, as kept in the history.
#[derive(Debug, Clone, PartialEq)]
pub struct GradingRecord {
    /// The incident.
    pub incident_id: IncidentId,
    /// The organisation.
    pub organisation_id: OrganisationId,
    /// What was decided.
    pub grading: candour_domain::triage::Grading,
    /// When the review is due under it.
    pub review_due_at: Timestamp,
    /// Who graded it.
    pub graded_by: UserId,
    /// Their name (when read back).
    pub graded_by_name: String,
    /// When.
    pub graded_at: Timestamp,
}

/// Adds a grading to the history.
pub async fn insert_grading(tx: &mut Tx, g: &GradingRecord) -> StoreResult<()> {
    let d = &g.grading;
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into incident_grading (grading_id, incident_id, organisation_id, kind, category, physical_harm, psychological_harm, \
             consequence, likelihood, risk_score, risk_band, learning_response, no_action_reason, handler_id, review_due_at, reason, graded_by, graded_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
        )
        .bind(uuid::Uuid::now_v7())
        .bind(g.incident_id.0)
        .bind(g.organisation_id.0)
        .bind(d.kind.code())
        .bind(d.category.code())
        .bind(d.physical_harm.code())
        .bind(d.psychological_harm.code())
        .bind(i64::from(d.consequence.code().parse::<u8>().unwrap_or(1)))
        .bind(i64::from(d.likelihood.code().parse::<u8>().unwrap_or(1)))
        .bind(i64::from(d.risk_score))
        .bind(d.risk_band.code())
        .bind(d.learning_response.code())
        .bind(d.no_action_reason.as_deref())
        .bind(d.handler.map(|h| h.0))
        .bind(g.review_due_at.as_millisecond())
        .bind(&d.reason)
        .bind(g.graded_by.0)
        .bind(g.graded_at.as_millisecond())
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

/// Makes `g` the incident's current grading and sets its status, if the
/// incident is still at `version`; returns whether it was.
pub async fn apply_grading(
    tx: &mut Tx,
    g: &GradingRecord,
    status: IncidentStatus,
    triaged_at: Timestamp,
    version: i64,
) -> StoreResult<bool> {
    let d = &g.grading;
    let n = on_tx!(tx, |c| {
        sqlx::query(
            "update incident set confirmed_kind = $1, confirmed_category = $2, physical_harm = $3, psychological_harm = $4, \
             risk_score = $5, risk_band = $6, learning_response = $7, handler_id = $8, triaged_at = $9, review_due_at = $10, \
             status = $11, version = version + 1, updated_at = $12 where incident_id = $13 and version = $14",
        )
        .bind(d.kind.code())
        .bind(d.category.code())
        .bind(d.physical_harm.code())
        .bind(d.psychological_harm.code())
        .bind(i64::from(d.risk_score))
        .bind(d.risk_band.code())
        .bind(d.learning_response.code())
        .bind(d.handler.map(|h| h.0))
        .bind(triaged_at.as_millisecond())
        .bind(g.review_due_at.as_millisecond())
        .bind(status.code())
        .bind(g.graded_at.as_millisecond())
        .bind(g.incident_id.0)
        .bind(version)
        .execute(&mut *c)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

fn record_from(r: &impl PortableRow) -> StoreResult<GradingRecord> {
    use candour_domain::triage::{Consequence, Grading, Likelihood};
    let num = |col: &str| -> StoreResult<String> { Ok(r.int(col)?.to_string()) };
    Ok(GradingRecord {
        incident_id: IncidentId(r.uuid("incident_id")?),
        organisation_id: OrganisationId(r.uuid("organisation_id")?),
        grading: Grading {
            kind: parse_code(&r.text("kind")?, EventKind::parse, "kind")?,
            category: parse_code(&r.text("category")?, Category::parse, "category")?,
            physical_harm: parse_code(
                &r.text("physical_harm")?,
                PhysicalHarm::parse,
                "physical harm",
            )?,
            psychological_harm: parse_code(
                &r.text("psychological_harm")?,
                PsychologicalHarm::parse,
                "psychological harm",
            )?,
            consequence: parse_code(&num("consequence")?, Consequence::parse, "consequence")?,
            likelihood: parse_code(&num("likelihood")?, Likelihood::parse, "likelihood")?,
            risk_score: u8::try_from(r.int("risk_score")?).unwrap_or(0),
            risk_band: parse_code(&r.text("risk_band")?, RiskBand::parse, "risk band")?,
            learning_response: parse_code(
                &r.text("learning_response")?,
                LearningResponse::parse,
                "learning response",
            )?,
            no_action_reason: r.opt_text("no_action_reason")?,
            handler: r.opt_uuid("handler_id")?.map(UserId),
            reason: r.text("reason")?,
        },
        review_due_at: millis_to_ts(r.int("review_due_at")?)?,
        graded_by: UserId(r.uuid("graded_by")?),
        graded_by_name: r.text("display_name")?,
        graded_at: millis_to_ts(r.int("graded_at")?)?,
    })
}

/// A line of a triage queue.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueLine {
    /// The incident, as in any list.
    pub summary: super::incidents::IncidentSummary,
    /// When triage is due.
    pub triage_due_at: Option<Timestamp>,
    /// When the review is due, once triaged.
    pub review_due_at: Option<Timestamp>,
    /// The risk band, once triaged.
    pub risk_band: Option<RiskBand>,
    /// The handler's name.
    pub handler: Option<String>,
}

impl Store {
    /// Every grading of an incident, oldest first, with who made it.
    pub async fn gradings(&self, incident: IncidentId) -> StoreResult<Vec<GradingRecord>> {
        on_read!(self, |p| {
            let rows = sqlx::query(
                "select g.*, u.display_name from incident_grading g join app_user u on u.user_id = g.graded_by \
                 where g.incident_id = $1 order by g.graded_at, g.grading_id",
            )
            .bind(incident.0)
            .fetch_all(p)
            .await?;
            rows.iter().map(record_from).collect()
        })
    }

    /// Open incidents in `services`, most pressing first: awaiting triage by
    /// triage deadline, the rest by review deadline.
    pub async fn triage_queue(
        &self,
        org: OrganisationId,
        services: &[ServiceId],
        limit: i64,
    ) -> StoreResult<Vec<QueueLine>> {
        if services.is_empty() {
            return Ok(Vec::new());
        }
        // The first `limit` are chosen from the incident rows alone (the
        // index on service and status finds them); names are joined to
        // those only, not to every open incident of hundreds of services.
        let order = "case when i.status = 'reported' then 0 else 1 end, \
             case when i.status = 'reported' then i.triage_due_at else i.review_due_at end asc nulls last, i.reported_at";
        let sql = format!(
            "with first as (select i.incident_id from incident i \
             where i.service_id in (select service_id from service where organisation_id = $1 and service_id in ({list})) \
             and i.status in ({open}) order by {order} limit $2) \
             select {columns}, i.triage_due_at, i.review_due_at, i.risk_band, h.display_name as handler_name \
             from first f join incident i on i.incident_id = f.incident_id \
             join service s on s.service_id = i.service_id left join area a on a.area_id = i.area_id \
             left join app_user h on h.user_id = i.handler_id \
             order by {order}",
            columns = super::incidents::SUMMARY_COLUMNS,
            list = super::placeholders(services.len(), 3),
            open = open_statuses()
        );
        on_read!(self, |p| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(org.0)
                .bind(limit);
            for s in services {
                q = q.bind(s.0);
            }
            let rows = q.fetch_all(p).await?;
            rows.iter()
                .map(|r| {
                    Ok(QueueLine {
                        summary: super::incidents::summary_from(r)?,
                        triage_due_at: r.opt_int("triage_due_at")?.map(millis_to_ts).transpose()?,
                        review_due_at: r.opt_int("review_due_at")?.map(millis_to_ts).transpose()?,
                        risk_band: r
                            .opt_text("risk_band")?
                            .map(|b| parse_code(&b, RiskBand::parse, "risk band"))
                            .transpose()?,
                        handler: r.opt_text("handler_name")?,
                    })
                })
                .collect()
        })
    }
}

/// Every status but closed, quoted for SQL (codes are fixed identifiers):
/// listed, so each service's open incidents are found by the index on
/// (service, status) rather than by reading all of them.
fn open_statuses() -> String {
    IncidentStatus::ALL
        .iter()
        .filter(|s| **s != IncidentStatus::Closed)
        .map(|s| format!("'{}'", s.code()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Adds many gradings, each with its id, with multi-row statements (demo and bulk loads).
pub async fn insert_gradings_batch(
    tx: &mut Tx,
    rows: &[(uuid::Uuid, GradingRecord)],
) -> StoreResult<()> {
    let code = |c: &str| i64::from(c.parse::<u8>().unwrap_or(1));
    let rows: Vec<Vec<Value>> = rows
        .iter()
        .map(|(id, g)| {
            let d = &g.grading;
            vec![
                Value::from(*id),
                Value::from(g.incident_id.0),
                Value::from(g.organisation_id.0),
                Value::from(d.kind.code()),
                Value::from(d.category.code()),
                Value::from(d.physical_harm.code()),
                Value::from(d.psychological_harm.code()),
                Value::from(code(d.consequence.code())),
                Value::from(code(d.likelihood.code())),
                Value::from(i64::from(d.risk_score)),
                Value::from(d.risk_band.code()),
                Value::from(d.learning_response.code()),
                Value::from(d.no_action_reason.as_deref()),
                Value::from(d.handler.map(|h| h.0)),
                Value::from(g.review_due_at.as_millisecond()),
                Value::from(d.reason.as_str()),
                Value::from(g.graded_by.0),
                Value::from(g.graded_at.as_millisecond()),
            ]
        })
        .collect();
    insert_rows(
        tx,
        "incident_grading",
        &[
            "grading_id",
            "incident_id",
            "organisation_id",
            "kind",
            "category",
            "physical_harm",
            "psychological_harm",
            "consequence",
            "likelihood",
            "risk_score",
            "risk_band",
            "learning_response",
            "no_action_reason",
            "handler_id",
            "review_due_at",
            "reason",
            "graded_by",
            "graded_at",
        ],
        &rows,
    )
    .await
}
