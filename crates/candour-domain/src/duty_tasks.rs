//! Doing a statutory duty once it is required: the steps each duty's small
//! workflow records as evidence (a CQC or HSE submission and its follow-up
//! information, the duty of candour's in-person and written notification,
//! failed contact attempts and correspondence, a safeguarding referral and
//! what became of it, an ICO report or the reasons for not making one),
//! whether the duty is done, and the drafts Candour prepares: the CQC
//! notification's content (the person by internal code and age band, never
//! by name, with the questions CQC's forms ask since 2019), the RIDDOR
//! report's fields and the duty of candour letter (domain.md §1–§4, §14.2).
//!
//! Steps are only ever added, never changed: each is evidence of what was
//! done, when and by whom.

use crate::duties::{Assessment, Decision, Duty};
use crate::incident::london;
use crate::organisation::code_enum;
use crate::validation::FieldErrors;
use jiff::Timestamp;
use jiff::civil::Date;

code_enum! {
    /// What a recorded step is.
    StepKind {
        /// The notification or report was sent (CQC, HSE or ICO).
        Submitted = ("submitted", "Submitted"),
        /// More information sent later, quoting the first reference.
        FollowUp = ("follow_up", "Follow-up information sent"),
        /// Duty of candour: the relevant person told in person.
        InPerson = ("in_person", "Told in person"),
        /// Duty of candour: an attempt to make contact that failed, or they declined.
        FailedContact = ("failed_contact", "Contact attempt"),
        /// Duty of candour: the written notification sent.
        Written = ("written", "Written notification sent"),
        /// Duty of candour: the results of further enquiries shared.
        ResultsShared = ("results_shared", "Results of enquiries shared"),
        /// Duty of candour: correspondence with the relevant person kept.
        Correspondence = ("correspondence", "Correspondence"),
        /// Safeguarding: the referral to the local authority.
        Referred = ("referred", "Referral made"),
        /// Safeguarding: what the local authority did, and the outcome.
        EnquiryUpdate = ("enquiry_update", "Enquiry update"),
        /// ICO: decided not to report, with the reasons.
        NotReported = ("not_reported", "Decided not to report"),
    }
}

code_enum! {
    /// How a referral or contact was made.
    Method {
        /// In person.
        InPerson = ("in_person", "In person"),
        /// By telephone.
        Phone = ("phone", "By phone"),
        /// By email.
        Email = ("email", "By email"),
        /// Through an online form or portal.
        Online = ("online", "Online form or portal"),
        /// By letter.
        Letter = ("letter", "By letter"),
    }
}

/// One step of a duty, as evidence. Stored as JSON tagged by `kind`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Step {
    /// Sent to CQC, HSE or the ICO.
    Submitted {
        /// When.
        at: Timestamp,
        /// Who sent it.
        by: String,
        /// How.
        method: Method,
        /// The regulator's reference (an ENQ number, notification ID, case ID…).
        reference: String,
    },
    /// More information sent later, quoting the submission's reference.
    FollowUp {
        /// When.
        at: Timestamp,
        /// Who sent it.
        by: String,
        /// What was sent.
        summary: String,
        /// The regulator's reference it quotes (the submission's).
        #[serde(default)]
        reference: String,
    },
    /// The relevant person told in person (reg 20(2)–(3)).
    InPerson {
        /// When.
        at: Timestamp,
        /// Who told them (the provider's representatives).
        by: String,
        /// Who was told: the person, or who acts for them.
        whom: String,
        /// The facts known, as given.
        facts: String,
        /// The apology, as given.
        apology: String,
        /// The further enquiries the provider will make.
        enquiries: String,
        /// The support offered.
        support: String,
    },
    /// A contact attempt that failed, or the person declined to speak.
    FailedContact {
        /// When.
        at: Timestamp,
        /// Who tried.
        by: String,
        /// How.
        method: Method,
        /// What happened.
        note: String,
    },
    /// The written notification, as sent.
    Written {
        /// When it was sent.
        at: Timestamp,
        /// Who sent it.
        by: String,
        /// To whom.
        whom: String,
        /// The letter.
        letter: String,
    },
    /// The results of further enquiries shared.
    ResultsShared {
        /// When.
        at: Timestamp,
        /// Who shared them.
        by: String,
        /// What was shared.
        summary: String,
    },
    /// Correspondence with the relevant person.
    Correspondence {
        /// When.
        at: Timestamp,
        /// Who recorded it.
        by: String,
        /// What it said (and where the copy is kept).
        summary: String,
    },
    /// The safeguarding referral.
    Referred {
        /// When.
        at: Timestamp,
        /// Who made it.
        by: String,
        /// The local authority.
        authority: String,
        /// How.
        method: Method,
        /// The local authority's reference, if given.
        reference: String,
        /// A police reference, if the police are involved.
        police_reference: String,
    },
    /// What the local authority did.
    EnquiryUpdate {
        /// When this was learned.
        at: Timestamp,
        /// Who recorded it.
        by: String,
        /// Whether a section 42 enquiry opened (None: not known yet).
        s42_opened: Option<bool>,
        /// Whether the provider was asked to cause an enquiry.
        asked_to_cause: Option<bool>,
        /// A police reference.
        police_reference: String,
        /// The outcome, once known.
        outcome: String,
    },
    /// ICO: not reported, and why (every breach is documented).
    NotReported {
        /// When decided.
        at: Timestamp,
        /// Who decided.
        by: String,
        /// Why.
        reasons: String,
    },
}

