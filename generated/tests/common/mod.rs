//! A simulator on a real loopback socket, for the end-to-end tests.
// Each test file uses a different part of this module.
#![allow(dead_code)]

#[path = "../../examples/simulator/sim.rs"]
#[allow(dead_code)]
pub mod sim;

use vsphere_api::client::Client;

pub const ADMIN: &str = "administrator@vsphere.local";
pub const READONLY: &str = "readonly@vsphere.local";
pub const PASSWORD: &str = "VMware1!";

/// A running simulator: its base URL and a handle on its state.
pub struct Running {
    pub base_url: String,
    pub simulator: sim::Simulator,
}

impl Running {
    /// Starts a simulator with demo data on 127.0.0.1 and an OS-chosen port.
    pub async fn start() -> Self {
        let simulator = sim::Simulator::with_demo_data();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let address = listener.local_addr().expect("local address");
        let app = vsphere_api::server::router(simulator.clone());
        tokio::spawn(async move {
            axum::serve(listener, app).await.expect("serve");
        });
        Running {
            base_url: format!("http://{address}"),
            simulator,
        }
    }

    /// A client without credentials.
    pub fn anonymous(&self) -> Client {
        Client::new(&self.base_url).expect("client")
    }

    /// A client logged in as `user`.
    pub async fn login(&self, user: &str) -> Client {
        self.anonymous().login(user, PASSWORD).await.expect("login")
    }
}
