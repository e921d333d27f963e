//! Tasks, login on every vCenter, logout, the raw escape hatch and session
//! security: the generated client against the simulator over loopback.

mod common;

use common::Clients;
use serde_json::json;
use std::time::Duration;
use vsphere_api::client::{Client, TaskError, WaitOptions};
use vsphere_api::operations::{
    cis_session_delete, cis_tasks_get,
    content_library_item_update_session_create as update_session,
    content_library_item_update_session_create_rest as update_session_rest,
    esx_settings_depots_offline_create_task as depots,
    esx_settings_repository_software_drafts_create as drafts,
};
use vsphere_api::types::cis::task::Status;
use vsphere_api::types::esx::settings::depots::offline::{CreateResult, CreateSpec};
use vsphere_api::wire::{TaskId, WireForm};
use vsphere_simulator::{ADMIN, PASSWORD, Running, Simulator, TaskTiming};

fn import(location: &str) -> depots::Request {
    let spec: CreateSpec =
        serde_json::from_value(json!({"source_type": "PULL", "location": location}))
            .expect("a CreateSpec");
    depots::Request::new(depots::RequestRequired { body: spec })
}

fn quick() -> WaitOptions {
    WaitOptions::default().poll_interval(Duration::from_millis(5))
}

async fn start(simulator: Simulator) -> Running {
    vsphere_simulator::start(simulator).await.expect("start")
}

fn draft() -> drafts::Request {
    drafts::Request::new(drafts::RequestRequired {
        body: serde_json::from_value::<
            vsphere_api::types::esx::settings::repository::software::drafts::CreateSpec,
        >(json!({"delete_existing_draft": true}))
        .expect("a CreateSpec"),
    })
}

#[tokio::test]
async fn a_task_goes_pending_running_succeeded_and_wait_returns_its_typed_result() {
    let server = start(Simulator::with_demo_data().with_task_timing(TaskTiming {
        pending_polls: 1,
        running_polls: 2,
    }))
    .await;
    let client = server.login(ADMIN).await;
    let task = client
        .esx_settings_depots_offline_create_task(import("https://depot.example.com/a.zip"))
        .await
        .expect("import started");

    // Each read advances the task by one step; the typed operation shows each phase.
    let mut seen = Vec::new();
    for _ in 0..4 {
        let info = client
            .cis_tasks_get(cis_tasks_get::Request::new(
                cis_tasks_get::RequestRequired {
                    task: task.0.clone(),
                },
            ))
            .await
            .expect("task info");
        seen.push((
            info.status.clone(),
            info.progress.map(|p| (p.completed, p.total)),
        ));
        if info.status == Status::Succeeded {
            let depot: CreateResult =
                serde_json::from_value(info.result.expect("a result")).expect("CreateResult");
            assert!(depot.depot.starts_with("depot-"), "{depot:?}");
            assert!(info.start_time.is_some() && info.end_time.is_some());
        }
    }
    assert_eq!(
        seen,
        [
            (Status::Pending, None),
            (Status::Running, Some((1, 3))),
            (Status::Running, Some((2, 3))),
            (Status::Succeeded, Some((3, 3))),
        ]
    );

    // wait_task polls to the end and decodes the result into its type.
    let task = client
        .esx_settings_depots_offline_create_task(import("https://depot.example.com/b.zip"))
        .await
        .expect("import started");
    // The operation names its result type: `wait` returns a CreateResult.
    let result: CreateResult = client
        .wait::<depots::Endpoint>(&task, quick())
        .await
        .expect("the import succeeds");
    let recorded = server.simulator.lock().depots["https://depot.example.com/b.zip"].clone();
    assert_eq!(result.depot, recorded);
}