impl Step {
    /// What kind of step this is.
    pub fn kind(&self) -> StepKind {
        match self {
            Step::Submitted { .. } => StepKind::Submitted,
            Step::FollowUp { .. } => StepKind::FollowUp,
            Step::InPerson { .. } => StepKind::InPerson,
            Step::FailedContact { .. } => StepKind::FailedContact,
            Step::Written { .. } => StepKind::Written,
            Step::ResultsShared { .. } => StepKind::ResultsShared,
            Step::Correspondence { .. } => StepKind::Correspondence,
            Step::Referred { .. } => StepKind::Referred,
            Step::EnquiryUpdate { .. } => StepKind::EnquiryUpdate,
            Step::NotReported { .. } => StepKind::NotReported,
        }
    }

    /// When it happened.
    pub fn at(&self) -> Timestamp {
        match self {
            Step::Submitted { at, .. }
            | Step::FollowUp { at, .. }
            | Step::InPerson { at, .. }
            | Step::FailedContact { at, .. }
            | Step::Written { at, .. }
            | Step::ResultsShared { at, .. }
            | Step::Correspondence { at, .. }
            | Step::Referred { at, .. }
            | Step::EnquiryUpdate { at, .. }
            | Step::NotReported { at, .. } => *at,
        }
    }

    /// What was recorded, as (label, value) lines for reading back.
    pub fn lines(&self) -> Vec<(&'static str, String)> {
        let yn = |v: Option<bool>| match v {
            Some(true) => "Yes".to_owned(),
            Some(false) => "No".to_owned(),
            None => "Not known yet".to_owned(),
        };
        let mut l: Vec<(&'static str, String)> = match self {
            Step::Submitted {
                by,
                method,
                reference,
                ..
            } => vec![
                ("By", by.clone()),
                ("How", method.label().to_owned()),
                ("Reference", reference.clone()),
            ],
            Step::FollowUp {
                by,
                summary,
                reference,
                ..
            } => vec![
                ("By", by.clone()),
                ("Quoting reference", reference.clone()),
                ("What", summary.clone()),
            ],
            Step::ResultsShared { by, summary, .. } | Step::Correspondence { by, summary, .. } => {
                vec![("By", by.clone()), ("What", summary.clone())]
            }
            Step::InPerson {
                by,
                whom,
                facts,
                apology,
                enquiries,
                support,
                ..
            } => vec![
                ("Told by", by.clone()),
                ("Who was told", whom.clone()),
                ("Facts given", facts.clone()),
                ("Apology", apology.clone()),
                ("Further enquiries", enquiries.clone()),
                ("Support offered", support.clone()),
            ],
            Step::FailedContact {
                by, method, note, ..
            } => vec![
                ("By", by.clone()),
                ("How", method.label().to_owned()),
                ("What happened", note.clone()),
            ],
            Step::Written {
                by, whom, letter, ..
            } => vec![
                ("Sent by", by.clone()),
                ("To", whom.clone()),
                ("Letter", letter.clone()),
            ],
            Step::Referred {
                by,
                authority,
                method,
                reference,
                police_reference,
                ..
            } => vec![
                ("By", by.clone()),
                ("Local authority", authority.clone()),
                ("How", method.label().to_owned()),
                ("Their reference", reference.clone()),
                ("Police reference", police_reference.clone()),
            ],
            Step::EnquiryUpdate {
                by,
                s42_opened,
                asked_to_cause,
                police_reference,
                outcome,
                ..
            } => vec![
                ("By", by.clone()),
                ("Section 42 enquiry opened", yn(*s42_opened)),
                ("We were asked to cause an enquiry", yn(*asked_to_cause)),
                ("Police reference", police_reference.clone()),
                ("Outcome", outcome.clone()),
            ],
            Step::NotReported { by, reasons, .. } => {
                vec![("Decided by", by.clone()), ("Reasons", reasons.clone())]
            }
        };
        l.retain(|(_, v)| !v.is_empty());
        l
    }
}

/// The steps a duty records, in the order they are usually taken.
pub fn steps_for(duty: Duty) -> &'static [StepKind] {
    use StepKind as K;
    match duty {
        Duty::DutyOfCandour => &[
            K::InPerson,
            K::FailedContact,
            K::Written,
            K::ResultsShared,
            K::Correspondence,
        ],
        Duty::SafeguardingReferral => &[K::Referred, K::EnquiryUpdate],
        Duty::IcoBreachReport => &[K::Submitted, K::NotReported, K::FollowUp],
        _ => &[K::Submitted, K::FollowUp],
    }
}

