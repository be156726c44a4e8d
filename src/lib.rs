//! Candour: incident, near-miss and learning system for adult social care in England.
//!
//! Layers, with dependencies pointing one way (see docs/ARCHITECTURE.md):
//! `web`, `cli` → `actions` → `candour_domain` + `store`; `email` holds the
//! email templates actions use and the sender that drains the outbox;
//! `typeset` runs Typst for `actions`, in a child process when serving.

pub mod actions;
pub mod audit_key;
pub mod cli;
pub mod clock;
pub mod config;
pub mod demo;
pub mod email;
pub mod jobs;
pub mod secrets;
pub mod store;
pub mod typeset;
pub mod web;
