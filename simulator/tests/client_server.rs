//! The generated client against the simulator on the generated server stubs,
//! over a real loopback socket: every operation's success, and every documented
//! error decoded into its own typed variant.

mod common;

use common::Clients;
use serde_json::{Value, json};
use vsphere_api::operations::{
    cis_session_create, content_library_item_update_session_create as update_session,
    content_library_item_update_session_create_rest as update_session_rest,
    content_library_subscriptions_create as subscriptions,
    esx_settings_depots_offline_create_task as depots,
    esx_settings_repository_software_drafts_create as drafts,
    vcenter_vm_guest_filesystem_transfers_create as transfers,
};
use vsphere_api::types::content::library::item::UpdateSessionModel;
use vsphere_api::types::esx::settings::depots::offline as depots_body;
use vsphere_api::types::vapi::std::errors::ErrorType;
use vsphere_api::types::vcenter::vm::guest::filesystem::ErrorReason;
use vsphere_api::wire::OperationError;
use vsphere_simulator::{ADMIN, PASSWORD, READONLY};

fn from_json<T: serde::de::DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).expect("test JSON matches the type")
}

fn draft_spec(
    value: Value,
) -> vsphere_api::types::esx::settings::repository::software::drafts::CreateSpec {
    from_json(value)
}

fn vapi_error(error_type: &str) -> Value {
    json!({"error_type": error_type, "messages": [{"id": "test.fault", "default_message": "injected", "args": []}]})
}

fn depot_request(location: &str) -> depots::Request {
    depots::Request::new(depots::RequestRequired {
        body: from_json::<depots_body::CreateSpec>(
            json!({"source_type": "PULL", "location": location}),
        ),
    })
}

fn subscription(library: &str, subscribed_library: Value) -> subscriptions::Request {
    subscriptions::Request::new(subscriptions::RequestRequired {
        library: library.to_owned(),
        body: from_json::<vsphere_api::types::content::library::subscriptions::CreateSpec>(
            json!({"subscribed_library": subscribed_library}),
        ),
    })
}

fn create_new() -> Value {
    json!({"target": "CREATE_NEW", "location": "LOCAL", "new_subscribed_library": {
        "name": "mirror", "storage_backings": [{"type": "DATASTORE", "datastore_id": "ds-1"}],
        "automatic_sync_enabled": true, "on_demand": false
    }})
}

fn transfer(vm: &str, path: &str, attributes: Option<Value>) -> transfers::Request {
    let mut spec = json!({"path": path});
    if let Some(attributes) = attributes {
        spec["attributes"] = attributes;
    }
    transfers::Request::new(transfers::RequestRequired {
        vm: vm.to_owned(),
        body: from_json::<vsphere_api::types::vcenter::vm::guest::filesystem::transfers::CreateBody>(
            json!({
                "credentials": {"interactive_session": false, "type": "USERNAME_PASSWORD", "user_name": "root", "password": "guest-pass"},
                "spec": spec
            }),
        ),
    })
}

#[tokio::test]
async fn session_login_and_its_errors() {
    let server = common::start().await;
    let client = server.login(ADMIN).await;
    let session = server
        .simulator
        .lock()
        .sessions
        .keys()
        .next()
        .cloned()
        .expect("a session");
    let debug = format!("{client:?}");
    assert!(
        !debug.contains(&session) && !debug.contains(PASSWORD),
        "{debug}"
    );

    // The same session works as a bearer token.
    let bearer = server
        .anonymous()
        .with_credentials(vsphere_api::wire::Auth::Bearer(session.as_str().into()));
    bearer
        .esx_settings_repository_software_drafts_create(drafts::Request::new(
            drafts::RequestRequired {
                body: draft_spec(json!({})),
            },
        ))
        .await
        .expect("bearer token accepted");

    match server.anonymous().login(ADMIN, "wrong").await {
        Err(cis_session_create::Error::Unauthenticated(error)) => {
            assert_eq!(
                error.challenge.as_deref(),
                Some("Basic realm=\"VMware vCenter\"")
            );
        }
        other => panic!("expected Unauthenticated, got {other:?}"),
    }
    server
        .simulator
        .inject_fault("Cis.Session_create", 503, vapi_error("SERVICE_UNAVAILABLE"));
    let error = server
        .anonymous()
        .login(ADMIN, PASSWORD)
        .await
        .expect_err("fault");
    assert!(
        matches!(error, cis_session_create::Error::ServiceUnavailable(_)),
        "{error:?}"
    );
    assert!(!format!("{error:?} {error}").contains(PASSWORD));
}

