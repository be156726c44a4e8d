//! The organisation's settings, for administrators: timescales, risk
//! bands, who is on call, non-working days and contributory factors.

use crate::actions::ActionError;
use crate::actions::investigations::{add_local_factor, factor_settings, retire_factor};
use crate::actions::settings::{
    add_non_working_day, organisation_settings, remove_non_working_day, save_band_edges,
    save_chart_settings, save_duty_settings, save_retention, save_risk_rules, save_timescales,
    set_on_call,
};
use crate::web::AppState;
use crate::web::auth::{CsrfForm, CurrentUser};
use crate::web::error::{WebError, render};
use crate::web::layout::Layout;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use candour_domain::display;
use candour_domain::incident::Category;
use candour_domain::investigation::Framework;
use candour_domain::organisation::Nation;
use candour_domain::retention::RetentionDraft;
use candour_domain::risk_flags::RiskRulesDraft;
use candour_domain::settings::{BandEdgesDraft, DutySettingsDraft, ExtraDayDraft, TimescalesDraft};
use candour_domain::validation::FieldErrors;

/// A nation's calendar, ready to show.
pub struct CalendarLine {
    /// Nation code.
    pub code: &'static str,
    /// Its name.
    pub name: &'static str,
    /// Shipped bank holidays in the coming year.
    pub shipped: Vec<String>,
    /// Added days: (ISO date, date in words, name).
    pub added: Vec<(String, String, String)>,
}

/// A category's own timescales, ready to show.
pub struct CategoryLine {
    /// Code.
    pub code: String,
    /// Label.
    pub label: String,
    /// Triage days as typed.
    pub triage: String,
    /// Review days as typed.
    pub review: String,
    /// The problem with the triage days, if any.
    pub triage_error: Option<String>,
    /// The problem with the review days, if any.
    pub review_error: Option<String>,
}

/// A region's on-call senior manager, ready to show.
pub struct OnCallLine {
    /// Region id.
    pub region_id: String,
    /// Region name.
    pub name: String,
    /// (user id, name, selected); the first option is "nobody".
    pub options: Vec<(String, String, bool)>,
}

impl OnCallLine {
    /// The select's id and name.
    pub fn field(&self) -> String {
        format!("on_call-{}", self.region_id)
    }
}

/// A factor, ready to show.
pub struct FactorLine {
    /// Code.
    pub code: String,
    /// Label.
    pub label: String,
    /// Framework name.
    pub framework: &'static str,
    /// Whether it is retired.
    pub retired: bool,
}

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    layout: Layout,
    form: &'static str,
    errors: FieldErrors,
    timescales: TimescalesDraft,
    categories: Vec<CategoryLine>,
    bands: BandEdgesDraft,
    calendars: Vec<CalendarLine>,
    nations: Vec<(&'static str, &'static str)>,
    day: ExtraDayDraft,
    factors: Vec<FactorLine>,
    factor_label: String,
    on_call: Vec<OnCallLine>,
    duties: DutySettingsDraft,
    retention: RetentionDraft,
    risk: RiskRulesDraft,
    charts: candour_domain::spc::ChartSettingsDraft,
    speak_up: candour_domain::speaking_up::SpeakUpSettingsDraft,
    /// Who may be the board designate: (value, name, chosen), nobody first.
    designates: Vec<(String, String, bool)>,
}