#[tokio::test]
async fn a_failed_task_gives_the_operations_typed_error() {
    let server = start(Simulator::with_demo_data()).await;
    let client = server.login(ADMIN).await;
    let task = client
        .esx_settings_depots_offline_create_task(import("https://depot.example.invalid/a.zip"))
        .await
        .expect("import started");
    match client.wait::<depots::Endpoint>(&task, quick()).await {
        Err(TaskError::Failed(depots::Error::Generic(error))) => {
            assert_eq!(
                error.messages[0].id,
                "com.vmware.esx.settings.depots.offline.download_failed"
            );
        }
        other => panic!("expected the task's typed error, got {other:?}"),
    }
    // A failed import leaves no depot: importing it again starts a new task.
    assert!(
        !server
            .simulator
            .lock()
            .depots
            .contains_key("https://depot.example.invalid/a.zip")
    );

    // An unknown task is a lookup error naming the status.
    match client
        .wait_task::<CreateResult, depots::Error>(&TaskId("task-404".into()), quick())
        .await
    {
        Err(TaskError::Lookup(unexpected)) => assert_eq!(unexpected.status, Some(404)),
        other => panic!("expected a lookup error, got {other:?}"),
    }
}

#[tokio::test]
async fn another_users_task_is_not_readable() {
    let server = start(Simulator::with_demo_data()).await;
    server.simulator.add_user(
        "ops@vsphere.local",
        PASSWORD,
        vsphere_simulator::ALL_PRIVILEGES,
    );
    let admin = server.login(ADMIN).await;
    let other = server.login("ops@vsphere.local").await;
    let task = admin
        .esx_settings_depots_offline_create_task(import("https://depot.example.com/a.zip"))
        .await
        .expect("import started");
    let error = other
        .cis_tasks_get(cis_tasks_get::Request::new(
            cis_tasks_get::RequestRequired { task: task.0 },
        ))
        .await
        .expect_err("not theirs");
    assert!(
        matches!(error, cis_tasks_get::Error::Unauthorized(_)),
        "{error:?}"
    );
}

#[tokio::test]
async fn waiting_times_out_and_dropping_the_wait_stops_polling() {
    let server = start(Simulator::with_demo_data().with_task_timing(TaskTiming {
        pending_polls: u32::MAX,
        running_polls: 0,
    }))
    .await;
    let client = server.login(ADMIN).await;
    let task = client
        .esx_settings_depots_offline_create_task(import("https://depot.example.com/a.zip"))
        .await
        .expect("import started");
    let options = quick().timeout(Duration::from_millis(100));
    match client
        .wait_task::<CreateResult, depots::Error>(&task, options)
        .await
    {
        Err(TaskError::TimedOut {
            task: timed_out,
            last_status,
        }) => {
            assert_eq!(timed_out, task);
            assert_eq!(last_status.as_deref(), Some("PENDING"));
        }
        other => panic!("expected a timeout, got {other:?}"),
    }

    // Cancelled by dropping: after the drop, the task is read no more.
    let polls = || server.simulator.lock().tasks[&task.0].polls;
    let waiting = client.wait_task::<CreateResult, depots::Error>(&task, quick());
    let dropped = tokio::time::timeout(Duration::from_millis(50), waiting).await;
    assert!(dropped.is_err(), "still waiting when dropped");
    // A read already on the wire may still land; none starts after that.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let after_drop = polls();
    assert!(after_drop > 1, "it was polling: {after_drop} reads");
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(polls(), after_drop);
}

