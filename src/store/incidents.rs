//! Incidents, near misses and good-practice reports. (Who was involved is
//! in `involvements`.)

use super::bulk::{Value, insert_rows};
use super::counters::reserve_numbers;
use super::triage::{CurrentGrading, grading_from};
use super::{PortableRow, Store, StoreResult, Tx, millis_to_ts, on_read, parse_code};
use candour_domain::ids::{AreaId, IncidentId, OrganisationId, PersonId, ServiceId, UserId};
use candour_domain::incident::{Category, EventKind, IncidentReference, IncidentStatus};
use candour_domain::involvement::InvolvementRole;
use jiff::Timestamp;

/// A row to insert.
#[derive(Debug, Clone)]
pub struct IncidentInsert<'a> {
    /// New id.
    pub incident_id: IncidentId,
    /// Organisation.
    pub organisation_id: OrganisationId,
    /// Service.
    pub service_id: ServiceId,
    /// Area, when given.
    pub area_id: Option<AreaId>,
    /// Reference number from [`next_reference`].
    pub reference: IncidentReference,
    /// Kind.
    pub kind: EventKind,
    /// Category.
    pub category: Category,
    /// When it happened.
    pub occurred_at: Timestamp,
    /// When it was reported.
    pub reported_at: Timestamp,
    /// Who reported it.
    pub reported_by: Option<UserId>,
    /// What happened.
    pub description: &'a str,
    /// What was done straight away.
    pub immediate_actions: &'a str,
    /// Others involved.
    pub others_involved: &'a str,
    /// The category's answers as JSON.
    pub details: &'a str,
    /// Who had been told, as a JSON array of codes.
    pub told: &'a str,
    /// When the reporter wrote it, if before it was sent.
    pub written_at: Option<Timestamp>,
    /// Who typed it in, when it was entered on the reporter's behalf.
    pub entered_by: Option<UserId>,
    /// When triage is due.
    pub triage_due_at: Timestamp,
    /// How far it has got, for demo and imported records (a new report has
    /// got nowhere yet: `None`).
    pub progress: Option<Progress>,
}

/// How far an incident has got when it is written in bulk (demo, import).
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    /// Its status.
    pub status: IncidentStatus,
    /// The current grading.
    pub grading: candour_domain::triage::Grading,
    /// When it was triaged.
    pub triaged_at: Timestamp,
    /// When its review is due.
    pub review_due_at: Timestamp,
    /// When it was closed, if it was.
    pub closed_at: Option<Timestamp>,
}

/// A stored incident with the names a reader needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Incident {
    /// Id.
    pub incident_id: IncidentId,
    /// Organisation.
    pub organisation_id: OrganisationId,
    /// Reference.
    pub reference: IncidentReference,
    /// Service.
    pub service_id: ServiceId,
    /// Service name.
    pub service_name: String,
    /// Area.
    pub area_id: Option<AreaId>,
    /// Area name.
    pub area_name: Option<String>,
    /// Kind.
    pub kind: EventKind,
    /// Category.
    pub category: Category,
    /// Status.
    pub status: IncidentStatus,
    /// When it happened.
    pub occurred_at: Timestamp,
    /// When it was reported.
    pub reported_at: Timestamp,
    /// Reporter.
    pub reported_by: Option<UserId>,
    /// Reporter's name.
    pub reporter_name: Option<String>,
    /// What happened.
    pub description: String,
    /// What was done straight away.
    pub immediate_actions: String,
    /// Others involved.
    pub others_involved: String,
    /// The category's answers as JSON.
    pub details_json: String,
    /// Who had been told, as a JSON array of codes.
    pub told_json: String,
    /// When the reporter wrote it, if before it was sent (queued offline).
    pub written_at: Option<Timestamp>,
    /// Who typed it in for the reporter, with their name.
    pub entered_by: Option<(UserId, String)>,
    /// Version, from 1.
    pub version: i64,
    /// When triage is due (set at report; absent only until the server sets it).
    pub triage_due_at: Option<Timestamp>,
    /// The current grading, once triaged.
    pub grading: Option<CurrentGrading>,
    /// When it was closed, if it is.
    pub closed_at: Option<Timestamp>,
}