/// Who a duty's submission goes to, in words.
pub fn recipient(duty: Duty) -> &'static str {
    match duty {
        Duty::RiddorReport => "HSE",
        Duty::IcoBreachReport => "the ICO",
        Duty::SafeguardingReferral => "the local authority",
        Duty::DutyOfCandour => "the relevant person",
        _ => "CQC",
    }
}

/// A step as typed (every field text, as from a form or the API).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StepDraft {
    /// A [`StepKind`] code.
    pub kind: String,
    /// When, `YYYY-MM-DD` (UK date).
    pub date: String,
    /// When, `HH:MM` (UK time).
    pub time: String,
    /// Who did it (defaults to the person recording).
    pub by: String,
    /// Who was told or written to.
    pub whom: String,
    /// A [`Method`] code.
    pub method: String,
    /// An external reference.
    pub reference: String,
    /// The local authority.
    pub authority: String,
    /// A police reference.
    pub police_reference: String,
    /// The main text: facts given, summary, note, letter, outcome or reasons.
    pub text: String,
    /// The apology as given.
    pub apology: String,
    /// Further enquiries promised.
    pub enquiries: String,
    /// Support offered.
    pub support: String,
    /// `yes`, `no` or blank.
    pub s42_opened: String,
    /// `yes`, `no` or blank.
    pub asked_to_cause: String,
}

/// What a step is checked against.
#[derive(Debug, Clone, Copy)]
pub struct StepContext<'a> {
    /// The duty.
    pub duty: Duty,
    /// When the incident happened (nothing is done before it).
    pub occurred_at: Timestamp,
    /// Now (nothing is done in the future).
    pub now: Timestamp,
    /// The name of the person recording (the default for `by`).
    pub recorder: &'a str,
    /// The steps already recorded.
    pub steps: &'a [Step],
}

use crate::validation::checked_text as text;

fn yes_no(e: &mut FieldErrors, field: &str, v: &str) -> Option<bool> {
    match v.trim() {
        "yes" => Some(true),
        "no" => Some(false),
        "" | "unknown" => None,
        _ => {
            e.add(field, "Answer yes, no, or leave it blank if not known yet");
            None
        }
    }
}

