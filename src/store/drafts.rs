//! Reports being written, saved server-side for their writer only.

use super::{PortableRow, Store, StoreResult, Tx, on_read, on_tx};
use candour_domain::ids::{OrganisationId, ServiceId, UserId};
use uuid::Uuid;

/// A saved draft.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    /// Its id.
    pub draft_id: Uuid,
    /// The service chosen, if any.
    pub service_id: Option<ServiceId>,
    /// The service's name, if chosen.
    pub service_name: Option<String>,
    /// The kind code typed (may be empty).
    pub kind: String,
    /// The category code typed (may be empty).
    pub category: String,
    /// The form's fields as JSON: an array of `[name, value]` pairs.
    pub fields: String,
    /// Rises with every save.
    pub version: i64,
    /// Last saved, epoch ms.
    pub updated_at_ms: i64,
}

/// A draft to write.
#[derive(Debug, Clone, PartialEq)]
pub struct DraftWrite<'a> {
    /// Its id.
    pub draft_id: Uuid,
    /// Organisation.
    pub organisation_id: OrganisationId,
    /// The writer.
    pub user_id: UserId,
    /// The service chosen, if any.
    pub service_id: Option<ServiceId>,
    /// Kind code typed.
    pub kind: &'a str,
    /// Category code typed.
    pub category: &'a str,
    /// Fields as JSON.
    pub fields: &'a str,
}

/// Stores a new draft at version 1.
pub async fn insert_draft(tx: &mut Tx, d: &DraftWrite<'_>, now_ms: i64) -> StoreResult<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into report_draft (draft_id, organisation_id, user_id, service_id, kind, category, fields, version, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $6, $7, 1, $8, $8)",
        )
        .bind(d.draft_id)
        .bind(d.organisation_id.0)
        .bind(d.user_id.0)
        .bind(d.service_id.map(|s| s.0))
        .bind(d.kind)
        .bind(d.category)
        .bind(d.fields)
        .bind(now_ms)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

/// Replaces a draft's content if it is still at `version`; returns whether it was.
pub async fn update_draft(
    tx: &mut Tx,
    d: &DraftWrite<'_>,
    version: i64,
    now_ms: i64,
) -> StoreResult<bool> {
    let n = on_tx!(tx, |c| {
        sqlx::query(
            "update report_draft set service_id = $1, kind = $2, category = $3, fields = $4, version = version + 1, updated_at = $5 \
             where draft_id = $6 and user_id = $7 and version = $8",
        )
        .bind(d.service_id.map(|s| s.0))
        .bind(d.kind)
        .bind(d.category)
        .bind(d.fields)
        .bind(now_ms)
        .bind(d.draft_id)
        .bind(d.user_id.0)
        .bind(version)
        .execute(&mut *c)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

/// Removes a writer's draft; returns whether there was one.
pub async fn delete_draft(tx: &mut Tx, user: UserId, draft: Uuid) -> StoreResult<bool> {
    let n = on_tx!(tx, |c| {
        sqlx::query("delete from report_draft where draft_id = $1 and user_id = $2")
            .bind(draft)
            .bind(user.0)
            .execute(&mut *c)
            .await?
            .rows_affected()
    });
    Ok(n == 1)
}

const DRAFT_SELECT: &str = "select d.draft_id, d.service_id, s.name as service_name, d.kind, d.category, d.fields, d.version, d.updated_at \
    from report_draft d left join service s on s.service_id = d.service_id";

fn draft_from(r: &impl PortableRow) -> StoreResult<Draft> {
    Ok(Draft {
        draft_id: r.uuid("draft_id")?,
        service_id: r.opt_uuid("service_id")?.map(ServiceId),
        service_name: r.opt_text("service_name")?,
        kind: r.text("kind")?,
        category: r.text("category")?,
        fields: r.text("fields")?,
        version: r.int("version")?,
        updated_at_ms: r.int("updated_at")?,
    })
}

impl Store {
    /// A writer's drafts, last saved first.
    pub async fn drafts(&self, user: UserId) -> StoreResult<Vec<Draft>> {
        let sql = format!(
            "{DRAFT_SELECT} where d.user_id = $1 order by d.updated_at desc, d.draft_id desc limit 50"
        );
        on_read!(self, |p| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(user.0)
                .fetch_all(p)
                .await?;
            rows.iter().map(draft_from).collect()
        })
    }

    /// One of a writer's drafts.
    pub async fn draft(&self, user: UserId, draft: Uuid) -> StoreResult<Option<Draft>> {
        let sql = format!("{DRAFT_SELECT} where d.user_id = $1 and d.draft_id = $2");
        on_read!(self, |p| {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(user.0)
                .bind(draft)
                .fetch_optional(p)
                .await?;
            row.as_ref().map(draft_from).transpose()
        })
    }
}
