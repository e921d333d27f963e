//! An in-memory vCenter on the generated server stubs of `vsphere-api`.
//!
//! [`Simulator`] implements [`vsphere_api::server::Api`] for the curated
//! spec's operations, with demo data ([`Simulator::with_demo_data`]), seeding
//! ([`Simulator::add_library`] and the like), fault injection
//! ([`Simulator::inject_fault`], and transient faults such as 503s and
//! dropped connections for the next N calls:
//! [`Simulator::inject_transient_faults`]), a log of the requests received
//! ([`Simulator::seen_requests`]), session expiry on demand
//! ([`Simulator::expire_sessions`]), depot imports as tasks whose phases last a
//! set number of reads ([`TaskTiming`]), and a vCenter 6.7 mode
//! ([`Simulator::legacy_only`]). Routing, parsing, validation,
//! authentication checks and the wire forms all come from the generated
//! `server` module; only behaviour is written here.
//!
//! Tests start one on a loopback port with [`start`]:
//!
//! ```no_run
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! use vsphere_simulator::{ADMIN, PASSWORD, Simulator};
//!
//! let running = vsphere_simulator::start(Simulator::with_demo_data()).await?;
//! let client = vsphere_api::client::Client::new(&running.base_url)?
//!     .login(ADMIN, PASSWORD)
//!     .await?;
//! // ... call operations with `client`, look inside with `running.simulator.lock()`.
//! # let _ = client; Ok(()) }
//! ```
//!
//! The `vsphere-simulator` binary serves one with demo data on a fixed
//! address (`--listen`, by default `127.0.0.1:8089`).
#![deny(missing_docs)]

mod network;
mod sim;

pub use network::{SEEN_REQUESTS_KEPT, SeenRequest, TransientFault};
pub use sim::{
    ALL_PRIVILEGES, Caller, DEMO_TASK, Library, Session, Simulator, State, Task, TaskOutcome,
    TaskTiming, User, Vm,
};

use std::fmt;
use std::net::SocketAddr;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// The demo administrator: every privilege ([`ALL_PRIVILEGES`]).
pub const ADMIN: &str = "administrator@vsphere.local";
/// The demo user without privileges.
pub const READONLY: &str = "readonly@vsphere.local";
/// The password of both demo users.
pub const PASSWORD: &str = "VMware1!";

/// A simulator serving on a loopback socket, started by [`start`]. Dropping
/// it stops the server.
#[derive(Debug)]
pub struct Running {
    /// Where it listens, e.g. `http://127.0.0.1:40123`: the base URL for a
    /// [`vsphere_api::client::Client`].
    pub base_url: String,
    /// The socket address it listens on.
    pub address: SocketAddr,
    /// The simulator it serves; it shares its state with the server, so a
    /// test can inject faults and look inside.
    pub simulator: Simulator,
    server: JoinHandle<()>,
}

/// Why a simulator could not start: the address and the reason, in one line
/// (`Debug` too, so a test's `expect` prints it readably).
pub struct StartError {
    address: String,
    reason: std::io::Error,
}

impl StartError {
    /// The underlying I/O error (for example `AddrInUse`).
    pub fn kind(&self) -> std::io::ErrorKind {
        self.reason.kind()
    }
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let reason = match self.reason.kind() {
            std::io::ErrorKind::AddrInUse => "the address is already in use".to_owned(),
            _ => self.reason.to_string(),
        };
        write!(
            f,
            "cannot start the simulator on {}: {reason}",
            self.address
        )
    }
}

impl fmt::Debug for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for StartError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.reason)
    }
}

/// Serves `simulator` on 127.0.0.1 and a port the OS chooses, in a task of
/// the current tokio runtime (so call it from inside one, e.g. a
/// `#[tokio::test]`). Fails only if the socket cannot be bound.
pub async fn start(simulator: Simulator) -> Result<Running, StartError> {
    start_at(
        simulator,
        SocketAddr::from((std::net::Ipv4Addr::LOCALHOST, 0)),
    )
    .await
}

/// Serves `simulator` on `address` (port 0: one the OS chooses), like [`start`].
pub async fn start_at(simulator: Simulator, address: SocketAddr) -> Result<Running, StartError> {
    let failed = |reason| StartError {
        address: address.to_string(),
        reason,
    };
    let listener = TcpListener::bind(address).await.map_err(failed)?;
    let address = listener.local_addr().map_err(failed)?;
    let app = simulator.router();
    let server = tokio::spawn(async move {
        // axum's server only returns when the listener fails for good; there
        // is no one to tell, and the test that uses it then fails on its own.
        let _ = axum::serve(listener, app).await;
    });
    Ok(Running {
        base_url: format!("http://{address}"),
        address,
        simulator,
        server,
    })
}

impl Simulator {
    /// The HTTP service: the generated router over this simulator; with
    /// [`Simulator::legacy_only`], every `/api` path answers 404 as vCenter
    /// 6.7 (which has only `/rest`) does.
    pub fn router(&self) -> axum::Router {
        let network = self.clone();
        let router = vsphere_api::server::router(self.clone()).layer(axum::middleware::from_fn(
            move |request: axum::extract::Request, next: axum::middleware::Next| {
                network::network(network.clone(), request, next)
            },
        ));
        if !self.legacy_only {
            return router;
        }
        router.layer(axum::middleware::from_fn(
            |request: axum::extract::Request, next: axum::middleware::Next| async move {
                let path = request.uri().path();
                if path == "/api" || path.starts_with("/api/") {
                    return axum::response::IntoResponse::into_response((
                        axum::http::StatusCode::NOT_FOUND,
                        "404 Not Found",
                    ));
                }
                next.run(request).await
            },
        ))
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// The README's Rust examples, compiled as doctests of this crate (which
/// depends on `vsphere-api` with both features).
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeExamples;