/// Checks a step: every problem is named by its field.
pub fn check_step(d: &StepDraft, c: &StepContext<'_>) -> Result<Step, FieldErrors> {
    let mut e = FieldErrors::new();
    let Some(kind) = StepKind::parse(d.kind.trim()).filter(|k| steps_for(c.duty).contains(k))
    else {
        e.add(
            "kind",
            format!(
                "Choose what you are recording for the {}",
                c.duty.label().to_lowercase()
            ),
        );
        return Err(e);
    };
    let at = match (
        d.date.trim().parse::<Date>(),
        d.time.trim().parse::<jiff::civil::Time>(),
    ) {
        (Ok(day), Ok(t)) => london()
            .to_ambiguous_timestamp(day.to_datetime(t))
            .compatible()
            .ok(),
        _ => None,
    };
    match at {
        None => e.add("date", "Enter the date and time, like 23/11/2026 14:30"),
        Some(t) if t > c.now => e.add("date", "The date and time cannot be in the future"),
        Some(t) if t < c.occurred_at => e.add(
            "date",
            "The date and time cannot be before the incident happened",
        ),
        Some(_) => {}
    }
    let has = |k: StepKind| c.steps.iter().any(|s| s.kind() == k);
    let by = match d.by.trim() {
        "" => c.recorder.to_owned(),
        b => text(&mut e, "by", b, 200, None),
    };
    let method = |e: &mut FieldErrors| {
        let m = Method::parse(d.method.trim());
        if m.is_none() {
            e.add("method", "Choose how it was done");
        }
        m.unwrap_or(Method::Online)
    };
    let to = recipient(c.duty);
    let step = match kind {
        StepKind::Submitted => {
            if let Some(Step::Submitted { reference, at, .. }) =
                c.steps.iter().find(|s| s.kind() == StepKind::Submitted)
            {
                e.add(
                    "kind",
                    format!(
                        "This was already submitted to {to} on {} (reference {reference}): record more information as a follow-up",
                        crate::display::date_time(*at)
                    ),
                );
            }
            if has(StepKind::NotReported) {
                e.add(
                    "kind",
                    "A decision not to report is recorded: a report now is recorded as well, so record why you changed your mind as a follow-up after it",
                );
            }
            Step::Submitted {
                at: at.unwrap_or(c.now),
                by,
                method: method(&mut e),
                reference: text(
                    &mut e,
                    "reference",
                    &d.reference,
                    100,
                    Some(&format!(
                        "Give {to}'s reference (an ENQ number, notification or case ID), so follow-up information can quote it"
                    )),
                ),
            }
        }
        StepKind::FollowUp => {
            let quoting = c.steps.iter().find_map(|s| match s {
                Step::Submitted { reference, .. } => Some(reference.clone()),
                _ => None,
            });
            if quoting.is_none() {
                e.add(
                    "kind",
                    format!(
                        "Record the submission to {to} first: follow-up information quotes its reference"
                    ),
                );
            }
            Step::FollowUp {
                at: at.unwrap_or(c.now),
                by,
                reference: quoting.unwrap_or_default(),
                summary: text(
                    &mut e,
                    "text",
                    &d.text,
                    4_000,
                    Some("Say what information you sent"),
                ),
            }
        }
        StepKind::InPerson => Step::InPerson {
            at: at.unwrap_or(c.now),
            by,
            whom: text(
                &mut e,
                "whom",
                &d.whom,
                200,
                Some("Say who was told: the person, or who acts for them and how"),
            ),
            facts: text(
                &mut e,
                "text",
                &d.text,
                4_000,
                Some("Give the facts you told them, as known on that day"),
            ),
            apology: text(
                &mut e,
                "apology",
                &d.apology,
                2_000,
                Some(
                    "Give the apology as you said it: the duty of candour requires one (it is not an admission of liability)",
                ),
            ),
            enquiries: text(
                &mut e,
                "enquiries",
                &d.enquiries,
                2_000,
                Some("Say what further enquiries you told them you will make"),
            ),
            support: text(&mut e, "support", &d.support, 2_000, None),
        },
        StepKind::FailedContact => Step::FailedContact {
            at: at.unwrap_or(c.now),
            by,
            method: method(&mut e),
            note: text(
                &mut e,
                "text",
                &d.text,
                2_000,
                Some(
                    "Say what happened: no answer, declined to speak, or why contact was not possible",
                ),
            ),
        },
        StepKind::Written => {
            if !has(StepKind::InPerson) && !has(StepKind::FailedContact) {
                e.add(
                    "kind",
                    "Record telling them in person first, or the attempts to reach them: the letter follows that",
                );
            }
            Step::Written {
                at: at.unwrap_or(c.now),
                by,
                whom: text(
                    &mut e,
                    "whom",
                    &d.whom,
                    200,
                    Some("Say who the letter was sent to"),
                ),
                letter: text(
                    &mut e,
                    "text",
                    &d.text,
                    20_000,
                    Some("Keep the letter as it was sent"),
                ),
            }
        }
        StepKind::ResultsShared => Step::ResultsShared {
            at: at.unwrap_or(c.now),
            by,
            summary: text(
                &mut e,
                "text",
                &d.text,
                4_000,
                Some("Say what results of the enquiries you shared"),
            ),
        },
        StepKind::Correspondence => Step::Correspondence {
            at: at.unwrap_or(c.now),
            by,
            summary: text(
                &mut e,
                "text",
                &d.text,
                4_000,
                Some("Say what the correspondence was and where the copy is kept"),
            ),
        },
        StepKind::Referred => {
            if has(StepKind::Referred) {
                e.add(
                    "kind",
                    "The referral is already recorded: record what happened next as an enquiry update",
                );
            }
            Step::Referred {
                at: at.unwrap_or(c.now),
                by,
                authority: text(
                    &mut e,
                    "authority",
                    &d.authority,
                    200,
                    Some("Name the local authority you referred to"),
                ),
                method: method(&mut e),
                reference: text(&mut e, "reference", &d.reference, 100, None),
                police_reference: text(&mut e, "police_reference", &d.police_reference, 100, None),
            }
        }
        StepKind::EnquiryUpdate => {
            if !has(StepKind::Referred) {
                e.add(
                    "kind",
                    "Record the referral first: an update says what the local authority did with it",
                );
            }
            let s42 = yes_no(&mut e, "s42_opened", &d.s42_opened);
            let cause = yes_no(&mut e, "asked_to_cause", &d.asked_to_cause);
            let police = text(&mut e, "police_reference", &d.police_reference, 100, None);
            let outcome = text(&mut e, "text", &d.text, 4_000, None);
            if s42.is_none() && cause.is_none() && police.is_empty() && outcome.is_empty() {
                e.add(
                    "text",
                    "Record something the local authority or police did, or the outcome",
                );
            }
            Step::EnquiryUpdate {
                at: at.unwrap_or(c.now),
                by,
                s42_opened: s42,
                asked_to_cause: cause,
                police_reference: police,
                outcome,
            }
        }
        StepKind::NotReported => {
            if has(StepKind::Submitted) {
                e.add("kind", "This breach has already been reported to the ICO");
            }
            Step::NotReported {
                at: at.unwrap_or(c.now),
                by,
                reasons: text(
                    &mut e,
                    "text",
                    &d.text,
                    4_000,
                    Some(
                        "Give the reasons for not reporting: every breach must be documented, reported or not",
                    ),
                ),
            }
        }
    };
    e.into_result(step)
}

