//! Health, readiness, metrics, assets and the headers every response carries.

use crate::helpers::*;
use candour_domain::role::Role;

db_test!(health_readiness_and_metrics_answer, |engine| {
    let app = TestApp::spawn(engine).await?;
    let c = app.client();
    assert_eq!(c.get("/healthz").await?.status(), 200);
    assert_eq!(c.get("/readyz").await?.status(), 200);
    c.get("/login").await?;
    c.get("/nothing-here").await?;
    let metrics = app.metrics().await?;
    assert!(
        metrics.contains(
            "candour_http_requests_total{method=\"GET\",route=\"/login\",status=\"200\"} 1"
        ),
        "{metrics}"
    );
    assert!(metrics.contains("status=\"404\""));
    assert!(metrics.contains("candour_http_request_duration_seconds_bucket"));
    assert!(metrics.contains("candour_db_pool_connections"));
    Ok(())
});

db_test!(readiness_fails_when_the_database_is_gone, |engine| {
    let app = TestApp::spawn(engine).await?;
    app.ctx.store.close().await;
    assert_eq!(app.client().get("/readyz").await?.status(), 503);
    assert_eq!(app.client().get("/healthz").await?.status(), 200);
    Ok(())
});

db_test!(pages_carry_security_headers_and_own_assets_only, |engine| {
    let app = TestApp::spawn(engine).await?;
    let c = app.signed_in(app.world.email(Role::CareWorker)).await?;
    let resp = c.get("/").await?;
    let h = resp.headers();
    assert_eq!(h["x-frame-options"], "DENY");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert!(
        h["content-security-policy"]
            .to_str()?
            .contains("default-src 'self'")
    );
    assert_eq!(h["cache-control"], "no-store");
    // Not no-referrer: browsers would then send `Origin: null` on our own forms.
    assert_eq!(h["referrer-policy"], "same-origin");
    let body = resp.text().await?;
    assert!(
        !body.contains("http://") && !body.contains("https://"),
        "no asset from another host"
    );
    assert!(body.contains("Skip to main content") && body.contains("<main id=\"main\""));
    assert_eq!(body.matches("<h1").count(), 1, "one h1 per page");
    assert!(
        !body.contains("Demo data"),
        "no demo banner on a real database"
    );
    let css = c.get("/assets/candour.css").await?;
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
    Ok(())
});

db_test!(
    half_sent_requests_are_closed_and_the_server_keeps_answering,
    |engine| {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let app = TestApp::spawn_tuned(engine, |s| {
            s.header_read_timeout = std::time::Duration::from_secs(1)
        })
        .await?;
        let addr = app.base.trim_start_matches("http://").to_owned();
        // Many clients each send part of a request's headers and stop.
        let mut held = Vec::new();
        for _ in 0..200 {
            let mut s = tokio::net::TcpStream::connect(&addr).await?;
            s.write_all(b"GET /login HTTP/1.1\r\nHost: candour\r\nX-Slow: ")
                .await?;
            held.push(s);
        }
        tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
        for mut s in held {
            let mut buf = [0u8; 512];
            let read = tokio::time::timeout(std::time::Duration::from_secs(2), s.read(&mut buf))
                .await
                .map_err(|_| anyhow::anyhow!("a half-sent request was still held open"))?;
            // Closed: end of stream, an error, or hyper's 408 before closing.
            if let Ok(n) = read {
                let head = String::from_utf8_lossy(&buf[..n]);
                assert!(n == 0 || head.starts_with("HTTP/1.1 408"), "{head}");
            }
        }
        assert_eq!(app.client().get("/healthz").await?.status(), 200);
        Ok(())
    }
);

db_test!(
    metrics_need_their_token_on_the_main_address_or_an_address_of_their_own,
    |engine| {
        let app = TestApp::spawn(engine).await?;
        let c = app.client();
        let resp = c.get("/metrics").await?;
        assert_eq!(resp.status(), 401, "no token");
        let worker = app.signed_in(app.world.email(Role::CareWorker)).await?;
        assert_eq!(
            worker.get("/metrics").await?.status(),
            401,
            "a session is not enough"
        );
        let resp = reqwest::Client::new()
            .get(format!("{}/metrics", app.base))
            .bearer_auth("not-the-token")
            .send()
            .await?;
        assert_eq!(resp.status(), 401);
        assert!(app.metrics().await?.contains("candour_http_requests_total"));

        // Without a token they are not on the main address at all, only on their own.
        let open = TestApp::spawn_tuned(engine, |s| s.metrics_token = None).await?;
        assert_eq!(open.client().get("/metrics").await?.status(), 404);
        let state = candour::web::AppState::new(open.ctx.clone(), false).await?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let at = listener.local_addr()?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(candour::web::serve_metrics(listener, state, async {
            let _ = stopped.await;
        }));
        let text = reqwest::get(format!("http://{at}/metrics"))
            .await?
            .text()
            .await?;
        assert!(text.contains("candour_email_outbox"), "{text}");
        let resp = reqwest::get(format!("http://{at}/login")).await?;
        assert_eq!(resp.status(), 404, "nothing else is served there");
        let _ = stop.send(());
        server.await??;
        Ok(())
    }
);

// SQLite only: another process holding the database's write lock (a backup
// tool, a second server on the same file) makes writes wait, then give up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_busy_for_too_long_answers_503_with_retry_after_and_is_not_ready()
-> anyhow::Result<()> {
    use sqlx::Connection;
    let app = TestApp::spawn(candour::store::Engine::Sqlite).await?;
    let token = token_for(&app, app.world.email(Role::CareWorker)).await?;
    let report = serde_json::json!({"kind": "near_miss", "category": "other",
        "service_id": app.world.service.service_id, "occurred_at": "2026-11-23T08:00:00Z",
        "description": "A loose handrail on the stairs"});
    let mut other = sqlx::SqliteConnection::connect(&app._db.url).await?;
    sqlx::query("begin immediate").execute(&mut other).await?;
    let resp = app.client().get("/readyz").await?;
    assert_eq!(resp.status(), 503, "not ready while writes cannot be made");
    let resp = api_post(&app, &token, "/api/v1/incidents", &report).await?;
    assert_eq!(resp.status(), 503);
    assert!(resp.headers().contains_key("retry-after"));
    assert_eq!(resp.headers()["content-type"], "application/problem+json");
    let problem: serde_json::Value = resp.json().await?;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("not saved"),
        "{problem}"
    );
    sqlx::query("rollback").execute(&mut other).await?;
    assert_eq!(app.client().get("/readyz").await?.status(), 200);
    let resp = api_post(&app, &token, "/api/v1/incidents", &report).await?;
    assert_eq!(resp.status(), 201, "and writes again once it is free");
    Ok(())
}
