//! The emitted Rust of each small fixture spec, one concern per fixture, and
//! the error of each bad spec. Whether the fixture output compiles is checked
//! by `compile.rs`.

mod common;

#[test]
fn fixture_types_match_snapshots() {
    let fixtures = common::fixtures("good");
    assert!(
        fixtures.len() >= 9,
        "expected the fixture set, found {fixtures:?}"
    );
    for path in fixtures {
        let name = common::stem(&path);
        let generated =
            common::generate(&path, false).unwrap_or_else(|error| panic!("{name}: {error}"));
        let warnings: Vec<String> = generated.warnings.iter().map(ToString::to_string).collect();
        let types = common::types_source(&generated.files);
        insta::assert_snapshot!(name.clone(), format!("// warnings: {warnings:#?}\n{types}"));
    }
}

#[test]
fn bad_specs_fail_with_located_errors() {
    let fixtures = common::fixtures("bad");
    assert!(fixtures.len() >= 4);
    for path in fixtures {
        let name = common::stem(&path);
        let error = match common::generate(&path, false) {
            Ok(_) => panic!("{name}: generation should fail"),
            Err(error) => error.to_string(),
        };
        insta::assert_snapshot!(format!("error_{name}"), error);
    }
}

#[test]
fn lenient_mode_degrades_a_dangling_ref_to_json_with_a_warning() {
    let path = common::fixtures("bad")
        .into_iter()
        .find(|p| common::stem(p) == "dangling_ref")
        .expect("fixture");
    let generated = common::generate(&path, true).expect("lenient generation succeeds");
    let types = common::types_source(&generated.files);
    assert!(
        types.contains("pub b: Option<serde_json::Value>"),
        "{types}"
    );
    assert_eq!(generated.warnings.len(), 1, "{:?}", generated.warnings);
    assert!(
        generated.warnings[0]
            .to_string()
            .contains("/components/schemas/A/properties/b")
    );
}

#[test]
fn generation_is_deterministic() {
    // The real vCenter file is the largest input, with the most chances for
    // hash-order or file-order effects to show.
    let vcenter = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata/vmware/vsphere-7.0.3-vcenter.json");
    for path in common::fixtures("good").into_iter().chain([vcenter]) {
        let first = common::generate(&path, true).expect("generates").files;
        let second = common::generate(&path, true).expect("generates").files;
        assert!(first == second, "two runs differ for {}", path.display());
        // Items taken from the format cache are what formatting makes.
        let cache = vapigen::FormatCache::new();
        let filled = common::generate_cached(&path, &cache).files;
        let bytes = cache.to_bytes("test");
        let warm = vapigen::FormatCache::from_bytes(&bytes, "test");
        let from_cache = common::generate_cached(&path, &warm).files;
        assert!(
            filled == first && from_cache == first,
            "cached runs differ for {}",
            path.display()
        );
        assert!(
            !warm.changed(),
            "a second run finds every item in the cache"
        );
    }
}

#[test]
fn fixture_docs_pages_match_snapshots() {
    let path = common::fixtures("good")
        .into_iter()
        .find(|p| common::stem(p) == "vendor_extensions")
        .expect("fixture");
    let generated = common::generate(&path, false).expect("generates");
    let pages: Vec<(&String, &String)> = generated
        .files
        .iter()
        .filter(|(name, _)| name.starts_with("docs/"))
        .collect();
    assert!(
        pages.len() >= 3,
        "index, operation and schema pages: {:?}",
        pages.iter().map(|p| p.0).collect::<Vec<_>>()
    );
    for (name, text) in pages {
        insta::assert_snapshot!(
            format!(
                "docs_{}",
                name.trim_start_matches("docs/").replace('/', "_")
            ),
            text
        );
    }
}

#[test]
fn fixture_operation_files_match_snapshots() {
    // One operation's file: its types, error table, client method and handler.
    let path = common::fixtures("good")
        .into_iter()
        .find(|p| common::stem(p) == "vendor_extensions")
        .expect("fixture");
    let generated = common::generate(&path, false).expect("generates");
    let operations: Vec<(&String, &String)> = generated
        .files
        .iter()
        .filter(|(name, _)| name.starts_with("src/operations/"))
        .collect();
    assert!(!operations.is_empty(), "the fixture has operations");
    for (name, text) in operations {
        insta::assert_snapshot!(
            format!("operation_{}", name.trim_start_matches("src/operations/")),
            text
        );
    }
    insta::assert_snapshot!("server_rs", &generated.files["src/server.rs"]);
}

#[test]
fn strict_mode_counts_the_unresolvable_references_and_names_the_way_out() {
    // VMware's published vCenter file has dangling `requestBody` references.
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata/vmware/vsphere-7.0.3-vcenter.json");
    let lenient = common::generate(&path, true).expect("lenient generation succeeds");
    let degraded = lenient
        .warnings
        .iter()
        .filter(|warning| warning.message.ends_with("(lenient mode)"))
        .count();
    assert!(degraded > 2, "{degraded} degraded references");
    let Err(error) = common::generate(&path, false) else {
        panic!("strict generation of vcenter.json should fail");
    };
    let error = error.to_string();
    assert!(
        error.contains("dangling $ref")
            && error.contains(&format!("({} more unresolvable references", degraded - 1))
            && error.contains("`--lenient` generates each as free-form JSON"),
        "{error}"
    );
}