/// One item of a duty's checklist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChecklistItem {
    /// What is to be done.
    pub label: &'static str,
    /// When it was done.
    pub done_at: Option<Timestamp>,
    /// Whether the duty is done without it.
    pub optional: bool,
}

/// A duty's progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    /// When the duty was done (its last required item), if it is.
    pub done_at: Option<Timestamp>,
    /// The checklist.
    pub items: Vec<ChecklistItem>,
}

fn first(steps: &[Step], kinds: &[StepKind]) -> Option<Timestamp> {
    steps
        .iter()
        .filter(|s| kinds.contains(&s.kind()))
        .map(Step::at)
        .min()
}

/// How far a duty has got, from its steps.
pub fn progress(duty: Duty, steps: &[Step]) -> Progress {
    use StepKind as K;
    let item = |label, kinds: &[K], optional| ChecklistItem {
        label,
        done_at: first(steps, kinds),
        optional,
    };
    let items = match duty {
        Duty::DutyOfCandour => vec![
            item(
                "Tell the relevant person in person, with an apology (or record the attempts to reach them)",
                &[K::InPerson, K::FailedContact],
                false,
            ),
            item("Send the written notification", &[K::Written], false),
            item(
                "Share the results of further enquiries",
                &[K::ResultsShared],
                true,
            ),
        ],
        Duty::SafeguardingReferral => vec![
            item(
                "Refer to the local authority's adult social care team",
                &[K::Referred],
                false,
            ),
            item(
                "Record whether a section 42 enquiry opened, and the outcome",
                &[K::EnquiryUpdate],
                true,
            ),
        ],
        Duty::IcoBreachReport => vec![item(
            "Report to the ICO, or record why not",
            &[K::Submitted, K::NotReported],
            false,
        )],
        Duty::RiddorReport => vec![item("Submit the report to HSE", &[K::Submitted], false)],
        _ => vec![item(
            "Submit the notification to CQC",
            &[K::Submitted],
            false,
        )],
    };
    let done_at = if items.iter().all(|i| i.optional || i.done_at.is_some()) {
        items
            .iter()
            .filter(|i| !i.optional)
            .filter_map(|i| i.done_at)
            .max()
    } else {
        None
    };
    Progress { done_at, items }
}

/// The age bands CQC's forms use.
pub const AGE_BANDS: &[(i16, &str)] = &[
    (0, "Under 1"),
    (1, "1–4"),
    (5, "5–11"),
    (12, "12–15"),
    (16, "16–17"),
    (18, "18–24"),
    (25, "25–34"),
    (35, "35–44"),
    (45, "45–54"),
    (55, "55–64"),
    (65, "65–74"),
    (75, "75–84"),
    (85, "85 and over"),
];

/// The CQC age band of someone born on `born`, on `on`.
pub fn age_band(born: Date, on: Date) -> Option<&'static str> {
    if on < born {
        return None;
    }
    let mut age = on.year() - born.year();
    if (on.month(), on.day()) < (born.month(), born.day()) {
        age -= 1;
    }
    AGE_BANDS
        .iter()
        .rev()
        .find(|(from, _)| age >= *from)
        .map(|(_, b)| *b)
}

/// The manager's answers to the questions CQC's forms ask, kept as a
/// versioned draft. Absent: not written yet (Candour offers what the report
/// says).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CqcAnswers {
    /// What happened, as CQC will read it.
    pub circumstances: Option<String>,
    /// Was the person known to be at risk of this kind of harm, and how.
    pub known_at_risk: Option<String>,
    /// The risk assessment in place.
    pub risk_assessment: Option<String>,
    /// The plan that mitigated the risk (equipment, staff, specialist teams).
    pub plan: Option<String>,
    /// Immediate actions about the staff involved.
    pub actions_staff: Option<String>,
    /// Immediate actions to reduce the risk of further harm to this person.
    pub actions_person: Option<String>,
    /// Immediate actions to reduce the risk to others.
    pub actions_others: Option<String>,
}

/// The answerable fields of [`CqcAnswers`]: (name, label, hint).
pub const CQC_QUESTIONS: &[(&str, &str, &str)] = &[
    (
        "circumstances",
        "What happened",
        "The circumstances as CQC will read them. Use the person's code, not their name.",
    ),
    (
        "known_at_risk",
        "Was the person known to be at risk of this?",
        "CQC asks whether the person was known to be at risk of this kind of harm.",
    ),
    ("risk_assessment", "What risk assessment was in place?", ""),
    (
        "plan",
        "What plan was in place to reduce the risk?",
        "Equipment, staff support, specialist teams.",
    ),
    (
        "actions_staff",
        "Immediate actions about the staff involved",
        "",
    ),
    (
        "actions_person",
        "Immediate actions to keep this person safe",
        "",
    ),
    (
        "actions_others",
        "Immediate actions to keep others safe",
        "",
    ),
];

