//! Many rows into one table in few statements: the demo's five years of
//! history at scale. Table and column names come from code, never from
//! input; every value is bound.

use super::{StoreResult, Tx, on_tx};
use uuid::Uuid;

/// One value of a row, typed so a null binds with its column's type.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A uuid (blob in SQLite, uuid in PostgreSQL), or null.
    Uuid(Option<Uuid>),
    /// An integer (bigint in PostgreSQL), or null.
    Int(Option<i64>),
    /// Text, or null.
    Text(Option<String>),
    /// A flag (integer in SQLite, boolean in PostgreSQL).
    Bool(bool),
}

impl From<Uuid> for Value {
    fn from(v: Uuid) -> Self {
        Value::Uuid(Some(v))
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(Some(v))
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(Some(v.to_owned()))
    }
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(Some(v))
    }
}

impl From<Option<i64>> for Value {
    fn from(v: Option<i64>) -> Self {
        Value::Int(v)
    }
}

impl From<Option<&str>> for Value {
    fn from(v: Option<&str>) -> Self {
        Value::Text(v.map(str::to_owned))
    }
}

impl From<Option<Uuid>> for Value {
    fn from(v: Option<Uuid>) -> Self {
        Value::Uuid(v)
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}

/// Binds stay under SQLite's limit of 32,766 per statement.
const MAX_BINDS: usize = 30_000;

/// The multi-row insert for `rows` rows of `columns` columns, with
/// numbered placeholders (`$1`, PostgreSQL) or anonymous ones (`?`,
/// SQLite: looking up a numbered one walks a list of them all, so binding
/// thousands of them costs time in the square of their number).
fn insert_sql(table: &str, columns: &[&str], rows: usize, numbered: bool) -> String {
    let width = columns.len();
    let values: Vec<String> = (0..rows)
        .map(|r| {
            let p: Vec<String> = (1..=width)
                .map(|c| {
                    if numbered {
                        format!("${}", r * width + c)
                    } else {
                        "?".to_owned()
                    }
                })
                .collect();
            format!("({})", p.join(", "))
        })
        .collect();
    format!(
        "insert into {table} ({}) values {}",
        columns.join(", "),
        values.join(", ")
    )
}

/// Inserts `rows` (each as many values as `columns`, in that order) into
/// `table`, in as few statements as the bind limit allows.
pub async fn insert_rows(
    tx: &mut Tx,
    table: &'static str,
    columns: &[&'static str],
    rows: &[Vec<Value>],
) -> StoreResult<()> {
    if columns.is_empty() {
        return Ok(());
    }
    let per = (MAX_BINDS / columns.len()).max(1);
    let numbered = !matches!(tx, Tx::Sqlite(..));
    for chunk in rows.chunks(per) {
        let sql = insert_sql(table, columns, chunk.len(), numbered);
        on_tx!(tx, |c| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
            for row in chunk {
                debug_assert_eq!(
                    row.len(),
                    columns.len(),
                    "{table}: a row of the wrong width"
                );
                for v in row {
                    q = match v {
                        Value::Uuid(v) => q.bind(*v),
                        Value::Int(v) => q.bind(*v),
                        Value::Text(v) => q.bind(v.clone()),
                        Value::Bool(v) => q.bind(*v),
                    };
                }
            }
            q.execute(&mut *c).await?;
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_every_bind_once_in_row_order() {
        assert_eq!(
            insert_sql("t", &["a", "b"], 2, true),
            "insert into t (a, b) values ($1, $2), ($3, $4)"
        );
        assert_eq!(
            insert_sql("t", &["a", "b"], 2, false),
            "insert into t (a, b) values (?, ?), (?, ?)"
        );
    }
}
