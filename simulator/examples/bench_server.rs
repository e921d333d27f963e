//! The server of `cargo xtask bench server`: one operation,
//! `POST /api/content/library/{library}/subscriptions`, served either by the
//! generated router (`--mode generated`) or by a hand-written axum handler
//! doing the same work (`--mode baseline`).
//!
//! Both authenticate the `vmware-api-session-id` header, check the optional
//! `Client-Token` is a UUID, parse the JSON body into the same
//! `CreateSpec`, reject unknown enum values and non-URI `storage_uri`s with a
//! 400, check the operation's privilege, and answer 201 with the same JSON
//! string. The difference is what the generated code adds: its routing, the
//! two-step parse (JSON value, then the type, for field-naming errors), the
//! walk over every field, and the vapi error bodies.
//!
//! ```sh
//! cargo run --release -p vsphere-simulator --example bench_server -- --mode generated --listen 127.0.0.1:0
//! ```
//!
//! It prints `listening on ADDR` on stdout and serves on one thread (the load
//! generator gets the other core) until killed.

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use clap::{Parser, ValueEnum};
use std::io::Write;
use vsphere_api::operations::content_library_subscriptions_create as op;
use vsphere_api::types::content::library::storage_backing::Type as StorageType;
use vsphere_api::types::content::library::subscriptions::create_spec_subscribed_library::Target;
use vsphere_api::types::content::library::subscriptions::{CreateSpec, Location};
use vsphere_api::wire::{Auth, OperationInfo};

/// The session id the load generator sends.
const SESSION: &str = "bench-session";
/// The privileges the benchmark's user holds.
const PRIVILEGES: &[&str] = &["ContentLibrary.AddSubscription"];
/// What a successful call answers.
const SUBSCRIPTION: &str = "subscription-1";

#[derive(Clone, Copy, ValueEnum)]
enum Mode {
    /// `vsphere_api::server::router` with a minimal `Api`.
    Generated,
    /// A hand-written axum route doing the same checks.
    Baseline,
}

#[derive(Parser)]
#[command(about = "One-operation server for the stub-overhead benchmark")]
struct Args {
    /// Which implementation to serve.
    #[arg(long, value_enum)]
    mode: Mode,
    /// Address to listen on (port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: std::net::SocketAddr,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.listen).await?;
        println!("listening on {}", listener.local_addr()?);
        std::io::stdout().flush()?;
        let app = match args.mode {
            Mode::Generated => vsphere_api::server::router(BenchApi),
            Mode::Baseline => baseline_router(),
        };
        axum::serve(listener, app).await?;
        Ok(())
    })
}

/// The generated side: only the operation's behaviour is written here.
struct BenchApi;

impl vsphere_api::server::Api for BenchApi {
    type Principal = ();

    async fn authenticate(&self, credentials: &Auth, _operation: &OperationInfo) -> Option<()> {
        match credentials {
            Auth::SessionId(session) if session.expose_secret() == SESSION => Some(()),
            _ => None,
        }
    }

    async fn authorize(
        &self,
        _principal: &(),
        operation: &OperationInfo,
        _object: Option<&str>,
    ) -> bool {
        operation
            .privileges
            .iter()
            .all(|privilege| PRIVILEGES.contains(privilege))
    }

    async fn content_library_subscriptions_create(
        &self,
        _principal: &(),
        _request: op::Request,
    ) -> Result<op::Response, op::Error> {
        Ok(SUBSCRIPTION.to_owned())
    }
}

/// The hand-written side: the same route, checks and answer, written the way
/// one would by hand (straight into the type, first problem wins).
fn baseline_router() -> axum::Router {
    axum::Router::new()
        .route(
            "/api/content/library/{library}/subscriptions",
            axum::routing::post(baseline_create),
        )
        .layer(DefaultBodyLimit::max(1 << 20))
}

async fn baseline_create(Path(library): Path<String>, headers: HeaderMap, body: Bytes) -> Response {
    let session = headers
        .get("vmware-api-session-id")
        .and_then(|value| value.to_str().ok());
    if session != Some(SESSION) {
        return error(
            StatusCode::UNAUTHORIZED,
            "UNAUTHENTICATED",
            "not authenticated",
        );
    }
    if let Some(token) = headers.get("Client-Token") {
        let valid = token
            .to_str()
            .is_ok_and(|token| uuid::Uuid::parse_str(token).is_ok());
        if !valid {
            return invalid("Client-Token is not a UUID");
        }
    }
    let spec: CreateSpec = match serde_json::from_slice(&body) {
        Ok(spec) => spec,
        Err(problem) => return invalid(&problem.to_string()),
    };
    if let Err(problem) = validate(&spec) {
        return invalid(&problem);
    }
    let allowed = op::OPERATION
        .privileges
        .iter()
        .all(|privilege| PRIVILEGES.contains(privilege));
    if library.is_empty() || !allowed {
        return error(StatusCode::FORBIDDEN, "UNAUTHORIZED", "not allowed");
    }
    (
        StatusCode::CREATED,
        [(header::CONTENT_TYPE, "application/json")],
        serde_json::Value::from(SUBSCRIPTION).to_string(),
    )
        .into_response()
}

/// The checks the spec implies for this body: known enum values, URIs.
fn validate(spec: &CreateSpec) -> Result<(), String> {
    let library = &spec.subscribed_library;
    if let Target::Unknown(value) = &library.target {
        return Err(format!("unknown target `{value}`"));
    }
    if let Location::Unknown(value) = &library.location {
        return Err(format!("unknown location `{value}`"));
    }
    let backings = library
        .new_subscribed_library
        .iter()
        .flat_map(|new| &new.storage_backings);
    for backing in backings {
        if let Some(StorageType::Unknown(value)) = &backing.type_ {
            return Err(format!("unknown storage type `{value}`"));
        }
        if let Some(uri) = &backing.storage_uri {
            url::Url::parse(uri).map_err(|problem| format!("`{uri}` is not a URI: {problem}"))?;
        }
    }
    Ok(())
}

fn invalid(message: &str) -> Response {
    error(StatusCode::BAD_REQUEST, "INVALID_ARGUMENT", message)
}

/// A vapi-shaped error body.
fn error(status: StatusCode, error_type: &str, message: &str) -> Response {
    let body = serde_json::json!({
        "error_type": error_type,
        "messages": [{ "id": "bench.error", "default_message": message, "args": [] }],
    });
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}
