use crate::runtime::bindings::mocra::spider::sync::{Host, Versioned};
use crate::runtime::bindings::mocra::spider::types::Error;
use crate::runtime::host_fns::guarded;
use crate::runtime::state::HostState;

type Reply<T> = wasmtime::Result<Result<T, Error>>;

impl Host for HostState {
    #[tracing::instrument(skip(self), fields(plugin = %self.plugin.name))]
    async fn get(&mut self, topic: String) -> Reply<Option<Versioned>> {
        let topic = self.plugin.namespaced(&topic);
        let got: Reply<_> = guarded!(self, self.plugin.services.sync.get(&topic));
        Ok(got?.map(|v| {
            v.map(|v| Versioned {
                version: v.version,
                value: v.value,
            })
        }))
    }

    #[tracing::instrument(skip(self, value), fields(plugin = %self.plugin.name))]
    async fn publish(&mut self, topic: String, value: Vec<u8>) -> Reply<u64> {
        let topic = self.plugin.namespaced(&topic);
        guarded!(self, self.plugin.services.sync.publish(&topic, value))
    }
}
