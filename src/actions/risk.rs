//! People at increased risk (domain `risk_flags`): the organisation's rules,
//! the flags each person using a service has now, a person's page, and the
//! review of their risk assessment and care plan that clears the flags.

use super::{ActionError, ActionResult, Actor, Ctx, services_where};
use crate::store::incidents::{IncidentFilter, IncidentSummary};
use crate::store::organisations::Service;
use crate::store::people::Person;
use crate::store::risk::{AffectedBy, NewRiskReview, RiskReview, insert_risk_review};
use candour_domain::details::Details;
use candour_domain::ids::{OrganisationId, PersonId, ServiceId};
use candour_domain::risk_flags::{PersonEvent, RiskFlag, RiskRules, facts_of, flags, flags_until};
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
/// at `now`, by service then person. For one person they are worked out
/// from their incidents; for everyone, the kept flags are read (migration
/// 0045) and only those stale or past their moment worked out again.
pub async fn flags_in(
    ctx: &Ctx,
    (org, services): (OrganisationId, &[ServiceId]),
    person: Option<PersonId>,
    now: Timestamp,
) -> ActionResult<Vec<(ServiceId, PersonId, Vec<RiskFlag>)>> {
    let rules = org_risk_rules(ctx, org).await?;
    let mut out = match person {
        Some(_) => worked_out(ctx, (org, services), person, &rules, now).await?,
        None => kept_flags(ctx, (org, services), &rules, now).await?,
    };
    out.sort_by_key(|(s, id, _)| (*s, *id));
    Ok(out)
}

/// The flags of people in `services`, worked out from every incident of
/// the look-back window (with `person`, only theirs).
pub async fn worked_out(
    ctx: &Ctx,
    (org, services): (OrganisationId, &[ServiceId]),
    person: Option<PersonId>,
    rules: &RiskRules,
    now: Timestamp,
) -> ActionResult<Vec<(ServiceId, PersonId, Vec<RiskFlag>)>> {
    let affected = ctx
        .store
        .affected_since((org, services), person, look_back_from(rules, now))
        .await?;
    let reviewed: HashMap<PersonId, Timestamp> = ctx
        .store
        .latest_risk_reviews((org, services))
        .await?
        .into_iter()
        .collect();
    Ok(events_of(affected)
        .into_iter()
        .map(|((s, id), ev)| (s, id, flags(rules, &ev, reviewed.get(&id).copied(), now)))
        .filter(|(_, _, f)| !f.is_empty())
        .collect())
}

/// Where the rules start looking back from at `now`.
fn look_back_from(rules: &RiskRules, now: Timestamp) -> Timestamp {
    now.checked_sub(SignedDuration::from_hours(
        24 * i64::from(rules.look_back_days()),
    ))
    .unwrap_or(now)
}

