//! The CQC evidence pack for the "Learning culture" quality statement
//! (domain.md §13): what a request must hold, the quality statement's
//! subtopics the pack's files are mapped to, the sample of incidents an
//! inspector reads end to end, and keeping the names of people using a
//! service out of free text when the pack identifies them by code.

use crate::validation::FieldErrors;
use jiff::civil::Date;

/// The longest period one pack covers, in days (about three years).
pub const MAX_DAYS: i32 = 1100;

/// How many incidents the sample follows end to end (a former inspector
/// describes reading about five from the last year: UNCONFIRMED as policy).
pub const SAMPLE_SIZE: usize = 5;

/// A subtopic of "Learning culture".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subtopic {
    /// Organisational learning and actions.
    OrganisationalLearning,
    /// Continuous improvement.
    ContinuousImprovement,
    /// Duty of candour.
    DutyOfCandour,
}

impl Subtopic {
    /// Every subtopic, in CQC's order.
    pub const ALL: [Subtopic; 3] = [
        Subtopic::OrganisationalLearning,
        Subtopic::ContinuousImprovement,
        Subtopic::DutyOfCandour,
    ];

    /// Its name.
    pub fn label(self) -> &'static str {
        match self {
            Subtopic::OrganisationalLearning => "Organisational learning and actions",
            Subtopic::ContinuousImprovement => "Continuous improvement",
            Subtopic::DutyOfCandour => "Duty of candour",
        }
    }
}

/// A request for a pack, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PackDraft {
    /// The first day, `YYYY-MM-DD`.
    pub from: String,
    /// The last day, `YYYY-MM-DD`.
    pub to: String,
    /// `codes` or `names`.
    pub identify: String,
    /// Why names are needed (required with `names`).
    pub reason: String,
}

/// A request that passed every rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackRequest {
    /// The first day covered.
    pub from: Date,
    /// The last day covered (inclusive).
    pub to: Date,
    /// Whether people using the service are named (beside their codes).
    pub names: bool,
    /// Why names are needed (empty with codes).
    pub reason: String,
}

impl PackDraft {
    /// Checks the request against `today`; each problem names its field.
    pub fn validate(&self, today: Date) -> Result<PackRequest, FieldErrors> {
        let mut e = FieldErrors::new();
        let date = |field: &str, s: &str, e: &mut FieldErrors| match s.trim().parse::<Date>() {
            Ok(d) => Some(d),
            Err(_) if s.trim().is_empty() => {
                e.add(field, "Enter a date");
                None
            }
            Err(_) => {
                e.add(field, "Enter a real date, like 2026-11-30");
                None
            }
        };
        let from = date("from", &self.from, &mut e);
        let to = date("to", &self.to, &mut e);
        if let (Some(f), Some(t)) = (from, to) {
            if t < f {
                e.add(
                    "to",
                    "The last day must be the same as or after the first day",
                );
            } else if (t - f).get_days() > MAX_DAYS {
                e.add(
                    "to",
                    "A pack covers at most three years: choose a later first day or an earlier last day",
                );
            }
            if f > today {
                e.add("from", "The first day must be today or earlier");
            }
        }
        let names = match self.identify.trim() {
            "codes" | "" => false,
            "names" => true,
            _ => {
                e.add("identify", "Choose codes or names");
                false
            }
        };
        let reason = self.reason.trim().to_owned();
        if names && reason.chars().count() < 10 {
            e.add(
                "reason",
                "Say why the pack must name people (at least 10 characters): it is kept in the audit trail",
            );
        }
        match (from, to) {
            (Some(from), Some(to)) if e.is_empty() => Ok(PackRequest {
                from,
                to: to.min(today),
                names,
                reason: if names { reason } else { String::new() },
            }),
            _ => Err(e),
        }
    }
}

/// What the sample chooses from: one incident of the period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// Its reference number (the tie-break: oldest first).
    pub number: i64,
    /// The month it was reported in, `YYYY-MM`.
    pub month: String,
    /// Graded severe or fatal, extreme risk, or sent to a serious investigation.
    pub serious: bool,
    /// Closed after review.
    pub closed: bool,
    /// Has at least one action.
    pub has_actions: bool,
    /// The reporter was given feedback.
    pub feedback: bool,
    /// Near misses are sampled only when nothing else is.
    pub near_miss: bool,
}

