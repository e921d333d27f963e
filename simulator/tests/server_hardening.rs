//! The generated server stubs, hardened: authorization before the body is
//! parsed, a cap on the problems an answer lists, secrets never quoted, the
//! built-in session store, `RequestContext`, `Api` for `Arc<T>`, the
//! not-implemented answer, and `Server`'s timeouts and connection bound.
//! Generated client and raw HTTP against generated servers on loopback.

mod common;

use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use vsphere_api::client::Client;
use vsphere_api::operations::{
    cis_session_create as session, esx_settings_repository_software_drafts_create as drafts,
    vcenter_vm_guest_filesystem_transfers_create as transfers,
};
use vsphere_api::server::{
    Api, MAX_VIOLATIONS, MemorySessions, RequestContext, Server, SessionStore, router,
    router_with_sessions,
};
use vsphere_api::types::vapi::std::errors::ErrorType;
use vsphere_api::wire::{Auth, OperationInfo};
use vsphere_simulator::{ADMIN, PASSWORD, READONLY};

const SUBSCRIPTIONS: &str = "/api/content/library/lib-published/subscriptions";
const LEGACY_UPDATE_SESSION: &str = "/rest/com/vmware/content/library/item/update-session";
const TRANSFERS: &str = "/api/vcenter/vm/vm-1/guest/filesystem?action=create";

/// Status and JSON body of a raw request.
async fn post(
    base_url: &str,
    path: &str,
    user: Option<&str>,
    headers: &[(&str, &str)],
    body: String,
) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .post(format!("{base_url}{path}"))
        .header("Content-Type", "application/json")
        .body(body);
    if let Some(user) = user {
        request = request.basic_auth(user, Some(PASSWORD));
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("the server answers");
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, body)
}

fn first_message(body: &Value) -> &str {
    body["messages"][0]["default_message"]
        .as_str()
        .unwrap_or_default()
}

#[tokio::test]
async fn a_caller_without_the_privilege_gets_403_whatever_the_body() {
    let server = common::start().await;
    let bad_bodies = [
        "{not json".to_owned(),
        json!({"subscribed_library": 5}).to_string(),
        json!({"subscribed_library": {"target": "NOPE", "location": "LOCAL"}}).to_string(),
        String::new(),
    ];
    for body in &bad_bodies {
        let (status, answer) = post(
            &server.base_url,
            SUBSCRIPTIONS,
            Some(READONLY),
            &[],
            body.clone(),
        )
        .await;
        assert_eq!(status, 403, "{body}: {answer}");
        assert_eq!(answer["error_type"], "UNAUTHORIZED");
        // The object comes from the path, not from the (unparsed) body.
        assert!(first_message(&answer).contains("lib-published"), "{answer}");
        // The administrator, who may call it, is told what is wrong.
        let (status, answer) = post(
            &server.base_url,
            SUBSCRIPTIONS,
            Some(ADMIN),
            &[],
            body.clone(),
        )
        .await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert_eq!(answer["error_type"], "INVALID_ARGUMENT");
    }
    // The legacy form: the object is a property of an envelope argument,
    // read from the raw body although another property does not validate.
    let body = json!({"create_spec": {"library_item_id": "item-9", "warning_behavior": 7}});
    let (status, answer) = post(
        &server.base_url,
        LEGACY_UPDATE_SESSION,
        Some(READONLY),
        &[],
        body.to_string(),
    )
    .await;
    assert_eq!(status, 403, "{answer}");
    assert_eq!(answer["type"], "com.vmware.vapi.std.errors.unauthorized");
    assert!(
        first_message(&answer["value"]).contains("item-9"),
        "{answer}"
    );
    // Unauthenticated still comes first.
    let (status, _) = post(&server.base_url, SUBSCRIPTIONS, None, &[], "{".into()).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn an_answer_lists_at_most_the_cap_of_problems() {
    let server = common::start().await;
    for items in [MAX_VIOLATIONS + 1, 37_000] {
        let backings = vec![json!({"type": "NOT_A_TYPE"}); items];
        let body = json!({"subscribed_library": {
            "target": "CREATE_NEW", "location": "LOCAL",
            "new_subscribed_library": {"name": "m", "storage_backings": backings,
                "automatic_sync_enabled": true, "on_demand": true}}});
        let (status, answer) = post(
            &server.base_url,
            SUBSCRIPTIONS,
            Some(ADMIN),
            &[],
            body.to_string(),
        )
        .await;
        assert_eq!(status, 400, "{answer}");
        let messages = answer["messages"].as_array().expect("messages");
        assert_eq!(
            messages.len(),
            MAX_VIOLATIONS + 1,
            "the kept ones and a count"
        );
        let more = items - MAX_VIOLATIONS;
        assert_eq!(
            messages[MAX_VIOLATIONS]["default_message"],
            format!("and {more} more problems")
        );
        assert!(
            messages[0]["default_message"]
                .as_str()
                .unwrap_or_default()
                .contains("storage_backings[0].type"),
            "{}",
            messages[0]
        );
        assert!(answer.to_string().len() < 16 << 10, "a small answer");
    }
}

#[tokio::test]
async fn a_secret_field_s_value_is_never_quoted() {
    let server = common::start().await;
    for password in [
        json!(12345678),
        json!(["hunter2"]),
        json!({"p": "hunter2"}),
        json!(true),
    ] {
        let body = json!({
            "credentials": {"interactive_session": false, "type": "USERNAME_PASSWORD",
                "user_name": "root", "password": password},
            "spec": {"path": "/tmp/a"}
        });
        let (status, answer) = post(
            &server.base_url,
            TRANSFERS,
            Some(ADMIN),
            &[],
            body.to_string(),
        )
        .await;
        assert_eq!(status, 400, "{answer}");
        let text = answer.to_string();
        assert!(
            !text.contains("12345678") && !text.contains("hunter2"),
            "{text}"
        );
        assert!(text.contains("credentials.password"), "{text}");
        assert!(text.contains("secret"), "{text}");
    }
}

/// A fake that only checks passwords, counts how often it is asked, and
/// implements nothing else: the router's sessions and defaults do the rest.
#[derive(Default)]
struct PasswordsOnly {
    authentications: AtomicUsize,
}

impl Api for PasswordsOnly {
    type Principal = String;

    async fn authenticate(&self, credentials: &Auth, _: &OperationInfo) -> Option<String> {
        self.authentications.fetch_add(1, Ordering::SeqCst);
        match credentials {
            Auth::Basic { user, password } if password.expose_secret() == PASSWORD => {
                Some(user.clone())
            }
            _ => None,
        }
    }

    async fn authorize(&self, _: &String, _: &OperationInfo, _: Option<&str>) -> bool {
        true
    }
}

/// Serves `app` with [`Server`] on loopback; returns its base URL.
async fn serve(app: axum::Router, configure: impl FnOnce(Server) -> Server) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let server = configure(Server::from_listener(listener));
    let address = server.local_addr().expect("address");
    tokio::spawn(server.serve(app));
    format!("http://{address}")
}

