//! A synthetic demo care group that looks real to a care manager: regions,
//! services of every type, people using them, staff in every role, and
//! months of incidents with believable patterns (falls at night and around
//! handovers, a few people who fall again and again, medication errors on
//! drug rounds, rare serious events). Deterministic for a given seed and
//! clock. Bulk rows go in with multi-row inserts.

mod duties;
mod events;
mod history;
mod learning;
mod names;
mod progress;
mod rng;
mod serious;
mod services;
mod speaking_up;
mod staff;

use crate::actions::Ctx;
use crate::actions::accounts::hash_password;
use crate::store::Tx;
use crate::store::breaches::{Overdue, insert_breach};
use crate::store::counters::reserve_numbers;
use crate::store::feedback::{Feedback, insert_feedback_batch};
use crate::store::incidents::{IncidentInsert, insert_incidents_batch, reserve_references};
use crate::store::involvements::insert_involvements_batch;
use crate::store::organisations::{
    Area, Organisation, Region, Service, insert_area, insert_organisation, insert_region,
    insert_service,
};
use crate::store::people::{Person, insert_person};
use crate::store::settings::put_setting;
use crate::store::triage::{GradingRecord, insert_gradings_batch};
use candour_domain::escalation::Target;
use candour_domain::ids::{
    AreaId, IncidentId, OrganisationId, PersonId, RegionId, ServiceId, UserId,
};
use candour_domain::incident::{IncidentReference, InvolvementRole, london};
use candour_domain::organisation::{Nation, PersonStatus, ServiceType};
use candour_domain::role::{Role, Scope};
use events::events_for;
use rng::Rng;
use serde::{Deserialize, Serialize};
use serde_json::json;
use services::SMALL_SERVICES;
use staff::{Staff, append_as, audit};

/// The seed used when none is given.
pub const DEFAULT_SEED: u64 = 20_261_122;
/// Every demo account's password.
pub const DEMO_PASSWORD: &str = "learning-from-care";

/// How big a demo to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Scale {
    /// 4 services, about 150 people, 60 staff, 18 months of events.
    Small,
    /// 300 services, 20,000 people, about 2,000,000 events over 5 years.
    Large,
}

/// A sign-in to print for the demo.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DemoLogin {
    /// Role label.
    pub role: String,
    /// Email.
    pub email: String,
    /// Where the role applies.
    pub scope: String,
}

/// What was made.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DemoSummary {
    /// Services.
    pub services: usize,
    /// People using services.
    pub people: usize,
    /// Staff accounts.
    pub staff: usize,
    /// Incidents, near misses and good practice.
    pub incidents: usize,
    /// One sign-in per role.
    pub logins: Vec<DemoLogin>,
    /// At scale: the assessments, duty steps, investigations, actions,
    /// meetings, lessons and acknowledgements of five years' learning.
    pub history: Option<HistoryCounts>,
}

/// How many of each learning record the history at scale made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HistoryCounts {
    /// Incidents assessed for their statutory duties.
    pub assessments: usize,
    /// Steps of those duties done (notifications, candour).
    pub duty_steps: usize,
    /// Investigations.
    pub investigations: usize,
    /// Improvement actions.
    pub actions: usize,
    /// Lessons-learned meetings.
    pub meetings: usize,
    /// Lessons shared.
    pub lessons: usize,
    /// Lessons acknowledged.
    pub acknowledgements: usize,
}

pub(super) struct Plan {
    services: usize,
    people_per_service: usize,
    care_workers_per_service: usize,
    pub(super) months: i64,
    /// Events per person per month.
    pub(super) rate: f64,
    audit_each: bool,
    /// Write five years of learning in bulk beside the incidents.
    history: bool,
}

impl Scale {
    fn plan(self) -> Plan {
        match self {
            Scale::Small => Plan {
                services: 4,
                people_per_service: 38,
                care_workers_per_service: 10,
                months: 18,
                rate: 0.55,
                audit_each: true,
                history: false,
            },
            Scale::Large => Plan {
                services: 300,
                people_per_service: 67,
                care_workers_per_service: 4,
                months: 60,
                rate: 1.66,
                audit_each: false,
                history: true,
            },
        }
    }
}

