//! Real vSphere JSON through the generated types and back: nothing lost,
//! nothing reordered in meaning, unknown values and fields kept.

use serde_json::{Value, json};
use vsphere_api::types::content::library::item::UpdateSessionModel;
use vsphere_api::types::esx::settings::depots::offline::{CreateAlreadyExists, CreateSpec};
use vsphere_api::types::vapi::std::errors::{Error, ErrorType};
use vsphere_api::types::vapi::std::{LocalizableMessage, LocalizationParam};
use vsphere_api::types::vcenter::vm::guest::Credentials;
use vsphere_api::wire::OperationError;

/// Deserializes `json` into `T`, serializes it back, and checks both agree.
fn round_trip<T>(json: Value) -> T
where
    T: serde::de::DeserializeOwned + serde::Serialize,
{
    let typed: T = serde_json::from_value(json.clone()).expect("deserializes");
    let back = serde_json::to_value(&typed).expect("serializes");
    assert_eq!(back, json, "round trip changed the JSON");
    typed
}

#[test]
fn nested_localizable_message_with_params() {
    // A message whose params nest another message with its own params
    // (LocalizationParam <-> NestedLocalizableMessage are mutually recursive).
    let message: LocalizableMessage = round_trip(json!({
        "id": "com.vmware.vapi.std.errors.invalid_argument",
        "default_message": "Invalid argument: the location https://depot.example.com/x.zip is not reachable.",
        "args": ["https://depot.example.com/x.zip"],
        "params": {
            "location": {"s": "https://depot.example.com/x.zip"},
            "attempts": {"i": 3},
            "ratio": {"d": 0.5, "precision": 2},
            "when": {"dt": "2026-11-24T09:00:00.000Z", "format": "SHORT_DATE_TIME"},
            "cause": {"l": {
                "id": "com.vmware.esx.settings.depot.unreachable",
                "params": {"host": {"s": "depot.example.com"}, "inner": {"l": {"id": "deeper"}}}
            }}
        },
        "localized": "Ungültiges Argument"
    }));
    let params = message.params.as_ref().expect("params");
    let cause = params["cause"].l.as_ref().expect("nested message");
    assert_eq!(cause.id, "com.vmware.esx.settings.depot.unreachable");
    let inner: &LocalizationParam = &cause.params.as_ref().expect("nested params")["inner"];
    assert_eq!(inner.l.as_ref().map(|m| m.id.as_str()), Some("deeper"));
    assert_eq!(params["attempts"].i, Some(3));
}

#[test]
fn already_exists_carries_typed_create_result() {
    let error: CreateAlreadyExists = round_trip(json!({
        "error_type": "ALREADY_EXISTS",
        "messages": [{
            "id": "com.vmware.esx.settings.depots.offline.already_exists",
            "default_message": "The depot at https://depot.example.com/x.zip was already imported.",
            "args": []
        }],
        "data": {"depot": "offline-depot-42"}
    }));
    assert_eq!(error.error_type, Some(ErrorType::AlreadyExists));
    assert_eq!(error.data.expect("typed data").depot, "offline-depot-42");
}

#[test]
fn unknown_error_type_is_kept_and_sent_back() {
    let error: Error = round_trip(json!({
        "error_type": "QUOTA_EXCEEDED",
        "messages": [],
    }));
    assert_eq!(
        error.error_type,
        Some(ErrorType::Unknown("QUOTA_EXCEEDED".into()))
    );
    assert_eq!(
        "QUOTA_EXCEEDED".parse::<ErrorType>(),
        Ok(ErrorType::Unknown("QUOTA_EXCEEDED".into()))
    );
    assert_eq!("NOT_FOUND".parse::<ErrorType>(), Ok(ErrorType::NotFound));
}

#[test]
fn error_without_error_type_from_older_servers() {
    let error: Error = round_trip(json!({"messages": []}));
    assert_eq!(error.error_type, None);
}

