//! The host's services. Keys, topics and lock names are the spider's own: the host
//! namespaces them, so two spiders never see each other's.

use crate::bindings::mocra::spider as wit;
use crate::{Error, Page, Request};

/// Downloads now, outside the frontier (logins, APIs). Only the allowed domains are reached.
pub fn fetch(request: Request) -> Result<Page, Error> {
    Ok(Page::new(wit::downloader::fetch(&request.into())?))
}

pub mod cache {
    use super::*;

    pub fn get(key: &str) -> Result<Option<Vec<u8>>, Error> {
        Ok(wit::cache::get(key)?)
    }

    pub fn set(key: &str, value: &[u8], ttl_ms: Option<u64>) -> Result<(), Error> {
        Ok(wit::cache::set(key, value, ttl_ms)?)
    }

    /// Stores only when absent; true when stored.
    pub fn set_nx(key: &str, value: &[u8], ttl_ms: Option<u64>) -> Result<bool, Error> {
        Ok(wit::cache::set_nx(key, value, ttl_ms)?)
    }

    pub fn incr(key: &str, delta: i64) -> Result<i64, Error> {
        Ok(wit::cache::incr(key, delta)?)
    }

    pub fn delete(key: &str) -> Result<bool, Error> {
        Ok(wit::cache::delete(key)?)
    }
}

pub mod sync {
    use super::*;

    /// The newest `(version, value)` of a topic.
    pub fn get(topic: &str) -> Result<Option<(u64, Vec<u8>)>, Error> {
        Ok(wit::sync::get(topic)?.map(|v| (v.version, v.value)))
    }

    /// Stores a new value; returns its version.
    pub fn publish(topic: &str, value: &[u8]) -> Result<u64, Error> {
        Ok(wit::sync::publish(topic, value)?)
    }
}

pub mod lock {
    use super::*;

    pub use wit::lock::Guard;

    /// A lease on `name` for `ttl_ms`, or None when someone else holds it. Dropping the
    /// guard releases it.
    pub fn acquire(name: &str, ttl_ms: u64) -> Result<Option<Guard>, Error> {
        Ok(wit::lock::acquire(name, ttl_ms)?)
    }
}

pub mod queue {
    use super::*;

    /// Adds a request to the frontier; false when the duplicate filter dropped it.
    pub fn enqueue(request: Request) -> Result<bool, Error> {
        Ok(wit::queue::enqueue(&request.into())?)
    }

    pub fn publish(topic: &str, payload: &[u8]) -> Result<(), Error> {
        Ok(wit::queue::publish(topic, payload)?)
    }

    /// Up to `max` messages, oldest first.
    pub fn consume(topic: &str, max: u32) -> Result<Vec<Vec<u8>>, Error> {
        Ok(wit::queue::consume(topic, max)?)
    }
}

pub mod log {
    use crate::bindings::mocra::spider::log::{Level, log};

    pub fn trace(message: &str) {
        log(Level::Trace, message);
    }

    pub fn debug(message: &str) {
        log(Level::Debug, message);
    }

    pub fn info(message: &str) {
        log(Level::Info, message);
    }

    pub fn warn(message: &str) {
        log(Level::Warn, message);
    }

    pub fn error(message: &str) {
        log(Level::Error, message);
    }
}