#[tokio::test]
async fn login_falls_back_to_the_legacy_form_and_logout_uses_it() {
    let server = start(Simulator::with_demo_data().legacy_only()).await;
    // Like vCenter 6.7: no /api at all.
    let raw = server
        .anonymous()
        .raw("POST", "/api/session")
        .send()
        .await
        .expect("an answer");
    assert_eq!(raw.status, 404);

    let client = server.login(ADMIN).await;
    assert_eq!(client.session_form(), WireForm::LegacyRest);
    let request = update_session_rest::Request::new(update_session_rest::RequestRequired {
        create_spec: serde_json::from_value::<
            vsphere_api::types::content::library::item::UpdateSessionModel,
        >(json!({"library_item_id": "item-1"}))
        .expect("a model"),
    });
    client
        .content_library_item_update_session_create_rest(request.clone())
        .await
        .expect("the legacy session works");

    client.logout().await.expect("legacy logout");
    assert!(server.simulator.lock().sessions.is_empty());
    let error = client
        .content_library_item_update_session_create_rest(request)
        .await
        .expect_err("logged out");
    assert!(
        matches!(error, update_session_rest::Error::Unauthenticated(_)),
        "{error:?}"
    );

    // Wrong credentials on the legacy form are the login's typed Unauthenticated.
    let error = server
        .anonymous()
        .login(ADMIN, "wrong")
        .await
        .expect_err("wrong password");
    assert!(
        matches!(
            error,
            vsphere_api::operations::cis_session_create::Error::Unauthenticated(_)
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn logout_ends_the_session_in_the_current_form() {
    let server = start(Simulator::with_demo_data()).await;
    let client = server.login(ADMIN).await;
    assert_eq!(client.session_form(), WireForm::Api);
    client
        .esx_settings_repository_software_drafts_create(draft())
        .await
        .expect("logged in");
    client.logout().await.expect("logout");
    assert!(server.simulator.lock().sessions.is_empty());
    let error = client
        .esx_settings_repository_software_drafts_create(draft())
        .await
        .expect_err("logged out");
    assert!(
        matches!(error, drafts::Error::Unauthenticated(_)),
        "{error:?}"
    );
    let error = client.logout().await.expect_err("already logged out");
    assert!(
        matches!(error, cis_session_delete::Error::Unauthenticated(_)),
        "{error:?}"
    );
}

#[tokio::test]
async fn raw_requests_carry_the_session_and_hide_it() {
    let server = start(Simulator::with_demo_data()).await;
    let client = server.login(ADMIN).await;
    let task = client
        .esx_settings_depots_offline_create_task(import("https://depot.example.com/a.zip"))
        .await
        .expect("import started");
    let request = client.raw("GET", &format!("/api/cis/tasks/{task}"));
    let session = server
        .simulator
        .lock()
        .sessions
        .keys()
        .next()
        .cloned()
        .expect("a session");
    assert!(!format!("{request:?}").contains(&session));
    let response = request.send().await.expect("an answer");
    assert_eq!(response.status, 200, "{response:?}");
    let info: serde_json::Value = response.json().expect("JSON");
    assert_eq!(info["status"], "PENDING");

    let posted = client
        .raw("POST", "/api/esx/settings/repository/software/drafts")
        .json(&json!({}))
        .send()
        .await
        .expect("an answer");
    assert_eq!(posted.status, 201);

    let anonymous = server
        .anonymous()
        .raw("GET", &format!("/api/cis/tasks/{task}"))
        .send()
        .await
        .expect("an answer");
    assert_eq!(anonymous.status, 401);
}

#[tokio::test]
async fn session_ids_are_random_and_unguessable() {
    let first = start(Simulator::with_demo_data()).await;
    let second = start(Simulator::with_demo_data()).await;
    let _ = first.login(ADMIN).await;
    let _ = second.login(ADMIN).await;
    let id = |server: &Running| {
        server
            .simulator
            .lock()
            .sessions
            .keys()
            .next()
            .cloned()
            .expect("a session")
    };
    let (a, b) = (id(&first), id(&second));
    assert_ne!(a, b, "two fresh simulators issue different first ids");
    assert_eq!(a.len(), 32);
    assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
    let state = format!("{:?}", *first.simulator.lock());
    assert!(!state.contains(&a), "the state's Debug shows no session id");

    // The old counter's first id, and a neighbour of a real one, are refused.
    let old_first = format!("{:032x}", 0x5e55_1d00_u64.wrapping_mul(7919));
    let mut neighbour = a.clone();
    let last = neighbour.pop().expect("a digit");
    neighbour.push(if last == '0' { '1' } else { '0' });
    for guess in [old_first, neighbour] {
        let error = first
            .anonymous()
            .with_session(guess.as_str())
            .esx_settings_repository_software_drafts_create(draft())
            .await
            .expect_err("a guess is not a session");
        assert!(
            matches!(error, drafts::Error::Unauthenticated(_)),
            "{error:?}"
        );
    }
}

#[tokio::test]
async fn idle_sessions_expire() {
    let server =
        start(Simulator::with_demo_data().with_session_idle_timeout(Duration::from_millis(50)))
            .await;
    let client = server.login(ADMIN).await;
    client
        .esx_settings_repository_software_drafts_create(draft())
        .await
        .expect("fresh session");
    tokio::time::sleep(Duration::from_millis(120)).await;
    let error = client
        .esx_settings_repository_software_drafts_create(draft())
        .await
        .expect_err("expired");
    assert!(
        matches!(error, drafts::Error::Unauthenticated(_)),
        "{error:?}"
    );
}

fn item_session(item: &str, token: &str) -> update_session::Request {
    let mut request = update_session::Request::new(update_session::RequestRequired {
        body: serde_json::from_value::<
            vsphere_api::types::content::library::item::UpdateSessionModel,
        >(json!({"library_item_id": item}))
        .expect("a model"),
    });
    request.client_token = Some(token.to_owned());
    request
}

#[tokio::test]
async fn client_tokens_are_scoped_per_user_operation_and_request() {
    let server = start(Simulator::with_demo_data()).await;
    server.simulator.add_item("item-2", "lib-published");
    server.simulator.add_item("item-3", "lib-published");
    server.simulator.add_user(
        "ops@vsphere.local",
        PASSWORD,
        vsphere_simulator::ALL_PRIVILEGES,
    );
    let admin = server.login(ADMIN).await;
    let ops = server.login("ops@vsphere.local").await;
    let token = Client::new_client_token();

    let first = admin
        .content_library_item_update_session_create(item_session("item-1", &token))
        .await
        .expect("created");
    let retried = admin
        .content_library_item_update_session_create(item_session("item-1", &token))
        .await
        .expect("retried");
    assert_eq!(
        first, retried,
        "a retry of the same request gets the same session"
    );

    // Another user with the same token: their own request, not the admin's result.
    let theirs = ops
        .content_library_item_update_session_create(item_session("item-2", &token))
        .await
        .expect("created for the other user");
    assert_ne!(theirs, first);

    // The same user and token for another item: refused, not replayed.
    let error = admin
        .content_library_item_update_session_create(item_session("item-3", &token))
        .await
        .expect_err("a token reused for another request");
    assert!(
        matches!(error, update_session::Error::InvalidArgument(_)),
        "{error:?}"
    );

    // The same token through the legacy form is another operation's token.
    let mut legacy = update_session_rest::Request::new(update_session_rest::RequestRequired {
        create_spec: serde_json::from_value::<
            vsphere_api::types::content::library::item::UpdateSessionModel,
        >(json!({"library_item_id": "item-3"}))
        .expect("a model"),
    });
    legacy.client_token = Some(token.clone());
    let through_legacy = admin
        .content_library_item_update_session_create_rest(legacy)
        .await
        .expect("created through the legacy form");
    assert_ne!(through_legacy, first);
}

#[tokio::test]
async fn a_port_in_use_is_a_one_line_error() {
    let running = start(Simulator::with_demo_data()).await;
    let error = vsphere_simulator::start_at(Simulator::with_demo_data(), running.address)
        .await
        .expect_err("the port is taken");
    assert_eq!(error.kind(), std::io::ErrorKind::AddrInUse);
    let shown = format!("{error:?}");
    assert_eq!(
        shown,
        format!(
            "cannot start the simulator on {}: the address is already in use",
            running.address
        )
    );
}
