//! Subject access (UK GDPR article 15): everything Candour holds about one
//! person using a service, or one member of staff, as one ZIP: each table's
//! rows as JSON and CSV, the person's photos and documents, and a readable
//! PDF with an index. The columns are those `migrations/classification.txt`
//! marks for subject access, never a secret; other people using services
//! are redacted (their names in free text, their ids), while staff acting
//! in their work are named. Every export is audited.

use super::{ActionError, ActionResult, Actor, Ctx, service_where};
use crate::store::classification::{self, Sensitivity};
use crate::store::subject_access::{Key, Rows};
use crate::typeset::Typesetter;
use candour_domain::display;
use candour_domain::evidence::redact;
use candour_domain::ids::{OrganisationId, PersonId, UserId};
use candour_domain::incident::london;
use candour_domain::role::Permission;
use candour_pdf::{Job, Kind, PlainDocument, Row, Section};
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::io::Write;

/// What stands in for another person using a service.
const SOMEONE: &str = "[another person]";

/// Tables whose rows hang off an incident, read for each of the person's incidents.
const INCIDENT_TABLES: &[&str] = &[
    "incident_addendum",
    "incident_feedback",
    "incident_grading",
    "incident_assessment",
    "incident_sign_off",
    "incident_transition",
    "openness_record",
    "review_involvement",
    "reflective_practice",
    "duty_step",
    "duty_decision",
    "duty_draft",
    "timescale_breach",
    "case_message",
    "attachment",
    "investigation",
];

/// Tables read for a member of staff by their id in this column.
const STAFF_TABLES: &[(&str, &str)] = &[
    ("app_user", "user_id"),
    ("role_grant", "user_id"),
    ("api_token", "user_id"),
    ("digest_subscription", "user_id"),
    ("incident_staff", "user_id"),
    ("lesson_acknowledgement", "user_id"),
    ("notification", "user_id"),
    ("supervision_reflection", "staff_id"),
];

/// A subject access export, made.
#[derive(Debug, Clone)]
pub struct Export {
    /// The ZIP's file name.
    pub file_name: String,
    /// The ZIP.
    pub zip: Vec<u8>,
    /// Each file of rows and how many rows it holds.
    pub files: Listing,
}

/// Each file of rows an export wrote, and how many rows it holds.
type Listing = Vec<(String, usize)>;

/// Everything gathered about one subject, before it is written out.
struct Gathered {
    /// "P-000123", or the member of staff's name and email.
    subject: String,
    /// The file-name-safe form of `subject`.
    slug: String,
    org: OrganisationId,
    tables: Vec<(String, Rows)>,
    files: Vec<(String, Vec<u8>)>,
    /// Staff by id, named as they work.
    staff: HashMap<String, String>,
    /// People using services by id: the subject's own code, or [`SOMEONE`].
    people: HashMap<String, String>,
    /// (name, what replaces it) for free text.
    redactions: Vec<(String, String)>,
    /// Incidents and investigations by id, as people know them (`INC-000123`).
    references: HashMap<String, String>,
    /// Made by a member of staff in the app (not by an operator).
    made_by_staff: bool,
}

/// Everything about a person using a service, for someone who may manage
/// the people of their service; audited.
pub async fn export_person(ctx: &Ctx, actor: &Actor, person: PersonId) -> ActionResult<Export> {
    let found = ctx
        .store
        .person_by_id(actor.organisation_id, person)
        .await?
        .ok_or(ActionError::NotFound)?;
    service_where(ctx, actor, found.service_id, Permission::ManagePeople).await?;
    // A report naming the actor as alleged to have caused harm does not
    // exist for them, here too: an export they make leaves it out, and
    // says (whoever makes it) that an administrator can make a full one.
    let mut g = gather_person(ctx, actor.organisation_id, person, Some(actor.user_id)).await?;
    g.made_by_staff = true;
    finish(ctx, g, ("person", person.to_string()), &actor.audit_name()).await
}