/// Whether a notification's form asks whether the risk was known
/// beforehand (serious injury and abuse).
pub fn asks_about_risk(duty: Duty) -> bool {
    matches!(
        duty,
        Duty::CqcSeriousInjuryNotification | Duty::CqcAbuseNotification
    )
}

/// The questions a notification's form asks: (name, label, hint).
pub fn cqc_questions(duty: Duty) -> Vec<(&'static str, &'static str, &'static str)> {
    CQC_QUESTIONS
        .iter()
        .copied()
        .filter(|(n, _, _)| {
            asks_about_risk(duty) || !matches!(*n, "known_at_risk" | "risk_assessment" | "plan")
        })
        .collect()
}

impl CqcAnswers {
    /// The manager's answer to `field`, or what the report says where it
    /// speaks to it (the circumstances, the actions for this person), or blank.
    pub fn or_report(&self, field: &str, s: &DraftSource<'_>) -> String {
        match self.get(field) {
            Some(a) => a.to_owned(),
            None => match field {
                "circumstances" => s.description.trim().to_owned(),
                "actions_person" => s.immediate_actions.trim().to_owned(),
                _ => String::new(),
            },
        }
    }

    /// The answer to `field`, if written.
    pub fn get(&self, field: &str) -> Option<&str> {
        match field {
            "circumstances" => self.circumstances.as_deref(),
            "known_at_risk" => self.known_at_risk.as_deref(),
            "risk_assessment" => self.risk_assessment.as_deref(),
            "plan" => self.plan.as_deref(),
            "actions_staff" => self.actions_staff.as_deref(),
            "actions_person" => self.actions_person.as_deref(),
            "actions_others" => self.actions_others.as_deref(),
            _ => None,
        }
    }

    /// Checks answers as typed, each field named; blank is "not written yet".
    pub fn from_typed(get: impl Fn(&str) -> String) -> Result<CqcAnswers, FieldErrors> {
        let mut e = FieldErrors::new();
        let mut one = |f: &str| {
            let t = text(&mut e, f, &get(f), 4_000, None);
            (!t.is_empty()).then_some(t)
        };
        let a = CqcAnswers {
            circumstances: one("circumstances"),
            known_at_risk: one("known_at_risk"),
            risk_assessment: one("risk_assessment"),
            plan: one("plan"),
            actions_staff: one("actions_staff"),
            actions_person: one("actions_person"),
            actions_others: one("actions_others"),
        };
        e.into_result(a)
    }
}

/// What a draft is prepared from: the incident and its person, never a name.
#[derive(Debug, Clone)]
pub struct DraftSource<'a> {
    /// The incident's reference (the provider's own notification reference).
    pub reference: &'a str,
    /// The service (the registered location).
    pub service: &'a str,
    /// Where in the service, if recorded.
    pub area: Option<&'a str>,
    /// When it happened.
    pub occurred_at: Timestamp,
    /// The person's internal code, if a person using the service is recorded.
    pub person_code: Option<&'a str>,
    /// Their date of birth, if known.
    pub date_of_birth: Option<Date>,
    /// When they began using the service, if known.
    pub started: Option<Date>,
    /// What the report says happened.
    pub description: &'a str,
    /// What the report says was done straight away.
    pub immediate_actions: &'a str,
    /// The assessment.
    pub assessment: &'a Assessment,
}

/// A section of a draft: a heading and (label, value) lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftSection {
    /// The heading.
    pub heading: &'static str,
    /// The lines; an empty value is shown as still to be written.
    pub lines: Vec<(&'static str, String)>,
}

fn yes_no_text(v: Option<bool>) -> String {
    match v {
        Some(true) => "Yes".into(),
        Some(false) => "No".into(),
        None => String::new(),
    }
}

fn about_person(s: &DraftSource<'_>) -> DraftSection {
    let on = s.occurred_at.to_zoned(london()).date();
    DraftSection {
        heading: "The person",
        lines: vec![
            (
                "Identifier (not their name)",
                s.person_code.unwrap_or_default().to_owned(),
            ),
            (
                "Age band",
                s.date_of_birth
                    .and_then(|b| age_band(b, on))
                    .unwrap_or_default()
                    .to_owned(),
            ),
            (
                "Began using the service",
                s.started
                    .map(crate::display::civil_date)
                    .unwrap_or_default(),
            ),
        ],
    }
}

