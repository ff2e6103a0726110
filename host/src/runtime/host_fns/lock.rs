use std::time::Duration;

use wasmtime::component::Resource;

use crate::runtime::bindings::mocra::spider::lock::{Host, HostGuard};
use crate::runtime::bindings::mocra::spider::types::Error;
use crate::runtime::host_fns::to_plugin_error;
use crate::runtime::state::HostState;
use crate::services::lock::Lease;

type Reply<T> = wasmtime::Result<Result<T, Error>>;

/// The host side of a `guard` resource: the lease, until released.
pub struct GuardState {
    lease: Lease,
    released: bool,
}

impl Host for HostState {
    #[tracing::instrument(skip(self), fields(plugin = %self.plugin.name))]
    async fn acquire(&mut self, name: String, ttl_ms: u64) -> Reply<Option<Resource<GuardState>>> {
        if let Err(e) = self.check_services() {
            return Ok(Err(e));
        }
        let name = self.plugin.namespaced(&name);
        let ttl = Duration::from_millis(ttl_ms);
        match self.plugin.services.locks.acquire(&name, ttl).await {
            Ok(Some(lease)) => {
                let guard = GuardState {
                    lease,
                    released: false,
                };
                Ok(Ok(Some(self.table().push(guard)?)))
            }
            Ok(None) => Ok(Ok(None)),
            Err(e) => Ok(Err(to_plugin_error(e))),
        }
    }
}

impl HostGuard for HostState {
    async fn token(&mut self, guard: Resource<GuardState>) -> wasmtime::Result<u64> {
        Ok(self.table().get(&guard)?.lease.token)
    }

    async fn renew(&mut self, guard: Resource<GuardState>, ttl_ms: u64) -> Reply<bool> {
        let state = self.table().get(&guard)?;
        if state.released {
            return Ok(Ok(false));
        }
        let lease = state.lease.clone();
        let ttl = Duration::from_millis(ttl_ms);
        Ok(self
            .plugin
            .services
            .locks
            .renew(&lease, ttl)
            .await
            .map_err(to_plugin_error))
    }

    async fn release(&mut self, guard: Resource<GuardState>) -> Reply<bool> {
        let state = self.table().get_mut(&guard)?;
        if state.released {
            return Ok(Ok(false));
        }
        state.released = true;
        let lease = state.lease.clone();
        Ok(self
            .plugin
            .services
            .locks
            .release(&lease)
            .await
            .map_err(to_plugin_error))
    }

    /// Dropping a guard releases what it still holds, so a plugin cannot leak a lock by
    /// forgetting to release it (a trapped instance's locks simply expire).
    async fn drop(&mut self, guard: Resource<GuardState>) -> wasmtime::Result<()> {
        let state = self.table().delete(guard)?;
        if !state.released
            && let Err(e) = self.plugin.services.locks.release(&state.lease).await
        {
            tracing::warn!(plugin = %self.plugin.name, lock = %state.lease.name, "releasing a dropped lock guard failed: {e}");
        }
        Ok(())
    }
}