/// Fills an empty database with a demo care group. Returns what it made.
pub async fn generate(ctx: &Ctx, scale: Scale, seed: u64) -> anyhow::Result<DemoSummary> {
    generate_sized(ctx, scale, seed, None).await
}

/// As [`generate`], with `services` services instead of the scale's own
/// number (the rest of the scale's shape kept): a large-shaped care group
/// small enough to make in seconds.
pub async fn generate_sized(
    ctx: &Ctx,
    scale: Scale,
    seed: u64,
    services: Option<usize>,
) -> anyhow::Result<DemoSummary> {
    let mut plan = scale.plan();
    if let Some(n) = services {
        anyhow::ensure!(
            (1..=2_000).contains(&n),
            "services: choose between 1 and 2,000 (you gave {n})"
        );
        plan.services = n;
    }
    let mut rng = Rng::new(seed);
    let now = ctx.clock.now();
    let now_ms = now.as_millisecond();
    let mut tx = ctx.store.begin().await?;
    let (org, regions, services) = make_structure(&mut tx, &mut rng, scale, &plan, now_ms).await?;
    let people = make_people(&mut tx, &mut rng, org, scale, &plan, &services, now).await?;
    let hash = hash_password(DEMO_PASSWORD).await?;
    let mut staff = Staff {
        emails: std::collections::HashSet::new(),
        count: 0,
        logins: Vec::new(),
        hash,
        names: std::collections::HashMap::new(),
    };
    let (reporters, managers) = make_staff(
        &mut tx, &mut rng, org, &plan, &services, &regions, &mut staff, now_ms,
    )
    .await?;
    tx.commit().await?;
    let mut total = 0;
    let mut history = history::Made::default();
    let started = std::time::Instant::now();
    for (ix, (service, areas)) in services.iter().enumerate() {
        let events = events_for(
            &mut rng,
            &plan,
            service,
            areas,
            &people[ix],
            &reporters[ix],
            now,
        );
        let name = |u: &UserId| staff.names.get(u).map_or("", String::as_str);
        let team = history::Team {
            manager: (managers[ix], name(&managers[ix])),
            staff: reporters[ix].iter().map(|u| (*u, name(u))).collect(),
        };
        let (n, made) =
            store_events(ctx, &mut rng, (org, service), &events, &plan, (&team, now)).await?;
        total += n;
        history += made;
        if (ix + 1) % 25 == 0 {
            tracing::info!(
                services = ix + 1,
                incidents = total,
                seconds = started.elapsed().as_secs(),
                "demo progress"
            );
        }
    }
    let in_order: Vec<Service> = services.iter().map(|(s, _)| s.clone()).collect();
    serious::investigations(ctx, org, &in_order, &managers).await?;
    learning::record_learning(ctx, org, &in_order, &managers).await?;
    speaking_up::record_speaking_up(ctx, (org, seed), &in_order, &reporters, &mut staff).await?;
    let mut tx = ctx.store.begin().await?;
    if !plan.audit_each {
        let summary = json!({"incidents": total, "scale": "large"});
        audit(
            &mut tx,
            org,
            now_ms,
            "demo.generated",
            "organisation",
            &org.to_string(),
            summary,
        )
        .await?;
    }
    put_setting(&mut tx, "demo", "true").await?;
    put_setting(
        &mut tx,
        "demo_logins",
        &serde_json::to_string(&staff.logins)?,
    )
    .await?;
    tx.commit().await?;
    // The bulk load marked everyone's flags to work out: as the scheduler would.
    crate::actions::risk::settle_kept_flags(ctx)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    // A bulk load leaves the planner guessing; the large demo tells it.
    if plan.history {
        ctx.store.analyse().await?;
    }
    Ok(DemoSummary {
        services: services.len(),
        people: people.iter().map(Vec::len).sum(),
        staff: staff.count,
        incidents: total,
        logins: staff.logins,
        history: plan.history.then_some(HistoryCounts {
            assessments: history.assessments,
            duty_steps: history.duty_steps,
            investigations: history.investigations,
            actions: history.actions,
            meetings: history.meetings,
            lessons: history.lessons,
            acknowledgements: history.acknowledgements,
        }),
    })
}

