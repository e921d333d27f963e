//! What a real network and a busy vCenter do to a call, on demand: transient
//! faults (503, 504, an error marked transient, a dropped connection) for
//! the next N calls of an operation, and a log of the requests seen (with
//! their `Client-Token`), so that tests can check what a client retried.

use crate::Simulator;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use vsphere_api::wire::OperationInfo;

/// A transient failure the simulator answers a call with. The call is
/// carried out first and only its answer is lost, as when a proxy times out
/// or a connection breaks on the way back: a client that repeats a
/// creation without its `Client-Token` would create twice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransientFault {
    /// 503 `SERVICE_UNAVAILABLE` (a service restarting, an upgrade).
    ServiceUnavailable,
    /// 504 `TIMED_OUT`.
    TimedOut,
    /// 500 `ERROR` whose `data` is a `TransientIndication` with `is_transient: true`.
    TransientError,
    /// The connection is closed without an answer.
    DropConnection,
}

/// A request the simulator received: enough to tell a retry from a new call.
/// Credentials are not kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeenRequest {
    /// The HTTP method.
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The `Client-Token` header, if any.
    pub client_token: Option<String>,
}

/// How many requests [`Simulator::seen_requests`] remembers (the latest ones).
pub const SEEN_REQUESTS_KEPT: usize = 10_000;

/// Faults waiting for calls of one operation.
#[derive(Clone, Debug)]
pub(crate) struct PendingFault {
    method: &'static str,
    path: &'static str,
    fixed_query: &'static [(&'static str, &'static str)],
    fault: TransientFault,
    remaining: u32,
}

impl PendingFault {
    fn matches(&self, method: &str, path: &str, query: &str) -> bool {
        self.method == method
            && template_matches(self.path, path)
            && self.fixed_query.iter().all(|(name, value)| {
                query
                    .split('&')
                    .any(|pair| pair.split_once('=') == Some((name, value)))
            })
    }
}

/// Whether `path` is an instance of `template` (`{name}` matches one segment).
fn template_matches(template: &str, path: &str) -> bool {
    let mut template = template.split('/');
    let mut path = path.split('/');
    loop {
        match (template.next(), path.next()) {
            (None, None) => return true,
            (Some(expected), Some(actual)) => {
                let parameter = expected.starts_with('{') && expected.ends_with('}');
                if !(parameter && !actual.is_empty() || expected == actual) {
                    return false;
                }
            }
            _ => return false,
        }
    }
}

impl Simulator {
    /// Answers the next `times` calls of `operation` with `fault`, after
    /// carrying each out (see [`TransientFault`]). Works for every
    /// operation, before authentication is checked.
    pub fn inject_transient_faults(
        &self,
        operation: &OperationInfo,
        fault: TransientFault,
        times: u32,
    ) {
        self.pending_faults().push(PendingFault {
            method: operation.method,
            path: operation.path,
            fixed_query: operation.fixed_query,
            fault,
            remaining: times,
        });
    }

    /// The requests received so far (at most [`SEEN_REQUESTS_KEPT`], the latest).
    pub fn seen_requests(&self) -> Vec<SeenRequest> {
        self.seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .cloned()
            .collect()
    }

    /// The requests received so far for `operation` (by method and path).
    pub fn seen_calls(&self, operation: &OperationInfo) -> Vec<SeenRequest> {
        self.seen_requests()
            .into_iter()
            .filter(|seen| {
                seen.method == operation.method && template_matches(operation.path, &seen.path)
            })
            .collect()
    }

    /// Ends every session at once, as a vCenter restart or idle expiry
    /// does: their ids are answered 401 UNAUTHENTICATED from now on.
    pub fn expire_sessions(&self) {
        self.lock().sessions.clear();
    }

    fn pending_faults(&self) -> std::sync::MutexGuard<'_, Vec<PendingFault>> {
        self.transient_faults
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The fault for this request, if one is pending (one of its times used).
    fn take_transient_fault(
        &self,
        method: &str,
        path: &str,
        query: &str,
    ) -> Option<TransientFault> {
        let mut pending = self.pending_faults();
        let index = pending
            .iter()
            .position(|fault| fault.remaining > 0 && fault.matches(method, path, query))?;
        let entry = &mut pending[index];
        entry.remaining -= 1;
        let fault = entry.fault;
        if entry.remaining == 0 {
            pending.remove(index);
        }
        Some(fault)
    }

    fn record(&self, seen: SeenRequest) {
        let mut log = self
            .seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if log.len() == SEEN_REQUESTS_KEPT {
            log.pop_front();
        }
        log.push_back(seen);
    }
}

/// The middleware in front of every route: records the request, carries it
/// out, then answers with a pending fault instead, if there is one.
pub(crate) async fn network(simulator: Simulator, request: Request, next: Next) -> Response {
    let method = request.method().as_str().to_owned();
    let path = request.uri().path().to_owned();
    let query = request.uri().query().unwrap_or_default().to_owned();
    let client_token = request
        .headers()
        .get("client-token")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let fault = simulator.take_transient_fault(&method, &path, &query);
    simulator.record(SeenRequest {
        method,
        path: path.clone(),
        client_token,
    });
    let answer = next.run(request).await;
    let Some(fault) = fault else {
        return answer;
    };
    let legacy = path.starts_with("/rest/");
    let (status, error_type, data) = match fault {
        TransientFault::ServiceUnavailable => (503, "SERVICE_UNAVAILABLE", None),
        TransientFault::TimedOut => (504, "TIMED_OUT", None),
        TransientFault::TransientError => (
            500,
            "ERROR",
            Some(serde_json::json!({ "is_transient": true })),
        ),
        TransientFault::DropConnection => return dropped_connection(),
    };
    let messages = serde_json::json!([{
        "id": "vsphere.simulator.transient",
        "default_message": "A transient fault injected by the simulator.",
        "args": [],
    }]);
    let mut error = serde_json::json!({ "messages": messages });
    if let (Some(data), Some(fields)) = (data, error.as_object_mut()) {
        fields.insert("data".into(), data);
    }
    let body = if legacy {
        serde_json::json!({
            "type": format!("com.vmware.vapi.std.errors.{}", error_type.to_ascii_lowercase()),
            "value": error,
        })
    } else {
        if let Some(fields) = error.as_object_mut() {
            fields.insert("error_type".into(), error_type.into());
        }
        error
    };
    let status = axum::http::StatusCode::from_u16(status)
        .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        [("content-type", "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// A response whose body fails before its first byte: the server closes the
/// connection without sending an answer.
fn dropped_connection() -> Response {
    let failing = futures_util::stream::iter([Err::<Vec<u8>, _>(std::io::Error::other(
        "connection dropped by the simulator",
    ))]);
    axum::body::Body::from_stream(failing).into_response()
}

#[cfg(test)]
mod tests {
    use super::template_matches;

    #[test]
    fn templates_match_one_segment_per_parameter() {
        assert!(template_matches("/api/a/{x}/b", "/api/a/1/b"));
        assert!(!template_matches("/api/a/{x}/b", "/api/a//b"));
        assert!(!template_matches("/api/a/{x}/b", "/api/a/1/2/b"));
        assert!(!template_matches("/api/a", "/api/a/b"));
        assert!(template_matches("/api/session", "/api/session"));
    }
}
