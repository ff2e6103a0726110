//! What can go wrong loading or calling a plugin. Types are for the engine (what to do with
//! the task), messages are for people (what failed, on what input, what to do).

use std::path::PathBuf;

use crate::runtime::bindings::mocra::spider::types::Error as PluginError;

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("plugin {path}: cannot read it: {cause}")]
    Read {
        path: PathBuf,
        cause: std::io::Error,
    },
    #[error(
        "plugin {path}: not a valid WebAssembly component ({reason}); build it with `cargo build --release --target wasm32-wasip2`"
    )]
    NotAComponent { path: PathBuf, reason: String },
    #[error(
        "plugin {path}: does not export {interface}@{version}; a spider implements mocra_sdk::Spider and calls export_spider!(…) (exports found: {found})"
    )]
    NotASpider {
        path: PathBuf,
        interface: &'static str,
        version: &'static str,
        found: String,
    },
    #[error(
        "plugin {path}: built for {interface}@{plugin_version}, but this host speaks @{host_version}; rebuild it against mocra-sdk {host_version}"
    )]
    IncompatibleVersion {
        path: PathBuf,
        interface: &'static str,
        plugin_version: String,
        host_version: &'static str,
    },
    #[error("plugin {path}: cannot be linked: {reason}")]
    Link { path: PathBuf, reason: String },
    #[error("plugin {path}: its info() call failed: {cause}")]
    Info { path: PathBuf, cause: CallError },
    #[error("plugin {path}: invalid spider info: {reason}")]
    InvalidInfo { path: PathBuf, reason: String },
}

/// How a plugin call failed; the engine decides what happens to the task from the kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallFailure {
    /// The plugin panicked (Rust `unreachable` after a panic) or hit another trap.
    Panic,
    /// The call ran past its deadline.
    Deadline,
    /// The plugin asked for more memory than it may have.
    Memory,
    /// The plugin returned an error of its own.
    PluginError,
    /// The host could not make an instance or a host function failed.
    Host,
}

impl CallFailure {
    /// The stats key of this failure.
    pub fn kind(self) -> &'static str {
        match self {
            Self::Panic => "plugin-panic",
            Self::Deadline => "plugin-deadline",
            Self::Memory => "plugin-memory",
            Self::PluginError => "plugin-error",
            Self::Host => "plugin-host",
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("plugin {plugin} {call}(): {} — {message}", failure.kind())]
pub struct CallError {
    pub plugin: String,
    pub call: &'static str,
    pub failure: CallFailure,
    pub message: String,
}

/// The message of an error a plugin returned.
pub fn describe_plugin_error(e: &PluginError) -> String {
    match e {
        PluginError::AccessDenied(m) => format!("access denied: {m}"),
        PluginError::InvalidInput(m) => format!("invalid input: {m}"),
        PluginError::Network(m) => format!("network: {m}"),
        PluginError::Unavailable(m) => format!("unavailable: {m}"),
        PluginError::Other(m) => m.clone(),
    }
}