impl Candidate {
    /// How much of the journey (report → review → actions → feedback) it shows.
    fn completeness(&self) -> u8 {
        u8::from(self.closed) + u8::from(self.has_actions) + u8::from(self.feedback)
    }
}

/// Up to `n` incidents to read end to end: serious ones first, then those
/// that show most of the journey, spread over as many months as possible,
/// oldest first among equals; near misses last. Returns indices into
/// `candidates`, in the order chosen.
pub fn sample(candidates: &[Candidate], n: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..candidates.len()).collect();
    order.sort_by_key(|&i| {
        let c = &candidates[i];
        (
            c.near_miss,
            !c.serious,
            std::cmp::Reverse(c.completeness()),
            c.number,
        )
    });
    let mut chosen: Vec<usize> = Vec::new();
    let mut months: Vec<&str> = Vec::new();
    // First pass: one per month; second pass: fill up in the same order.
    for &i in &order {
        if chosen.len() == n {
            break;
        }
        if !months.contains(&candidates[i].month.as_str()) {
            months.push(&candidates[i].month);
            chosen.push(i);
        }
    }
    for &i in &order {
        if chosen.len() == n {
            break;
        }
        if !chosen.contains(&i) {
            chosen.push(i);
        }
    }
    chosen
}

fn words_of(s: &str) -> Vec<(usize, usize)> {
    // Byte spans of the alphanumeric words of `s`.
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices() {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(st)) => {
                out.push((st, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(st) = start {
        out.push((st, s.len()));
    }
    out
}

/// `text` with every whole-word, case-insensitive mention of each name in
/// `people` ((full name, code)) replaced by the code. A full name is
/// matched as its words in order, separated by anything that is not a
/// letter or digit; longer names are replaced first, so "Edna May Test"
/// wins over "Edna Test". Names of one short word (under 3 letters) are
/// left alone, as they would match ordinary words.
pub fn redact(text: &str, people: &[(String, String)]) -> String {
    let mut people: Vec<(Vec<String>, &str)> = people
        .iter()
        .map(|(name, code)| {
            let words: Vec<String> = words_of(name)
                .iter()
                .map(|(a, b)| name[*a..*b].to_lowercase())
                .collect();
            (words, code.as_str())
        })
        .filter(|(w, _)| !w.is_empty() && (w.len() > 1 || w[0].chars().count() >= 3))
        .collect();
    people.sort_by_key(|(w, _)| std::cmp::Reverse(w.len()));
    let spans = words_of(text);
    let lower: Vec<String> = spans
        .iter()
        .map(|(a, b)| text[*a..*b].to_lowercase())
        .collect();
    let mut out = String::with_capacity(text.len());
    let mut at = 0; // byte position copied up to
    let mut i = 0; // word index
    while i < spans.len() {
        let hit = people
            .iter()
            .find(|(w, _)| i + w.len() <= lower.len() && lower[i..i + w.len()] == w[..]);
        match hit {
            Some((w, code)) => {
                out.push_str(&text[at..spans[i].0]);
                out.push_str(code);
                at = spans[i + w.len() - 1].1;
                i += w.len();
            }
            None => i += 1,
        }
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn draft(from: &str, to: &str, identify: &str, reason: &str) -> PackDraft {
        PackDraft {
            from: from.into(),
            to: to.into(),
            identify: identify.into(),
            reason: reason.into(),
        }
    }

    #[test]
    fn a_request_names_each_wrong_field() {
        let today = d("2026-11-30");
        let cases: [(PackDraft, &[&str]); 7] = [
            (draft("", "", "codes", ""), &["from", "to"]),
            (draft("2026-02-30", "2026-11-30", "codes", ""), &["from"]),
            (draft("2026-11-01", "2026-10-01", "codes", ""), &["to"]),
            (draft("2020-01-01", "2026-11-30", "codes", ""), &["to"]),
            (draft("2026-12-01", "2026-12-31", "codes", ""), &["from"]),
            (
                draft("2026-01-01", "2026-11-30", "names", "inspect"),
                &["reason"],
            ),
            (
                draft("2026-01-01", "2026-11-30", "everyone", ""),
                &["identify"],
            ),
        ];
        for (input, fields) in cases {
            let got = input.validate(today).unwrap_err();
            let named: Vec<&str> = got.0.iter().map(|e| e.field.as_str()).collect();
            assert_eq!(named, fields, "{input:?}");
        }
    }

    #[test]
    fn a_good_request_ends_today_at_the_latest() {
        let ok = draft(
            "2025-12-01",
            "2026-12-31",
            "names",
            "  The inspector asked for the names  ",
        )
        .validate(d("2026-11-30"))
        .unwrap();
        assert_eq!(ok.to, d("2026-11-30"));
        assert!(ok.names);
        assert_eq!(ok.reason, "The inspector asked for the names");
        let codes = draft("2025-12-01", "2026-11-30", "", "ignored")
            .validate(d("2026-11-30"))
            .unwrap();
        assert!(!codes.names && codes.reason.is_empty());
    }

    fn c(number: i64, month: &str, serious: bool, journey: (bool, bool, bool)) -> Candidate {
        Candidate {
            number,
            month: month.into(),
            serious,
            closed: journey.0,
            has_actions: journey.1,
            feedback: journey.2,
            near_miss: false,
        }
    }

    #[test]
    fn the_sample_puts_serious_and_complete_journeys_first_across_months() {
        let all = vec![
            c(1, "2026-01", false, (true, true, true)),
            c(2, "2026-01", false, (true, true, true)),
            c(3, "2026-02", false, (false, false, false)),
            c(4, "2026-03", true, (false, false, false)),
            c(5, "2026-03", false, (true, false, true)),
            Candidate {
                near_miss: true,
                ..c(6, "2026-04", true, (true, true, true))
            },
        ];
        // Serious 4 (March), then 1 (January, complete), then 5 is March
        // again so 3 (February) comes first in the spread, then the
        // near miss's month; then 2 fills up.
        assert_eq!(sample(&all, 5), vec![3, 0, 2, 5, 1]);
        assert_eq!(sample(&all, 2), vec![3, 0]);
        assert!(sample(&[], 5).is_empty());
    }

    #[test]
    fn names_become_codes_as_whole_words_only() {
        let people = vec![
            ("Edna Test".to_owned(), "P-000001".to_owned()),
            ("Edna May Test".to_owned(), "P-000002".to_owned()),
            ("Al".to_owned(), "P-000003".to_owned()),
            ("Bo".to_owned(), "P-000004".to_owned()),
        ];
        let cases = [
            (
                "Found EDNA test on the floor.",
                "Found P-000001 on the floor.",
            ),
            ("edna  May\nTest said no", "P-000002 said no"),
            ("Edna Testing the alarm", "Edna Testing the alarm"),
            ("All staff; Al is fine", "All staff; Al is fine"),
            ("Edna Test, Edna Test!", "P-000001, P-000001!"),
            ("", ""),
        ];
        for (text, want) in cases {
            assert_eq!(redact(text, &people), want, "{text:?}");
        }
    }

    proptest! {
        #[test]
        fn no_name_survives_redaction(
            first in "[A-Z][a-z]{2,8}",
            last in "[A-Z][a-z]{2,8}",
            before in "[a-z ,.]{0,20}",
            after in "[ ,.][a-z ,.]{0,20}",
        ) {
            let name = format!("{first} {last}");
            let text = format!("{before} {name}{after} and {}", name.to_uppercase());
            let out = redact(&text, &[(name.clone(), "P-000009".into())]);
            let words: Vec<String> = out
                .split(|c: char| !c.is_alphanumeric())
                .map(str::to_lowercase)
                .collect();
            let first_l = first.to_lowercase();
            let last_l = last.to_lowercase();
            prop_assert!(!words.windows(2).any(|w| w[0] == first_l && w[1] == last_l), "{out}");
            prop_assert_eq!(out.matches("P-000009").count(), 2);
        }

        #[test]
        fn the_sample_never_repeats_and_never_exceeds_n(
            n in 0usize..8,
            flags in proptest::collection::vec((0u8..4, any::<bool>(), any::<bool>()), 0..20),
        ) {
            let all: Vec<Candidate> = flags
                .iter()
                .enumerate()
                .map(|(i, (m, s, x))| Candidate {
                    number: i64::try_from(i).unwrap(),
                    month: format!("2026-0{}", m + 1),
                    serious: *s,
                    closed: *x,
                    has_actions: *x,
                    feedback: false,
                    near_miss: false,
                })
                .collect();
            let got = sample(&all, n);
            prop_assert_eq!(got.len(), n.min(all.len()));
            let mut sorted = got.clone();
            sorted.sort_unstable();
            sorted.dedup();
            prop_assert_eq!(sorted.len(), got.len());
        }
    }
}
