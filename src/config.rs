//! Configuration: command-line flags, then `CANDOUR_*` environment variables
//! (clap reads both), then an optional TOML file (`--config`), then defaults.

use serde::Deserialize;
use std::path::Path;

/// The default database: a SQLite file in `candour-data/`, created on first run.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://candour-data/candour.db";
/// The default listen address.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// Settings that may come from the TOML file.
#[derive(Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// Database URL.
    pub database: Option<String>,
    /// Listen address.
    pub listen: Option<String>,
    /// Whether to mark cookies Secure.
    pub secure_cookies: Option<bool>,
    /// Whether to trust X-Forwarded-For from a reverse proxy.
    pub trust_proxy: Option<bool>,
    /// Largest photo or document added to a report, in MB.
    pub max_upload_mb: Option<u64>,
    /// `human` or `json`.
    pub log_format: Option<String>,
    /// The address people use to reach Candour, for links in emails.
    pub public_url: Option<String>,
    /// SMTP server URL for email.
    pub smtp_url: Option<String>,
    /// The From address of emails.
    pub mail_from: Option<String>,
    /// Tries before an email is given up as failed.
    pub email_max_attempts: Option<i64>,
    /// The bearer token `/metrics` asks for on the main address.
    pub metrics_token: Option<String>,
    /// A separate address serving only `/metrics`, with no token.
    pub metrics_listen: Option<String>,
    /// The file holding the audit trail's key.
    pub audit_key_file: Option<std::path::PathBuf>,
}

impl FileConfig {
    /// Reads a TOML file; a missing or malformed file is an error naming the path.
    pub fn load(path: &Path) -> anyhow::Result<FileConfig> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            anyhow::anyhow!("cannot read the configuration file {}: {e}", path.display())
        })?;
        toml::from_str(&text).map_err(|e| {
            anyhow::anyhow!(
                "the configuration file {} is not valid: {e}",
                path.display()
            )
        })
    }
}

/// A commented example configuration (`candour config example`).
pub const EXAMPLE: &str = r#"# Candour configuration. Every setting can also be given as a command-line flag
# or a CANDOUR_* environment variable; flags win over the environment, and the
# environment wins over this file.

# Where the data lives. SQLite (the default) needs nothing else installed:
#   database = "sqlite://candour-data/candour.db"
# PostgreSQL, for a care group running several instances:
#   database = "postgres://candour:secret@db.example.internal/candour"
# Environment: CANDOUR_DATABASE_URL
database = "sqlite://candour-data/candour.db"

# The address and port to listen on. Put a TLS-terminating proxy in front of
# Candour on any network other than the machine itself.
# Environment: CANDOUR_LISTEN
listen = "127.0.0.1:8080"

# Mark session cookies Secure (send only over HTTPS). Turn on when served over TLS.
# Environment: CANDOUR_SECURE_COOKIES
secure_cookies = false

# Behind a reverse proxy (nginx, a load balancer), take the client's address
# from X-Forwarded-For, so sign-in throttling counts each person's address
# rather than the proxy's. Only turn on when the proxy sets that header.
# Environment: CANDOUR_TRUST_PROXY
trust_proxy = false

# Largest photo or document that can be added to a report, in MB.
# Environment: CANDOUR_MAX_UPLOAD_MB
max_upload_mb = 10

# Log format: "human" (default) or "json" for a log collector.
# Environment: CANDOUR_LOG_FORMAT
log_format = "human"

# The address people use to reach Candour, for links in emails.
# Environment: CANDOUR_PUBLIC_URL
# public_url = "https://candour.example.org"

# Email: an SMTP server and the From address. Reporters are told by email
# when a manager gives feedback. Without an SMTP server, emails wait in the
# outbox and are sent once one is set.
#   smtp_url = "smtp://relay.example.internal:25"                    (no TLS, a relay on your network)
#   smtp_url = "smtp://user:password@smtp.example.org:587?tls=required" (STARTTLS)
#   smtp_url = "smtps://user:password@smtp.example.org:465"             (TLS)
# Environment: CANDOUR_SMTP_URL, CANDOUR_MAIL_FROM
# mail_from = "Candour <candour@example.org>"

# An email the server turns away for a passing reason is tried again, waiting
# longer each time (1 minute, 5, 15, 30, then hours); after this many tries it
# is given up as failed and kept, with the error, for you to look at.
# Environment: CANDOUR_EMAIL_MAX_ATTEMPTS
email_max_attempts = 8

# Prometheus metrics (/metrics) are not open to everyone on the main address:
# either scrape them there with this bearer token, or serve them on a separate
# address reachable only from your monitoring network (no token there).
# Without either, /metrics answers 404.
# Environment: CANDOUR_METRICS_TOKEN, CANDOUR_METRICS_LISTEN
# metrics_token = "a long random string"
# metrics_listen = "127.0.0.1:9464"

# The key the audit trail's hash chain is made with: 64 hex digits, made the
# first time Candour opens a database. Keep a copy apart from the database
# and its backups (whoever holds both could rewrite the trail unseen), and
# give every instance on one PostgreSQL database the same file. By default
# audit.key beside a SQLite database, else candour-data/audit.key.
# Environment: CANDOUR_AUDIT_KEY_FILE
# audit_key_file = "/etc/candour/audit.key"
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_printed_example_is_a_valid_configuration() {
        let parsed: Result<FileConfig, _> = toml::from_str(EXAMPLE);
        let parsed = parsed.map_err(|e| e.to_string());
        assert_eq!(
            parsed,
            Ok(FileConfig {
                database: Some(DEFAULT_DATABASE_URL.to_owned()),
                listen: Some(DEFAULT_LISTEN.to_owned()),
                secure_cookies: Some(false),
                trust_proxy: Some(false),
                max_upload_mb: Some(10),
                log_format: Some("human".to_owned()),
                public_url: None,
                smtp_url: None,
                mail_from: None,
                email_max_attempts: Some(8),
                metrics_token: None,
                metrics_listen: None,
                audit_key_file: None,
            })
        );
    }

    #[test]
    fn an_unknown_setting_is_refused() {
        assert!(toml::from_str::<FileConfig>("databse = \"x\"").is_err());
    }
}
