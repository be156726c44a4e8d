//! Reading for monthly reports: the breaches of a month in a set of
//! services, with how each incident stands now, and openness counts.

use super::incidents::{IncidentSummary, SUMMARY_COLUMNS, summary_from};
use super::{PortableRow, Store, StoreResult, millis_to_ts, on_read, parse_code};
use candour_domain::escalation::Target;
use candour_domain::ids::{OrganisationId, ServiceId};
use candour_domain::incident::Category;
use candour_domain::triage::{LearningResponse, PhysicalHarm, RiskBand};
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

/// A serious incident in a monthly summary: graded severe or fatal harm or
/// extreme risk, chosen for a serious investigation, or a death.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriousLine {
    /// The incident as it stands now (category as confirmed, if it was).
    pub incident: IncidentSummary,
    /// Physical harm as graded.
    pub physical_harm: Option<PhysicalHarm>,
    /// Risk band as graded.
    pub risk_band: Option<RiskBand>,
    /// The learning response chosen.
    pub learning_response: Option<LearningResponse>,
    /// Its investigation: (number, completed).
    pub investigation: Option<(i64, bool)>,
}

/// Investigation figures for a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct InvestigationCounts {
    /// Opened in the month.
    pub opened: i64,
    /// Completed in the month.
    pub completed: i64,
    /// Still open when the month ended.
    pub open_at_end: i64,
    /// Of those, past their due date when the month ended.
    pub overdue_at_end: i64,
    /// Actions from investigations still open at the month's end.
    pub actions_open_at_end: i64,
}

