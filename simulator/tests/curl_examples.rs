//! Every curl command on the generated reference pages succeeds against the
//! simulator: each is split as a shell would, its method, URL, headers,
//! credentials and body are sent with reqwest (curl itself is not needed),
//! and the answer must be a 2xx.

use std::path::Path;
use vsphere_simulator::{ADMIN, PASSWORD, Simulator};

/// The curl commands in the ```sh blocks of the operation pages, with their page.
fn curl_commands() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../generated/docs/operations");
    let mut commands = Vec::new();
    let mut pages: Vec<_> = std::fs::read_dir(&dir)
        .expect("read the operation pages")
        .map(|entry| entry.expect("entry").path())
        .collect();
    pages.sort();
    for page in pages {
        let text = std::fs::read_to_string(&page).expect("read page");
        let name = page
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        let mut rest = text.as_str();
        while let Some(start) = rest.find("```sh\n") {
            rest = &rest[start + "```sh\n".len()..];
            let end = rest.find("\n```").expect("a closed block");
            let block = &rest[..end];
            if block.starts_with("curl ") {
                commands.push((name.clone(), block.replace(" \\\n", " ")));
            }
            rest = &rest[end..];
        }
    }
    commands
}

/// A curl command's request.
#[derive(Debug, Default)]
struct Request {
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    basic: Option<(String, String)>,
    body: Option<String>,
}

/// Reads the curl options the pages use (-X, -H, -u, -d, the URL); any
/// other option fails the test, so a page cannot use one this test ignores.
fn parse(command: &str, variables: &[(&str, &str)]) -> Request {
    let expand = |word: &str| {
        variables
            .iter()
            .fold(word.to_owned(), |word, (name, value)| {
                word.replace(name, value)
            })
    };
    let words = shlex::split(command).unwrap_or_else(|| panic!("not shell words: {command}"));
    let mut words = words.iter().map(|word| expand(word));
    assert_eq!(words.next().as_deref(), Some("curl"));
    let mut request = Request {
        method: "GET".into(),
        ..Request::default()
    };
    while let Some(word) = words.next() {
        let mut value = || {
            words
                .next()
                .unwrap_or_else(|| panic!("{word} needs a value"))
        };
        match word.as_str() {
            "-X" => request.method = value(),
            "-H" => {
                let header = value();
                let (name, value) = header.split_once(": ").expect("Name: value");
                request.headers.push((name.to_owned(), value.to_owned()));
            }
            "-u" => {
                let credentials = value();
                let (user, password) = credentials.split_once(':').expect("user:password");
                request.basic = Some((user.to_owned(), password.to_owned()));
            }
            "-d" => request.body = Some(value()),
            url if !url.starts_with('-') => request.url = url.to_owned(),
            other => panic!("an option this test does not read: {other}"),
        }
    }
    request
}

/// A fresh session id, as `POST /api/session` gives it to curl users.
async fn session(base_url: &str) -> String {
    let answer = reqwest::Client::new()
        .post(format!("{base_url}/api/session"))
        .basic_auth(ADMIN, Some(PASSWORD))
        .send()
        .await
        .expect("login");
    let body = answer.text().await.expect("body");
    serde_json::from_str(&body).expect("a JSON string")
}

#[tokio::test]
async fn every_curl_example_succeeds_against_the_simulator() {
    let running = vsphere_simulator::start(Simulator::with_demo_data())
        .await
        .expect("start");
    let commands = curl_commands();
    let pages = std::fs::read_dir(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../generated/docs/operations"
    ))
    .expect("read")
    .count();
    assert_eq!(commands.len(), pages, "one curl example per operation page");
    let http = reqwest::Client::new();
    for (page, command) in commands {
        // Each command gets its own session: the logout examples end theirs.
        let session = session(&running.base_url).await;
        let request = parse(
            &command,
            &[
                ("$USER", ADMIN),
                ("$PASSWORD", PASSWORD),
                ("$SESSION", &session),
            ],
        );
        let url = request
            .url
            .replace("https://vcenter.example.com", &running.base_url);
        assert_ne!(
            url, request.url,
            "{page}: the URL is on the documented server"
        );
        let method = reqwest::Method::from_bytes(request.method.as_bytes()).expect("a method");
        let mut builder = http.request(method, &url);
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        if let Some((user, password)) = &request.basic {
            builder = builder.basic_auth(user, Some(password));
        }
        if let Some(body) = request.body {
            builder = builder.body(body);
        }
        let answer = builder.send().await.expect("an answer");
        let status = answer.status();
        let body = answer.text().await.unwrap_or_default();
        assert!(
            status.is_success(),
            "{page}: `{command}` answered {status}: {body}"
        );
    }
}
