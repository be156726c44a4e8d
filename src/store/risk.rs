//! People at increased risk: the incidents the rules read, and the reviews
//! that clear the flags.

use super::{PortableRow, Store, StoreResult, Tx, millis_to_ts, on_read, on_tx, parse_code};
use candour_domain::ids::{OrganisationId, PersonId, ServiceId, UserId};
use candour_domain::incident::{Category, EventKind, IncidentReference};
use jiff::Timestamp;

/// An incident that affected a person, as the rules read it.
#[derive(Debug, Clone, PartialEq)]
pub struct AffectedBy {
    /// The person.
    pub person_id: PersonId,
    /// Their service.
    pub service_id: ServiceId,
    /// The incident's reference.
    pub reference: IncidentReference,
    /// Incident or near miss.
    pub kind: EventKind,
    /// Its category as reported.
    pub category: Category,
    /// When it happened.
    pub occurred_at: Timestamp,
    /// The report's answers, JSON.
    pub details: String,
}

/// A review recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct RiskReview {
    /// The person.
    pub person_id: PersonId,
    /// When.
    pub reviewed_at: Timestamp,
    /// Who, by name.
    pub reviewed_by: String,
    /// Whether the risk assessment was updated.
    pub risk_assessment_updated: bool,
    /// Whether the care plan was updated.
    pub care_plan_updated: bool,
    /// The flags it answered, as shown then.
    pub flags: String,
    /// What was decided.
    pub outcome: String,
}

/// A review to record.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRiskReview<'a> {
    /// The person.
    pub person_id: PersonId,
    /// Who.
    pub by: UserId,
    /// When, epoch milliseconds.
    pub at_ms: i64,
    /// Risk assessment updated.
    pub risk_assessment_updated: bool,
    /// Care plan updated.
    pub care_plan_updated: bool,
    /// The flags it answers.
    pub flags: &'a str,
    /// What was decided.
    pub outcome: &'a str,
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

/// Records a review.
pub async fn insert_risk_review(
    tx: &mut Tx,
    org: OrganisationId,
    r: &NewRiskReview<'_>,
) -> StoreResult<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into person_risk_review (review_id, organisation_id, person_id, reviewed_at, reviewed_by, \
             risk_assessment_updated, care_plan_updated, flags, outcome) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(uuid::Uuid::now_v7())
        .bind(org.0)
        .bind(r.person_id.0)
        .bind(r.at_ms)
        .bind(r.by.0)
        .bind(yes_no(r.risk_assessment_updated))
        .bind(yes_no(r.care_plan_updated))
        .bind(r.flags)
        .bind(r.outcome)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

impl Store {
    /// Incidents and near misses in `services` since `from` that affected
    /// a person using them (with `person`, only theirs), oldest first. The
    /// organisation is checked on the services, so each service's incidents
    /// are read by when they happened (checked on each incident, SQLite
    /// would read the organisation's every incident).
    pub async fn affected_since(
        &self,
        (org, services): (OrganisationId, &[ServiceId]),
        person: Option<PersonId>,
        from: Timestamp,
    ) -> StoreResult<Vec<AffectedBy>> {
        if services.is_empty() {
            return Ok(Vec::new());
        }
        let list: Vec<String> = (0..services.len()).map(|i| format!("${}", i + 4)).collect();
        let sql = format!(
            "select ip.person_id, i.service_id, i.reference_number, i.kind, i.category, i.occurred_at, i.details \
             from incident i join incident_person ip on ip.incident_id = i.incident_id and ip.role = 'affected' \
             where i.service_id in (select service_id from service where organisation_id = $1 and service_id in ({})) \
             and i.occurred_at >= $2 \
             and ($3 is null or ip.person_id = $3) and i.kind in ('incident', 'near_miss') \
             order by i.occurred_at, i.reference_number",
            list.join(", ")
        );
        on_read!(self, |p| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(org.0)
                .bind(from.as_millisecond())
                .bind(person.map(|p| p.0));
            for s in services {
                q = q.bind(s.0);
            }
            let rows = q.fetch_all(p).await?;
            rows.iter()
                .map(|r| {
                    Ok(AffectedBy {
                        person_id: PersonId(r.uuid("person_id")?),
                        service_id: ServiceId(r.uuid("service_id")?),
                        reference: IncidentReference(r.int("reference_number")?),
                        kind: parse_code(&r.text("kind")?, EventKind::parse, "kind")?,
                        category: parse_code(&r.text("category")?, Category::parse, "category")?,
                        occurred_at: millis_to_ts(r.int("occurred_at")?)?,
                        details: r.text("details")?,
                    })
                })
                .collect()
        })
    }

    /// The latest review of each person using `services` who has one.
    pub async fn latest_risk_reviews(
        &self,
        (org, services): (OrganisationId, &[ServiceId]),
    ) -> StoreResult<Vec<(PersonId, Timestamp)>> {
        if services.is_empty() {
            return Ok(Vec::new());
        }
        let list: Vec<String> = (0..services.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "select r.person_id, max(r.reviewed_at) as at from person_risk_review r \
             join person pe on pe.person_id = r.person_id \
             where r.organisation_id = $1 and pe.service_id in ({}) group by r.person_id",
            list.join(", ")
        );
        on_read!(self, |p| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str())).bind(org.0);
            for s in services {
                q = q.bind(s.0);
            }
            let rows = q.fetch_all(p).await?;
            rows.iter()
                .map(|r| Ok((PersonId(r.uuid("person_id")?), millis_to_ts(r.int("at")?)?)))
                .collect()
        })
    }

    /// Every review of a person, newest first.
    pub async fn risk_reviews(
        &self,
        org: OrganisationId,
        person: PersonId,
    ) -> StoreResult<Vec<RiskReview>> {
        on_read!(self, |p| {
            let rows = sqlx::query(
                "select r.person_id, r.reviewed_at, u.display_name, r.risk_assessment_updated, r.care_plan_updated, \
                 r.flags, r.outcome from person_risk_review r join app_user u on u.user_id = r.reviewed_by \
                 where r.organisation_id = $1 and r.person_id = $2 order by r.reviewed_at desc, r.review_id desc",
            )
            .bind(org.0)
            .bind(person.0)
            .fetch_all(p)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(RiskReview {
                        person_id: PersonId(r.uuid("person_id")?),
                        reviewed_at: millis_to_ts(r.int("reviewed_at")?)?,
                        reviewed_by: r.text("display_name")?,
                        risk_assessment_updated: r.text("risk_assessment_updated")? == "yes",
                        care_plan_updated: r.text("care_plan_updated")? == "yes",
                        flags: r.text("flags")?,
                        outcome: r.text("outcome")?,
                    })
                })
                .collect()
        })
    }
}
