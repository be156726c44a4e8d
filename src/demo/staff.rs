//! Demo staff accounts and the demo's audit events.

use super::rng::Rng;
use super::{DemoLogin, names};
use crate::store::audit::{NewAuditEvent, append};
use crate::store::users::{User, insert_grant, insert_user};
use candour_domain::ids::{OrganisationId, UserId};
use candour_domain::role::{Grant, Role, Scope};
use serde_json::json;

/// Staff made so far: emails taken, how many, one sign-in per role.
pub(super) struct Staff {
    pub(super) emails: std::collections::HashSet<String>,
    pub(super) count: usize,
    pub(super) logins: Vec<DemoLogin>,
    pub(super) hash: String,
    /// Everyone's name, for the records that name staff.
    pub(super) names: std::collections::HashMap<UserId, String>,
}

impl Staff {
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn add(
        &mut self,
        tx: &mut crate::store::Tx,
        rng: &mut Rng,
        org: OrganisationId,
        role: Role,
        scope: Scope,
        scope_name: &str,
        now_ms: i64,
    ) -> anyhow::Result<UserId> {
        let (first, last) = (rng.pick(names::FIRST_NAMES), rng.pick(names::LAST_NAMES));
        let base = format!("{}.{}", first.to_lowercase(), last.to_lowercase());
        let mut email = format!("{base}@brightwater.example");
        let mut n = 1;
        while !self.emails.insert(email.clone()) {
            n += 1;
            email = format!("{base}{n}@brightwater.example");
        }
        let user = User {
            user_id: UserId(rng.uuid(now_ms)),
            organisation_id: org,
            email: email.clone(),
            display_name: format!("{first} {last}"),
            password_hash: Some(self.hash.clone()),
            active: true,
            last_signed_in_at_ms: None,
            version: None,
        };
        insert_user(tx, &user, now_ms).await?;
        insert_grant(tx, org, user.user_id, Grant { role, scope }, now_ms).await?;
        audit(
            tx,
            org,
            now_ms,
            "user.added",
            "user",
            &user.user_id.to_string(),
            json!({"email": email, "role": role.code()}),
        )
        .await?;
        self.count += 1;
        self.names.insert(user.user_id, user.display_name.clone());
        if !self.logins.iter().any(|l| l.role == role.label()) {
            self.logins.push(DemoLogin {
                role: role.label().to_owned(),
                email,
                scope: scope_name.to_owned(),
            });
        }
        Ok(user.user_id)
    }
}

pub(super) async fn audit(
    tx: &mut crate::store::Tx,
    org: OrganisationId,
    at: i64,
    action: &str,
    rtype: &str,
    rid: &str,
    after: serde_json::Value,
) -> anyhow::Result<()> {
    append_as(tx, org, at, "demo", action, rtype, rid, after).await
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn append_as(
    tx: &mut crate::store::Tx,
    org: OrganisationId,
    at: i64,
    actor: &str,
    action: &str,
    rtype: &str,
    rid: &str,
    after: serde_json::Value,
) -> anyhow::Result<()> {
    let changes: serde_json::Map<String, serde_json::Value> = after
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), json!({"before": null, "after": v})))
                .collect()
        })
        .unwrap_or_default();
    append(
        tx,
        &NewAuditEvent {
            organisation_id: org,
            occurred_at_ms: at,
            actor,
            action,
            record_type: rtype,
            record_id: rid,
            changes: &serde_json::Value::Object(changes).to_string(),
        },
    )
    .await?;
    Ok(())
}
