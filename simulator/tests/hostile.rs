//! The generated client against a hostile server: a raw TCP listener that
//! writes canned HTTP responses byte for byte (truncated JSON, huge bodies,
//! HTML from a proxy, broken chunked encoding, connections cut mid-headers,
//! non-UTF-8, unknown fields and enum values). Every call must end in a typed
//! result, never a panic or a hang.

use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use vsphere_api::client::{Client, MAX_RESPONSE_BYTES};
use vsphere_api::operations::{
    cis_session_create as session, content_library_item_update_session_create_rest as legacy,
    vcenter_vm_guest_filesystem_transfers_create as transfers,
};
use vsphere_api::types::vapi::std::errors::ErrorType;
use vsphere_api::types::vcenter::vm::guest::filesystem::ErrorReason;
use vsphere_api::wire::Unexpected;

#[path = "common/canned.rs"]
mod canned;

use canned::read_request;

/// A server that answers every connection with `handler`; returns its base URL.
async fn serve<F, Fut>(handler: F) -> String
where
    F: Fn(TcpStream) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    let handler = Arc::new(handler);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(handler(stream));
        }
    });
    format!("http://{address}")
}

/// A server that writes `response` verbatim after each request, then closes.
async fn canned(response: impl Into<Vec<u8>>) -> String {
    let response: Arc<Vec<u8>> = Arc::new(response.into());
    serve(move |mut stream| {
        let response = response.clone();
        async move {
            read_request(&mut stream).await;
            let _ = stream.write_all(&response).await;
            let _ = stream.shutdown().await;
        }
    })
    .await
}

/// A response with a `Content-Length` that matches `body`.
fn http(status_line: &str, headers: &[&str], body: &[u8]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status_line}\r\n");
    for header in headers {
        out.push_str(header);
        out.push_str("\r\n");
    }
    out.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    ));
    let mut out = out.into_bytes();
    out.extend_from_slice(body);
    out
}

const JSON: &str = "Content-Type: application/json";

fn client(base_url: &str) -> Client {
    // A short timeout: a client that waits on a stalled server fails the test quickly.
    Client::builder(base_url)
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client")
}

async fn login(base_url: &str) -> Result<session::Response, session::Error> {
    client(base_url)
        .cis_session_create(session::Request::new())
        .await
}

/// The `Unexpected` of a failed call, or a failure naming what came instead.
fn unexpected(result: Result<session::Response, session::Error>) -> Unexpected {
    match result {
        Err(session::Error::Unexpected(unexpected)) => unexpected,
        Err(other) => panic!("expected Error::Unexpected, got {other:?}"),
        Ok(_) => panic!("expected Error::Unexpected, got a session"),
    }
}

/// A call whose success is a plain string (a URL), so a body that fails to
/// decode is kept in the error.
async fn upload(base_url: &str) -> Unexpected {
    match client(base_url)
        .vcenter_vm_guest_filesystem_transfers_create(transfer())
        .await
    {
        Err(transfers::Error::Unexpected(unexpected)) => unexpected,
        other => panic!("expected Error::Unexpected, got {other:?}"),
    }
}

fn header<'a>(unexpected: &'a Unexpected, name: &str) -> Option<&'a str> {
    unexpected
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

