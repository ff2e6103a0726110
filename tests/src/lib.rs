//! The test crate of mocra: a loopback test site, a harness that drives the real
//! `mocra-host` binary with the real plugins, a real `redis-server` for the cluster tests,
//! and the benchmark.

pub mod harness;
pub mod redis;
pub mod site;