/// The content of a CQC notification form, pre-filled: the person by code
/// and age band, the circumstances, and the questions CQC asks.
pub fn cqc_draft(duty: Duty, s: &DraftSource<'_>, answers: &CqcAnswers) -> Vec<DraftSection> {
    let a = s.assessment;
    let answer = |f: &str| answers.or_report(f, s);
    let mut out = vec![
        DraftSection {
            heading: "Form",
            lines: vec![
                ("CQC form", cqc_form(duty).to_owned()),
                ("Our reference", s.reference.to_owned()),
                ("Location", s.service.to_owned()),
            ],
        },
        about_person(s),
    ];
    let mut what = vec![
        ("Date and time", crate::display::date_time(s.occurred_at)),
        (
            "Where",
            s.area
                .map_or_else(|| s.service.to_owned(), |x| format!("{x}, {}", s.service)),
        ),
        ("Circumstances", answer("circumstances")),
    ];
    match duty {
        Duty::CqcDeathNotification => {
            what.push(("Death expected", yes_no_text(a.death_expected)));
            what.push((
                "During the regulated activity",
                yes_no_text(a.occurred_during_regulated_activity),
            ));
        }
        Duty::CqcSeriousInjuryNotification => {
            if let Some(o) = &a.hcp_opinion {
                what.push((
                    "Health care professional's opinion",
                    format!(
                        "{} ({}), {}: {}",
                        o.name,
                        o.role,
                        crate::display::date_time(o.given_at),
                        if o.outcomes.is_empty() {
                            "none of the serious injury outcomes".to_owned()
                        } else {
                            o.outcomes
                                .iter()
                                .map(|x| x.label())
                                .collect::<Vec<_>>()
                                .join("; ")
                        }
                    ),
                ));
            }
            if let Some(c) = a.pressure_ulcer_category {
                what.push(("Pressure ulcer", c.label().to_owned()));
            }
        }
        Duty::CqcAbuseNotification => {
            what.push((
                "The person is",
                a.abuse_role
                    .map(|r| r.label().to_owned())
                    .unwrap_or_default(),
            ));
            what.push((
                "Type of abuse",
                a.abuse_type
                    .map(|t| t.label().to_owned())
                    .unwrap_or_default(),
            ));
            what.push(("Police involved", yes_no_text(a.police_involved)));
        }
        Duty::CqcDolsNotification => {
            what.push((
                "Outcome",
                a.dols_outcome
                    .map(|o| o.label().to_owned())
                    .unwrap_or_default(),
            ));
        }
        Duty::CqcServiceDisruptionNotification => {
            what.push((
                "The event",
                a.service_disruption
                    .map(|o| o.label().to_owned())
                    .unwrap_or_default(),
            ));
        }
        _ => {}
    }
    out.push(DraftSection {
        heading: "What happened",
        lines: what,
    });
    if asks_about_risk(duty) {
        out.push(DraftSection {
            heading: "Risk known beforehand",
            lines: vec![
                ("Known to be at risk of this", answer("known_at_risk")),
                ("Risk assessment in place", answer("risk_assessment")),
                (
                    if duty == Duty::CqcAbuseNotification {
                        "Protection plan in place"
                    } else {
                        "Plan to reduce the risk"
                    },
                    answer("plan"),
                ),
            ],
        });
    }
    out.push(DraftSection {
        heading: "Immediate actions",
        lines: vec![
            ("About the staff involved", answer("actions_staff")),
            ("To keep this person safe", answer("actions_person")),
            ("To keep others safe", answer("actions_others")),
        ],
    });
    out
}

/// Which CQC form a notification uses.
pub fn cqc_form(duty: Duty) -> &'static str {
    match duty {
        Duty::CqcDeathNotification => "Death of a person using the service (regulation 16)",
        Duty::CqcSeriousInjuryNotification => "Serious injury (regulation 18(2)(a)–(b))",
        Duty::CqcAbuseNotification => "Abuse or allegation of abuse (regulation 18(2)(e))",
        Duty::CqcPoliceNotification => {
            "Incident reported to or investigated by the police (regulation 18(2)(f))"
        }
        Duty::CqcDolsNotification => {
            "Outcome of a DoLS or Court of Protection application (regulation 18(2)(c)–(d))"
        }
        Duty::CqcServiceDisruptionNotification => {
            "Event that stops, or may stop, the service running safely (regulation 18(2)(g))"
        }
        _ => "",
    }
}

/// Whether a duty is a CQC notification.
pub fn is_cqc(duty: Duty) -> bool {
    !cqc_form(duty).is_empty()
}

