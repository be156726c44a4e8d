//! The nightly purge of what is kept only to run Candour safely: old
//! sign-in and PIN attempts, anonymous reporters' addresses and sessions
//! that have ended (periods in `candour_domain::housekeeping`).

use super::sessions::IDLE_TIMEOUT_SECONDS;
use super::{ActionResult, Ctx};
use crate::store::housekeeping::{Purged, purge};
use candour_domain::housekeeping::purge_before;

/// Deletes what has passed its time, as of the clock's now.
pub async fn purge_expired(ctx: &Ctx) -> ActionResult<Purged> {
    let now = ctx.clock.now().as_millisecond();
    let before = purge_before(now, IDLE_TIMEOUT_SECONDS);
    let mut tx = ctx.store.begin().await?;
    let purged = purge(&mut tx, &before, now).await?;
    tx.commit().await?;
    Ok(purged)
}
