//! Test support: fresh databases per engine, a seeded organisation with one
//! user per role, a real server on port 0 and a cookie-carrying client.

use candour::actions::Ctx;
use candour::actions::accounts::{NewUser, add_user_in, hash_password};
use candour::clock::FixedClock;
use candour::store::organisations::{
    Area, Organisation, Region, Service, insert_area, insert_organisation, insert_region,
    insert_service,
};
use candour::store::people::{Person, insert_person};
use candour::store::{Engine, Store};
use candour::web::{AppState, serve};
use candour_domain::ids::*;
use candour_domain::organisation::{AreaKind, Nation, PersonStatus, ServiceType};
use candour_domain::role::{Grant, Role, Scope};
use std::sync::Arc;
use tokio::sync::OnceCell;

/// The bearer token test servers' `/metrics` asks for.
pub const METRICS_TOKEN: &str = "metrics-for-the-tests";

/// Every test user's password.
pub const PASSWORD: &str = "kettle-orbit-meadow";

/// Expands a test into `sqlite` and `postgres` variants.
macro_rules! db_test {
    ($name:ident, |$engine:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() -> anyhow::Result<()> {
                let $engine = candour::store::Engine::Sqlite;
                $body
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() -> anyhow::Result<()> {
                if !$crate::helpers::postgres_available() {
                    return Ok(());
                }
                let $engine = candour::store::Engine::Postgres;
                $body
            }
        }
    };
}
pub(crate) use db_test;

/// The PostgreSQL server for tests, from `CANDOUR_TEST_POSTGRES_URL`.
pub fn postgres_url() -> Option<String> {
    std::env::var("CANDOUR_TEST_POSTGRES_URL")
        .ok()
        .filter(|s| !s.is_empty())
}

/// Whether PostgreSQL variants run. In CI a missing server fails the test
/// rather than skipping, unless the run opts out explicitly with
/// `CANDOUR_TEST_SKIP_POSTGRES=1` (CI's SQLite-only pass does).
pub fn postgres_available() -> bool {
    match postgres_url() {
        Some(_) => true,
        None if std::env::var("CANDOUR_TEST_SKIP_POSTGRES").is_ok_and(|v| v == "1") => false,
        None if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!(
                "CI is set but CANDOUR_TEST_POSTGRES_URL is not: PostgreSQL tests must run in CI"
            )
        }
        None => {
            eprintln!("CANDOUR_TEST_POSTGRES_URL is not set: skipping the PostgreSQL variant");
            false
        }
    }
}

/// A fresh, empty database on `engine`, and the URL that opens it.
pub struct TestDb {
    /// The URL (for the binary's `--database`).
    pub url: String,
    /// Keeps the SQLite folder alive.
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    /// Makes a fresh database: a SQLite file, or a new PostgreSQL schema.
    pub async fn new(engine: Engine) -> anyhow::Result<TestDb> {
        match engine {
            Engine::Sqlite => {
                let dir = tempfile::tempdir()?;
                let url = format!("sqlite://{}/candour.db", dir.path().display());
                Ok(TestDb {
                    url,
                    _dir: Some(dir),
                })
            }
            Engine::Postgres => {
                let base = postgres_url().ok_or_else(|| anyhow::anyhow!("no PostgreSQL URL"))?;
                let schema = format!("t_{}", uuid::Uuid::now_v7().simple());
                let admin = sqlx::PgPool::connect(&base).await?;
                sqlx::query(sqlx::AssertSqlSafe(format!("create schema {schema}")))
                    .execute(&admin)
                    .await?;
                admin.close().await;
                let sep = if base.contains('?') { '&' } else { '?' };
                let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
                Ok(TestDb { url, _dir: None })
            }
        }
    }

    /// Opens and migrates it.
    pub async fn store(&self) -> anyhow::Result<Store> {
        let store = Store::connect(&self.url).await?;
        store.migrate().await?;
        self.keyed(store).await
    }