/// The fields HSE's online form asks for, from the record.
pub fn riddor_draft(s: &DraftSource<'_>, decision: &Decision) -> Vec<DraftSection> {
    let a = s.assessment;
    let person = a
        .person_type
        .map(|p| p.label().to_owned())
        .unwrap_or_default();
    vec![
        DraftSection {
            heading: "Report",
            lines: vec![
                (
                    "Kind of report",
                    decision
                        .riddor_kind
                        .map(|k| k.label().to_owned())
                        .unwrap_or_default(),
                ),
                (
                    "Due by",
                    decision
                        .due_at
                        .map(crate::display::date_time)
                        .unwrap_or_default(),
                ),
                ("Our reference", s.reference.to_owned()),
            ],
        },
        DraftSection {
            heading: "The injured person",
            lines: vec![
                ("Who they are", person),
                (
                    "Identifier in our records",
                    s.person_code.unwrap_or_default().to_owned(),
                ),
                (
                    "Name and contact details",
                    "HSE's form asks for these: take them from the person's record when you submit; Candour does not copy them into drafts".to_owned(),
                ),
            ],
        },
        DraftSection {
            heading: "The accident",
            lines: vec![
                ("Date and time", crate::display::date_time(s.occurred_at)),
                (
                    "Where",
                    s.area
                        .map_or_else(|| s.service.to_owned(), |x| format!("{x}, {}", s.service)),
                ),
                ("What happened", s.description.trim().to_owned()),
                (
                    "Specified injury",
                    a.specified_injury
                        .map(|x| x.label().to_owned())
                        .unwrap_or_default(),
                ),
                (
                    "Days unable to do normal work",
                    a.days_incapacitated.map(|d| d.to_string()).unwrap_or_default(),
                ),
                (
                    "Taken straight to hospital for treatment",
                    yes_no_text(a.taken_to_hospital_for_treatment),
                ),
                (
                    "Occupational disease",
                    a.occupational_disease
                        .map(|x| x.label().to_owned())
                        .unwrap_or_default(),
                ),
                (
                    "Dangerous occurrence",
                    a.dangerous_occurrence
                        .map(|x| x.label().to_owned())
                        .unwrap_or_default(),
                ),
            ],
        },
        DraftSection {
            heading: "Why it is work-related",
            lines: vec![(
                "Rationale",
                a.work_related_rationale.clone().unwrap_or_default(),
            )],
        },
    ]
}

/// A draft as plain text to copy into a regulator's form.
pub fn draft_text(sections: &[DraftSection]) -> String {
    let mut out = String::new();
    for s in sections {
        out.push_str(s.heading);
        out.push('\n');
        for (label, value) in &s.lines {
            out.push_str(label);
            out.push_str(": ");
            out.push_str(if value.is_empty() {
                "[to be written]"
            } else {
                value
            });
            out.push('\n');
        }
        out.push('\n');
    }
    out.trim_end().to_owned()
}

/// The written notification, generated from what was said in person (or
/// the attempts to reach them); the manager edits it before sending.
pub fn candour_letter(service: &str, occurred_at: Timestamp, steps: &[Step]) -> String {
    let told = steps.iter().find_map(|s| match s {
        Step::InPerson {
            at,
            by,
            whom,
            facts,
            apology,
            enquiries,
            support,
        } => Some((*at, by, whom, facts, apology, enquiries, support)),
        _ => None,
    });
    let day = crate::display::date(occurred_at);
    match told {
        Some((at, by, whom, facts, apology, enquiries, support)) => {
            let mut l = format!(
                "Dear {whom},\n\nWe are writing, as we said we would, to follow up our conversation on {} about what happened on {day} at {service}. {by} spoke with you then.\n\nWhat we know happened\n{facts}\n\nOur apology\n{apology}\n\nWhat we are doing to find out more\n{enquiries}\n",
                crate::display::date(at),
            );
            if !support.is_empty() {
                l.push_str(&format!("\nSupport for you\n{support}\n"));
            }
            l.push_str(&format!(
                "\nWe will tell you what our enquiries find. Please contact us at any time if you have questions.\n\nYours sincerely,\n\n{service}"
            ));
            l
        }
        None => format!(
            "Dear [name],\n\nWe tried to contact you to talk about what happened on {day} at {service}, and have not been able to speak with you, so we are writing instead.\n\nWhat we know happened\n[the facts known]\n\nOur apology\n[an apology]\n\nWhat we are doing to find out more\n[further enquiries]\n\nWe would like to talk with you. Please contact us at any time.\n\nYours sincerely,\n\n{service}"
        ),
    }
}

#[cfg(test)]
#[path = "duty_tasks_tests.rs"]
mod tests;

/// Who hears about a duty not yet done, and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DutyAlert {
    /// Half the time to the deadline has gone: remind the registered manager.
    Reminder,
    /// Past the deadline: each level as the escalation reaches it.
    Overdue(crate::escalation::Level),
}

impl DutyAlert {
    /// The stable code stored with each alert sent.
    pub fn code(self) -> &'static str {
        match self {
            DutyAlert::Reminder => "reminder",
            DutyAlert::Overdue(l) => l.code(),
        }
    }
}

/// The alerts a duty still to be done has reached by `now`: a reminder once
/// half the time from `start` (when the service became aware) to `due` has
/// gone, then, once past `due`, the breach escalation's levels (registered
/// manager at once, regional manager after a working day, head of
/// operations after two).
pub fn alerts_reached(
    cal: &crate::calendar::Calendar,
    start: Timestamp,
    due: Timestamp,
    now: Timestamp,
) -> Vec<DutyAlert> {
    let window = due.duration_since(start);
    let halfway = if window.is_negative() {
        start
    } else {
        start.checked_add(window / 2).unwrap_or(due)
    };
    let mut out = Vec::new();
    if now >= halfway {
        out.push(DutyAlert::Reminder);
    }
    if now > due {
        out.extend(
            crate::escalation::levels_reached(cal, due, now)
                .into_iter()
                .map(DutyAlert::Overdue),
        );
    }
    out
}
