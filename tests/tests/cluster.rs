//! Distributed mode on a real redis-server: workers share one frontier, and the crawl
//! finishes with every item present when a worker is SIGKILLed mid-crawl or Redis is
//! stopped and restarted. At-least-once: duplicates are allowed, counted and reported.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use mocra_tests::harness::{finish, host, host_bin, plugin, read_items};
use mocra_tests::redis::RedisServer;
use mocra_tests::site::TestSite;
use serde_json::Value;
use tokio::process::Child;

const PAGES: u32 = 2000;

struct Worker {
    child: Child,
    out: tempfile::TempDir,
}

fn start_worker(redis: &str, plugins: &Path, start: &str) -> Worker {
    let out = tempfile::tempdir().unwrap();
    let child = host(&[
        "serve",
        "--plugins",
        plugins.to_str().unwrap(),
        "--redis",
        redis,
        "--start-url",
        start,
        "--out",
        out.path().to_str().unwrap(),
        "--concurrency",
        "8",
        "--visibility-timeout-ms",
        "2000",
    ])
    .env("RUST_LOG", "warn,mocra_host::engine=info")
    .spawn()
    .expect("starting a worker");
    Worker { child, out }
}

/// Every item line of every worker's file, and the distinct urls among them.
fn items(out_dirs: &[&Path]) -> (usize, BTreeSet<String>) {
    let mut lines = 0;
    let mut urls = BTreeSet::new();
    for dir in out_dirs {
        let file = dir.join("catalog.jsonl");
        if !file.exists() {
            continue;
        }
        for item in read_items(&file) {
            lines += 1;
            urls.insert(item["url"].as_str().unwrap().to_owned());
        }
    }
    (lines, urls)
}

async fn status(redis: &str) -> Value {
    let out = tokio::process::Command::new(host_bin())
        .args(["status", "--json", "--redis", redis])
        .stderr(Stdio::null())
        .output()
        .await
        .expect("running mocra-host status");
    assert!(out.status.success(), "status failed");
    serde_json::from_slice(&out.stdout).expect("status --json prints JSON")
}

/// Waits until `done` holds, checking every 200 ms, failing after `limit`.
async fn wait_until(limit: Duration, what: &str, mut done: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !done().await {
        assert!(
            Instant::now() < deadline,
            "{what} did not happen within {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Waits for the whole crawl: all items written somewhere, nothing ready, pending or delayed.
async fn wait_for_the_crawl(redis: &str, dirs: &[&Path]) {
    wait_until(Duration::from_secs(120), "the crawl's end", async || {
        let s = status(redis).await;
        items(dirs).1.len() == PAGES as usize
            && s["ready"] == 0
            && s["in_flight"] == 0
            && s["delayed"] == 0
    })
    .await;
}

/// Drains a worker with SIGTERM; returns its items and its log.
async fn stop(worker: Worker) -> (tempfile::TempDir, String) {
    let pid = worker.child.id().expect("a running worker") as i32;
    // SAFETY: signalling our own child.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    let (status, stderr) = finish(worker.child, Duration::from_secs(20)).await;
    assert!(status.success(), "a worker failed to drain: {stderr}");
    (worker.out, stderr)
}

/// How many workers seeded the run, and how many found it seeded already.
fn seedings(logs: &[String]) -> (usize, usize) {
    let count = |needle: &str| logs.iter().map(|l| l.matches(needle).count()).sum();
    (
        count("mocra_host::engine: seeded "),
        count("run already seeded by another node"),
    )
}

fn expected_urls(site: &TestSite) -> BTreeSet<String> {
    (0..PAGES)
        .map(|i| site.url(&format!("/item/{i}?delay=20")))
        .collect()
}

fn plugin_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(plugin("catalog"), dir.path().join("catalog.wasm")).unwrap();
    dir
}

#[tokio::test(flavor = "multi_thread")]
async fn a_killed_worker_loses_nothing() {
    let redis = RedisServer::start();
    let site = TestSite::start().await;
    let plugins = plugin_dir();
    let start = site.url(&format!("/catalog?n={PAGES}&delay=20"));
    let url = redis.url();
    let mut workers: Vec<_> = (0..3)
        .map(|_| start_worker(&url, plugins.path(), &start))
        .collect();

    let dirs: Vec<_> = workers.iter().map(|w| w.out.path().to_owned()).collect();
    wait_until(Duration::from_secs(60), "300 items", async || {
        let dirs: Vec<&Path> = dirs.iter().map(|d| d.as_path()).collect();
        items(&dirs).1.len() >= 300
    })
    .await;
    let mut victim = workers.remove(0);
    victim.child.start_kill().expect("SIGKILL");
    let (_, victim_log) = finish(victim.child, Duration::from_secs(10)).await;
    workers.push(start_worker(&url, plugins.path(), &start));

    let victim_out = victim.out;
    let mut all: Vec<&Path> = workers.iter().map(|w| w.out.path()).collect();
    all.push(victim_out.path());
    wait_for_the_crawl(&url, &all).await;
    let s = status(&url).await;
    assert_eq!(s["dead_letters"], 0);
    // At least once: the run's counter covers every distinct item and no more than the
    // lines written (a batch redone after the kill is written and counted again).
    let counted = s["runs"]["catalog/serve"].as_u64().unwrap() as usize;
    let (lines, distinct) = items(&all);
    assert!(
        (distinct.len()..=lines).contains(&counted),
        "run counter {counted}, {} distinct items, {lines} lines",
        distinct.len()
    );

    let (mut outs, mut logs) = (vec![victim_out], vec![victim_log]);
    for w in workers {
        let (out, log) = stop(w).await;
        outs.push(out);
        logs.push(log);
    }
    let dirs: Vec<&Path> = outs.iter().map(|d| d.path()).collect();
    let (lines, urls) = items(&dirs);
    assert_eq!(urls, expected_urls(&site), "every item, from some worker");
    eprintln!(
        "killed worker: {} items, {} duplicates",
        lines,
        lines - urls.len()
    );
    // The killed worker may have died before deciding; the other three always decide.
    let (seeded, skipped) = seedings(&logs);
    assert_eq!(seeded, 1, "exactly one worker seeded the run");
    assert!(skipped >= 2, "the others found it seeded ({skipped})");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_redis_restart_loses_nothing() {
    let mut redis = RedisServer::start();
    let site = TestSite::start().await;
    let plugins = plugin_dir();
    let start = site.url(&format!("/catalog?n={PAGES}&delay=20"));
    let url = redis.url();
    let workers: Vec<_> = (0..2)
        .map(|_| start_worker(&url, plugins.path(), &start))
        .collect();
    let dirs: Vec<&Path> = workers.iter().map(|w| w.out.path()).collect();
    wait_until(Duration::from_secs(60), "300 items", async || {
        items(&dirs).1.len() >= 300
    })
    .await;

    redis.stop();
    // The outage itself is what is tested: five seconds without Redis.
    tokio::time::sleep(Duration::from_secs(5)).await;
    redis.restart();

    wait_for_the_crawl(&url, &dirs).await;
    assert_eq!(status(&url).await["dead_letters"], 0);
    let mut outs = Vec::new();
    for w in workers {
        outs.push(stop(w).await.0);
    }
    let dirs: Vec<&Path> = outs.iter().map(|d| d.path()).collect();
    let (lines, urls) = items(&dirs);
    assert_eq!(urls, expected_urls(&site), "every item, from some worker");
    eprintln!(
        "redis restart: {} items, {} duplicates",
        lines,
        lines - urls.len()
    );
}
