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