/// The organisation, its regions, and its services with their areas.
async fn make_structure(
    tx: &mut Tx,
    rng: &mut Rng,
    scale: Scale,
    plan: &Plan,
    now_ms: i64,
) -> anyhow::Result<(OrganisationId, Vec<Region>, Vec<(Service, Vec<Area>)>)> {
    let org = OrganisationId(rng.uuid(now_ms));
    let name = "Brightwater Care Group";
    insert_organisation(
        tx,
        &Organisation {
            organisation_id: org,
            name: name.into(),
        },
        now_ms,
    )
    .await?;
    audit(
        tx,
        org,
        now_ms,
        "organisation.created",
        "organisation",
        &org.to_string(),
        json!({"name": name}),
    )
    .await?;
    let region_names: Vec<String> = match scale {
        Scale::Small => vec!["North West".into(), "Yorkshire and the Humber".into()],
        Scale::Large => (1..=10).map(|i| format!("Region {i:02}")).collect(),
    };
    let mut regions = Vec::new();
    for name in region_names {
        let r = Region {
            region_id: RegionId(rng.uuid(now_ms)),
            name,
        };
        insert_region(tx, org, &r, now_ms).await?;
        regions.push(r);
    }
    let mut services = Vec::new();
    for i in 0..plan.services {
        let t = &SMALL_SERVICES[i % SMALL_SERVICES.len()];
        let (name, region_ix) = match scale {
            // More small-scale services than it names are numbered too.
            Scale::Small if i < SMALL_SERVICES.len() => (t.name.to_owned(), t.region),
            _ => (
                format!("{} {}", t.name, i / SMALL_SERVICES.len() + 1),
                i % regions.len(),
            ),
        };
        let s = Service {
            service_id: ServiceId(rng.uuid(now_ms)),
            organisation_id: org,
            region_id: regions[region_ix].region_id,
            name,
            cqc_location_id: Some(format!("1-{}", 100_000_000 + rng.below(899_999_999))),
            service_type: t.service_type,
            address: t.address.to_owned(),
            postcode: t.postcode.to_owned(),
            nation: Nation::EnglandAndWales,
        };
        insert_service(tx, &s, now_ms).await?;
        let mut areas = Vec::new();
        for a in t.areas {
            let area = Area {
                area_id: AreaId(rng.uuid(now_ms)),
                service_id: s.service_id,
                name: a.to_owned(),
                kind: t.area_kind,
            };
            insert_area(tx, org, &area, now_ms).await?;
            areas.push(area);
        }
        services.push((s, areas));
    }
    Ok((org, regions, services))
}