#[test]
fn unknown_fields_survive_a_round_trip() {
    let session: UpdateSessionModel = round_trip(json!({
        "library_item_id": "item-1",
        "client_progress": 40,
        "state": "ACTIVE",
        "expiration_time": "2026-11-24T10:00:00Z",
        "field_added_in_9_2": {"nested": [1, 2, 3]},
        "another_new_one": "x"
    }));
    assert_eq!(session.additional_properties["another_new_one"], json!("x"));
    assert_eq!(session.client_progress, Some(40));
}

#[test]
fn secrets_are_masked_in_debug_output() {
    let spec: CreateSpec = round_trip(json!({
        "source_type": "PULL",
        "location": "https://depot.example.com/x.zip",
        "authentication_spec": {
            "method": "HEADER_AUTH",
            "authentication_key": "X-Depot-Token",
            "authentication_value": "s3cr3t-token-value"
        }
    }));
    let debug = format!("{spec:?}");
    assert!(!debug.contains("s3cr3t-token-value"), "{debug}");
    assert!(
        debug.contains("X-Depot-Token"),
        "non-secret fields stay visible: {debug}"
    );

    let credentials: Credentials = round_trip(json!({
        "interactive_session": false,
        "type": "USERNAME_PASSWORD",
        "user_name": "root",
        "password": "hunter2-guest-password"
    }));
    let debug = format!("{credentials:?}");
    assert!(!debug.contains("hunter2-guest-password"), "{debug}");
    assert_eq!(
        credentials.password.as_ref().map(|p| p.expose_secret()),
        Some("hunter2-guest-password")
    );
}

#[test]
fn legacy_rest_error_with_key_value_params_reads_into_the_same_types() {
    // The legacy `/rest` form: a `{type, value}` envelope, and maps (here the
    // message params, nested twice) as lists of `{"key", "value"}` entries.
    let legacy = json!({
        "type": "com.vmware.vapi.std.errors.invalid_argument",
        "value": {
            "messages": [{
                "id": "com.vmware.content.updatesession.invalid_item",
                "default_message": "The library item item-7 cannot be updated.",
                "args": ["item-7"],
                // A map has no order; entries are written sorted by key.
                "params": [
                    {"key": "cause", "value": {"l": {
                        "id": "com.vmware.content.item.subscribed",
                        "params": [{"key": "library", "value": {"s": "lib-3"}}]
                    }}},
                    {"key": "item", "value": {"s": "item-7"}}
                ]
            }]
        }
    });
    let envelope: vsphere_api::types::rest::vapi::std::errors::InvalidArgument =
        serde_json::from_value(legacy.clone()).expect("legacy form deserializes");
    // Encoding for the legacy form gives back exactly the legacy JSON.
    use vsphere_api::operations::content_library_item_update_session_create_rest as legacy_op;
    let encoded = legacy_op::Error::InvalidArgument(envelope.value.clone()).encode();
    assert_eq!(encoded, legacy);
    assert_eq!(
        envelope.type_.as_str(),
        "com.vmware.vapi.std.errors.invalid_argument"
    );
    let message = &envelope.value.messages[0];
    // Read into the same types as the `/api` form, so it writes out as `/api` JSON.
    let api_form: LocalizableMessage = round_trip(json!({
        "id": "com.vmware.content.updatesession.invalid_item",
        "default_message": "The library item item-7 cannot be updated.",
        "args": ["item-7"],
        "params": {
            "item": {"s": "item-7"},
            "cause": {"l": {"id": "com.vmware.content.item.subscribed", "params": {"library": {"s": "lib-3"}}}}
        }
    }));
    assert_eq!(message, &api_form);
}

#[test]
fn a_map_that_is_neither_object_nor_list_is_rejected() {
    let result = serde_json::from_value::<LocalizableMessage>(json!({
        "id": "x", "default_message": "x", "args": [], "params": "not a map"
    }));
    let error = result.expect_err("a string is not a map").to_string();
    assert!(error.contains("key"), "{error}");
}