async fn page(state: &AppState, user: &CurrentUser) -> Result<SettingsPage, WebError> {
    let v = organisation_settings(&state.ctx, &user.actor).await?;
    let factors = factor_settings(&state.ctx, &user.actor)
        .await?
        .into_iter()
        .map(|(f, retired)| FactorLine {
            code: f.code,
            label: f.label,
            framework: Framework::label(f.framework),
            retired,
        })
        .collect();
    let mut p = SettingsPage {
        layout: Layout::new("Organisation settings", user, state.demo),
        form: "",
        errors: FieldErrors::new(),
        timescales: TimescalesDraft::from_settings(&v.timescales),
        categories: Vec::new(),
        bands: BandEdgesDraft::from_settings(v.bands),
        calendars: v
            .calendars
            .into_iter()
            .map(|(n, shipped, added)| CalendarLine {
                code: n.code(),
                name: n.label(),
                shipped: shipped.into_iter().map(display::civil_date).collect(),
                added: added
                    .into_iter()
                    .map(|(d, l)| (d.to_string(), display::civil_date(d), l))
                    .collect(),
            })
            .collect(),
        nations: Nation::ALL.iter().map(|n| (n.code(), n.label())).collect(),
        day: ExtraDayDraft::default(),
        factors,
        factor_label: String::new(),
        duties: DutySettingsDraft::from_settings(v.duties),
        retention: RetentionDraft::from_settings(v.retention),
        risk: RiskRulesDraft::from_rules(&v.risk),
        charts: candour_domain::spc::ChartSettingsDraft::from_settings(v.charts),
        speak_up: candour_domain::speaking_up::SpeakUpSettingsDraft::from_settings(v.speak_up),
        designates: std::iter::once((
            String::new(),
            "Nobody named: quality assurance alone".to_owned(),
            v.designate.0.is_none(),
        ))
        .chain(
            v.designate
                .1
                .into_iter()
                .map(|(id, name)| (id.to_string(), name, v.designate.0 == Some(id))),
        )
        .collect(),
        on_call: v
            .on_call
            .into_iter()
            .map(|o| OnCallLine {
                region_id: o.region.region_id.to_string(),
                name: o.region.name,
                options: std::iter::once((
                    String::new(),
                    "Nobody named: alert the region's regional managers".to_owned(),
                    o.chosen.is_none(),
                ))
                .chain(
                    o.candidates
                        .into_iter()
                        .map(|(id, name)| (id.to_string(), name, o.chosen == Some(id))),
                )
                .collect(),
            })
            .collect(),
    };
    p.fill_categories();
    Ok(p)
}

impl SettingsPage {
    /// The timescale fields: (name, label, value).
    fn timescale_fields(&self) -> Vec<(&'static str, &'static str, String)> {
        let t = &self.timescales;
        vec![
            (
                "triage_working_days",
                "Working days to triage a report",
                t.triage_working_days.clone(),
            ),
            (
                "urgent_triage_hours",
                "Hours to triage a death, a safeguarding concern, or anything graded severe or extreme",
                t.urgent_triage_hours.clone(),
            ),
            (
                "review_low",
                "Working days to complete the review of a low-risk report",
                t.review_low.clone(),
            ),
            (
                "review_moderate",
                "Working days to complete the review of a moderate-risk report",
                t.review_moderate.clone(),
            ),
            (
                "review_high",
                "Working days to complete the review of a high-risk report",
                t.review_high.clone(),
            ),
            (
                "review_extreme",
                "Working days to complete the review of an extreme-risk report",
                t.review_extreme.clone(),
            ),
            (
                "investigation_working_days",
                "Working days to complete a serious incident investigation",
                t.investigation_working_days.clone(),
            ),
        ]
    }

    /// The band fields: (name, label, value).
    fn band_fields(&self) -> Vec<(&'static str, &'static str, String)> {
        let b = &self.bands;
        vec![
            (
                "moderate_from",
                "Lowest moderate score",
                b.moderate_from.clone(),
            ),
            ("high_from", "Lowest high score", b.high_from.clone()),
            (
                "extreme_from",
                "Lowest extreme score",
                b.extreme_from.clone(),
            ),
        ]
    }

