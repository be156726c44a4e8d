//! The CQC evidence pack for "Learning culture": for one service and a
//! period, one ZIP with an index (HTML and PDF) mapping each file to the
//! quality statement's subtopics, and each register as CSV and PDF: the
//! incident and near-miss log, a sample of incidents followed end to end,
//! investigations, the improvement plan, the safety-alert log, statutory
//! notifications, duty of candour records, lessons-learned meetings (and
//! their published minutes), lessons and who acknowledged them, and
//! learning logs. People using the service appear by internal code, and
//! their names are replaced by codes in free text too, unless the exporter
//! chooses names and says why; the export and that choice are audited.

use super::board_report::CHARTED;
use super::duties::{DutyRules, duties_of_many};
use super::lessons::lessons_reaching;
use super::{ActionError, ActionResult, Actor, Ctx, audit_now, service_where};
use crate::store::organisations::Service;
use crate::typeset::Typesetter;
use askama::Template;
use candour_domain::board::{Timeliness, share, timeliness};
use candour_domain::display;
use candour_domain::duties::{Duty, Verdict};
use candour_domain::evidence::{
    Candidate, PackDraft, PackRequest, SAMPLE_SIZE, Subtopic, redact, sample,
};
use candour_domain::ids::{IncidentId, PersonId, ServiceId};
use candour_domain::incident::{EventKind, IncidentStatus, london};
use candour_domain::investigation::investigation_reference;
use candour_domain::role::Permission;
use candour_domain::triage::{LearningResponse, PhysicalHarm, RiskBand};
use candour_pdf::{Job, Kind, PlainDocument, Row, Section};
use jiff::Timestamp;
use serde_json::json;
use std::collections::HashMap;
use std::io::Write;

/// One register of the pack: a CSV file and a PDF of the same rows.
#[derive(Debug, Clone)]
pub struct Register {
    /// The file name without extension, like `incidents`.
    pub file: &'static str,
    /// Its title.
    pub title: &'static str,
    /// What it shows, in a sentence.
    pub what: String,
    /// The subtopics it is evidence for.
    pub subtopics: &'static [Subtopic],
    /// Column headings.
    pub header: Vec<&'static str>,
    /// The rows.
    pub rows: Vec<Vec<String>>,
    /// Printed across the page.
    pub landscape: bool,
}

/// The pack, gathered.
#[derive(Debug, Clone)]
pub struct EvidencePack {
    /// The service.
    pub service: Service,
    /// What was asked for.
    pub request: PackRequest,
    /// Who made it, by name, and when.
    pub made: (String, Timestamp),
    /// The registers.
    pub registers: Vec<Register>,
    /// The sample, one section per incident.
    pub sample: Vec<Section>,
    /// Published minutes, one section per meeting.
    pub minutes: Vec<Section>,
}

/// How people using the service are written: by code, or name and code.
struct People {
    by_id: HashMap<PersonId, (String, String)>,
    names: bool,
    /// (name, code) of everyone who has used the service, for redaction.
    pairs: Vec<(String, String)>,
}

impl People {
    fn person(&self, id: PersonId) -> String {
        match self.by_id.get(&id) {
            Some((name, code)) if self.names => format!("{name} ({code})"),
            Some((_, code)) => code.clone(),
            None => "Someone from another service".to_owned(),
        }
    }

    /// Free text, with names replaced by codes unless the pack names people.
    fn text(&self, s: &str) -> String {
        if self.names {
            s.to_owned()
        } else {
            redact(s, &self.pairs)
        }
    }
}

fn short(s: &str, n: usize) -> String {
    let s = s.trim();
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        format!("{}…", s.chars().take(n).collect::<String>().trim_end())
    }
}

fn when(t: Option<Timestamp>) -> String {
    t.map(display::date_time).unwrap_or_default()
}

fn in_time(t: Timeliness) -> &'static str {
    match t {
        Timeliness::OnTime => "In time",
        Timeliness::Late => "Late",
        Timeliness::Overdue => "Overdue, not done",
        Timeliness::Open => "Not yet due",
    }
}

fn serious(g: Option<&crate::store::triage::CurrentGrading>) -> bool {
    g.is_some_and(|g| {
        matches!(g.physical_harm, PhysicalHarm::Severe | PhysicalHarm::Fatal)
            || g.risk_band == RiskBand::Extreme
            || g.learning_response == LearningResponse::SeriousInvestigation
    })
}

