//! The tracing of a call: a span per call with its fields, an event per
//! retry, and no secret anywhere. Its own test binary: `tracing` caches
//! whether a callsite is wanted, process-wide, so a test running beside
//! this one without a subscriber could hide its spans.

use serde_json::json;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use vsphere_api::client::{Client, RetryPolicy};
use vsphere_api::operations::{
    cis_tasks_get, content_library_item_update_session_create as update_session,
};
use vsphere_api::types::content::library::item::UpdateSessionModel;
use vsphere_simulator::{ADMIN, PASSWORD, Simulator, TransientFault};

fn item_one() -> UpdateSessionModel {
    serde_json::from_value(json!({ "library_item_id": "item-1" })).expect("a model")
}

/// Everything a `tracing` subscriber writes, kept for the test to read.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    fn text(&self) -> String {
        let bytes = self.0.lock().unwrap_or_else(|e| e.into_inner()).clone();
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "current_thread")]
async fn calls_are_traced_without_secrets() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_writer(move || writer.clone())
        .finish();
    let _installed = tracing::subscriber::set_default(subscriber);

    let server = vsphere_simulator::start(Simulator::with_demo_data())
        .await
        .expect("start the simulator on loopback");
    let client = Client::builder(&server.base_url)
        .retry(
            RetryPolicy::standard()
                .with_backoff(Duration::from_millis(1), Duration::from_millis(5)),
        )
        .renew_session(true)
        .build()
        .expect("client")
        .login(ADMIN, PASSWORD)
        .await
        .expect("login");
    server.simulator.expire_sessions();
    server.simulator.inject_transient_faults(
        &update_session::OPERATION,
        TransientFault::ServiceUnavailable,
        1,
    );
    client
        .content_library_item_update_session_create(update_session::Request::new(
            update_session::RequestRequired { body: item_one() },
        ))
        .await
        .expect("renewed, retried, created");
    let missing = client
        .cis_tasks_get(cis_tasks_get::Request::new(
            cis_tasks_get::RequestRequired {
                task: "no-such-task".to_owned(),
            },
        ))
        .await;
    assert!(missing.is_err());

    let output = captured.text();
    let created = output
        .lines()
        .find(|line| {
            line.contains("operation_id=\"Content.Library.Item.UpdateSession_create\"")
                && line.contains("close")
        })
        .unwrap_or_else(|| panic!("no span of the creation in:\n{output}"));
    for field in [
        "method=\"POST\"",
        "path=\"/api/content/library/item/update-session\"",
        "attempt=3",
        "status=2",
    ] {
        assert!(created.contains(field), "{field} missing in {created}");
    }
    let failed = output
        .lines()
        .find(|line| line.contains("operation_id=\"Cis.Tasks_get\"") && line.contains("close"))
        .unwrap_or_else(|| panic!("no span of the read in:\n{output}"));
    for field in ["status=404", "error_type=\"NOT_FOUND\"", "attempt=1"] {
        assert!(failed.contains(field), "{field} missing in {failed}");
    }
    assert!(output.contains("retrying"), "{output}");
    assert!(output.contains("failure=\"transient\""), "{output}");
    assert!(output.contains("logged in again"), "{output}");

    let sessions: Vec<String> = server.simulator.lock().sessions.keys().cloned().collect();
    let tokens: Vec<String> = server
        .simulator
        .seen_requests()
        .into_iter()
        .filter_map(|seen| seen.client_token)
        .collect();
    assert!(!sessions.is_empty() && !tokens.is_empty());
    for secret in sessions
        .iter()
        .chain(&tokens)
        .map(String::as_str)
        .chain([PASSWORD])
    {
        assert!(!output.contains(secret), "a secret in the trace:\n{output}");
    }
}
