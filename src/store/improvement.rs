//! Improvement actions, their links to incidents, and who was told when
//! one is overdue.

use super::{PortableRow, Store, StoreResult, Tx, millis_to_ts, on_read, on_tx, parse_code};
use candour_domain::escalation::Level;
use candour_domain::ids::{IncidentId, OrganisationId, ServiceId, UserId};
use candour_domain::improvement::{ActionStatus, CqcTheme, Effectiveness, NewAction};
use jiff::Timestamp;
use jiff::civil::Date;
use uuid::Uuid;

/// An action as read back.
#[derive(Debug, Clone, PartialEq)]
pub struct ImprovementAction {
    /// Its id.
    pub action_id: Uuid,
    /// Organisation.
    pub organisation_id: OrganisationId,
    /// Service.
    pub service_id: ServiceId,
    /// Service name.
    pub service_name: String,
    /// Number (`ACT-000012`).
    pub number: i64,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Owner and their name.
    pub owner: (UserId, String),
    /// Due date.
    pub due_on: Date,
    /// Status.
    pub status: ActionStatus,
    /// In the improvement plan.
    pub in_plan: bool,
    /// CQC themes.
    pub themes: Vec<CqcTheme>,
    /// Evidence of completion (or the reason it was cancelled).
    pub evidence: Option<String>,
    /// When it was completed.
    pub completed_at: Option<Timestamp>,
    /// Whether it worked, with a note and when it was checked.
    pub effectiveness: Option<(Effectiveness, String, Timestamp)>,
    /// Version.
    pub version: i64,
    /// The incidents it came from: (id, reference number).
    pub incidents: Vec<(IncidentId, i64)>,
}

/// Stores a new action, linked to `incident` if there is one.
#[allow(clippy::too_many_arguments)]
pub async fn insert_action(
    tx: &mut Tx,
    (id, number): (Uuid, i64),
    org: OrganisationId,
    service: ServiceId,
    a: &NewAction,
    incident: Option<IncidentId>,
    by: UserId,
    now_ms: i64,
) -> StoreResult<()> {
    let themes: Vec<&str> = a.themes.iter().map(|t| t.code()).collect();
    let themes = serde_json::to_string(&themes).unwrap_or_else(|_| "[]".to_owned());
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into improvement_action (action_id, organisation_id, service_id, reference_number, title, description, owner_id, due_on, \
             status, in_plan, themes, version, created_by, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, 'open', $9, $10, 1, $11, $12, $12)",
        )
        .bind(id)
        .bind(org.0)
        .bind(service.0)
        .bind(number)
        .bind(&a.title)
        .bind(&a.description)
        .bind(a.owner.0)
        .bind(a.due_on.to_string())
        .bind(a.in_plan)
        .bind(&themes)
        .bind(by.0)
        .bind(now_ms)
        .execute(&mut *c)
        .await?;
        if let Some(i) = incident {
            sqlx::query("insert into action_incident (action_id, incident_id, organisation_id) values ($1, $2, $3)")
                .bind(id)
                .bind(i.0)
                .bind(org.0)
                .execute(&mut *c)
                .await?;
        }
    });
    Ok(())
}