fn drafts_request() -> drafts::Request {
    drafts::Request::new(drafts::RequestRequired {
        body: vsphere_api::types::esx::settings::repository::software::drafts::CreateSpec::default(
        ),
    })
}

#[tokio::test]
async fn the_router_issues_and_accepts_sessions_for_a_fake_that_only_checks_passwords() {
    let fake = Arc::new(PasswordsOnly::default());
    let base_url = serve(router(Arc::clone(&fake)), |server| server).await;
    let anonymous = Client::new(&base_url).expect("client");

    let client = anonymous.login(ADMIN, PASSWORD).await.expect("login");
    assert_eq!(fake.authentications.load(Ordering::SeqCst), 1);
    // The next call is authenticated by the session (the fake is not asked
    // again) and reaches the operation, which this fake does not implement.
    let error = client
        .esx_settings_repository_software_drafts_create(drafts_request())
        .await
        .expect_err("not implemented");
    assert_eq!(fake.authentications.load(Ordering::SeqCst), 1);
    assert!(
        matches!(error, drafts::Error::Other { status: 500, .. }),
        "{error:?}"
    );
    assert_eq!(error.error_type(), Some(ErrorType::InternalServerError));
    assert!(
        error.to_string().contains("not implemented by this server"),
        "{error}"
    );

    // Each session create issues another random 128-bit id.
    let basic = anonymous.with_credentials(Auth::Basic {
        user: ADMIN.into(),
        password: PASSWORD.into(),
    });
    let first = basic
        .cis_session_create(session::Request::new())
        .await
        .expect("session");
    let second = basic
        .cis_session_create(session::Request::new())
        .await
        .expect("session");
    for id in [&first, &second] {
        assert_eq!(id.expose_secret().len(), 32);
        assert!(id.expose_secret().bytes().all(|b| b.is_ascii_hexdigit()));
    }
    assert_ne!(first, second);

    // A session id the router did not issue goes to the fake, which refuses it.
    let forged = anonymous.with_session("0123456789abcdef0123456789abcdef");
    let error = forged
        .esx_settings_repository_software_drafts_create(drafts_request())
        .await
        .expect_err("unauthenticated");
    assert_eq!(error.status(), 401);
    assert_eq!(error.error_type(), Some(ErrorType::Unauthenticated));
    // A wrong password gets no session.
    let error = anonymous.login(ADMIN, "wrong").await.expect_err("refused");
    assert!(
        matches!(error, session::Error::Unauthenticated(_)),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_replaced_session_store_is_the_one_used() {
    let sessions = Arc::new(MemorySessions::<String>::new());
    let app = router_with_sessions(
        PasswordsOnly::default(),
        Arc::clone(&sessions) as Arc<dyn SessionStore<String>>,
    );
    let base_url = serve(app, |server| server).await;
    let anonymous = Client::new(&base_url).expect("client");
    let basic = anonymous.with_credentials(Auth::Basic {
        user: ADMIN.into(),
        password: PASSWORD.into(),
    });
    let id = basic
        .cis_session_create(session::Request::new())
        .await
        .expect("session");
    assert_eq!(sessions.len(), 1);
    assert_eq!(
        sessions.find(id.expose_secret()).as_deref(),
        Some(&ADMIN.to_owned())
    );
    let client = anonymous.with_session(id.clone());
    let not_implemented = client
        .esx_settings_repository_software_drafts_create(drafts_request())
        .await
        .expect_err("not implemented");
    assert_eq!(not_implemented.status(), 500);
    // Ended in the store: the session no longer works.
    assert!(sessions.delete(id.expose_secret()));
    let error = client
        .esx_settings_repository_software_drafts_create(drafts_request())
        .await
        .expect_err("unauthenticated");
    assert_eq!(error.status(), 401);
}

/// A tag middleware puts in the request's extensions.
#[derive(Clone)]
struct Region(&'static str);

/// A fake whose principal is a header the spec does not name, plus an
/// extension; its transfer URL names the principal.
struct Tenants;

impl Api for Tenants {
    type Principal = String;

    async fn authenticate(&self, _: &Auth, _: &OperationInfo) -> Option<String> {
        None
    }

    async fn authenticate_request(
        &self,
        request: &RequestContext<'_>,
        _: &OperationInfo,
    ) -> Option<String> {
        let tenant = request.header("x-tenant")?;
        let region = request.extensions().get::<Region>()?;
        matches!(request.credentials(), Auth::Basic { .. })
            .then(|| format!("{tenant}@{}", region.0))
    }

    async fn authorize(&self, _: &String, _: &OperationInfo, _: Option<&str>) -> bool {
        true
    }

    async fn vcenter_vm_guest_filesystem_transfers_create(
        &self,
        principal: &String,
        request: transfers::Request,
    ) -> Result<transfers::Response, transfers::Error> {
        match request.vm.as_str() {
            // Typed errors in one call each.
            "vm-busy" => Err(transfers::Error::with_message(
                ErrorType::ResourceBusy,
                "com.example.busy",
                "another transfer is running",
            )),
            "vm-changed" => Err(transfers::Error::with_message(
                ErrorType::ConcurrentChange,
                "com.example.changed",
                "the VM changed meanwhile",
            )),
            vm => Ok(format!("https://*/transfer/{vm}/{principal}")),
        }
    }
}

#[tokio::test]
async fn authenticate_request_sees_every_header_and_the_extensions() {
    let app = router(Tenants).layer(axum::Extension(Region("eu")));
    let base_url = serve(app, |server| server).await;
    let body = json!({
        "credentials": {"interactive_session": false, "type": "USERNAME_PASSWORD",
            "user_name": "root", "password": "pw"},
        "spec": {"path": "/tmp/a"}
    })
    .to_string();
    let (status, answer) = post(
        &base_url,
        TRANSFERS,
        Some(ADMIN),
        &[("X-Tenant", "blue")],
        body.clone(),
    )
    .await;
    assert_eq!(status, 201, "{answer}");
    assert_eq!(answer, "https://*/transfer/vm-1/blue@eu");
    let (status, answer) = post(&base_url, TRANSFERS, Some(ADMIN), &[], body).await;
    assert_eq!(status, 401, "{answer}");
}

#[tokio::test]
async fn a_typed_error_is_one_call() {
    let app = router(Tenants).layer(axum::Extension(Region("eu")));
    let base_url = serve(app, |server| server).await;
    let body = json!({
        "credentials": {"interactive_session": false, "type": "USERNAME_PASSWORD",
            "user_name": "root", "password": "pw"},
        "spec": {"path": "/tmp/a"}
    })
    .to_string();
    let path = |vm: &str| format!("/api/vcenter/vm/{vm}/guest/filesystem?action=create");
    // Documented for the operation: its variant's status and type.
    let (status, answer) = post(
        &base_url,
        &path("vm-busy"),
        Some(ADMIN),
        &[("X-Tenant", "t")],
        body.clone(),
    )
    .await;
    assert_eq!(status, 500, "{answer}");
    assert_eq!(answer["error_type"], "RESOURCE_BUSY");
    assert_eq!(first_message(&answer), "another transfer is running");
    assert_eq!(answer["messages"][0]["id"], "com.example.busy");
    // Not documented: the status the vAPI mapping gives the type.
    let (status, answer) = post(
        &base_url,
        &path("vm-changed"),
        Some(ADMIN),
        &[("X-Tenant", "t")],
        body,
    )
    .await;
    assert_eq!(status, 409, "{answer}");
    assert_eq!(answer["error_type"], "CONCURRENT_CHANGE");
}

/// Reads from `stream` until the server closes it (`true`), or `limit` passes.
async fn until_closed(stream: &mut TcpStream, limit: Duration) -> bool {
    let mut buffer = [0u8; 1024];
    loop {
        match tokio::time::timeout(limit, stream.read(&mut buffer)).await {
            Ok(Ok(0) | Err(_)) => return true,
            Ok(Ok(_)) => continue,
            Err(_) => return false,
        }
    }
}

#[tokio::test]
async fn slow_headers_are_cut_off_after_the_header_timeout() {
    let timeout = Duration::from_millis(300);
    let base_url = serve(router(PasswordsOnly::default()), |server| {
        server.header_timeout(timeout)
    })
    .await;
    let address = base_url.trim_start_matches("http://");
    // Half a request, then nothing; and a connection that sends nothing at all.
    let connected = Instant::now();
    let mut half = TcpStream::connect(address).await.expect("connect");
    half.write_all(b"POST /api/session HTTP/1.1\r\nHost: x\r\n")
        .await
        .expect("write");
    let mut silent = TcpStream::connect(address).await.expect("connect");
    for stream in [&mut half, &mut silent] {
        let closed = until_closed(stream, Duration::from_secs(20)).await;
        assert!(closed, "the server closes a slow connection");
        let after = connected.elapsed();
        assert!(after >= timeout - Duration::from_millis(50), "{after:?}");
    }
}

#[tokio::test]
async fn a_body_not_received_in_time_is_answered_400() {
    let base_url = serve(router(PasswordsOnly::default()), |server| {
        server.body_timeout(Duration::from_millis(300))
    })
    .await;
    let mut stream = TcpStream::connect(base_url.trim_start_matches("http://"))
        .await
        .expect("connect");
    stream
        .write_all(b"POST /api/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"a\":")
        .await
        .expect("write");
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(20), stream.read_to_end(&mut answer)).await;
    assert!(read.is_ok(), "the server answers in time");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(
        answer.contains("INVALID_ARGUMENT") && answer.contains("in time"),
        "{answer}"
    );
}

#[tokio::test]
async fn connections_beyond_the_bound_wait_until_one_closes() {
    let header_timeout = Duration::from_millis(500);
    let base_url = serve(router(PasswordsOnly::default()), |server| {
        server.max_connections(2).header_timeout(header_timeout)
    })
    .await;
    let address = base_url.trim_start_matches("http://").to_owned();
    // Served at once while there is room (the client, and the connection
    // it keeps alive, are gone afterwards).
    let client = Client::new(&base_url).expect("client");
    client.login(ADMIN, PASSWORD).await.expect("login");
    drop(client);
    tokio::time::sleep(Duration::from_millis(100)).await;
    // Two idle connections take every slot ...
    let mut idle = [
        TcpStream::connect(&address).await.expect("connect"),
        TcpStream::connect(&address).await.expect("connect"),
    ];
    tokio::time::sleep(Duration::from_millis(50)).await;
    // ... so a new client waits until the header timeout closes one of
    // them, and is then served.
    let other = Client::new(&base_url).expect("client");
    let started = Instant::now();
    other
        .login(ADMIN, PASSWORD)
        .await
        .expect("login after waiting");
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(200),
        "served after {waited:?}: it did not wait for a slot"
    );
    let mut closed = 0;
    for stream in &mut idle {
        if until_closed(stream, Duration::from_millis(20)).await {
            closed += 1;
        }
    }
    assert!(closed >= 1, "served while both idle connections were open");
}
