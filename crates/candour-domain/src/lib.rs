//! Candour's domain: pure types and rules with no I/O and no async.
//!
//! Everything here is deterministic and unit-testable: validated newtypes
//! ("parse, don't validate"), the role and permission matrix, incident
//! validation, the audit hash chain and British date formatting. Storage,
//! HTTP and time sources live in the `candour` crate and call into this one.

pub mod about_staff;
pub mod alerts;
pub mod attachment;
pub mod audit;
pub mod board;
pub mod calendar;
pub mod case_code;
pub mod csv;
pub mod details;
pub mod digest;
pub mod display;
pub mod duties;
pub mod duty_tasks;
pub mod escalation;
pub mod evidence;
pub mod feedback;
pub mod housekeeping;
pub mod ids;
pub mod improvement;
pub mod incident;
pub mod investigation;
pub mod involvement;
pub mod learning;
pub mod lessons;
pub mod meetings;
pub mod monthly;
pub mod nhs_number;
pub mod notification;
pub mod openness;
pub mod organisation;
pub mod password;
pub mod patterns;
pub mod person;
pub mod pin;
pub mod retention;
pub mod risk_flags;
pub mod role;
pub mod safety_cross;
pub mod settings;
pub mod similar;
pub mod spc;
pub mod spc_plot;
pub mod speaking_up;
pub mod tally;
pub mod throttle;
pub mod timescales;
pub mod totp;
pub mod triage;
pub mod validation;
pub mod workflow;