impl EvidencePack {
    /// The pack's file name, like `candour-evidence-alder-house-2025-12-01-to-2026-11-30.zip`.
    pub fn file_name(&self) -> String {
        let slug: String = self
            .service
            .name
            .to_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect::<String>()
            .split('-')
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join("-");
        format!(
            "candour-evidence-{slug}-{}-to-{}.zip",
            self.request.from, self.request.to
        )
    }

    fn period(&self) -> String {
        format!(
            "{} to {}",
            display::civil_date(self.request.from),
            display::civil_date(self.request.to)
        )
    }

    fn identified(&self) -> String {
        if self.request.names {
            format!(
                "People using the service are named beside their internal codes, as {} chose (reason recorded in the audit trail: {}).",
                self.made.0, self.request.reason
            )
        } else {
            "People using the service are identified by their internal codes; where staff wrote a person's name in free text, the code replaces it.".to_owned()
        }
    }

    /// Every file in the pack, in order.
    pub fn listing(&self) -> Vec<String> {
        let mut out = vec!["index.html".to_owned(), "index.pdf".to_owned()];
        for r in &self.registers {
            out.push(format!("{}.csv", r.file));
            out.push(format!("{}.pdf", r.file));
        }
        out.push("sample-end-to-end.pdf".to_owned());
        out.push("meeting-minutes.pdf".to_owned());
        out
    }

