//! The WebAssembly runtime: one engine, validated plugins, pools of warm sandboxed instances.

pub mod bindings;
pub mod engine;
pub mod error;
pub mod host_fns;
pub mod limits;
pub mod plugin;
pub mod pool;
pub mod state;

pub use error::{CallError, CallFailure, LoadError};
pub use plugin::{Plugin, PluginLoader};