/// The same for an operator at the command line (`candour subject-access`).
pub async fn export_person_as(
    ctx: &Ctx,
    org: OrganisationId,
    person: PersonId,
    by: &str,
) -> ActionResult<Export> {
    let g = gather_person(ctx, org, person, None).await?;
    finish(ctx, g, ("person", person.to_string()), by).await
}

/// Everything about a member of staff, for someone who manages users; audited.
pub async fn export_staff(ctx: &Ctx, actor: &Actor, user: UserId) -> ActionResult<Export> {
    if !actor.can_anywhere(Permission::ManageUsers) {
        return Err(ActionError::Forbidden);
    }
    let found = ctx.store.user(user).await?;
    if found.organisation_id != actor.organisation_id {
        return Err(ActionError::NotFound);
    }
    export_staff_as(ctx, actor.organisation_id, user, &actor.audit_name()).await
}

/// The same for an operator at the command line.
pub async fn export_staff_as(
    ctx: &Ctx,
    org: OrganisationId,
    user: UserId,
    by: &str,
) -> ActionResult<Export> {
    let g = gather_staff(ctx, org, user).await?;
    finish(ctx, g, ("user", user.to_string()), by).await
}

/// Names of staff, and (name, replacement) of every person using a service.
async fn who_is_who(
    ctx: &Ctx,
    org: OrganisationId,
    subject: Option<PersonId>,
) -> ActionResult<(
    HashMap<String, String>,
    HashMap<String, String>,
    Vec<(String, String)>,
)> {
    let staff = ctx
        .store
        .users(org)
        .await?
        .into_iter()
        .map(|u| (u.user_id.to_string(), u.display_name))
        .collect();
    let mut people = HashMap::new();
    let mut redactions = Vec::new();
    for service in ctx.store.services(org).await? {
        for p in ctx.store.people_of_service(org, service.service_id).await? {
            if Some(p.person_id) == subject {
                people.insert(p.person_id.to_string(), p.internal_code.clone());
            } else {
                people.insert(p.person_id.to_string(), SOMEONE.to_owned());
                redactions.push((p.display_name.clone(), SOMEONE.to_owned()));
            }
        }
    }
    Ok((staff, people, redactions))
}

async fn gather_person(
    ctx: &Ctx,
    org: OrganisationId,
    person: PersonId,
    hidden_from: Option<UserId>,
) -> ActionResult<Gathered> {
    let found = ctx
        .store
        .person_by_id(org, person)
        .await?
        .ok_or(ActionError::NotFound)?;
    let (staff, people, redactions) = who_is_who(ctx, org, Some(person)).await?;
    let key = [Key::Id(person.0)];
    let store = &ctx.store;
    let mut tables = Vec::new();
    for t in [
        "person",
        "incident_person",
        "learning_log",
        "person_risk",
        "person_risk_review",
    ] {
        let rows = store
            .linked_subject_rows(t, "person_id", &key, Some("incident_id"))
            .await?;
        tables.push((t.to_owned(), rows));
    }
    let hidden = match hidden_from {
        Some(u) => store.hidden_from(u).await?,
        None => Default::default(),
    };
    let incidents: Vec<Key> = store
        .ids_where("incident_person", "incident_id", "person_id", &key[0])
        .await?
        .into_iter()
        .filter(|id| !hidden.contains(&candour_domain::ids::IncidentId(*id)))
        .map(Key::Id)
        .collect();
    let link = Some("incident_id");
    tables.push((
        "incident".to_owned(),
        store
            .subject_rows("incident", "incident_id", &incidents)
            .await?,
    ));
    for t in INCIDENT_TABLES {
        let rows = store
            .linked_subject_rows(t, "incident_id", &incidents, link)
            .await?;
        tables.push(((*t).to_owned(), rows));
    }
    // What the person's rows link to, named as people know them.
    let mut references = HashMap::new();
    let mut investigations = Vec::new();
    for i in &incidents {
        let Key::Id(id) = i else { continue };
        if let Some(s) = store
            .incident_by_id(org, candour_domain::ids::IncidentId(*id))
            .await?
        {
            references.insert(id.to_string(), s.reference.to_string());
        }
        for inv in store
            .ids_where("investigation", "investigation_id", "incident_id", i)
            .await?
        {
            let shown = references.get(&id.to_string()).map_or_else(
                || "an investigation".to_owned(),
                |r| format!("the investigation of {r}"),
            );
            references.insert(inv.to_string(), shown);
            investigations.push(Key::Id(inv));
        }
    }
    for t in [
        "investigation_event",
        "investigation_factor",
        "investigation_meeting",
    ] {
        let rows = store
            .linked_subject_rows(
                t,
                "investigation_id",
                &investigations,
                Some("investigation_id"),
            )
            .await?;
        tables.push((t.to_owned(), rows));
    }
    tables.push((
        "audit_event".to_owned(),
        store
            .subject_rows("audit_event", "record_id", &[Key::Text(person.to_string())])
            .await?,
    ));
    // The photos and documents of their reports, as they were sent.
    let mut files = Vec::new();
    for i in &incidents {
        let Key::Id(id) = i else { continue };
        let incident = candour_domain::ids::IncidentId(*id);
        let reference = store
            .incident_by_id(org, incident)
            .await?
            .map(|s| s.reference.to_string())
            .unwrap_or_else(|| id.to_string());
        for a in store.attachments(incident).await? {
            if let Some((_, bytes)) = store.attachment_content(incident, a.attachment_id).await? {
                let name = redact(&a.file_name, &redactions).replace(['/', '\\'], "_");
                let path = unique_path(&files, &format!("attachments/{reference}"), &name);
                files.push((path, bytes));
            }
        }
    }
    Ok(Gathered {
        subject: found.internal_code.clone(),
        slug: found.internal_code.clone(),
        org,
        tables,
        files,
        staff,
        people,
        redactions,
        references,
        made_by_staff: false,
    })
}

