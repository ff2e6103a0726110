//! Loading a plugin: read, compile (or load the precompiled artifact), check that it is a
//! spider of a compatible contract version, link it, and ask it who it is.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest, Sha256};
use wasmtime::Engine;
use wasmtime::component::types::ComponentItem;
use wasmtime::component::{Component, HasSelf, Linker};

use super::bindings::{PACKAGE_VERSION, SPIDER_INTERFACE, SpiderPlugin};
use super::error::LoadError;
use super::pool::{InstancePool, PoolLimits};
use super::state::{HostState, PluginContext};
use crate::downloader::AllowList;
use crate::types::{SpiderInfo, SpiderName};

/// A loaded, validated plugin version with its warm instances.
pub struct Plugin {
    pub path: PathBuf,
    /// SHA-256 of the `.wasm`, hex: the version's identity.
    pub hash: String,
    pub name: SpiderName,
    pub info: SpiderInfo,
    pub allow: AllowList,
    pub pool: InstancePool,
}

/// Builds the plugin context once the plugin's name and allowed domains are known.
pub type ContextFactory<'a> = &'a dyn Fn(SpiderName, AllowList, bool) -> PluginContext;

pub struct PluginLoader {
    engine: Engine,
    linker: Linker<HostState>,
    cache_dir: PathBuf,
    limits: PoolLimits,
}

impl PluginLoader {
    pub fn new(engine: Engine, cache_dir: PathBuf, limits: PoolLimits) -> wasmtime::Result<Self> {
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
        SpiderPlugin::add_to_linker::<_, HasSelf<_>>(&mut linker, |s| s)?;
        Ok(Self {
            engine,
            linker,
            cache_dir,
            limits,
        })
    }

    pub async fn load(
        &self,
        path: &Path,
        context: ContextFactory<'_>,
    ) -> Result<Plugin, LoadError> {
        let bytes = std::fs::read(path).map_err(|cause| LoadError::Read {
            path: path.to_owned(),
            cause,
        })?;
        let hash = hex::encode(Sha256::digest(&bytes));
        let component = self.compile(path, &hash, bytes).await?;
        check_spider_export(&self.engine, path, &component)?;
        let pre = self
            .linker
            .instantiate_pre(&component)
            .map_err(|e| LoadError::Link {
                path: path.to_owned(),
                reason: format!("{e:#}"),
            })?;
        let link_error = |e: wasmtime::Error| LoadError::Link {
            path: path.to_owned(),
            reason: format!("{e:#}"),
        };

        let placeholder = SpiderName::parse("loading").expect("a valid name");
        let probe_ctx = Arc::new(context(placeholder, AllowList::default(), false));
        let probe =
            InstancePool::new(pre.clone(), probe_ctx, self.limits.clone()).map_err(link_error)?;
        let info = probe.info().await.map_err(|cause| LoadError::Info {
            path: path.to_owned(),
            cause,
        })?;
        let invalid = |reason: String| LoadError::InvalidInfo {
            path: path.to_owned(),
            reason,
        };
        let name = SpiderName::parse(&info.name).map_err(invalid)?;
        validate_info(&info).map_err(invalid)?;
        let allow = AllowList::new(&info.allowed_domains);
        let ctx = Arc::new(context(name.clone(), allow.clone(), true));
        let pool = InstancePool::new(pre, ctx, self.limits.clone()).map_err(link_error)?;
        tracing::info!(plugin = %name, version = %info.version, hash = &hash[..12], path = %path.display(), "plugin loaded");
        Ok(Plugin {
            path: path.to_owned(),
            hash,
            name,
            info,
            allow,
            pool,
        })
    }

    /// Compiles on a blocking thread, or loads the artifact an earlier compile left in the
    /// cache. The key holds the engine's compatibility hash: an artifact from another
    /// wasmtime, configuration or CPU is never loaded.
    async fn compile(
        &self,
        path: &Path,
        hash: &str,
        bytes: Vec<u8>,
    ) -> Result<Component, LoadError> {
        let mut hasher = DefaultHasher::new();
        self.engine
            .precompile_compatibility_hash()
            .hash(&mut hasher);
        let artifact = self
            .cache_dir
            .join(format!("{hash}-{:016x}.cwasm", hasher.finish()));
        let engine = self.engine.clone();
        let path = path.to_owned();
        tokio::task::spawn_blocking(move || {
            if artifact.exists() {
                // SAFETY: the cache directory holds only artifacts this host serialized
                // itself, named by the content hash of their source and the engine's
                // compatibility hash.
                match unsafe { Component::deserialize_file(&engine, &artifact) } {
                    Ok(component) => return Ok(component),
                    Err(e) => tracing::warn!(artifact = %artifact.display(), "ignoring unusable precompiled artifact: {e:#}"),
                }
            }
            let component = Component::new(&engine, &bytes).map_err(|e| LoadError::NotAComponent {
                path: path.clone(),
                reason: describe_compile_error(&bytes, &e),
            })?;
            store_artifact(&component, &artifact);
            Ok(component)
        })
        .await
        .unwrap_or_else(|join| std::panic::resume_unwind(join.into_panic()))
    }
}

