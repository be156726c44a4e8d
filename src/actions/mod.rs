//! Use cases shared by the HTML pages, the JSON API, the CLI and jobs.
//!
//! Each action checks permission and scope, applies domain rules, writes
//! through the store inside one transaction and appends the audit event in
//! that same transaction. Handlers never touch the store for writes.

pub mod about_staff;
pub mod accounts;
pub mod addenda;
pub mod alerts;
pub mod anonymous;
pub mod attachments;
pub mod audit;
pub mod backup;
pub mod board_report;
pub mod board_sent;
pub mod breaches;
pub mod designate;
pub mod devices;
pub mod digest;
pub mod drafts;
pub mod duties;
pub mod duty_board;
pub mod duty_tasks;
pub mod evidence;
pub mod feedback;
pub mod housekeeping;
pub mod improvement;
pub mod incident_view;
pub mod incidents;
pub mod investigations;
pub mod invitations;
pub mod learning;
pub mod leavers;
pub mod lessons;
pub mod meetings;
pub mod occupancy;
pub mod openness;
pub mod organisation;
pub mod people;
pub mod person_register;
pub mod reports;
pub mod retention;
pub mod risk;
pub mod safety_cross;
pub mod second_factor;
pub mod serious_summary;
pub mod sessions;
pub mod settings;
pub mod speaking_up;
pub mod staff_sync;
pub mod subject_access;
pub mod timescales;
pub mod tokens;
pub mod trends;
pub mod triage;
pub mod workflow;

use crate::clock::Clock;
use crate::store::organisations::Service;
use crate::store::{Store, StoreError};
use candour_domain::ids::{OrganisationId, ServiceId, UserId};
use candour_domain::role::{Grant, Permission, Role};
use candour_domain::validation::FieldErrors;
use std::sync::Arc;

/// Why an action did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ActionError {
    /// The record does not exist, or exists where the actor may not know of it.
    #[error("not found")]
    NotFound,
    /// The actor may not do this (and may know the record exists).
    #[error("you do not have permission to do this")]
    Forbidden,
    /// Not signed in, or the session or token is no longer valid.
    #[error("sign in to continue")]
    Unauthenticated,
    /// The input broke one or more rules.
    #[error("{0}")]
    Invalid(FieldErrors),
    /// Someone else changed the record, or a unique value is taken.
    #[error("{0}")]
    Conflict(String),
    /// The move is not allowed now, for these reasons (a workflow guard).
    #[error("{}", .0.join(". "))]
    Refused(Vec<String>),
    /// Too many failed attempts; try again after this many seconds.
    #[error("too many attempts: try again in {retry_after_seconds} seconds")]
    Throttled {
        /// Seconds until another attempt is allowed.
        retry_after_seconds: i64,
    },
    /// The database could not take the work in time; nothing was saved.
    #[error("the service is busy: try again in a few seconds")]
    Busy,
    /// A fault that is not the user's to fix.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<StoreError> for ActionError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ActionError::NotFound,
            StoreError::Conflict { constraint } => {
                ActionError::Conflict(format!("a conflicting record exists ({constraint})"))
            }
            StoreError::Busy(why) => {
                tracing::warn!(%why, "the database was busy");
                ActionError::Busy
            }
            other => ActionError::Internal(other.into()),
        }
    }
}

impl From<FieldErrors> for ActionError {
    fn from(e: FieldErrors) -> Self {
        ActionError::Invalid(e)
    }
}

/// Result alias for actions.
pub type ActionResult<T> = Result<T, ActionError>;

/// What every action needs: the store and the clock.
#[derive(Clone, Debug)]
pub struct Ctx {
    /// The database.
    pub store: Store,
    /// The time source.
    pub clock: Arc<dyn Clock>,
    /// The address people use to reach Candour (`https://candour.example.org`),
    /// for links in emails; without it emails give directions instead.
    pub public_url: Option<String>,
    /// Where printable documents are typeset.
    pub typesetter: crate::typeset::Typesetter,
}

/// The signed-in person on whose behalf an action runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Actor {
    /// Their account.
    pub user_id: UserId,
    /// Their organisation: every query is scoped to it.
    pub organisation_id: OrganisationId,
    /// Their name.
    pub display_name: String,
    /// Their email.
    pub email: String,
    /// What they may do, and where.
    pub grants: Vec<Grant>,
}

impl Actor {
    /// Whether the actor may do `permission` in `service`.
    pub fn can_in(&self, permission: Permission, service: &Service) -> bool {
        service.organisation_id == self.organisation_id
            && candour_domain::role::grants_allow(
                &self.grants,
                permission,
                service.service_id,
                service.region_id,
            )
    }

    /// Whether any grant allows `permission` anywhere.
    pub fn can_anywhere(&self, permission: Permission) -> bool {
        self.grants.iter().any(|g| g.role.allows(permission))
    }

    /// Whether the actor holds `role` in any scope.
    pub fn has_role(&self, role: Role) -> bool {
        self.grants.iter().any(|g| g.role == role)
    }

