//! Reading the rows of any table by the columns `migrations/classification.txt`
//! marks for subject access, as JSON values: the subject access export
//! asks for "these rows of that table" without a query for each table.

use super::classification::{Column, all, of};
use super::{Backend, Store, StoreError, StoreResult};
use serde_json::Value;
use sqlx::{Row, TypeInfo, ValueRef};
use uuid::Uuid;

/// A value the rows are chosen by.
#[derive(Debug, Clone)]
pub enum Key {
    /// An id.
    Id(Uuid),
    /// Text, such as an email address.
    Text(String),
}

/// One table's rows, each its columns in the file's order.
#[derive(Debug, Clone, PartialEq)]
pub struct Rows {
    /// The table.
    pub table: &'static str,
    /// The columns read.
    pub columns: Vec<&'static str>,
    /// The rows.
    pub rows: Vec<Vec<Value>>,
}

/// The classified columns of `table` that go into a subject access request.
pub fn subject_columns(table: &str) -> Vec<&'static Column> {
    all()
        .iter()
        .filter(|c| c.table == table && c.subject_access)
        .collect()
}

fn sqlite_value(row: &sqlx::sqlite::SqliteRow, i: usize) -> StoreResult<Value> {
    let raw = row.try_get_raw(i)?;
    if raw.is_null() {
        return Ok(Value::Null);
    }
    Ok(match raw.type_info().name() {
        "INTEGER" | "BOOLEAN" => Value::from(row.try_get::<i64, _>(i)?),
        "REAL" => Value::from(row.try_get::<f64, _>(i)?),
        "TEXT" => Value::from(row.try_get::<String, _>(i)?),
        // Ids are 16-byte blobs on SQLite.
        _ => match row.try_get::<Vec<u8>, _>(i)? {
            b if b.len() == 16 => Value::from(
                Uuid::from_slice(&b)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?
                    .to_string(),
            ),
            b => Value::from(format!("({} bytes)", b.len())),
        },
    })
}

fn postgres_value(row: &sqlx::postgres::PgRow, i: usize) -> StoreResult<Value> {
    let raw = row.try_get_raw(i)?;
    if raw.is_null() {
        return Ok(Value::Null);
    }
    Ok(match raw.type_info().name() {
        "INT8" => Value::from(row.try_get::<i64, _>(i)?),
        "INT4" => Value::from(row.try_get::<i32, _>(i)?),
        "INT2" => Value::from(row.try_get::<i16, _>(i)?),
        "FLOAT8" => Value::from(row.try_get::<f64, _>(i)?),
        "BOOL" => Value::from(row.try_get::<bool, _>(i)?),
        "UUID" => Value::from(row.try_get::<Uuid, _>(i)?.to_string()),
        "BYTEA" => Value::from(format!("({} bytes)", row.try_get::<Vec<u8>, _>(i)?.len())),
        _ => Value::from(row.try_get::<String, _>(i)?),
    })
}

impl Store {
    /// The subject-access columns of `table`'s rows where `column` is one of
    /// `keys` (`column` is a name from the classification, never typed by a
    /// person). Ids bind natively on both engines.
    pub async fn subject_rows(
        &self,
        table: &'static str,
        column: &str,
        keys: &[Key],
    ) -> StoreResult<Rows> {
        self.linked_subject_rows(table, column, keys, None).await
    }

    /// The same, with `link` (a column naming the record each row hangs
    /// off, such as `incident_id`) read first, whether or not it is itself
    /// exported, so each row can say which record it belongs to.
    pub async fn linked_subject_rows(
        &self,
        table: &'static str,
        column: &str,
        keys: &[Key],
        link: Option<&'static str>,
    ) -> StoreResult<Rows> {
        let wanted = subject_columns(table);
        let mut names: Vec<&'static str> = Vec::new();
        if let Some(l) = link.filter(|l| of(table, l).is_some()) {
            names.push(l);
        }
        names.extend(wanted.iter().map(|c| c.column).filter(|c| Some(*c) != link));
        let mut out = Rows {
            table,
            columns: names.clone(),
            rows: Vec::new(),
        };
        let known = of(table, column).is_some();
        if wanted.is_empty() || keys.is_empty() || !known {
            return Ok(out);
        }
        for chunk in keys.chunks(super::IDS_PER_READ) {
            let sql = format!(
                "select {} from {table} where {column} in ({})",
                names.join(", "),
                super::placeholders(chunk.len(), 1)
            );
            let read = match self.backend() {
                // BACKEND DIFFERENCE: each engine names its column types its own way.
                Backend::Sqlite { read, .. } => {
                    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
                    for k in chunk {
                        q = match k {
                            Key::Id(id) => q.bind(*id),
                            Key::Text(t) => q.bind(t.clone()),
                        };
                    }
                    let rows = q.fetch_all(read).await?;
                    rows.iter()
                        .map(|r| (0..r.columns().len()).map(|i| sqlite_value(r, i)).collect())
                        .collect::<StoreResult<Vec<Vec<Value>>>>()?
                }
                Backend::Postgres(pool) => {
                    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
                    for k in chunk {
                        q = match k {
                            Key::Id(id) => q.bind(*id),
                            Key::Text(t) => q.bind(t.clone()),
                        };
                    }
                    let rows = q.fetch_all(pool).await?;
                    rows.iter()
                        .map(|r| {
                            (0..r.columns().len())
                                .map(|i| postgres_value(r, i))
                                .collect()
                        })
                        .collect::<StoreResult<Vec<Vec<Value>>>>()?
                }
            };
            out.rows.extend(read);
        }
        Ok(out)
    }

    /// Ids from `select {id} from {table} where {column} = key`, to follow
    /// one table's rows to another's (names from the classification).
    pub async fn ids_where(
        &self,
        table: &str,
        id: &str,
        column: &str,
        key: &Key,
    ) -> StoreResult<Vec<Uuid>> {
        let sql = format!("select {id} from {table} where {column} = $1");
        super::on_read!(self, |p| {
            let q = sqlx::query_scalar::<_, Uuid>(sqlx::AssertSqlSafe(sql.as_str()));
            let q = match key {
                Key::Id(k) => q.bind(*k),
                Key::Text(t) => q.bind(t.clone()),
            };
            Ok(q.fetch_all(p).await?)
        })
    }
}
