//! List query parameters travel in vSphere's form, OpenAPI's default for
//! the query (`style: form`, `explode: true`): the name repeated,
//! `?names=x&names=y` (VMware's specs set no other style). The runtime's
//! client sends it and the runtime's server reads it, and the server reads
//! what other clients send the same way. The curated spec has no query
//! parameter, so the operation is written here as generated code would write
//! it, and served over a loopback socket.

use axum::extract::{Request, State};
use axum::response::Response;
use serde_json::Value;
use std::sync::Arc;
use vapigen_runtime::client::Client;
use vapigen_runtime::server::{
    Format, Gate, Handle, Incoming, MemorySessions, ParseRequest, Parser, PathParameters, Served,
    Server, serve,
};
use vapigen_runtime::wire::{
    self, Auth, ErrorCase, ErrorView, Operation, OperationError, OperationInfo, Outgoing,
    Unexpected, WireForm,
};

/// `GET /api/things?names=..&ids=..`: answers what it received, in order.
struct Things;

#[derive(Clone, Debug, Default, PartialEq)]
struct ThingsRequest {
    names: Option<Vec<String>>,
    ids: Vec<i64>,
}

#[derive(Debug)]
enum ThingsError {
    Other { status: u16, error: Value },
    Unexpected(Unexpected),
}

impl OperationError for ThingsError {
    type Other = Value;
    type ErrorType = String;
    type Message = Value;
    const WIRE: WireForm = WireForm::Api;
    const CASES: &'static [ErrorCase] = &[];

    fn decode_case(case: &str, _value: Value) -> Result<Self, String> {
        wire::no_such_case(case)
    }

    fn other(status: u16, error: Value) -> Self {
        ThingsError::Other { status, error }
    }

    fn unexpected(unexpected: Unexpected) -> Self {
        ThingsError::Unexpected(unexpected)
    }

    fn view(&self) -> ErrorView<'_, Value> {
        match self {
            ThingsError::Other { status, error } => ErrorView::Other(*status, error),
            ThingsError::Unexpected(unexpected) => ErrorView::Unexpected(unexpected),
        }
    }
}

impl Operation for Things {
    type Request = ThingsRequest;
    type Response = Vec<String>;
    type Error = ThingsError;
    const INFO: OperationInfo = OperationInfo {
        operation_id: "Test.Things_list",
        method: "GET",
        path: "/api/things",
        fixed_query: &[],
        privileges: &[],
        privilege_scope: None,
        security: &[],
        wire: WireForm::Api,
        client_token: None,
    };

    fn encode_request(request: &ThingsRequest, outgoing: &mut Outgoing) {
        outgoing.query("names", &request.names);
        outgoing.query("ids", &request.ids);
    }

    fn decode_response(status: u16, body: &[u8]) -> Option<Result<Vec<String>, String>> {
        wire::decode_success(status, 200, body, WireForm::Api)
    }

    fn encode_response(response: &Vec<String>) -> (u16, Option<Value>) {
        (200, Some(wire::encode_success(response, WireForm::Api)))
    }
}

impl ParseRequest for Things {
    fn parse(parser: &mut Parser<'_>) -> Option<ThingsRequest> {
        let names = parser.query("names", false, Format::Plain);
        let ids = parser.query("ids", true, Format::Plain);
        Some(ThingsRequest { names, ids: ids? })
    }
}

/// A server that lets everyone in.
struct Open;

impl Gate for Open {
    type Principal = ();

    async fn authenticate(&self, _: &Auth, _: &OperationInfo) -> Option<()> {
        Some(())
    }

    async fn authorize(&self, _: &(), _: &OperationInfo, _: Option<&str>) -> bool {
        true
    }

    fn challenge(&self) -> String {
        "Basic".into()
    }
}

impl Handle<Open> for Things {
    async fn handle(_: &Open, _: &(), request: ThingsRequest) -> Result<Vec<String>, ThingsError> {
        let names = request.names.unwrap_or_default().into_iter();
        let ids = request.ids.iter().map(|id| format!("id {id}"));
        Ok(names
            .map(|name| format!("name {name}"))
            .chain(ids)
            .collect())
    }
}

async fn route(
    State(served): State<Arc<Served<Open>>>,
    path: PathParameters,
    request: Request,
) -> Response {
    match Incoming::read(path, request).await {
        Ok(incoming) => serve::<Open, Things>(&served, incoming).await,
        Err(response) => response,
    }
}

async fn start() -> String {
    let served = Arc::new(Served {
        api: Open,
        sessions: Arc::new(MemorySessions::new()),
    });
    let app = axum::Router::new()
        .route("/api/things", axum::routing::get(route))
        .with_state(served);
    let server = Server::bind("127.0.0.1:0").await.expect("bind");
    let address = server.local_addr().expect("address");
    tokio::spawn(server.serve(app));
    format!("http://{address}")
}

#[tokio::test]
async fn the_client_sends_lists_as_repeated_names_and_the_server_reads_them() {
    let base_url = start().await;
    let client = Client::new(&base_url).expect("client");
    let request = ThingsRequest {
        names: Some(vec!["x".into(), "y, z".into(), "".into()]),
        ids: vec![3, 1],
    };
    let answer = client.call::<Things>(&request).await.expect("answered");
    assert_eq!(answer, ["name x", "name y, z", "name ", "id 3", "id 1"]);
    // One value is a list of one; an unset optional list is absent.
    let request = ThingsRequest {
        names: None,
        ids: vec![7],
    };
    let answer = client.call::<Things>(&request).await.expect("answered");
    assert_eq!(answer, ["id 7"]);
}

/// Status and body of a raw `GET /api/things?query`.
async fn raw(base_url: &str, query: &str) -> (u16, Value) {
    let response = reqwest::get(format!("{base_url}/api/things?{query}"))
        .await
        .expect("answered");
    let status = response.status().as_u16();
    let body = serde_json::from_slice(&response.bytes().await.expect("body")).expect("JSON");
    (status, body)
}

#[tokio::test]
async fn the_server_reads_what_other_clients_send() {
    let base_url = start().await;
    // Interleaved with other parameters, percent-encoded, `+` for a space.
    let (status, body) = raw(&base_url, "names=a&ids=2&names=b%26c&names=d+e&ids=4").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        serde_json::json!(["name a", "name b&c", "name d e", "id 2", "id 4"])
    );
    // A list element that does not fit its type is named; so is a missing list.
    let (status, body) = raw(&base_url, "ids=2&ids=many").await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["data"]["primary"], "ids");
    assert!(body.to_string().contains("many"), "{body}");
    let (status, body) = raw(&base_url, "names=a").await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["data"]["primary"], "ids");
    // A JSON array in one value is not vSphere's form.
    let (status, _) = raw(&base_url, "ids=%5B1%2C2%5D").await;
    assert_eq!(status, 400);
}