async fn gather_staff(ctx: &Ctx, org: OrganisationId, user: UserId) -> ActionResult<Gathered> {
    let found = ctx.store.user(user).await?;
    if found.organisation_id != org {
        return Err(ActionError::NotFound);
    }
    let (staff, people, redactions) = who_is_who(ctx, org, None).await?;
    let key = [Key::Id(user.0)];
    let store = &ctx.store;
    let mut tables = Vec::new();
    for (t, c) in STAFF_TABLES {
        tables.push(((*t).to_owned(), store.subject_rows(t, c, &key).await?));
    }
    // Every other record naming them by a column about staff (who reported,
    // handled, wrote, decided): each table once for each such column.
    let covered: Vec<&str> = STAFF_TABLES.iter().map(|(t, _)| *t).collect();
    for c in classification::all() {
        let refers = c.column.ends_with("_by")
            || [
                "author_id",
                "owner_id",
                "handler_id",
                "lead_id",
                "supervisor_id",
                "actor_id",
                "user_id",
            ]
            .contains(&c.column);
        if c.sensitivity != Sensitivity::Staff
            || !refers
            || covered.contains(&c.table)
            || c.table.starts_with("audit")
            || c.retention.ends_with("-90d")
        {
            continue;
        }
        let rows = store.subject_rows(c.table, c.column, &key).await?;
        if !rows.rows.is_empty() {
            tables.push((format!("{} ({})", c.table, c.column), rows));
        }
    }
    for table in ["login_attempt", "password_reset_request"] {
        tables.push((
            table.to_owned(),
            store
                .subject_rows(table, "email", &[Key::Text(found.email.clone())])
                .await?,
        ));
    }
    tables.push((
        "audit_event".to_owned(),
        store
            .subject_rows("audit_event", "actor", &[Key::Text(user.to_string())])
            .await?,
    ));
    let slug: String = found
        .email
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    Ok(Gathered {
        subject: format!("{} <{}>", found.display_name, found.email),
        slug,
        org,
        tables,
        files: Vec::new(),
        staff,
        people,
        redactions,
        references: HashMap::new(),
        made_by_staff: false,
    })
}

