//! Openness records: telling the person and their family.

use super::{PortableRow, Store, StoreResult, Tx, millis_to_ts, on_read, on_tx, parse_code};
use candour_domain::ids::{IncidentId, OrganisationId, UserId};
use candour_domain::openness::{Openness, ToldHow};
use jiff::Timestamp;

/// A record as read back.
#[derive(Debug, Clone, PartialEq)]
pub struct OpennessRecord {
    /// What was recorded.
    pub record: Openness,
    /// Who recorded it.
    pub recorded_by: String,
    /// When.
    pub recorded_at: Timestamp,
}

/// Stores a record.
pub async fn insert_openness(
    tx: &mut Tx,
    org: OrganisationId,
    incident: IncidentId,
    o: &Openness,
    by: UserId,
    now_ms: i64,
) -> StoreResult<()> {
    let (told, who, at, how, what, apology, questions) = match o {
        Openness::Told {
            who,
            at,
            how,
            what,
            apology,
            questions,
        } => (
            true,
            who.as_str(),
            Some(at.as_millisecond()),
            Some(how.code()),
            what.as_str(),
            *apology,
            questions.as_str(),
        ),
        Openness::NotTold { reason } => (false, "", None, None, reason.as_str(), false, ""),
    };
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into openness_record (record_id, incident_id, organisation_id, told, who, told_at, how, what, apology, questions, recorded_by, recorded_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(uuid::Uuid::now_v7())
        .bind(incident.0)
        .bind(org.0)
        .bind(told)
        .bind(who)
        .bind(at)
        .bind(how)
        .bind(what)
        .bind(apology)
        .bind(questions)
        .bind(by.0)
        .bind(now_ms)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

impl Store {
    /// An incident's openness records, oldest first.
    pub async fn openness(&self, incident: IncidentId) -> StoreResult<Vec<OpennessRecord>> {
        on_read!(self, |p| {
            let rows = sqlx::query(
                "select o.told, o.who, o.told_at, o.how, o.what, o.apology, o.questions, u.display_name, o.recorded_at \
                 from openness_record o join app_user u on u.user_id = o.recorded_by where o.incident_id = $1 \
                 order by o.recorded_at, o.record_id",
            )
            .bind(incident.0)
            .fetch_all(p)
            .await?;
            rows.iter()
                .map(|r| {
                    let record = if r.boolean("told")? {
                        Openness::Told {
                            who: r.text("who")?,
                            at: millis_to_ts(r.opt_int("told_at")?.unwrap_or(0))?,
                            how: parse_code(
                                &r.opt_text("how")?.unwrap_or_default(),
                                ToldHow::parse,
                                "how told",
                            )?,
                            what: r.text("what")?,
                            apology: r.boolean("apology")?,
                            questions: r.text("questions")?,
                        }
                    } else {
                        Openness::NotTold {
                            reason: r.text("what")?,
                        }
                    };
                    Ok(OpennessRecord {
                        record,
                        recorded_by: r.text("display_name")?,
                        recorded_at: millis_to_ts(r.int("recorded_at")?)?,
                    })
                })
                .collect()
        })
    }
}
