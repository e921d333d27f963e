//! The generated reference pages cannot drift from the code: every relative
//! link resolves, and every JSON example deserializes into the type it
//! documents and serializes back unchanged.

use std::path::{Path, PathBuf};

/// The generated crate `vsphere-api`, beside this one.
fn generated() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../generated")
}

fn pages() -> Vec<PathBuf> {
    let mut pages = Vec::new();
    let mut stack = vec![generated().join("docs")];
    while let Some(dir) = stack.pop() {
        for entry in
            std::fs::read_dir(&dir).unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
        {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                pages.push(path);
            }
        }
    }
    pages.sort();
    pages
}

/// Targets of Markdown links `[text](target)` in `text`.
fn links(text: &str) -> Vec<String> {
    let mut targets = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("](") {
        rest = &rest[start + 2..];
        if let Some(end) = rest.find(')') {
            targets.push(rest[..end].to_owned());
            rest = &rest[end..];
        }
    }
    targets
}

#[test]
fn every_relative_link_resolves() {
    let mut checked = 0;
    for page in pages() {
        let text = std::fs::read_to_string(&page).expect("read page");
        for target in links(&text) {
            if target.contains("://") || target.starts_with('#') || target.starts_with("mailto:") {
                continue;
            }
            let file = target.split('#').next().unwrap_or_default();
            let resolved = page.parent().expect("page dir").join(file);
            assert!(
                resolved.exists(),
                "{}: broken link `{target}`",
                page.display()
            );
            checked += 1;
        }
    }
    assert!(
        checked > 100,
        "expected the pages to link to each other, checked {checked}"
    );
}

/// A legacy `/rest` example as the `/api` form writes it: every list of
/// `{"key", "value"}` entries (how that form sends a map) becomes an object.
fn maps_as_objects(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Array(items)
            if !items.is_empty()
                && items.iter().all(|item| {
                    item.as_object().is_some_and(|entry| {
                        entry.len() == 2
                            && entry.get("key").is_some_and(Value::is_string)
                            && entry.contains_key("value")
                    })
                }) =>
        {
            let mut map = serde_json::Map::new();
            for mut item in items {
                let key = item["key"].as_str().unwrap_or_default().to_owned();
                map.insert(key, maps_as_objects(item["value"].take()));
            }
            Value::Object(map)
        }
        Value::Array(items) => Value::Array(items.into_iter().map(maps_as_objects).collect()),
        Value::Object(fields) => Value::Object(
            fields
                .into_iter()
                .map(|(key, value)| (key, maps_as_objects(value)))
                .collect(),
        ),
        other => other,
    }
}

#[test]
fn every_json_example_is_its_type() {
    let mut checked = 0;
    let mut legacy = 0;
    for page in pages() {
        let text = std::fs::read_to_string(&page).expect("read page");
        let mut rest = text.as_str();
        while let Some(start) = rest.find("<!-- example") {
            rest = &rest[start + "<!-- example".len()..];
            // `<!-- example: path -->`, or `<!-- example (legacy /rest form): path -->`.
            let (form, after_form) = rest.split_once(": ").expect("marker names a type");
            let is_legacy = form == " (legacy /rest form)";
            assert!(
                is_legacy || form.is_empty(),
                "{}: unknown example marker `{form}`",
                page.display()
            );
            let (path, after) = after_form.split_once(" -->").expect("marker ends");
            let block = after
                .split_once("```json\n")
                .expect("a json block follows")
                .1;
            let json = block.split_once("\n```").expect("block ends").0;
            let value: serde_json::Value = serde_json::from_str(json).unwrap_or_else(|error| {
                panic!("{}: example of {path} is not JSON: {error}", page.display())
            });
            // The types read both forms and write the `/api` one.
            let expected = if is_legacy {
                legacy += 1;
                maps_as_objects(value.clone())
            } else {
                value.clone()
            };
            match vsphere_api::types::round_trip(path, value) {
                Some(Ok(back)) => assert_eq!(
                    back,
                    expected,
                    "{}: example of {path} changed in a round trip",
                    page.display()
                ),
                Some(Err(error)) => {
                    panic!("{}: example does not fit {path}: {error}", page.display())
                }
                None => panic!("{}: no type {path}", page.display()),
            }
            checked += 1;
            rest = after;
        }
    }
    assert!(
        checked > 20,
        "expected examples on the pages, checked {checked}"
    );
    assert!(
        legacy > 0,
        "expected legacy /rest examples on the legacy page"
    );
}

#[test]
fn every_operation_has_a_page() {
    // One file per operation in the generated crate.
    let operations = std::fs::read_dir(generated().join("src/operations")).expect("read");
    let docs = generated().join("docs/operations");
    let mut count = 0;
    for entry in operations {
        let path = entry.expect("entry").path();
        let name = path.file_stem().and_then(|s| s.to_str()).expect("name");
        assert!(
            docs.join(format!("{name}.md")).exists(),
            "no page for {name}"
        );
        count += 1;
    }
    assert_eq!(count, 11);
}
