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
            rows.iter().map(affected_from).collect()
        })
    }

    /// Incidents and near misses since `from` that affected these people
    /// of `org`, in any service, oldest first.
    pub async fn affected_of(
        &self,
        org: OrganisationId,
        people: &[PersonId],
        from: Timestamp,
    ) -> StoreResult<Vec<AffectedBy>> {
        let ids: Vec<uuid::Uuid> = people.iter().map(|p| p.0).collect();
        let mut out = self
            .rows_of_ids(
                "select ip.person_id, i.service_id, i.reference_number, i.kind, i.category, i.occurred_at, i.details \
                 from incident_person ip join incident i on i.incident_id = ip.incident_id \
                 where ip.person_id in ({ids}) and ip.role = 'affected' and ip.organisation_id = $1 \
                 and i.occurred_at >= $2 and i.kind in ('incident', 'near_miss')",
                (org, Some(from.as_millisecond())),
                &ids,
                |r| affected_from(r),
            )
            .await?;
        out.sort_by_key(|a| (a.occurred_at, a.reference.0));
        Ok(out)
    }

    /// The latest review of each of these people of `org` who has one.
    pub async fn latest_reviews_of(
        &self,
        org: OrganisationId,
        people: &[PersonId],
    ) -> StoreResult<Vec<(PersonId, Timestamp)>> {
        let ids: Vec<uuid::Uuid> = people.iter().map(|p| p.0).collect();
        self.rows_of_ids(
            "select person_id, max(reviewed_at) as at from person_risk_review \
             where organisation_id = $1 and person_id in ({ids}) group by person_id",
            (org, None),
            &ids,
            |r| Ok((PersonId(r.uuid("person_id")?), millis_to_ts(r.int("at")?)?)),
        )
        .await
    }

    /// The kept flags of people in `services` (see migration 0045): every
    /// (service, person) whose flags are not known to be none.
    pub async fn kept_risk(
        &self,
        (org, services): (OrganisationId, &[ServiceId]),
    ) -> StoreResult<Vec<KeptRisk>> {
        let ids: Vec<uuid::Uuid> = services.iter().map(|s| s.0).collect();
        self.rows_of_ids(
            "select service_id, person_id, organisation_id, generation, stale, flags, valid_until \
             from person_risk where organisation_id = $1 and service_id in ({ids})",
            (org, None),
            &ids,
            |r| kept_from(r),
        )
        .await
    }

    /// Up to `limit` kept flags to work out again, in any organisation:
    /// marked stale, or past the moment they may change.
    pub async fn risk_to_refresh(&self, now_ms: i64, limit: i64) -> StoreResult<Vec<KeptRisk>> {
        on_read!(self, |p| {
            let rows = sqlx::query(
                "select * from (select service_id, person_id, organisation_id, generation, stale, flags, valid_until \
                 from person_risk where stale = 1 limit $2) s \
                 union all \
                 select * from (select service_id, person_id, organisation_id, generation, stale, flags, valid_until \
                 from person_risk where stale = 0 and valid_until <= $1 limit $2) e",
            )
            .bind(now_ms)
            .bind(limit)
            .fetch_all(p)
            .await?;
            rows.iter().map(kept_from).collect()
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

/// Flags kept for a person in a service.
#[derive(Debug, Clone, PartialEq)]
pub struct KeptRisk {
    /// The service whose incidents flagged them.
    pub service_id: ServiceId,
    /// The person.
    pub person_id: PersonId,
    /// Their organisation.
    pub organisation_id: OrganisationId,
    /// Bumped by every write that may change the flags.
    pub generation: i64,
    /// To be worked out again.
    pub stale: bool,
    /// The flags as JSON, when not stale.
    pub flags: String,
    /// When they may next change, epoch ms.
    pub valid_until: i64,
}

fn kept_from(r: &(impl PortableRow + ?Sized)) -> StoreResult<KeptRisk> {
    Ok(KeptRisk {
        service_id: ServiceId(r.uuid("service_id")?),
        person_id: PersonId(r.uuid("person_id")?),
        organisation_id: OrganisationId(r.uuid("organisation_id")?),
        generation: r.int("generation")?,
        stale: r.int("stale")? != 0,
        flags: r.text("flags")?,
        valid_until: r.int("valid_until")?,
    })
}

fn affected_from(r: &(impl PortableRow + ?Sized)) -> StoreResult<AffectedBy> {
    Ok(AffectedBy {
        person_id: PersonId(r.uuid("person_id")?),
        service_id: ServiceId(r.uuid("service_id")?),
        reference: IncidentReference(r.int("reference_number")?),
        kind: parse_code(&r.text("kind")?, EventKind::parse, "kind")?,
        category: parse_code(&r.text("category")?, Category::parse, "category")?,
        occurred_at: millis_to_ts(r.int("occurred_at")?)?,
        details: r.text("details")?,
    })
}

/// Keeps flags worked out from generation `generation` of a row: `Some`
/// (flags as JSON, the moment they may change) updates it, `None` (no
/// flags) removes it. A row changed since (another generation) is left for
/// the next pass. Returns whether it was kept.
pub async fn keep_risk(
    tx: &mut Tx,
    (service, person, generation): (ServiceId, PersonId, i64),
    flags: Option<(&str, i64)>,
) -> StoreResult<bool> {
    let done = on_tx!(tx, |c| match flags {
        Some((json, until)) => sqlx::query(
            "update person_risk set flags = $1, valid_until = $2, stale = 0 \
             where service_id = $3 and person_id = $4 and generation = $5",
        )
        .bind(json)
        .bind(until)
        .bind(service.0)
        .bind(person.0)
        .bind(generation)
        .execute(&mut *c)
        .await?
        .rows_affected(),
        None => sqlx::query(
            "delete from person_risk where service_id = $1 and person_id = $2 and generation = $3",
        )
        .bind(service.0)
        .bind(person.0)
        .bind(generation)
        .execute(&mut *c)
        .await?
        .rows_affected(),
    });
    Ok(done > 0)
}

/// Marks stale the flags of everyone in `org` affected by an incident or
/// near miss since `from_ms` (a row for each, made if missing): after the
/// organisation's rules change.
pub async fn risk_stale_since(tx: &mut Tx, org: OrganisationId, from_ms: i64) -> StoreResult<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into person_risk (service_id, person_id, organisation_id, generation, stale) \
             select distinct i.service_id, ip.person_id, i.organisation_id, 1, 1 \
             from incident i join incident_person ip on ip.incident_id = i.incident_id and ip.role = 'affected' \
             where i.service_id in (select service_id from service where organisation_id = $1) \
             and i.occurred_at >= $2 and i.kind in ('incident', 'near_miss') \
             on conflict (service_id, person_id) do update set generation = person_risk.generation + 1, stale = 1",
        )
        .bind(org.0)
        .bind(from_ms)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}
