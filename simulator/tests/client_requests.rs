//! What the generated client puts on the wire, and what it refuses to send
//! or keep: path parameters that would address another resource, session
//! ids that cannot travel in a header, `*` hosts that are not exactly `*`,
//! passwords in the base URL. A raw TCP server records each request line.

#[path = "common/canned.rs"]
mod canned;

use canned::{JSON, canned, http};
use serde_json::json;
use vsphere_api::client::Client;
use vsphere_api::operations::{
    content_library_subscriptions_create as subscriptions,
    vcenter_vm_guest_filesystem_transfers_create as transfers,
};
use vsphere_api::types::content::library::subscriptions::CreateSpec;
use vsphere_api::types::vcenter::vm::guest::filesystem::transfers::CreateBody;

fn spec() -> CreateSpec {
    serde_json::from_value(json!({"subscribed_library": {
        "target": "USE_EXISTING", "location": "LOCAL", "subscribed_library": "lib-2"}}))
    .expect("spec")
}

#[tokio::test]
async fn dot_segment_path_parameters_are_refused_before_sending() {
    let server = canned(http("201 Created", &[JSON], br#""sub-1""#)).await;
    let client = Client::new(&server.base_url).expect("client");
    for library in ["..", ".", ""] {
        let error = client
            .content_library_subscriptions_create(subscriptions::Request::new(
                subscriptions::RequestRequired {
                    library: library.to_owned(),
                    body: spec(),
                },
            ))
            .await
            .expect_err("refused");
        let subscriptions::Error::Unexpected(unexpected) = &error else {
            panic!("{library:?}: {error:?}");
        };
        assert_eq!(unexpected.status, None, "nothing was sent");
        assert!(unexpected.message.contains("`library`"), "{unexpected:?}");
    }
    assert!(
        server.request_lines().is_empty(),
        "{:?}",
        server.request_lines()
    );
}

#[tokio::test]
async fn other_path_parameters_arrive_as_one_segment() {
    let cases = [
        ("lib-1", "/api/content/library/lib-1/subscriptions"),
        // Dots inside a value, and escaped dots, are not dot segments.
        ("...", "/api/content/library/.../subscriptions"),
        (".hidden", "/api/content/library/.hidden/subscriptions"),
        ("%2E%2E", "/api/content/library/%252E%252E/subscriptions"),
        (
            "../session",
            "/api/content/library/..%2Fsession/subscriptions",
        ),
        (
            "a?b#c d",
            "/api/content/library/a%3Fb%23c%20d/subscriptions",
        ),
    ];
    for (library, path) in cases {
        let server = canned(http("201 Created", &[JSON], br#""sub-1""#)).await;
        let client = Client::new(&server.base_url).expect("client");
        let created = client
            .content_library_subscriptions_create(subscriptions::Request::new(
                subscriptions::RequestRequired {
                    library: library.to_owned(),
                    body: spec(),
                },
            ))
            .await
            .expect("sent");
        assert_eq!(created, "sub-1");
        assert_eq!(
            server.request_lines(),
            [format!("POST {path} HTTP/1.1")],
            "{library:?}"
        );
    }
}

#[tokio::test]
async fn a_session_id_that_cannot_travel_in_a_header_is_refused_at_login() {
    for session in ["abc\r\nX-Injected: 1", "abc\ndef", "abc\u{0}def", ""] {
        let body = serde_json::to_string(session).expect("json");
        let server = canned(http("201 Created", &[JSON], body.as_bytes())).await;
        let error = Client::new(&server.base_url)
            .expect("client")
            .login("administrator@vsphere.local", "pw")
            .await
            .expect_err("refused");
        let text = format!("{error:?} {error}");
        assert!(text.contains("session id"), "{text}");
        if !session.is_empty() {
            assert!(!text.contains("abc"), "the refused id is not shown: {text}");
        }
    }
    // A good one is taken and sent back.
    let server = canned(http("201 Created", &[JSON], br#""9f3a0c""#)).await;
    let client = Client::new(&server.base_url)
        .expect("client")
        .login("administrator@vsphere.local", "pw")
        .await
        .expect("login");
    let _ = client
        .content_library_subscriptions_create(subscriptions::Request::new(
            subscriptions::RequestRequired {
                library: "lib-1".to_owned(),
                body: spec(),
            },
        ))
        .await;
    let heads = server.heads();
    assert!(
        heads[1]
            .lines()
            .any(|line| line.eq_ignore_ascii_case("vmware-api-session-id: 9f3a0c")),
        "{heads:?}"
    );
}

fn transfer() -> transfers::Request {
    transfers::Request::new(transfers::RequestRequired {
        vm: "vm-1".to_owned(),
        body: serde_json::from_value::<CreateBody>(json!({
            "credentials": {"interactive_session": false, "type": "USERNAME_PASSWORD",
                "user_name": "root", "password": "pw"},
            "spec": {"path": "/tmp/a"}
        }))
        .expect("body"),
    })
}

#[tokio::test]
async fn only_a_host_that_is_exactly_a_star_is_replaced() {
    let cases = [
        ("https://*/guestFile?id=1", None),
        ("https://*:9443/guestFile?id=1", None),
        ("https://*.evil.example/x", Some("https://*.evil.example/x")),
        ("https://*@evil.example/x", Some("https://*@evil.example/x")),
        (
            "https://*:x@evil.example/x",
            Some("https://*:x@evil.example/x"),
        ),
    ];
    for (url, kept) in cases {
        let body = serde_json::to_string(url).expect("json");
        let server = canned(http("201 Created", &[JSON], body.as_bytes())).await;
        let port = server.base_url.rsplit(':').next().expect("port").to_owned();
        let answer = Client::new(&server.base_url)
            .expect("client")
            .vcenter_vm_guest_filesystem_transfers_create(transfer())
            .await
            .expect("a URL");
        match kept {
            Some(kept) => assert_eq!(answer, kept),
            None if url.contains(":9443") => {
                assert_eq!(answer, "https://127.0.0.1:9443/guestFile?id=1")
            }
            None => assert_eq!(answer, format!("https://127.0.0.1:{port}/guestFile?id=1")),
        }
    }
}

#[tokio::test]
async fn a_password_in_the_base_url_is_never_shown() {
    let server = canned(http("404 Not Found", &[], b"")).await;
    let base_url = server.base_url.replace("http://", "http://admin:hunter2@");
    let client = Client::new(&base_url).expect("client");
    assert!(!format!("{client:?}").contains("hunter2"), "{client:?}");
    assert!(!client.base_url().contains("hunter2"));
    let error = client
        .content_library_subscriptions_create(subscriptions::Request::new(
            subscriptions::RequestRequired {
                library: "lib-1".to_owned(),
                body: spec(),
            },
        ))
        .await
        .expect_err("404");
    assert!(!format!("{error:?} {error}").contains("hunter2"));
    let error = Client::new("http://admin:hunter2@[::1").expect_err("bad URL");
    assert!(!format!("{error:?} {error}").contains("hunter2"), "{error}");
}
