//! Triage: harm graded separately for body and mind (LFPSE, shared/domain.md
//! §5.3), risk on the NPSA 5×5 matrix (§7) with bands whose edges are an
//! organisation setting, and the learning response chosen in proportion
//! (PSIRF, §6).

use crate::organisation::code_enum;
use crate::validation::FieldErrors;

code_enum! {
    /// Physical harm (LFPSE).
    PhysicalHarm {
        /// No physical harm (LFPSE 5).
        None = ("none", "No physical harm"),
        /// Low (4): extra observation or minor treatment.
        Low = ("low", "Low physical harm"),
        /// Moderate (3): significant but not permanent harm.
        Moderate = ("moderate", "Moderate physical harm"),
        /// Severe (2): permanent lessening of function.
        Severe = ("severe", "Severe physical harm"),
        /// Fatal (1): the incident is judged to have caused the death.
        Fatal = ("fatal", "Fatal"),
    }
}

code_enum! {
    /// Psychological harm (LFPSE).
    PsychologicalHarm {
        /// No psychological harm (LFPSE 4).
        None = ("none", "No psychological harm"),
        /// Low (3).
        Low = ("low", "Low psychological harm"),
        /// Moderate (2).
        Moderate = ("moderate", "Moderate psychological harm"),
        /// Severe (1).
        Severe = ("severe", "Severe psychological harm"),
    }
}

impl PhysicalHarm {
    /// The LFPSE taxonomy code (5 none … 1 fatal).
    pub fn lfpse_code(self) -> u8 {
        match self {
            PhysicalHarm::None => 5,
            PhysicalHarm::Low => 4,
            PhysicalHarm::Moderate => 3,
            PhysicalHarm::Severe => 2,
            PhysicalHarm::Fatal => 1,
        }
    }
}

impl PsychologicalHarm {
    /// The LFPSE taxonomy code (4 none … 1 severe).
    pub fn lfpse_code(self) -> u8 {
        match self {
            PsychologicalHarm::None => 4,
            PsychologicalHarm::Low => 3,
            PsychologicalHarm::Moderate => 2,
            PsychologicalHarm::Severe => 1,
        }
    }
}

code_enum! {
    /// How bad the outcome was or could be (NPSA consequence score 1–5).
    Consequence {
        /// 1: minimal injury needing no or minimal intervention.
        Negligible = ("1", "1 Negligible"),
        /// 2: minor injury or illness needing minor intervention.
        Minor = ("2", "2 Minor"),
        /// 3: moderate injury needing professional intervention.
        Moderate = ("3", "3 Moderate"),
        /// 4: major injury leading to long-term incapacity.
        Major = ("4", "4 Major"),
        /// 5: death, or permanent injuries to several people.
        Catastrophic = ("5", "5 Catastrophic"),
    }
}

code_enum! {
    /// How likely it is to happen again (NPSA likelihood score 1–5).
    Likelihood {
        /// 1: will probably never happen or recur.
        Rare = ("1", "1 Rare"),
        /// 2: not expected, but possible.
        Unlikely = ("2", "2 Unlikely"),
        /// 3: might happen or recur occasionally.
        Possible = ("3", "3 Possible"),
        /// 4: will probably happen or recur.
        Likely = ("4", "4 Likely"),
        /// 5: will undoubtedly happen or recur, possibly often.
        AlmostCertain = ("5", "5 Almost certain"),
    }
}

code_enum! {
    /// The band a risk score falls in.
    RiskBand {
        /// Low (1–3 by default).
        Low = ("low", "Low"),
        /// Moderate (4–6).
        Moderate = ("moderate", "Moderate"),
        /// High (8–12).
        High = ("high", "High"),
        /// Extreme (15–25).
        Extreme = ("extreme", "Extreme"),
    }
}

code_enum! {
    /// The learning response chosen, in proportion (PSIRF).
    LearningResponse {
        /// No further action, with the reason recorded.
        NoFurtherAction = ("no_further_action", "No further action"),
        /// A review by the service's managers.
        LocalReview = ("local_review", "Local review"),
        /// After-action review: expected, happened, why the difference, what to learn.
        AfterActionReview = ("after_action_review", "After-action review"),
        /// SWARM huddle within hours, with the staff involved.
        SwarmHuddle = ("swarm_huddle", "SWARM huddle"),
        /// Multi-disciplinary team review.
        MdtReview = ("mdt_review", "Multi-disciplinary team review"),
        /// Thematic review across several incidents.
        ThematicReview = ("thematic_review", "Thematic review"),
        /// Serious incident investigation.
        SeriousInvestigation = ("serious_investigation", "Serious incident investigation"),
    }
}

