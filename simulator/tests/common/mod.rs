//! The simulator library on a real loopback socket, for the end-to-end tests:
//! a start with demo data and clients that panic on failure (fine in tests).
// Each test file uses a different part of this module.
#![allow(dead_code)]

use vsphere_api::client::Client;
use vsphere_simulator::{PASSWORD, Running, Simulator};

/// Starts a simulator with demo data on 127.0.0.1 and an OS-chosen port.
pub async fn start() -> Running {
    vsphere_simulator::start(Simulator::with_demo_data())
        .await
        .expect("start the simulator on loopback")
}

/// Clients of a running simulator.
pub trait Clients {
    /// A client without credentials.
    fn anonymous(&self) -> Client;
    /// A client logged in as `user`.
    fn login(&self, user: &str) -> impl Future<Output = Client>;
}

impl Clients for Running {
    fn anonymous(&self) -> Client {
        Client::new(&self.base_url).expect("client")
    }

    async fn login(&self, user: &str) -> Client {
        self.anonymous().login(user, PASSWORD).await.expect("login")
    }
}
