//! Notes written on the days of a service's safety cross.

use super::{PortableRow, Store, StoreResult, Tx, on_read, on_tx};
use candour_domain::ids::{OrganisationId, ServiceId, UserId};
use candour_domain::safety_cross::Measure;
use jiff::civil::Date;

/// A note as read back: the latest for its day.
#[derive(Debug, Clone, PartialEq)]
pub struct DayNote {
    /// The day.
    pub day: Date,
    /// What it says.
    pub note: String,
    /// Who wrote it.
    pub by: String,
    /// When.
    pub at: jiff::Timestamp,
}

/// Adds a note to a day (the latest for a day is the one shown).
pub async fn insert_day_note(
    tx: &mut Tx,
    (org, service): (OrganisationId, ServiceId),
    (measure, day): (Measure, Date),
    note: &str,
    (by, now_ms): (UserId, i64),
) -> StoreResult<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into safety_cross_note (note_id, organisation_id, service_id, measure, day, note, noted_by, noted_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(uuid::Uuid::now_v7())
        .bind(org.0)
        .bind(service.0)
        .bind(measure.code())
        .bind(day.to_string())
        .bind(note)
        .bind(by.0)
        .bind(now_ms)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

impl Store {
    /// The latest note of each day in `[from, to]` of a service's cross.
    pub async fn day_notes(
        &self,
        service: ServiceId,
        measure: Measure,
        (from, to): (Date, Date),
    ) -> StoreResult<Vec<DayNote>> {
        let rows = on_read!(self, |p| {
            let rows = sqlx::query(
                "select n.day, n.note, u.display_name, n.noted_at from safety_cross_note n \
                 join app_user u on u.user_id = n.noted_by \
                 where n.service_id = $1 and n.measure = $2 and n.day >= $3 and n.day <= $4 \
                 order by n.day, n.noted_at, n.note_id",
            )
            .bind(service.0)
            .bind(measure.code())
            .bind(from.to_string())
            .bind(to.to_string())
            .fetch_all(p)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok((
                        r.text("day")?,
                        r.text("note")?,
                        r.text("display_name")?,
                        r.int("noted_at")?,
                    ))
                })
                .collect::<StoreResult<Vec<_>>>()?
        });
        let mut out: Vec<DayNote> = Vec::new();
        for (day, note, by, at) in rows {
            let day: Date = day
                .parse()
                .map_err(|e| super::StoreError::Corrupt(format!("safety cross day {day}: {e}")))?;
            out.retain(|n| n.day != day);
            out.push(DayNote {
                day,
                note,
                by,
                at: super::millis_to_ts(at)?,
            });
        }
        Ok(out)
    }
}