fn numeric(code: &str) -> u8 {
    code.parse().unwrap_or(1)
}

/// The risk score: consequence × likelihood (1, 2, 3, 4, 5, 6, 8, 9, 10, 12,
/// 15, 16, 20 or 25).
pub fn risk_score(c: Consequence, l: Likelihood) -> u8 {
    numeric(c.code()) * numeric(l.code())
}

/// Where the bands begin: an organisation setting, NPSA's by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BandEdges {
    /// Lowest score that is moderate (4).
    pub moderate_from: u8,
    /// Lowest score that is high (8).
    pub high_from: u8,
    /// Lowest score that is extreme (15).
    pub extreme_from: u8,
}

impl Default for BandEdges {
    fn default() -> Self {
        BandEdges {
            moderate_from: 4,
            high_from: 8,
            extreme_from: 15,
        }
    }
}

impl BandEdges {
    /// Checks edges an administrator sets: rising, between 2 and 25.
    pub fn check(self) -> Result<BandEdges, FieldErrors> {
        let mut e = FieldErrors::new();
        if !(2 <= self.moderate_from
            && self.moderate_from < self.high_from
            && self.high_from < self.extreme_from
            && self.extreme_from <= 25)
        {
            e.add(
                "band_edges",
                "Each band must start above the one before, between 2 and 25 (for example 4, 8 and 15)",
            );
        }
        e.into_result(self)
    }

    /// The band of a score.
    pub fn band(self, score: u8) -> RiskBand {
        if score >= self.extreme_from {
            RiskBand::Extreme
        } else if score >= self.high_from {
            RiskBand::High
        } else if score >= self.moderate_from {
            RiskBand::Moderate
        } else {
            RiskBand::Low
        }
    }
}

/// The legacy NRLS degree of harm, for reports that still use it (§5.5).
pub fn nrls_degree(harm: PhysicalHarm) -> &'static str {
    match harm {
        PhysicalHarm::None => "No harm",
        PhysicalHarm::Low => "Low",
        PhysicalHarm::Moderate => "Moderate",
        PhysicalHarm::Severe => "Severe",
        PhysicalHarm::Fatal => "Death",
    }
}

/// Whether a grading calls for the registered manager and the on-call
/// senior manager at once (and triage within hours): death, severe harm
/// or extreme risk. (Safeguarding concerns do too, by category.)
pub fn is_urgent(physical: PhysicalHarm, psychological: PsychologicalHarm, band: RiskBand) -> bool {
    matches!(physical, PhysicalHarm::Severe | PhysicalHarm::Fatal)
        || psychological == PsychologicalHarm::Severe
        || band == RiskBand::Extreme
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_matrix_gives_only_the_npsa_scores_in_their_default_bands() {
        let mut scores: Vec<u8> = Consequence::ALL
            .iter()
            .flat_map(|c| Likelihood::ALL.iter().map(move |l| risk_score(*c, *l)))
            .collect();
        scores.sort_unstable();
        scores.dedup();
        assert_eq!(scores, [1, 2, 3, 4, 5, 6, 8, 9, 10, 12, 15, 16, 20, 25]);
        let edges = BandEdges::default();
        for (score, band) in [
            (1, RiskBand::Low),
            (3, RiskBand::Low),
            (4, RiskBand::Moderate),
            (6, RiskBand::Moderate),
            (8, RiskBand::High),
            (9, RiskBand::High),
            (12, RiskBand::High),
            (15, RiskBand::Extreme),
            (25, RiskBand::Extreme),
        ] {
            assert_eq!(edges.band(score), band, "{score}");
        }
    }

    #[test]
    fn band_edges_must_rise() {
        assert!(BandEdges::default().check().is_ok());
        for (m, h, x) in [(1, 8, 15), (8, 8, 15), (4, 16, 15), (4, 8, 26)] {
            let edges = BandEdges {
                moderate_from: m,
                high_from: h,
                extreme_from: x,
            };
            assert!(edges.check().is_err(), "{m} {h} {x}");
        }
    }

    #[test]
    fn harm_codes_are_lfpse_codes() {
        assert_eq!(PhysicalHarm::Fatal.lfpse_code(), 1);
        assert_eq!(PhysicalHarm::None.lfpse_code(), 5);
        assert_eq!(PsychologicalHarm::None.lfpse_code(), 4);
        assert_eq!(nrls_degree(PhysicalHarm::Fatal), "Death");
        assert!(is_urgent(
            PhysicalHarm::Severe,
            PsychologicalHarm::None,
            RiskBand::Low
        ));
        assert!(is_urgent(
            PhysicalHarm::None,
            PsychologicalHarm::None,
            RiskBand::Extreme
        ));
        assert!(!is_urgent(
            PhysicalHarm::Moderate,
            PsychologicalHarm::Moderate,
            RiskBand::High
        ));
    }

    proptest! {
        #[test]
        fn a_higher_score_is_never_in_a_lower_band(a in 1u8..=25, b in 1u8..=25, m in 2u8..10, h in 10u8..15, x in 15u8..=25) {
            let edges = BandEdges { moderate_from: m, high_from: h, extreme_from: x };
            let rank = |band: RiskBand| RiskBand::ALL.iter().position(|r| *r == band);
            if a <= b {
                prop_assert!(rank(edges.band(a)) <= rank(edges.band(b)));
            }
        }
    }
}