/// `folder/name`, or `folder/stem (2).ext` and so on when a file already
/// has that path (two photos sent with one name): a ZIP holds each path once.
fn unique_path(files: &[(String, Vec<u8>)], folder: &str, name: &str) -> String {
    let taken = |p: &str| files.iter().any(|(f, _)| f == p);
    let first = format!("{folder}/{name}");
    if !taken(&first) {
        return first;
    }
    let (stem, ext) = match name.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() => (s, format!(".{e}")),
        _ => (name, String::new()),
    };
    (2..)
        .map(|n| format!("{folder}/{stem} ({n}){ext}"))
        .find(|p| !taken(p))
        .unwrap_or(first)
}

impl Gathered {
    /// One cell as it is shown: times in UK time, staff by name, people by
    /// code or not at all, free text with other people's names replaced.
    fn cell(&self, table: &str, column: &str, v: &Value) -> Value {
        let sensitivity = classification::of(table, column).map(|c| c.sensitivity);
        match v {
            Value::Number(n) if column.ends_with("_at") => n
                .as_i64()
                .map(|ms| Value::from(display::date_time_ms(ms)))
                .unwrap_or_else(|| v.clone()),
            Value::String(s) if column == "incident_id" || column == "investigation_id" => {
                Value::from(self.references.get(s).cloned().unwrap_or_default())
            }
            Value::Number(n) if column == "reference_number" && table == "incident" => n
                .as_i64()
                .map(|n| Value::from(format!("INC-{n:06}")))
                .unwrap_or_else(|| v.clone()),
            Value::String(s) if column == "person_id" => Value::from(
                self.people
                    .get(s)
                    .cloned()
                    .unwrap_or_else(|| SOMEONE.to_owned()),
            ),
            Value::String(s)
                if sensitivity == Some(Sensitivity::Staff) && self.staff.contains_key(s) =>
            {
                Value::from(self.staff[s].clone())
            }
            Value::String(s) => Value::from(redact(s, &self.redactions)),
            other => other.clone(),
        }
    }

    fn shown(&self, rows: &Rows) -> Vec<Vec<Value>> {
        rows.rows
            .iter()
            .map(|r| {
                r.iter()
                    .zip(&rows.columns)
                    .map(|(v, c)| self.cell(rows.table, c, v))
                    .collect()
            })
            .collect()
    }

