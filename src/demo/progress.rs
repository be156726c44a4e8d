//! How far each demo report has got, in proportion to its age, so the queues
//! look like a working service's: most older reports triaged, reviewed and
//! closed with feedback to the reporter (a few late); recent ones spread
//! through the workflow; the newest still waiting for triage.

use super::events::Event;
use super::rng::Rng;
use crate::store::incidents::Progress;
use candour_domain::calendar::Calendar;
use candour_domain::ids::UserId;
use candour_domain::incident::{Category, EventKind, IncidentStatus};
use candour_domain::timescales::Timescales;
use candour_domain::triage::{
    BandEdges, Consequence, Grading, LearningResponse, Likelihood, PhysicalHarm, PsychologicalHarm,
    risk_score,
};
use jiff::Timestamp;

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 24 * HOUR_MS;

/// What a manager wrote back to reporters, by how the review went.
const FEEDBACK: [&str; 5] = [
    "Thank you for reporting this. We reviewed it at the morning huddle, updated the care plan and risk assessment, and shared what we learned at handover.",
    "Thank you. We found the cause and changed how we do this: the new way is in the handover notes and was discussed at the team meeting.",
    "Thank you for speaking up. We checked the equipment and the checks that should have caught it; the checklist now includes this step.",
    "Thank you. We talked with the person and their family about what happened, and the GP has reviewed their medicines.",
    "Thank you for sharing this good practice: it was praised at the team meeting and added to the induction notes.",
];

/// A grading a manager could have given this event.
fn grade(rng: &mut Rng, e: &Event, manager: UserId) -> Grading {
    let (physical, consequence, likelihood) = match (e.kind, e.category) {
        (EventKind::GoodPractice, _) => (
            PhysicalHarm::None,
            Consequence::Negligible,
            Likelihood::Rare,
        ),
        (EventKind::NearMiss, _) => (
            PhysicalHarm::None,
            [Consequence::Minor, Consequence::Moderate][rng.weighted(&[6, 4])],
            [Likelihood::Unlikely, Likelihood::Possible][rng.weighted(&[6, 4])],
        ),
        (_, Category::Death) => (PhysicalHarm::None, Consequence::Minor, Likelihood::Rare),
        _ => match rng.below(100) {
            0..=19 => (
                PhysicalHarm::None,
                Consequence::Negligible,
                Likelihood::Possible,
            ),
            20..=86 => (
                PhysicalHarm::Low,
                Consequence::Minor,
                [
                    Likelihood::Unlikely,
                    Likelihood::Possible,
                    Likelihood::Likely,
                ][rng.weighted(&[4, 5, 1])],
            ),
            87..=97 => (
                PhysicalHarm::Moderate,
                Consequence::Moderate,
                Likelihood::Possible,
            ),
            _ => (
                PhysicalHarm::Severe,
                Consequence::Major,
                Likelihood::Possible,
            ),
        },
    };
    let score = risk_score(consequence, likelihood);
    let band = BandEdges::default().band(score);
    let response = match (e.kind, band) {
        (EventKind::GoodPractice, _) => LearningResponse::NoFurtherAction,
        (_, candour_domain::triage::RiskBand::Extreme) => LearningResponse::SeriousInvestigation,
        (_, candour_domain::triage::RiskBand::High) => *rng.pick(&[
            LearningResponse::AfterActionReview,
            LearningResponse::MdtReview,
        ]),
        _ => *rng.pick(&[
            LearningResponse::LocalReview,
            LearningResponse::LocalReview,
            LearningResponse::SwarmHuddle,
        ]),
    };
    Grading {
        kind: e.kind,
        category: e.category,
        physical_harm: physical,
        psychological_harm: PsychologicalHarm::None,
        consequence,
        likelihood,
        risk_score: score,
        risk_band: band,
        learning_response: response,
        no_action_reason: (response == LearningResponse::NoFurtherAction)
            .then(|| "Good practice: shared with the team, nothing to change".to_owned()),
        handler: Some(manager),
        reason: "First triage".to_owned(),
    }
}

/// How far `e` has got by `now`, and the feedback its reporter was given.
pub(super) fn progress(
    rng: &mut Rng,
    e: &Event,
    now: Timestamp,
    cal: &Calendar,
    timescales: &Timescales,
    manager: UserId,
) -> Option<(Progress, Option<(i64, &'static str)>)> {
    let age_days = (now.as_millisecond() - e.reported_ms) / DAY_MS;
    // The newest wait for triage; a few more recent ones are still waiting.
    if age_days < 1 || (age_days < 3 && rng.chance(0.3)) {
        return None;
    }
    let grading = grade(rng, e, manager);
    // Most are triaged within the working day; one in twenty is late.
    let delay = if rng.chance(0.05) {
        30 + rng.below(30)
    } else {
        1 + rng.below(20)
    };
    let triaged_ms = (e.reported_ms + delay as i64 * HOUR_MS).min(now.as_millisecond() - HOUR_MS);
    let triaged_at = Timestamp::from_millisecond(triaged_ms).ok()?;
    let review_due_at = timescales.review_due(
        cal,
        triaged_at,
        grading.category,
        grading.risk_band,
        grading.learning_response,
    );
    let review_ms = review_due_at.as_millisecond() - triaged_ms;
    // Closed within the review time (one in ten late), once old enough.
    let closing = triaged_ms
        + if rng.chance(0.1) {
            review_ms + (1 + rng.below(10) as i64) * DAY_MS
        } else {
            (review_ms as f64 * (0.2 + 0.7 * rng.unit())) as i64
        };
    let feedback = |rng: &mut Rng| {
        let text = if e.kind == EventKind::GoodPractice {
            FEEDBACK[4]
        } else {
            FEEDBACK[rng.below(4) as usize]
        };
        Some((closing - HOUR_MS, text))
    };
    let (status, closed_at, fed_back) = if closing < now.as_millisecond() {
        (
            IncidentStatus::Closed,
            Timestamp::from_millisecond(closing).ok(),
            feedback(rng),
        )
    } else {
        let status = *rng.pick(&[
            IncidentStatus::Triaged,
            IncidentStatus::UnderReview,
            IncidentStatus::UnderReview,
            IncidentStatus::AwaitingSignOff,
        ]);
        let status = match (status, grading.learning_response) {
            (_, LearningResponse::SeriousInvestigation) => IncidentStatus::UnderInvestigation,
            (s, _) => s,
        };
        (status, None, None)
    };
    Some((
        Progress {
            status,
            grading,
            triaged_at,
            review_due_at,
            closed_at,
        },
        fed_back,
    ))
}