#[tokio::test]
async fn offline_depot_import_is_a_task_and_a_second_import_already_exists() {
    let server = common::start().await;
    let client = server.login(ADMIN).await;
    let task = client
        .esx_settings_depots_offline_create_task(depot_request("https://depot.example.com/a.zip"))
        .await
        .expect("import");
    let depot = server
        .simulator
        .lock()
        .tasks
        .get(&task.0)
        .and_then(|task| task.target.clone())
        .map(|(_, depot)| depot)
        .expect("the task id is a task of the simulator");

    match client
        .esx_settings_depots_offline_create_task(depot_request("https://depot.example.com/a.zip"))
        .await
    {
        Err(depots::Error::AlreadyExists(error)) => {
            assert_eq!(error.error_type, Some(ErrorType::AlreadyExists));
            assert_eq!(error.data.expect("typed CreateResult").depot, depot);
        }
        other => panic!("expected AlreadyExists, got {other:?}"),
    }
    let push_without_file = depots::Request::new(depots::RequestRequired {
        body: from_json::<depots_body::CreateSpec>(json!({"source_type": "PUSH"})),
    });
    let error = client
        .esx_settings_depots_offline_create_task(push_without_file)
        .await
        .expect_err("invalid");
    assert!(
        matches!(error, depots::Error::InvalidArgument(_)),
        "{error:?}"
    );
    assert_eq!(error.status(), 400);

    let error = server
        .anonymous()
        .esx_settings_depots_offline_create_task(depot_request("https://x.example.com/b.zip"))
        .await
        .expect_err("no credentials");
    assert!(
        matches!(error, depots::Error::Unauthenticated(_)),
        "{error:?}"
    );

    for (status, error_type) in [(500, "ERROR"), (503, "SERVICE_UNAVAILABLE")] {
        server.simulator.inject_fault(
            "Esx.Settings.Depots.Offline_create$Task",
            status,
            vapi_error(error_type),
        );
        let error = client
            .esx_settings_depots_offline_create_task(depot_request("https://x.example.com/c.zip"))
            .await
            .expect_err("fault");
        let matched = match error_type {
            "ERROR" => matches!(error, depots::Error::Generic(_)),
            _ => matches!(error, depots::Error::ServiceUnavailable(_)),
        };
        assert!(
            matched && error.status() == status,
            "{error_type}: {error:?}"
        );
    }
}

#[tokio::test]
async fn undocumented_and_unknown_errors_land_in_other() {
    let server = common::start().await;
    // The depot import documents no 403: a user without the privilege gets one anyway.
    let readonly = server.login(READONLY).await;
    match readonly
        .esx_settings_depots_offline_create_task(depot_request("https://depot.example.com/a.zip"))
        .await
    {
        Err(depots::Error::Other { status: 403, error }) => {
            assert_eq!(error.error_type, Some(ErrorType::Unauthorized))
        }
        other => panic!("expected Other 403, got {other:?}"),
    }
    // An error type this version does not know.
    let client = server.login(ADMIN).await;
    server.simulator.inject_fault(
        "Esx.Settings.Depots.Offline_create$Task",
        429,
        vapi_error("QUOTA_EXCEEDED"),
    );
    match client
        .esx_settings_depots_offline_create_task(depot_request("https://depot.example.com/q.zip"))
        .await
    {
        Err(depots::Error::Other { status: 429, error }) => {
            assert_eq!(
                error.error_type,
                Some(ErrorType::Unknown("QUOTA_EXCEEDED".into()))
            );
        }
        other => panic!("expected Other 429, got {other:?}"),
    }
}