/// People using each service, with ages and rooms that fit the service type.
async fn make_people(
    tx: &mut Tx,
    rng: &mut Rng,
    org: OrganisationId,
    scale: Scale,
    plan: &Plan,
    services: &[(Service, Vec<Area>)],
    now: jiff::Timestamp,
) -> anyhow::Result<Vec<Vec<Person>>> {
    let today = now.to_zoned(london()).date();
    let now_ms = now.as_millisecond();
    let mut people = Vec::new();
    let mut code_no = 0;
    for (s, areas) in services {
        let n = match (scale, s.service_type) {
            (Scale::Small, ServiceType::SupportedLiving) => 18,
            (Scale::Small, ServiceType::HomeCare) => 46,
            _ => plan.people_per_service,
        };
        let (min_age, max_age) = match s.service_type {
            ServiceType::SupportedLiving => (19, 64),
            ServiceType::HomeCare => (45, 98),
            _ => (68, 102),
        };
        let mut list = Vec::new();
        for _ in 0..n {
            code_no += 1;
            let age = min_age + rng.below(max_age - min_age);
            let dob = today.saturating_sub(
                jiff::Span::new()
                    .years(age as i64)
                    .days(rng.below(364) as i64),
            );
            let start = today.saturating_sub(jiff::Span::new().days(30 + rng.below(2_500) as i64));
            let area = &areas[rng.below(areas.len() as u64) as usize];
            let room = (s.service_type != ServiceType::HomeCare)
                .then(|| format!("Room {}", 1 + rng.below(40)));
            let p = Person {
                person_id: PersonId(rng.uuid(now_ms)),
                service_id: s.service_id,
                internal_code: format!("P-{code_no:06}"),
                display_name: format!(
                    "{} {}",
                    rng.pick(names::FIRST_NAMES),
                    rng.pick(names::LAST_NAMES)
                ),
                date_of_birth: Some(dob.to_string()),
                nhs_number: Some(rng.test_nhs_number()),
                area_id: Some(area.area_id),
                room,
                start_date: start.to_string(),
                status: if rng.chance(0.03) {
                    PersonStatus::InHospital
                } else {
                    PersonStatus::Active
                },
            };
            insert_person(tx, org, &p, now_ms).await?;
            list.push(p);
        }
        people.push(list);
    }
    // Later additions continue from the demo's last code.
    reserve_numbers(tx, org, "P", code_no).await?;
    Ok(people)
}

/// Staff in every role; returns, per service, the people who report there.
#[allow(clippy::too_many_arguments)]
async fn make_staff(
    tx: &mut Tx,
    rng: &mut Rng,
    org: OrganisationId,
    plan: &Plan,
    services: &[(Service, Vec<Area>)],
    regions: &[Region],
    staff: &mut Staff,
    now_ms: i64,
) -> anyhow::Result<(Vec<Vec<UserId>>, Vec<UserId>)> {
    let mut reporters = Vec::new();
    let mut managers = Vec::new();
    for (s, _) in services {
        let scope = Scope::Service(s.service_id);
        managers.push(
            staff
                .add(
                    tx,
                    rng,
                    org,
                    Role::RegisteredManager,
                    scope,
                    &s.name,
                    now_ms,
                )
                .await?,
        );
        let mut list = Vec::new();
        for _ in 0..2 {
            list.push(
                staff
                    .add(tx, rng, org, Role::SeniorCarer, scope, &s.name, now_ms)
                    .await?,
            );
        }
        for _ in 0..plan.care_workers_per_service {
            list.push(
                staff
                    .add(tx, rng, org, Role::CareWorker, scope, &s.name, now_ms)
                    .await?,
            );
        }
        reporters.push(list);
    }
    for r in regions {
        staff
            .add(
                tx,
                rng,
                org,
                Role::RegionalManager,
                Scope::Region(r.region_id),
                &r.name,
                now_ms,
            )
            .await?;
    }
    let whole = "the whole organisation";
    staff
        .add(
            tx,
            rng,
            org,
            Role::HeadOfOperations,
            Scope::Organisation,
            whole,
            now_ms,
        )
        .await?;
    for _ in 0..2 {
        staff
            .add(
                tx,
                rng,
                org,
                Role::QualityAssurance,
                Scope::Organisation,
                whole,
                now_ms,
            )
            .await?;
        staff
            .add(
                tx,
                rng,
                org,
                Role::BoardMember,
                Scope::Organisation,
                whole,
                now_ms,
            )
            .await?;
    }
    staff
        .add(
            tx,
            rng,
            org,
            Role::Administrator,
            Scope::Organisation,
            whole,
            now_ms,
        )
        .await?;
    Ok((reporters, managers))
}

