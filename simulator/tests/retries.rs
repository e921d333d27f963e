//! A client on a real network: retries that never create twice, session
//! renewal and tracing, against the simulator's injected transient faults
//! over loopback.

use serde_json::json;
use std::time::{Duration, Instant};
use vsphere_api::client::{Client, RetryPolicy};
use vsphere_api::operations::{
    cis_session_create, cis_tasks_get,
    content_library_item_update_session_create as update_session,
    content_library_item_update_session_create_rest as update_session_rest,
    esx_settings_depots_offline_create_task as depots,
};
use vsphere_api::types::content::library::item::UpdateSessionModel;
use vsphere_api::types::esx::settings::depots::offline::CreateSpec;
use vsphere_simulator::{ADMIN, DEMO_TASK, PASSWORD, Running, Simulator, TransientFault};

/// Retries as `RetryPolicy::standard` does, with millisecond delays.
fn quick_retries() -> RetryPolicy {
    RetryPolicy::standard().with_backoff(Duration::from_millis(1), Duration::from_millis(5))
}

async fn start() -> Running {
    vsphere_simulator::start(Simulator::with_demo_data())
        .await
        .expect("start the simulator on loopback")
}

async fn login(server: &Running, policy: RetryPolicy, renew: bool) -> Client {
    Client::builder(&server.base_url)
        .retry(policy)
        .renew_session(renew)
        .build()
        .expect("client")
        .login(ADMIN, PASSWORD)
        .await
        .expect("login")
}

fn model(item: &str) -> UpdateSessionModel {
    serde_json::from_value(json!({ "library_item_id": item })).expect("a model")
}

fn depot_import() -> depots::Request {
    let spec: CreateSpec = serde_json::from_value(
        json!({"source_type": "PULL", "location": "https://depot.example.com/new.zip"}),
    )
    .expect("a CreateSpec");
    depots::Request::new(depots::RequestRequired { body: spec })
}

/// How many update sessions are open on `item`.
fn update_sessions_on(server: &Running, item: &str) -> usize {
    let state = server.simulator.lock();
    state
        .update_sessions
        .values()
        .filter(|on| on.as_str() == item)
        .count()
}

#[tokio::test]
async fn transient_failures_then_success_create_once_with_one_client_token() {
    for fault in [
        TransientFault::ServiceUnavailable,
        TransientFault::TimedOut,
        TransientFault::TransientError,
        TransientFault::DropConnection,
    ] {
        let server = start().await;
        let client = login(&server, quick_retries(), false).await;
        // The simulator carries out each call, then loses its answer.
        server
            .simulator
            .inject_transient_faults(&update_session::OPERATION, fault, 2);
        let session = client
            .content_library_item_update_session_create(update_session::Request::new(
                update_session::RequestRequired {
                    body: model("item-1"),
                },
            ))
            .await
            .unwrap_or_else(|error| panic!("{fault:?}: {error:?}"));

        assert_eq!(update_sessions_on(&server, "item-1"), 1, "{fault:?}");
        assert!(
            server
                .simulator
                .lock()
                .update_sessions
                .contains_key(&session)
        );
        let calls = server.simulator.seen_calls(&update_session::OPERATION);
        assert_eq!(calls.len(), 3, "{fault:?}: {calls:?}");
        let token = calls[0].client_token.clone().expect("a Client-Token");
        assert!(
            calls
                .iter()
                .all(|call| call.client_token.as_ref() == Some(&token)),
            "{calls:?}"
        );
    }
}

#[tokio::test]
async fn a_token_the_caller_gave_is_the_one_every_attempt_sends() {
    let server = start().await;
    let client = login(&server, quick_retries(), false).await;
    server.simulator.inject_transient_faults(
        &update_session::OPERATION,
        TransientFault::ServiceUnavailable,
        1,
    );
    let mut request = update_session::Request::new(update_session::RequestRequired {
        body: model("item-1"),
    });
    request.client_token = Some("3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b".into());
    client
        .content_library_item_update_session_create(request)
        .await
        .expect("created on the second attempt");
    let tokens: Vec<_> = server
        .simulator
        .seen_calls(&update_session::OPERATION)
        .into_iter()
        .map(|call| call.client_token)
        .collect();
    let given = Some("3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b".to_owned());
    assert_eq!(tokens, [given.clone(), given]);
}

