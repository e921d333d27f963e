//! The Rust example on every generated operation page compiles against
//! `vsphere-api` (the functions are collected by `build.rs`).

include!(concat!(env!("OUT_DIR"), "/doc_samples.rs"));

#[test]
fn every_operation_page_has_a_compiled_example() {
    let pages = std::fs::read_dir(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../generated/docs/operations"
    ))
    .expect("read the operation pages")
    .count();
    assert!(pages > 0);
    assert_eq!(SAMPLES, pages, "one Rust example per operation page");
}
