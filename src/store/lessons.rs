//! Lessons learned, their acknowledgements and the reminders sent.

use super::{PortableRow, Store, StoreResult, Tx, millis_to_ts, on_read, on_tx, parse_code};
use candour_domain::ids::{OrganisationId, UserId};
use candour_domain::lessons::{NewLesson, Source};
use candour_domain::role::Scope;
use jiff::Timestamp;
use uuid::Uuid;

/// A published lesson.
#[derive(Debug, Clone, PartialEq)]
pub struct Lesson {
    /// Its id.
    pub lesson_id: Uuid,
    /// Its organisation.
    pub organisation_id: OrganisationId,
    /// Who it is for.
    pub scope: Scope,
    /// Title.
    pub title: String,
    /// What happened.
    pub what_happened: String,
    /// What we learned.
    pub what_we_learned: String,
    /// What we changed.
    pub what_we_changed: String,
    /// Where it came from.
    pub source: Source,
    /// The source's reference.
    pub source_ref: String,
    /// Who published it, by name.
    pub published_by: String,
    /// When.
    pub published_at: Timestamp,
}

const COLUMNS: &str = "l.lesson_id, l.organisation_id, l.scope_kind, l.region_id, l.service_id, l.title, \
    l.what_happened, l.what_we_learned, l.what_we_changed, l.source, l.source_ref, u.display_name, l.published_at";

fn lesson_from(r: &impl PortableRow) -> StoreResult<Lesson> {
    Ok(Lesson {
        lesson_id: r.uuid("lesson_id")?,
        organisation_id: OrganisationId(r.uuid("organisation_id")?),
        scope: super::users::scope_from(r)?,
        title: r.text("title")?,
        what_happened: r.text("what_happened")?,
        what_we_learned: r.text("what_we_learned")?,
        what_we_changed: r.text("what_we_changed")?,
        source: parse_code(&r.text("source")?, Source::parse, "lesson source")?,
        source_ref: r.text("source_ref")?,
        published_by: r.text("display_name")?,
        published_at: millis_to_ts(r.int("published_at")?)?,
    })
}

/// Publishes a lesson; returns its id.
pub async fn insert_lesson(
    tx: &mut Tx,
    org: OrganisationId,
    l: &NewLesson,
    (by, now_ms): (UserId, i64),
) -> StoreResult<Uuid> {
    let id = Uuid::now_v7();
    let (region, service) = super::users::scope_columns(l.scope);
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into lesson (lesson_id, organisation_id, scope_kind, region_id, service_id, title, what_happened, \
             what_we_learned, what_we_changed, source, source_ref, published_by, published_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(id)
        .bind(org.0)
        .bind(l.scope.kind_code())
        .bind(region)
        .bind(service)
        .bind(&l.title)
        .bind(&l.what_happened)
        .bind(&l.what_we_learned)
        .bind(&l.what_we_changed)
        .bind(l.source.code())
        .bind(&l.source_ref)
        .bind(by.0)
        .bind(now_ms)
        .execute(&mut *c)
        .await?;
    });
    Ok(id)
}

/// Records that `user` has read and acknowledged a lesson; `false` when
/// they already had (the first acknowledgement stands).
pub async fn insert_acknowledgement(
    tx: &mut Tx,
    lesson: Uuid,
    user: UserId,
    now_ms: i64,
) -> StoreResult<bool> {
    let n = on_tx!(tx, |c| {
        sqlx::query(
            "insert into lesson_acknowledgement (lesson_id, user_id, acknowledged_at) values ($1, $2, $3) \
             on conflict do nothing",
        )
        .bind(lesson)
        .bind(user.0)
        .bind(now_ms)
        .execute(&mut *c)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

/// Claims one reminder for one person; `false` when it was already sent.
pub async fn claim_reminder(
    tx: &mut Tx,
    lesson: Uuid,
    user: UserId,
    reminder: usize,
    now_ms: i64,
) -> StoreResult<bool> {
    let reminder = i64::try_from(reminder).unwrap_or(i64::MAX);
    let n = on_tx!(tx, |c| {
        sqlx::query(
            "insert into lesson_reminder (lesson_id, user_id, reminder, sent_at) values ($1, $2, $3, $4) \
             on conflict do nothing",
        )
        .bind(lesson)
        .bind(user.0)
        .bind(reminder)
        .bind(now_ms)
        .execute(&mut *c)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

impl Store {
    /// The lessons of `org` published since `since`, newest first.
    pub async fn lessons_since(
        &self,
        org: OrganisationId,
        since: Timestamp,
    ) -> StoreResult<Vec<Lesson>> {
        let sql = format!(
            "select {COLUMNS} from lesson l join app_user u on u.user_id = l.published_by \
             where l.organisation_id = $1 and l.published_at >= $2 order by l.published_at desc, l.lesson_id desc"
        );
        on_read!(self, |p| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(org.0)
                .bind(since.as_millisecond())
                .fetch_all(p)
                .await?;
            rows.iter().map(lesson_from).collect()
        })
    }

    /// Every organisation's lessons published in `[from, to)`, for the reminders.
    pub async fn lessons_published_between(
        &self,
        (from, to): (Timestamp, Timestamp),
    ) -> StoreResult<Vec<Lesson>> {
        let sql = format!(
            "select {COLUMNS} from lesson l join app_user u on u.user_id = l.published_by \
             where l.published_at >= $1 and l.published_at < $2 order by l.published_at"
        );
        on_read!(self, |p| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(from.as_millisecond())
                .bind(to.as_millisecond())
                .fetch_all(p)
                .await?;
            rows.iter().map(lesson_from).collect()
        })
    }

    /// One lesson of `org`.
    pub async fn lesson(&self, org: OrganisationId, id: Uuid) -> StoreResult<Option<Lesson>> {
        let sql = format!(
            "select {COLUMNS} from lesson l join app_user u on u.user_id = l.published_by \
             where l.organisation_id = $1 and l.lesson_id = $2"
        );
        Ok(on_read!(self, |p| {
            match sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(org.0)
                .bind(id)
                .fetch_optional(p)
                .await?
            {
                Some(r) => Some(lesson_from(&r)?),
                None => None,
            }
        }))
    }

    /// Who has acknowledged a lesson, and when.
    pub async fn acknowledgements(&self, lesson: Uuid) -> StoreResult<Vec<(UserId, Timestamp)>> {
        on_read!(self, |p| {
            let rows = sqlx::query(
                "select user_id, acknowledged_at from lesson_acknowledgement where lesson_id = $1",
            )
            .bind(lesson)
            .fetch_all(p)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok((
                        UserId(r.uuid("user_id")?),
                        millis_to_ts(r.int("acknowledged_at")?)?,
                    ))
                })
                .collect()
        })
    }

    /// The lessons of `org` a user has acknowledged, with when.
    pub async fn acknowledged_by(
        &self,
        org: OrganisationId,
        user: UserId,
    ) -> StoreResult<Vec<(Uuid, Timestamp)>> {
        on_read!(self, |p| {
            let rows = sqlx::query(
                "select a.lesson_id, a.acknowledged_at from lesson_acknowledgement a \
                 join lesson l on l.lesson_id = a.lesson_id where l.organisation_id = $1 and a.user_id = $2",
            )
            .bind(org.0)
            .bind(user.0)
            .fetch_all(p)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok((
                        r.uuid("lesson_id")?,
                        millis_to_ts(r.int("acknowledged_at")?)?,
                    ))
                })
                .collect()
        })
    }
}