#[tokio::test]
async fn the_legacy_form_retries_with_one_client_token_argument() {
    let server = start().await;
    let client = login(&server, quick_retries(), false).await;
    server.simulator.inject_transient_faults(
        &update_session_rest::OPERATION,
        TransientFault::ServiceUnavailable,
        2,
    );
    client
        .content_library_item_update_session_create_rest(update_session_rest::Request::new(
            update_session_rest::RequestRequired {
                create_spec: model("item-1"),
            },
        ))
        .await
        .expect("created on the third attempt");
    assert_eq!(update_sessions_on(&server, "item-1"), 1);
    assert_eq!(
        server
            .simulator
            .seen_calls(&update_session_rest::OPERATION)
            .len(),
        3
    );
}

#[tokio::test]
async fn a_call_without_a_token_is_not_retried_once_sent() {
    let server = start().await;
    let client = login(&server, quick_retries(), false).await;

    // A dropped connection: a typed transport error, and one request only.
    server
        .simulator
        .inject_transient_faults(&depots::OPERATION, TransientFault::DropConnection, 1);
    let error = client
        .esx_settings_depots_offline_create_task(depot_import())
        .await
        .expect_err("the connection was dropped");
    let depots::Error::Unexpected(unexpected) = &error else {
        panic!("not a transport error: {error:?}");
    };
    assert_eq!(unexpected.status, None, "{unexpected:?}");
    assert_eq!(server.simulator.seen_calls(&depots::OPERATION).len(), 1);

    // A 503 after the request was sent: not repeated either.
    server.simulator.inject_transient_faults(
        &depots::OPERATION,
        TransientFault::ServiceUnavailable,
        1,
    );
    let error = client
        .esx_settings_depots_offline_create_task(depot_import())
        .await
        .expect_err("503");
    assert!(
        matches!(error, depots::Error::ServiceUnavailable(_)),
        "{error:?}"
    );
    assert_eq!(server.simulator.seen_calls(&depots::OPERATION).len(), 2);
}

#[tokio::test]
async fn an_idempotent_read_is_retried_after_a_dropped_connection() {
    let server = start().await;
    let client = login(&server, quick_retries(), false).await;
    server.simulator.inject_transient_faults(
        &cis_tasks_get::OPERATION,
        TransientFault::DropConnection,
        1,
    );
    client
        .cis_tasks_get(cis_tasks_get::Request::new(
            cis_tasks_get::RequestRequired {
                task: DEMO_TASK.to_owned(),
            },
        ))
        .await
        .expect("read on the second attempt");
    assert_eq!(
        server.simulator.seen_calls(&cis_tasks_get::OPERATION).len(),
        2
    );
}

#[tokio::test]
async fn a_client_without_a_policy_sends_once() {
    let server = start().await;
    let client = login(&server, RetryPolicy::none(), false).await;
    server.simulator.inject_transient_faults(
        &cis_tasks_get::OPERATION,
        TransientFault::ServiceUnavailable,
        1,
    );
    let error = client
        .cis_tasks_get(cis_tasks_get::Request::new(
            cis_tasks_get::RequestRequired {
                task: DEMO_TASK.to_owned(),
            },
        ))
        .await
        .expect_err("503");
    assert!(
        matches!(error, cis_tasks_get::Error::ServiceUnavailable(_)),
        "{error:?}"
    );
    assert_eq!(
        server.simulator.seen_calls(&cis_tasks_get::OPERATION).len(),
        1
    );
}

#[tokio::test]
async fn the_attempt_budget_holds() {
    let server = start().await;
    let client = login(&server, quick_retries().with_max_attempts(4), false).await;
    server.simulator.inject_transient_faults(
        &cis_tasks_get::OPERATION,
        TransientFault::TimedOut,
        10,
    );
    let error = client
        .cis_tasks_get(cis_tasks_get::Request::new(
            cis_tasks_get::RequestRequired {
                task: DEMO_TASK.to_owned(),
            },
        ))
        .await
        .expect_err("every attempt failed");
    // 504 is not documented for this operation: an `Other` error.
    assert!(
        matches!(error, cis_tasks_get::Error::Other { status: 504, .. }),
        "{error:?}"
    );
    assert_eq!(
        server.simulator.seen_calls(&cis_tasks_get::OPERATION).len(),
        4
    );
}

