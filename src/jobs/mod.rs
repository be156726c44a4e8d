//! Scheduled work, safe with several instances on one database: each run
//! first claims its slot in `schedule_run` (a unique row), and only the
//! instance whose claim is new does the work: the breach sweep, overdue
//! actions, statutory duty reminders, the people at increased risk whose kept flags are due (migration 0045) and reminders to read lessons and overdue safety alerts every minute, the daily digest at 07:00 UK time (its own slot per
//! organisation and day, claimed with the emails it queues), and the
//! monthly breach report and serious incident summary on the first working
//! day of the month (a slot per organisation, report and month), and on
//! SQLite the planner's statistics nightly (a slot per day), and the purge
//! of old sign-in attempts and ended sessions nightly (a slot per day).

use crate::actions::Ctx;
use crate::actions::breaches::sweep;
use crate::actions::digest::send_daily_digests;
use crate::actions::duty_board::remind_duties;
use crate::actions::improvement::escalate_overdue_actions;
use crate::actions::reports::send_monthly_reports;
use crate::store::breaches::claim_slot;
use std::time::Duration;

/// How often the scheduler wakes.
pub const TICK: Duration = Duration::from_secs(60);
/// The sweep's minute slots are kept this long, then forgotten.
const KEEP_SLOTS_MS: i64 = 7 * 24 * 60 * 60 * 1000;

/// Runs what is due in this minute's slot, if no other instance has.
/// Returns whether this instance ran it.
pub async fn tick(ctx: &Ctx) -> anyhow::Result<bool> {
    let now = ctx.clock.now();
    let slot = now
        .to_zoned(jiff::tz::TimeZone::UTC)
        .strftime("%Y-%m-%dT%H:%M")
        .to_string();
    let mut tx = ctx.store.begin().await?;
    let mine = claim_slot(&mut tx, "breach_sweep", &slot, now.as_millisecond()).await?;
    crate::store::breaches::forget_slots_before(&mut tx, now.as_millisecond() - KEEP_SLOTS_MS)
        .await?;
    tx.commit().await?;
    if mine {
        let started = std::time::Instant::now();
        let done = timed("breach sweep", sweep(ctx))
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        if done.breaches > 0 || done.told > 0 {
            tracing::info!(breaches = done.breaches, told = done.told, "breach sweep");
        }
        let told = timed("overdue actions", escalate_overdue_actions(ctx))
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        if told > 0 {
            tracing::info!(told, "overdue actions");
        }
        let told = timed("statutory duty reminders", remind_duties(ctx))
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        if told > 0 {
            tracing::info!(told, "statutory duty reminders");
        }
        let (due, kept) = timed(
            "kept risk flags",
            crate::actions::risk::refresh_kept_flags(ctx),
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        if due > 0 {
            tracing::debug!(due, kept, "kept risk flags");
        }
        let told = timed(
            "lesson reminders",
            crate::actions::lessons::remind_lessons(ctx),
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        if told > 0 {
            tracing::info!(told, "lesson reminders");
        }
        let told = timed(
            "overdue safety alerts",
            crate::actions::alerts::escalate_overdue_alerts(ctx),
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        if told > 0 {
            tracing::info!(told, "overdue safety alerts");
        }
        // The daily digest claims its own slot per organisation and day.
        if let Some(day) = candour_domain::digest::digest_day(now) {
            let queued = timed("daily digests", send_daily_digests(ctx, day))
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            if queued > 0 {
                tracing::info!(queued, %day, "daily digests");
            }
        }
        refresh_statistics(ctx, now).await?;
        purge_nightly(ctx, now).await?;
        let sent = timed("monthly reports", send_monthly_reports(ctx))
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        if sent > 0 {
            tracing::info!(sent, "monthly reports");
        }
        tracing::debug!(ms = started.elapsed().as_millis(), "scheduled work done");
    } else {
        tracing::debug!("scheduled work done: another instance claimed this minute");
    }
    Ok(mine)
}

/// SQLite's planner statistics, refreshed once a night from 03:00 UK time
/// (a slot per day), so its choice of index follows the data as it grows.
/// PostgreSQL's autovacuum analyses its tables itself.
async fn refresh_statistics(ctx: &Ctx, now: jiff::Timestamp) -> anyhow::Result<()> {
    let uk = now.to_zoned(candour_domain::incident::london());
    if ctx.store.engine() != crate::store::Engine::Sqlite || uk.hour() < 3 {
        return Ok(());
    }
    let mut tx = ctx.store.begin().await?;
    let mine = claim_slot(
        &mut tx,
        "planner_statistics",
        &uk.date().to_string(),
        now.as_millisecond(),
    )
    .await?;
    tx.commit().await?;
    if mine {
        timed("planner statistics", ctx.store.analyse()).await?;
    }
    Ok(())
}

/// The purge of old sign-in attempts, anonymous reporters' addresses and
/// ended sessions, once a night from 02:00 UK time (a slot per day).
async fn purge_nightly(ctx: &Ctx, now: jiff::Timestamp) -> anyhow::Result<()> {
    let uk = now.to_zoned(candour_domain::incident::london());
    if uk.hour() < candour_domain::housekeeping::PURGE_HOUR {
        return Ok(());
    }
    let mut tx = ctx.store.begin().await?;
    let mine = claim_slot(
        &mut tx,
        "purge",
        &uk.date().to_string(),
        now.as_millisecond(),
    )
    .await?;
    tx.commit().await?;
    if mine {
        let purged = timed("purge", crate::actions::housekeeping::purge_expired(ctx))
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        tracing::info!(?purged, "nightly purge");
    }
    Ok(())
}

/// Awaits one piece of scheduled work, logging how long it took (at debug:
/// `CANDOUR_LOG=candour::jobs=debug`), so a job that grows with the data is
/// seen before it fills the minute.
async fn timed<T>(what: &str, work: impl std::future::Future<Output = T>) -> T {
    let started = std::time::Instant::now();
    let out = work.await;
    tracing::debug!(
        job = what,
        ms = started.elapsed().as_millis(),
        "scheduled work"
    );
    out
}

/// Ticks until `stop` changes.
pub async fn run(ctx: Ctx, stop: tokio::sync::watch::Receiver<bool>) {
    let mut stop = stop;
    loop {
        if let Err(e) = tick(&ctx).await {
            tracing::error!(error = ?e, "scheduled work failed");
        }
        tokio::select! {
            _ = tokio::time::sleep(TICK) => {},
            _ = stop.changed() => return,
        }
    }
}