    /// The store given its audit key, found where the binary finds it for
    /// this database (so the tests' servers and commands agree on it).
    pub async fn keyed(&self, store: Store) -> anyhow::Result<Store> {
        let path = candour::audit_key::default_path(&self.url);
        let now = start_time().as_millisecond();
        Ok(candour::audit_key::attach(store, &path, now).await?.store)
    }
}

/// The seeded world most tests use.
#[derive(Debug, Clone)]
pub struct World {
    /// Organisation A.
    pub org: OrganisationId,
    /// A service of A in region 1.
    pub service: Service,
    /// Another service of A in region 2.
    pub other_service: Service,
    /// An area of `service`.
    pub area: AreaId,
    /// A person using `service`.
    pub person: PersonId,
    /// A person using `other_service`.
    pub other_person: PersonId,
    /// Organisation B.
    pub org_b: OrganisationId,
    /// B's only service.
    pub service_b: Service,
    /// (role, email) of users of A, scoped to `service` or region 1 or the organisation.
    pub users: Vec<(Role, String)>,
    /// A care worker of B.
    pub user_b: String,
}

impl World {
    /// The email of A's user with `role`.
    pub fn email(&self, role: Role) -> &str {
        self.users
            .iter()
            .find(|(r, _)| *r == role)
            .map(|(_, e)| e.as_str())
            .unwrap_or("")
    }
}

static HASH: OnceCell<String> = OnceCell::const_new();

/// One shared hash of [`PASSWORD`], so fixtures do not spend seconds hashing.
pub async fn password_hash() -> String {
    HASH.get_or_init(|| async { hash_password(PASSWORD).await.unwrap() })
        .await
        .clone()
}

fn service(org: OrganisationId, region: RegionId, name: &str) -> Service {
    Service {
        service_id: ServiceId(uuid::Uuid::now_v7()),
        organisation_id: org,
        region_id: region,
        name: name.to_owned(),
        cqc_location_id: Some("1-123456789".to_owned()),
        service_type: ServiceType::CareHome,
        address: "1 Test Street".to_owned(),
        postcode: "AB1 2CD".to_owned(),
        nation: Nation::EnglandAndWales,
    }
}

/// A person using `service`, with made-up details.
pub fn person(service: ServiceId, code: &str, name: &str) -> Person {
    Person {
        person_id: PersonId(uuid::Uuid::now_v7()),
        service_id: service,
        internal_code: code.to_owned(),
        display_name: name.to_owned(),
        date_of_birth: Some("1940-03-02".to_owned()),
        nhs_number: Some("9434765919".to_owned()),
        area_id: None,
        room: Some("Room 4".to_owned()),
        start_date: "2024-01-01".to_owned(),
        status: PersonStatus::Active,
    }
}

