//! The demo's speaking up: a guardian over the whole organisation and three
//! concerns at different stages (one closed with an outcome, one anonymous
//! under way, one waiting to be acknowledged), dated in the past as people
//! would have raised them.

use super::rng::Rng;
use super::staff::{Staff, audit};
use crate::actions::Ctx;
use crate::secrets::hash_secret;
use crate::store::organisations::Service;
use crate::store::speaking_up::{
    NewConcernRow, acknowledge, close, insert_concern, insert_message,
};
use candour_domain::ids::{OrganisationId, UserId};
use candour_domain::role::{Role, Scope};
use candour_domain::speaking_up::Theme;
use serde_json::json;

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// Adds the guardian and the concerns. Its own random stream leaves the
/// rest of the demo as it was.
pub(super) async fn record_speaking_up(
    ctx: &Ctx,
    (org, seed): (OrganisationId, u64),
    services: &[Service],
    reporters: &[Vec<UserId>],
    staff: &mut Staff,
) -> anyhow::Result<()> {
    let Some(first) = services.first() else {
        return Ok(());
    };
    let mut rng = Rng::new(seed ^ 0x5eea_c0de);
    let now = ctx.clock.now().as_millisecond();
    let mut tx = ctx.store.begin().await?;
    let guardian = staff
        .add(
            &mut tx,
            &mut rng,
            org,
            Role::SpeakingUpGuardian,
            Scope::Organisation,
            "the whole organisation",
            now,
        )
        .await?;
    let at = |i: usize| services.get(i).unwrap_or(first);
    let raiser = |i: usize| reporters.get(i).and_then(|r| r.first()).copied();
    let concerns = [
        (
            Theme::Culture,
            at(0),
            raiser(0),
            40,
            "Night staff are told not to use the hoist because it takes too long, and new starters copy them. Nobody says anything because the senior on nights gets annoyed.",
        ),
        (
            Theme::Bullying,
            at(1),
            None,
            6,
            "Two of the day team make fun of carers whose first language is not English, in the staff room and on the group chat. People have stopped asking questions.",
        ),
        (
            Theme::ManagerConduct,
            at(2),
            raiser(2),
            1,
            "The manager changes the rota at the last minute for people who raised concerns in supervision. I am worried about saying this to them directly.",
        ),
    ];
    for (i, (theme, service, by, days_ago, text)) in concerns.into_iter().enumerate() {
        let raised = now - days_ago * DAY_MS;
        let code_hash = by
            .is_none()
            .then(|| hash_secret(&format!("demo-{}", rng.next_u64())));
        let (id, _) = insert_concern(
            &mut tx,
            &NewConcernRow {
                organisation_id: org,
                service_id: Some(service.service_id),
                theme,
                description: text,
                raised_by: by,
                case_code_hash: code_hash.as_deref(),
                raised_at_ms: raised,
            },
        )
        .await?;
        audit(
            &mut tx,
            org,
            raised,
            "speak_up.raised",
            "speak_up_concern",
            &id.to_string(),
            json!({"theme": theme.code(), "service_id": service.service_id.to_string()}),
        )
        .await?;
        match i {
            0 => {
                acknowledge(&mut tx, id, guardian, raised + DAY_MS / 2).await?;
                insert_message(&mut tx, org, id, Some(guardian), "Thank you for raising this. I will visit the night team next week without saying who told me.", raised + DAY_MS / 2).await?;
                insert_message(
                    &mut tx,
                    org,
                    id,
                    None,
                    "Thank you. Tuesday and Wednesday nights are when it happens most.",
                    raised + 3 * DAY_MS,
                )
                .await?;
                close(&mut tx, id, guardian, "I joined two night shifts. The hoist is now checked at handover, every night carer has had moving and handling refreshers, and the night senior has had supervision about how concerns are received.", raised + 20 * DAY_MS).await?;
            }
            1 => {
                acknowledge(&mut tx, id, guardian, raised + DAY_MS).await?;
                insert_message(&mut tx, org, id, Some(guardian), "Thank you. Could you say roughly when this happens, without anything that would identify you?", raised + DAY_MS).await?;
            }
            _ => {}
        }
    }
    tx.commit().await?;
    Ok(())
}
