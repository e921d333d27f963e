//! The runtime every generated crate carries: the source text of the
//! `vapigen-runtime` crate (`runtime/src/`), embedded at build time and
//! written as the generated crate's `src/runtime/` module, as progenitor's
//! client code and smithy-rs's `inlineable` files are. The runtime is
//! compiled, linted and tested as a crate of its own; here it is only text.
//!
//! The files name no generated crate (they refer to each other as
//! `crate::runtime::...`), so nothing is substituted but the preamble.

use super::Files;

/// One runtime file: its name under `src/runtime/`, the feature it needs, its text.
struct RuntimeFile {
    name: &'static str,
    feature: Option<&'static str>,
    text: &'static str,
}

const FILES: &[RuntimeFile] = &[
    RuntimeFile {
        name: "secret.rs",
        feature: None,
        text: include_str!("../../../runtime/src/secret.rs"),
    },
    RuntimeFile {
        name: "wire.rs",
        feature: None,
        text: include_str!("../../../runtime/src/wire.rs"),
    },
    RuntimeFile {
        name: "client.rs",
        feature: Some("client"),
        text: include_str!("../../../runtime/src/client.rs"),
    },
    RuntimeFile {
        name: "retry.rs",
        feature: Some("client"),
        text: include_str!("../../../runtime/src/retry.rs"),
    },
    RuntimeFile {
        name: "listener.rs",
        feature: Some("server"),
        text: include_str!("../../../runtime/src/listener.rs"),
    },
    RuntimeFile {
        name: "task.rs",
        feature: Some("client"),
        text: include_str!("../../../runtime/src/task.rs"),
    },
    RuntimeFile {
        name: "server.rs",
        feature: Some("server"),
        text: include_str!("../../../runtime/src/server.rs"),
    },
];

/// `src/runtime/mod.rs` and the runtime's files, each after `preamble`.
/// Client and server support are there even without operations: the
/// features exist in every crate, and the types' validation needs the server's.
pub fn runtime_files(preamble: &str) -> Files {
    let included: Vec<&RuntimeFile> = FILES.iter().collect();
    let mut files = Files::new();
    let mut module = format!(
        "{preamble}\n//! The vapigen runtime: what every operation shares, written once.\n//! Not public API: generated code calls it, and the public parts are\n//! re-exported where users find them (`wire`, `client`, `server`).\n\n"
    );
    for file in &included {
        let name = file.name.trim_end_matches(".rs");
        if let Some(feature) = file.feature {
            module.push_str(&format!("#[cfg(feature = \"{feature}\")]\n"));
        }
        module.push_str(&format!("pub mod {name};\n"));
        files.insert(
            format!("src/runtime/{}", file.name),
            format!("{preamble}\n{}\n", without_tests(file.text).trim_end()),
        );
    }
    files.insert("src/runtime/mod.rs".to_owned(), module);
    files
}

/// The runtime file without its unit tests (the last `#[cfg(test)]` modules):
/// they test the runtime crate, and would be dead weight in every generated one.
fn without_tests(text: &str) -> &str {
    match text.find("\n#[cfg(test)]\nmod ") {
        Some(end) => &text[..=end],
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtime_files_are_embedded_without_their_tests() {
        let files = runtime_files("// preamble\n");
        let names: Vec<&str> = files.keys().map(String::as_str).collect();
        assert_eq!(
            names,
            [
                "src/runtime/client.rs",
                "src/runtime/listener.rs",
                "src/runtime/mod.rs",
                "src/runtime/retry.rs",
                "src/runtime/secret.rs",
                "src/runtime/server.rs",
                "src/runtime/task.rs",
                "src/runtime/wire.rs"
            ]
        );
        for (name, text) in &files {
            assert!(text.starts_with("// preamble\n"), "{name}");
            assert!(!text.contains("#[cfg(test)]"), "{name} keeps its tests");
        }
        assert!(files["src/runtime/wire.rs"].contains("pub trait OperationError"));
    }

    #[test]
    fn client_and_server_support_are_behind_their_features() {
        let module = &runtime_files("")["src/runtime/mod.rs"];
        assert!(module.contains("#[cfg(feature = \"server\")]\npub mod server;"));
        assert!(module.contains("#[cfg(feature = \"client\")]\npub mod client;"));
    }
}