/// A line in an incident list.
#[derive(Debug, Clone, PartialEq)]
pub struct IncidentSummary {
    /// Id (for cursors).
    pub incident_id: IncidentId,
    /// Reference.
    pub reference: IncidentReference,
    /// Service.
    pub service_id: ServiceId,
    /// Service name.
    pub service_name: String,
    /// Area name.
    pub area_name: Option<String>,
    /// Kind.
    pub kind: EventKind,
    /// Category.
    pub category: Category,
    /// Status.
    pub status: IncidentStatus,
    /// When it happened.
    pub occurred_at: Timestamp,
    /// When it was reported.
    pub reported_at: Timestamp,
    /// The first part of the description.
    pub description: String,
    /// When the reporter was first given feedback, if they have been.
    pub first_feedback_at: Option<Timestamp>,
}

/// Narrows a list of incidents. Every field left `None` does not filter.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IncidentFilter {
    /// Only this area.
    pub area: Option<AreaId>,
    /// Only this category.
    pub category: Option<Category>,
    /// Only this kind.
    pub kind: Option<EventKind>,
    /// Only this status.
    pub status: Option<IncidentStatus>,
    /// Only incidents this person is recorded against.
    pub person: Option<PersonId>,
    /// Happened at or after this instant.
    pub occurred_from: Option<Timestamp>,
    /// Happened before this instant.
    pub occurred_before: Option<Timestamp>,
    /// Reported at or after this instant.
    pub reported_from: Option<Timestamp>,
    /// Words the report's text must all have (plain words, as
    /// `candour_domain::similar::search_words` gives them).
    pub words: Vec<String>,
    /// Leave out the reports that name this member of staff as alleged to
    /// have caused harm (they do not exist for them).
    pub hidden_from: Option<UserId>,
}

/// A value bound into dynamically assembled SQL.
enum Param {
    Uuid(uuid::Uuid),
    Int(i64),
    Text(String),
}

/// Where a page of a list starts: after this (reported_at, id), newest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListCursor {
    /// Reported-at of the last row seen, epoch ms.
    pub reported_at_ms: i64,
    /// Id of the last row seen.
    pub incident_id: IncidentId,
}

/// Takes the next reference number of an organisation (inside the report's transaction).
pub async fn next_reference(tx: &mut Tx, org: OrganisationId) -> StoreResult<IncidentReference> {
    Ok(IncidentReference(reserve_numbers(tx, org, "INC", 1).await?))
}

/// Inserts an incident.
pub async fn insert_incident(tx: &mut Tx, i: &IncidentInsert<'_>) -> StoreResult<()> {
    insert_incidents_batch(tx, std::slice::from_ref(i)).await
}

pub(super) const SUMMARY_COLUMNS: &str = "i.incident_id, i.reference_number, i.service_id, s.name as service_name, a.name as area_name, \
    i.kind, i.category, i.status, i.occurred_at, i.reported_at, substr(i.description, 1, 200) as description, \
    (select min(f.created_at) from incident_feedback f where f.incident_id = i.incident_id) as first_feedback_at";

pub(super) fn summary_from(r: &impl PortableRow) -> StoreResult<IncidentSummary> {
    Ok(IncidentSummary {
        incident_id: IncidentId(r.uuid("incident_id")?),
        reference: IncidentReference(r.int("reference_number")?),
        service_id: ServiceId(r.uuid("service_id")?),
        service_name: r.text("service_name")?,
        area_name: r.opt_text("area_name")?,
        kind: parse_code(&r.text("kind")?, EventKind::parse, "kind")?,
        category: parse_code(&r.text("category")?, Category::parse, "category")?,
        status: parse_code(&r.text("status")?, IncidentStatus::parse, "status")?,
        occurred_at: millis_to_ts(r.int("occurred_at")?)?,
        reported_at: millis_to_ts(r.int("reported_at")?)?,
        description: r.text("description")?,
        first_feedback_at: r
            .opt_int("first_feedback_at")?
            .map(millis_to_ts)
            .transpose()?,
    })
}

/// The columns and joins that make an [`Incident`].
const INCIDENT_SELECT: &str = "select i.incident_id, i.organisation_id, i.reference_number, i.service_id, s.name as service_name, \
    i.area_id, a.name as area_name, i.kind, i.category, i.status, i.occurred_at, i.reported_at, i.reported_by, \
    u.display_name as reporter_name, i.description, i.immediate_actions, i.others_involved, i.details, i.told, i.written_at, i.entered_by, e.display_name as entered_by_name, i.version, \
    i.triage_due_at, i.confirmed_kind, i.confirmed_category, i.physical_harm, i.psychological_harm, i.risk_score, i.risk_band, \
    i.learning_response, i.handler_id, h.display_name as handler_name, i.triaged_at, i.review_due_at, i.closed_at \
    from incident i join service s on s.service_id = i.service_id \
    left join area a on a.area_id = i.area_id left join app_user u on u.user_id = i.reported_by \
    left join app_user e on e.user_id = i.entered_by left join app_user h on h.user_id = i.handler_id";

