//! Host-side bindings generated from `wit/`: every import is async and may trap (the outer
//! `wasmtime::Result`); the inner `Result` is the plugin's to handle.

wasmtime::component::bindgen!({
    path: "../wit",
    world: "spider-plugin",
    imports: { default: async | trappable },
    exports: { default: async },
    with: {
        "mocra:spider/lock.guard": crate::runtime::host_fns::lock::GuardState,
    },
    additional_derives: [serde::Serialize, serde::Deserialize],
});

/// The WIT package this host speaks, as plugins name it in their exports.
pub const PACKAGE: &str = "mocra:spider";
/// The version of that package.
pub const PACKAGE_VERSION: &str = "0.1.0";
/// The interface a spider exports, without its version.
pub const SPIDER_INTERFACE: &str = "mocra:spider/spider";
