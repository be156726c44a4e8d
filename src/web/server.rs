//! Accepting connections. HTTP/1.1 through hyper, with limits on slow
//! clients (a header-read timeout, which also closes idle keep-alive
//! connections, and a body-read timeout), the client's address for the
//! handlers (`ConnectInfo`), NUL removed from the request's path and query
//! before it is routed (`web::nul`), and a graceful stop that finishes the
//! requests in flight.

use super::{AppState, nul, router};
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use std::time::Duration;
use tower::ServiceExt;

/// How long a client may take to send a request's headers (and how long an
/// idle keep-alive connection is kept) before the connection is closed.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a client may take to send a request's body.
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a stop waits for requests in flight.
const DRAIN_FOR: Duration = Duration::from_secs(30);

/// Serves the application on `listener` until `shutdown` resolves, then
/// stops taking connections and drains the requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let header_timeout = state.header_read_timeout;
    let app = router(state);
    serve_router(listener, app, header_timeout, shutdown).await
}

/// Serves only `/metrics`, with no token, on an address of its own (for a
/// monitoring network), until `shutdown` resolves.
pub async fn serve_metrics(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let header_timeout = state.header_read_timeout;
    let app = axum::Router::new()
        .route("/metrics", axum::routing::get(super::metrics_text))
        .with_state(state);
    serve_router(listener, app, header_timeout, shutdown).await
}

async fn serve_router(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    header_timeout: Duration,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = app.layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
        BODY_READ_TIMEOUT,
    ));
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of file descriptors, or a connection reset before it was
                    // accepted: wait a moment rather than spin, and carry on.
                    tracing::warn!(error = %e, "a connection could not be accepted");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let service =
            hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                let mut req = req.map(axum::body::Body::new);
                req.extensions_mut().insert(ConnectInfo(peer));
                nul::clean_request_uri(&mut req);
                app.clone().oneshot(req)
            });
        let conn = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(header_timeout)
            .serve_connection(TokioIo::new(stream), service);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, "connection ended");
            }
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(DRAIN_FOR) => {
            tracing::warn!("connections were still open {} s after the stop", DRAIN_FOR.as_secs());
        }
    }
    Ok(())
}
