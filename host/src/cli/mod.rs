//! The command line: `run` crawls one plugin to completion, `serve` runs a worker node.

pub mod run;
pub mod serve;
mod signals;
pub mod status;
pub mod submit;

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};

use mocra_host::config::Settings;
use mocra_host::services::Services;

#[derive(Parser)]
#[command(
    name = "mocra-host",
    version,
    about = "Distributed web crawling with WebAssembly spiders"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Crawl with one plugin until nothing is left to fetch, then print a summary.
    Run(run::RunArgs),
    /// Run a worker node: load every plugin in a directory and crawl until stopped.
    Serve(serve::ServeArgs),
    /// Start a new run of a spider on a cluster (prints the run id).
    Submit(submit::SubmitArgs),
    /// Show what a cluster is doing: workers alive, queue depth, dead letters, runs.
    Status(status::StatusArgs),
}

/// Settings every command shares. Each flag can also be set as `MOCRA_<NAME>` in the
/// environment or in the config file; a flag beats the environment, which beats the file.
#[derive(Args, Debug)]
pub struct Tuning {
    /// TOML file with settings (keys as the flags, with underscores).
    #[arg(long, env = "MOCRA_CONFIG")]
    config: Option<PathBuf>,
    /// Directory for items: <OUT>/<spider>.jsonl.
    #[arg(long, env = "MOCRA_OUT")]
    out: Option<PathBuf>,
    /// Directory for compiled plugin artifacts.
    #[arg(long, env = "MOCRA_CACHE_DIR")]
    cache_dir: Option<PathBuf>,
    /// Tasks in flight at once.
    #[arg(long, env = "MOCRA_CONCURRENCY")]
    concurrency: Option<usize>,
    /// Requests in flight per domain unless the spider asks for another number.
    #[arg(long, env = "MOCRA_DOMAIN_CONCURRENCY")]
    domain_concurrency: Option<u32>,
    /// Wall-clock limit of one plugin call, in milliseconds.
    #[arg(long, env = "MOCRA_CALL_TIMEOUT_MS")]
    call_timeout_ms: Option<u64>,
    /// Memory limit of one plugin instance, in MiB.
    #[arg(long, env = "MOCRA_MEMORY_LIMIT_MB")]
    memory_limit_mb: Option<u64>,
    /// Retries of a download after 408/429/5xx, a timeout or a connection error.
    #[arg(long, env = "MOCRA_MAX_RETRIES")]
    max_retries: Option<u32>,
    /// First retry delay in milliseconds; doubles per retry, with jitter.
    #[arg(long, env = "MOCRA_RETRY_BASE_MS")]
    retry_base_ms: Option<u64>,
    /// Download timeout in milliseconds (connect, redirects and body).
    #[arg(long, env = "MOCRA_DOWNLOAD_TIMEOUT_MS")]
    download_timeout_ms: Option<u64>,
    /// Largest response body accepted, in bytes.
    #[arg(long, env = "MOCRA_MAX_BODY_BYTES")]
    max_body_bytes: Option<u64>,
    #[command(flatten)]
    cluster: Cluster,
}

/// Where a node's shared state lives.
#[derive(Args, Debug)]
pub struct Cluster {
    /// Run distributed on this Redis (redis://host:port/db) instead of the embedded backends.
    #[arg(long, env = "MOCRA_REDIS", value_name = "URL")]
    redis: Option<String>,
    /// Key namespace on Redis: nodes with the same Redis and namespace share one crawl.
    #[arg(long, env = "MOCRA_NAMESPACE")]
    namespace: Option<String>,
    /// A task not acked within this many milliseconds goes to another worker.
    #[arg(long, env = "MOCRA_VISIBILITY_TIMEOUT_MS")]
    visibility_timeout_ms: Option<u64>,
}

impl Cluster {
    fn apply(&self, s: &mut Settings) {
        if let Some(url) = &self.redis {
            s.redis = Some(url.clone());
        }
        if let Some(ns) = &self.namespace {
            s.namespace = ns.clone();
        }
        if let Some(ms) = self.visibility_timeout_ms {
            s.visibility_timeout_ms = ms;
        }
    }
}

/// The services the settings ask for: Redis when configured, else the embedded backends.
pub async fn services(settings: &Settings) -> anyhow::Result<Services> {
    let Some(url) = &settings.redis else {
        return Ok(Services::in_memory(settings.queue_config()));
    };
    let consumer = format!(
        "{}-{}",
        std::process::id(),
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    );
    let services = Services::redis(url, &settings.namespace, consumer, settings.queue_config())
        .await
        .with_context(|| format!("cannot use Redis at {url}"))?;
    tracing::info!(redis = %url, namespace = %settings.namespace, "distributed mode");
    Ok(services)
}

impl Tuning {
    /// The settings: defaults, then the config file, then environment and flags.
    pub fn settings(&self) -> anyhow::Result<Settings> {
        let mut s = match &self.config {
            Some(path) => Settings::from_file(path)?,
            None => Settings::default(),
        };
        macro_rules! apply {
            ($($field:ident => $target:ident),* $(,)?) => {
                $( if let Some(v) = &self.$field { s.$target = v.clone(); } )*
            };
        }
        apply!(
            out => out_dir,
            cache_dir => cache_dir,
            concurrency => concurrency,
            domain_concurrency => domain_concurrency,
            call_timeout_ms => call_timeout_ms,
            memory_limit_mb => memory_limit_mb,
            max_retries => max_retries,
            retry_base_ms => retry_base_ms,
            download_timeout_ms => download_timeout_ms,
            max_body_bytes => max_body_bytes,
        );
        self.cluster.apply(&mut s);
        s.validate()?;
        Ok(s)
    }
}

/// Checks `--start-url` values before anything starts.
pub fn check_start_urls(urls: &[String]) -> anyhow::Result<()> {
    for raw in urls {
        let url = url::Url::parse(raw)
            .with_context(|| format!("--start-url {raw:?} is not a valid URL"))?;
        anyhow::ensure!(
            matches!(url.scheme(), "http" | "https"),
            "--start-url {raw:?}: only http and https URLs can be crawled"
        );
    }
    Ok(())
}
