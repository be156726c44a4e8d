//! People at increased risk (domain `risk_flags`): the organisation's rules,
//! the flags each person using a service has now, a person's page, and the
//! review of their risk assessment and care plan that clears the flags.

use super::{ActionError, ActionResult, Actor, Ctx, services_where};
use crate::store::incidents::{IncidentFilter, IncidentSummary};
use crate::store::organisations::Service;
use crate::store::people::Person;
use crate::store::risk::{NewRiskReview, RiskReview, insert_risk_review};
use candour_domain::details::Details;
use candour_domain::ids::{OrganisationId, PersonId, ServiceId};
use candour_domain::risk_flags::{PersonEvent, RiskFlag, RiskRules, facts_of, flags};
use candour_domain::role::Permission;
use candour_domain::validation::{FieldErrors, checked_text};
use jiff::{SignedDuration, Timestamp};
use serde_json::json;
use std::collections::HashMap;

/// The organisation setting that holds the rules.
pub const RISK_RULES: &str = "risk_rules";

/// The organisation's rules (the defaults until someone changes them).
pub async fn org_risk_rules(
    ctx: &Ctx,
    org: candour_domain::ids::OrganisationId,
) -> ActionResult<RiskRules> {
    Ok(match ctx.store.org_setting(org, RISK_RULES).await? {
        Some(json) => serde_json::from_str(&json)
            .map_err(|e| anyhow::anyhow!("the stored risk rules are not readable: {e}"))?,
        None => RiskRules::default(),
    })
}

/// A person flagged, with their service.
#[derive(Debug, Clone)]
pub struct AtRisk {
    /// The person.
    pub person: Person,
    /// Their service's name.
    pub service_name: String,
    /// Why.
    pub flags: Vec<RiskFlag>,
}

/// The flags of the people using `services` (with `person`, only theirs)
/// at `now`, by service then person: one read of their incidents and one of
/// their reviews, whatever the number of services.
async fn flags_in(
    ctx: &Ctx,
    (org, services): (OrganisationId, &[ServiceId]),
    person: Option<PersonId>,
    now: Timestamp,
) -> ActionResult<Vec<(ServiceId, PersonId, Vec<RiskFlag>)>> {
    let rules = org_risk_rules(ctx, org).await?;
    let from = now
        .checked_sub(SignedDuration::from_hours(
            24 * i64::from(rules.look_back_days()),
        ))
        .unwrap_or(now);
    let mut events: HashMap<(ServiceId, PersonId), Vec<PersonEvent>> = HashMap::new();
    for a in ctx
        .store
        .affected_since((org, services), person, from)
        .await?
    {
        let details: Option<Details> = serde_json::from_str(&a.details).ok();
        let (head_struck, anticoagulant, ulcer) =
            details.as_ref().map(facts_of).unwrap_or((None, None, None));
        events
            .entry((a.service_id, a.person_id))
            .or_default()
            .push(PersonEvent {
                reference: a.reference.to_string(),
                occurred_at: a.occurred_at,
                kind: a.kind,
                category: a.category,
                head_struck,
                anticoagulant,
                ulcer,
            });
    }
    let reviewed: HashMap<PersonId, Timestamp> = ctx
        .store
        .latest_risk_reviews((org, services))
        .await?
        .into_iter()
        .collect();
    let mut out: Vec<(ServiceId, PersonId, Vec<RiskFlag>)> = events
        .into_iter()
        .map(|((s, id), ev)| (s, id, flags(&rules, &ev, reviewed.get(&id).copied(), now)))
        .filter(|(_, _, f)| !f.is_empty())
        .collect();
    out.sort_by_key(|(s, id, _)| (*s, *id));
    Ok(out)
}

/// Everyone flagged in the services where `actor` sees incidents (or in
/// `only`, when given and theirs), by service then internal code.
pub async fn people_at_risk(
    ctx: &Ctx,
    actor: &Actor,
    only: Option<&[Service]>,
) -> ActionResult<Vec<AtRisk>> {
    let services: Vec<Service> = match only {
        Some(s) => s.to_vec(),
        None => services_where(ctx, actor, Permission::ViewIncidents).await?,
    }
    .into_iter()
    .filter(|s| actor.can_in(Permission::ViewIncidents, s))
    .collect();
    let ids: Vec<ServiceId> = services.iter().map(|s| s.service_id).collect();
    let flagged = flags_in(ctx, (actor.organisation_id, &ids), None, ctx.clock.now()).await?;
    // One read of the people flagged, whatever the number of services.
    let wanted: Vec<PersonId> = flagged.iter().map(|(_, id, _)| *id).collect();
    let people: HashMap<PersonId, Person> = ctx
        .store
        .people_by_ids(actor.organisation_id, &wanted)
        .await?
        .into_iter()
        .map(|p| (p.person_id, p))
        .collect();
    let names: HashMap<ServiceId, &str> = services
        .iter()
        .map(|s| (s.service_id, s.name.as_str()))
        .collect();
    let mut out: Vec<(usize, AtRisk)> = flagged
        .into_iter()
        .filter_map(|(service, id, flags)| {
            // Listed under the service whose register they are on, as before.
            let person = people.get(&id).filter(|p| p.service_id == service)?;
            let at = services.iter().position(|s| s.service_id == service)?;
            Some((
                at,
                AtRisk {
                    person: person.clone(),
                    service_name: names.get(&service).copied().unwrap_or_default().to_owned(),
                    flags,
                },
            ))
        })
        .collect();
    out.sort_by(|(a, x), (b, y)| {
        a.cmp(b)
            .then_with(|| x.person.internal_code.cmp(&y.person.internal_code))
    });
    Ok(out.into_iter().map(|(_, a)| a).collect())
}