/// Seeds two organisations: A with two services in two regions and one user
/// per role, B with one service and one care worker.
pub async fn seed(ctx: &Ctx) -> anyhow::Result<World> {
    let now = ctx.clock.now().as_millisecond();
    let hash = password_hash().await;
    let mut tx = ctx.store.begin().await?;
    let org = OrganisationId(uuid::Uuid::now_v7());
    insert_organisation(
        &mut tx,
        &Organisation {
            organisation_id: org,
            name: "Organisation A".into(),
        },
        now,
    )
    .await?;
    let (r1, r2) = (
        RegionId(uuid::Uuid::now_v7()),
        RegionId(uuid::Uuid::now_v7()),
    );
    insert_region(
        &mut tx,
        org,
        &Region {
            region_id: r1,
            name: "Region One".into(),
        },
        now,
    )
    .await?;
    insert_region(
        &mut tx,
        org,
        &Region {
            region_id: r2,
            name: "Region Two".into(),
        },
        now,
    )
    .await?;
    let s1 = service(org, r1, "Alder House");
    let s2 = service(org, r2, "Birch House");
    insert_service(&mut tx, &s1, now).await?;
    insert_service(&mut tx, &s2, now).await?;
    let area = AreaId(uuid::Uuid::now_v7());
    insert_area(
        &mut tx,
        org,
        &Area {
            area_id: area,
            service_id: s1.service_id,
            name: "Ground Floor".into(),
            kind: AreaKind::Floor,
        },
        now,
    )
    .await?;
    let p1 = person(s1.service_id, "P-000001", "Edna Test");
    let p2 = person(s2.service_id, "P-000002", "Arthur Test");
    insert_person(&mut tx, org, &p1, now).await?;
    insert_person(&mut tx, org, &p2, now).await?;
    candour::store::counters::reserve_numbers(&mut tx, org, "P", 2).await?;
    let mut users = Vec::new();
    // A designated safeguarding lead (migration 0048) and a speaking-up
    // guardian (0049) came later, and tests that build an older schema seed
    // this world too: tests that need one add one.
    for role in Role::ALL
        .into_iter()
        .filter(|r| !matches!(r, Role::SafeguardingLead | Role::SpeakingUpGuardian))
    {
        let scope = match role {
            Role::CareWorker | Role::SeniorCarer | Role::RegisteredManager => {
                Scope::Service(s1.service_id)
            }
            Role::RegionalManager => Scope::Region(r1),
            _ => Scope::Organisation,
        };
        let email = format!("{}@a.example", role.code());
        let new = NewUser {
            organisation_id: org,
            email: email.clone(),
            display_name: role.label().to_owned(),
            grant: Grant { role, scope },
            password: None,
        };
        add_user_in(&mut tx, &new, Some(hash.clone()), "test", now).await?;
        users.push((role, email));
    }
    let org_b = OrganisationId(uuid::Uuid::now_v7());
    insert_organisation(
        &mut tx,
        &Organisation {
            organisation_id: org_b,
            name: "Organisation B".into(),
        },
        now,
    )
    .await?;
    let rb = RegionId(uuid::Uuid::now_v7());
    insert_region(
        &mut tx,
        org_b,
        &Region {
            region_id: rb,
            name: "Region B".into(),
        },
        now,
    )
    .await?;
    let sb = service(org_b, rb, "Cedar House");
    insert_service(&mut tx, &sb, now).await?;
    let user_b = "care_worker@b.example".to_owned();
    let new = NewUser {
        organisation_id: org_b,
        email: user_b.clone(),
        display_name: "Care worker B".into(),
        grant: Grant {
            role: Role::CareWorker,
            scope: Scope::Service(sb.service_id),
        },
        password: None,
    };
    add_user_in(&mut tx, &new, Some(hash), "test", now).await?;
    tx.commit().await?;
    Ok(World {
        org,
        service: s1,
        other_service: s2,
        area,
        person: p1.person_id,
        other_person: p2.person_id,
        org_b,
        service_b: sb,
        users,
        user_b,
    })
}

/// The fixed time tests start at: a Monday morning in November.
pub fn start_time() -> jiff::Timestamp {
    "2026-11-23T09:30:00Z".parse().unwrap()
}

