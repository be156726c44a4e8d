//! Speaking up: any member of staff raises a concern that is not an
//! incident with a speaking-up guardian, named in confidence or anonymously
//! with a case code. Only guardians outside the service's line management
//! read it ([`candour_domain::speaking_up::handles`]); its raiser follows it
//! (signed in, or with the code); nobody else learns it exists, let alone
//! who raised it. Every read by a guardian is audited.

use super::anonymous::{find_by_code, new_case_code};
use super::{ActionError, ActionResult, Actor, Ctx};
use crate::secrets::hash_secret;
use crate::store::audit::{NewAuditEvent, append};
use crate::store::organisations::Service;
use crate::store::speaking_up::{
    Concern, ConcernMessage, NewConcernRow, acknowledge as store_acknowledge, close as store_close,
    insert_concern, insert_message,
};
use candour_domain::case_code;
use candour_domain::ids::OrganisationId;
use candour_domain::role::Role;
use candour_domain::speaking_up::{
    ConcernDraft, Identity, SpeakUpSettings, Status, Theme, check_text, handles, parse_reference,
    reference,
};
use candour_domain::validation::FieldErrors;
use serde_json::json;

/// The organisation setting holding the timescales.
pub const SETTINGS_KEY: &str = "speak_up_timescales";

/// How long closed concerns stay on a guardian's list, in days.
const CLOSED_SHOWN_DAYS: i64 = 90;

/// An organisation's speaking-up timescales (the defaults until an administrator sets them).
pub async fn org_speak_up_settings(
    ctx: &Ctx,
    org: OrganisationId,
) -> ActionResult<SpeakUpSettings> {
    Ok(match ctx.store.org_setting(org, SETTINGS_KEY).await? {
        Some(json) => serde_json::from_str(&json).map_err(|e| {
            anyhow::anyhow!("the stored speaking-up timescales are not readable: {e}")
        })?,
        None => SpeakUpSettings::default(),
    })
}

/// What the form to raise a concern offers.
#[derive(Debug, Clone)]
pub struct RaiseForm {
    /// Every service of the organisation (a concern may be about any).
    pub services: Vec<Service>,
    /// The organisation's speaking-up guardians, by name.
    pub guardians: Vec<String>,
    /// The timescales the raiser can expect.
    pub settings: SpeakUpSettings,
}

/// The choices for the form to raise a concern; any member of staff may.
pub async fn raise_form(ctx: &Ctx, actor: &Actor) -> ActionResult<RaiseForm> {
    let org = actor.organisation_id;
    let guardians = ctx
        .store
        .staff_with_grants(org)
        .await?
        .into_iter()
        .filter(|(_, _, g)| g.iter().any(|g| g.role == Role::SpeakingUpGuardian))
        .map(|(_, name, _)| name)
        .collect();
    Ok(RaiseForm {
        services: ctx.store.services(org).await?,
        guardians,
        settings: org_speak_up_settings(ctx, org).await?,
    })
}

/// A concern just raised.
#[derive(Debug, Clone, PartialEq)]
pub struct Raised {
    /// `SPK-…`.
    pub reference: String,
    /// For an anonymous concern, the case code (formatted): shown once, never stored.
    pub case_code: Option<String>,
}

