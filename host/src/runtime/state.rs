//! What each instance's store holds: the WASI context (nothing granted), the resource table,
//! the limits, and the plugin's view of the host services.

use std::sync::Arc;
use std::time::Instant;

use wasmtime::component::ResourceTable;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use super::host_fns::log_stream::LogStream;
use super::limits::InstanceLimits;
use crate::downloader::{AllowList, Downloader};
use crate::services::Services;
use crate::services::frontier::Frontier;
use crate::types::{RunId, SpiderName};

/// Everything a plugin's host calls reach, shared by all its instances.
pub struct PluginContext {
    pub name: SpiderName,
    pub allow: AllowList,
    pub services: Services,
    pub frontier: Frontier,
    pub downloader: Arc<Downloader>,
    /// False while the plugin is validated: `info` must not reach the host's services.
    pub services_enabled: bool,
}

impl PluginContext {
    /// The key a plugin's `key` is stored under: plugins never see each other's data.
    pub fn namespaced(&self, key: &str) -> String {
        format!("{}:{key}", self.name)
    }
}

pub struct HostState {
    wasi: WasiCtx,
    table: ResourceTable,
    pub(crate) limits: InstanceLimits,
    pub(crate) plugin: Arc<PluginContext>,
    /// When the current call must end.
    pub(crate) deadline: Instant,
    /// The run of the task being parsed: what the plugin enqueues joins it.
    pub(crate) run: RunId,
}

impl HostState {
    pub fn new(plugin: Arc<PluginContext>, max_memory: usize) -> Self {
        // No preopened directories, no environment, no network, no inherited stdio: output
        // goes to the log under the plugin's name.
        let wasi = WasiCtx::builder()
            .stdout(LogStream::new(plugin.name.clone(), "stdout"))
            .stderr(LogStream::new(plugin.name.clone(), "stderr"))
            .build();
        Self {
            wasi,
            table: ResourceTable::new(),
            limits: InstanceLimits::new(max_memory),
            plugin,
            deadline: Instant::now(),
            run: RunId(String::new()),
        }
    }
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl HostState {
    pub(crate) fn table(&mut self) -> &mut ResourceTable {
        &mut self.table
    }
}
