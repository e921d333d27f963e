//! The client reads errors tolerantly: bodies shaped as vcsim sends them
//! (the legacy `{"type", "value"}` envelope on `/api` operations, no
//! `messages`, `messages: null`, unknown fields), `/api` bodies on legacy
//! operations, and error statuses without a body, each decoded by its type
//! (or the status mapping) into the operation's variant or `Other`, with
//! `error_type()`, `messages()` and `data()` the same across operations.
//! A raw TCP server answers with the canned bytes.

#[path = "common/canned.rs"]
mod canned;

use canned::{JSON, canned, http};
use serde_json::{Value, json};
use vsphere_api::client::Client;
use vsphere_api::operations::{
    content_library_item_update_session_create_rest as legacy,
    content_library_subscriptions_create as subscriptions,
    esx_settings_depots_offline_create_task as depots,
    esx_settings_repository_software_drafts_create as drafts,
};
use vsphere_api::types::content::library::item::UpdateSessionModel;
use vsphere_api::types::content::library::subscriptions::CreateSpec as SubscriptionSpec;
use vsphere_api::types::esx::settings::depots::offline::CreateSpec as DepotSpec;
use vsphere_api::types::vapi::std::errors::ErrorType;
use vsphere_api::wire::OperationError;

fn client(base_url: &str) -> Client {
    Client::new(base_url).expect("client")
}

/// A body as a response with `status` and a reason phrase.
fn response(status: u16, body: &str) -> Vec<u8> {
    let headers: &[&str] = if body.is_empty() { &[] } else { &[JSON] };
    http(&format!("{status} Status"), headers, body.as_bytes())
}

async fn subscribe(status: u16, body: &str) -> subscriptions::Error {
    let server = canned(response(status, body)).await;
    let spec: SubscriptionSpec = serde_json::from_value(json!({"subscribed_library": {
        "target": "USE_EXISTING", "location": "LOCAL", "subscribed_library": "lib-2"}}))
    .expect("spec");
    client(&server.base_url)
        .content_library_subscriptions_create(subscriptions::Request::new(
            subscriptions::RequestRequired {
                library: "lib-1".to_owned(),
                body: spec,
            },
        ))
        .await
        .expect_err("an error")
}

async fn legacy_call(status: u16, body: &str) -> legacy::Error {
    let server = canned(response(status, body)).await;
    let model: UpdateSessionModel =
        serde_json::from_value(json!({"library_item_id": "item-1"})).expect("model");
    client(&server.base_url)
        .content_library_item_update_session_create_rest(legacy::Request::new(
            legacy::RequestRequired { create_spec: model },
        ))
        .await
        .expect_err("an error")
}

async fn import_depot(status: u16, body: &str) -> depots::Error {
    let server = canned(response(status, body)).await;
    let spec: DepotSpec = serde_json::from_value(
        json!({"source_type": "PULL", "location": "https://depot.example.com/index.xml"}),
    )
    .expect("spec");
    client(&server.base_url)
        .esx_settings_depots_offline_create_task(depots::Request::new(depots::RequestRequired {
            body: spec,
        }))
        .await
        .expect_err("an error")
}

async fn create_draft(status: u16, body: &str) -> drafts::Error {
    let server = canned(response(status, body)).await;
    client(&server.base_url)
        .esx_settings_repository_software_drafts_create(drafts::Request::new(drafts::RequestRequired {
            body: vsphere_api::types::esx::settings::repository::software::drafts::CreateSpec::default(),
        }))
        .await
        .expect_err("an error")
}

