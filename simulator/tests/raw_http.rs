//! Bad requests sent as raw HTTP, not through the generated client: each gets
//! a vapi error body with the right status, never plain text or a 500.

mod common;

use serde_json::{Value, json};
use vsphere_simulator::{ADMIN, PASSWORD, READONLY, Running};

struct Answer {
    status: u16,
    content_type: String,
    www_authenticate: Option<String>,
    body: Value,
}

async fn send(
    server: &Running,
    path: &str,
    user: Option<&str>,
    body: impl Into<reqwest::Body>,
) -> Answer {
    send_method(server, reqwest::Method::POST, path, user, body).await
}

async fn send_method(
    server: &Running,
    method: reqwest::Method,
    path: &str,
    user: Option<&str>,
    body: impl Into<reqwest::Body>,
) -> Answer {
    let mut request = reqwest::Client::new()
        .request(method, format!("{}{path}", server.base_url))
        .header("Content-Type", "application/json")
        .body(body);
    if let Some(user) = user {
        request = request.basic_auth(user, Some(PASSWORD));
    }
    let response = request.send().await.expect("the server answers");
    let status = response.status().as_u16();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let content_type = header("content-type").unwrap_or_default();
    let www_authenticate = header("www-authenticate");
    let text = response.text().await.expect("body");
    let body =
        serde_json::from_str(&text).unwrap_or_else(|error| panic!("not JSON ({error}): {text}"));
    Answer {
        status,
        content_type,
        www_authenticate,
        body,
    }
}

/// Asserts a 400 InvalidArgument whose ArgumentLocations names `location` first.
fn assert_invalid_argument(answer: &Answer, location: &str) {
    assert_eq!(answer.status, 400, "{}", answer.body);
    assert_eq!(answer.content_type, "application/json");
    assert_eq!(
        answer.body["error_type"], "INVALID_ARGUMENT",
        "{}",
        answer.body
    );
    assert_eq!(answer.body["data"]["primary"], location, "{}", answer.body);
    let message = answer.body["messages"][0]["default_message"]
        .as_str()
        .unwrap_or_default();
    assert!(!message.is_empty(), "{}", answer.body);
}

const DEPOTS: &str = "/api/esx/settings/depots/offline?vmw-task=true";
const SUBSCRIPTIONS: &str = "/api/content/library/lib-published/subscriptions";

#[tokio::test]
async fn malformed_json_names_the_body() {
    let server = common::start().await;
    let answer = send(&server, DEPOTS, Some(ADMIN), r#"{"source_type": "PULL","#).await;
    assert_invalid_argument(&answer, "body");
    assert!(
        answer.body["messages"][0]["default_message"]
            .as_str()
            .unwrap_or_default()
            .contains("malformed JSON")
    );
}

#[tokio::test]
async fn wrong_types_missing_fields_and_unknown_enum_values_name_the_field() {
    let server = common::start().await;
    let cases = [
        (DEPOTS, json!({"source_type": 5}), "source_type"),
        (DEPOTS, json!({"source_type": "SIDEWAYS"}), "source_type"),
        (
            DEPOTS,
            json!({"source_type": "PULL", "location": "not a uri"}),
            "location",
        ),
        (
            DEPOTS,
            json!({"location": "https://depot.example.com/a.zip"}),
            "",
        ),
        (SUBSCRIPTIONS, json!({}), ""),
        (
            SUBSCRIPTIONS,
            json!({"subscribed_library": {"target": "CREATE_NEW"}}),
            "subscribed_library",
        ),
        (
            SUBSCRIPTIONS,
            json!({"subscribed_library": {"target": "SOMEWHERE", "location": "LOCAL"}}),
            "subscribed_library.target",
        ),
        (
            SUBSCRIPTIONS,
            json!({"subscribed_library": {"target": "CREATE_NEW", "location": "LOCAL", "new_subscribed_library": {
                "name": "m", "storage_backings": [{"type": "TAPE"}], "automatic_sync_enabled": true, "on_demand": true}}}),
            "subscribed_library.new_subscribed_library.storage_backings[0].type",
        ),
    ];
    for (path, body, location) in cases {
        let answer = send(&server, path, Some(ADMIN), body.to_string()).await;
        assert_eq!(answer.status, 400, "{body}: {}", answer.body);
        assert_eq!(
            answer.body["error_type"], "INVALID_ARGUMENT",
            "{body}: {}",
            answer.body
        );
        let text = answer.body.to_string();
        if location.is_empty() {
            // A missing required field is reported by serde with its name in the message.
            assert!(text.contains("missing field"), "{body}: {text}");
        } else {
            assert_eq!(answer.body["data"]["primary"], location, "{body}: {text}");
        }
    }
}

#[tokio::test]
async fn a_date_time_and_a_client_token_are_checked() {
    let server = common::start().await;
    let answer = send(
        &server,
        "/api/content/library/item/update-session",
        Some(ADMIN),
        json!({"library_item_id": "item-1", "expiration_time": "tomorrow"}).to_string(),
    )
    .await;
    assert_invalid_argument(&answer, "expiration_time");
    let response = reqwest::Client::new()
        .post(format!(
            "{}/api/content/library/item/update-session",
            server.base_url
        ))
        .basic_auth(ADMIN, Some(PASSWORD))
        .header("Client-Token", "12345")
        .body(json!({"library_item_id": "item-1"}).to_string())
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status().as_u16(), 400);
    let body: Value = serde_json::from_str(&response.text().await.expect("body")).expect("JSON");
    assert_eq!(body["data"]["primary"], "Client-Token", "{body}");
}