/// Raises a concern. Named concerns keep the raiser's account, for the
/// guardian only; anonymous ones keep nothing of them (not even in the
/// audit trail), only the hash of the case code they are given.
pub async fn raise(ctx: &Ctx, actor: &Actor, draft: &ConcernDraft) -> ActionResult<Raised> {
    let new = draft.validate().map_err(ActionError::Invalid)?;
    let org = actor.organisation_id;
    if let Some(s) = new.service_id {
        match ctx.store.service(org, s).await {
            Ok(_) => {}
            Err(crate::store::StoreError::NotFound) => {
                let mut e = FieldErrors::new();
                e.add(
                    "service_id",
                    "Choose a service, or the organisation as a whole",
                );
                return Err(ActionError::Invalid(e));
            }
            Err(e) => return Err(e.into()),
        }
    }
    let code = match new.identity {
        Identity::Anonymous => Some(new_case_code()?),
        Identity::Confidential => None,
    };
    let hash = code.as_deref().map(hash_secret);
    let now = ctx.clock.now().as_millisecond();
    let mut tx = ctx.store.begin().await?;
    let (id, number) = insert_concern(
        &mut tx,
        &NewConcernRow {
            organisation_id: org,
            service_id: new.service_id,
            theme: new.theme,
            description: &new.description,
            raised_by: match new.identity {
                Identity::Confidential => Some(actor.user_id),
                Identity::Anonymous => None,
            },
            case_code_hash: hash.as_deref(),
            raised_at_ms: now,
        },
    )
    .await?;
    let who = match new.identity {
        Identity::Confidential => actor.audit_name(),
        Identity::Anonymous => "anonymous".to_owned(),
    };
    audit(
        &mut tx,
        (org, now, &who),
        "speak_up.raised",
        id,
        json!({
            "theme": {"before": null, "after": new.theme.code()},
            "service_id": {"before": null, "after": new.service_id.map(|s| s.to_string())},
            "identity": {"before": null, "after": new.identity.code()},
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(Raised {
        reference: reference(number),
        case_code: code.map(|c| case_code::formatted(&c)),
    })
}

/// A concern as one reader may see it.
#[derive(Debug, Clone)]
pub struct ConcernView {
    /// The concern.
    pub concern: Concern,
    /// `SPK-…`.
    pub reference: String,
    /// Where it stands.
    pub status: Status,
    /// Messages, oldest first.
    pub messages: Vec<ConcernMessage>,
    /// When acknowledgement and feedback fall due (epoch ms).
    pub due: (i64, i64),
    /// Whether acknowledgement and feedback are (or were) late.
    pub late: (bool, bool),
    /// True for a guardian handling it; false for its raiser.
    pub as_guardian: bool,
}

impl ConcernView {
    fn of(
        c: Concern,
        messages: Vec<ConcernMessage>,
        s: SpeakUpSettings,
        now: i64,
        as_guardian: bool,
    ) -> Self {
        let late = s.lateness(
            c.raised_at_ms,
            c.acknowledged.as_ref().map(|a| a.0),
            c.outcome.as_ref().map(|o| o.1),
            now,
        );
        ConcernView {
            reference: reference(c.number),
            status: Status::of(c.acknowledged.is_some(), c.outcome.is_some()),
            due: (
                s.acknowledge_due(c.raised_at_ms),
                s.feedback_due(c.raised_at_ms),
            ),
            late,
            messages,
            as_guardian,
            concern: c,
        }
    }
}

fn about(
    c: &Concern,
) -> Option<(
    candour_domain::ids::ServiceId,
    candour_domain::ids::RegionId,
)> {
    c.service.as_ref().map(|(s, r, _)| (*s, *r))
}

/// Whether `actor` handles `c`: a guardian outside its line, who did not raise it.
fn guards(actor: &Actor, c: &Concern) -> bool {
    c.organisation_id == actor.organisation_id
        && handles(&actor.grants, about(c))
        && c.raised_by.as_ref().map(|r| r.0) != Some(actor.user_id)
}

/// A concern its raiser or a guardian may read; `NotFound` for everyone
/// else, as if it did not exist. A guardian's read is audited.
pub async fn concern_for(ctx: &Ctx, actor: &Actor, reference: &str) -> ActionResult<ConcernView> {
    let c = load(ctx, actor, reference).await?;
    let now = ctx.clock.now().as_millisecond();
    let settings = org_speak_up_settings(ctx, actor.organisation_id).await?;
    let messages = ctx.store.concern_messages(c.concern_id).await?;
    let as_guardian = guards(actor, &c);
    if as_guardian {
        let mut tx = ctx.store.begin().await?;
        audit(
            &mut tx,
            (actor.organisation_id, now, &actor.audit_name()),
            "speak_up.read",
            c.concern_id,
            json!({}),
        )
        .await?;
        tx.commit().await?;
    }
    Ok(ConcernView::of(c, messages, settings, now, as_guardian))
}

/// The concern behind `reference` if `actor` raised it or handles it.
async fn load(ctx: &Ctx, actor: &Actor, reference: &str) -> ActionResult<Concern> {
    let number = parse_reference(reference).ok_or(ActionError::NotFound)?;
    let c = ctx
        .store
        .concern(actor.organisation_id, number)
        .await?
        .ok_or(ActionError::NotFound)?;
    let raised_it = c.raised_by.as_ref().map(|r| r.0) == Some(actor.user_id);
    if raised_it || guards(actor, &c) {
        Ok(c)
    } else {
        Err(ActionError::NotFound)
    }
}

/// The concern behind `reference` if `actor` handles it as a guardian.
async fn load_as_guardian(ctx: &Ctx, actor: &Actor, reference: &str) -> ActionResult<Concern> {
    let c = load(ctx, actor, reference).await?;
    if guards(actor, &c) {
        Ok(c)
    } else {
        // Its raiser knows it exists, but only a guardian acts on it.
        Err(ActionError::Forbidden)
    }
}

/// What the speaking-up page lists for one person.
#[derive(Debug, Clone, Default)]
pub struct Overview {
    /// Concerns they raised by name, newest first.
    pub raised: Vec<ConcernView>,
    /// As a guardian: concerns without an outcome, oldest first.
    pub to_handle: Vec<ConcernView>,
    /// As a guardian: outcomes given in the last 90 days, newest first.
    pub closed: Vec<ConcernView>,
    /// Whether they are a speaking-up guardian anywhere.
    pub guardian: bool,
}

/// The concerns someone raised by name, and those they handle.
pub async fn overview(ctx: &Ctx, actor: &Actor) -> ActionResult<Overview> {
    let org = actor.organisation_id;
    let now = ctx.clock.now().as_millisecond();
    let settings = org_speak_up_settings(ctx, org).await?;
    let view = |c: Concern, g: bool| ConcernView::of(c, Vec::new(), settings, now, g);
    let raised = ctx
        .store
        .concerns_raised_by(actor.user_id)
        .await?
        .into_iter()
        .map(|c| view(c, false))
        .collect();
    let guardian = actor.has_role(Role::SpeakingUpGuardian);
    let (mut to_handle, mut closed) = (Vec::new(), Vec::new());
    if guardian {
        for c in ctx.store.open_concerns(org).await? {
            if guards(actor, &c) {
                to_handle.push(view(c, true));
            }
        }
        let since = now - CLOSED_SHOWN_DAYS * 24 * 60 * 60 * 1000;
        for c in ctx.store.concerns_since(org, 0).await? {
            let recent = c.outcome.as_ref().is_some_and(|o| o.1 >= since);
            if recent && guards(actor, &c) {
                closed.push(view(c, true));
            }
        }
        closed.sort_by_key(|v| std::cmp::Reverse(v.concern.outcome.as_ref().map(|o| o.1)));
    }
    Ok(Overview {
        raised,
        to_handle,
        closed,
        guardian,
    })
}

/// How many concerns wait for `actor` to acknowledge them (zero for anyone
/// who is not a guardian).
pub async fn waiting(ctx: &Ctx, actor: &Actor) -> ActionResult<usize> {
    if !actor.has_role(Role::SpeakingUpGuardian) {
        return Ok(0);
    }
    Ok(ctx
        .store
        .open_concerns(actor.organisation_id)
        .await?
        .iter()
        .filter(|c| c.acknowledged.is_none() && guards(actor, c))
        .count())
}

/// A guardian acknowledges a concern, optionally with a message to the raiser.
pub async fn acknowledge(
    ctx: &Ctx,
    actor: &Actor,
    reference: &str,
    message: &str,
) -> ActionResult<()> {
    let c = load_as_guardian(ctx, actor, reference).await?;
    let body = match message.trim() {
        "" => None,
        m => Some(check_text("message", m, "your message")?),
    };
    let now = ctx.clock.now().as_millisecond();
    let mut tx = ctx.store.begin().await?;
    if !store_acknowledge(&mut tx, c.concern_id, actor.user_id, now).await? {
        let who = c.acknowledged.map(|a| a.1).unwrap_or_default();
        return Err(ActionError::Conflict(format!(
            "{who} has already acknowledged this concern"
        )));
    }
    if let Some(body) = &body {
        insert_message(
            &mut tx,
            actor.organisation_id,
            c.concern_id,
            Some(actor.user_id),
            body,
            now,
        )
        .await?;
    }
    audit(
        &mut tx,
        (actor.organisation_id, now, &actor.audit_name()),
        "speak_up.acknowledged",
        c.concern_id,
        json!({"acknowledged": {"before": null, "after": true}, "message": {"before": null, "after": body}}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Writes on a concern: a guardian to its raiser, or its named raiser to
/// the guardians.
pub async fn write(ctx: &Ctx, actor: &Actor, reference: &str, text: &str) -> ActionResult<()> {
    let c = load(ctx, actor, reference).await?;
    let body = check_text("message", text, "your message")?;
    let guardian = guards(actor, &c).then_some(actor);
    add_message(ctx, (actor.organisation_id, c.concern_id), guardian, &body).await
}

/// A guardian records the outcome, which the raiser reads; given once.
pub async fn give_outcome(
    ctx: &Ctx,
    actor: &Actor,
    reference: &str,
    text: &str,
) -> ActionResult<()> {
    let c = load_as_guardian(ctx, actor, reference).await?;
    let outcome = check_text("outcome", text, "the outcome")?;
    let now = ctx.clock.now().as_millisecond();
    let mut tx = ctx.store.begin().await?;
    if !store_close(&mut tx, c.concern_id, actor.user_id, &outcome, now).await? {
        let who = c.outcome.map(|o| o.2).unwrap_or_default();
        return Err(ActionError::Conflict(format!(
            "{who} has already given the outcome of this concern"
        )));
    }
    audit(
        &mut tx,
        (actor.organisation_id, now, &actor.audit_name()),
        "speak_up.closed",
        c.concern_id,
        json!({"outcome": {"before": null, "after": outcome}}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Opens an anonymous concern by its case code from `ip` (throttled with
/// anonymous reports' codes). A wrong code gets `NotFound`.
pub async fn open_case(ctx: &Ctx, code: &str, ip: &str) -> ActionResult<ConcernView> {
    let c = find_by_code(ctx, code, ip, |hash| async move {
        ctx.store.concern_by_code_hash(&hash).await
    })
    .await?;
    let settings = org_speak_up_settings(ctx, c.organisation_id).await?;
    let messages = ctx.store.concern_messages(c.concern_id).await?;
    let now = ctx.clock.now().as_millisecond();
    Ok(ConcernView::of(c, messages, settings, now, false))
}

/// The anonymous raiser writes to the guardian, with their code.
pub async fn message_from_case(
    ctx: &Ctx,
    code: &str,
    ip: &str,
    text: &str,
) -> ActionResult<ConcernView> {
    let view = open_case(ctx, code, ip).await?;
    let body = check_text("message", text, "your message")?;
    let c = &view.concern;
    add_message(ctx, (c.organisation_id, c.concern_id), None, &body).await?;
    open_case(ctx, code, ip).await
}

async fn add_message(
    ctx: &Ctx,
    (org, concern): (OrganisationId, uuid::Uuid),
    guardian: Option<&Actor>,
    body: &str,
) -> ActionResult<()> {
    let now = ctx.clock.now().as_millisecond();
    let mut tx = ctx.store.begin().await?;
    insert_message(
        &mut tx,
        org,
        concern,
        guardian.map(|a| a.user_id),
        body,
        now,
    )
    .await?;
    // The raiser's own messages name nobody in the audit trail.
    let (who, side) = match guardian {
        Some(a) => (a.audit_name(), "to_raiser"),
        None => ("raiser".to_owned(), "from_raiser"),
    };
    audit(
        &mut tx,
        (org, now, &who),
        &format!("speak_up.message_{side}"),
        concern,
        json!({"message": {"before": null, "after": body}}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

async fn audit(
    tx: &mut crate::store::Tx,
    (org, now, actor): (OrganisationId, i64, &str),
    action: &str,
    concern: uuid::Uuid,
    changes: serde_json::Value,
) -> ActionResult<()> {
    append(
        tx,
        &NewAuditEvent {
            organisation_id: org,
            occurred_at_ms: now,
            actor,
            action,
            record_type: "speak_up_concern",
            record_id: &concern.to_string(),
            changes: &changes.to_string(),
        },
    )
    .await?;
    Ok(())
}

/// One theme's figures for a period, naming nobody.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThemeFigures {
    /// The theme.
    pub theme: Theme,
    /// Raised in the period.
    pub raised: i64,
    /// Outcome given in the period.
    pub closed: i64,
    /// Still without an outcome at the end of the period.
    pub open_at_end: i64,
}

/// Speaking-up figures by theme for concerns about `services` (and, when
/// `whole_organisation`, those about the organisation as a whole) in
/// `[from_ms, to_ms)`. Every theme appears, with zeros.
pub async fn figures_by_theme(
    ctx: &Ctx,
    org: OrganisationId,
    (services, whole_organisation): (&[candour_domain::ids::ServiceId], bool),
    (from_ms, to_ms): (i64, i64),
) -> ActionResult<Vec<ThemeFigures>> {
    let mut out: Vec<ThemeFigures> = Theme::ALL
        .iter()
        .map(|t| ThemeFigures {
            theme: *t,
            raised: 0,
            closed: 0,
            open_at_end: 0,
        })
        .collect();
    for c in ctx.store.concerns_since(org, 0).await? {
        let counted = match &c.service {
            Some((s, _, _)) => services.contains(s),
            None => whole_organisation,
        };
        if !counted || c.raised_at_ms >= to_ms {
            continue;
        }
        let Some(f) = out.iter_mut().find(|f| f.theme == c.theme) else {
            continue;
        };
        let closed_at = c.outcome.as_ref().map(|o| o.1);
        if c.raised_at_ms >= from_ms {
            f.raised += 1;
        }
        if closed_at.is_some_and(|t| t >= from_ms && t < to_ms) {
            f.closed += 1;
        }
        if closed_at.is_none_or(|t| t >= to_ms) {
            f.open_at_end += 1;
        }
    }
    Ok(out)
}

/// The board report's section on speaking up: figures by theme for the
/// month, naming no one and no service.
pub fn board_section(figures: &[ThemeFigures], month: &str) -> candour_pdf::Section {
    let (raised, closed, open) = figures.iter().fold((0, 0, 0), |(r, c, o), f| {
        (r + f.raised, c + f.closed, o + f.open_at_end)
    });
    candour_pdf::Section {
        heading: "Speaking up".into(),
        paragraphs: vec![format!(
            "Concerns raised with speaking-up guardians about care practice, culture, bullying or a manager's conduct, across the organisation, by theme. No one is named and no service is given. {raised} raised and {closed} given an outcome in {month}; {open} still open at the month's end."
        )],
        header: vec![
            "Theme".into(),
            "Raised".into(),
            "Outcome given".into(),
            "Open at the month's end".into(),
        ],
        rows: figures
            .iter()
            .filter(|f| f.raised + f.closed + f.open_at_end > 0)
            .map(|f| {
                candour_pdf::Row(vec![
                    f.theme.label().to_owned(),
                    f.raised.to_string(),
                    f.closed.to_string(),
                    f.open_at_end.to_string(),
                ])
            })
            .collect(),
        empty: format!("No speaking-up concerns were raised or open in {month}."),
    }
}