#[test]
fn a_missing_error_type_is_decoded_by_status_only_when_unambiguous() {
    // Older servers send no `error_type`; the server stubs always do, so this
    // decodes such bodies directly.
    let body = br#"{"messages": []}"#.to_vec();
    // 404 documents one error for the subscription: NotFound.
    let error = subscriptions::Error::decode(404, Vec::new(), body.clone());
    assert!(
        matches!(error, subscriptions::Error::NotFound(_)),
        "{error:?}"
    );
    // 400 documents four, so nothing is guessed.
    let error = subscriptions::Error::decode(400, Vec::new(), body);
    assert!(
        matches!(error, subscriptions::Error::Other { status: 400, .. }),
        "{error:?}"
    );
    // With an `error_type`, the status does not matter: ResourceBusy is documented under 500.
    let error = update_session::Error::decode(
        400,
        Vec::new(),
        br#"{"error_type": "RESOURCE_BUSY", "messages": []}"#.to_vec(),
    );
    assert!(
        matches!(error, update_session::Error::ResourceBusy(_)),
        "{error:?}"
    );
    // Not a vapi error at all: kept whole.
    let error = subscriptions::Error::decode(
        502,
        vec![("content-type".into(), "text/html".into())],
        b"<html>Bad gateway</html>".to_vec(),
    );
    match error {
        subscriptions::Error::Unexpected(unexpected) => {
            assert_eq!(unexpected.status, Some(502));
            assert_eq!(unexpected.body, b"<html>Bad gateway</html>");
        }
        other => panic!("expected Unexpected, got {other:?}"),
    }
}

#[tokio::test]
async fn software_draft_exists_unless_replaced() {
    let server = common::start().await;
    let client = server.login(ADMIN).await;
    let request = |delete: Option<bool>| {
        drafts::Request::new(drafts::RequestRequired {
            body: draft_spec(json!({"delete_existing_draft": delete})),
        })
    };
    let first = client
        .esx_settings_repository_software_drafts_create(request(None))
        .await
        .expect("first draft");
    let error = client
        .esx_settings_repository_software_drafts_create(request(Some(false)))
        .await
        .expect_err("exists");
    assert!(
        matches!(error, drafts::Error::AlreadyExists(_)),
        "{error:?}"
    );
    let second = client
        .esx_settings_repository_software_drafts_create(request(Some(true)))
        .await
        .expect("replaced");
    assert_ne!(first, second);
    assert_eq!(
        server.simulator.lock().draft.as_deref(),
        Some(second.as_str())
    );

    let error = server
        .login(READONLY)
        .await
        .esx_settings_repository_software_drafts_create(request(None))
        .await
        .expect_err("no privilege");
    assert!(matches!(error, drafts::Error::Unauthorized(_)), "{error:?}");
    let error = server
        .anonymous()
        .esx_settings_repository_software_drafts_create(request(None))
        .await
        .expect_err("anonymous");
    assert!(
        matches!(error, drafts::Error::Unauthenticated(_)),
        "{error:?}"
    );
    for (status, error_type) in [(500, "ERROR"), (503, "SERVICE_UNAVAILABLE")] {
        server.simulator.inject_fault(
            "Esx.Settings.Repository.Software.Drafts_create",
            status,
            vapi_error(error_type),
        );
        let error = client
            .esx_settings_repository_software_drafts_create(request(Some(true)))
            .await
            .expect_err("fault");
        let matched = matches!(
            (&error, error_type),
            (drafts::Error::Generic(_), "ERROR")
                | (drafts::Error::ServiceUnavailable(_), "SERVICE_UNAVAILABLE")
        );
        assert!(matched, "{error:?}");
    }
}

