//! The audit key's file: where it is looked for, and making it the first
//! time. The key keys the audit trail's hash chain (`candour_domain::audit`)
//! and must be kept apart from the database and its backups: whoever holds
//! both could rewrite the trail undetected.
//!
//! It is looked for, in order, at `--audit-key-file` (`CANDOUR_AUDIT_KEY_FILE`,
//! `audit_key_file` in the configuration file), else beside a SQLite
//! database (`audit.key` in its folder), else at `candour-data/audit.key`.
//! Several instances on one PostgreSQL database must be given the same file.

use crate::actions::audit::{Keyed, use_audit_key};
use crate::store::Store;
use candour_domain::audit::AuditKey;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The file's name where none is given.
pub const FILE_NAME: &str = "audit.key";

/// Where the key is looked for when no file is named: beside a SQLite
/// database, else in `candour-data/`.
pub fn default_path(database_url: &str) -> PathBuf {
    let sqlite_file = database_url
        .strip_prefix("sqlite://")
        .or_else(|| database_url.strip_prefix("sqlite:"))
        .map(|rest| rest.split('?').next().unwrap_or(rest))
        .filter(|p| !p.is_empty() && *p != ":memory:");
    match sqlite_file.map(Path::new).and_then(Path::parent) {
        Some(dir) if !dir.as_os_str().is_empty() => dir.join(FILE_NAME),
        Some(_) => PathBuf::from(FILE_NAME),
        None => Path::new("candour-data").join(FILE_NAME),
    }
}

/// The key in `path`, or a new one written there (readable by its owner
/// only) when there is none yet; the flag says whether it was made now.
/// Made atomically: two processes starting together end with one key.
pub fn load_or_create(path: &Path) -> anyhow::Result<(AuditKey, bool)> {
    if let Some(key) = load(path)? {
        return Ok((key, false));
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| anyhow::anyhow!("cannot create the folder {}: {e}", dir.display()))?;
    }
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| anyhow::anyhow!("the system random source failed: {e}"))?;
    let key = AuditKey::from_bytes(bytes);
    // Written whole under another name, then linked into place: a link never
    // replaces a file, so whoever links first wins and the others read theirs.
    let temp = path.with_extension(format!("new-{}", uuid::Uuid::now_v7().simple()));
    {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut f = options
            .open(&temp)
            .map_err(|e| anyhow::anyhow!("cannot write the audit key {}: {e}", temp.display()))?;
        writeln!(f, "{}", key.to_text())?;
        f.sync_all()?;
    }
    let linked = std::fs::hard_link(&temp, path);
    let _ = std::fs::remove_file(&temp);
    match linked {
        Ok(()) => Ok((key, true)),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let key = load(path)?.ok_or_else(|| {
                anyhow::anyhow!("the audit key {} vanished as it was made", path.display())
            })?;
            Ok((key, false))
        }
        Err(e) => Err(anyhow::anyhow!(
            "cannot write the audit key {}: {e}",
            path.display()
        )),
    }
}

/// A store given its audit key.
#[derive(Debug)]
pub struct Attached {
    /// The store, appending audit events with the key.
    pub store: Store,
    /// Whether the key file was made now (the operator must keep a copy apart).
    pub created: bool,
    /// What keying did to chains written before the chain was keyed.
    pub keyed: Keyed,
}

/// Gives `store` the key in `path`: made there first if the file is missing
/// and the database has never seen a key; refused if the file is missing
/// but the database's trail was made with a key (a new key would fork it),
/// or if the file holds another key than the trail's.
pub async fn attach(store: Store, path: &Path, now_ms: i64) -> anyhow::Result<Attached> {
    let (key, created) = match load(path)? {
        Some(key) => (key, false),
        None => match store.recorded_audit_key().await? {
            Some(id) => anyhow::bail!(
                "the audit key file {} is missing, and this database's audit trail is made with key {id}: put that key file back (from where it is kept apart from the database) or name it with --audit-key-file",
                path.display()
            ),
            None => load_or_create(path)?,
        },
    };
    let (store, keyed) = use_audit_key(store, key, now_ms)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(Attached {
        store,
        created,
        keyed,
    })
}

/// The key in `path`, or `None` when there is no such file.
pub fn load(path: &Path) -> anyhow::Result<Option<AuditKey>> {
    match std::fs::read_to_string(path) {
        Ok(text) => AuditKey::parse(&text)
            .map(Some)
            .map_err(|e| anyhow::anyhow!("the audit key {} is not valid: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(anyhow::anyhow!(
            "cannot read the audit key {}: {e}",
            path.display()
        )),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_key_lives_beside_a_sqlite_database_else_in_candour_data() {
        for (url, want) in [
            (
                "sqlite:///var/lib/candour/candour.db",
                "/var/lib/candour/audit.key",
            ),
            ("sqlite://candour-data/demo.db", "candour-data/audit.key"),
            ("sqlite://demo.db?mode=rwc", "audit.key"),
            ("postgres://u@h/db", "candour-data/audit.key"),
        ] {
            assert_eq!(default_path(url), PathBuf::from(want), "{url}");
        }
    }

    #[test]
    fn a_key_is_made_once_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys").join(FILE_NAME);
        assert!(load(&path).unwrap().is_none());
        let (made, new) = load_or_create(&path).unwrap();
        assert!(new);
        let (again, new) = load_or_create(&path).unwrap();
        assert!(!new);
        assert_eq!(made, again);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "readable by its owner only");
        }
        std::fs::write(&path, "not a key").unwrap();
        assert!(load(&path).is_err());
    }

    #[test]
    fn processes_making_the_key_at_once_end_with_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        let keys: Vec<AuditKey> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8)
                .map(|_| s.spawn(|| load_or_create(&path).unwrap().0))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert!(keys.windows(2).all(|w| w[0] == w[1]));
    }
}
