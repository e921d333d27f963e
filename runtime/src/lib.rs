//! The runtime of every crate vapigen generates, as a crate of its own so
//! that it is compiled, linted and unit-tested as ordinary Rust.
//!
//! Generated crates stay self-contained: the generator embeds these files'
//! text as the generated crate's `runtime` module (`src/runtime/`), so they
//! refer to each other as `crate::runtime::...`; [`runtime`] gives them the
//! same paths here. Nothing in them names a generated crate.

#![deny(missing_docs)]

#[cfg(feature = "client")]
pub mod client;
#[cfg(feature = "server")]
pub mod listener;
#[cfg(feature = "client")]
pub mod retry;
pub mod secret;
#[cfg(feature = "server")]
pub mod server;
#[cfg(feature = "client")]
pub mod task;
pub mod wire;

/// The modules under the path a generated crate gives them.
pub mod runtime {
    #[cfg(feature = "client")]
    pub use crate::client;
    #[cfg(feature = "server")]
    pub use crate::listener;
    #[cfg(feature = "client")]
    pub use crate::retry;
    pub use crate::secret;
    #[cfg(feature = "server")]
    pub use crate::server;
    #[cfg(feature = "client")]
    pub use crate::task;
    pub use crate::wire;
}