#[tokio::test]
async fn update_session_current_form() {
    let server = common::start().await;
    let client = server.login(ADMIN).await;
    let request = |item: Option<&str>, token: Option<String>| {
        let mut request = update_session::Request::new(update_session::RequestRequired {
            body: from_json::<UpdateSessionModel>(json!({"library_item_id": item})),
        });
        request.client_token = token;
        request
    };
    let token = vsphere_api::client::Client::new_client_token();
    let session = client
        .content_library_item_update_session_create(request(Some("item-1"), Some(token.clone())))
        .await
        .expect("session");
    let retried = client
        .content_library_item_update_session_create(request(Some("item-1"), Some(token)))
        .await
        .expect("same token");
    assert_eq!(
        session, retried,
        "a retried Client-Token gives the same session"
    );

    let busy = client
        .content_library_item_update_session_create(request(Some("item-1"), None))
        .await
        .expect_err("busy");
    assert!(
        matches!(busy, update_session::Error::ResourceBusy(_)) && busy.status() == 500,
        "{busy:?}"
    );
    type Check = fn(&update_session::Error) -> bool;
    let cases: [(Option<&str>, Check); 3] = [
        (None, |e| {
            matches!(e, update_session::Error::InvalidArgument(_))
        }),
        (Some("item-subscribed"), |e| {
            matches!(e, update_session::Error::InvalidElementType(_))
        }),
        (Some("item-missing"), |e| {
            matches!(e, update_session::Error::NotFound(_))
        }),
    ];
    for (item, expected) in cases {
        let error = client
            .content_library_item_update_session_create(request(item, None))
            .await
            .expect_err("error");
        assert!(expected(&error), "{item:?}: {error:?}");
    }
    let error = server
        .login(READONLY)
        .await
        .content_library_item_update_session_create(request(Some("item-1"), None))
        .await
        .expect_err("403");
    assert!(
        matches!(error, update_session::Error::Unauthorized(_)),
        "{error:?}"
    );
    let error = server
        .anonymous()
        .content_library_item_update_session_create(request(Some("item-1"), None))
        .await
        .expect_err("401");
    assert!(
        matches!(error, update_session::Error::Unauthenticated(_)),
        "{error:?}"
    );

    // The server checks the Client-Token format and names the header.
    let error = client
        .content_library_item_update_session_create(request(
            Some("item-1"),
            Some("not-a-uuid".into()),
        ))
        .await
        .expect_err("bad token");
    match error {
        update_session::Error::InvalidArgument(error) => {
            assert_eq!(
                error.data.as_ref().and_then(|d| d.get("primary")),
                Some(&json!("Client-Token"))
            );
        }
        other => panic!("expected InvalidArgument, got {other:?}"),
    }
}

#[tokio::test]
async fn update_session_legacy_rest_form_gives_the_same_types() {
    let server = common::start().await;
    let client = server.login(ADMIN).await;
    let request = |item: Option<&str>| {
        update_session_rest::Request::new(update_session_rest::RequestRequired {
            create_spec: from_json::<UpdateSessionModel>(json!({"library_item_id": item})),
        })
    };
    let session: String = client
        .content_library_item_update_session_create_rest(request(Some("item-1")))
        .await
        .expect("session");
    assert!(
        server
            .simulator
            .lock()
            .update_sessions
            .contains_key(&session)
    );
    type Check = fn(&update_session_rest::Error) -> bool;
    let cases: [(Option<&str>, Check); 4] = [
        (Some("item-1"), |e| {
            matches!(e, update_session_rest::Error::ResourceBusy(_))
        }),
        (None, |e| {
            matches!(e, update_session_rest::Error::InvalidArgument(_))
        }),
        (Some("item-subscribed"), |e| {
            matches!(e, update_session_rest::Error::InvalidElementType(_))
        }),
        (Some("item-missing"), |e| {
            matches!(e, update_session_rest::Error::NotFound(_))
        }),
    ];
    for (item, expected) in cases {
        let error = client
            .content_library_item_update_session_create_rest(request(item))
            .await
            .expect_err("error");
        assert!(expected(&error), "{item:?}: {error:?}");
        // The legacy `{type, value}` envelope is unwrapped; `error_type` is filled in.
        if let update_session_rest::Error::NotFound(error) = &error {
            assert_eq!(error.error_type, Some(ErrorType::NotFound));
        }
    }
}

/// Regression (schemathesis): the legacy form answered 401 and 403, which its
/// spec did not document, so the client could only call them `Other`.
#[tokio::test]
async fn legacy_rest_form_authentication_errors_are_typed() {
    let server = common::start().await;
    let request = || {
        update_session_rest::Request::new(update_session_rest::RequestRequired {
            create_spec: from_json::<UpdateSessionModel>(json!({"library_item_id": "item-1"})),
        })
    };
    let error = server
        .anonymous()
        .with_credentials(vsphere_api::wire::Auth::SessionId(
            vsphere_api::SecretString::new("forged"),
        ))
        .content_library_item_update_session_create_rest(request())
        .await
        .expect_err("a forged session is refused");
    match error {
        update_session_rest::Error::Unauthenticated(error) => {
            assert_eq!(error.error_type, Some(ErrorType::Unauthenticated));
        }
        other => panic!("expected Unauthenticated, got {other:?}"),
    }
    let error = server
        .login(READONLY)
        .await
        .content_library_item_update_session_create_rest(request())
        .await
        .expect_err("no privilege");
    match error {
        update_session_rest::Error::Unauthorized(error) => {
            assert_eq!(error.error_type, Some(ErrorType::Unauthorized));
            assert!(
                error.messages[0]
                    .default_message
                    .contains("ContentLibrary.UpdateSession"),
                "{error:?}"
            );
        }
        other => panic!("expected Unauthorized, got {other:?}"),
    }
}

