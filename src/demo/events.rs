//! The demo's events: how many, when, to whom, and what the report says.
//! Falls cluster at night and around handovers, a few people fall again and
//! again, medication errors fall on drug rounds, serious events are rare.

use super::rng::Rng;
use super::{Plan, names};
use crate::store::organisations::{Area, Service};
use crate::store::people::Person;
use candour_domain::details::{RawDetails, validate_details};
use candour_domain::ids::{AreaId, PersonId, UserId};
use candour_domain::incident::{Category, EventKind, london};
use candour_domain::organisation::ServiceType;

/// One generated event, before it gets an id and a reference.
pub(super) struct Event {
    pub(super) kind: EventKind,
    pub(super) category: Category,
    pub(super) occurred_ms: i64,
    pub(super) reported_ms: i64,
    pub(super) area: Option<AreaId>,
    pub(super) person: Option<PersonId>,
    pub(super) reporter: UserId,
    pub(super) description: String,
    pub(super) actions: String,
    /// The category's answers as JSON.
    pub(super) details: String,
}

/// Hour-of-day weights for falls: nights and the two handovers are worst.
const FALL_HOURS: [u32; 24] = [
    6, 6, 7, 7, 6, 5, 5, 9, 9, 4, 3, 3, 3, 3, 3, 3, 4, 4, 4, 8, 8, 5, 5, 6,
];
/// Drug rounds, hour of day.
const DRUG_ROUNDS: [i64; 4] = [8, 12, 17, 21];

pub(super) fn events_for(
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
            let details = demo_details(rng, category, &description);
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
                details,
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

/// Believable answers to a category's questions, matching the report's text.
fn demo_details(rng: &mut Rng, category: Category, description: &str) -> String {
    let mut raw = RawDetails::new();
    let mut put = |k: &str, v: &str| {
        raw.insert(k.to_owned(), vec![v.to_owned()]);
    };
    match category {
        Category::Fall => {
            let found = description.contains("Found")
                || description.contains("found")
                || description.contains("Heard a bang");
            let head = if rng.chance(0.15) {
                "yes"
            } else if found && rng.chance(0.3) {
                "not_known"
            } else {
                "no"
            };
            put("seen", if found { "found_on_floor" } else { "witnessed" });
            put("head_struck", head);
            put("anticoagulant", if rng.chance(0.25) { "yes" } else { "no" });
        }
        Category::Medication => {
            let error = [
                ("not signed", "omission"),
                ("instead of", "wrong_time"),
                ("Wrong strength", "wrong_dose"),
                ("another resident", "wrong_person"),
                ("ran out", "stock_ran_out"),
                ("register", "controlled_drug_discrepancy"),
            ]
            .iter()
            .find(|(text, _)| description.contains(text))
            .map_or("other", |(_, code)| code);
            put("error_type", error);
        }
        // The answers each of these demo texts gives.
        Category::Equipment => {
            put("equipment_kind", "hoist");
            put("problem", "no_power");
            put("taken_out_of_use", "yes");
        }
        Category::Environment => put("hazard", "wet_floor"),
        Category::Infection => {
            put("infection_kind", "diarrhoea_vomiting");
            put("people_affected", "2");
            put("outbreak_suspected", "yes");
        }
        Category::Choking => {
            put("choked_on", "food");
            put("first_aid", "back_blows");
        }
        Category::MissingPerson => {
            put("found", "yes");
            put("last_seen", "01:50");
            put("found_where", "In the garden");
        }
        Category::Death => {
            put("expected", "expected");
            put("place", "in_the_service");
        }
        _ => {}
    }
    // The demo's times are all in the past, so "now" can be far ahead.
    validate_details(category, &raw, jiff::Timestamp::MAX)
        .map(|d| d.to_json())
        .unwrap_or_else(|_| "{}".to_owned())
}
