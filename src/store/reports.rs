//! Reading for monthly reports: the breaches of a month in a set of
//! services, with how each incident stands now, and openness counts.

use super::incidents::{IncidentSummary, SUMMARY_COLUMNS, summary_from};
use super::{PortableRow, Store, StoreResult, millis_to_ts, on_read, parse_code};
use candour_domain::escalation::Target;
use candour_domain::ids::{OrganisationId, ServiceId};
use candour_domain::incident::Category;
use candour_domain::triage::LearningResponse;
use jiff::Timestamp;

/// One breach in a monthly report.
#[derive(Debug, Clone, PartialEq)]
pub struct BreachLine {
    /// The incident as it stands now (category as confirmed at triage, if it was).
    pub incident: IncidentSummary,
    /// The learning response chosen, if triaged.
    pub learning_response: Option<LearningResponse>,
    /// Which target was missed.
    pub target: Target,
    /// The deadline (the moment of the breach).
    pub due_at: Timestamp,
    /// When the target was met in the end, if it has been.
    pub met_at: Option<Timestamp>,
    /// The reason the handler gave, and who gave it.
    pub reason: Option<(String, String)>,
    /// The incident's actions: (open or in progress, done, of those open how many are in the improvement plan).
    pub actions: (i64, i64, i64),
}

/// Openness with people affected by a month's incidents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OpennessCounts {
    /// Incidents that happened to a person using the service.
    pub affecting_someone: i64,
    /// Of those, how many record that the person or family were told.
    pub told: i64,
    /// With an apology recorded.
    pub apologised: i64,
    /// Recorded as not told yet (and not told since).
    pub not_yet: i64,
}

fn service_list(services: &[ServiceId], first: usize) -> String {
    (0..services.len())
        .map(|i| format!("${}", i + first))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Store {
    /// The breaches whose deadline fell in `[from, to)` in `services`, by deadline.
    pub async fn breach_lines(
        &self,
        org: OrganisationId,
        services: &[ServiceId],
        (from, to): (Timestamp, Timestamp),
    ) -> StoreResult<Vec<BreachLine>> {
        if services.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "select {SUMMARY_COLUMNS}, i.confirmed_category, i.learning_response, b.target, b.due_at, b.reason, ru.display_name as reason_by, \
             case when b.target = 'triage' then (select min(g.graded_at) from incident_grading g where g.incident_id = i.incident_id) \
                  else (select min(t.moved_at) from incident_transition t where t.incident_id = i.incident_id \
                        and t.to_status in ('awaiting_sign_off', 'closed') and t.moved_at >= b.due_at) end as met_at, \
             (select count(*) from action_incident ai join improvement_action x on x.action_id = ai.action_id \
               where ai.incident_id = i.incident_id and x.status in ('open', 'in_progress')) as actions_open, \
             (select count(*) from action_incident ai join improvement_action x on x.action_id = ai.action_id \
               where ai.incident_id = i.incident_id and x.status = 'done') as actions_done, \
             (select count(*) from action_incident ai join improvement_action x on x.action_id = ai.action_id \
               where ai.incident_id = i.incident_id and x.status in ('open', 'in_progress') and x.in_plan) as actions_in_plan \
             from timescale_breach b join incident i on i.incident_id = b.incident_id \
             join service s on s.service_id = i.service_id left join area a on a.area_id = i.area_id \
             left join app_user ru on ru.user_id = b.reason_by \
             where b.organisation_id = $1 and b.due_at >= $2 and b.due_at < $3 and i.service_id in ({}) \
             order by b.due_at, i.reference_number, b.target",
            service_list(services, 4)
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
            rows.iter()
                .map(|r| {
                    let mut incident = summary_from(r)?;
                    if let Some(c) = r.opt_text("confirmed_category")? {
                        incident.category = parse_code(&c, Category::parse, "category")?;
                    }
                    Ok(BreachLine {
                        incident,
                        learning_response: r
                            .opt_text("learning_response")?
                            .map(|c| parse_code(&c, LearningResponse::parse, "learning response"))
                            .transpose()?,
                        target: parse_code(&r.text("target")?, Target::parse, "target")?,
                        due_at: millis_to_ts(r.int("due_at")?)?,
                        met_at: r.opt_int("met_at")?.map(millis_to_ts).transpose()?,
                        reason: match (r.opt_text("reason")?, r.opt_text("reason_by")?) {
                            (Some(reason), Some(by)) => Some((reason, by)),
                            _ => None,
                        },
                        actions: (
                            r.int("actions_open")?,
                            r.int("actions_done")?,
                            r.int("actions_in_plan")?,
                        ),
                    })
                })
                .collect()
        })
    }

    /// Openness with the people affected by incidents that happened in `[from, to)` in `services`.
    pub async fn openness_counts(
        &self,
        org: OrganisationId,
        services: &[ServiceId],
        (from, to): (Timestamp, Timestamp),
    ) -> StoreResult<OpennessCounts> {
        if services.is_empty() {
            return Ok(OpennessCounts::default());
        }
        let sql = format!(
            "select count(*) as affecting_someone, \
             sum(case when exists (select 1 from openness_record o where o.incident_id = i.incident_id and o.told) then 1 else 0 end) as told, \
             sum(case when exists (select 1 from openness_record o where o.incident_id = i.incident_id and o.apology) then 1 else 0 end) as apologised, \
             sum(case when exists (select 1 from openness_record o where o.incident_id = i.incident_id and not o.told) \
                  and not exists (select 1 from openness_record o where o.incident_id = i.incident_id and o.told) then 1 else 0 end) as not_yet \
             from incident i where i.organisation_id = $1 and i.occurred_at >= $2 and i.occurred_at < $3 and i.service_id in ({}) \
             and exists (select 1 from incident_person ip where ip.incident_id = i.incident_id and ip.role = 'affected')",
            service_list(services, 4)
        );
        on_read!(self, |p| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(org.0)
                .bind(from.as_millisecond())
                .bind(to.as_millisecond());
            for s in services {
                q = q.bind(s.0);
            }
            let r = q.fetch_one(p).await?;
            Ok(OpennessCounts {
                affecting_someone: r.int("affecting_someone")?,
                told: r.opt_int("told")?.unwrap_or(0),
                apologised: r.opt_int("apologised")?.unwrap_or(0),
                not_yet: r.opt_int("not_yet")?.unwrap_or(0),
            })
        })
    }
}