#[tokio::test]
async fn library_subscription_and_each_of_its_errors() {
    let server = common::start().await;
    let client = server.login(ADMIN).await;
    let created = client
        .content_library_subscriptions_create(subscription("lib-published", create_new()))
        .await
        .expect("CREATE_NEW");
    assert!(server.simulator.lock().subscriptions.contains_key(&created));
    let existing =
        json!({"target": "USE_EXISTING", "location": "LOCAL", "subscribed_library": "lib-local"});
    client
        .content_library_subscriptions_create(subscription("lib-published", existing.clone()))
        .await
        .expect("USE_EXISTING");

    type Check = fn(&subscriptions::Error) -> bool;
    let cases: Vec<(&str, Value, Check)> = vec![
        ("lib-published", existing, |e| {
            matches!(e, subscriptions::Error::AlreadyExists(_))
        }),
        (
            "lib-published",
            json!({"target": "USE_EXISTING", "location": "LOCAL"}),
            |e| matches!(e, subscriptions::Error::InvalidArgument(_)),
        ),
        ("lib-subscribed", create_new(), |e| {
            matches!(e, subscriptions::Error::InvalidElementType(_))
        }),
        ("lib-local", create_new(), |e| {
            matches!(e, subscriptions::Error::NotAllowedInCurrentState(_))
        }),
        ("lib-missing", create_new(), |e| {
            matches!(e, subscriptions::Error::NotFound(_))
        }),
        (
            "lib-published",
            json!({"target": "USE_EXISTING", "location": "LOCAL", "subscribed_library": "lib-missing"}),
            |e| matches!(e, subscriptions::Error::NotFound(_)),
        ),
        (
            "lib-published",
            json!({"target": "CREATE_NEW", "location": "REMOTE", "vcenter": {"hostname": "vc2.example.com"}}),
            |e| matches!(e, subscriptions::Error::ResourceInaccessible(_)),
        ),
    ];
    for (library, body, expected) in cases {
        let error = client
            .content_library_subscriptions_create(subscription(library, body.clone()))
            .await
            .expect_err("error");
        assert!(expected(&error), "{library} {body}: {error:?}");
    }
    server.simulator.inject_fault(
        "Content.Library.Subscriptions_create",
        500,
        vapi_error("ERROR"),
    );
    let error = client
        .content_library_subscriptions_create(subscription("lib-published", create_new()))
        .await
        .expect_err("fault");
    assert!(
        matches!(error, subscriptions::Error::Generic(_)),
        "{error:?}"
    );
    let error = server
        .login(READONLY)
        .await
        .content_library_subscriptions_create(subscription("lib-published", create_new()))
        .await
        .expect_err("403");
    assert!(
        matches!(error, subscriptions::Error::Unauthorized(_)),
        "{error:?}"
    );
    let error = server
        .anonymous()
        .content_library_subscriptions_create(subscription("lib-published", create_new()))
        .await
        .expect_err("401");
    assert!(
        matches!(error, subscriptions::Error::Unauthenticated(_)),
        "{error:?}"
    );
}

