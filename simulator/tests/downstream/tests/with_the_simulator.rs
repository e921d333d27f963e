//! The simulator as a test double in a crate of its own: started on a free
//! port, seeded, inspected, and made to fail once.

use downstream_example::open_update_session;
use vsphere_api::client::Client;
use vsphere_api::operations::content_library_item_update_session_create as update_session;
use vsphere_simulator::{ADMIN, Library, PASSWORD, Simulator};

#[tokio::test]
async fn opens_a_session_on_a_seeded_item_and_sees_an_injected_fault() {
    let simulator = Simulator::with_demo_data();
    simulator.add_library("lib-ours", Library::default());
    simulator.add_item("item-ours", "lib-ours");
    let running = vsphere_simulator::start(simulator).await.expect("start");
    let client = Client::new(&running.base_url)
        .expect("client")
        .login(ADMIN, PASSWORD)
        .await
        .expect("login");

    let session = open_update_session(&client, "item-ours")
        .await
        .expect("opened");
    let open = running
        .simulator
        .lock()
        .update_sessions
        .get(&session)
        .cloned();
    assert_eq!(
        open.as_deref(),
        Some("item-ours"),
        "the simulator recorded it"
    );

    running.simulator.inject_fault(
        "Content.Library.Item.UpdateSession_create",
        503,
        serde_json::json!({
            "error_type": "SERVICE_UNAVAILABLE",
            "messages": [{"id": "test.down", "default_message": "down", "args": []}],
        }),
    );
    let error = open_update_session(&client, "item-1")
        .await
        .expect_err("the fault");
    assert!(
        matches!(error, update_session::Error::Other { status: 503, .. }),
        "{error:?}"
    );
    // The fault happens once.
    open_update_session(&client, "item-1")
        .await
        .expect("back to normal");
}