/// A query bound to `$1` organisation, `$2`..`$3` the span, then the services.
macro_rules! month_query {
    ($sql:expr, $org:expr, ($from:expr, $to:expr), $services:expr) => {{
        let mut q = sqlx::query(sqlx::AssertSqlSafe($sql))
            .bind($org.0)
            .bind($from.as_millisecond())
            .bind($to.as_millisecond());
        for s in $services {
            q = q.bind(s.0);
        }
        q
    }};
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
            super::placeholders(services.len(), 4)
        );
        on_read!(self, |p| {
            let rows = month_query!(sql.as_str(), org, (from, to), services)
                .fetch_all(p)
                .await?;
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
             cast(sum(case when exists (select 1 from openness_record o where o.incident_id = i.incident_id and o.told) then 1 else 0 end) as bigint) as told, \
             cast(sum(case when exists (select 1 from openness_record o where o.incident_id = i.incident_id and o.apology) then 1 else 0 end) as bigint) as apologised, \
             cast(sum(case when exists (select 1 from openness_record o where o.incident_id = i.incident_id and not o.told) \
                  and not exists (select 1 from openness_record o where o.incident_id = i.incident_id and o.told) then 1 else 0 end) as bigint) as not_yet \
             from incident i where i.organisation_id = $1 and i.occurred_at >= $2 and i.occurred_at < $3 and i.service_id in ({}) \
             and exists (select 1 from incident_person ip where ip.incident_id = i.incident_id and ip.role = 'affected')",
            super::placeholders(services.len(), 4)
        );
        on_read!(self, |p| {
            let r = month_query!(sql.as_str(), org, (from, to), services)
                .fetch_one(p)
                .await?;
            Ok(OpennessCounts {
                affecting_someone: r.int("affecting_someone")?,
                told: r.opt_int("told")?.unwrap_or(0),
                apologised: r.opt_int("apologised")?.unwrap_or(0),
                not_yet: r.opt_int("not_yet")?.unwrap_or(0),
            })
        })
    }

    /// How quickly the reporters of reports made in `[from, to)` in
    /// `services` heard back: the number of reports, and the minutes to
    /// first feedback of each that has had it.
    pub async fn feedback_minutes(
        &self,
        org: OrganisationId,
        services: &[ServiceId],
        (from, to): (Timestamp, Timestamp),
    ) -> StoreResult<(i64, Vec<i64>)> {
        if services.is_empty() {
            return Ok((0, Vec::new()));
        }
        let sql = format!(
            "select i.reported_at, (select min(f.created_at) from incident_feedback f where f.incident_id = i.incident_id) as first_feedback \
             from incident i where i.organisation_id = $1 and i.reported_at >= $2 and i.reported_at < $3 and i.service_id in ({})",
            super::placeholders(services.len(), 4)
        );
        on_read!(self, |p| {
            let rows = month_query!(sql.as_str(), org, (from, to), services)
                .fetch_all(p)
                .await?;
            let mut minutes = Vec::new();
            for r in &rows {
                if let Some(first) = r.opt_int("first_feedback")? {
                    minutes.push(candour_domain::feedback::minutes_to_feedback(
                        r.int("reported_at")?,
                        first,
                    ));
                }
            }
            Ok((rows.len() as i64, minutes))
        })
    }

    /// The serious incidents reported in `[from, to)` in `services`, oldest first.
    pub async fn serious_lines(
        &self,
        org: OrganisationId,
        services: &[ServiceId],
        (from, to): (Timestamp, Timestamp),
    ) -> StoreResult<Vec<SeriousLine>> {
        if services.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "select {SUMMARY_COLUMNS}, i.confirmed_category, i.physical_harm, i.risk_band, i.learning_response, \
             v.reference_number as investigation_number, v.status as investigation_status \
             from incident i join service s on s.service_id = i.service_id left join area a on a.area_id = i.area_id \
             left join investigation v on v.incident_id = i.incident_id \
             where i.organisation_id = $1 and i.reported_at >= $2 and i.reported_at < $3 and i.service_id in ({}) \
             and (i.physical_harm in ('severe', 'fatal') or i.risk_band = 'extreme' or i.learning_response = 'serious_investigation' \
                  or i.category = 'death' or i.confirmed_category = 'death' or v.investigation_id is not null) \
             order by i.reported_at, i.reference_number",
            super::placeholders(services.len(), 4)
        );
        on_read!(self, |p| {
            let rows = month_query!(sql.as_str(), org, (from, to), services)
                .fetch_all(p)
                .await?;
            rows.iter()
                .map(|r| {
                    let mut incident = summary_from(r)?;
                    if let Some(c) = r.opt_text("confirmed_category")? {
                        incident.category = parse_code(&c, Category::parse, "category")?;
                    }
                    Ok(SeriousLine {
                        incident,
                        physical_harm: r
                            .opt_text("physical_harm")?
                            .map(|c| parse_code(&c, PhysicalHarm::parse, "physical harm"))
                            .transpose()?,
                        risk_band: r
                            .opt_text("risk_band")?
                            .map(|c| parse_code(&c, RiskBand::parse, "risk band"))
                            .transpose()?,
                        learning_response: r
                            .opt_text("learning_response")?
                            .map(|c| parse_code(&c, LearningResponse::parse, "learning response"))
                            .transpose()?,
                        investigation: match r.opt_int("investigation_number")? {
                            Some(n) => Some((
                                n,
                                r.opt_text("investigation_status")?.as_deref() == Some("completed"),
                            )),
                            None => None,
                        },
                    })
                })
                .collect()
        })
    }

    /// Investigation figures for `[from, to)` in `services`.
    pub async fn investigation_counts(
        &self,
        org: OrganisationId,
        services: &[ServiceId],
        (from, to): (Timestamp, Timestamp),
    ) -> StoreResult<InvestigationCounts> {
        if services.is_empty() {
            return Ok(InvestigationCounts::default());
        }
        let open_at_end = "v.opened_at < $3 and (v.completed_at is null or v.completed_at >= $3)";
        let sql = format!(
            "select \
             cast(sum(case when v.opened_at >= $2 and v.opened_at < $3 then 1 else 0 end) as bigint) as opened, \
             cast(sum(case when v.completed_at >= $2 and v.completed_at < $3 then 1 else 0 end) as bigint) as completed, \
             cast(sum(case when {open_at_end} then 1 else 0 end) as bigint) as open_at_end, \
             cast(sum(case when {open_at_end} and v.due_at < $3 then 1 else 0 end) as bigint) as overdue_at_end, \
             cast(sum(case when {open_at_end} then (select count(*) from action_investigation ai join improvement_action x on x.action_id = ai.action_id \
                 where ai.investigation_id = v.investigation_id and (x.completed_at is null or x.completed_at >= $3) and x.status <> 'cancelled' and x.created_at < $3) else 0 end) as bigint) as actions_open_at_end \
             from investigation v where v.organisation_id = $1 and v.service_id in ({})",
            super::placeholders(services.len(), 4)
        );
        on_read!(self, |p| {
            let r = month_query!(sql.as_str(), org, (from, to), services)
                .fetch_one(p)
                .await?;
            Ok(InvestigationCounts {
                opened: r.opt_int("opened")?.unwrap_or(0),
                completed: r.opt_int("completed")?.unwrap_or(0),
                open_at_end: r.opt_int("open_at_end")?.unwrap_or(0),
                overdue_at_end: r.opt_int("overdue_at_end")?.unwrap_or(0),
                actions_open_at_end: r.opt_int("actions_open_at_end")?.unwrap_or(0),
            })
        })
    }

    /// How often each contributory factor was tagged in `[from, to)` in `services`, most often first.
    pub async fn factor_counts(
        &self,
        org: OrganisationId,
        services: &[ServiceId],
        (from, to): (Timestamp, Timestamp),
    ) -> StoreResult<Vec<(String, i64)>> {
        if services.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "select f.factor_code, count(*) as n from investigation_factor f join investigation v on v.investigation_id = f.investigation_id \
             where f.organisation_id = $1 and f.recorded_at >= $2 and f.recorded_at < $3 and v.service_id in ({}) \
             group by f.factor_code order by count(*) desc, f.factor_code",
            super::placeholders(services.len(), 4)
        );
        on_read!(self, |p| {
            let rows = month_query!(sql.as_str(), org, (from, to), services)
                .fetch_all(p)
                .await?;
            rows.iter()
                .map(|r| Ok((r.text("factor_code")?, r.int("n")?)))
                .collect()
        })
    }

    /// The reports made in `[from, to)` in `services`, counted by kind (as
    /// confirmed at triage, if it was) and physical harm as graded (`None`:
    /// not graded yet): (kind code, harm code, count).
    pub async fn kind_harm_counts(
        &self,
        org: OrganisationId,
        services: &[ServiceId],
        (from, to): (Timestamp, Timestamp),
    ) -> StoreResult<Vec<(String, Option<String>, i64)>> {
        if services.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "select coalesce(i.confirmed_kind, i.kind) as k, i.physical_harm, count(*) as n \
             from incident i where i.organisation_id = $1 and i.reported_at >= $2 and i.reported_at < $3 \
             and i.service_id in ({}) group by coalesce(i.confirmed_kind, i.kind), i.physical_harm order by 1, 2",
            super::placeholders(services.len(), 4)
        );
        on_read!(self, |p| {
            let rows = month_query!(sql.as_str(), org, (from, to), services)
                .fetch_all(p)
                .await?;
            rows.iter()
                .map(|r| Ok((r.text("k")?, r.opt_text("physical_harm")?, r.int("n")?)))
                .collect()
        })
    }

    /// The incidents reported in `[from, to)` in `service`, oldest first.
    pub async fn incident_ids_reported(
        &self,
        org: OrganisationId,
        service: ServiceId,
        (from, to): (Timestamp, Timestamp),
    ) -> StoreResult<Vec<candour_domain::ids::IncidentId>> {
        let sql = "select i.incident_id from incident i where i.organisation_id = $1 and i.reported_at >= $2 \
             and i.reported_at < $3 and i.service_id in ($4) order by i.reported_at, i.reference_number";
        on_read!(self, |p| {
            let rows = month_query!(sql, org, (from, to), [service])
                .fetch_all(p)
                .await?;
            rows.iter()
                .map(|r| Ok(candour_domain::ids::IncidentId(r.uuid("incident_id")?)))
                .collect()
        })
    }
}
