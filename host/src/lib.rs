//! mocra-host: runs WebAssembly spider plugins against a crawl frontier.
//!
//! The folder tree is the architecture: `runtime/` loads and sandboxes plugins, `services/`
//! holds the frontier, dedup, cache, sync and locks behind one trait each, `downloader/`
//! fetches, `engine/` drives the crawl loop and `sinks/` writes items.

pub mod config;
pub mod downloader;
pub mod engine;
pub mod runtime;
pub mod services;
pub mod sinks;
pub mod types;