fn incident_from(r: &(impl PortableRow + ?Sized)) -> StoreResult<Incident> {
    Ok(Incident {
        incident_id: IncidentId(r.uuid("incident_id")?),
        organisation_id: OrganisationId(r.uuid("organisation_id")?),
        reference: IncidentReference(r.int("reference_number")?),
        service_id: ServiceId(r.uuid("service_id")?),
        service_name: r.text("service_name")?,
        area_id: r.opt_uuid("area_id")?.map(AreaId),
        area_name: r.opt_text("area_name")?,
        kind: parse_code(&r.text("kind")?, EventKind::parse, "kind")?,
        category: parse_code(&r.text("category")?, Category::parse, "category")?,
        status: parse_code(&r.text("status")?, IncidentStatus::parse, "status")?,
        occurred_at: millis_to_ts(r.int("occurred_at")?)?,
        reported_at: millis_to_ts(r.int("reported_at")?)?,
        reported_by: r.opt_uuid("reported_by")?.map(UserId),
        reporter_name: r.opt_text("reporter_name")?,
        description: r.text("description")?,
        immediate_actions: r.text("immediate_actions")?,
        others_involved: r.text("others_involved")?,
        details_json: r.text("details")?,
        told_json: r.text("told")?,
        written_at: r.opt_int("written_at")?.map(millis_to_ts).transpose()?,
        entered_by: match (r.opt_uuid("entered_by")?, r.opt_text("entered_by_name")?) {
            (Some(id), Some(name)) => Some((UserId(id), name)),
            _ => None,
        },
        version: r.int("version")?,
        triage_due_at: r.opt_int("triage_due_at")?.map(millis_to_ts).transpose()?,
        grading: grading_from(r)?,
        closed_at: r.opt_int("closed_at")?.map(millis_to_ts).transpose()?,
    })
}

/// From how many services a list reads the organisation's newest reports
/// rather than each service's.
const WINDOW_FROM_SERVICES: usize = 16;

/// How many of the organisation's newest reports that first look reads
/// (SQLite).
const WINDOW: i64 = 20_000;

/// The window a word search over many services reads first (SQLite).
const WORDS_WINDOW: i64 = 5_000;

/// How one query of a list reads.
#[derive(Debug, Clone, Copy, Default)]
struct Shape {
    /// SQLite: only among this many of the organisation's newest reports
    /// (after the cursor), filtered in its `(organisation, reported, …)`
    /// index alone, so a short page is not the end.
    window: Option<i64>,
    /// SQLite: ask the text index about each incident walked, rather than
    /// read every match.
    walk: bool,
}

impl Shape {
    fn window(size: i64) -> Shape {
        Shape {
            window: Some(size),
            walk: false,
        }
    }
}

/// An FTS5 query for text with every one of `words` (plain words).
fn fts_all_words(words: &[String]) -> String {
    words
        .iter()
        .map(|w| format!("\"{w}\""))
        .collect::<Vec<_>>()
        .join(" ")
}