#[tokio::test]
async fn the_deadline_holds() {
    let server = start().await;
    let deadline = Duration::from_millis(300);
    let policy = RetryPolicy::standard()
        .with_max_attempts(u32::MAX)
        .with_backoff(Duration::from_millis(20), Duration::from_millis(20))
        .with_deadline(deadline);
    let client = login(&server, policy, false).await;
    server.simulator.inject_transient_faults(
        &cis_tasks_get::OPERATION,
        TransientFault::ServiceUnavailable,
        u32::MAX,
    );
    let started = Instant::now();
    let error = client
        .cis_tasks_get(cis_tasks_get::Request::new(
            cis_tasks_get::RequestRequired {
                task: DEMO_TASK.to_owned(),
            },
        ))
        .await
        .expect_err("every attempt failed");
    let elapsed = started.elapsed();
    // The last 503, or the deadline passing while an attempt was under way.
    let ended_in_time = match &error {
        cis_tasks_get::Error::ServiceUnavailable(_) => true,
        cis_tasks_get::Error::Unexpected(unexpected) => unexpected.message.contains("deadline"),
        _ => false,
    };
    assert!(ended_in_time, "{error:?}");
    // A generous margin for a busy machine: what matters is that it ends.
    assert!(elapsed < deadline + Duration::from_secs(10), "{elapsed:?}");
    let calls = server.simulator.seen_calls(&cis_tasks_get::OPERATION).len();
    // The delays average 10 ms: a thousand of them cannot fit in 300 ms.
    assert!((1..1000).contains(&calls), "{calls} attempts");
}

#[tokio::test]
async fn an_expired_session_is_renewed_once_and_shared_by_clones() {
    let server = start().await;
    let client = login(&server, RetryPolicy::none(), true).await;
    let clone = client.clone();
    server.simulator.expire_sessions();
    client
        .cis_tasks_get(cis_tasks_get::Request::new(
            cis_tasks_get::RequestRequired {
                task: DEMO_TASK.to_owned(),
            },
        ))
        .await
        .expect("renewed, then read");
    clone
        .cis_tasks_get(cis_tasks_get::Request::new(
            cis_tasks_get::RequestRequired {
                task: DEMO_TASK.to_owned(),
            },
        ))
        .await
        .expect("the clone uses the renewed session");
    // The first login and one re-login.
    assert_eq!(
        server
            .simulator
            .seen_calls(&cis_session_create::OPERATION)
            .len(),
        2
    );
    assert_eq!(server.simulator.lock().sessions.len(), 1);
}

#[tokio::test]
async fn without_renewal_an_expired_session_is_unauthenticated() {
    let server = start().await;
    let client = login(&server, quick_retries(), false).await;
    server.simulator.expire_sessions();
    let error = client
        .cis_tasks_get(cis_tasks_get::Request::new(
            cis_tasks_get::RequestRequired {
                task: DEMO_TASK.to_owned(),
            },
        ))
        .await
        .expect_err("the session expired");
    assert!(
        matches!(error, cis_tasks_get::Error::Unauthenticated(_)),
        "{error:?}"
    );
    assert_eq!(
        server
            .simulator
            .seen_calls(&cis_session_create::OPERATION)
            .len(),
        1
    );
    assert_eq!(
        server.simulator.seen_calls(&cis_tasks_get::OPERATION).len(),
        1
    );
}

#[tokio::test]
async fn renewal_is_tried_once_per_call() {
    let server = start().await;
    let client = login(&server, RetryPolicy::none(), true).await;
    server.simulator.expire_sessions();
    // The re-login fails: the call ends UNAUTHENTICATED, without a loop.
    server.simulator.inject_transient_faults(
        &cis_session_create::OPERATION,
        TransientFault::ServiceUnavailable,
        5,
    );
    let error = client
        .cis_tasks_get(cis_tasks_get::Request::new(
            cis_tasks_get::RequestRequired {
                task: DEMO_TASK.to_owned(),
            },
        ))
        .await
        .expect_err("no session");
    assert!(
        matches!(error, cis_tasks_get::Error::Unauthenticated(_)),
        "{error:?}"
    );
    assert_eq!(
        server
            .simulator
            .seen_calls(&cis_session_create::OPERATION)
            .len(),
        2
    );
}
