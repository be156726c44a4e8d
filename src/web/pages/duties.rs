//! An incident's statutory duties: which apply, why and by when, and the
//! questions Candour still needs answered to decide the rest.

use super::incidents::parse_reference;
use crate::actions::ActionError;
use crate::actions::duties::{DutiesView, incident_duties, update_assessment};
use crate::web::AppState;
use crate::web::auth::{CsrfForm, CurrentUser};
use crate::web::error::{WebError, render};
use crate::web::layout::Layout;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use candour_domain::display;
use candour_domain::duties::{Ask, HcpOutcome, OPTIONAL_FACTS, Verdict, question};
use candour_domain::incident::{IncidentReference, london};
use candour_domain::validation::FieldErrors;
use serde_json::{Map, Value, json};

/// One duty, ready to show.
pub struct DutyLine {
    /// What the duty is.
    pub label: &'static str,
    /// `required`, `not_required` or `needs_information`.
    pub verdict: &'static str,
    /// The verdict in words.
    pub verdict_label: &'static str,
    /// Why.
    pub reason: String,
    /// When it is due, in words (empty if no deadline).
    pub due: String,
    /// The regulation.
    pub basis: &'static str,
    /// A manager's decision in force, in words (empty if none).
    pub manager: String,
    /// The duty's code.
    pub code: &'static str,
    /// For a duty required in force: `Done …` or `To do`; empty otherwise.
    pub progress: String,
}

/// A question, ready to show.
pub struct QuestionLine {
    /// The fact (and the field's name).
    pub fact: &'static str,
    /// The question.
    pub text: &'static str,
    /// `yes_no`, `choice`, `number` or `opinion`.
    pub kind: &'static str,
    /// For a choice: (code, label).
    pub options: Vec<(&'static str, &'static str)>,
    /// The problem with the answer, if any.
    pub error: Option<String>,
    /// The value recorded now (a code, or `yes`/`no`), for facts shown with their answer.
    pub current: String,
    /// For a date and time: the UK date recorded now.
    pub current_date: String,
    /// For a date and time: the UK time recorded now.
    pub current_time: String,
}

#[derive(Template)]
#[template(path = "duties.html")]
struct DutiesPage {
    layout: Layout,
    reference: String,
    version: i64,
    lines: Vec<DutyLine>,
    questions: Vec<QuestionLine>,
    optional: Vec<QuestionLine>,
    outcomes: Vec<(&'static str, &'static str)>,
    errors: FieldErrors,
    conflict: Option<String>,
    /// What was typed, kept when refused.
    typed: Vec<(String, String)>,
    can_decide: bool,
}