impl Store {
    /// Reports in `services` whose words are like `terms` (plain lower-case
    /// words), best first, leaving out `except`.
    pub async fn similar_by_text(
        &self,
        org: OrganisationId,
        services: &[ServiceId],
        except: IncidentId,
        terms: &[String],
        limit: i64,
    ) -> StoreResult<Vec<IncidentSummary>> {
        if services.is_empty() || terms.is_empty() {
            return Ok(Vec::new());
        }
        let list: Vec<String> = (0..services.len()).map(|i| format!("${}", i + 5)).collect();
        // BACKEND DIFFERENCE: FTS5 on SQLite (ranked by bm25), an English
        // text search vector on PostgreSQL (ranked by ts_rank); either way
        // any of the words may match.
        let (query, sql) = match self.engine() {
            super::Engine::Sqlite => (
                terms
                    .iter()
                    .map(|t| format!("\"{t}\""))
                    .collect::<Vec<_>>()
                    .join(" OR "),
                format!(
                    "select {SUMMARY_COLUMNS} from incident_search f join incident i on i.incident_id = f.incident_id \
                     join service s on s.service_id = i.service_id left join area a on a.area_id = i.area_id \
                     where incident_search match $1 and i.organisation_id = $2 and i.incident_id <> $3 and i.service_id in ({}) \
                     order by f.rank limit $4",
                    list.join(", ")
                ),
            ),
            super::Engine::Postgres => (
                terms.join(" | "),
                format!(
                    "select {SUMMARY_COLUMNS} from incident i \
                     join service s on s.service_id = i.service_id left join area a on a.area_id = i.area_id \
                     where to_tsvector('english', i.description || ' ' || i.immediate_actions) @@ to_tsquery('english', $1) \
                     and i.organisation_id = $2 and i.incident_id <> $3 and i.service_id in ({}) \
                     order by ts_rank(to_tsvector('english', i.description || ' ' || i.immediate_actions), to_tsquery('english', $1)) desc, \
                     i.reported_at desc limit $4",
                    list.join(", ")
                ),
            ),
        };
        on_read!(self, |p| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(&query)
                .bind(org.0)
                .bind(except.0)
                .bind(limit);
            for s in services {
                q = q.bind(s.0);
            }
            let rows = q.fetch_all(p).await?;
            rows.iter().map(summary_from).collect()
        })
    }

    /// One incident of `org` by reference; `None` when absent or another organisation's.
    pub async fn incident_by_reference(
        &self,
        org: OrganisationId,
        reference: IncidentReference,
    ) -> StoreResult<Option<Incident>> {
        let sql =
            format!("{INCIDENT_SELECT} where i.organisation_id = $1 and i.reference_number = $2");
        on_read!(self, |p| {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(org.0)
                .bind(reference.0)
                .fetch_optional(p)
                .await?;
            row.as_ref().map(incident_from).transpose()
        })
    }

    /// One incident of `org` by id.
    pub async fn incident_by_id(
        &self,
        org: OrganisationId,
        id: IncidentId,
    ) -> StoreResult<Option<Incident>> {
        Ok(self.incidents_by_ids(org, &[id]).await?.pop())
    }

    /// Incidents of `org` by id, in no order (ids not found are left out):
    /// for deciding many incidents' duties with a few reads.
    pub async fn incidents_by_ids(
        &self,
        org: OrganisationId,
        ids: &[IncidentId],
    ) -> StoreResult<Vec<Incident>> {
        let sql = format!(
            // The organisation is checked on the service: on the incident,
            // SQLite would walk the (organisation, reference) index through
            // every incident of the organisation rather than look up 500 ids
            // (600 ms a batch on 2,000,000 incidents, against 5 ms).
            "{INCIDENT_SELECT} where s.organisation_id = $1 and i.incident_id in ({{ids}})"
        );
        self.rows_of_incidents(&sql, Some(org), ids, |r| incident_from(r))
            .await
    }

    /// A page of incidents in the given services of `org` that pass
    /// `filter`, newest report first. For a few services, each service's
    /// page is read through its own index and the pages merged. For 16 or
    /// more (BACKEND DIFFERENCE): PostgreSQL reads them in one query, its
    /// planner walking the organisation's `(organisation, reported)` index
    /// when the filter is common and using the others when it is rare;
    /// SQLite first filters the organisation's 20,000 newest reports from
    /// that index alone (it holds every column a list filters on) and
    /// reads each service's page only when they do not fill one.
    /// Measured on 2,000,000 incidents: docs/BENCHMARKS.md.
    pub async fn incidents_in_services(
        &self,
        org: OrganisationId,
        services: &[ServiceId],
        filter: &IncidentFilter,
        after: Option<ListCursor>,
        limit: i64,
    ) -> StoreResult<Vec<IncidentSummary>> {
        let mut distinct = services.to_vec();
        distinct.sort();
        distinct.dedup();
        if !filter.words.is_empty() {
            return self
                .incidents_with_words(org, &distinct, filter, after, limit)
                .await;
        }
        if distinct.len() >= WINDOW_FROM_SERVICES {
            let page = (after, limit);
            if self.engine() == super::Engine::Postgres {
                return self
                    .incidents_in_service_list(org, &distinct, filter, page, Shape::default())
                    .await;
            }
            let found = self
                .incidents_in_service_list(org, &distinct, filter, page, Shape::window(WINDOW))
                .await?;
            if i64::try_from(found.len()).unwrap_or(i64::MAX) >= limit {
                return Ok(found);
            }
        }
        let mut out = Vec::new();
        for service in distinct {
            out.extend(
                self.incidents_in_service_list(
                    org,
                    &[service],
                    filter,
                    (after, limit),
                    Shape::default(),
                )
                .await?,
            );
        }
        out.sort_by_key(|s| std::cmp::Reverse((s.reported_at, s.incident_id)));
        out.truncate(usize::try_from(limit).unwrap_or(0));
        Ok(out)
    }

    /// A page of incidents in `services` whose text has every one of the
    /// filter's words. BACKEND DIFFERENCE: PostgreSQL's planner chooses
    /// between walking the organisation's newest reports and the text
    /// index from its statistics, in one query. SQLite's does not know
    /// how common a word is. For many services Candour first keeps the
    /// matches (read as rowids alone) among the organisation's 5,000 newest
    /// reports, which fills a page for a common word; otherwise it counts
    /// the matches (the text index alone, milliseconds) and for a common
    /// word walks the services' reports newest first asking the text index
    /// about each by rowid, for a rarer one reads the matches and sorts
    /// them: it walks when matches² ≥ page × reports, where both costs are
    /// alike.
    async fn incidents_with_words(
        &self,
        org: OrganisationId,
        services: &[ServiceId],
        filter: &IncidentFilter,
        after: Option<ListCursor>,
        limit: i64,
    ) -> StoreResult<Vec<IncidentSummary>> {
        let page = (after, limit);
        let super::Backend::Sqlite { read, .. } = self.backend() else {
            return self
                .incidents_in_service_list(org, services, filter, page, Shape::default())
                .await;
        };
        if services.len() >= WINDOW_FROM_SERVICES {
            let found = self
                .incidents_in_service_list(org, services, filter, page, Shape::window(WORDS_WINDOW))
                .await?;
            if i64::try_from(found.len()).unwrap_or(i64::MAX) >= limit {
                return Ok(found);
            }
        }
        let (matches, reports): (i64, i64) = sqlx::query_as(
            "select (select count(*) from incident_search where incident_search match $1), \
             (select coalesce(max(rowid), 0) from incident_search)",
        )
        .bind(fts_all_words(&filter.words))
        .fetch_one(read)
        .await?;
        let shape = Shape {
            window: None,
            walk: matches.saturating_mul(matches) >= limit.saturating_mul(reports),
        };
        self.incidents_in_service_list(org, services, filter, page, shape)
            .await
    }

    /// A page (`after`, `limit`) of the incidents of `services` that pass
    /// `filter`, newest first, in one query, in the given [`Shape`].
    async fn incidents_in_service_list(
        &self,
        org: OrganisationId,
        services: &[ServiceId],
        filter: &IncidentFilter,
        (after, limit): (Option<ListCursor>, i64),
        shape: Shape,
    ) -> StoreResult<Vec<IncidentSummary>> {
        if services.is_empty() {
            return Ok(Vec::new());
        }
        let (at, id) = after.map_or((i64::MAX, uuid::Uuid::max()), |c| {
            (c.reported_at_ms, c.incident_id.0)
        });
        let mut params = vec![
            Param::Uuid(org.0),
            Param::Int(at),
            Param::Uuid(id),
            Param::Int(limit),
        ];
        let mut push = |p: Param| {
            params.push(p);
            format!("${}", params.len())
        };
        // The SQL is built from fixed fragments and placeholder numbers only.
        let list: Vec<String> = services.iter().map(|s| push(Param::Uuid(s.0))).collect();
        let mut conditions = vec![format!("i.service_id in ({})", list.join(", "))];
        if let Some(a) = filter.area {
            conditions.push(format!("i.area_id = {}", push(Param::Uuid(a.0))));
        }
        if let Some(c) = filter.category {
            conditions.push(format!(
                "i.category = {}",
                push(Param::Text(c.code().to_owned()))
            ));
        }
        if let Some(k) = filter.kind {
            conditions.push(format!(
                "i.kind = {}",
                push(Param::Text(k.code().to_owned()))
            ));
        }
        if let Some(st) = filter.status {
            conditions.push(format!(
                "i.status = {}",
                push(Param::Text(st.code().to_owned()))
            ));
        }
        if let Some(p) = filter.person {
            conditions.push(format!(
                "exists (select 1 from incident_person ip where ip.incident_id = i.incident_id and ip.person_id = {})",
                push(Param::Uuid(p.0))
            ));
        }
        if let Some(u) = filter.hidden_from {
            let user = push(Param::Uuid(u.0));
            let role = push(Param::Text(
                InvolvementRole::AllegedPerpetrator.code().to_owned(),
            ));
            conditions.push(format!(
                "not exists (select 1 from incident_staff h where h.incident_id = i.incident_id \
                 and h.user_id = {user} and h.role = {role})"
            ));
        }
        if let Some(from) = filter.occurred_from {
            conditions.push(format!(
                "i.occurred_at >= {}",
                push(Param::Int(from.as_millisecond()))
            ));
        }
        if let Some(from) = filter.reported_from {
            conditions.push(format!(
                "i.reported_at >= {}",
                push(Param::Int(from.as_millisecond()))
            ));
        }
        if let Some(before) = filter.occurred_before {
            conditions.push(format!(
                "i.occurred_at < {}",
                push(Param::Int(before.as_millisecond()))
            ));
        }
        // BACKEND DIFFERENCE: the FTS5 table on SQLite, the text search
        // vector's index on PostgreSQL; every word must match either way.
        if !filter.words.is_empty() {
            match self.engine() {
                super::Engine::Sqlite => {
                    // The text index's rowid is its incident's (migration
                    // 0042). `+` keeps SQLite from reading every match's
                    // incident when it should walk and ask.
                    let words = push(Param::Text(fts_all_words(&filter.words)));
                    conditions.push(match (shape.window, shape.walk) {
                        // The matches are read as rowids alone and only
                        // those in the window kept (a small set to ask).
                        (Some(_), _) => format!(
                            "i.rid in (select f.rowid from incident_search f where incident_search match {words} \
                             and +f.rowid in (select rid from win))"
                        ),
                        (None, true) => format!(
                            "+i.rowid in (select f.rowid from incident_search f where incident_search match {words})"
                        ),
                        (None, false) => format!(
                            "i.rowid in (select f.rowid from incident_search f where incident_search match {words})"
                        ),
                    });
                }
                super::Engine::Postgres => {
                    let words = filter.words.join(" & ");
                    conditions.push(format!(
                        "to_tsvector('english', i.description || ' ' || i.immediate_actions) @@ to_tsquery('english', {})",
                        push(Param::Text(words))
                    ));
                }
            }
        }
        // BACKEND DIFFERENCE: on SQLite the organisation is checked on the
        // service, so that for a few services each one's (service,
        // reported) index is walked, not the organisation's (which the
        // window, SQLite only, walks on purpose); PostgreSQL's planner
        // weighs both indexes.
        let organisation = match self.engine() {
            super::Engine::Sqlite => "s.organisation_id = $1",
            super::Engine::Postgres => "i.organisation_id = $1",
        };
        let keyset = |t: &str| {
            format!("({t}.reported_at < $2 or ({t}.reported_at = $2 and {t}.incident_id < $3))")
        };
        let conditions = conditions.join(" and ");
        let sql = match shape.window {
            None => format!(
                "select {SUMMARY_COLUMNS} from incident i join service s on s.service_id = i.service_id \
                 left join area a on a.area_id = i.area_id \
                 where {organisation} and {} and {conditions} \
                 order by i.reported_at desc, i.incident_id desc limit $4",
                keyset("i")
            ),
            // The conditions are checked on the window's rows as read from
            // the index (named `i` there), and only the page's rows are
            // then read from the table.
            Some(w) => format!(
                "with win as materialized (select w.incident_id, w.rowid as rid, w.service_id, w.area_id, w.kind, \
                  w.category, w.status, w.occurred_at, w.reported_at from incident w where w.organisation_id = $1 and {} \
                  order by w.reported_at desc, w.incident_id desc limit {w}) \
                 select {SUMMARY_COLUMNS} from (select i.incident_id from win i \
                 where {conditions} order by i.reported_at desc, i.incident_id desc limit $4) nw \
                 join incident i on i.incident_id = nw.incident_id join service s on s.service_id = i.service_id \
                 left join area a on a.area_id = i.area_id \
                 order by i.reported_at desc, i.incident_id desc",
                keyset("w")
            ),
        };
        on_read!(self, |p| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
            for param in &params {
                q = match param {
                    Param::Uuid(u) => q.bind(*u),
                    Param::Int(i) => q.bind(*i),
                    Param::Text(t) => q.bind(t.as_str()),
                };
            }
            let rows = q.fetch_all(p).await?;
            rows.iter().map(summary_from).collect()
        })
    }

    /// A reporter's own reports, newest first.
    pub async fn incidents_reported_by(
        &self,
        user: UserId,
        limit: i64,
    ) -> StoreResult<Vec<IncidentSummary>> {
        let sql = format!(
            "select {SUMMARY_COLUMNS} from incident i join service s on s.service_id = i.service_id \
             left join area a on a.area_id = i.area_id where i.reported_by = $1 \
             order by i.reported_at desc, i.incident_id desc limit $2"
        );
        on_read!(self, |p| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(user.0)
                .bind(limit)
                .fetch_all(p)
                .await?;
            rows.iter().map(summary_from).collect()
        })
    }

    /// Counts of incidents by service and kind in `services` of `org`,
    /// happened since `since`, read from the (service, occurred, kind) index
    /// alone: the organisation is checked on the service, not each incident.
    pub async fn incident_counts(
        &self,
        org: OrganisationId,
        services: &[ServiceId],
        since: Timestamp,
    ) -> StoreResult<Vec<(ServiceId, EventKind, i64)>> {
        if services.is_empty() {
            return Ok(Vec::new());
        }
        let list: Vec<String> = (0..services.len()).map(|i| format!("${}", i + 3)).collect();
        let sql = format!(
            "select service_id, kind, count(*) as n from incident where occurred_at >= $2 \
             and service_id in ({}) \
             and service_id in (select service_id from service where organisation_id = $1) \
             group by service_id, kind",
            list.join(", ")
        );
        on_read!(self, |p| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(org.0)
                .bind(since.as_millisecond());
            for s in services {
                q = q.bind(s.0);
            }
            let rows = q.fetch_all(p).await?;
            rows.iter()
                .map(|r| {
                    Ok((
                        ServiceId(r.uuid("service_id")?),
                        parse_code(&r.text("kind")?, EventKind::parse, "kind")?,
                        r.int("n")?,
                    ))
                })
                .collect()
        })
    }
}