/// Links an action to one more incident; false if it was already linked.
pub async fn link_incident(
    tx: &mut Tx,
    action: Uuid,
    incident: IncidentId,
    org: OrganisationId,
) -> StoreResult<bool> {
    let n = on_tx!(tx, |c| {
        sqlx::query(
            "insert into action_incident (action_id, incident_id, organisation_id) values ($1, $2, $3) \
             on conflict (action_id, incident_id) do nothing",
        )
        .bind(action)
        .bind(incident.0)
        .bind(org.0)
        .execute(&mut *c)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

/// What an update changes.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionUpdate<'a> {
    /// New status.
    pub status: ActionStatus,
    /// Evidence or reason (kept when `None`).
    pub evidence: Option<&'a str>,
    /// Carried into the improvement plan.
    pub in_plan: bool,
    /// Whether it worked, with a note (kept when `None`).
    pub effectiveness: Option<(Effectiveness, &'a str)>,
}

/// Applies an update if the action is still at `version`; returns whether it was.
pub async fn update_action(
    tx: &mut Tx,
    action: Uuid,
    u: &ActionUpdate<'_>,
    version: i64,
    now_ms: i64,
) -> StoreResult<bool> {
    let completed = (u.status == ActionStatus::Done).then_some(now_ms);
    let n = on_tx!(tx, |c| {
        sqlx::query(
            "update improvement_action set status = $1, evidence = coalesce($2, evidence), in_plan = $3, \
             completed_at = case when $1 = 'done' then coalesce(completed_at, $4) else null end, \
             effectiveness = coalesce($5, effectiveness), effectiveness_note = coalesce($6, effectiveness_note), \
             effectiveness_checked_at = case when $5 is null then effectiveness_checked_at else $7 end, \
             version = version + 1, updated_at = $7 where action_id = $8 and version = $9",
        )
        .bind(u.status.code())
        .bind(u.evidence)
        .bind(u.in_plan)
        .bind(completed)
        .bind(u.effectiveness.map(|(e, _)| e.code()))
        .bind(u.effectiveness.map(|(_, n)| n))
        .bind(now_ms)
        .bind(action)
        .bind(version)
        .execute(&mut *c)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

/// Records that `user` was told an action is overdue at `level`; false if already.
pub async fn insert_action_escalation(
    tx: &mut Tx,
    action: Uuid,
    due_on: Date,
    level: Level,
    user: UserId,
    now_ms: i64,
) -> StoreResult<bool> {
    let n = on_tx!(tx, |c| {
        sqlx::query(
            "insert into action_escalation (action_id, due_on, level, user_id, notified_at) values ($1, $2, $3, $4, $5) \
             on conflict (action_id, due_on, level, user_id) do nothing",
        )
        .bind(action)
        .bind(due_on.to_string())
        .bind(level.code())
        .bind(user.0)
        .bind(now_ms)
        .execute(&mut *c)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

const ACTION_SELECT: &str = "select a.action_id, a.organisation_id, a.service_id, s.name as service_name, a.reference_number, a.title, a.description, \
    a.owner_id, u.display_name as owner_name, a.due_on, a.status, a.in_plan, a.themes, a.evidence, a.completed_at, \
    a.effectiveness, a.effectiveness_note, a.effectiveness_checked_at, a.version \
    from improvement_action a join service s on s.service_id = a.service_id join app_user u on u.user_id = a.owner_id";

fn action_from(r: &impl PortableRow) -> StoreResult<ImprovementAction> {
    let due: String = r.text("due_on")?;
    let themes: Vec<String> = serde_json::from_str(&r.text("themes")?)
        .map_err(|e| super::StoreError::Corrupt(format!("action themes: {e}")))?;
    Ok(ImprovementAction {
        action_id: r.uuid("action_id")?,
        organisation_id: OrganisationId(r.uuid("organisation_id")?),
        service_id: ServiceId(r.uuid("service_id")?),
        service_name: r.text("service_name")?,
        number: r.int("reference_number")?,
        title: r.text("title")?,
        description: r.text("description")?,
        owner: (UserId(r.uuid("owner_id")?), r.text("owner_name")?),
        due_on: due
            .parse()
            .map_err(|e| super::StoreError::Corrupt(format!("action due date {due:?}: {e}")))?,
        status: parse_code(&r.text("status")?, ActionStatus::parse, "action status")?,
        in_plan: r.boolean("in_plan")?,
        themes: themes
            .iter()
            .map(|t| parse_code(t, CqcTheme::parse, "theme"))
            .collect::<StoreResult<Vec<_>>>()?,
        evidence: r.opt_text("evidence")?,
        completed_at: r.opt_int("completed_at")?.map(millis_to_ts).transpose()?,
        effectiveness: match (
            r.opt_text("effectiveness")?,
            r.opt_int("effectiveness_checked_at")?,
        ) {
            (Some(e), Some(at)) => Some((
                parse_code(&e, Effectiveness::parse, "effectiveness")?,
                r.opt_text("effectiveness_note")?.unwrap_or_default(),
                millis_to_ts(at)?,
            )),
            _ => None,
        },
        version: r.int("version")?,
        incidents: Vec::new(),
    })
}

impl Store {
    async fn with_incidents(
        &self,
        mut list: Vec<ImprovementAction>,
    ) -> StoreResult<Vec<ImprovementAction>> {
        for a in &mut list {
            let rows: Vec<(uuid::Uuid, i64)> = on_read!(self, |p| {
                sqlx::query_as(
                    "select i.incident_id, i.reference_number from action_incident x join incident i on i.incident_id = x.incident_id \
                     where x.action_id = $1 order by i.reference_number",
                )
                .bind(a.action_id)
                .fetch_all(p)
                .await?
            });
            a.incidents = rows
                .into_iter()
                .map(|(id, n)| (IncidentId(id), n))
                .collect();
        }
        Ok(list)
    }

    /// One action of `org` by number.
    pub async fn action(
        &self,
        org: OrganisationId,
        number: i64,
    ) -> StoreResult<Option<ImprovementAction>> {
        let sql =
            format!("{ACTION_SELECT} where a.organisation_id = $1 and a.reference_number = $2");
        let found = on_read!(self, |p| {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(org.0)
                .bind(number)
                .fetch_optional(p)
                .await?;
            row.as_ref().map(action_from).transpose()?
        });
        Ok(self
            .with_incidents(found.into_iter().collect())
            .await?
            .pop())
    }

    /// The actions linked to an incident.
    pub async fn incident_actions(
        &self,
        incident: IncidentId,
    ) -> StoreResult<Vec<ImprovementAction>> {
        let sql = format!(
            "{ACTION_SELECT} where a.action_id in (select action_id from action_incident where incident_id = $1) \
             order by a.due_on, a.reference_number"
        );
        let list = on_read!(self, |p| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(incident.0)
                .fetch_all(p)
                .await?;
            rows.iter()
                .map(action_from)
                .collect::<StoreResult<Vec<_>>>()?
        });
        self.with_incidents(list).await
    }

    /// The actions from an investigation.
    pub async fn investigation_actions(
        &self,
        investigation: Uuid,
    ) -> StoreResult<Vec<ImprovementAction>> {
        let sql = format!(
            "{ACTION_SELECT} where a.action_id in (select action_id from action_investigation where investigation_id = $1) \
             order by a.due_on, a.reference_number"
        );
        let list = on_read!(self, |p| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(investigation)
                .fetch_all(p)
                .await?;
            rows.iter()
                .map(action_from)
                .collect::<StoreResult<Vec<_>>>()?
        });
        self.with_incidents(list).await
    }

    /// A service's actions: open ones first by due date, then the rest, newest first.
    pub async fn service_actions(
        &self,
        org: OrganisationId,
        service: ServiceId,
    ) -> StoreResult<Vec<ImprovementAction>> {
        let sql = format!(
            "{ACTION_SELECT} where a.organisation_id = $1 and a.service_id = $2 \
             order by case when a.status in ('open', 'in_progress') then 0 else 1 end, \
             case when a.status in ('open', 'in_progress') then a.due_on end asc, a.updated_at desc limit 500"
        );
        let list = on_read!(self, |p| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(org.0)
                .bind(service.0)
                .fetch_all(p)
                .await?;
            rows.iter()
                .map(action_from)
                .collect::<StoreResult<Vec<_>>>()?
        });
        self.with_incidents(list).await
    }

    /// Every action of `services` of `org`, without the incidents each came
    /// from: for counting (the board report), where reading each action's
    /// incidents cost a query an action (29,000 for a care group), and each
    /// service's actions a query a service.
    pub async fn actions_to_count(
        &self,
        org: OrganisationId,
        services: &[ServiceId],
    ) -> StoreResult<Vec<ImprovementAction>> {
        if services.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "{ACTION_SELECT} where a.organisation_id = $1 and a.service_id in ({})",
            super::placeholders(services.len(), 2)
        );
        on_read!(self, |p| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str())).bind(org.0);
            for s in services {
                q = q.bind(s.0);
            }
            let rows = q.fetch_all(p).await?;
            rows.iter().map(action_from).collect()
        })
    }

    /// Open actions due before `today`, in every organisation.
    pub async fn overdue_actions(&self, today: Date) -> StoreResult<Vec<ImprovementAction>> {
        let sql = format!(
            "{ACTION_SELECT} where a.status in ('open', 'in_progress') and a.due_on < $1 order by a.due_on"
        );
        on_read!(self, |p| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(today.to_string())
                .fetch_all(p)
                .await?;
            rows.iter().map(action_from).collect()
        })
    }
}