/// Writes the artifact through a temporary file and a rename, so a concurrent reader never
/// sees half of it. A failure only costs the next start a compile.
fn store_artifact(component: &Component, artifact: &Path) {
    let write = || -> Result<(), String> {
        let bytes = component.serialize().map_err(|e| format!("{e:#}"))?;
        let dir = artifact.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        let tmp = artifact.with_extension(format!("tmp{}", std::process::id()));
        std::fs::write(&tmp, bytes).map_err(|e| e.to_string())?;
        std::fs::rename(&tmp, artifact).map_err(|e| e.to_string())
    };
    if let Err(e) = write() {
        tracing::warn!(artifact = %artifact.display(), "cannot cache the compiled plugin: {e}");
    }
}

fn describe_compile_error(bytes: &[u8], e: &wasmtime::Error) -> String {
    match bytes {
        [0, b'a', b's', b'm', 1, 0, 0, 0, ..] => {
            "it is a core WebAssembly module, not a component".to_owned()
        }
        [0, b'a', b's', b'm', ..] => format!("{e:#}"),
        _ => "it does not start with the WebAssembly magic bytes".to_owned(),
    }
}

/// The spider export must exist, in a version this host can call: at 0.x the minor version
/// must match, from 1.0 on the major.
fn check_spider_export(
    engine: &Engine,
    path: &Path,
    component: &Component,
) -> Result<(), LoadError> {
    let exports: Vec<String> = component
        .component_type()
        .exports(engine)
        .filter(|(_, item)| matches!(item.ty, ComponentItem::ComponentInstance(_)))
        .map(|(name, _)| name.to_owned())
        .collect();
    let prefix = format!("{SPIDER_INTERFACE}@");
    let Some(found) = exports.iter().find_map(|e| e.strip_prefix(&prefix)) else {
        return Err(LoadError::NotASpider {
            path: path.to_owned(),
            interface: SPIDER_INTERFACE,
            version: PACKAGE_VERSION,
            found: if exports.is_empty() {
                "none".to_owned()
            } else {
                exports.join(", ")
            },
        });
    };
    if compatible(found, PACKAGE_VERSION) {
        Ok(())
    } else {
        Err(LoadError::IncompatibleVersion {
            path: path.to_owned(),
            interface: SPIDER_INTERFACE,
            plugin_version: found.to_owned(),
            host_version: PACKAGE_VERSION,
        })
    }
}

/// Semver compatibility of two `x.y.z` versions.
fn compatible(plugin: &str, host: &str) -> bool {
    let parts = |v: &str| -> Option<(u64, u64)> {
        let mut it = v.split(['.', '-', '+']);
        Some((it.next()?.parse().ok()?, it.next()?.parse().ok()?))
    };
    match (parts(plugin), parts(host)) {
        (Some((0, a)), Some((0, b))) => a == b,
        (Some((a, _)), Some((b, _))) => a == b,
        _ => false,
    }
}

fn validate_info(info: &SpiderInfo) -> Result<(), String> {
    for url in &info.start_urls {
        let parsed = url::Url::parse(url).map_err(|e| format!("start url {url:?}: {e}"))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(format!(
                "start url {url:?}: only http and https can be crawled"
            ));
        }
    }
    for line in &info.schedules {
        line.parse::<cron::Schedule>().map_err(|e| {
            format!(
                "schedule {line:?} is not a valid cron line (sec min hour day month weekday): {e}"
            )
        })?;
    }
    if let Some(p) = &info.politeness
        && p.concurrency == 0
    {
        return Err("politeness concurrency must be at least 1".to_owned());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contract_versions_follow_semver() {
        assert!(compatible("0.1.0", "0.1.0"));
        assert!(compatible("0.1.3", "0.1.0"));
        assert!(!compatible("0.2.0", "0.1.0"));
        assert!(compatible("1.4.0", "1.0.0"));
        assert!(!compatible("2.0.0", "1.0.0"));
        assert!(!compatible("junk", "0.1.0"));
    }

    #[test]
    fn compile_errors_say_what_the_file_is() {
        let e = wasmtime::Error::msg("x");
        assert_eq!(
            describe_compile_error(b"\0asm\x01\0\0\0rest", &e),
            "it is a core WebAssembly module, not a component"
        );
        assert_eq!(
            describe_compile_error(b"hello", &e),
            "it does not start with the WebAssembly magic bytes"
        );
    }
}
