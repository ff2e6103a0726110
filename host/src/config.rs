//! One typed configuration, loaded once: `mocra.toml` < `MOCRA_*` environment < flags.
//! (The environment and flags are merged by the CLI; this module owns the file and defaults.)

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

/// Every tunable of a worker node.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Where items go: `<out_dir>/<spider>.jsonl`.
    pub out_dir: PathBuf,
    /// Precompiled plugin artifacts, keyed by content hash and engine.
    pub cache_dir: PathBuf,
    /// Tasks in flight on this node at the most.
    pub concurrency: usize,
    /// Requests in flight per domain when a spider gives no politeness hint.
    pub domain_concurrency: u32,
    /// Wall-clock budget of one plugin call (info, start, parse).
    pub call_timeout_ms: u64,
    /// Linear memory a plugin instance may grow to.
    pub memory_limit_mb: u64,
    /// A warm instance is replaced after this many calls.
    pub instance_max_calls: u32,
    /// Download attempts after the first, for 408/429/5xx, timeouts and connection errors.
    pub max_retries: u32,
    /// The first retry waits about this long; each next one twice as long (with jitter).
    pub retry_base_ms: u64,
    /// Retry waits are capped here.
    pub retry_max_ms: u64,
    pub download_timeout_ms: u64,
    /// A response body larger than this fails with `too-large`.
    pub max_body_bytes: u64,
    pub max_redirects: u32,
    pub user_agent: String,
    /// The Redis of a cluster (`redis://host:port/db`); none runs on the embedded backends.
    pub redis: Option<String>,
    /// Separates crawls sharing one Redis: keys live under `mocra:<namespace>:`.
    pub namespace: String,
    /// A task taken but not acked within this time is handed to another worker.
    pub visibility_timeout_ms: u64,
    /// A task delivered this often without an ack is dead-lettered.
    pub max_deliveries: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            out_dir: PathBuf::from("out"),
            cache_dir: PathBuf::from(".mocra-cache"),
            concurrency: 64,
            domain_concurrency: 16,
            call_timeout_ms: 10_000,
            memory_limit_mb: 256,
            instance_max_calls: 10_000,
            max_retries: 3,
            retry_base_ms: 200,
            retry_max_ms: 30_000,
            download_timeout_ms: 30_000,
            max_body_bytes: 32 * 1024 * 1024,
            max_redirects: 10,
            user_agent: concat!("mocra/", env!("CARGO_PKG_VERSION")).to_owned(),
            redis: None,
            namespace: "default".to_owned(),
            visibility_timeout_ms: 60_000,
            max_deliveries: 5,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {cause}")]
    Read {
        path: PathBuf,
        cause: std::io::Error,
    },
    #[error("config file {path} is not valid: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("config: {0}")]
    Invalid(String),
}

impl Settings {
    /// Reads a TOML file over the defaults; unknown keys are an error, so a typo is not
    /// silently ignored.
    pub fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|cause| ConfigError::Read {
            path: path.to_owned(),
            cause,
        })?;
        toml::from_str(&text).map_err(|e| ConfigError::Parse {
            path: path.to_owned(),
            message: e.to_string(),
        })
    }

    /// Rejects values that would make the worker useless, naming the key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let positive = [
            ("concurrency", self.concurrency as u64),
            ("domain_concurrency", u64::from(self.domain_concurrency)),
            ("call_timeout_ms", self.call_timeout_ms),
            ("memory_limit_mb", self.memory_limit_mb),
            ("instance_max_calls", u64::from(self.instance_max_calls)),
            ("download_timeout_ms", self.download_timeout_ms),
            ("max_body_bytes", self.max_body_bytes),
            ("visibility_timeout_ms", self.visibility_timeout_ms),
            ("max_deliveries", u64::from(self.max_deliveries)),
        ];
        for (key, value) in positive {
            if value == 0 {
                return Err(ConfigError::Invalid(format!("{key} must be at least 1")));
            }
        }
        if self.memory_limit_mb > 4096 {
            return Err(ConfigError::Invalid(format!(
                "memory_limit_mb is {}, more than a 32-bit plugin can address (4096)",
                self.memory_limit_mb
            )));
        }
        Ok(())
    }

    pub fn call_timeout(&self) -> Duration {
        Duration::from_millis(self.call_timeout_ms)
    }

    pub fn queue_config(&self) -> crate::services::queue::QueueConfig {
        crate::services::queue::QueueConfig {
            visibility_timeout: Duration::from_millis(self.visibility_timeout_ms),
            max_deliveries: self.max_deliveries,
        }
    }

    pub fn download_timeout(&self) -> Duration {
        Duration::from_millis(self.download_timeout_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_overrides_defaults_and_rejects_typos() {
        let dir = std::env::temp_dir().join(format!("mocra-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let good = dir.join("good.toml");
        std::fs::write(&good, "concurrency = 8\nout_dir = \"items\"\n").unwrap();
        let s = Settings::from_file(&good).unwrap();
        assert_eq!(s.concurrency, 8);
        assert_eq!(s.out_dir, PathBuf::from("items"));
        assert_eq!(s.max_retries, Settings::default().max_retries);

        let bad = dir.join("bad.toml");
        std::fs::write(&bad, "concurency = 8\n").unwrap();
        let err = Settings::from_file(&bad).unwrap_err().to_string();
        assert!(
            err.contains("bad.toml") && err.contains("concurency"),
            "{err}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn zero_values_are_rejected_by_name() {
        let s = Settings {
            concurrency: 0,
            ..Settings::default()
        };
        let err = s.validate().unwrap_err().to_string();
        assert_eq!(err, "config: concurrency must be at least 1");
    }
}
