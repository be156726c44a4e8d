//! Candour: incident, near-miss and learning system for adult social care in England.
//!
//! Layers, with dependencies pointing one way (see docs/ARCHITECTURE.md):
//! `web`, `cli` → `actions` → `candour_domain` + `store`.

pub mod store;