    /// The text recorded as the actor in the audit trail.
    pub fn audit_name(&self) -> String {
        self.user_id.to_string()
    }
}

/// The services of the actor's organisation in which they may do `permission`.
pub async fn services_where(
    ctx: &Ctx,
    actor: &Actor,
    permission: Permission,
) -> ActionResult<Vec<Service>> {
    let all = ctx.store.services(actor.organisation_id).await?;
    Ok(all
        .into_iter()
        .filter(|s| actor.can_in(permission, s))
        .collect())
}

/// The services a reader chose from those where they may `permission`:
/// one service, one region, or all of them.
#[derive(Debug, Clone)]
pub struct Scope {
    /// Every service the reader may choose from.
    pub services: Vec<Service>,
    /// Every region with one of those services.
    pub regions: Vec<crate::store::organisations::Region>,
    /// The services chosen.
    pub chosen: Vec<Service>,
    /// What was chosen, in words ("Alder House", "Region One", "all your services").
    pub label: String,
}

/// Resolves a choice of one service or one region (or neither: all)
/// among the services where the actor may `permission`. Forbidden with none;
/// a service or region outside them is not found.
pub async fn scope_of(
    ctx: &Ctx,
    actor: &Actor,
    permission: Permission,
    (service, region): (Option<ServiceId>, Option<candour_domain::ids::RegionId>),
) -> ActionResult<Scope> {
    let services = services_where(ctx, actor, permission).await?;
    if services.is_empty() {
        return Err(ActionError::Forbidden);
    }
    let regions: Vec<crate::store::organisations::Region> = ctx
        .store
        .regions(actor.organisation_id)
        .await?
        .into_iter()
        .filter(|r| services.iter().any(|s| s.region_id == r.region_id))
        .collect();
    let label = match (service, region) {
        (Some(id), _) => services
            .iter()
            .find(|s| s.service_id == id)
            .map(|s| s.name.clone()),
        (None, Some(id)) => regions
            .iter()
            .find(|r| r.region_id == id)
            .map(|r| r.name.clone()),
        (None, None) => Some("all your services".to_owned()),
    }
    .ok_or(ActionError::NotFound)?;
    let chosen = services
        .iter()
        .filter(|s| service.is_none_or(|id| s.service_id == id))
        .filter(|s| region.is_none_or(|id| s.region_id == id))
        .cloned()
        .collect();
    Ok(Scope {
        services,
        regions,
        chosen,
        label,
    })
}

/// Loads a service of the actor's organisation and checks `permission` in it.
/// Another organisation's service is `NotFound`, so its existence does not leak.
pub async fn service_where(
    ctx: &Ctx,
    actor: &Actor,
    id: ServiceId,
    permission: Permission,
) -> ActionResult<Service> {
    let service = ctx.store.service(actor.organisation_id, id).await?;
    if actor.can_in(permission, &service) {
        Ok(service)
    } else {
        Err(ActionError::Forbidden)
    }
}

/// An email to queue: (to, subject, text, HTML).
pub type Email = (String, String, String, String);

/// Queues `emails` for `org` in one transaction with the claim of a
/// scheduled run's slot, so that with several instances, or after a crash,
/// they are queued once. Returns how many were queued (none if the slot
/// was already claimed).
pub async fn enqueue_once(
    ctx: &Ctx,
    org: OrganisationId,
    (schedule, slot): (&str, &str),
    emails: &[Email],
) -> ActionResult<usize> {
    let now = ctx.clock.now().as_millisecond();
    let mut tx = ctx.store.begin().await?;
    if !crate::store::breaches::claim_slot(&mut tx, schedule, slot, now).await? {
        return Ok(0);
    }
    for (to, subject, text, html) in emails {
        crate::store::outbox::enqueue_email(
            &mut tx,
            &crate::store::outbox::NewEmail {
                organisation_id: org,
                to,
                subject,
                body_text: text,
                body_html: Some(html),
            },
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(emails.len())
}

/// Appends an audit event by `actor`, at the clock's now, inside the caller's transaction.
pub(crate) async fn audit_now(
    ctx: &Ctx,
    tx: &mut crate::store::Tx,
    actor: &Actor,
    (record_type, record_id, action): (&str, &str, &str),
    changes: &serde_json::Value,
) -> ActionResult<()> {
    crate::store::audit::append(
        tx,
        &crate::store::audit::NewAuditEvent {
            organisation_id: actor.organisation_id,
            occurred_at_ms: ctx.clock.now().as_millisecond(),
            actor: &actor.audit_name(),
            action,
            record_type,
            record_id,
            changes: &changes.to_string(),
        },
    )
    .await?;
    Ok(())
}

/// Builds the `changes` JSON of a created record: every field with `before: null`.
pub fn created_changes(fields: &[(&str, serde_json::Value)]) -> String {
    let map: serde_json::Map<String, serde_json::Value> = fields
        .iter()
        .map(|(k, v)| {
            (
                (*k).to_owned(),
                serde_json::json!({ "before": null, "after": v }),
            )
        })
        .collect();
    serde_json::Value::Object(map).to_string()
}