#[tokio::test]
async fn an_oversize_body_is_an_invalid_argument_not_a_crash() {
    let server = common::start().await;
    let huge = format!(
        r#"{{"source_type": "PULL", "description": "{}"}}"#,
        "x".repeat(2 << 20)
    );
    let answer = send(&server, DEPOTS, Some(ADMIN), huge).await;
    assert_invalid_argument(&answer, "body");
}

#[tokio::test]
async fn no_credentials_is_401_with_a_challenge() {
    let server = common::start().await;
    let answer = send(&server, SUBSCRIPTIONS, None, "{}").await;
    assert_eq!(answer.status, 401);
    assert_eq!(
        answer.body["error_type"], "UNAUTHENTICATED",
        "{}",
        answer.body
    );
    assert_eq!(answer.body["challenge"], "Basic realm=\"VMware vCenter\"");
    assert_eq!(
        answer.www_authenticate.as_deref(),
        Some("Basic realm=\"VMware vCenter\"")
    );
    // A wrong session id is no better.
    let response = reqwest::Client::new()
        .post(format!("{}{SUBSCRIPTIONS}", server.base_url))
        .header("vmware-api-session-id", "forged")
        .body("{}")
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status().as_u16(), 401);
}

#[tokio::test]
async fn a_user_without_the_privilege_is_403() {
    let server = common::start().await;
    let body = json!({"subscribed_library": {"target": "CREATE_NEW", "location": "LOCAL", "new_subscribed_library": {
        "name": "m", "storage_backings": [], "automatic_sync_enabled": true, "on_demand": true}}});
    let answer = send(&server, SUBSCRIPTIONS, Some(READONLY), body.to_string()).await;
    assert_eq!(answer.status, 403, "{}", answer.body);
    assert_eq!(answer.body["error_type"], "UNAUTHORIZED");
    let message = answer.body["messages"][0]["default_message"]
        .as_str()
        .unwrap_or_default();
    assert!(
        message.contains("ContentLibrary.AddSubscription") && message.contains("lib-published"),
        "{message}"
    );
}

#[tokio::test]
async fn unknown_operations_are_vapi_404s() {
    let server = common::start().await;
    for (method, path) in [
        (reqwest::Method::POST, "/api/nothing/here"),
        (reqwest::Method::GET, SUBSCRIPTIONS),
        (
            reqwest::Method::POST,
            "/api/vcenter/vm/vm-on/guest/filesystem?action=delete",
        ),
    ] {
        let answer = send_method(&server, method.clone(), path, Some(ADMIN), "{}").await;
        assert_eq!(answer.status, 404, "{method} {path}");
        assert_eq!(
            answer.body["error_type"], "OPERATION_NOT_FOUND",
            "{method} {path}"
        );
    }
}

#[tokio::test]
async fn legacy_rest_form_on_the_wire() {
    let server = common::start().await;
    let path = "/rest/com/vmware/content/library/item/update-session";
    let answer = send(
        &server,
        path,
        Some(ADMIN),
        json!({"create_spec": {"library_item_id": "item-1"}}).to_string(),
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert!(
        answer.body["value"].is_string(),
        "success wrapped in value: {}",
        answer.body
    );
    let answer = send(
        &server,
        path,
        Some(ADMIN),
        json!({"create_spec": {"library_item_id": "item-1"}}).to_string(),
    )
    .await;
    assert_eq!(answer.status, 500);
    assert_eq!(
        answer.body["type"], "com.vmware.vapi.std.errors.resource_busy",
        "{}",
        answer.body
    );
    assert!(
        answer.body["value"]["messages"].is_array(),
        "{}",
        answer.body
    );
    let answer = send(
        &server,
        path,
        Some(ADMIN),
        json!({"create_spec": {"client_progress": "half"}}).to_string(),
    )
    .await;
    assert_eq!(answer.status, 400);
    assert_eq!(
        answer.body["type"], "com.vmware.vapi.std.errors.invalid_argument",
        "{}",
        answer.body
    );
    assert_eq!(
        answer.body["value"]["data"]["primary"], "create_spec.client_progress",
        "{}",
        answer.body
    );
}

/// Regression (schemathesis): the legacy form's 401 and 403 are documented
/// and sent in its `{type, value}` envelope.
#[tokio::test]
async fn legacy_rest_form_refuses_unauthenticated_and_unprivileged_callers() {
    let server = common::start().await;
    let path = "/rest/com/vmware/content/library/item/update-session";
    let body = json!({"create_spec": {"library_item_id": "item-1"}}).to_string();
    let response = reqwest::Client::new()
        .post(format!("{}{path}", server.base_url))
        .header("vmware-api-session-id", "forged")
        .header("Content-Type", "application/json")
        .body(body.clone())
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status().as_u16(), 401);
    let answer: Value = serde_json::from_str(&response.text().await.expect("body")).expect("JSON");
    assert_eq!(
        answer["type"], "com.vmware.vapi.std.errors.unauthenticated",
        "{answer}"
    );
    assert!(answer["value"]["messages"].is_array(), "{answer}");
    let answer = send(&server, path, Some(READONLY), body).await;
    assert_eq!(answer.status, 403, "{}", answer.body);
    assert_eq!(
        answer.body["type"], "com.vmware.vapi.std.errors.unauthorized",
        "{}",
        answer.body
    );
}