#[tokio::test]
async fn truncated_json_on_success_is_unexpected_with_the_bytes_kept() {
    let url = canned(http("201 Created", &[JSON], br#""https://host/x"#)).await;
    let error = upload(&url).await;
    assert_eq!(error.status, Some(201));
    assert_eq!(error.body, br#""https://host/x"#);
    assert!(error.message.contains("EOF"), "{}", error.message);
}

#[tokio::test]
async fn a_session_id_that_does_not_decode_is_not_kept_in_the_error() {
    // The legacy form's envelope where the `/api` form's bare string belongs:
    // the token is real, and the error (whose Debug prints the body) must not carry it.
    let url = canned(http(
        "201 Created",
        &[JSON],
        br#"{"value": "a1b2c3-session-token"}"#,
    ))
    .await;
    let error = unexpected(login(&url).await);
    assert_eq!(error.status, Some(201));
    assert!(error.body.is_empty());
    assert!(
        error
            .message
            .ends_with("(body withheld: it may hold a secret)"),
        "{}",
        error.message
    );
    assert!(!format!("{error:?} {error}").contains("a1b2c3"));
}

#[tokio::test]
async fn an_empty_body_on_a_typed_success_is_unexpected() {
    let url = canned(http("201 Created", &[JSON], b"")).await;
    let error = unexpected(login(&url).await);
    assert_eq!(error.status, Some(201));
    assert!(error.body.is_empty());
    assert!(error.message.contains("EOF"), "{}", error.message);
}

#[tokio::test]
async fn html_proxy_pages_are_unexpected_not_a_documented_error() {
    // 503 is documented (ServiceUnavailable): an HTML page with that status must
    // not be taken for it just because the status matches.
    for status_line in ["502 Bad Gateway", "503 Service Unavailable"] {
        let page = b"<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1><hr>nginx</body></html>";
        let url = canned(http(status_line, &["Content-Type: text/html"], page)).await;
        let error = unexpected(login(&url).await);
        let status: u16 = status_line[..3].parse().expect("status");
        assert_eq!(error.status, Some(status));
        assert_eq!(error.message, "the body is not a vapi error");
        assert_eq!(error.body, page);
        assert_eq!(header(&error, "content-type"), Some("text/html"));
        assert_eq!(
            error.to_string(),
            format!("unexpected response (HTTP {status}): the body is not a vapi error")
        );
    }
}

#[tokio::test]
async fn html_with_a_success_status_is_unexpected() {
    let url = canned(http(
        "201 Created",
        &["Content-Type: text/html"],
        b"<html>login portal</html>",
    ))
    .await;
    let error = unexpected(login(&url).await);
    assert_eq!(error.status, Some(201));
    assert!(
        error.message.contains("expected value"),
        "{}",
        error.message
    );
}

#[tokio::test]
async fn the_body_decides_not_the_content_type() {
    // The client reads the body whatever its label says (a JSON error behind a
    // proxy that relabels it is still that error); non-JSON is Unexpected.
    let body = json!({"error_type": "UNAUTHENTICATED", "messages": []}).to_string();
    let url = canned(http(
        "401 Unauthorized",
        &["Content-Type: text/plain"],
        body.as_bytes(),
    ))
    .await;
    match login(&url).await {
        Err(session::Error::Unauthenticated(error)) => {
            assert_eq!(error.error_type, Some(ErrorType::Unauthenticated));
            assert!(error.messages.is_empty());
        }
        other => panic!("expected Unauthenticated, got {other:?}"),
    }
}

#[tokio::test]
async fn an_undocumented_success_status_is_unexpected() {
    // 200 instead of the documented 201, and a status no server should send.
    for status_line in ["200 OK", "299 Odd"] {
        let url = canned(http(status_line, &[JSON], br#""session-id""#)).await;
        let error = unexpected(login(&url).await);
        let status: u16 = status_line[..3].parse().expect("status");
        assert_eq!(error.status, Some(status));
        assert_eq!(error.message, "the body is not a vapi error");
    }
}

#[tokio::test]
async fn invalid_json_in_an_error_body_is_unexpected() {
    let url = canned(http(
        "401 Unauthorized",
        &[JSON],
        br#"{"error_type": "UNAUTHENTICATED", "messages": ["#,
    ))
    .await;
    let error = unexpected(login(&url).await);
    assert_eq!(error.status, Some(401));
    assert_eq!(error.message, "the body is not a vapi error");
}

#[tokio::test]
async fn an_error_body_of_the_wrong_shape_is_unexpected_naming_the_mismatch() {
    let body = json!({"error_type": "UNAUTHENTICATED", "messages": "not a list"}).to_string();
    let url = canned(http("401 Unauthorized", &[JSON], body.as_bytes())).await;
    let error = unexpected(login(&url).await);
    assert_eq!(error.status, Some(401));
    assert!(
        error
            .message
            .starts_with("the error body does not match its schema"),
        "{}",
        error.message
    );
}

#[tokio::test]
async fn non_utf8_bodies_and_headers_do_not_break_decoding() {
    let url = canned(http("201 Created", &[JSON], b"\"\xff\xfe\"")).await;
    let error = upload(&url).await;
    assert_eq!(error.status, Some(201));
    assert_eq!(error.body, b"\"\xff\xfe\"");
    assert!(error.message.contains("unicode"), "{}", error.message);

    // A header that is not UTF-8 is kept (lossily) beside a good error.
    let body = json!({"error_type": "UNAUTHENTICATED", "messages": []}).to_string();
    let mut response = http("401 Unauthorized", &[JSON, "X-Odd: \u{1}"], body.as_bytes());
    let at = response
        .windows(2)
        .position(|w| w == b"\x01\r")
        .expect("marker");
    response[at] = 0xff;
    let url = canned(response).await;
    assert!(matches!(
        login(&url).await,
        Err(session::Error::Unauthenticated(_))
    ));
}

#[tokio::test]
async fn a_connection_closed_mid_headers_is_a_transport_error() {
    let url = canned(&b"HTTP/1.1 201 Created\r\nContent-Ty"[..]).await;
    let error = unexpected(login(&url).await);
    assert_eq!(error.status, None);
    assert!(error.headers.is_empty() && error.body.is_empty());
    assert!(!error.message.is_empty());
    assert!(error.to_string().starts_with("request failed: "), "{error}");
}

#[tokio::test]
async fn garbage_instead_of_an_http_response_is_a_transport_error() {
    let url = canned(&b"SSH-2.0-OpenSSH_9.6\r\n"[..]).await;
    let error = unexpected(login(&url).await);
    assert_eq!(error.status, None);
    assert!(!error.message.is_empty());
}

#[tokio::test]
async fn broken_chunked_encoding_is_unexpected_with_the_status() {
    for body in [
        &b"zz\r\nnot hex\r\n0\r\n\r\n"[..],
        // A chunk that promises more than arrives before the connection closes.
        &b"10\r\n\"abc"[..],
    ] {
        let mut response =
            b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                .to_vec();
        response.extend_from_slice(body);
        let url = canned(response).await;
        let error = unexpected(login(&url).await);
        assert_eq!(error.status, Some(201), "{body:?}");
        assert!(!error.message.is_empty());
    }
}

#[tokio::test]
async fn a_short_body_against_its_content_length_is_unexpected() {
    let url = canned(
        &b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n\"abc"[..],
    )
    .await;
    let error = unexpected(login(&url).await);
    assert_eq!(error.status, Some(201));
    assert!(!error.message.is_empty());
}

#[tokio::test]
async fn a_stalled_body_times_out() {
    let url = serve(|mut stream| async move {
        read_request(&mut stream).await;
        let _ = stream
            .write_all(b"HTTP/1.1 201 Created\r\nContent-Length: 10\r\n\r\n\"ab")
            .await;
        tokio::time::sleep(Duration::from_secs(30)).await;
    })
    .await;
    let started = Instant::now();
    let result = Client::builder(&url)
        .timeout(Duration::from_millis(500))
        .build()
        .expect("client")
        .cis_session_create(session::Request::new())
        .await;
    let error = unexpected(result);
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(error.status, Some(201));
    assert!(error.message.contains("timed out"), "{}", error.message);
}

#[tokio::test]
async fn a_huge_streamed_body_is_cut_off_at_the_cap() {
    let written = Arc::new(AtomicUsize::new(0));
    let (done_tx, done_rx) = tokio::sync::oneshot::channel();
    let done_tx = Arc::new(std::sync::Mutex::new(Some(done_tx)));
    let counter = written.clone();
    let url = serve(move |mut stream| {
        let counter = counter.clone();
        let done_tx = done_tx.clone();
        async move {
            read_request(&mut stream).await;
            let head = b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
            if stream.write_all(head).await.is_ok() {
                // An endless JSON string, 1 MiB per chunk, until the client hangs up.
                let mut chunk = b"100000\r\n".to_vec();
                chunk.extend(std::iter::repeat_n(b'a', 1 << 20));
                chunk.extend_from_slice(b"\r\n");
                while stream.write_all(&chunk).await.is_ok() {
                    counter.fetch_add(1 << 20, Ordering::Relaxed);
                }
            }
            if let Some(tx) = done_tx.lock().expect("lock").take() {
                let _ = tx.send(());
            }
        }
    })
    .await;
    let error = unexpected(login(&url).await);
    assert_eq!(error.status, Some(201));
    assert_eq!(
        error.message,
        format!("response body larger than {MAX_RESPONSE_BYTES} bytes")
    );
    assert!(error.body.len() <= MAX_RESPONSE_BYTES);
    // The client hung up: the server stops, having sent not much more than the cap.
    tokio::time::timeout(Duration::from_secs(10), done_rx)
        .await
        .expect("the client closes the connection")
        .expect("server done");
    let sent = written.load(Ordering::Relaxed);
    assert!(
        sent < MAX_RESPONSE_BYTES + (16 << 20),
        "server sent {sent} bytes"
    );
}

#[tokio::test]
async fn a_content_length_over_the_cap_is_refused_before_reading() {
    // The server announces 1 TiB and then sends nothing: a client that tried to
    // read it would wait for the timeout instead.
    let url = serve(|mut stream| async move {
        read_request(&mut stream).await;
        let _ = stream
            .write_all(b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 1099511627776\r\n\r\n")
            .await;
        tokio::time::sleep(Duration::from_secs(30)).await;
    })
    .await;
    let started = Instant::now();
    let error = unexpected(login(&url).await);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(error.status, Some(201));
    assert!(error.body.is_empty());
    assert_eq!(
        error.message,
        format!(
            "response body larger than {MAX_RESPONSE_BYTES} bytes (Content-Length 1099511627776)"
        )
    );
}

#[tokio::test]
async fn deeply_nested_json_is_an_error_not_a_stack_overflow() {
    let deep = "[".repeat(100_000);
    let url = canned(http("201 Created", &[JSON], deep.as_bytes())).await;
    let error = upload(&url).await;
    assert_eq!(error.status, Some(201));
    assert_eq!(error.body.len(), 100_000);
    assert!(error.message.contains("invalid type"), "{}", error.message);

    let deep_error = format!(r#"{{"error_type": "ERROR", "messages": {deep}"#);
    let url = canned(http(
        "500 Internal Server Error",
        &[JSON],
        deep_error.as_bytes(),
    ))
    .await;
    let error = unexpected(login(&url).await);
    assert_eq!(error.status, Some(500));
    assert_eq!(error.message, "the body is not a vapi error");
}

fn transfer() -> transfers::Request {
    transfers::Request::new(transfers::RequestRequired { vm: "vm-1".to_owned(), body: serde_json::from_value::<vsphere_api::types::vcenter::vm::guest::filesystem::transfers::CreateBody>(
            json!({
                "credentials": {"interactive_session": false, "type": "USERNAME_PASSWORD", "user_name": "root", "password": "pw"},
                "spec": {"path": "/tmp/a"}
            }),
        )
        .expect("request body") })
}

#[tokio::test]
async fn unknown_fields_and_enum_values_are_kept() {
    let body = json!({
        "error_type": "ALREADY_EXISTS",
        "messages": [{"id": "x", "default_message": "exists", "args": [], "localized": "da", "future": 1}],
        "data": {"reason": "QUANTUM_ENTANGLED", "file_path": "/tmp/a", "inode": 42},
        "trace_id": "abc"
    })
    .to_string();
    let url = canned(http("400 Bad Request", &[JSON], body.as_bytes())).await;
    let result = client(&url)
        .vcenter_vm_guest_filesystem_transfers_create(transfer())
        .await;
    let error = match result {
        Err(transfers::Error::AlreadyExists(error)) => error,
        other => panic!("expected AlreadyExists, got {other:?}"),
    };
    let data = error.data.expect("data");
    assert_eq!(
        data.reason,
        ErrorReason::Unknown("QUANTUM_ENTANGLED".into())
    );
    assert_eq!(data.reason.as_str(), "QUANTUM_ENTANGLED");
    assert_eq!(data.additional_properties["inode"], json!(42));
    assert_eq!(error.additional_properties["trace_id"], json!("abc"));
    assert_eq!(error.messages[0].additional_properties["future"], json!(1));
}

#[tokio::test]
async fn an_unknown_error_type_is_other_with_its_status() {
    let body = json!({"error_type": "QUOTA_EXCEEDED", "messages": []}).to_string();
    let url = canned(http("429 Too Many Requests", &[JSON], body.as_bytes())).await;
    let result = client(&url)
        .vcenter_vm_guest_filesystem_transfers_create(transfer())
        .await;
    match result {
        Err(transfers::Error::Other { status, error }) => {
            assert_eq!(status, 429);
            assert_eq!(
                error.error_type,
                Some(ErrorType::Unknown("QUOTA_EXCEEDED".into()))
            );
        }
        other => panic!("expected Other, got {other:?}"),
    }
}

#[tokio::test]
async fn legacy_rest_bodies_without_their_envelope_are_unexpected() {
    let request = || {
        legacy::Request::new(legacy::RequestRequired {
            create_spec: serde_json::from_value::<
                vsphere_api::types::content::library::item::UpdateSessionModel,
            >(json!({"library_item_id": "item-1"}))
            .expect("model"),
        })
    };
    let cases: [(&str, &[u8], &str); 3] = [
        // The `/api` form where the `/rest` form belongs.
        ("200 OK", br#""session-1""#, "invalid type"),
        ("200 OK", br#"{"value": 5}"#, "invalid type"),
        (
            "500 Internal Server Error",
            br#"{"type": "com.vmware.vapi.std.errors.error", "value": "not an object"}"#,
            "the body is not a vapi error",
        ),
    ];
    for (status_line, body, message) in cases {
        let url = canned(http(status_line, &[JSON], body)).await;
        let result = client(&url)
            .content_library_item_update_session_create_rest(request())
            .await;
        match result {
            Err(legacy::Error::Unexpected(error)) => {
                assert!(error.message.contains(message), "{}", error.message);
                assert_eq!(error.body, body);
            }
            other => panic!("{status_line} {body:?}: expected Unexpected, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_redirect_is_not_followed_with_the_session_id() {
    // Where the redirect points: records whatever reaches it.
    let leaked = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let record = leaked.clone();
    let elsewhere = serve(move |mut stream| {
        let record = record.clone();
        async move {
            let head = read_request(&mut stream).await;
            record.lock().expect("lock").push(head);
            let _ = stream
                .write_all(&http("201 Created", &[JSON], br#""https://elsewhere/x""#))
                .await;
        }
    })
    .await;
    let redirect = format!("Location: {elsewhere}/steal");
    let url = canned(http("307 Temporary Redirect", &[&redirect], b"")).await;
    let client = client(&url).with_credentials(vsphere_api::wire::Auth::SessionId(
        vsphere_api::SecretString::new("secret-session"),
    ));
    let result = client
        .vcenter_vm_guest_filesystem_transfers_create(transfer())
        .await;
    match result {
        Err(transfers::Error::Unexpected(error)) => {
            assert_eq!(error.status, Some(307));
            assert_eq!(
                header(&error, "location"),
                Some(format!("{elsewhere}/steal").as_str())
            );
        }
        other => panic!("expected Unexpected 307, got {other:?}"),
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        leaked.lock().expect("lock").is_empty(),
        "the redirect was followed"
    );
}
