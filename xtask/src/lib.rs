//! The project's tasks, as a library so tests can run them in-process.

pub mod audit;
pub mod bench;
pub mod codegen;
pub mod diff;
