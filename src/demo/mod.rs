//! A synthetic demo care group that looks real to a care manager: regions,
//! services of every type, people using them, staff in every role, and
//! months of incidents with believable patterns (falls at night and around
//! handovers, a few people who fall again and again, medication errors on
//! drug rounds, rare serious events). Deterministic for a given seed and
//! clock. Bulk rows go in with multi-row inserts.

mod names;
mod rng;

use crate::actions::Ctx;
use crate::actions::accounts::hash_password;
use crate::store::audit::{NewAuditEvent, append};
use crate::store::counters::reserve_numbers;
use crate::store::incidents::{
    IncidentInsert, insert_incidents_batch, insert_involvements_batch, reserve_references,
};
use crate::store::organisations::{
    Area, Organisation, Region, Service, insert_area, insert_organisation, insert_region,
    insert_service,
};
use crate::store::people::{Person, insert_person};
use crate::store::settings::put_setting;
use crate::store::users::{User, insert_grant, insert_user};
use candour_domain::ids::{
    AreaId, IncidentId, OrganisationId, PersonId, RegionId, ServiceId, UserId,
};
use candour_domain::incident::{Category, EventKind, InvolvementRole, london};
use candour_domain::organisation::{AreaKind, Nation, PersonStatus, ServiceType};
use candour_domain::role::{Grant, Role, Scope};
use rng::Rng;
use serde::{Deserialize, Serialize};
use serde_json::json;

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
}

struct Plan {
    services: usize,
    people_per_service: usize,
    care_workers_per_service: usize,
    months: i64,
    /// Events per person per month.
    rate: f64,
    audit_each: bool,
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
            },
            Scale::Large => Plan {
                services: 300,
                people_per_service: 67,
                care_workers_per_service: 4,
                months: 60,
                rate: 1.66,
                audit_each: false,
            },
        }
    }
}

