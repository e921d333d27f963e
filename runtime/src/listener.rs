//! Serving a router on a socket (feature `server`), hardened against slow
//! and idle clients: a time limit on each request's headers and on its
//! body, and a bound on open connections, each configurable.
//! `axum::serve` has none of these, so a few hundred connections that send
//! nothing starve every other client.

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, ToSocketAddrs};
use tokio::sync::Semaphore;
use tower_http::timeout::RequestBodyTimeout;

/// How long a client may take to send a request's headers (from the moment
/// the connection is ready for a request), unless [`Server::header_timeout`] says otherwise.
pub const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a client may take to send a request's body, unless [`Server::body_timeout`] says otherwise.
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(30);
/// How many connections are served at once, unless [`Server::max_connections`]
/// says otherwise; further clients wait in the listen backlog.
pub const DEFAULT_MAX_CONNECTIONS: usize = 256;

/// A listening socket and how connections to it are served:
/// `Server::bind(address).await?.header_timeout(..).body_timeout(..).max_connections(..)`,
/// then `.serve(router)` (the generated server module's docs show it whole).
#[derive(Debug)]
pub struct Server {
    listener: TcpListener,
    header_timeout: Duration,
    body_timeout: Duration,
    max_connections: usize,
}

impl Server {
    /// Listens on `address`, with the default limits.
    pub async fn bind(address: impl ToSocketAddrs) -> std::io::Result<Self> {
        Ok(Self::from_listener(TcpListener::bind(address).await?))
    }

    /// Serves on a socket already listening, with the default limits.
    pub fn from_listener(listener: TcpListener) -> Self {
        Server {
            listener,
            header_timeout: DEFAULT_HEADER_TIMEOUT,
            body_timeout: DEFAULT_BODY_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
        }
    }

    /// The address it listens on (with the port the OS chose for port 0).
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// How long a client may take to send a request's headers; a connection
    /// that takes longer (or stays idle that long between requests) is closed.
    pub fn header_timeout(mut self, timeout: Duration) -> Self {
        self.header_timeout = timeout;
        self
    }

    /// How long a client may take to send a request's body; a body not
    /// received in time is answered with a 400 InvalidArgument.
    pub fn body_timeout(mut self, timeout: Duration) -> Self {
        self.body_timeout = timeout;
        self
    }

    /// How many connections are served at once (at least one); further
    /// clients wait to be accepted until one closes.
    pub fn max_connections(mut self, connections: usize) -> Self {
        self.max_connections = connections.max(1);
        self
    }

    /// Serves `router` until the task is dropped or aborted. Accept errors
    /// (such as running out of file descriptors) are waited out, not fatal.
    pub async fn serve(self, router: Router) -> Infallible {
        let connections = Arc::new(Semaphore::new(self.max_connections));
        loop {
            // Not accepting beyond the bound leaves clients in the backlog
            // instead of holding a descriptor (and a task) each.
            let Ok(permit) = Arc::clone(&connections).acquire_owned().await else {
                // The semaphore is never closed; wait as if it were full.
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            };
            let stream = match self.listener.accept().await {
                Ok((stream, _)) => stream,
                Err(_) => {
                    // EMFILE, ECONNABORTED, ...: another try after a pause,
                    // as axum::serve does.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            };
            let service = TowerToHyperService::new(RequestBodyTimeout::new(
                router.clone(),
                self.body_timeout,
            ));
            let mut http = hyper::server::conn::http1::Builder::new();
            http.timer(TokioTimer::new())
                .header_read_timeout(self.header_timeout);
            tokio::spawn(async move {
                // A connection's end (closed, timed out, broken) is no one's error.
                let _ = http.serve_connection(TokioIo::new(stream), service).await;
                drop(permit);
            });
        }
    }
}