/// A person's page.
#[derive(Debug, Clone)]
pub struct PersonView {
    /// The person.
    pub person: Person,
    /// Their service.
    pub service: Service,
    /// Their flags now.
    pub flags: Vec<RiskFlag>,
    /// Reviews recorded, newest first.
    pub reviews: Vec<RiskReview>,
    /// Their incidents and near misses, newest first (up to 50).
    pub incidents: Vec<IncidentSummary>,
    /// Whether the reader may record a review.
    pub can_review: bool,
}

async fn person_and_service(
    ctx: &Ctx,
    actor: &Actor,
    id: PersonId,
) -> ActionResult<(Person, Service)> {
    let person = ctx
        .store
        .person_by_id(actor.organisation_id, id)
        .await?
        .ok_or(ActionError::NotFound)?;
    let service = super::service_where(ctx, actor, person.service_id, Permission::ViewIncidents)
        .await
        .map_err(|_| ActionError::NotFound)?;
    Ok((person, service))
}

/// A person's page: who they are, their flags and why, the reviews, their records.
pub async fn person_view(ctx: &Ctx, actor: &Actor, id: PersonId) -> ActionResult<PersonView> {
    let (person, service) = person_and_service(ctx, actor, id).await?;
    let flags = flags_in(
        ctx,
        (service.organisation_id, &[service.service_id]),
        Some(id),
        ctx.clock.now(),
    )
    .await?
    .into_iter()
    .flat_map(|(_, _, f)| f)
    .collect();
    let filter = IncidentFilter {
        person: Some(id),
        ..IncidentFilter::default()
    };
    let incidents = ctx
        .store
        .incidents_in_services(
            service.organisation_id,
            &[service.service_id],
            &filter,
            None,
            50,
        )
        .await?;
    Ok(PersonView {
        reviews: ctx.store.risk_reviews(actor.organisation_id, id).await?,
        can_review: actor.can_in(Permission::TriageIncidents, &service),
        person,
        service,
        flags,
        incidents,
    })
}

/// A review as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReviewDraft {
    /// `yes` or `no`.
    pub risk_assessment_updated: String,
    /// `yes` or `no`.
    pub care_plan_updated: String,
    /// What was decided.
    pub outcome: String,
}

/// Records a review of a person's risk assessment and care plan (those who
/// triage their service), which clears their flags; audited with the flags
/// it answered.
pub async fn record_review(
    ctx: &Ctx,
    actor: &Actor,
    id: PersonId,
    draft: &ReviewDraft,
) -> ActionResult<()> {
    let (person, service) = person_and_service(ctx, actor, id).await?;
    if !actor.can_in(Permission::TriageIncidents, &service) {
        return Err(ActionError::Forbidden);
    }
    let mut e = FieldErrors::new();
    let mut yes_no = |field: &str, v: &str, what: &str| match v {
        "yes" => true,
        "no" => false,
        _ => {
            e.add(field, format!("Say whether you updated their {what}"));
            false
        }
    };
    let risk = yes_no(
        "risk_assessment_updated",
        &draft.risk_assessment_updated,
        "risk assessment",
    );
    let plan = yes_no("care_plan_updated", &draft.care_plan_updated, "care plan");
    let outcome = checked_text(
        &mut e,
        "outcome",
        &draft.outcome,
        2_000,
        Some("Say what the review found and what will change"),
    );
    if !e.is_empty() {
        return Err(ActionError::Invalid(e));
    }
    let now = ctx.clock.now();
    let answered: Vec<String> = flags_in(
        ctx,
        (service.organisation_id, &[service.service_id]),
        Some(id),
        now,
    )
    .await?
    .into_iter()
    .flat_map(|(_, _, f)| f)
    .map(|f| format!("{} ({})", f.reason, f.incidents.join(", ")))
    .collect();
    let answered = if answered.is_empty() {
        "No flag was raised: a review on the manager's judgement".to_owned()
    } else {
        answered.join("; ")
    };
    let mut tx = ctx.store.begin().await?;
    insert_risk_review(
        &mut tx,
        actor.organisation_id,
        &NewRiskReview {
            person_id: id,
            by: actor.user_id,
            at_ms: now.as_millisecond(),
            risk_assessment_updated: risk,
            care_plan_updated: plan,
            flags: &answered,
            outcome: &outcome,
        },
    )
    .await?;
    super::audit_now(
        ctx,
        &mut tx,
        actor,
        ("person", &id.to_string(), "person.risk_reviewed"),
        &json!({
            "person": person.internal_code,
            "flags": answered,
            "risk_assessment_updated": risk,
            "care_plan_updated": plan,
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