/// A triage decision as typed (form or JSON), before any rule is applied.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TriageDraft {
    /// Confirmed kind code.
    pub kind: String,
    /// Confirmed category code.
    pub category: String,
    /// Physical harm code.
    pub physical_harm: String,
    /// Psychological harm code.
    pub psychological_harm: String,
    /// Consequence, `1`–`5` (for a near miss, of the worst credible outcome).
    pub consequence: String,
    /// Likelihood of it happening again, `1`–`5`.
    pub likelihood: String,
    /// Learning response code.
    pub learning_response: String,
    /// Why no further action is needed (required with that response).
    pub no_action_reason: String,
    /// Who handles it (a user id), optional.
    pub handler: String,
    /// Why it is graded again (required when it was graded before).
    pub reason: String,
}

/// A triage decision that passed every rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Grading {
    /// Confirmed kind.
    pub kind: crate::incident::EventKind,
    /// Confirmed category.
    pub category: crate::incident::Category,
    /// Physical harm.
    pub physical_harm: PhysicalHarm,
    /// Psychological harm.
    pub psychological_harm: PsychologicalHarm,
    /// Consequence.
    pub consequence: Consequence,
    /// Likelihood.
    pub likelihood: Likelihood,
    /// Score.
    pub risk_score: u8,
    /// Band, from the organisation's edges.
    pub risk_band: RiskBand,
    /// Learning response.
    pub learning_response: LearningResponse,
    /// The reason for no further action, when chosen.
    pub no_action_reason: Option<String>,
    /// The handler, when chosen.
    pub handler: Option<crate::ids::UserId>,
    /// Why it was graded (again); "First triage" the first time.
    pub reason: String,
}

