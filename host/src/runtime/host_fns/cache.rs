use std::time::Duration;

use crate::runtime::bindings::mocra::spider::cache::Host;
use crate::runtime::bindings::mocra::spider::types::Error;
use crate::runtime::host_fns::guarded;
use crate::runtime::state::HostState;

type Reply<T> = wasmtime::Result<Result<T, Error>>;

impl Host for HostState {
    #[tracing::instrument(skip(self), fields(plugin = %self.plugin.name))]
    async fn get(&mut self, key: String) -> Reply<Option<Vec<u8>>> {
        let key = self.plugin.namespaced(&key);
        guarded!(self, self.plugin.services.cache.get(&key))
    }

    #[tracing::instrument(skip(self, value), fields(plugin = %self.plugin.name))]
    async fn set(&mut self, key: String, value: Vec<u8>, ttl_ms: Option<u64>) -> Reply<()> {
        let key = self.plugin.namespaced(&key);
        let ttl = ttl_ms.map(Duration::from_millis);
        guarded!(self, self.plugin.services.cache.set(&key, value, ttl))
    }

    #[tracing::instrument(skip(self, value), fields(plugin = %self.plugin.name))]
    async fn set_nx(&mut self, key: String, value: Vec<u8>, ttl_ms: Option<u64>) -> Reply<bool> {
        let key = self.plugin.namespaced(&key);
        let ttl = ttl_ms.map(Duration::from_millis);
        guarded!(self, self.plugin.services.cache.set_nx(&key, value, ttl))
    }

    #[tracing::instrument(skip(self), fields(plugin = %self.plugin.name))]
    async fn incr(&mut self, key: String, delta: i64) -> Reply<i64> {
        let key = self.plugin.namespaced(&key);
        guarded!(self, self.plugin.services.cache.incr(&key, delta))
    }

    #[tracing::instrument(skip(self), fields(plugin = %self.plugin.name))]
    async fn delete(&mut self, key: String) -> Reply<bool> {
        let key = self.plugin.namespaced(&key);
        guarded!(self, self.plugin.services.cache.delete(&key))
    }
}
