//! Triage: an incident's current grading (on the incident row, for queues
//! and lists), deadlines, and the grading history.

use super::{PortableRow, Store, StoreResult, Tx, millis_to_ts, on_read, on_tx, parse_code};
use candour_domain::ids::{IncidentId, OrganisationId, ServiceId, UserId};
use candour_domain::incident::{Category, EventKind};
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

pub(super) fn grading_from(r: &impl PortableRow) -> StoreResult<Option<CurrentGrading>> {
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