/// Reserves `count` consecutive reference numbers; returns the first.
pub async fn reserve_references(
    tx: &mut Tx,
    org: OrganisationId,
    count: i64,
) -> StoreResult<IncidentReference> {
    Ok(IncidentReference(
        reserve_numbers(tx, org, "INC", count).await?,
    ))
}

/// Inserts many incidents with multi-row statements (demo and bulk loads).
pub async fn insert_incidents_batch(tx: &mut Tx, rows: &[IncidentInsert<'_>]) -> StoreResult<()> {
    let rows: Vec<Vec<Value>> = rows
        .iter()
        .map(|i| {
            let p = i.progress.as_ref();
            let g = p.map(|p| &p.grading);
            vec![
                Value::from(i.incident_id.0),
                Value::from(i.organisation_id.0),
                Value::from(i.service_id.0),
                Value::from(i.area_id.map(|a| a.0)),
                Value::from(i.reference.0),
                Value::from(i.kind.code()),
                Value::from(i.category.code()),
                Value::from(i.occurred_at.as_millisecond()),
                Value::from(i.reported_at.as_millisecond()),
                Value::from(i.reported_by.map(|u| u.0)),
                Value::from(i.description),
                Value::from(i.immediate_actions),
                Value::from(i.others_involved),
                Value::from(i.details),
                Value::from(i.told),
                Value::from(i.written_at.map(|t| t.as_millisecond())),
                Value::from(i.entered_by.map(|u| u.0)),
                Value::from(i.triage_due_at.as_millisecond()),
                Value::from(p.map_or(IncidentStatus::Reported, |p| p.status).code()),
                Value::from(g.map(|g| g.kind.code())),
                Value::from(g.map(|g| g.category.code())),
                Value::from(g.map(|g| g.physical_harm.code())),
                Value::from(g.map(|g| g.psychological_harm.code())),
                Value::from(g.map(|g| i64::from(g.risk_score))),
                Value::from(g.map(|g| g.risk_band.code())),
                Value::from(g.map(|g| g.learning_response.code())),
                Value::from(g.and_then(|g| g.handler).map(|h| h.0)),
                Value::from(p.map(|p| p.triaged_at.as_millisecond())),
                Value::from(p.map(|p| p.review_due_at.as_millisecond())),
                Value::from(p.and_then(|p| p.closed_at).map(|t| t.as_millisecond())),
                Value::from(1),
                Value::from(i.reported_at.as_millisecond()),
            ]
        })
        .collect();
    insert_rows(
        tx,
        "incident",
        &[
            "incident_id",
            "organisation_id",
            "service_id",
            "area_id",
            "reference_number",
            "kind",
            "category",
            "occurred_at",
            "reported_at",
            "reported_by",
            "description",
            "immediate_actions",
            "others_involved",
            "details",
            "told",
            "written_at",
            "entered_by",
            "triage_due_at",
            "status",
            "confirmed_kind",
            "confirmed_category",
            "physical_harm",
            "psychological_harm",
            "risk_score",
            "risk_band",
            "learning_response",
            "handler_id",
            "triaged_at",
            "review_due_at",
            "closed_at",
            "version",
            "updated_at",
        ],
        &rows,
    )
    .await
}

/// Whose incidents [`Store::tallies`] adds up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TallyScope<'a> {
    /// These services of the organisation.
    Services(&'a [ServiceId]),
    /// Every service of the organisation (read from its own, smaller, counts).
    Organisation,
}

impl Store {
    /// How many incidents of these kinds (and category, if given; both as
    /// confirmed at triage, if it was) happened in `scope` from `since`, per
    /// half-day bucket ([`candour_domain::tally`]), from the counts the
    /// database keeps beside the incidents (migration 0038): for trends.
    /// With `min_harm` above 0, only those graded with physical harm of at
    /// least that rank (1 low, 2 moderate, 3 severe, 4 fatal).
    pub async fn tallies(
        &self,
        org: OrganisationId,
        scope: TallyScope<'_>,
        (category, kinds): (Option<Category>, &[EventKind]),
        (since, min_harm): (Timestamp, u8),
    ) -> StoreResult<Vec<(i64, u32)>> {
        let kind_list: Vec<String> = (0..kinds.len()).map(|i| format!("${}", i + 5)).collect();
        let (table, within) = match scope {
            TallyScope::Organisation => ("incident_org_tally", "organisation_id = $1".to_owned()),
            TallyScope::Services(services) => {
                if services.is_empty() {
                    return Ok(Vec::new());
                }
                let list: Vec<String> = (0..services.len())
                    .map(|i| format!("${}", i + 5 + kinds.len()))
                    .collect();
                (
                    "incident_tally",
                    format!(
                        "service_id in (select service_id from service where organisation_id = $1 and service_id in ({}))",
                        list.join(", ")
                    ),
                )
            }
        };
        if kinds.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "select bucket, cast(sum(n) as bigint) as n from {table} where {within} and kind in ({}) \
             and bucket >= $2 and ($3 = '' or category = $3) and harm >= $4 and n > 0 group by bucket",
            kind_list.join(", ")
        );
        on_read!(self, |p| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(org.0)
                .bind(candour_domain::tally::bucket(since.as_millisecond()))
                .bind(category.map_or("", Category::code))
                .bind(i64::from(min_harm));
            for k in kinds {
                q = q.bind(k.code());
            }
            if let TallyScope::Services(services) = scope {
                for s in services {
                    q = q.bind(s.0);
                }
            }
            let rows = q.fetch_all(p).await?;
            rows.iter()
                .map(|r| {
                    let n = r.int("n")?;
                    Ok((
                        r.int("bucket")?,
                        u32::try_from(n.max(0)).unwrap_or(u32::MAX),
                    ))
                })
                .collect::<StoreResult<Vec<_>>>()
        })
    }

    /// When each incident of `services` since `since` happened, with its
    /// service's name and its area's name (when recorded).
    pub async fn occurrences_with_place(
        &self,
        org: OrganisationId,
        services: &[ServiceId],
        (category, kinds): (Option<Category>, &[EventKind]),
        since: Timestamp,
    ) -> StoreResult<Vec<(i64, String, Option<String>)>> {
        let mut out = Vec::new();
        for service in services {
            for kind in kinds {
                let rows = on_read!(self, |p| {
                    let q = sqlx::query(
                        "select i.occurred_at, s.name as service_name, a.name as area_name from incident i \
                         join service s on s.service_id = i.service_id left join area a on a.area_id = i.area_id \
                         where i.organisation_id = $1 and i.service_id = $2 and coalesce(i.confirmed_kind, i.kind) = $3 \
                         and i.occurred_at >= $4 and ($5 = '' or coalesce(i.confirmed_category, i.category) = $5)",
                    )
                    .bind(org.0)
                    .bind(service.0)
                    .bind(kind.code())
                    .bind(since.as_millisecond())
                    .bind(category.map_or("", Category::code));
                    let rows = q.fetch_all(p).await?;
                    rows.iter()
                        .map(|r| {
                            Ok((
                                r.int("occurred_at")?,
                                r.text("service_name")?,
                                r.opt_text("area_name")?,
                            ))
                        })
                        .collect::<StoreResult<Vec<_>>>()?
                });
                out.extend(rows);
            }
        }
        Ok(out)
    }
}
