//! Server-rendered HTML pages. Each page's struct sits next to its handler.

pub mod account;
pub mod anonymous;
pub mod attachments;
pub mod devices;
pub mod digest;
pub mod drafts;
pub mod duties;
pub mod duty_board;
pub mod duty_task;
pub mod home;
pub mod improvement;
pub mod incident_page;
pub mod incidents;
pub mod investigations;
pub mod login;
pub mod people;
pub mod report;
pub mod reports;
pub mod safety_cross;
pub mod settings;
pub mod trends;
pub mod triage;
