//! Bindgen glue for the interfaces plugins import. Each function only namespaces, checks
//! access and delegates to a service; the work lives behind the service traits.

pub mod cache;
pub mod downloader;
pub mod lock;
pub mod log;
pub mod log_stream;
pub mod queue;
pub mod sync;

use super::bindings::mocra::spider::types::{self, Error as PluginError};
use super::state::HostState;
use crate::services::ServiceError;

impl types::Host for HostState {}

/// A service failure as the plugin sees it: something it can handle, never a trap.
pub(crate) fn to_plugin_error(e: ServiceError) -> PluginError {
    match e {
        ServiceError::InvalidInput(m) => PluginError::InvalidInput(m),
        ServiceError::Unavailable(m) => PluginError::Unavailable(m),
    }
}

impl HostState {
    /// Refuses host services while the plugin is being validated (`info` must be pure).
    pub(crate) fn check_services(&self) -> Result<(), PluginError> {
        if self.plugin.services_enabled {
            Ok(())
        } else {
            Err(PluginError::AccessDenied(
                "host services are not available while the plugin is loaded (in info())".into(),
            ))
        }
    }
}

/// The plugin's result of a service call that needs access: `?` on the access check,
/// service errors mapped for the plugin.
macro_rules! guarded {
    ($state:expr, $call:expr) => {{
        if let Err(e) = $state.check_services() {
            return Ok(Err(e));
        }
        Ok($call
            .await
            .map_err($crate::runtime::host_fns::to_plugin_error))
    }};
}
pub(crate) use guarded;
