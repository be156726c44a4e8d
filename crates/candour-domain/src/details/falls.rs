//! After a fall: the NICE NG232 head-injury referral prompts and the
//! observation and skin-check schedule (shared/domain.md §12.1).

use super::Details;
use super::values::{FallSeen, YesNo};
use jiff::Timestamp;

impl Details {
    /// Whether a fall calls for the head-injury prompts and observations:
    /// the head was struck (or may have been), or no one saw it happen.
    pub fn needs_head_injury_checks(&self) -> bool {
        matches!(self, Details::Fall { seen, head_struck, .. }
            if *seen == FallSeen::FoundOnFloor || *head_struck != YesNo::No)
    }

    /// The NICE NG232 community referral criteria to go through now, with
    /// those this report already answers put first.
    pub fn head_injury_prompts(&self) -> Vec<&'static str> {
        if !self.needs_head_injury_checks() {
            return Vec::new();
        }
        let mut prompts = Vec::new();
        if let Details::Fall {
            anticoagulant: YesNo::Yes,
            ..
        } = self
        {
            prompts.push("They take an anticoagulant or antiplatelet medicine (other than aspirin alone): NICE says refer to the emergency department.");
        }
        if let Details::Fall {
            seen: FallSeen::FoundOnFloor,
            ..
        } = self
        {
            prompts.push("No one saw the fall: treat it as a possible head injury.");
        }
        prompts.extend(NG232_REFER);
        prompts
    }

    /// The observation and skin-check times after a fall that needs them:
    /// half-hourly for 2 hours, hourly for 4 hours, then 2-hourly to 24
    /// hours (a care-home adaptation of NICE hospital observations, kept
    /// editable), and skin checks at 24 and 48 hours (§12.1).
    pub fn post_fall_schedule(&self, fall_at: Timestamp) -> Vec<(Timestamp, &'static str)> {
        if !matches!(self, Details::Fall { .. }) {
            return Vec::new();
        }
        let mut out = Vec::new();
        if self.needs_head_injury_checks() {
            let mut minutes = 0;
            while minutes < 24 * 60 {
                minutes += match minutes {
                    m if m < 120 => 30,
                    m if m < 360 => 60,
                    _ => 120,
                };
                out.push((
                    fall_at + jiff::SignedDuration::from_mins(minutes),
                    "Observations: responsiveness, pupils, limb movement, breathing, pulse",
                ));
            }
        }
        out.push((
            fall_at + jiff::SignedDuration::from_hours(24),
            "Check for bruising and skin damage (24 hours)",
        ));
        out.push((
            fall_at + jiff::SignedDuration::from_hours(48),
            "Check for bruising and skin damage (48 hours)",
        ));
        out
    }
}

/// NICE NG232: reasons a community service should refer to the emergency department.
pub const NG232_REFER: [&str; 12] = [
    "Not fully alert or responsive (GCS below 15) when first checked: refer to the emergency department.",
    "Any loss of consciousness: refer.",
    "Any new weakness, numbness, or problems with speech, vision or balance: refer.",
    "Suspected skull fracture or a wound that goes deep: refer.",
    "Cannot remember what happened just before or after: refer.",
    "A headache that will not go away: refer.",
    "Any vomiting since the fall: refer.",
    "A seizure: refer.",
    "Previous brain surgery: refer.",
    "A fall from more than 1 metre or down more than 5 stairs: refer.",
    "A bleeding or clotting disorder: refer.",
    "Drunk or under the influence of drugs, or a safeguarding concern: refer.",
];
