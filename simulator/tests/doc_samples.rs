//! The Rust example on every generated operation page compiles against
//! `vsphere-api`, and runs against the simulator (the functions are
//! collected by `build.rs`).

mod common;

use common::Clients;

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

#[tokio::test]
async fn every_example_runs_against_the_simulator() {
    let running = common::start().await;
    let client = running.login(vsphere_simulator::ADMIN).await;
    let results = run_samples(&client).await;
    assert_eq!(results.len(), SAMPLES);
    for (page, result) in results {
        assert!(result.is_ok(), "the example on {page} failed: {result:?}");
    }
}
