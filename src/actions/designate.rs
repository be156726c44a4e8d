//! The board-level person an organisation designates to hear of a report
//! alleging harm by a head of operations, beside quality assurance: nobody
//! in the line stands above a head of operations. Named under Settings
//! from the organisation's board members. They are alerted to urgent
//! reports naming a head of operations, and may read those reports (only
//! those), with who made them withheld.

use super::settings::{may_manage, put_setting};
use super::{ActionError, ActionResult, Actor, Ctx};
use crate::store::incidents::Incident;
use crate::store::organisations::Service;
use candour_domain::about_staff::{goes_to_board, hides_report};
use candour_domain::ids::{OrganisationId, UserId};
use candour_domain::role::{Role, Scope};
use candour_domain::validation::FieldErrors;

/// The organisation setting holding the designate's account.
const KEY: &str = "board_designate";

/// Who may be designated: active board members over the whole organisation, with their names.
pub async fn designate_candidates(
    ctx: &Ctx,
    org: OrganisationId,
) -> ActionResult<Vec<(UserId, String)>> {
    Ok(ctx
        .store
        .staff_with_grants(org)
        .await?
        .into_iter()
        .filter(|(_, _, grants)| {
            grants
                .iter()
                .any(|g| g.role == Role::BoardMember && g.scope == Scope::Organisation)
        })
        .map(|(id, name, _)| (id, name))
        .collect())
}

/// The designate, if one is named and still may be (active, still on the board).
pub async fn board_designate(ctx: &Ctx, org: OrganisationId) -> ActionResult<Option<UserId>> {
    let Some(json) = ctx.store.org_setting(org, KEY).await? else {
        return Ok(None);
    };
    let Some(chosen) = serde_json::from_str::<Option<UserId>>(&json).unwrap_or(None) else {
        return Ok(None);
    };
    Ok(designate_candidates(ctx, org)
        .await?
        .iter()
        .any(|(id, _)| *id == chosen)
        .then_some(chosen))
}

/// Names the designate (`user` empty: nobody, and quality assurance alone hears).
pub async fn set_board_designate(ctx: &Ctx, actor: &Actor, user: &str) -> ActionResult<()> {
    may_manage(actor)?;
    let org = actor.organisation_id;
    let chosen = match user.trim() {
        "" => None,
        typed => {
            let found = designate_candidates(ctx, org)
                .await?
                .into_iter()
                .find(|(id, _)| id.to_string() == typed)
                .map(|(id, _)| id);
            if found.is_none() {
                let mut e = FieldErrors::new();
                e.add(
                    "board_designate",
                    "Choose a board member who sits on the board of the whole organisation",
                );
                return Err(ActionError::Invalid(e));
            }
            found
        }
    };
    let before = board_designate(ctx, org).await?;
    put_setting(ctx, actor, KEY, (before, chosen)).await
}

/// Whether `incident` names, as alleged to have caused harm, someone who
/// is head of operations over `service`: a report that goes to the board.
pub async fn names_head_of_operations(
    ctx: &Ctx,
    incident: &Incident,
    service: &Service,
) -> ActionResult<bool> {
    let named: Vec<UserId> = ctx
        .store
        .staff_involvements(incident.incident_id)
        .await?
        .into_iter()
        .filter(|s| hides_report(s.role))
        .map(|s| s.user_id)
        .collect();
    if named.is_empty() {
        return Ok(false);
    }
    let roles: Vec<Role> = ctx
        .store
        .named_staff_with_grants(service.organisation_id, &named)
        .await?
        .into_iter()
        .flat_map(|(_, _, grants)| grants)
        .filter(|g| g.scope.covers(service.service_id, service.region_id))
        .map(|g| g.role)
        .collect();
    Ok(goes_to_board(&roles))
}

/// Whether `actor` reads `incident` as the organisation's board designate.
pub async fn reads_as_designate(
    ctx: &Ctx,
    actor: &Actor,
    (incident, service): (&Incident, &Service),
) -> ActionResult<bool> {
    if !actor.has_role(Role::BoardMember)
        || board_designate(ctx, actor.organisation_id).await? != Some(actor.user_id)
    {
        return Ok(false);
    }
    names_head_of_operations(ctx, incident, service).await
}