/// The shape of one demo service.
struct ServiceTemplate {
    name: &'static str,
    service_type: ServiceType,
    /// Index into the small demo's regions.
    region: usize,
    address: &'static str,
    postcode: &'static str,
    areas: [&'static str; 3],
    area_kind: AreaKind,
}

const SMALL_SERVICES: [ServiceTemplate; 4] = [
    ServiceTemplate {
        name: "Ashdown House",
        service_type: ServiceType::CareHome,
        region: 0,
        address: "14 Moorside Road, Bolton",
        postcode: "BL1 4QX",
        areas: ["Ground Floor", "First Floor", "Garden Wing"],
        area_kind: AreaKind::Floor,
    },
    ServiceTemplate {
        name: "Beech Lodge Nursing Home",
        service_type: ServiceType::CareHomeWithNursing,
        region: 0,
        address: "2 Beech Lane, Wigan",
        postcode: "WN6 7PD",
        areas: ["Rowan Unit", "Willow Unit", "Maple Unit"],
        area_kind: AreaKind::Unit,
    },
    ServiceTemplate {
        name: "Calder Valley Home Care",
        service_type: ServiceType::HomeCare,
        region: 1,
        address: "Unit 5, Mill Yard, Hebden Bridge",
        postcode: "HX7 8AD",
        areas: ["Hebden round", "Todmorden round", "Halifax round"],
        area_kind: AreaKind::Round,
    },
    ServiceTemplate {
        name: "Elm Court Supported Living",
        service_type: ServiceType::SupportedLiving,
        region: 1,
        address: "Elm Court, Kirkstall, Leeds",
        postcode: "LS5 3BT",
        areas: ["House 1", "House 2", "House 3"],
        area_kind: AreaKind::House,
    },
];

/// Fills an empty database with a demo care group. Returns what it made.
pub async fn generate(ctx: &Ctx, scale: Scale, seed: u64) -> anyhow::Result<DemoSummary> {
    let plan = scale.plan();
    let mut rng = Rng::new(seed);
    let now = ctx.clock.now();
    let now_ms = now.as_millisecond();
    let org = OrganisationId(rng.uuid(now_ms));
    let mut tx = ctx.store.begin().await?;
    insert_organisation(
        &mut tx,
        &Organisation {
            organisation_id: org,
            name: "Brightwater Care Group".into(),
        },
        now_ms,
    )
    .await?;
    audit(
        &mut tx,
        org,
        now_ms,
        "organisation.created",
        "organisation",
        &org.to_string(),
        json!({"name": "Brightwater Care Group"}),
    )
    .await?;

    // Regions and services.
    let region_names: Vec<String> = match scale {
        Scale::Small => vec!["North West".into(), "Yorkshire and the Humber".into()],
        Scale::Large => (1..=10).map(|i| format!("Region {i:02}")).collect(),
    };
    let mut regions = Vec::new();
    for name in &region_names {
        let r = Region {
            region_id: RegionId(rng.uuid(now_ms)),
            name: name.clone(),
        };
        insert_region(&mut tx, org, &r, now_ms).await?;
        regions.push(r);
    }
    let mut services: Vec<(Service, Vec<Area>)> = Vec::new();
    for i in 0..plan.services {
        let t = &SMALL_SERVICES[i % SMALL_SERVICES.len()];
        let (name, region_ix) = match scale {
            Scale::Small => (t.name.to_owned(), t.region),
            Scale::Large => (
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
        insert_service(&mut tx, &s, now_ms).await?;
        let mut made = Vec::new();
        for a in t.areas {
            let area = Area {
                area_id: AreaId(rng.uuid(now_ms)),
                service_id: s.service_id,
                name: a.to_owned(),
                kind: t.area_kind,
            };
            insert_area(&mut tx, org, &area, now_ms).await?;
            made.push(area);
        }
        services.push((s, made));
    }

    // People using services.
    let today = now.to_zoned(london()).date();
    let mut people: Vec<Vec<Person>> = Vec::new();
    let mut code_no = 0;
    for (s, areas) in &services {
        let mut list = Vec::new();
        let n = match (scale, s.service_type) {
            (Scale::Small, ServiceType::SupportedLiving) => 18,
            (Scale::Small, ServiceType::HomeCare) => 46,
            _ => plan.people_per_service,
        };
        for _ in 0..n {
            code_no += 1;
            let (min_age, max_age) = match s.service_type {
                ServiceType::SupportedLiving => (19, 64),
                ServiceType::HomeCare => (45, 98),
                _ => (68, 102),
            };
            let age = min_age + rng.below(max_age - min_age);
            let dob = today.saturating_sub(
                jiff::Span::new()
                    .years(age as i64)
                    .days(rng.below(364) as i64),
            );
            let start = today.saturating_sub(jiff::Span::new().days(30 + rng.below(2_500) as i64));
            let area = &areas[rng.below(areas.len() as u64) as usize];
            let room = match s.service_type {
                ServiceType::HomeCare => None,
                _ => Some(format!("Room {}", 1 + rng.below(40))),
            };
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
            insert_person(&mut tx, org, &p, now_ms).await?;
            list.push(p);
        }
        people.push(list);
    }
    // Later additions continue from the demo's last code.
    reserve_numbers(&mut tx, org, "P", code_no).await?;

    // Staff, one password hash shared by every demo account.
    let hash = hash_password(DEMO_PASSWORD).await?;
    let mut staff = Staff {
        emails: std::collections::HashSet::new(),
        count: 0,
        logins: Vec::new(),
        hash,
    };
    let mut reporters: Vec<Vec<UserId>> = Vec::new();
    for (s, _) in &services {
        let scope = Scope::Service(s.service_id);
        let mut list = Vec::new();
        list.push(
            staff
                .add(
                    &mut tx,
                    &mut rng,
                    org,
                    Role::RegisteredManager,
                    scope,
                    &s.name,
                    now_ms,
                )
                .await?,
        );
        for _ in 0..2 {
            list.push(
                staff
                    .add(
                        &mut tx,
                        &mut rng,
                        org,
                        Role::SeniorCarer,
                        scope,
                        &s.name,
                        now_ms,
                    )
                    .await?,
            );
        }
        for _ in 0..plan.care_workers_per_service {
            list.push(
                staff
                    .add(
                        &mut tx,
                        &mut rng,
                        org,
                        Role::CareWorker,
                        scope,
                        &s.name,
                        now_ms,
                    )
                    .await?,
            );
        }
        reporters.push(list[1..].to_vec());
    }
    for r in &regions {
        staff
            .add(
                &mut tx,
                &mut rng,
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
            &mut tx,
            &mut rng,
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
                &mut tx,
                &mut rng,
                org,
                Role::QualityAssurance,
                Scope::Organisation,
                whole,
                now_ms,
            )
            .await?;
        staff
            .add(
                &mut tx,
                &mut rng,
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
            &mut tx,
            &mut rng,
            org,
            Role::Administrator,
            Scope::Organisation,
            whole,
            now_ms,
        )
        .await?;
    tx.commit().await?;

    // Events, service by service.
    let mut total = 0;
    for (ix, (s, areas)) in services.iter().enumerate() {
        let events = events_for(&mut rng, &plan, s, areas, &people[ix], &reporters[ix], now);
        let mut tx = ctx.store.begin().await?;
        let first = reserve_references(&mut tx, org, events.len() as i64).await?;
        let mut rows = Vec::with_capacity(events.len());
        let mut links = Vec::new();
        for (n, e) in events.iter().enumerate() {
            let id = IncidentId(rng.uuid(e.reported_ms));
            if let Some(p) = e.person {
                links.push((id, p, InvolvementRole::Affected));
            }
            rows.push(IncidentInsert {
                incident_id: id,
                organisation_id: org,
                service_id: s.service_id,
                area_id: e.area,
                reference: candour_domain::incident::IncidentReference(first.0 + n as i64),
                kind: e.kind,
                category: e.category,
                occurred_at: jiff::Timestamp::from_millisecond(e.occurred_ms)?,
                reported_at: jiff::Timestamp::from_millisecond(e.reported_ms)?,
                reported_by: Some(e.reporter),
                description: &e.description,
                immediate_actions: &e.actions,
                others_involved: "",
            });
        }
        insert_incidents_batch(&mut tx, &rows).await?;
        insert_involvements_batch(&mut tx, org, &links).await?;
        if plan.audit_each {
            for (r, e) in rows.iter().zip(&events) {
                let changes = json!({
                    "reference": r.reference.to_string(), "kind": r.kind.code(), "category": r.category.code(),
                    "service_id": s.service_id, "description": e.description,
                });
                append_as(
                    &mut tx,
                    org,
                    e.reported_ms,
                    &e.reporter.to_string(),
                    "incident.reported",
                    "incident",
                    &r.incident_id.to_string(),
                    changes,
                )
                .await?;
            }
        }
        tx.commit().await?;
        total += rows.len();
    }

    let mut tx = ctx.store.begin().await?;
    if !plan.audit_each {
        audit(
            &mut tx,
            org,
            now_ms,
            "demo.generated",
            "organisation",
            &org.to_string(),
            json!({"incidents": total, "scale": "large"}),
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
    Ok(DemoSummary {
        services: services.len(),
        people: people.iter().map(Vec::len).sum(),
        staff: staff.count,
        incidents: total,
        logins: staff.logins,
    })
}

struct Staff {
    emails: std::collections::HashSet<String>,
    count: usize,
    logins: Vec<DemoLogin>,
    hash: String,
}

impl Staff {
    #[allow(clippy::too_many_arguments)]
    async fn add(
        &mut self,
        tx: &mut crate::store::Tx,
        rng: &mut Rng,
        org: OrganisationId,
        role: Role,
        scope: Scope,
        scope_name: &str,
        now_ms: i64,
    ) -> anyhow::Result<UserId> {
        let (first, last) = (rng.pick(names::FIRST_NAMES), rng.pick(names::LAST_NAMES));
        let base = format!("{}.{}", first.to_lowercase(), last.to_lowercase());
        let mut email = format!("{base}@brightwater.example");
        let mut n = 1;
        while !self.emails.insert(email.clone()) {
            n += 1;
            email = format!("{base}{n}@brightwater.example");
        }
        let user = User {
            user_id: UserId(rng.uuid(now_ms)),
            organisation_id: org,
            email: email.clone(),
            display_name: format!("{first} {last}"),
            password_hash: Some(self.hash.clone()),
            active: true,
        };
        insert_user(tx, &user, now_ms).await?;
        insert_grant(tx, org, user.user_id, Grant { role, scope }, now_ms).await?;
        audit(
            tx,
            org,
            now_ms,
            "user.added",
            "user",
            &user.user_id.to_string(),
            json!({"email": email, "role": role.code()}),
        )
        .await?;
        self.count += 1;
        if !self.logins.iter().any(|l| l.role == role.label()) {
            self.logins.push(DemoLogin {
                role: role.label().to_owned(),
                email,
                scope: scope_name.to_owned(),
            });
        }
        Ok(user.user_id)
    }
}

async fn audit(
    tx: &mut crate::store::Tx,
    org: OrganisationId,
    at: i64,
    action: &str,
    rtype: &str,
    rid: &str,
    after: serde_json::Value,
) -> anyhow::Result<()> {
    append_as(tx, org, at, "demo", action, rtype, rid, after).await
}

#[allow(clippy::too_many_arguments)]
async fn append_as(
    tx: &mut crate::store::Tx,
    org: OrganisationId,
    at: i64,
    actor: &str,
    action: &str,
    rtype: &str,
    rid: &str,
    after: serde_json::Value,
) -> anyhow::Result<()> {
    let changes: serde_json::Map<String, serde_json::Value> = after
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), json!({"before": null, "after": v})))
                .collect()
        })
        .unwrap_or_default();
    append(
        tx,
        &NewAuditEvent {
            organisation_id: org,
            occurred_at_ms: at,
            actor,
            action,
            record_type: rtype,
            record_id: rid,
            changes: &serde_json::Value::Object(changes).to_string(),
        },
    )
    .await?;
    Ok(())
}

struct Event {
    kind: EventKind,
    category: Category,
    occurred_ms: i64,
    reported_ms: i64,
    area: Option<AreaId>,
    person: Option<PersonId>,
    reporter: UserId,
    description: String,
    actions: String,
}

/// Hour-of-day weights for falls: nights and the two handovers are worst.
const FALL_HOURS: [u32; 24] = [
    6, 6, 7, 7, 6, 5, 5, 9, 9, 4, 3, 3, 3, 3, 3, 3, 4, 4, 4, 8, 8, 5, 5, 6,
];
/// Drug rounds, hour of day.
const DRUG_ROUNDS: [i64; 4] = [8, 12, 17, 21];

fn events_for(
    rng: &mut Rng,
    plan: &Plan,
    s: &Service,
    areas: &[Area],
    people: &[Person],
    reporters: &[UserId],
    now: jiff::Timestamp,
) -> Vec<Event> {
    // A few people fall again and again.
    let fallers: Vec<PersonId> = people.iter().take(3).map(|p| p.person_id).collect();
    let days = plan.months * 30;
    let per_day = plan.rate * people.len() as f64 / 30.0;
    let tz = london();
    let today = now.to_zoned(tz.clone()).date();
    let mut out = Vec::new();
    for day in (0..days).rev() {
        let n = rng.poisson(per_day);
        // Midnight, UK time, of the day `day` days ago.
        let Some(day_ms) = today
            .checked_sub(jiff::Span::new().days(day))
            .ok()
            .and_then(|d| d.to_zoned(tz.clone()).ok())
            .map(|z| z.timestamp().as_millisecond())
        else {
            continue;
        };
        for _ in 0..n {
            let (category, kind, description, actions, minute_of_day) =
                pick_event(rng, s.service_type);
            let occurred_ms = day_ms + minute_of_day * 60_000;
            if occurred_ms >= now.as_millisecond() {
                continue;
            }
            let delay_min = if rng.chance(0.08) {
                600 + rng.below(1_400) as i64
            } else {
                5 + rng.below(240) as i64
            };
            let reported_ms = (occurred_ms + delay_min * 60_000).min(now.as_millisecond());
            let person = match category {
                Category::Fall if rng.chance(0.35) => Some(*rng.pick(&fallers)),
                Category::Environment
                | Category::DataBreach
                | Category::Equipment
                | Category::Infection => None,
                _ => people
                    .get(rng.below(people.len() as u64) as usize)
                    .map(|p| p.person_id),
            };
            let area = people
                .iter()
                .find(|p| Some(p.person_id) == person)
                .and_then(|p| p.area_id)
                .or_else(|| {
                    areas
                        .get(rng.below(areas.len() as u64) as usize)
                        .map(|a| a.area_id)
                });
            out.push(Event {
                kind,
                category,
                occurred_ms,
                reported_ms,
                area,
                person,
                reporter: *rng.pick(reporters),
                description,
                actions,
            });
        }
    }
    out.sort_by_key(|e| e.reported_ms);
    out
}

fn pick_event(rng: &mut Rng, stype: ServiceType) -> (Category, EventKind, String, String, i64) {
    let roll = rng.below(1000);
    let fall_share = match stype {
        ServiceType::SupportedLiving => 200,
        ServiceType::HomeCare => 400,
        _ => 520,
    };
    if roll < fall_share {
        let hour = rng.weighted(&FALL_HOURS) as i64;
        if rng.chance(0.12) {
            return (
                Category::Fall,
                EventKind::NearMiss,
                "Found trying to stand without their frame; staff reached them before they fell."
                    .into(),
                "Frame moved within reach, sensor mat checked, reminded to use the call bell."
                    .into(),
                hour * 60 + rng.below(60) as i64,
            );
        }
        return (
            Category::Fall,
            EventKind::Incident,
            rng.pick(names::FALL_TEXT).to_string(),
            rng.pick(names::FALL_ACTIONS).to_string(),
            hour * 60 + rng.below(60) as i64,
        );
    }
    if roll < fall_share + 200 {
        let round = *rng.pick(&DRUG_ROUNDS);
        let minute = round * 60 - 30 + rng.below(90) as i64;
        let ix = rng.below(names::MEDICATION_TEXT.len() as u64) as usize;
        let med = rng.pick(names::MEDICINES);
        let kind = if ix == 2 || ix == 3 {
            EventKind::NearMiss
        } else {
            EventKind::Incident
        };
        return (
            Category::Medication,
            kind,
            names::MEDICATION_TEXT[ix].replace("{med}", med),
            "Nurse or senior informed, GP or 111 advice sought, MAR and stock checked.".into(),
            minute,
        );
    }
    if roll < fall_share + 230 {
        let t = rng.pick(names::GOOD_PRACTICE_TEXT);
        return (
            Category::Other,
            EventKind::GoodPractice,
            t.to_string(),
            String::new(),
            7 * 60 + rng.below(14 * 60) as i64,
        );
    }
    if roll < fall_share + 233 {
        return (
            Category::Death,
            EventKind::Incident,
            "Died in the early hours. On an end-of-life care plan; the death was expected. Family were with them.".into(),
            "Verification of death by the district nurse, family supported, GP informed.".into(),
            rng.below(24 * 60) as i64,
        );
    }
    let (code, text, action) = *rng.pick(names::OTHER_EVENTS);
    let category = Category::parse(code).unwrap_or(Category::Other);
    (
        category,
        EventKind::Incident,
        text.to_owned(),
        action.to_owned(),
        7 * 60 + rng.below(15 * 60) as i64,
    )
}