    /// The index: for each subtopic, the files that show it.
    pub fn index_sections(&self) -> Vec<Section> {
        let mut out = Vec::new();
        for topic in Subtopic::ALL {
            let mut rows: Vec<Row> = self
                .registers
                .iter()
                .filter(|r| r.subtopics.contains(&topic))
                .map(|r| {
                    Row(vec![
                        format!("{0}.csv, {0}.pdf", r.file),
                        r.title.to_owned(),
                        r.what.clone(),
                        r.rows.len().to_string(),
                    ])
                })
                .collect();
            if topic == Subtopic::OrganisationalLearning {
                rows.insert(
                    1,
                    Row(vec![
                        "sample-end-to-end.pdf".to_owned(),
                        "Incidents followed end to end".to_owned(),
                        "Up to five incidents of the period, serious ones first, each from report to triage, review, actions, whether they worked, feedback to the reporter and openness with the person.".to_owned(),
                        self.sample.len().to_string(),
                    ]),
                );
            }
            if topic == Subtopic::ContinuousImprovement {
                rows.insert(
                    1,
                    Row(vec![
                        "meeting-minutes.pdf".to_owned(),
                        "Published minutes".to_owned(),
                        "The minutes and decisions of each lessons-learned meeting of the period, as published.".to_owned(),
                        self.minutes.len().to_string(),
                    ]),
                );
            }
            out.push(Section {
                heading: topic.label().to_owned(),
                header: vec![
                    "File".into(),
                    "Evidence".into(),
                    "What it shows".into(),
                    "Records".into(),
                ],
                rows,
                empty: "No files.".into(),
                ..Section::default()
            });
        }
        out.push(Section {
            heading: "Not in this pack".into(),
            paragraphs: vec![
                "Complaints and compliments: Candour does not keep a complaints register yet; bring the service's own.".into(),
                "Supervision records: reflections in supervision are private to the member of staff and their supervisor, and are not exported.".into(),
                format!(
                    "Trends: the charts of {} are on the Trends page and in the monthly board report.",
                    CHARTED
                        .iter()
                        .map(|m| m.label().to_lowercase())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ],
            ..Section::default()
        });
        out
    }

    fn subtitle(&self) -> String {
        format!("{}, {}", self.service.name, self.period())
    }

    fn footer(&self) -> String {
        format!(
            "CQC evidence, {}, made {}",
            self.subtitle(),
            display::date(self.made.1)
        )
    }

    fn pdf(&self, typesetter: &Typesetter, doc: PlainDocument) -> ActionResult<Vec<u8>> {
        let today = self.made.1.to_zoned(london()).date();
        typesetter
            .typeset(&Job {
                today: crate::typeset::day_of(today),
                document: Kind::Plain(doc),
            })
            .map_err(|e| ActionError::Internal(anyhow::anyhow!(e)))
    }

    /// The index as a standalone HTML page.
    pub fn index_html(&self) -> ActionResult<String> {
        super::reports::rendered(
            IndexHtml {
                title: "Learning culture: evidence",
                subtitle: self.subtitle(),
                made: format!(
                    "Made by {} on {} (UK time) from Candour's records.",
                    self.made.0,
                    display::date_time(self.made.1)
                ),
                identified: self.identified(),
                sections: self.index_sections(),
            }
            .render(),
        )
    }

    /// The pack as a ZIP.
    pub fn zip(&self, typesetter: &Typesetter) -> ActionResult<Vec<u8>> {
        let io = |e: std::io::Error| ActionError::Internal(anyhow::anyhow!(e));
        let zerr = |e: zip::result::ZipError| ActionError::Internal(anyhow::anyhow!(e));
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let made = self.made.1.to_zoned(london());
        let stamp = zip::DateTime::from_date_and_time(
            u16::try_from(made.year()).unwrap_or(1980),
            u8::try_from(made.month()).unwrap_or(1),
            u8::try_from(made.day()).unwrap_or(1),
            u8::try_from(made.hour()).unwrap_or(0),
            u8::try_from(made.minute()).unwrap_or(0),
            u8::try_from(made.second()).unwrap_or(0),
        )
        .unwrap_or_default();
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .last_modified_time(stamp);
        let mut add = |name: &str, bytes: &[u8]| -> ActionResult<()> {
            w.start_file(name, opts).map_err(zerr)?;
            w.write_all(bytes).map_err(io)
        };
        add("index.html", self.index_html()?.as_bytes())?;
        add(
            "index.pdf",
            &self.pdf(
                typesetter,
                PlainDocument {
                title: "Learning culture: evidence".into(),
                subtitle: self.subtitle(),
                paragraphs: vec![
                    format!(
                        "Made by {} on {} (UK time) from Candour's records. Each register is a CSV file for a spreadsheet and a PDF of the same rows.",
                        self.made.0,
                        display::date_time(self.made.1)
                    ),
                    self.identified(),
                ],
                sections: self.index_sections(),
                landscape: false,
                footer: self.footer(),
            })?,
        )?;
        for r in &self.registers {
            let mut csv = candour_domain::csv::row(&r.header);
            for line in &r.rows {
                csv.push_str(&candour_domain::csv::row(line));
            }
            add(&format!("{}.csv", r.file), csv.as_bytes())?;
            add(
                &format!("{}.pdf", r.file),
                &self.pdf(
                    typesetter,
                    PlainDocument {
                        title: r.title.into(),
                        subtitle: self.subtitle(),
                        paragraphs: vec![r.what.clone(), self.identified()],
                        sections: vec![Section {
                            heading: r.title.into(),
                            header: r.header.iter().map(|h| (*h).to_owned()).collect(),
                            rows: r.rows.iter().map(|l| Row(l.clone())).collect(),
                            empty: "None in this period.".into(),
                            ..Section::default()
                        }],
                        landscape: r.landscape,
                        footer: self.footer(),
                    },
                )?,
            )?;
        }
        add(
            "sample-end-to-end.pdf",
            &self.pdf(
                typesetter,
                PlainDocument {
                title: "Incidents followed end to end".into(),
                subtitle: self.subtitle(),
                paragraphs: vec![
                    "Serious incidents first, then those that show most of the journey, spread across the period's months.".into(),
                    self.identified(),
                ],
                sections: if self.sample.is_empty() {
                    vec![Section {
                        heading: "No incidents".into(),
                        paragraphs: vec!["No incidents were reported in this period.".into()],
                        ..Section::default()
                    }]
                } else {
                    self.sample.clone()
                },
                landscape: false,
                footer: self.footer(),
            })?,
        )?;
        add(
            "meeting-minutes.pdf",
            &self.pdf(
                typesetter,
                PlainDocument {
                    title: "Lessons-learned meeting minutes".into(),
                    subtitle: self.subtitle(),
                    paragraphs: vec![self.identified()],
                    sections: if self.minutes.is_empty() {
                        vec![Section {
                            heading: "No published minutes".into(),
                            paragraphs: vec![
                                "No lessons-learned meeting of this period has published minutes."
                                    .into(),
                            ],
                            ..Section::default()
                        }]
                    } else {
                        self.minutes.clone()
                    },
                    landscape: false,
                    footer: self.footer(),
                },
            )?,
        )?;
        Ok(w.finish().map_err(zerr)?.into_inner())
    }
}

/// The index as HTML.
#[derive(Template)]
#[template(path = "evidence_index.html")]
struct IndexHtml {
    title: &'static str,
    subtitle: String,
    made: String,
    identified: String,
    sections: Vec<Section>,
}

/// The services the actor may make a pack for (those whose incidents they see).
pub async fn pack_services(ctx: &Ctx, actor: &Actor) -> ActionResult<Vec<Service>> {
    let services = super::services_where(ctx, actor, Permission::ViewIncidents).await?;
    if services.is_empty() {
        return Err(ActionError::Forbidden);
    }
    Ok(services)
}

/// Makes the pack for `service` and the period in `draft` as a ZIP, and
/// audits the export with the choice of codes or names (and why). Returns
/// the pack (for its file name and listing) and the ZIP's bytes.
pub async fn evidence_pack(
    ctx: &Ctx,
    actor: &Actor,
    service: ServiceId,
    draft: &PackDraft,
) -> ActionResult<(EvidencePack, Vec<u8>)> {
    let started = std::time::Instant::now();
    let pack = gather(ctx, actor, service, draft).await?;
    let gathered = started.elapsed();
    let typesetter = ctx.typesetter.clone();
    let (pack, zip) = tokio::task::spawn_blocking(move || pack.zip(&typesetter).map(|z| (pack, z)))
        .await
        .map_err(|e| ActionError::Internal(anyhow::anyhow!("the evidence pack stopped: {e}")))??;
    tracing::info!(
        gather_ms = gathered.as_millis(),
        total_ms = started.elapsed().as_millis(),
        bytes = zip.len(),
        "evidence pack made"
    );
    let mut tx = ctx.store.begin().await?;
    audit_now(
        ctx,
        &mut tx,
        actor,
        (
            "evidence_pack",
            &pack.service.service_id.to_string(),
            "evidence_pack.exported",
        ),
        &json!({
            "from": pack.request.from.to_string(),
            "to": pack.request.to.to_string(),
            "identify": if pack.request.names { "names" } else { "codes" },
            "reason": pack.request.reason,
            "files": pack.listing(),
        }),
    )
    .await?;
    tx.commit().await?;
    Ok((pack, zip))
}

/// Gathers the pack's records.
async fn gather(
    ctx: &Ctx,
    actor: &Actor,
    service: ServiceId,
    draft: &PackDraft,
) -> ActionResult<EvidencePack> {
    let service = service_where(ctx, actor, service, Permission::ViewIncidents).await?;
    let now = ctx.clock.now();
    let request = draft
        .validate(now.to_zoned(london()).date())
        .map_err(ActionError::Invalid)?;
    let org = actor.organisation_id;
    let start = |d: jiff::civil::Date| {
        london()
            .to_ambiguous_timestamp(d.to_datetime(jiff::civil::Time::midnight()))
            .compatible()
            .map_err(|e| ActionError::Internal(anyhow::anyhow!(e)))
    };
    let span = (
        start(request.from)?,
        start(
            request
                .to
                .tomorrow()
                .map_err(|e| ActionError::Internal(anyhow::anyhow!(e)))?,
        )?,
    );
    let in_span = |t: Timestamp| t >= span.0 && t < span.1;
    let everyone = ctx.store.people_of_service(org, service.service_id).await?;
    let people = People {
        by_id: everyone
            .iter()
            .map(|p| {
                (
                    p.person_id,
                    (p.display_name.clone(), p.internal_code.clone()),
                )
            })
            .collect(),
        names: request.names,
        pairs: everyone
            .iter()
            .map(|p| (p.display_name.clone(), p.internal_code.clone()))
            .collect(),
    };

    // Incidents, the sample, notifications and candour.
    let mut log = Vec::new();
    let mut notifications = Vec::new();
    let mut candour = Vec::new();
    let mut candidates = Vec::new();
    let mut incidents = Vec::new();
    let mut rules = DutyRules::of(ctx, org).await?;
    // Reports naming the person making the pack as alleged to have caused
    // harm do not exist for them, here as everywhere.
    let hidden = ctx.store.hidden_from(actor.user_id).await?;
    let ids: Vec<IncidentId> = ctx
        .store
        .incident_ids_reported(org, service.service_id, span)
        .await?
        .into_iter()
        .filter(|id| !hidden.contains(id))
        .collect();
    let order: HashMap<IncidentId, usize> =
        ids.iter().enumerate().map(|(n, id)| (*id, n)).collect();
    let only = HashMap::from([(service.service_id, service.clone())]);
    let mut decided = duties_of_many(ctx, org, &ids, &only, &mut rules).await?;
    decided.sort_by_key(|(i, _)| order.get(&i.incident_id).copied());
    for (i, view) in decided {
        let involved = ctx.store.involvements(i.incident_id).await?;
        let affected = involved
            .iter()
            .filter(|v| v.role == candour_domain::involvement::InvolvementRole::Affected)
            .map(|v| people.person(v.person_id))
            .collect::<Vec<_>>()
            .join("; ");
        let feedback = ctx.store.feedback(i.incident_id).await?;
        let actions = ctx.store.incident_actions(i.incident_id).await?;
        let g = i.grading.as_ref();
        log.push(vec![
            i.reference.to_string(),
            g.map_or(i.kind, |g| g.kind).label().to_owned(),
            g.map_or(i.category, |g| g.category).label().to_owned(),
            display::date_time(i.occurred_at),
            display::date_time(i.reported_at),
            i.area_name.clone().unwrap_or_default(),
            affected,
            people.text(&short(&i.description, 200)),
            g.map(|g| g.physical_harm.label().to_owned())
                .unwrap_or_default(),
            g.map(|g| format!("{} ({})", g.risk_score, g.risk_band.label()))
                .unwrap_or_default(),
            g.map(|g| g.learning_response.label().to_owned())
                .unwrap_or_default(),
            when(g.map(|g| g.triaged_at)),
            i.status.label().to_owned(),
            when(i.closed_at),
            when(
                feedback
                    .iter()
                    .map(|f| f.created_at_ms)
                    .min()
                    .and_then(|ms| Timestamp::from_millisecond(ms).ok()),
            ),
        ]);
        candidates.push(Candidate {
            number: i.reference.0,
            month: i
                .reported_at
                .to_zoned(london())
                .strftime("%Y-%m")
                .to_string(),
            serious: serious(g),
            closed: i.status == IncidentStatus::Closed,
            has_actions: !actions.is_empty(),
            feedback: !feedback.is_empty(),
            near_miss: g.map_or(i.kind, |g| g.kind) == EventKind::NearMiss,
        });
        let openness = ctx.store.openness(i.incident_id).await?;
        for d in &view.decisions {
            // Only duties in force: every incident has a few that still
            // need information, which are the reviewer's to-do, not evidence.
            let verdict = view.verdict(d.duty);
            if verdict != Verdict::Required {
                continue;
            }
            let p = view.progress(d.duty);
            let line = vec![
                i.reference.to_string(),
                d.duty.label().to_owned(),
                when(d.due_at),
                when(p.done_at),
                in_time(timeliness(d.due_at, p.done_at, now)).to_owned(),
            ];
            if d.duty == Duty::DutyOfCandour {
                let told = openness.iter().find_map(|o| match &o.record {
                    candour_domain::openness::Openness::Told { at, apology, .. } => {
                        Some((*at, *apology))
                    }
                    candour_domain::openness::Openness::NotTold { .. } => None,
                });
                let mut line = line;
                line.push(when(told.map(|t| t.0)));
                line.push(
                    match told {
                        Some((_, true)) => "Yes",
                        Some((_, false)) => "No",
                        None => "",
                    }
                    .to_owned(),
                );
                candour.push(line);
            } else {
                notifications.push(line);
            }
        }
        incidents.push((i, involved, feedback, actions, openness));
    }
    let chosen = sample(&candidates, SAMPLE_SIZE);
    let mut sample_sections = Vec::new();
    for k in chosen {
        let (i, _, feedback, actions, openness) = &incidents[k];
        let g = i.grading.as_ref();
        let mut steps: Vec<Row> = vec![Row(vec![
            "Reported".into(),
            display::date_time(i.reported_at),
            format!(
                "{} ({}), happened {}",
                i.kind.label(),
                i.category.label(),
                display::date_time(i.occurred_at)
            ),
        ])];
        match g {
            Some(g) => steps.push(Row(vec![
                "Triaged".into(),
                display::date_time(g.triaged_at),
                format!(
                    "{}; {}; risk {} ({}); {}",
                    g.physical_harm.label(),
                    g.psychological_harm.label(),
                    g.risk_score,
                    g.risk_band.label(),
                    g.learning_response.label()
                ),
            ])),
            None => steps.push(Row(vec![
                "Triaged".into(),
                String::new(),
                "Not triaged yet".into(),
            ])),
        }
        if let Some(v) = ctx.store.incident_investigation(i.incident_id).await? {
            steps.push(Row(vec![
                "Investigated".into(),
                display::date_time(v.opened.1),
                format!(
                    "{}: {}{}",
                    investigation_reference(v.number),
                    v.status.label(),
                    if v.findings.findings.trim().is_empty() {
                        String::new()
                    } else {
                        format!(
                            ". Found: {}",
                            people.text(&short(&v.findings.findings, 400))
                        )
                    }
                ),
            ]));
        }
        for a in actions {
            steps.push(Row(vec![
                "Action".into(),
                format!("Due {}", display::civil_date(a.due_on)),
                format!(
                    "{}: {} ({}{}){}",
                    candour_domain::improvement::action_reference(a.number),
                    people.text(&a.title),
                    a.status.label(),
                    a.completed_at
                        .map(|t| format!(" {}", display::date(t)))
                        .unwrap_or_default(),
                    match &a.effectiveness {
                        Some((e, note, at)) => format!(
                            ". Checked {}: {}{}",
                            display::date(*at),
                            e.label(),
                            if note.trim().is_empty() {
                                String::new()
                            } else {
                                format!(" ({})", people.text(note.trim()))
                            }
                        ),
                        None => ". Not checked yet".to_owned(),
                    }
                ),
            ]));
        }
        steps.push(Row(vec![
            "Reviewed".into(),
            when(i.closed_at),
            if i.status == IncidentStatus::Closed {
                "Signed off and closed".to_owned()
            } else {
                format!("{} (not closed yet)", i.status.label())
            },
        ]));
        for f in feedback {
            steps.push(Row(vec![
                "Feedback to the reporter".into(),
                display::date_time_ms(f.created_at_ms),
                people.text(&short(&f.body, 400)),
            ]));
        }
        for o in openness {
            steps.push(Row(vec![
                "Openness".into(),
                display::date_time(o.recorded_at),
                match &o.record {
                    candour_domain::openness::Openness::Told { at, apology, .. } => format!(
                        "The person or family were told on {}{}",
                        display::date(*at),
                        if *apology { ", with an apology" } else { "" }
                    ),
                    candour_domain::openness::Openness::NotTold { reason } => {
                        format!("Not told yet: {}", people.text(reason))
                    }
                },
            ]));
        }
        sample_sections.push(Section {
            heading: format!(
                "{}: {}, {}",
                i.reference,
                g.map_or(i.category, |g| g.category).label(),
                display::date(i.reported_at)
            ),
            paragraphs: vec![
                format!("What happened: {}", people.text(i.description.trim())),
                format!(
                    "What was done at once: {}",
                    people.text(i.immediate_actions.trim())
                ),
            ],
            header: vec!["Step".into(), "When".into(), "What".into()],
            rows: steps,
            empty: String::new(),
        });
    }

    // Investigations opened or still open in the period.
    let investigations: Vec<Vec<String>> = ctx
        .store
        .investigations(org, &[service.service_id])
        .await?
        .into_iter()
        .filter(|v| v.opened.1 < span.1 && v.completed.as_ref().is_none_or(|c| c.1 >= span.0))
        .map(|v| {
            vec![
                investigation_reference(v.number),
                v.incident_reference.to_string(),
                display::date(v.opened.1),
                display::date(v.due_at),
                v.status.label().to_owned(),
                v.completed
                    .as_ref()
                    .map(|c| display::date(c.1))
                    .unwrap_or_default(),
                people.text(&short(&v.findings.findings, 300)),
            ]
        })
        .collect();

    // The improvement plan: actions open during the period.
    let actions = ctx.store.service_actions(org, service.service_id).await?;
    let plan: Vec<Vec<String>> = super::about_staff::without_hidden_actions(ctx, actor, actions)
        .await?
        .into_iter()
        .filter(|a| a.status.is_open() || a.completed_at.is_some_and(|t| t >= span.0))
        .map(|a| {
            vec![
                candour_domain::improvement::action_reference(a.number),
                people.text(&a.title),
                a.owner.1.clone(),
                display::civil_date(a.due_on),
                a.status.label().to_owned(),
                if a.in_plan { "Yes" } else { "No" }.to_owned(),
                a.themes
                    .iter()
                    .map(|t| t.label())
                    .collect::<Vec<_>>()
                    .join("; "),
                when(a.completed_at),
                a.effectiveness
                    .as_ref()
                    .map(|(e, _, _)| e.label().to_owned())
                    .unwrap_or_default(),
                a.incidents
                    .iter()
                    .map(|(_, n)| candour_domain::incident::IncidentReference(*n).to_string())
                    .collect::<Vec<_>>()
                    .join("; "),
            ]
        })
        .collect();

    // Safety alerts received in the period or still open.
    let today = now.to_zoned(london()).date();
    let alerts: Vec<Vec<String>> = ctx
        .store
        .alerts(org, false)
        .await?
        .into_iter()
        .filter(|a| {
            let status = candour_domain::alerts::status(a.progress(), a.deadline, today);
            a.received_on <= request.to && (a.received_on >= request.from || !status.is_closed())
        })
        .map(|a| {
            let status = candour_domain::alerts::status(a.progress(), a.deadline, today);
            vec![
                a.reference.clone(),
                a.kind.label().to_owned(),
                a.title.clone(),
                display::civil_date(a.received_on),
                a.deadline.map(display::civil_date).unwrap_or_default(),
                match &a.decision {
                    Some((true, why, _, _)) => format!("Relevant: {why}"),
                    Some((false, why, _, _)) => format!("Not relevant: {why}"),
                    None => String::new(),
                },
                a.staff_told
                    .as_ref()
                    .map(|(how, on)| format!("{} ({how})", display::civil_date(*on)))
                    .unwrap_or_default(),
                status.label().to_owned(),
                when(a.signed_off.as_ref().map(|s| s.1)),
            ]
        })
        .collect();

    // Meetings held in the period, and their published minutes.
    let mut meetings = Vec::new();
    let mut minutes = Vec::new();
    let mut list = ctx.store.learning_meetings(org, service.service_id).await?;
    list.retain(|m| in_span(m.starts_at));
    list.sort_by_key(|m| m.starts_at);
    for m in list {
        let attendees = ctx.store.attendees(m.meeting_id).await?;
        let named = |how: &str| {
            attendees
                .iter()
                .filter(|a| a.attendance == how)
                .map(|a| format!("{} ({})", a.name, a.role))
                .collect::<Vec<_>>()
                .join("; ")
        };
        meetings.push(vec![
            display::date_time(m.starts_at),
            m.kind.label().to_owned(),
            m.chair.clone(),
            named("in_person"),
            named("online"),
            named("apologies"),
            when(m.published.as_ref().map(|p| p.0)),
        ]);
        if m.published.is_some() {
            minutes.push(Section {
                heading: format!("{}, {}", m.kind.label(), display::date_time(m.starts_at)),
                paragraphs: vec![
                    format!(
                        "Chair: {}. Present in person: {}. Online: {}. Apologies: {}.",
                        m.chair,
                        named("in_person"),
                        named("online"),
                        named("apologies")
                    ),
                    format!("Minutes: {}", people.text(m.minutes.trim())),
                    format!("Decisions: {}", people.text(m.decisions.trim())),
                ],
                ..Section::default()
            });
        }
    }

    // Lessons shared with the service in the period, and who read them.
    let staff = ctx.store.staff_with_grants(org).await?;
    let staff_name: HashMap<_, _> = staff.iter().map(|(u, n, _)| (*u, n.clone())).collect();
    let mut lessons = Vec::new();
    let mut acknowledgements = Vec::new();
    for l in lessons_reaching(ctx, org, &[service.service_id], span).await? {
        lessons.push(vec![
            display::date(l.lesson.published_at),
            people.text(&l.lesson.title),
            l.scope_name.clone(),
            if l.lesson.source_ref.trim().is_empty() {
                l.lesson.source.label().to_owned()
            } else {
                format!(
                    "{} ({})",
                    l.lesson.source.label(),
                    l.lesson.source_ref.trim()
                )
            },
            people.text(&short(&l.lesson.what_we_changed, 300)),
            share(
                u32::try_from(l.read).unwrap_or(u32::MAX),
                u32::try_from(l.asked).unwrap_or(u32::MAX),
            ),
        ]);
        for (u, at) in ctx.store.acknowledgements(l.lesson.lesson_id).await? {
            acknowledgements.push(vec![
                people.text(&l.lesson.title),
                staff_name.get(&u).cloned().unwrap_or_default(),
                display::date_time(at),
            ]);
        }
    }

    // Learning logs written in the period.
    let mut logs = Vec::new();
    for p in &everyone {
        for w in ctx.store.learning_logs(org, p.person_id).await? {
            if !in_span(w.at) {
                continue;
            }
            let r = &w.record;
            logs.push(vec![
                display::date_time(w.at),
                people.person(p.person_id),
                people.text(&r.activity),
                people.text(&r.tried),
                people.text(&r.worked),
                people.text(&r.did_not_work),
                people.text(&r.will_change),
                if r.changes_support { "Yes" } else { "No" }.to_owned(),
                w.by.clone(),
            ]);
        }
    }
    logs.sort_by(|a, b| a[0].cmp(&b[0]));

    use Subtopic::{
        ContinuousImprovement as Ci, DutyOfCandour as Dc, OrganisationalLearning as Ol,
    };
    let registers = vec![
        Register {
            file: "incidents",
            title: "Incident and near-miss log",
            what: "Every incident, near miss and example of good practice reported in the period, with its grading, learning response, when it was triaged and closed, and when the reporter heard back.".into(),
            subtopics: &[Ol],
            header: vec![
                "Reference", "Kind", "Category", "Happened", "Reported", "Area", "People affected",
                "What happened", "Physical harm", "Risk", "Learning response", "Triaged", "Status",
                "Closed", "Feedback to reporter",
            ],
            rows: log,
            landscape: true,
        },
        Register {
            file: "investigations",
            title: "Investigations and their outcomes",
            what: "Serious incident investigations open at any time in the period, with their due dates, status and findings.".into(),
            subtopics: &[Ol],
            header: vec!["Investigation", "Incident", "Opened", "Due", "Status", "Completed", "Findings"],
            rows: investigations,
            landscape: true,
        },
        Register {
            file: "improvement-plan",
            title: "Improvement plan",
            what: "Actions open in the period or completed in it: owner, due date, CQC themes, and whether each worked when checked.".into(),
            subtopics: &[Ol, Ci],
            header: vec![
                "Action", "What", "Owner", "Due", "Status", "In the plan", "CQC themes", "Completed",
                "Did it work", "From incidents",
            ],
            rows: plan,
            landscape: true,
        },
        Register {
            file: "safety-alerts",
            title: "Safety alert and guidance log",
            what: "Alerts and guidance received in the period or still open: relevance and why, how staff were told, status and senior sign-off.".into(),
            subtopics: &[Ol],
            header: vec![
                "Reference", "Kind", "Title", "Received", "Deadline", "Relevance", "Staff told",
                "Status", "Signed off",
            ],
            rows: alerts,
            landscape: true,
        },
        Register {
            file: "notifications",
            title: "Statutory notifications",
            what: "For the period's incidents, each notification required (CQC, RIDDOR, safeguarding, ICO), when it was due and done, and whether in time.".into(),
            subtopics: &[Ol, Dc],
            header: vec!["Incident", "Duty", "Due", "Done", "In time"],
            rows: notifications,
            landscape: false,
        },
        Register {
            file: "duty-of-candour",
            title: "Duty of candour records",
            what: "For the period's incidents where the duty of candour applies: when it was due and done, whether in time, when the person or family were told and whether an apology was given.".into(),
            subtopics: &[Dc],
            header: vec!["Incident", "Duty", "Due", "Done", "In time", "Told", "Apology"],
            rows: candour,
            landscape: true,
        },
        Register {
            file: "meetings",
            title: "Lessons-learned meetings and attendance",
            what: "Each lessons-learned meeting held in the period: who chaired, who attended in person or online, apologies, and when the minutes were published.".into(),
            subtopics: &[Ci],
            header: vec!["When", "Meeting", "Chair", "In person", "Online", "Apologies", "Minutes published"],
            rows: meetings,
            landscape: true,
        },
        Register {
            file: "lessons",
            title: "Lessons learned",
            what: "Lessons shared with the service's staff in the period: where each came from, what changed, and how many of those asked have read it.".into(),
            subtopics: &[Ol, Ci],
            header: vec!["Shared", "Lesson", "With", "From", "What we changed", "Read by"],
            rows: lessons,
            landscape: true,
        },
        Register {
            file: "lesson-acknowledgements",
            title: "Lesson acknowledgements",
            what: "Who acknowledged reading each lesson, and when.".into(),
            subtopics: &[Ci],
            header: vec!["Lesson", "Read by", "When"],
            rows: acknowledgements,
            landscape: false,
        },
        Register {
            file: "learning-logs",
            title: "Learning logs",
            what: "What staff tried in everyday support, what worked and what did not, and whether it changed the person's support.".into(),
            subtopics: &[Ci],
            header: vec![
                "Written", "Person", "Support or activity", "What we tried", "What worked",
                "What did not", "What we will change", "Changes support", "Written by",
            ],
            rows: logs,
            landscape: true,
        },
    ];

    Ok(EvidencePack {
        service,
        made: (actor.display_name.clone(), now),
        registers,
        sample: sample_sections,
        minutes,
        request,
    })
}