/// Writes one service's events in one transaction with multi-row inserts,
/// each as far through triage, review and closure as its age suggests.
async fn store_events(
    ctx: &Ctx,
    rng: &mut Rng,
    (org, service): (OrganisationId, &Service),
    events: &[events::Event],
    plan: &Plan,
    (team, now): (&history::Team<'_>, jiff::Timestamp),
) -> anyhow::Result<(usize, history::Made)> {
    let manager = team.manager.0;
    let mut tx = ctx.store.begin().await?;
    let first = reserve_references(&mut tx, org, events.len() as i64).await?;
    let mut rows = Vec::with_capacity(events.len());
    let mut links = Vec::new();
    let timescales = candour_domain::timescales::Timescales::default();
    let calendar = candour_domain::calendar::Calendar::new(service.nation, []);
    let (mut gradings, mut feedback) = (Vec::new(), Vec::new());
    for (n, e) in events.iter().enumerate() {
        let reported_at = jiff::Timestamp::from_millisecond(e.reported_ms)?;
        let id = IncidentId(rng.uuid(e.reported_ms));
        let reached = progress::progress(rng, e, now, &calendar, &timescales, manager);
        if let Some((p, fed_back)) = &reached {
            gradings.push((
                rng.uuid(p.triaged_at.as_millisecond()),
                GradingRecord {
                    incident_id: id,
                    organisation_id: org,
                    grading: p.grading.clone(),
                    review_due_at: p.review_due_at,
                    graded_by: manager,
                    graded_by_name: String::new(),
                    graded_at: p.triaged_at,
                },
            ));
            if let Some((at, text)) = fed_back {
                feedback.push(Feedback {
                    feedback_id: rng.uuid(*at),
                    incident_id: id,
                    author_id: manager,
                    author_name: String::new(),
                    body: (*text).to_owned(),
                    created_at_ms: *at,
                });
            }
        }
        if let Some(p) = e.person {
            links.push((id, p, InvolvementRole::Affected));
        }
        rows.push(IncidentInsert {
            incident_id: id,
            organisation_id: org,
            service_id: service.service_id,
            area_id: e.area,
            reference: IncidentReference(first.0 + n as i64),
            kind: e.kind,
            category: e.category,
            occurred_at: jiff::Timestamp::from_millisecond(e.occurred_ms)?,
            reported_at,
            reported_by: Some(e.reporter),
            description: &e.description,
            immediate_actions: &e.actions,
            others_involved: "",
            details: &e.details,
            told: "[]",
            written_at: None,
            entered_by: None,
            triage_due_at: timescales.triage_due(&calendar, reported_at, e.category),
            progress: reached.map(|(p, _)| p),
        });
    }
    insert_incidents_batch(&mut tx, &rows).await?;
    // The deadlines already missed, as the minute sweep would have recorded
    // them at the time (those still open are left to the sweep at start).
    for r in &rows {
        let Some(p) = &r.progress else { continue };
        let mut missed = Vec::new();
        if p.triaged_at > r.triage_due_at {
            missed.push((Target::Triage, r.triage_due_at));
        }
        if p.closed_at.is_some_and(|c| c > p.review_due_at) {
            missed.push((Target::Review, p.review_due_at));
        }
        for (target, due_at) in missed {
            let o = Overdue {
                incident_id: r.incident_id,
                organisation_id: org,
                target,
                due_at,
            };
            insert_breach(&mut tx, &o, due_at.as_millisecond() + 60_000).await?;
        }
    }
    insert_involvements_batch(&mut tx, org, &links).await?;
    insert_gradings_batch(&mut tx, &gradings).await?;
    insert_feedback_batch(&mut tx, org, &feedback).await?;
    let made = if plan.history {
        history::record(
            &mut tx,
            rng,
            (org, service),
            team,
            &rows,
            (plan.months, now),
        )
        .await?
    } else {
        history::Made::default()
    };
    if plan.audit_each {
        for (r, e) in rows.iter().zip(events) {
            let after = json!({
                "reference": r.reference.to_string(), "kind": r.kind.code(), "category": r.category.code(),
                "service_id": service.service_id, "description": e.description,
            });
            let id = r.incident_id.to_string();
            append_as(
                &mut tx,
                org,
                e.reported_ms,
                &e.reporter.to_string(),
                "incident.reported",
                "incident",
                &id,
                after,
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok((rows.len(), made))
}