#[tokio::test]
async fn guest_file_transfer_and_each_of_its_errors() {
    let server = common::start().await;
    let client = server.login(ADMIN).await;
    let into_guest = |overwrite: Option<bool>| Some(json!({"size": 12, "overwrite": overwrite}));

    let url = client
        .vcenter_vm_guest_filesystem_transfers_create(transfer(
            "vm-on",
            "/tmp/new.txt",
            into_guest(None),
        ))
        .await
        .expect("transfer");
    let host = server.base_url.trim_start_matches("http://");
    assert!(
        url.starts_with(&format!("https://{host}/guestFile?")),
        "the `*` host is replaced: {url}"
    );
    let request = transfer("vm-on", "/tmp/new.txt", into_guest(None));
    assert!(
        !format!("{request:?}").contains("guest-pass"),
        "guest password masked in Debug"
    );

    match client
        .vcenter_vm_guest_filesystem_transfers_create(request)
        .await
    {
        Err(transfers::Error::AlreadyExists(error)) => assert_eq!(
            error.data.expect("FileErrorDetails").file_path,
            "/tmp/new.txt"
        ),
        other => panic!("expected AlreadyExists, got {other:?}"),
    }
    client
        .vcenter_vm_guest_filesystem_transfers_create(transfer(
            "vm-on",
            "/tmp/new.txt",
            into_guest(Some(true)),
        ))
        .await
        .expect("overwrite");
    client
        .vcenter_vm_guest_filesystem_transfers_create(transfer("vm-on", "/tmp/existing.txt", None))
        .await
        .expect("from the guest");

    match client
        .vcenter_vm_guest_filesystem_transfers_create(transfer("vm-on", "/tmp/absent.txt", None))
        .await
    {
        Err(transfers::Error::NotFound(error)) => assert_eq!(
            error.data.expect("FileErrorDetails").reason,
            ErrorReason::FileNotFound
        ),
        other => panic!("expected NotFound, got {other:?}"),
    }
    let long_path = format!("/tmp/{}", "x".repeat(300));
    match client
        .vcenter_vm_guest_filesystem_transfers_create(transfer(
            "vm-on",
            &long_path,
            into_guest(None),
        ))
        .await
    {
        Err(transfers::Error::InvalidArgument(error)) => assert_eq!(
            error.data.expect("FileErrorDetails").reason,
            ErrorReason::PathTooLong
        ),
        other => panic!("expected InvalidArgument, got {other:?}"),
    }
    type Check = fn(&transfers::Error) -> bool;
    let cases: [(&str, Check); 3] = [
        ("vm-off", |e| {
            matches!(e, transfers::Error::NotAllowedInCurrentState(_))
        }),
        ("vm-no-tools", |e| {
            matches!(e, transfers::Error::ServiceUnavailable(_))
        }),
        ("vm-missing", |e| matches!(e, transfers::Error::NotFound(_))),
    ];
    for (vm, expected) in cases {
        let error = client
            .vcenter_vm_guest_filesystem_transfers_create(transfer(vm, "/tmp/a", into_guest(None)))
            .await
            .expect_err("error");
        assert!(expected(&error), "{vm}: {error:?}");
    }
    let mut bad_login = transfer("vm-on", "/tmp/b", into_guest(None));
    bad_login.body.credentials.password = Some("wrong".into());
    let error = client
        .vcenter_vm_guest_filesystem_transfers_create(bad_login)
        .await
        .expect_err("guest login");
    assert!(
        matches!(error, transfers::Error::Unauthenticated(_)),
        "{error:?}"
    );
    let error = server
        .login(READONLY)
        .await
        .vcenter_vm_guest_filesystem_transfers_create(transfer("vm-on", "/tmp/c", None))
        .await
        .expect_err("403");
    assert!(
        matches!(error, transfers::Error::Unauthorized(_)),
        "{error:?}"
    );

    for (status, error_type) in [
        (400, "UNSUPPORTED"),
        (500, "RESOURCE_BUSY"),
        (500, "UNABLE_TO_ALLOCATE_RESOURCE"),
    ] {
        server.simulator.inject_fault(
            "Vcenter.Vm.Guest.Filesystem.Transfers_create",
            status,
            vapi_error(error_type),
        );
        let error = client
            .vcenter_vm_guest_filesystem_transfers_create(transfer(
                "vm-on",
                "/tmp/d",
                into_guest(None),
            ))
            .await
            .expect_err("fault");
        let matched = matches!(
            (&error, error_type),
            (transfers::Error::Unsupported(_), "UNSUPPORTED")
                | (transfers::Error::ResourceBusy(_), "RESOURCE_BUSY")
                | (
                    transfers::Error::UnableToAllocateResource(_),
                    "UNABLE_TO_ALLOCATE_RESOURCE"
                )
        );
        assert!(matched, "{error_type}: {error:?}");
    }
}

#[tokio::test]
async fn transport_failures_are_unexpected_errors() {
    // Nothing listens on this port once the listener is dropped.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    drop(listener);
    let client = vsphere_api::client::Client::new(format!("http://{address}")).expect("client");
    match client
        .esx_settings_depots_offline_create_task(depot_request("https://depot.example.com/a.zip"))
        .await
    {
        Err(depots::Error::Unexpected(unexpected)) => assert_eq!(unexpected.status, None),
        other => panic!("expected a transport failure, got {other:?}"),
    }
}
