//! A bounded concurrent load over loopback: 2,000 creations from 64 tasks, no
//! failure, nothing lost.

mod common;

use common::Clients;
use std::collections::BTreeSet;
use vsphere_api::operations::content_library_subscriptions_create as subscriptions;
use vsphere_simulator::ADMIN;

const TASKS: usize = 64;
const REQUESTS: usize = 2_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_thousand_subscriptions_from_64_tasks_all_land() {
    let server = common::start().await;
    let client = server.login(ADMIN).await;
    let body: vsphere_api::types::content::library::subscriptions::CreateSpec = serde_json::from_value(serde_json::json!({
        "subscribed_library": {"target": "CREATE_NEW", "location": "LOCAL", "new_subscribed_library": {
            "name": "mirror", "storage_backings": [], "automatic_sync_enabled": false, "on_demand": true}}
    }))
    .expect("body");
    let mut tasks = tokio::task::JoinSet::new();
    for task in 0..TASKS {
        let client = client.clone();
        let body = body.clone();
        // Spread REQUESTS over the tasks: the first ones take one more.
        let count = REQUESTS / TASKS + usize::from(task < REQUESTS % TASKS);
        tasks.spawn(async move {
            let mut ids = Vec::with_capacity(count);
            for _ in 0..count {
                let request = subscriptions::Request::new(subscriptions::RequestRequired {
                    library: "lib-published".to_owned(),
                    body: body.clone(),
                });
                ids.push(client.content_library_subscriptions_create(request).await);
            }
            ids
        });
    }
    let mut created = BTreeSet::new();
    let mut failures = Vec::new();
    while let Some(results) = tasks.join_next().await {
        for result in results.expect("task did not panic") {
            match result {
                Ok(id) => {
                    created.insert(id);
                }
                Err(error) => failures.push(error.to_string()),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures, first: {:?}",
        failures.len(),
        failures.first()
    );
    assert_eq!(created.len(), REQUESTS, "every call got its own id");
    let state = server.simulator.lock();
    let stored: BTreeSet<String> = state.subscriptions.keys().cloned().collect();
    assert_eq!(stored, created, "every created subscription is retrievable");
}