impl TriageDraft {
    /// Applies every rule. `regrading` says whether it was graded before
    /// (then a reason is required).
    pub fn validate(&self, edges: BandEdges, regrading: bool) -> Result<Grading, FieldErrors> {
        use crate::incident::{Category, EventKind};
        let mut e = FieldErrors::new();
        let mut pick = |field: &str, message: &str, ok: bool| {
            if !ok {
                e.add(field, message);
            }
        };
        let kind = EventKind::parse(self.kind.trim());
        pick(
            "kind",
            "Confirm whether it was an incident, a near miss or good practice",
            kind.is_some(),
        );
        let category = Category::parse(self.category.trim());
        pick("category", "Confirm the category", category.is_some());
        let physical = PhysicalHarm::parse(self.physical_harm.trim());
        pick(
            "physical_harm",
            "Grade the physical harm, from none to fatal",
            physical.is_some(),
        );
        let psychological = PsychologicalHarm::parse(self.psychological_harm.trim());
        pick(
            "psychological_harm",
            "Grade the psychological harm, from none to severe",
            psychological.is_some(),
        );
        let consequence = Consequence::parse(self.consequence.trim());
        pick(
            "consequence",
            "Choose a consequence from 1 (negligible) to 5 (catastrophic)",
            consequence.is_some(),
        );
        let likelihood = Likelihood::parse(self.likelihood.trim());
        pick(
            "likelihood",
            "Choose a likelihood from 1 (rare) to 5 (almost certain)",
            likelihood.is_some(),
        );
        let response = LearningResponse::parse(self.learning_response.trim());
        pick(
            "learning_response",
            "Choose the learning response",
            response.is_some(),
        );
        let no_action_reason =
            Some(self.no_action_reason.trim().to_owned()).filter(|s| !s.is_empty());
        if response == Some(LearningResponse::NoFurtherAction) && no_action_reason.is_none() {
            e.add("no_action_reason", "Say why no further action is needed");
        }
        if no_action_reason
            .as_ref()
            .is_some_and(|r| r.chars().count() > 2_000)
            || self.reason.trim().chars().count() > 2_000
        {
            e.add("reason", "Keep reasons to 2000 characters or fewer");
        }
        let handler = match self.handler.trim() {
            "" => None,
            h => match h.parse() {
                Ok(u) => Some(u),
                Err(_) => {
                    e.add("handler", "Choose the handler from the list");
                    None
                }
            },
        };
        let reason = self.reason.trim().to_owned();
        if regrading && reason.is_empty() {
            e.add("reason", "Say why the grading is changing: what is new");
        }
        if physical == Some(PhysicalHarm::Fatal)
            && consequence.is_some_and(|c| c != Consequence::Catastrophic)
        {
            e.add(
                "consequence",
                "A fatal outcome is consequence 5 (catastrophic)",
            );
        }
        match (
            kind,
            category,
            physical,
            psychological,
            consequence,
            likelihood,
            response,
        ) {
            (
                Some(kind),
                Some(category),
                Some(physical_harm),
                Some(psychological_harm),
                Some(c),
                Some(l),
                Some(learning_response),
            ) if e.is_empty() => {
                let risk_score = risk_score(c, l);
                Ok(Grading {
                    kind,
                    category,
                    physical_harm,
                    psychological_harm,
                    consequence: c,
                    likelihood: l,
                    risk_score,
                    risk_band: edges.band(risk_score),
                    learning_response,
                    no_action_reason: no_action_reason
                        .filter(|_| learning_response == LearningResponse::NoFurtherAction),
                    handler,
                    reason: if reason.is_empty() {
                        "First triage".to_owned()
                    } else {
                        reason
                    },
                })
            }
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod draft_tests {
    use super::*;

    fn draft() -> TriageDraft {
        TriageDraft {
            kind: "incident".into(),
            category: "fall".into(),
            physical_harm: "low".into(),
            psychological_harm: "none".into(),
            consequence: "2".into(),
            likelihood: "4".into(),
            learning_response: "local_review".into(),
            ..TriageDraft::default()
        }
    }

    #[test]
    fn a_complete_triage_is_scored_and_banded() {
        let g = draft()
            .validate(BandEdges::default(), false)
            .map_err(|e| e.to_string());
        let g = g
            .as_ref()
            .map(|g| (g.risk_score, g.risk_band, g.reason.as_str()));
        assert_eq!(g, Ok((8, RiskBand::High, "First triage")));
    }

    #[test]
    fn each_missing_or_wrong_answer_is_named() {
        type Breaker = fn(&mut TriageDraft);
        let cases: [(&str, Breaker); 9] = [
            ("kind", |d| d.kind.clear()),
            ("category", |d| d.category = "sandwich".into()),
            ("physical_harm", |d| d.physical_harm = "some".into()),
            ("psychological_harm", |d| {
                d.psychological_harm = "fatal".into()
            }),
            ("consequence", |d| d.consequence = "6".into()),
            ("likelihood", |d| d.likelihood = "0".into()),
            ("learning_response", |d| d.learning_response.clear()),
            ("no_action_reason", |d| {
                d.learning_response = "no_further_action".into()
            }),
            ("consequence", |d| d.physical_harm = "fatal".into()),
        ];
        for (field, breaker) in cases {
            let mut d = draft();
            breaker(&mut d);
            let e = d
                .validate(BandEdges::default(), false)
                .err()
                .unwrap_or_default();
            assert!(e.for_field(field).is_some(), "{field}: {e:?}");
        }
        let e = draft()
            .validate(BandEdges::default(), true)
            .err()
            .unwrap_or_default();
        assert!(e.for_field("reason").is_some(), "re-grading needs a reason");
    }
}
