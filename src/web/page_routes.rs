//! The routes of the pages people use in a browser, each to its handler
//! (the API's are in `api`, assets and health checks in the parent).

use super::{AppState, pages};
use axum::Router;
use axum::routing::{get, post};

/// Every page route; `upload_limit` bounds the forms that carry files.
pub(crate) fn page_routes(upload_limit: usize) -> Router<AppState> {
    Router::new()
        .route("/", get(pages::home::show_home))
        .route(
            "/login",
            get(pages::login::show_login).post(pages::login::create_session),
        )
        .route("/login/pin", post(pages::login::create_pin_session))
        .route("/login/code", post(pages::login::create_session_with_code))
        .route(
            "/forgot-password",
            get(pages::password_links::show_forgot).post(pages::password_links::ask_for_reset),
        )
        .route(
            "/set-password/{secret}",
            get(pages::password_links::show_set_password).post(pages::password_links::set_password),
        )
        .route("/logout", post(pages::login::delete_session))
        .route(
            "/account/pin",
            get(pages::devices::show_pin_form).post(pages::devices::change_pin),
        )
        .route(
            "/services/{service_id}/devices",
            get(pages::devices::list_service_devices).post(pages::devices::create_trusted_device),
        )
        .route(
            "/services/{service_id}/devices/{device_id}/revoke",
            post(pages::devices::revoke_trusted_device),
        )
        .route(
            "/account/second-factor",
            get(pages::second_factor::show_second_factor)
                .post(pages::second_factor::confirm_second_factor),
        )
        .route(
            "/account/second-factor/off",
            post(pages::second_factor::turn_second_factor_off),
        )
        .route(
            "/users/{user_id}/second-factor/reset",
            post(pages::second_factor::reset_user_second_factor),
        )
        .route(
            "/account/password",
            get(pages::account::show_password_form).post(pages::account::change_password),
        )
        .route(
            "/account/tokens",
            get(pages::account::list_tokens).post(pages::account::create_api_token),
        )
        .route(
            "/account/tokens/{id}/revoke",
            post(pages::account::revoke_api_token),
        )
        .route("/incidents/new", get(pages::report::new_incident_form))
        .route("/incidents", post(pages::report::create_incident))
        .route("/incidents/drafts", post(pages::drafts::save_report_draft))
        .route(
            "/incidents/drafts/{id}/delete",
            post(pages::drafts::delete_draft),
        )
        .route(
            "/incidents/{reference}",
            get(pages::incident_page::show_incident_page),
        )
        .route(
            "/incidents/{reference}/history",
            get(pages::incidents::show_incident_history),
        )
        .route(
            "/incidents/{reference}/addenda",
            post(pages::incident_forms::create_addendum),
        )
        .route(
            "/incidents/{reference}/staff",
            post(pages::about_staff::name_staff),
        )
        .route(
            "/incidents/{reference}/breaches/{breach_id}",
            post(pages::incident_forms::explain_breach),
        )
        .route(
            "/incidents/{reference}/investigation",
            post(pages::investigations::create_investigation),
        )
        .route(
            "/investigations",
            get(pages::investigations::show_investigations),
        )
        .route(
            "/investigations/{reference}",
            get(pages::investigations::show),
        )
        .route(
            "/investigations/{reference}/meetings",
            post(pages::investigations::create_meeting),
        )
        .route(
            "/investigations/{reference}/timeline",
            post(pages::investigations::create_event),
        )
        .route(
            "/investigations/{reference}/factors",
            post(pages::investigations::create_factor),
        )
        .route(
            "/investigations/{reference}/findings",
            post(pages::investigations::update_findings),
        )
        .route(
            "/investigations/{reference}/complete",
            post(pages::investigations::complete_investigation),
        )
        .route(
            "/investigations/{reference}/actions",
            post(pages::investigations::create_action),
        )
        .route(
            "/investigations/{reference}/report",
            get(pages::investigations::show_report),
        )
        .route(
            "/investigations/{reference}/report.pdf",
            get(pages::investigations::report_pdf),
        )
        .route("/settings", get(pages::settings::show_settings))
        .route(
            "/settings/timescales",
            post(pages::settings::update_timescales),
        )
        .route("/settings/risk-bands", post(pages::settings::update_bands))
        .route("/settings/non-working-days", post(pages::settings::add_day))
        .route(
            "/settings/non-working-days/remove",
            post(pages::settings::remove_day),
        )
        .route("/settings/factors", post(pages::settings::add_factor))
        .route("/settings/on-call", post(pages::settings::update_on_call))
        .route("/settings/duties", post(pages::settings::update_duties))
        .route(
            "/settings/speaking-up",
            post(pages::settings::update_speak_up),
        )
        .route(
            "/settings/board-designate",
            post(pages::settings::update_board_designate),
        )
        .route(
            "/settings/retention",
            post(pages::settings::update_retention),
        )
        .route(
            "/settings/risk-rules",
            post(pages::settings::update_risk_rules),
        )
        .route(
            "/settings/charts",
            post(pages::settings::update_chart_settings),
        )
        .route(
            "/settings/factors/retire",
            post(pages::settings::set_factor_retired),
        )
        .route("/reports", get(pages::reports::show_reports))
        .route("/safety-cross", get(pages::safety_cross::show_safety_cross))
        .route(
            "/safety-cross/set",
            post(pages::safety_cross::choose_cross_set),
        )
        .route("/trends", get(pages::trends::show_trends))
        .route("/trends/changes/new", get(pages::trends::new_trend_change))
        .route("/trends/changes", post(pages::trends::record_trend_change))
        .route(
            "/occupancy",
            get(pages::occupancy::show_occupancy).post(pages::occupancy::save_occupancy),
        )
        .route("/trends/patterns", get(pages::trends::show_patterns))
        .route(
            "/safety-cross/notes",
            post(pages::safety_cross::add_day_note),
        )
        .route("/reports/breaches", get(pages::reports::show_breach_report))
        .route("/reports/board", get(pages::reports::show_board_report))
        .route(
            "/evidence",
            get(pages::evidence::evidence_form).post(pages::evidence::make_evidence_pack),
        )
        .route("/reports/board.pdf", get(pages::reports::board_report_pdf))
        .route(
            "/reports/serious-incidents",
            get(pages::reports::show_serious_summary),
        )
        .route(
            "/reports/breaches.csv",
            get(pages::reports::breach_report_csv),
        )
        .route(
            "/incidents/{reference}/openness",
            post(pages::incident_forms::create_openness),
        )
        .route(
            "/incidents/{reference}/moves",
            post(pages::incident_forms::create_move),
        )
        .route(
            "/incidents/{reference}/feedback",
            post(pages::incident_forms::create_feedback),
        )
        .route(
            "/incidents/{reference}/messages",
            post(pages::anonymous::reply_to_case),
        )
        .route(
            "/incidents/{reference}/attachments",
            post(pages::attachments::upload_attachment)
                // A little over the file limit, so a slightly large file gets a clear message.
                .layer(axum::extract::DefaultBodyLimit::max(upload_limit)),
        )
        .route(
            "/incidents/{reference}/attachments/{id}",
            get(pages::attachments::download_attachment),
        )
        .route(
            "/report/{token}",
            get(pages::anonymous::show_public_form).post(pages::anonymous::create_public_report),
        )
        .route(
            "/case",
            get(pages::anonymous::show_case_form).post(pages::anonymous::open_case_page),
        )
        .route(
            "/speaking-up",
            get(pages::speaking_up::show_speaking_up).post(pages::speaking_up::raise_concern),
        )
        .route(
            "/speaking-up/case",
            get(pages::speaking_up::show_case_form).post(pages::speaking_up::open_case_page),
        )
        .route(
            "/speaking-up/{reference}",
            get(pages::speaking_up::show_concern),
        )
        .route(
            "/speaking-up/{reference}/acknowledgement",
            post(pages::speaking_up::acknowledge_concern),
        )
        .route(
            "/speaking-up/{reference}/messages",
            post(pages::speaking_up::send_message),
        )
        .route(
            "/speaking-up/{reference}/outcome",
            post(pages::speaking_up::record_outcome),
        )
        .route(
            "/services/{service_id}/poster",
            get(pages::anonymous::show_poster),
        )
        .route("/my-reports", get(pages::incidents::list_my_reports))
        .route("/triage", get(pages::triage::show_triage_queue))
        .route(
            "/incidents/{reference}/actions",
            post(pages::improvement::create_incident_action),
        )
        .route(
            "/services/{service_id}/improvement-plan",
            get(pages::improvement::show_improvement_plan)
                .post(pages::improvement::create_plan_action),
        )
        .route(
            "/actions/{reference}",
            get(pages::improvement::show_action).post(pages::improvement::update_action),
        )
        .route(
            "/actions/{reference}/incidents",
            post(pages::improvement::create_action_link),
        )
        .route(
            "/digest",
            get(pages::digest::show_digest).post(pages::digest::change_digest),
        )
        .route(
            "/services/{service_id}/triage",
            get(pages::triage::show_service_triage_queue),
        )
        .route("/users", get(pages::users::list_users))
        .route("/users.csv", get(pages::users::users_csv_download))
        .route(
            "/users/second-factor-policy",
            post(pages::users::change_second_factor_policy),
        )
        .route(
            "/users/new",
            get(pages::staff::new_user_form).post(pages::staff::invite_user),
        )
        .route("/users/{user_id}", get(pages::staff::show_user))
        .route("/users/{user_id}/disable", post(pages::staff::disable_user))
        .route("/users/{user_id}/enable", post(pages::staff::enable_user))
        .route(
            "/users/{user_id}/invitation",
            post(pages::staff::resend_user_invitation),
        )
        .route(
            "/users/{user_id}/invitation/withdraw",
            post(pages::staff::withdraw_user_invitation),
        )
        .route(
            "/users/{user_id}/reset-link",
            post(pages::staff::send_user_reset_link),
        )
        .route("/users/{user_id}/roles", post(pages::staff::add_user_roles))
        .route(
            "/users/{user_id}/roles/remove",
            post(pages::staff::remove_user_role),
        )
        .route("/duties", get(pages::duty_board::show_duty_board))
        .route(
            "/incidents/{reference}/duties",
            get(pages::duties::show_duties).post(pages::duties::record_facts),
        )
        .route(
            "/incidents/{reference}/duties/decision",
            post(pages::duties::record_decision),
        )
        .route(
            "/incidents/{reference}/duties/{duty}",
            get(pages::duty_task::show_duty),
        )
        .route(
            "/incidents/{reference}/duties/{duty}/steps",
            post(pages::duty_task::add_step),
        )
        .route(
            "/incidents/{reference}/duties/{duty}/draft",
            post(pages::duty_task::save_draft),
        )
        .route(
            "/incidents/{reference}/triage",
            get(pages::triage::show_triage_form).post(pages::triage::create_triage),
        )
        .route(
            "/services/{service_id}/incidents",
            get(pages::incidents::list_service_incidents),
        )
        .route(
            "/services/{service_id}/people",
            get(pages::people::list_service_people).post(pages::people::create_person),
        )
        .route(
            "/services/{service_id}/people/new",
            get(pages::people::new_person_form),
        )
        .route("/people/{person_id}", get(pages::people::show_person))
        .route(
            "/people/{person_id}/register",
            get(pages::person_register::show_register),
        )
        .route(
            "/people/{person_id}/details",
            post(pages::person_register::change_details),
        )
        .route(
            "/people/{person_id}/status",
            post(pages::person_register::change_status),
        )
        .route(
            "/people/{person_id}/learning-log",
            get(pages::learning::show_learning_log).post(pages::learning::create_learning_log),
        )
        .route(
            "/incidents/{reference}/reflection",
            get(pages::learning::show_reflection),
        )
        .route(
            "/incidents/{reference}/reflection/practice",
            post(pages::learning::create_practice),
        )
        .route(
            "/incidents/{reference}/reflection/involvement",
            post(pages::learning::create_involvement),
        )
        .route(
            "/supervision",
            get(pages::learning::show_supervision).post(pages::learning::create_supervision),
        )
        .route(
            "/lessons",
            get(pages::lessons::list_lessons).post(pages::lessons::create_lesson),
        )
        .route("/lessons/new", get(pages::lessons::new_lesson_form))
        .route(
            "/meetings",
            get(pages::meetings::list_meetings).post(pages::meetings::create_meeting),
        )
        .route("/meetings/new", get(pages::meetings::new_meeting_form))
        .route(
            "/alerts",
            get(pages::alerts::list_alerts).post(pages::alerts::create_alert),
        )
        .route("/alerts/{alert_id}", get(pages::alerts::show_alert))
        .route(
            "/alerts/{alert_id}/steps",
            post(pages::alerts::record_alert_step),
        )
        .route(
            "/alerts/{alert_id}/actions",
            post(pages::alerts::add_alert_action_form),
        )
        .route(
            "/alerts/{alert_id}/actions/{action_id}/done",
            post(pages::alerts::finish_alert_action_form),
        )
        .route("/meetings/{meeting_id}", get(pages::meetings::show_meeting))
        .route(
            "/meetings/{meeting_id}/record",
            post(pages::meetings::save_meeting_record),
        )
        .route(
            "/meetings/{meeting_id}/attendees",
            post(pages::meetings::add_meeting_attendee),
        )
        .route(
            "/meetings/{meeting_id}/actions",
            post(pages::meetings::add_meeting_action),
        )
        .route(
            "/meetings/{meeting_id}/publish",
            post(pages::meetings::publish_meeting),
        )
        .route("/lessons/{lesson_id}", get(pages::lessons::show_lesson))
        .route(
            "/lessons/{lesson_id}/acknowledge",
            post(pages::lessons::acknowledge_lesson),
        )
        .route(
            "/people/{person_id}/risk-review",
            post(pages::people::create_risk_review),
        )
        .route(
            "/people/{person_id}/subject-access",
            post(pages::people::export_subject_access),
        )
}
