//! A raw TCP server for client tests: it records each request's head and
//! answers with canned bytes, so a test sees exactly what went on the wire
//! and controls exactly what comes back.
// Each test file uses a different part of this module.
#![allow(dead_code)]

use std::sync::{Arc, Mutex, PoisonError};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A canned server on loopback.
pub struct Canned {
    /// Its base URL, `http://127.0.0.1:PORT`.
    pub base_url: String,
    heads: Arc<Mutex<Vec<String>>>,
}

impl Canned {
    /// The heads (request line and headers) of the requests received so far.
    pub fn heads(&self) -> Vec<String> {
        self.heads
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The request lines (`POST /path HTTP/1.1`) received so far.
    pub fn request_lines(&self) -> Vec<String> {
        self.heads()
            .iter()
            .map(|head| head.lines().next().unwrap_or_default().to_owned())
            .collect()
    }
}

/// Starts a server that answers every request with `response`, then closes.
pub async fn canned(response: impl Into<Vec<u8>>) -> Canned {
    let response: Arc<Vec<u8>> = Arc::new(response.into());
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    let heads = Arc::new(Mutex::new(Vec::new()));
    let recorded = Arc::clone(&heads);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let response = Arc::clone(&response);
            let recorded = Arc::clone(&recorded);
            tokio::spawn(async move {
                let head = read_request(&mut stream).await;
                recorded
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(head);
                let _ = stream.write_all(&response).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    Canned {
        base_url: format!("http://{address}"),
        heads,
    }
}

/// A response with a `Content-Length` that matches `body`.
pub fn http(status_line: &str, headers: &[&str], body: &[u8]) -> Vec<u8> {
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

/// `Content-Type: application/json`.
pub const JSON: &str = "Content-Type: application/json";

/// Reads one request (headers and a `Content-Length` body); returns its head.
pub async fn read_request(stream: &mut TcpStream) -> String {
    let mut data = Vec::new();
    let mut buffer = [0u8; 4096];
    let head_end = loop {
        if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break end + 4;
        }
        match stream.read(&mut buffer).await {
            Ok(0) | Err(_) => return String::from_utf8_lossy(&data).into_owned(),
            Ok(n) => data.extend_from_slice(&buffer[..n]),
        }
    };
    let head = String::from_utf8_lossy(&data[..head_end]).into_owned();
    let length: usize = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0);
    while data.len() < head_end + length {
        match stream.read(&mut buffer).await {
            Ok(0) | Err(_) => break,
            Ok(n) => data.extend_from_slice(&buffer[..n]),
        }
    }
    head
}