/// The incidents read, as the rules read them, by (service, person).
fn events_of(affected: Vec<AffectedBy>) -> HashMap<(ServiceId, PersonId), Vec<PersonEvent>> {
    let mut events: HashMap<(ServiceId, PersonId), Vec<PersonEvent>> = HashMap::new();
    for a in affected {
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
    events
}

/// Flags worked out afresh for some (service, person) pairs of `org`, with
/// the moment each may next change and whether an incident of theirs is
/// still to happen (reported a few minutes ahead of the clock): flags can
/// appear without a write only when it does.
type Fresh = Vec<(
    (ServiceId, PersonId),
    Vec<RiskFlag>,
    Option<Timestamp>,
    bool,
)>;

async fn work_out_pairs(
    ctx: &Ctx,
    org: OrganisationId,
    pairs: &[(ServiceId, PersonId)],
    rules: &RiskRules,
    now: Timestamp,
) -> ActionResult<Fresh> {
    if pairs.is_empty() {
        return Ok(Vec::new());
    }
    let mut people: Vec<PersonId> = pairs.iter().map(|(_, p)| *p).collect();
    people.sort();
    people.dedup();
    let from = look_back_from(rules, now);
    // A few people: their own incidents. Many (after an upgrade or a change
    // of rules): their services' incidents of the window, read by time.
    let affected = if people.len() > 1_000 {
        let mut services: Vec<ServiceId> = pairs.iter().map(|(s, _)| *s).collect();
        services.sort();
        services.dedup();
        ctx.store
            .affected_since((org, &services), None, from)
            .await?
    } else {
        ctx.store.affected_of(org, &people, from).await?
    };
    let mut events = events_of(affected);
    let reviewed: HashMap<PersonId, Timestamp> = ctx
        .store
        .latest_reviews_of(org, &people)
        .await?
        .into_iter()
        .collect();
    Ok(pairs
        .iter()
        .map(|pair| {
            let ev = events.remove(pair).unwrap_or_default();
            let f = flags(rules, &ev, reviewed.get(&pair.1).copied(), now);
            let ahead = ev.iter().any(|e| e.occurred_at > now);
            (*pair, f, flags_until(rules, &ev, now), ahead)
        })
        .collect())
}

/// The kept flags of people in `services`, those stale or past their
/// moment worked out here (the minute's work keeps them).
async fn kept_flags(
    ctx: &Ctx,
    (org, services): (OrganisationId, &[ServiceId]),
    rules: &RiskRules,
    now: Timestamp,
) -> ActionResult<Vec<(ServiceId, PersonId, Vec<RiskFlag>)>> {
    let mut out = Vec::new();
    let mut again = Vec::new();
    for k in ctx.store.kept_risk((org, services)).await? {
        if k.stale || k.valid_until <= now.as_millisecond() {
            again.push((k.service_id, k.person_id));
            continue;
        }
        let f: Vec<RiskFlag> = serde_json::from_str(&k.flags)
            .map_err(|e| anyhow::anyhow!("the kept flags of a person are not readable: {e}"))?;
        if !f.is_empty() {
            out.push((k.service_id, k.person_id, f));
        }
    }
    for ((s, p), f, _, _) in work_out_pairs(ctx, org, &again, rules, now).await? {
        if !f.is_empty() {
            out.push((s, p, f));
        }
    }
    Ok(out)
}

/// How many kept flags the minute's work reads at most.
pub const REFRESH_AT_MOST: usize = 20_000;

/// The minute's work: works out the kept flags that are stale or past
/// their moment (up to [`REFRESH_AT_MOST`]) and keeps them, each only if
/// no write has changed it meanwhile, a thousand to a transaction. Returns
/// how many were due and how many kept.
pub async fn refresh_kept_flags(ctx: &Ctx) -> ActionResult<(usize, usize)> {
    let now = ctx.clock.now();
    let due = ctx
        .store
        .risk_to_refresh(
            now.as_millisecond(),
            i64::try_from(REFRESH_AT_MOST).unwrap_or(i64::MAX),
        )
        .await?;
    let count = due.len();
    let mut by_org: HashMap<OrganisationId, Vec<crate::store::risk::KeptRisk>> = HashMap::new();
    for k in due {
        by_org.entry(k.organisation_id).or_default().push(k);
    }
    let mut kept = 0;
    for (org, rows) in by_org {
        let rules = org_risk_rules(ctx, org).await?;
        let pairs: Vec<(ServiceId, PersonId)> =
            rows.iter().map(|k| (k.service_id, k.person_id)).collect();
        let fresh = work_out_pairs(ctx, org, &pairs, &rules, now).await?;
        let both: Vec<_> = rows.iter().zip(fresh).collect();
        for chunk in both.chunks(1_000) {
            let mut tx = ctx.store.begin().await?;
            for (k, ((s, p), f, until, ahead)) in chunk {
                let json = serde_json::to_string(f).map_err(|e| anyhow::anyhow!("{e}"))?;
                // Kept while flagged, or while an incident is still to happen
                // (it may flag them then); otherwise only a write can flag them,
                // and its trigger makes the row again.
                let keep = match until {
                    Some(t) if !f.is_empty() || *ahead => Some((json.as_str(), t.as_millisecond())),
                    _ => None,
                };
                if crate::store::risk::keep_risk(&mut tx, (*s, *p, k.generation), keep).await? {
                    kept += 1;
                }
            }
            tx.commit().await?;
        }
    }
    Ok((count, kept))
}

/// Works out every kept flag due, as the minute's work would, until none
/// is left: after the demo's bulk load.
pub async fn settle_kept_flags(ctx: &Ctx) -> ActionResult<()> {
    while refresh_kept_flags(ctx).await?.0 >= REFRESH_AT_MOST {}
    Ok(())
}

/// After the organisation's rules change: everyone affected within the
/// longest window any rules may have (365 days) is worked out again.
pub(crate) async fn rules_changed(
    ctx: &Ctx,
    tx: &mut crate::store::Tx,
    org: OrganisationId,
) -> ActionResult<()> {
    let from = ctx
        .clock
        .now()
        .checked_sub(SignedDuration::from_hours(24 * 366))
        .unwrap_or(Timestamp::UNIX_EPOCH);
    crate::store::risk::risk_stale_since(tx, org, from.as_millisecond()).await?;
    Ok(())
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
        hidden_from: Some(actor.user_id),
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