    fn zip(
        &self,
        made: jiff::Timestamp,
        by: &str,
        typesetter: &Typesetter,
    ) -> ActionResult<(Vec<u8>, Listing)> {
        let io = |e: std::io::Error| ActionError::Internal(anyhow::anyhow!(e));
        let zerr = |e: zip::result::ZipError| ActionError::Internal(anyhow::anyhow!(e));
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        let mut add = |name: &str, bytes: &[u8]| -> ActionResult<()> {
            w.start_file(name, opts).map_err(zerr)?;
            w.write_all(bytes).map_err(io)
        };
        let mut listed = Vec::new();
        let mut sections = Vec::new();
        let mut everything = Map::new();
        for (name, rows) in self.tables.iter().filter(|(_, r)| !r.rows.is_empty()) {
            let file = name.replace([' ', '(', ')'], "_").replace("__", "_");
            let file = file.trim_end_matches('_');
            let shown = self.shown(rows);
            let objects: Vec<Value> = shown
                .iter()
                .map(|r| {
                    Value::Object(
                        rows.columns
                            .iter()
                            .map(|c| (c.to_string(), Value::Null))
                            .zip(r)
                            .map(|((c, _), v)| (c, v.clone()))
                            .collect(),
                    )
                })
                .collect();
            everything.insert(name.clone(), Value::from(objects.clone()));
            let text = |v: &Value| match v {
                Value::String(s) => s.clone(),
                Value::Null => String::new(),
                other => other.to_string(),
            };
            let mut csv = candour_domain::csv::row(&rows.columns);
            for r in &shown {
                csv.push_str(&candour_domain::csv::row(
                    &r.iter().map(text).collect::<Vec<_>>(),
                ));
            }
            add(
                &format!("{file}.json"),
                serde_json::to_string_pretty(&objects)
                    .unwrap_or_default()
                    .as_bytes(),
            )?;
            add(&format!("{file}.csv"), csv.as_bytes())?;
            listed.push((file.to_owned(), shown.len()));
            sections.push(Section {
                heading: name.replace('_', " "),
                paragraphs: vec![format!(
                    "{} in {file}.json and {file}.csv.",
                    display::count_of(shown.len() as i64, "record", "records")
                )],
                header: rows.columns.iter().map(|c| c.replace('_', " ")).collect(),
                rows: shown
                    .iter()
                    .map(|r| Row(r.iter().map(text).collect()))
                    .collect(),
                empty: "None.".into(),
            });
        }
        for (path, bytes) in &self.files {
            add(path, bytes)?;
        }
        add(
            "everything.json",
            serde_json::to_string_pretty(&json!({
                "subject": self.subject,
                "made_at": made.to_string(),
                "made_by": by,
                "records": everything,
                "files": self.files.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>(),
            }))
            .unwrap_or_default()
            .as_bytes(),
        )?;
        let mut index = vec![Section {
            heading: "What is in this file".into(),
            paragraphs: vec![],
            header: vec!["File".into(), "Records".into()],
            rows: listed
                .iter()
                .map(|(f, n)| Row(vec![format!("{f}.json, {f}.csv"), n.to_string()]))
                .chain(
                    self.files
                        .iter()
                        .map(|(p, b)| Row(vec![p.clone(), format!("{} bytes", b.len())])),
                )
                .collect(),
            empty: "Nothing is held.".into(),
        }];
        index.extend(sections);
        let doc = PlainDocument {
            title: format!("Subject access: {}", self.subject),
            subtitle: format!(
                "Everything Candour holds, as of {} (UK time)",
                display::date_time(made)
            ),
            paragraphs: vec![
                format!(
                    "Made by {by} from Candour's records. Each kind of record is a JSON file and a CSV file for a spreadsheet, and is printed below; everything.json holds them all."
                ),
                format!(
                    "Other people using the service are not named: their names and records are shown as {SOMEONE}. Staff are named where they acted in their work. Passwords, tokens and other secrets are never included."
                ),
            ]
            .into_iter()
            .chain(self.made_by_staff.then(|| {
                "Made in the app by a member of staff. A report naming whoever makes an export as alleged to have caused harm is never in it, so an export for the person is made by someone no report about them names: an administrator, or an operator with candour subject-access.".to_owned()
            }))
            .collect(),
            sections: index,
            landscape: true,
            footer: format!("Candour subject access: {}", self.subject),
        };
        let today = made.to_zoned(london()).date();
        let pdf = typesetter
            .typeset(&Job {
                today: crate::typeset::day_of(today),
                document: Kind::Plain(doc),
            })
            .map_err(|e| ActionError::Internal(anyhow::anyhow!(e)))?;
        add("index.pdf", &pdf)?;
        let zip = w.finish().map_err(zerr)?.into_inner();
        Ok((zip, listed))
    }
}

/// Writes the export and audits it.
async fn finish(
    ctx: &Ctx,
    g: Gathered,
    (record_type, record_id): (&str, String),
    by: &str,
) -> ActionResult<Export> {
    let made = ctx.clock.now();
    let typesetter = ctx.typesetter.clone();
    let by_owned = by.to_owned();
    let (g, zip, files) = tokio::task::spawn_blocking(move || {
        g.zip(made, &by_owned, &typesetter).map(|(z, f)| (g, z, f))
    })
    .await
    .map_err(|e| ActionError::Internal(anyhow::anyhow!("the export stopped: {e}")))??;
    let day = made.to_zoned(london()).date();
    let file_name = format!("subject-access-{}-{day}.zip", g.slug);
    let mut tx = ctx.store.begin().await?;
    crate::store::audit::append(
        &mut tx,
        &crate::store::audit::NewAuditEvent {
            organisation_id: g.org,
            occurred_at_ms: made.as_millisecond(),
            actor: by,
            action: &format!("{record_type}.subject_access_exported"),
            record_type,
            record_id: &record_id,
            changes: &json!({
                "file": file_name,
                "files": files.iter().map(|(f, n)| json!({"file": f, "records": n})).collect::<Vec<_>>(),
                "attachments": g.files.len(),
            })
            .to_string(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Export {
        file_name,
        zip,
        files,
    })
}