    /// The per-category lines from the timescales draft, with their problems.
    fn fill_categories(&mut self) {
        let errors = &self.errors;
        self.categories = self
            .timescales
            .by_category
            .iter()
            .map(|(code, t, r)| CategoryLine {
                code: code.clone(),
                label: Category::parse(code)
                    .map_or(code.as_str(), |c| c.label())
                    .to_owned(),
                triage: t.clone(),
                review: r.clone(),
                triage_error: errors
                    .for_field(&format!("triage-{code}"))
                    .map(str::to_owned),
                review_error: errors
                    .for_field(&format!("review-{code}"))
                    .map(str::to_owned),
            })
            .collect();
    }
}

/// GET /settings
pub async fn show_settings(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, WebError> {
    Ok(render(&page(&state, &user).await?)?.into_response())
}

async fn after(
    state: &AppState,
    user: &CurrentUser,
    anchor: &str,
    result: Result<(), ActionError>,
    keep: impl FnOnce(&mut SettingsPage),
) -> Result<Response, WebError> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/settings#{anchor}")).into_response()),
        Err(ActionError::Invalid(errors)) => {
            let mut p = page(state, user).await?;
            p.errors = errors;
            keep(&mut p);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// POST /settings/timescales
pub async fn update_timescales(
    State(state): State<AppState>,
    user: CurrentUser,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let draft = TimescalesDraft {
        triage_working_days: form.get("triage_working_days"),
        urgent_triage_hours: form.get("urgent_triage_hours"),
        review_low: form.get("review_low"),
        review_moderate: form.get("review_moderate"),
        review_high: form.get("review_high"),
        review_extreme: form.get("review_extreme"),
        investigation_working_days: form.get("investigation_working_days"),
        by_category: Category::ALL
            .iter()
            .map(|c| {
                (
                    c.code().to_owned(),
                    form.get(&format!("triage-{}", c.code())),
                    form.get(&format!("review-{}", c.code())),
                )
            })
            .collect(),
    };
    let result = save_timescales(&state.ctx, &user.actor, &draft).await;
    after(&state, &user, "timescales", result, |p| {
        p.form = "timescales";
        p.timescales = draft;
        p.fill_categories();
    })
    .await
}

/// POST /settings/risk-bands
pub async fn update_bands(
    State(state): State<AppState>,
    user: CurrentUser,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let draft = BandEdgesDraft {
        moderate_from: form.get("moderate_from"),
        high_from: form.get("high_from"),
        extreme_from: form.get("extreme_from"),
    };
    let result = save_band_edges(&state.ctx, &user.actor, &draft).await;
    after(&state, &user, "bands", result, |p| {
        p.form = "bands";
        p.bands = draft;
    })
    .await
}

/// POST /settings/non-working-days
pub async fn add_day(
    State(state): State<AppState>,
    user: CurrentUser,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let draft = ExtraDayDraft {
        nation: form.get("nation"),
        day: form.get("day"),
        label: form.get("day_label"),
    };
    let result = add_non_working_day(&state.ctx, &user.actor, &draft).await;
    after(&state, &user, "calendar", result, |p| {
        p.form = "day";
        p.day = draft;
    })
    .await
}

/// POST /settings/non-working-days/remove
pub async fn remove_day(
    State(state): State<AppState>,
    user: CurrentUser,
    form: CsrfForm,
) -> Result<Response, WebError> {
    remove_non_working_day(
        &state.ctx,
        &user.actor,
        &form.get("nation"),
        &form.get("day"),
    )
    .await?;
    Ok(Redirect::to("/settings#calendar").into_response())
}

/// POST /settings/factors
pub async fn add_factor(
    State(state): State<AppState>,
    user: CurrentUser,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let label = form.get("label");
    let result = add_local_factor(&state.ctx, &user.actor, &label)
        .await
        .map(|_| ());
    after(&state, &user, "factors", result, |p| {
        p.form = "factor";
        p.factor_label = label;
    })
    .await
}

/// POST /settings/factors/retire
pub async fn set_factor_retired(
    State(state): State<AppState>,
    user: CurrentUser,
    form: CsrfForm,
) -> Result<Response, WebError> {
    retire_factor(
        &state.ctx,
        &user.actor,
        &form.get("code"),
        form.get("retired") == "yes",
    )
    .await?;
    Ok(Redirect::to("/settings#factors").into_response())
}

/// POST /settings/on-call: names the senior manager on call for a region.
pub async fn update_on_call(
    State(state): State<AppState>,
    user: CurrentUser,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let region = form.get("region");
    let chosen = form.get(&format!("on_call-{region}"));
    let result = set_on_call(&state.ctx, &user.actor, &region, &chosen).await;
    after(&state, &user, "on-call", result, |p| p.form = "on_call").await
}

/// POST /settings/board-designate: the board member who hears of reports naming a head of operations.
pub async fn update_board_designate(
    State(state): State<AppState>,
    user: CurrentUser,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let chosen = form.get("board_designate");
    let result =
        crate::actions::designate::set_board_designate(&state.ctx, &user.actor, &chosen).await;
    after(&state, &user, "board-designate", result, |p| {
        p.form = "board_designate"
    })
    .await
}

/// POST /settings/retention: how long closed incident records are kept.
pub async fn update_retention(
    State(state): State<AppState>,
    user: CurrentUser,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let draft = RetentionDraft {
        incident_years: form.get("incident_years"),
        serious_years: form.get("serious_years"),
    };
    let result = save_retention(&state.ctx, &user.actor, &draft).await;
    after(&state, &user, "retention", result, |p| {
        p.form = "retention";
        p.retention = draft;
    })
    .await
}

/// POST /settings/risk-rules: the rules that flag people at increased risk.
pub async fn update_risk_rules(
    State(state): State<AppState>,
    user: CurrentUser,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let draft = RiskRulesDraft {
        falls_short_count: form.get("falls_short_count"),
        falls_short_days: form.get("falls_short_days"),
        falls_long_count: form.get("falls_long_count"),
        falls_long_days: form.get("falls_long_days"),
        medication_count: form.get("medication_count"),
        medication_days: form.get("medication_days"),
        ulcer_category: form.get("ulcer_category"),
        head_injury: form.get("head_injury"),
    };
    let result = save_risk_rules(&state.ctx, &user.actor, &draft).await;
    after(&state, &user, "risk-rules", result, |p| {
        p.form = "risk_rules";
        p.risk = draft;
    })
    .await
}

/// POST /settings/charts: the trend charts' run length.
pub async fn update_chart_settings(
    State(state): State<AppState>,
    user: CurrentUser,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let draft = candour_domain::spc::ChartSettingsDraft {
        run_length: form.get("run_length"),
    };
    let result = save_chart_settings(&state.ctx, &user.actor, &draft).await;
    after(&state, &user, "charts", result, |p| {
        p.form = "charts";
        p.charts = draft;
    })
    .await
}

/// POST /settings/speaking-up: how soon guardians acknowledge and give feedback.
pub async fn update_speak_up(
    State(state): State<AppState>,
    user: CurrentUser,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let draft = candour_domain::speaking_up::SpeakUpSettingsDraft {
        acknowledge_days: form.get("acknowledge_days"),
        feedback_days: form.get("feedback_days"),
    };
    let result =
        crate::actions::settings::save_speak_up_settings(&state.ctx, &user.actor, &draft).await;
    after(&state, &user, "speaking-up", result, |p| {
        p.form = "speaking-up";
        p.speak_up = draft;
    })
    .await
}

/// POST /settings/duties: the statutory duties' deadlines.
pub async fn update_duties(
    State(state): State<AppState>,
    user: CurrentUser,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let draft = DutySettingsDraft {
        cqc_hours: form.get("cqc_hours"),
        candour_working_days: form.get("candour_working_days"),
    };
    let result = save_duty_settings(&state.ctx, &user.actor, &draft).await;
    after(&state, &user, "duties", result, |p| {
        p.form = "duties";
        p.duties = draft;
    })
    .await
}