#[tokio::test]
async fn vcsim_shaped_errors_on_api_operations_decode_by_their_type() {
    let bodies = [
        json!({"type": "com.vmware.vapi.std.errors.invalid_element_type", "value": {}}),
        json!({"type": "com.vmware.vapi.std.errors.invalid_element_type"}),
        json!({"type": "com.vmware.vapi.std.errors.invalid_element_type", "value": null}),
        json!({"error_type": "INVALID_ELEMENT_TYPE"}),
        json!({"error_type": "INVALID_ELEMENT_TYPE", "messages": null}),
        json!({"error_type": "INVALID_ELEMENT_TYPE", "messages": [], "vcsim": {"extra": 1}}),
    ];
    for body in bodies {
        let error = subscribe(400, &body.to_string()).await;
        let subscriptions::Error::InvalidElementType(decoded) = &error else {
            panic!("{body}: {error:?}");
        };
        assert!(decoded.messages.is_empty(), "{body}");
        assert_eq!(error.error_type(), Some(ErrorType::InvalidElementType));
        assert_eq!(error.status(), 400);
        assert!(error.messages().is_empty());
    }
}

#[tokio::test]
async fn fields_vcsim_leaves_out_are_filled_and_unknown_ones_kept() {
    let body = json!({
        "type": "com.vmware.vapi.std.errors.not_found",
        "value": {"messages": [{"id": "vcsim.missing", "default_message": "no library lib-1"}],
                  "vcsim_detail": "x"}
    });
    let error = subscribe(404, &body.to_string()).await;
    let subscriptions::Error::NotFound(decoded) = &error else {
        panic!("{error:?}");
    };
    assert_eq!(decoded.messages[0].default_message, "no library lib-1");
    assert!(decoded.messages[0].args.is_empty());
    assert_eq!(decoded.additional_properties["vcsim_detail"], "x");
    assert_eq!(error.to_string(), "NOT_FOUND (HTTP 404): no library lib-1");
}

#[tokio::test]
async fn legacy_operations_read_both_forms() {
    let bodies = [
        json!({"type": "com.vmware.vapi.std.errors.not_found", "value": {}}),
        json!({"type": "com.vmware.vapi.std.errors.not_found"}),
        json!({"type": "com.vmware.vapi.std.errors.not_found", "value": {"messages": null}}),
        json!({"error_type": "NOT_FOUND", "messages": []}),
        json!({"error_type": "NOT_FOUND"}),
    ];
    for body in bodies {
        let error = legacy_call(404, &body.to_string()).await;
        assert!(
            matches!(error, legacy::Error::NotFound(_)),
            "{body}: {error:?}"
        );
        assert_eq!(error.error_type(), Some(ErrorType::NotFound));
    }
    // An undocumented type in vcsim's form is `Other` with that type.
    let error = legacy_call(
        409,
        &json!({"type": "com.vmware.vapi.std.errors.concurrent_change"}).to_string(),
    )
    .await;
    assert!(
        matches!(error, legacy::Error::Other { status: 409, .. }),
        "{error:?}"
    );
    assert_eq!(error.error_type(), Some(ErrorType::ConcurrentChange));
}

#[tokio::test]
async fn bodyless_error_statuses_decode_by_the_status_mapping() {
    // Documented for subscriptions create: 401, 403, 404.
    assert!(matches!(
        subscribe(401, "").await,
        subscriptions::Error::Unauthenticated(_)
    ));
    assert!(matches!(
        subscribe(403, "").await,
        subscriptions::Error::Unauthorized(_)
    ));
    assert!(matches!(
        subscribe(404, "").await,
        subscriptions::Error::NotFound(_)
    ));
    // Two documented errors share 500 and neither is INTERNAL_SERVER_ERROR;
    // 503 is not documented here: both are `Other`, typed by the mapping.
    for (status, error_type) in [
        (500, ErrorType::InternalServerError),
        (503, ErrorType::ServiceUnavailable),
    ] {
        let error = subscribe(status, "").await;
        assert!(
            matches!(&error, subscriptions::Error::Other { status: s, .. } if *s == status),
            "{status}: {error:?}"
        );
        assert_eq!(error.error_type(), Some(error_type));
    }
    // The legacy form too.
    assert!(matches!(
        legacy_call(401, "").await,
        legacy::Error::Unauthenticated(_)
    ));
    assert!(matches!(
        legacy_call(403, "").await,
        legacy::Error::Unauthorized(_)
    ));
    assert!(matches!(
        legacy_call(404, "").await,
        legacy::Error::NotFound(_)
    ));
    // 503 is documented for the depot import.
    assert!(matches!(
        import_depot(503, "").await,
        depots::Error::ServiceUnavailable(_)
    ));
    // A status that stands for no single error stays unexpected.
    for status in [400, 502] {
        let error = subscribe(status, "").await;
        assert!(
            matches!(error, subscriptions::Error::Unexpected(_)),
            "{status}: {error:?}"
        );
        assert_eq!(error.error_type(), None);
    }
}