/// A running server on a fresh, seeded database.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`
    pub base: String,
    /// Context for calling actions directly.
    pub ctx: Ctx,
    /// The test clock.
    pub clock: FixedClock,
    /// The seeded world.
    pub world: World,
    /// The database.
    pub _db: TestDb,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl TestApp {
    /// Starts a server on port 0 over a fresh, seeded database.
    pub async fn spawn(engine: Engine) -> anyhow::Result<TestApp> {
        Self::spawn_with(engine, false).await
    }

    /// The same, optionally trusting `X-Forwarded-For` as a proxied deployment does.
    pub async fn spawn_with(engine: Engine, trust_proxy: bool) -> anyhow::Result<TestApp> {
        Self::spawn_tuned(engine, |s| s.trust_proxy = trust_proxy).await
    }

    /// The same, with the app's settings adjusted by `tune`.
    pub async fn spawn_tuned(
        engine: Engine,
        tune: impl FnOnce(&mut AppState),
    ) -> anyhow::Result<TestApp> {
        let db = TestDb::new(engine).await?;
        let store = db.store().await?;
        let clock = FixedClock::new(start_time());
        let ctx = Ctx {
            store,
            clock: Arc::new(clock.clone()),
            public_url: None,
            typesetter: candour::typeset::Typesetter::children(env!("CARGO_BIN_EXE_candour")),
        };
        let world = seed(&ctx).await?;
        let mut state = AppState::new(ctx.clone(), false).await?;
        state.metrics_token = Some(Arc::new(METRICS_TOKEN.to_owned()));
        tune(&mut state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("http://{}", listener.local_addr()?);
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(serve(listener, state, async {
            let _ = rx.await;
        }));
        Ok(TestApp {
            base,
            ctx,
            clock,
            world,
            _db: db,
            stop: Some(tx),
        })
    }

    /// The server's Prometheus metrics, read with the metrics token.
    pub async fn metrics(&self) -> anyhow::Result<String> {
        let resp = reqwest::Client::new()
            .get(format!("{}/metrics", self.base))
            .bearer_auth(METRICS_TOKEN)
            .send()
            .await?;
        anyhow::ensure!(resp.status() == 200, "/metrics answered {}", resp.status());
        Ok(resp.text().await?)
    }

    /// A new browser-like client with its own cookies; redirects are not followed.
    pub fn client(&self) -> Client {
        Client::browser(&self.base)
    }

    /// A client signed in as `email`.
    pub async fn signed_in(&self, email: &str) -> anyhow::Result<Client> {
        let c = self.client();
        let resp = c.sign_in(email, PASSWORD).await?;
        anyhow::ensure!(
            resp.status() == 303,
            "sign in as {email} answered {}",
            resp.status()
        );
        Ok(c)
    }

    /// The actor for an email, for calling actions directly.
    pub async fn actor(&self, email: &str) -> anyhow::Result<candour::actions::Actor> {
        let user = self
            .ctx
            .store
            .user_by_email(email)
            .await?
            .ok_or_else(|| anyhow::anyhow!("no user {email}"))?;
        Ok(candour::actions::sessions::actor_for(&self.ctx, user.user_id).await?)
    }
}

/// A second server on the same database as a [`TestApp`], with its own
/// connections and the same clock: another instance of a care group's
/// deployment. Stops when dropped.
pub struct SecondInstance {
    /// `http://127.0.0.1:PORT`
    pub base: String,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl SecondInstance {
    /// A browser-like client of this instance.
    pub fn client(&self) -> Client {
        Client::browser(&self.base)
    }
}

impl TestApp {
    /// Starts another server on this one's database.
    pub async fn second_instance(&self) -> anyhow::Result<SecondInstance> {
        let mut store = Store::connect(&self._db.url).await?;
        if let Some(key) = self.ctx.store.audit_key() {
            store = store.with_audit_key(key.clone());
        }
        let ctx = Ctx {
            store,
            ..self.ctx.clone()
        };
        let state = AppState::new(ctx, false).await?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("http://{}", listener.local_addr()?);
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(serve(listener, state, async {
            let _ = rx.await;
        }));
        Ok(SecondInstance { base, _stop: tx })
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

/// A cookie-carrying client (a clone shares its cookies).
#[derive(Clone)]
pub struct Client {
    /// The reqwest client.
    pub http: reqwest::Client,
    /// Server base URL.
    pub base: String,
}

impl Client {
    /// A new browser-like client of `base` with its own cookies; redirects are not followed.
    pub fn browser(base: &str) -> Client {
        Client {
            http: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base: base.to_owned(),
        }
    }

    /// GET a path.
    pub async fn get(&self, path: &str) -> anyhow::Result<reqwest::Response> {
        Ok(self.http.get(format!("{}{path}", self.base)).send().await?)
    }

    /// A page's text.
    pub async fn text(&self, path: &str) -> anyhow::Result<String> {
        Ok(self.get(path).await?.text().await?)
    }

    /// The CSRF token from a page's form.
    pub async fn csrf(&self, path: &str) -> anyhow::Result<String> {
        let body = self.get(path).await?.text().await?;
        csrf_in(&body).ok_or_else(|| anyhow::anyhow!("no csrf_token on {path}"))
    }

    /// POST a form (the caller includes `csrf_token` when it wants one).
    pub async fn post_form(
        &self,
        path: &str,
        form: &[(&str, &str)],
    ) -> anyhow::Result<reqwest::Response> {
        Ok(self
            .http
            .post(format!("{}{path}", self.base))
            .form(form)
            .send()
            .await?)
    }

    /// Posts a form to `action` with the CSRF token of `page` and `fields`.
    pub async fn submit(
        &self,
        page: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> anyhow::Result<reqwest::Response> {
        let token = self.csrf(page).await?;
        let mut form = vec![("csrf_token", token.as_str())];
        form.extend_from_slice(fields);
        self.post_form(action, &form).await
    }

    /// Signs in through the form.
    pub async fn sign_in(&self, email: &str, password: &str) -> anyhow::Result<reqwest::Response> {
        let token = self.csrf("/login").await?;
        self.post_form(
            "/login",
            &[
                ("csrf_token", &token),
                ("email", email),
                ("password", password),
            ],
        )
        .await
    }
}

/// A new API token for `email`.
pub async fn token_for(app: &TestApp, email: &str) -> anyhow::Result<String> {
    let user = app.ctx.store.user_by_email(email).await?.unwrap();
    let (_, secret) =
        candour::actions::tokens::create_token(&app.ctx, user.user_id, "tests", "test")
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(secret)
}

/// POSTs JSON to an API path with a bearer token.
pub async fn api_post(
    app: &TestApp,
    token: &str,
    path: &str,
    body: &serde_json::Value,
) -> anyhow::Result<reqwest::Response> {
    Ok(reqwest::Client::new()
        .post(format!("{}{path}", app.base))
        .bearer_auth(token)
        .json(body)
        .send()
        .await?)
}

/// GETs an API path with a bearer token.
pub async fn api_get(app: &TestApp, token: &str, path: &str) -> anyhow::Result<reqwest::Response> {
    Ok(reqwest::Client::new()
        .get(format!("{}{path}", app.base))
        .bearer_auth(token)
        .send()
        .await?)
}

/// PUTs JSON to an API path with a bearer token.
pub async fn api_put(
    app: &TestApp,
    token: &str,
    path: &str,
    body: &serde_json::Value,
) -> anyhow::Result<reqwest::Response> {
    Ok(reqwest::Client::new()
        .put(format!("{}{path}", app.base))
        .bearer_auth(token)
        .json(body)
        .send()
        .await?)
}

/// Finds the first `csrf_token` hidden field's value in an HTML page.
pub fn csrf_in(html: &str) -> Option<String> {
    let at = html.find("name=\"csrf_token\" value=\"")? + "name=\"csrf_token\" value=\"".len();
    Some(html[at..].split('"').next()?.to_owned())
}

/// The cookie `name` set by a response, if any.
pub fn set_cookie(resp: &reqwest::Response, name: &str) -> Option<String> {
    resp.headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| {
            v.strip_prefix(&format!("{name}="))
                .map(|rest| rest.split(';').next().unwrap_or("").to_owned())
        })
}

/// Every `#field` link in a page's error summary points at an element that exists.
pub fn assert_summary_links_resolve(html: &str) {
    let Some(start) = html.find("class=\"error-summary\"") else {
        panic!("no error summary on the page");
    };
    let summary = &html[start
        ..html[start..]
            .find("</div>")
            .map_or(html.len(), |e| start + e)];
    let mut links = 0;
    for part in summary.split("href=\"#").skip(1) {
        let id = part.split('"').next().unwrap_or("");
        assert!(
            html.contains(&format!("id=\"{id}\"")),
            "the error summary links to #{id}, which is not on the page"
        );
        links += 1;
    }
    assert!(links > 0, "the error summary has no links");
}

/// The answers a fall needs (a witnessed fall, no head strike, no blood thinner).
pub const FALL_FIELDS: [(&str, &str); 3] = [
    ("seen", "witnessed"),
    ("head_struck", "no"),
    ("anticoagulant", "no"),
];

/// The same answers as raw details for a `ReportDraft`.
pub fn fall_details() -> candour_domain::details::RawDetails {
    FALL_FIELDS
        .iter()
        .map(|(k, v)| ((*k).to_owned(), vec![(*v).to_owned()]))
        .collect()
}

/// The same answers as JSON for the API.
pub fn fall_details_json() -> serde_json::Value {
    serde_json::json!({"seen": "witnessed", "head_struck": "no", "anticoagulant": "no"})
}

/// Reads a PDF back with poppler's `pdftotext` and `pdfinfo`: its text and
/// its document information. Without poppler-utils installed the reading is
/// skipped (`None`) with a note, except in CI (`CI=true`), which installs it
/// and fails without it.
pub fn read_pdf(bytes: &[u8]) -> anyhow::Result<Option<(String, String)>> {
    anyhow::ensure!(bytes.starts_with(b"%PDF-"), "not a PDF");
    let installed = std::process::Command::new("pdftotext")
        .arg("-v")
        .output()
        .is_ok();
    if !installed {
        anyhow::ensure!(
            !std::env::var("CI").is_ok_and(|v| v == "true"),
            "pdftotext is not installed: CI must read PDFs back (apt-get install poppler-utils)"
        );
        eprintln!("pdftotext is not installed (poppler-utils): not reading the PDF back");
        return Ok(None);
    }
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("document.pdf");
    std::fs::write(&path, bytes)?;
    let run = |tool: &str, args: &[&std::ffi::OsStr]| -> anyhow::Result<String> {
        let out = std::process::Command::new(tool).args(args).output()?;
        anyhow::ensure!(
            out.status.success(),
            "{tool} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Ok(String::from_utf8(out.stdout)?)
    };
    let text = run("pdftotext", &[path.as_os_str(), "-".as_ref()])?;
    let info = run("pdfinfo", &[path.as_os_str()])?;
    Ok(Some((text, info)))
}

/// A fall reported by the care worker at `service` at `occurred_at`, with
/// `description`, and triaged by the registered manager with `harm` (physical,
/// psychological), `risk` (consequence, likelihood) and `response`.
pub async fn reported_and_triaged(
    app: &TestApp,
    occurred_at: &str,
    description: &str,
    harm: (&str, &str),
    risk: (&str, &str),
    response: &str,
) -> anyhow::Result<candour_domain::incident::IncidentReference> {
    use candour_domain::incident::ReportDraft;
    use candour_domain::triage::TriageDraft;
    let worker = app.actor(app.world.email(Role::CareWorker)).await?;
    let draft = ReportDraft {
        kind: "incident".into(),
        category: "fall".into(),
        details: fall_details(),
        service_id: app.world.service.service_id.to_string(),
        occurred_at: occurred_at.into(),
        description: description.into(),
        immediate_actions: "Checked and helped; stayed with her".into(),
        affected_person_ids: vec![app.world.person.to_string()],
        ..ReportDraft::default()
    };
    let r = candour::actions::incidents::report_incident(&app.ctx, &worker, &draft)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .reference;
    let manager = app.actor(app.world.email(Role::RegisteredManager)).await?;
    let t = TriageDraft {
        kind: "incident".into(),
        category: "fall".into(),
        physical_harm: harm.0.into(),
        psychological_harm: harm.1.into(),
        consequence: risk.0.into(),
        likelihood: risk.1.into(),
        learning_response: response.into(),
        ..TriageDraft::default()
    };
    candour::actions::triage::triage_incident(&app.ctx, &manager, r, &t, 1)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(r)
}

/// A fall on 20 Nov 2026 with severe harm, triaged for a serious investigation.
pub async fn serious_fall(
    app: &TestApp,
) -> anyhow::Result<candour_domain::incident::IncidentReference> {
    reported_and_triaged(
        app,
        "2026-11-20T02:40:00Z",
        "Found on the floor by the bed at 02:40; hip pain",
        ("severe", "moderate"),
        ("4", "3"),
        "serious_investigation",
    )
    .await
}

/// [`serious_fall`] whose GP judged a change to the body's structure
/// (recorded through the API): a CQC serious injury notification and the
/// duty of candour are required, the notification due 24 Nov 2026, 09:30.
pub async fn serious_injury(
    app: &TestApp,
) -> anyhow::Result<candour_domain::incident::IncidentReference> {
    let r = serious_fall(app).await?;
    let token = token_for(app, app.world.email(Role::RegisteredManager)).await?;
    let resp = api_put(
        app,
        &token,
        &format!("/api/v1/incidents/{r}/assessment"),
        &serde_json::json!({"version": 0, "facts": {
            "person_type": "service_user", "died": false, "unintended_or_unexpected": true,
            "hcp_opinion": {"name": "Dr Okafor", "role": "GP", "given_at": "2026-11-20T09:00:00Z", "outcomes": ["body_structure_change"]}
        }}),
    )
    .await?;
    anyhow::ensure!(resp.status() == 200, "assessment: {}", resp.status());
    Ok(r)
}

/// A fall at Birch House (`other_service`, region 2) on Monday 23 Nov
/// 2026, reported by the head of operations, not triaged.
pub async fn birch_fall(
    app: &TestApp,
) -> anyhow::Result<candour_domain::incident::IncidentReference> {
    let head = app.actor(app.world.email(Role::HeadOfOperations)).await?;
    Ok(candour::actions::incidents::report_incident(
        &app.ctx,
        &head,
        &candour_domain::incident::ReportDraft {
            kind: "incident".into(),
            category: "fall".into(),
            details: fall_details(),
            service_id: app.world.other_service.service_id.to_string(),
            occurred_at: "2026-11-23T07:00:00Z".into(),
            description: "Slipped in the hall".into(),
            immediate_actions: "Checked for injury".into(),
            affected_person_ids: vec![app.world.other_person.to_string()],
            ..candour_domain::incident::ReportDraft::default()
        },
    )
    .await
    .map_err(fail)?
    .reference)
}

/// A low-harm fall at Alder House on the 10th of each month from April to
/// October 2026, none before: seven months above the mean at the end.
pub async fn falls_april_to_october(app: &TestApp) -> anyhow::Result<()> {
    for m in 4..=10 {
        reported_and_triaged(
            app,
            &format!("2026-{m:02}-10T10:00:00Z"),
            "Fell",
            ("low", "none"),
            ("2", "3"),
            "local_review",
        )
        .await?;
    }
    Ok(())
}

/// The registered manager shares "Wet floor signs" with Alder House, from
/// the incident `from`, and the care worker reads it; returns the lesson.
pub async fn wet_floor_lesson_read(
    app: &TestApp,
    from: candour_domain::incident::IncidentReference,
) -> anyhow::Result<uuid::Uuid> {
    let manager = app.actor(app.world.email(Role::RegisteredManager)).await?;
    let worker = app.actor(app.world.email(Role::CareWorker)).await?;
    let lesson = candour::actions::lessons::publish_lesson(
        &app.ctx,
        &manager,
        &candour_domain::lessons::LessonDraft {
            title: "Wet floor signs".into(),
            what_happened: "A resident slipped on a freshly mopped floor".into(),
            what_we_learned: "No sign was out".into(),
            what_we_changed: "Signs kept on the cleaning trolley".into(),
            scope: format!("service:{}", app.world.service.service_id),
            source: "incident".into(),
            source_ref: from.to_string(),
        },
    )
    .await
    .map_err(fail)?;
    candour::actions::lessons::acknowledge(&app.ctx, &worker, lesson)
        .await
        .map_err(fail)?;
    Ok(lesson)
}

/// An action's error as a test's error.
pub fn fail(e: impl std::fmt::Display) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

/// A minor fall on Monday 23 Nov 2026, triaged for a local review.
pub async fn minor_fall(
    app: &TestApp,
    description: &str,
) -> anyhow::Result<candour_domain::incident::IncidentReference> {
    reported_and_triaged(
        app,
        "2026-11-23T07:00:00Z",
        description,
        ("low", "none"),
        ("2", "3"),
        "local_review",
    )
    .await
}

/// No two elements of a page share an `id` (labels, error links and
/// anchors would point at the wrong one).
pub fn assert_ids_unique(html: &str) {
    let mut seen = std::collections::BTreeSet::new();
    for part in html.split(" id=\"").skip(1) {
        let id = part.split('"').next().unwrap_or("");
        assert!(seen.insert(id.to_owned()), "id=\"{id}\" appears twice");
    }
}

/// Where a redirect sends the browser (`Location`), or empty.
pub fn location_of(resp: &reqwest::Response) -> String {
    resp.headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// The demo's organisation (beside the test world's two) and its services.
pub async fn demo_organisation(
    app: &TestApp,
) -> anyhow::Result<(
    candour_domain::ids::OrganisationId,
    Vec<candour_domain::ids::ServiceId>,
)> {
    let store = &app.ctx.store;
    let org = store
        .organisation_ids()
        .await?
        .into_iter()
        .find(|o| *o != app.world.org && *o != app.world.org_b)
        .expect("the demo's organisation");
    let services = store
        .services(org)
        .await?
        .into_iter()
        .map(|s| s.service_id)
        .collect();
    Ok((org, services))
}

/// The public link from the poster page, as a manager prints it.
pub async fn public_path(app: &TestApp) -> anyhow::Result<String> {
    let rm = app
        .signed_in(
            app.world
                .email(candour_domain::role::Role::RegisteredManager),
        )
        .await?;
    let poster = rm
        .get(&format!(
            "/services/{}/poster",
            app.world.service.service_id
        ))
        .await?
        .text()
        .await?;
    assert!(poster.contains("<svg") && poster.contains("Something not right? Tell us."));
    let at = poster.find("/report/").expect("the poster shows the link");
    Ok(poster[at..]
        .chars()
        .take_while(|c| *c != '<' && *c != '"')
        .collect())
}

/// How many rows `table` holds (for checking what is kept and what is gone).
pub async fn count_rows(store: &Store, table: &str) -> anyhow::Result<i64> {
    let sql = format!("select count(*) from {table}");
    Ok(match store.backend() {
        candour::store::Backend::Sqlite { read, .. } => {
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .fetch_one(read)
                .await?
        }
        candour::store::Backend::Postgres(p) => {
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .fetch_one(p)
                .await?
        }
    })
}

/// A context on `store` with the test clock at [`start_time`] and documents
/// typeset in process (for calling actions without a server).
pub fn ctx_at_start(store: Store) -> Ctx {
    Ctx {
        store,
        clock: Arc::new(FixedClock::new(start_time())),
        public_url: None,
        typesetter: candour::typeset::Typesetter::InProcess,
    }
}

/// Adds a member of staff with one grant and the test password.
pub async fn staff_member(
    app: &TestApp,
    (email, name): (&str, &str),
    role: Role,
    scope: Scope,
) -> anyhow::Result<candour::actions::Actor> {
    let mut tx = app.ctx.store.begin().await?;
    add_user_in(
        &mut tx,
        &NewUser {
            organisation_id: app.world.org,
            email: email.to_owned(),
            display_name: name.to_owned(),
            grant: Grant { role, scope },
            password: None,
        },
        Some(password_hash().await),
        "test",
        app.ctx.clock.now().as_millisecond(),
    )
    .await
    .map_err(fail)?;
    tx.commit().await?;
    app.actor(email).await
}
