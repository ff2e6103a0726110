//! Assembling a worker node from its settings: engine, services, downloader, plugins.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use super::Crawler;
use super::stats::Stats;
use crate::config::Settings;
use crate::downloader::{DownloadConfig, Downloader, RetryPolicy};
use crate::runtime::engine::{self, EpochTicker};
use crate::runtime::plugin::PluginLoader;
use crate::runtime::pool::PoolLimits;
use crate::runtime::state::PluginContext;
use crate::runtime::{LoadError, Plugin};
use crate::services::Services;
use crate::services::frontier::Frontier;
use crate::services::rate::Rule;
use crate::sinks::jsonl::{JsonlSinks, SinkError};

#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    #[error("cannot start the WebAssembly engine: {0}")]
    Engine(String),
    #[error("cannot build the HTTP client: {0}")]
    Http(#[from] reqwest::Error),
    #[error(transparent)]
    Sink(#[from] SinkError),
    #[error("two plugins are named {name}: {first} and {second}; rename one")]
    DuplicateName {
        name: String,
        first: String,
        second: String,
    },
}

/// Everything but the plugins; load them, then turn the node into a [`Crawler`].
pub struct Node {
    settings: Settings,
    services: Services,
    frontier: Frontier,
    downloader: Arc<Downloader>,
    loader: PluginLoader,
    ticker: EpochTicker,
}

impl Node {
    pub fn new(settings: Settings, services: Services) -> Result<Self, NodeError> {
        let max_memory = (settings.memory_limit_mb as usize) << 20;
        let engine = engine::build(max_memory).map_err(|e| NodeError::Engine(format!("{e:#}")))?;
        let limits = PoolLimits {
            max_memory,
            recycle_memory: (max_memory / 4).max(16 << 20),
            call_timeout: settings.call_timeout(),
            max_calls: settings.instance_max_calls,
            max_idle: settings.concurrency,
        };
        let loader = PluginLoader::new(engine.clone(), settings.cache_dir.clone(), limits)
            .map_err(|e| NodeError::Engine(format!("{e:#}")))?;
        let downloader = Arc::new(Downloader::new(
            DownloadConfig {
                timeout: settings.download_timeout(),
                max_body_bytes: settings.max_body_bytes,
                max_redirects: settings.max_redirects,
                user_agent: settings.user_agent.clone(),
                pool_per_host: settings.concurrency,
            },
            RetryPolicy {
                max_retries: settings.max_retries,
                base: std::time::Duration::from_millis(settings.retry_base_ms),
                max: std::time::Duration::from_millis(settings.retry_max_ms),
            },
        )?);
        let frontier = Frontier::new(services.queue.clone(), services.dedup.clone());
        Ok(Self {
            ticker: EpochTicker::start(engine),
            settings,
            services,
            frontier,
            downloader,
            loader,
        })
    }

    pub async fn load(&self, path: &Path) -> Result<Plugin, LoadError> {
        let context = |name, allow, services_enabled| PluginContext {
            name,
            allow,
            services: self.services.clone(),
            frontier: self.frontier.clone(),
            downloader: self.downloader.clone(),
            services_enabled,
        };
        self.loader.load(path, &context).await
    }

    /// The crawler for these plugins; `fresh_output` starts their item files empty.
    pub fn into_crawler(
        self,
        plugins: Vec<Plugin>,
        fresh_output: bool,
    ) -> Result<Arc<Crawler>, NodeError> {
        let mut by_name: HashMap<_, Arc<Plugin>> = HashMap::new();
        for plugin in plugins {
            if let Some(first) = by_name.get(&plugin.name) {
                return Err(NodeError::DuplicateName {
                    name: plugin.name.to_string(),
                    first: first.path.display().to_string(),
                    second: plugin.path.display().to_string(),
                });
            }
            by_name.insert(plugin.name.clone(), Arc::new(plugin));
        }
        let sinks = JsonlSinks::open(&self.settings.out_dir, by_name.keys(), fresh_output)?;
        let default_politeness = Rule {
            concurrency: self.settings.domain_concurrency,
            delay: std::time::Duration::ZERO,
        };
        Ok(Arc::new(Crawler {
            settings: self.settings,
            services: self.services,
            frontier: self.frontier,
            downloader: self.downloader,
            plugins: by_name,
            default_politeness,
            stats: Arc::new(Stats::default()),
            sinks: Mutex::new(sinks),
            _ticker: self.ticker,
        }))
    }
}
