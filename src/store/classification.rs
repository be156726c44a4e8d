//! How sensitive each column of each table is, whether it goes into a
//! subject access request, and how long it is kept: read from
//! `migrations/classification.txt`, which the tests check against the schema.

/// How sensitive a column is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sensitivity {
    /// Nothing about a person.
    None,
    /// About a person.
    Personal,
    /// About a member of staff.
    Staff,
    /// Special category: health or care, or free text that may hold it.
    Health,
    /// A credential or hash that never leaves the database.
    Secret,
}

/// The periods columns are kept for (defined in the file's header).
pub const RETENTIONS: &[&str] = &[
    "incident",
    "register",
    "learning",
    "audit",
    "draft",
    "derived",
    "system",
    "session",
    "attempts-90d",
    "address-1d",
    "email-90d",
];

/// One column's classification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// Its table.
    pub table: &'static str,
    /// Its name.
    pub column: &'static str,
    /// How sensitive it is.
    pub sensitivity: Sensitivity,
    /// Whether it goes into a subject access request.
    pub subject_access: bool,
    /// How long it is kept: one of [`RETENTIONS`].
    pub retention: &'static str,
}

/// Every classified column, read once (empty if the file does not read,
/// which its test rules out).
pub fn all() -> &'static [Column] {
    static ALL: std::sync::LazyLock<Vec<Column>> =
        std::sync::LazyLock::new(|| columns().unwrap_or_default());
    &ALL
}

/// How `table.column` is classified.
pub fn of(table: &str, column: &str) -> Option<&'static Column> {
    all()
        .iter()
        .find(|c| c.table == table && c.column == column)
}

/// The file, as built into the binary.
pub const FILE: &str = include_str!("../../migrations/classification.txt");

/// Every classified column, or the first line that is not one.
pub fn columns() -> Result<Vec<Column>, String> {
    FILE.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(|(i, line)| parse(line).ok_or_else(|| format!("line {}: {line:?}", i + 1)))
        .collect()
}

fn parse(line: &'static str) -> Option<Column> {
    let mut words = line.split_whitespace();
    let (table, column) = words.next()?.split_once('.')?;
    let sensitivity = match words.next()? {
        "none" => Sensitivity::None,
        "personal" => Sensitivity::Personal,
        "staff" => Sensitivity::Staff,
        "health" => Sensitivity::Health,
        "secret" => Sensitivity::Secret,
        _ => return None,
    };
    let subject_access = match words.next()? {
        "yes" => true,
        "no" => false,
        _ => return None,
    };
    let kept = words.next()?;
    let retention = RETENTIONS.iter().copied().find(|r| *r == kept)?;
    if words.next().is_some() || (subject_access && sensitivity == Sensitivity::Secret) {
        return None;
    }
    Some(Column {
        table,
        column,
        sensitivity,
        subject_access,
        retention,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_of_the_file_reads_and_secrets_never_go_out() {
        let all = columns().unwrap_or_else(|e| panic!("{e}"));
        assert!(all.len() > 600);
        assert!(
            all.iter()
                .filter(|c| c.sensitivity == Sensitivity::Secret)
                .all(|c| !c.subject_access)
        );
        for bad in [
            "incident.description health yes forever",
            "incident.description secret yes incident",
            "incident.description loud yes incident",
            "incident description health yes incident",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
