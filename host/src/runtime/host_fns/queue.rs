use crate::runtime::bindings::mocra::spider::queue::Host;
use crate::runtime::bindings::mocra::spider::types::{Error, Request};
use crate::runtime::host_fns::guarded;
use crate::runtime::state::HostState;

type Reply<T> = wasmtime::Result<Result<T, Error>>;

/// Topic messages a plugin may take in one call, so one call cannot hold the host forever.
const MAX_CONSUME: u32 = 10_000;

impl Host for HostState {
    #[tracing::instrument(skip(self, req), fields(plugin = %self.plugin.name, url = %req.url))]
    async fn enqueue(&mut self, req: Request) -> Reply<bool> {
        if let Err(e) = self.check_services() {
            return Ok(Err(e));
        }
        if let Err(reason) = self.plugin.allow.check_url(&req.url) {
            return Ok(Err(Error::AccessDenied(reason)));
        }
        let ctx = self.plugin.clone();
        let run = self.run.clone();
        let accepted: Reply<Vec<bool>> =
            guarded!(self, ctx.frontier.submit(&ctx.name, &run, vec![req]));
        Ok(accepted?.map(|a| a.first().copied().unwrap_or(false)))
    }

    #[tracing::instrument(skip(self, payload), fields(plugin = %self.plugin.name))]
    async fn publish(&mut self, topic: String, payload: Vec<u8>) -> Reply<()> {
        let topic = self.plugin.namespaced(&topic);
        guarded!(self, self.plugin.services.queue.publish(&topic, payload))
    }

    #[tracing::instrument(skip(self), fields(plugin = %self.plugin.name))]
    async fn consume(&mut self, topic: String, max: u32) -> Reply<Vec<Vec<u8>>> {
        let topic = self.plugin.namespaced(&topic);
        let max = max.min(MAX_CONSUME) as usize;
        guarded!(self, self.plugin.services.queue.consume(&topic, max))
    }
}
