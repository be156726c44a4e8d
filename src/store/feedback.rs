//! Feedback to the reporter: "what we found and what we changed". Append-only.

use super::bulk::{Value, insert_rows};
use super::{PortableRow, Store, StoreResult, Tx, on_read, on_tx};
use candour_domain::ids::{IncidentId, OrganisationId, UserId};
use uuid::Uuid;

/// One piece of feedback on a report.
#[derive(Debug, Clone, PartialEq)]
pub struct Feedback {
    /// Its id.
    pub feedback_id: Uuid,
    /// The report.
    pub incident_id: IncidentId,
    /// Who gave it.
    pub author_id: UserId,
    /// Their name.
    pub author_name: String,
    /// What we found and what we changed.
    pub body: String,
    /// When, epoch ms.
    pub created_at_ms: i64,
}

/// Stores feedback.
pub async fn insert_feedback(tx: &mut Tx, org: OrganisationId, f: &Feedback) -> StoreResult<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into incident_feedback (feedback_id, incident_id, organisation_id, author_id, body, created_at) \
             values ($1, $2, $3, $4, $5, $6)",
        )
        .bind(f.feedback_id)
        .bind(f.incident_id.0)
        .bind(org.0)
        .bind(f.author_id.0)
        .bind(&f.body)
        .bind(f.created_at_ms)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

fn feedback_from(r: &impl PortableRow) -> StoreResult<Feedback> {
    Ok(Feedback {
        feedback_id: r.uuid("feedback_id")?,
        incident_id: IncidentId(r.uuid("incident_id")?),
        author_id: UserId(r.uuid("author_id")?),
        author_name: r.text("display_name")?,
        body: r.text("body")?,
        created_at_ms: r.int("created_at")?,
    })
}

impl Store {
    /// Every piece of feedback on the reports `user` made, oldest first.
    pub async fn feedback_to_reporter(&self, user: UserId) -> StoreResult<Vec<Feedback>> {
        on_read!(self, |p| {
            let rows = sqlx::query(
                "select f.feedback_id, f.incident_id, f.author_id, u.display_name, f.body, f.created_at \
                 from incident_feedback f join incident i on i.incident_id = f.incident_id \
                 join app_user u on u.user_id = f.author_id \
                 where i.reported_by = $1 order by f.created_at, f.feedback_id",
            )
            .bind(user.0)
            .fetch_all(p)
            .await?;
            rows.iter().map(feedback_from).collect()
        })
    }

    /// Every piece of feedback on a report, oldest first.
    pub async fn feedback(&self, incident: IncidentId) -> StoreResult<Vec<Feedback>> {
        on_read!(self, |p| {
            let rows = sqlx::query(
                "select f.feedback_id, f.incident_id, f.author_id, u.display_name, f.body, f.created_at \
                 from incident_feedback f join app_user u on u.user_id = f.author_id \
                 where f.incident_id = $1 order by f.created_at, f.feedback_id",
            )
            .bind(incident.0)
            .fetch_all(p)
            .await?;
            rows.iter().map(feedback_from).collect()
        })
    }
}

/// Adds many pieces of feedback with multi-row statements (demo and bulk loads).
pub async fn insert_feedback_batch(
    tx: &mut Tx,
    org: OrganisationId,
    rows: &[Feedback],
) -> StoreResult<()> {
    let rows: Vec<Vec<Value>> = rows
        .iter()
        .map(|f| {
            vec![
                Value::from(f.feedback_id),
                Value::from(f.incident_id.0),
                Value::from(org.0),
                Value::from(f.author_id.0),
                Value::from(f.body.as_str()),
                Value::from(f.created_at_ms),
            ]
        })
        .collect();
    insert_rows(
        tx,
        "incident_feedback",
        &[
            "feedback_id",
            "incident_id",
            "organisation_id",
            "author_id",
            "body",
            "created_at",
        ],
        &rows,
    )
    .await
}
