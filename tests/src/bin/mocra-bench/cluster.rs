//! The same crawl in distributed mode: a real redis-server, `serve` workers, and one
//! `submit`ted run per round, timed from the submit until the run's item counter in Redis
//! reaches N (the workers are already up: start-up is not timed here).

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use mocra_tests::redis::RedisServer;
use tokio::process::{Child, Command};

use super::{Options, host_bin};

pub struct Cluster {
    redis: RedisServer,
    _workers: Vec<Child>,
    _dirs: Vec<tempfile::TempDir>,
    counter: redis::aio::MultiplexedConnection,
}

impl Cluster {
    /// Redis and `workers` serve nodes with the catalog plugin, each with `o.concurrency`
    /// tasks in flight.
    pub async fn start(workers: usize, origin: &str, o: &Options) -> Result<Self, String> {
        let redis = RedisServer::start();
        let plugins = tempfile::tempdir().map_err(|e| e.to_string())?;
        let plugin = Path::new(env!("MOCRA_PLUGIN_DIR")).join("catalog.wasm");
        std::fs::copy(&plugin, plugins.path().join("catalog.wasm")).map_err(|e| e.to_string())?;
        let mut dirs = vec![];
        let mut children = vec![];
        for _ in 0..workers {
            let out = tempfile::tempdir().map_err(|e| e.to_string())?;
            let child = Command::new(host_bin()?)
                .arg("serve")
                .arg("--plugins")
                .arg(plugins.path())
                .arg("--redis")
                .arg(redis.url())
                // The spider's own start url is not on this site: seed a page without links.
                .arg("--start-url")
                .arg(format!("{origin}/hostapi/data"))
                .arg("--out")
                .arg(out.path())
                .arg("--cache-dir")
                .arg(plugins.path().join("cache"))
                .arg("--concurrency")
                .arg(o.concurrency.to_string())
                .env("RUST_LOG", "warn")
                .stdin(Stdio::null())
                .stderr(Stdio::null())
                .kill_on_drop(true)
                .spawn()
                .map_err(|e| format!("cannot start a worker: {e}"))?;
            children.push(child);
            dirs.push(out);
        }
        dirs.push(plugins);
        let counter = redis::Client::open(redis.url())
            .map_err(|e| e.to_string())?
            .get_multiplexed_async_connection()
            .await
            .map_err(|e| e.to_string())?;
        Ok(Self {
            redis,
            _workers: children,
            _dirs: dirs,
            counter,
        })
    }

    /// One run of N item pages; its wall-clock time from submit to the last item.
    pub async fn round(&mut self, origin: &str, o: &Options) -> Result<Duration, String> {
        let started = Instant::now();
        let out = Command::new(host_bin()?)
            .args([
                "submit",
                "catalog",
                "--redis",
                &self.redis.url(),
                "--start-url",
            ])
            .arg(format!("{origin}/catalog?n={}", o.pages))
            .stderr(Stdio::null())
            .output()
            .await
            .map_err(|e| format!("cannot run submit: {e}"))?;
        if !out.status.success() {
            return Err("submit failed (are the workers up?)".into());
        }
        let run = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        let key = format!("mocra:default:cache:#items/catalog/{run}");
        let give_up = started + Duration::from_secs(300);
        loop {
            let items: Option<u64> = redis::cmd("GET")
                .arg(&key)
                .query_async(&mut self.counter)
                .await
                .map_err(|e| e.to_string())?;
            if items.unwrap_or(0) >= u64::from(o.pages) {
                return Ok(started.elapsed());
            }
            if Instant::now() > give_up {
                return Err(format!("run {run} did not finish: {items:?} items"));
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}
