//! Integration tests: one binary, one file per area. Every storage and HTTP
//! test runs on SQLite and on PostgreSQL through `db_test!`; each test owns a
//! fresh database (SQLite file) or schema (PostgreSQL).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod helpers;

mod about_staff;
mod addenda;
mod alerts;
mod anonymous;
mod api;
mod api_oversight;
mod attachments;
mod audit;
mod authorisation;
mod backup;
mod board;
mod breaches;
mod categories;
mod classification;
mod cli;
mod devices;
mod digest;
mod docs;
mod drafts;
mod duties;
mod duty_tasks;
mod evidence;
mod feedback;
mod improvement;
mod incidents;
mod instances;
mod investigations;
mod invitations;
mod involved;
mod journey;
mod learning;
mod leavers;
mod lessons;
mod meetings;
mod nul;
mod offline;
mod openness;
mod operations;
mod people;
mod person_register;
mod reports;
mod retention;
mod risk;
mod safety_cross;
mod scale;
mod second_factor;
mod sessions;
mod settings;
mod smtp;
mod speaking_up;
mod storage;
mod subject_access;
mod trends;
mod triage;
mod typeset;
mod users;
mod workflow;