impl DutiesPage {
    /// What was typed for `name`.
    fn typed(&self, name: &str) -> String {
        self.typed
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    /// Whether an optional fact was refused (its section opens).
    fn optional_errors(&self) -> bool {
        self.optional.iter().any(|q| q.error.is_some())
    }

    /// Whether `value` was chosen for `name`.
    fn chose(&self, name: &str, value: &str) -> bool {
        self.typed.iter().any(|(k, v)| k == name && v == value)
    }
}

fn page(
    user: &CurrentUser,
    demo: bool,
    reference: IncidentReference,
    v: &DutiesView,
    errors: FieldErrors,
) -> DutiesPage {
    let mut facts: Vec<&'static str> = Vec::new();
    for d in &v.decisions {
        for f in &d.missing_facts {
            if !facts.contains(f) {
                facts.push(f);
            }
        }
    }
    let recorded = serde_json::to_value(&v.assessment).unwrap_or_default();
    let line = |q: candour_domain::duties::Question| {
        let (kind, options) = match q.ask {
            Ask::YesNo => ("yes_no", Vec::new()),
            Ask::Choice(o) => ("choice", o),
            Ask::Number(_) => ("number", Vec::new()),
            Ask::Opinion => ("opinion", Vec::new()),
            Ask::Instant => ("instant", Vec::new()),
        };
        let (current_date, current_time) = match recorded
            .get(q.fact)
            .and_then(Value::as_str)
            .and_then(|t| t.parse::<jiff::Timestamp>().ok())
        {
            Some(t) if kind == "instant" => {
                let z = t.to_zoned(london());
                (z.date().to_string(), z.time().strftime("%H:%M").to_string())
            }
            _ => (String::new(), String::new()),
        };
        QuestionLine {
            fact: q.fact,
            text: q.text,
            kind,
            options,
            error: errors.for_field(q.fact).map(str::to_owned),
            current: match recorded.get(q.fact) {
                Some(Value::Bool(b)) => if *b { "yes" } else { "no" }.to_owned(),
                Some(Value::String(c)) => c.clone(),
                _ => String::new(),
            },
            current_date,
            current_time,
        }
    };
    let optional = OPTIONAL_FACTS
        .iter()
        .filter_map(|f| question(f))
        .map(line)
        .collect();
    let questions = facts.into_iter().filter_map(question).map(line).collect();
    DutiesPage {
        layout: Layout::new(format!("Statutory duties of {reference}"), user, demo),
        reference: reference.to_string(),
        version: v.version,
        lines: v
            .decisions
            .iter()
            .map(|d| DutyLine {
                label: d.duty.label(),
                verdict: d.verdict.code(),
                verdict_label: d.verdict.label(),
                reason: d.reason.clone(),
                due: d
                    .due_at
                    .filter(|_| d.verdict == Verdict::Required)
                    .map(display::date_time)
                    .unwrap_or_default(),
                basis: d.basis,
                code: d.duty.code(),
                progress: if v.verdict(d.duty) == Verdict::Required {
                    v.progress(d.duty).done_at.map_or_else(
                        || "To do".to_owned(),
                        |t| format!("Done {}", display::date_time(t)),
                    )
                } else {
                    String::new()
                },
                manager: v
                    .manager(d.duty)
                    .map(|m| {
                        format!(
                            "{} {} it {} on {}{}",
                            m.by,
                            if m.verdict == m.engine_verdict {
                                "confirmed"
                            } else {
                                "decided"
                            },
                            m.verdict.label().to_lowercase(),
                            display::date_time(m.at),
                            if m.rationale.is_empty() {
                                String::new()
                            } else {
                                format!(": {}", m.rationale)
                            }
                        )
                    })
                    .unwrap_or_default(),
            })
            .collect(),
        can_decide: v.can_decide,
        questions,
        optional,
        outcomes: HcpOutcome::ALL
            .iter()
            .map(|o| (o.code(), o.label()))
            .collect(),
        errors,
        conflict: None,
        typed: Vec::new(),
    }
}

/// GET /incidents/{reference}/duties
pub async fn show_duties(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference): Path<String>,
) -> Result<Response, WebError> {
    let reference = parse_reference(&reference)?;
    let v = incident_duties(&state.ctx, &user.actor, reference).await?;
    Ok(render(&page(&user, state.demo, reference, &v, FieldErrors::new()))?.into_response())
}

