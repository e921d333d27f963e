//! A vCenter simulator on the generated server stubs.
//!
//! ```sh
//! cargo run -p vsphere-simulator -- --listen 127.0.0.1:8089
//! ```
//!
//! Then log in with `administrator@vsphere.local` / `VMware1!` (see
//! [`Simulator::with_demo_data`] for the demo objects).

use clap::Parser;
use vsphere_simulator::Simulator;

#[derive(Parser)]
#[command(about = "An in-memory vCenter that speaks the vSphere Automation REST API")]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8089")]
    listen: std::net::SocketAddr,
    /// Behave like vCenter 6.7 or govmomi's vcsim: only the legacy `/rest` form.
    #[arg(long)]
    legacy_only: bool,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let mut simulator = Simulator::with_demo_data();
    simulator.legacy_only = args.legacy_only;
    let running = vsphere_simulator::start_at(simulator, args.listen).await?;
    eprintln!("vCenter simulator listening on {}", running.base_url);
    // Serve until interrupted.
    std::future::pending::<()>().await;
    Ok(())
}
