//! Driving the real `mocra-host` binary with the real plugins.

use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use serde_json::Value;
use tokio::process::{Child, Command};

/// A built plugin, by name (`books`, `catalog`, …).
pub fn plugin(name: &str) -> PathBuf {
    let path = Path::new(env!("MOCRA_PLUGIN_DIR")).join(format!("{name}.wasm"));
    assert!(path.exists(), "plugin {} was not built", path.display());
    path
}

/// The `mocra-host` binary: `MOCRA_HOST_BIN`, or the one beside this test in the target dir.
pub fn host_bin() -> PathBuf {
    if let Some(path) = std::env::var_os("MOCRA_HOST_BIN") {
        return path.into();
    }
    let exe = std::env::current_exe().expect("the test's own path");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("tests run from target/<profile>/deps");
    let bin = profile_dir.join("mocra-host");
    assert!(
        bin.exists(),
        "{} is missing: build it first: cargo build -p mocra-host",
        bin.display()
    );
    bin
}

/// Precompiled plugins shared by every test run, so each test does not compile them again.
fn cache_dir() -> PathBuf {
    std::env::temp_dir().join("mocra-test-cache")
}

/// A `mocra-host` command with quiet logs and the shared artifact cache.
pub fn host(args: &[&str]) -> Command {
    let mut cmd = Command::new(host_bin());
    cmd.args(args)
        .arg("--cache-dir")
        .arg(cache_dir())
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    cmd
}

/// What a finished `mocra-host run` left behind.
pub struct Finished {
    pub status: ExitStatus,
    pub stderr: String,
    pub out: tempfile::TempDir,
}

impl Finished {
    /// The spider's items, sorted by their JSON text so comparisons ignore crawl order.
    pub fn items(&self, spider: &str) -> Vec<Value> {
        read_items(&self.out.path().join(format!("{spider}.jsonl")))
    }

    /// The stats `--stats-json` wrote.
    pub fn stats(&self) -> Value {
        let path = self.out.path().join("stats.json");
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "no stats at {} ({e}); stderr:\n{}",
                path.display(),
                self.stderr
            )
        });
        serde_json::from_str(&text).expect("stats are JSON")
    }
}

pub fn read_items(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut items: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l:?}: {e}")))
        .collect();
    items.sort_by_key(|v| v.to_string());
    items
}

/// Runs `mocra-host run PLUGIN ARGS… --out TMP --stats-json TMP/stats.json` to the end;
/// kills it and fails after `limit`.
pub async fn run_plugin(plugin_name: &str, args: &[&str], limit: Duration) -> Finished {
    let out = tempfile::tempdir().expect("a temp dir");
    let plugin = plugin(plugin_name);
    let stats = out.path().join("stats.json");
    let mut cmd = host(&["run", plugin.to_str().expect("a UTF-8 path")]);
    cmd.args(args)
        .arg("--out")
        .arg(out.path())
        .arg("--stats-json")
        .arg(&stats);
    let (status, stderr) = finish(cmd.spawn().expect("starting mocra-host"), limit).await;
    Finished {
        status,
        stderr,
        out,
    }
}

/// Runs `mocra-host ARGS…` expecting it to fail; returns its stderr.
pub async fn run_failing(args: &[&str]) -> String {
    let child = host(args).spawn().expect("starting mocra-host");
    let (status, stderr) = finish(child, Duration::from_secs(30)).await;
    assert_eq!(status.code(), Some(1), "expected exit 1; stderr:\n{stderr}");
    stderr
}

/// Waits for the child to exit within `limit`, collecting its stderr.
pub async fn finish(mut child: Child, limit: Duration) -> (ExitStatus, String) {
    let mut stderr_pipe = child.stderr.take().expect("stderr is piped");
    let read = tokio::spawn(async move {
        let mut text = String::new();
        tokio::io::AsyncReadExt::read_to_string(&mut stderr_pipe, &mut text)
            .await
            .expect("reading stderr");
        text
    });
    let status = match tokio::time::timeout(limit, child.wait()).await {
        Ok(status) => status.expect("waiting for mocra-host"),
        Err(_) => {
            child.kill().await.expect("killing mocra-host");
            let stderr = read.await.unwrap_or_default();
            panic!("mocra-host did not finish within {limit:?}; stderr:\n{stderr}");
        }
    };
    (status, read.await.expect("the stderr reader"))
}