/// The answers typed, as a partial update; blank answers are left out.
fn patch_from(form: &CsrfForm, errors: &mut FieldErrors) -> Map<String, Value> {
    let mut patch = Map::new();
    for fact in [
        "person_type",
        "died",
        "death_natural_course",
        "occurred_during_regulated_activity",
        "may_have_resulted_from_care",
        "unintended_or_unexpected",
        "abuse_alleged",
        "abuse_role",
        "police_involved",
        "accident",
        "work_related",
        "taken_to_hospital_for_treatment",
        "accident_at_hospital",
        "days_incapacitated",
        "adult_has_care_and_support_needs",
        "experiencing_or_at_risk_of_abuse_or_neglect",
        "unable_to_protect_self",
        "personal_data_breach",
        "breach_risk_to_individuals",
    ] {
        let typed = form.get(fact);
        let typed = typed.trim();
        if typed.is_empty() {
            continue;
        }
        let value = match question(fact).map(|q| q.ask) {
            Some(Ask::YesNo) => json!(typed == "yes"),
            Some(Ask::Number(max)) => match typed.parse::<u32>() {
                Ok(n) if n <= max => json!(n),
                _ => {
                    errors.add(fact, format!("Enter a whole number from 0 to {max}"));
                    continue;
                }
            },
            _ => json!(typed),
        };
        patch.insert(fact.to_owned(), value);
    }
    // The optional facts' section sends every one of its fields: a choice
    // left blank means none (these describe events that happened or not).
    for fact in OPTIONAL_FACTS {
        if question(fact).is_some_and(|q| q.ask == Ask::Instant) {
            let (date, time) = (
                form.get(&format!("{fact}_date")),
                form.get(&format!("{fact}_time")),
            );
            if !form
                .pairs()
                .iter()
                .any(|(k, _)| *k == format!("{fact}_date"))
            {
                continue;
            }
            let value = match (date.trim(), time.trim()) {
                ("", "") => Value::Null,
                (d, t) => match (
                    d.parse::<jiff::civil::Date>(),
                    t.parse::<jiff::civil::Time>(),
                ) {
                    (Ok(d), Ok(t)) => match london()
                        .to_ambiguous_timestamp(d.to_datetime(t))
                        .compatible()
                    {
                        Ok(at) => json!(at.to_string()),
                        Err(_) => {
                            errors.add(fact, "Enter a date and time that exists in UK time");
                            continue;
                        }
                    },
                    _ => {
                        errors.add(
                            fact,
                            "Enter both the date and the time, like 23/11/2026 14:30",
                        );
                        continue;
                    }
                },
            };
            patch.insert((*fact).to_owned(), value);
            continue;
        }
        if !form.pairs().iter().any(|(k, _)| k == fact) {
            continue;
        }
        let typed = form.get(fact);
        let typed = typed.trim();
        let value = match (question(fact).map(|q| q.ask), typed) {
            (Some(Ask::YesNo), "") => continue,
            (Some(Ask::YesNo), t) => json!(t == "yes"),
            (_, "") => Value::Null,
            (_, t) => json!(t),
        };
        patch.insert((*fact).to_owned(), value);
    }
    let (name, role, date, time) = (
        form.get("hcp_name"),
        form.get("hcp_role"),
        form.get("hcp_date"),
        form.get("hcp_time"),
    );
    if [&name, &role, &date, &time]
        .iter()
        .any(|v| !v.trim().is_empty())
    {
        let at = match (
            date.trim().parse::<jiff::civil::Date>(),
            time.trim().parse::<jiff::civil::Time>(),
        ) {
            (Ok(d), Ok(t)) => london()
                .to_ambiguous_timestamp(d.to_datetime(t))
                .compatible()
                .ok(),
            _ => None,
        };
        match at {
            None => errors.add(
                "hcp_opinion",
                "Enter the date and time the health care professional gave their opinion",
            ),
            Some(at) => {
                patch.insert(
                    "hcp_opinion".to_owned(),
                    json!({
                        "name": name.trim(),
                        "role": role.trim(),
                        "given_at": at.to_string(),
                        "outcomes": form.all("hcp_outcomes"),
                    }),
                );
            }
        }
    }
    patch
}

/// POST /incidents/{reference}/duties: records the answers.
pub async fn record_facts(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference): Path<String>,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let reference = parse_reference(&reference)?;
    let version: i64 = form.get("version").parse().unwrap_or(-1);
    let mut errors = FieldErrors::new();
    let patch = patch_from(&form, &mut errors);
    let result = if errors.is_empty() {
        update_assessment(&state.ctx, &user.actor, reference, &patch, version).await
    } else {
        Err(ActionError::Invalid(errors))
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/incidents/{reference}/duties")).into_response()),
        Err(ActionError::Invalid(errors)) => {
            let v = incident_duties(&state.ctx, &user.actor, reference).await?;
            let mut p = page(&user, state.demo, reference, &v, errors);
            p.typed = form.pairs().to_vec();
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)?).into_response())
        }
        Err(ActionError::Conflict(m)) => {
            let v = incident_duties(&state.ctx, &user.actor, reference).await?;
            let mut p = page(&user, state.demo, reference, &v, FieldErrors::new());
            p.conflict = Some(m);
            Ok((StatusCode::CONFLICT, render(&p)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// POST /incidents/{reference}/duties/decision: a manager's own decision.
pub async fn record_decision(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference): Path<String>,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let reference = parse_reference(&reference)?;
    let fields = (form.get("duty"), form.get("verdict"), form.get("rationale"));
    match crate::actions::duties::decide_duty(
        &state.ctx,
        &user.actor,
        reference,
        (&fields.0, &fields.1, &fields.2),
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/incidents/{reference}/duties")).into_response()),
        Err(ActionError::Invalid(errors)) => {
            let v = incident_duties(&state.ctx, &user.actor, reference).await?;
            let mut p = page(&user, state.demo, reference, &v, errors);
            p.typed = form.pairs().to_vec();
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