/// Code written once for every operation: "does it already exist?".
fn already_exists<E: OperationError<ErrorType = ErrorType>>(error: &E) -> bool {
    error.error_type() == Some(ErrorType::AlreadyExists)
}

#[tokio::test]
async fn errors_are_handled_alike_across_operations() {
    let body = json!({"error_type": "ALREADY_EXISTS", "messages": [
        {"id": "x.exists", "default_message": "it is there", "args": ["a"]}], "data": {"depot": "d-1"}})
    .to_string();
    let subscription = subscribe(400, &body).await;
    let draft = create_draft(400, &body).await;
    let depot = import_depot(400, &body).await;
    assert!(already_exists(&subscription));
    assert!(already_exists(&draft));
    assert!(already_exists(&depot));
    assert!(!already_exists(&subscribe(404, "").await));
    for messages in [subscription.messages(), draft.messages(), depot.messages()] {
        assert_eq!(messages.len(), 1);
        assert_eq!(messages[0].id, "x.exists");
        assert_eq!(messages[0].args, ["a"]);
    }
    assert_eq!(depot.data(), Some(json!({"depot": "d-1"})));
}

#[tokio::test]
async fn an_undocumented_403_is_easy_to_recognise() {
    // VMware's page lists no 403 for the depot import.
    let body = json!({"error_type": "UNAUTHORIZED", "messages": [
        {"id": "vapi.security.authorization.invalid", "default_message": "Permission denied", "args": []}]});
    let error = import_depot(403, &body.to_string()).await;
    assert!(
        matches!(error, depots::Error::Other { status: 403, .. }),
        "{error:?}"
    );
    assert_eq!(error.error_type(), Some(ErrorType::Unauthorized));
    assert_eq!(
        error.to_string(),
        "UNAUTHORIZED (HTTP 403): Permission denied"
    );
    // Bodyless, and in vcsim's form, it is the same error.
    for body in [
        String::new(),
        json!({"type": "com.vmware.vapi.std.errors.unauthorized", "value": {}}).to_string(),
    ] {
        let error = import_depot(403, &body).await;
        assert_eq!(error.error_type(), Some(ErrorType::Unauthorized), "{body}");
        assert!(
            error.to_string().starts_with("UNAUTHORIZED (HTTP 403)"),
            "{error}"
        );
    }
}

#[tokio::test]
async fn success_bodies_stay_strict() {
    // A success status with a vcsim-shaped error is not a success, nor an error.
    let server = canned(response(
        201,
        &json!({"type": "com.vmware.vapi.std.errors.not_found"}).to_string(),
    ))
    .await;
    let spec: SubscriptionSpec = serde_json::from_value(json!({"subscribed_library": {
        "target": "USE_EXISTING", "location": "LOCAL", "subscribed_library": "lib-2"}}))
    .expect("spec");
    let error = client(&server.base_url)
        .content_library_subscriptions_create(subscriptions::Request::new(
            subscriptions::RequestRequired {
                library: "lib-1".to_owned(),
                body: spec,
            },
        ))
        .await
        .expect_err("not a string");
    assert!(
        matches!(error, subscriptions::Error::Unexpected(_)),
        "{error:?}"
    );
    // An error of the wrong shape (a field present but not fitting) is unexpected too.
    let error = subscribe(
        400,
        &json!({"error_type": "ALREADY_EXISTS", "messages": 5}).to_string(),
    )
    .await;
    let subscriptions::Error::Unexpected(unexpected) = &error else {
        panic!("{error:?}");
    };
    assert!(
        unexpected.message.contains("does not match its schema"),
        "{unexpected:?}"
    );
    let _: Option<Value> = error.data();
}
