//! A worker node: loads every plugin in its directory (skipping a bad one), crawls, and
//! drains cleanly on SIGTERM.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

use mocra_tests::harness::{finish, host, plugin, read_items};
use mocra_tests::site::{BOOKS, TestSite};

/// Waits until `path` holds `lines` lines; the file growing is the event waited on.
async fn wait_for_lines(path: &Path, lines: usize, limit: Duration) {
    let deadline = Instant::now() + limit;
    loop {
        let have = std::fs::read_to_string(path).map_or(0, |t| t.lines().count());
        if have >= lines {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{} has {have} of {lines} lines after {limit:?}",
            path.display()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn serves_every_good_plugin_and_drains_on_sigterm() {
    let site = TestSite::start().await;
    let plugins = tempfile::tempdir().unwrap();
    std::fs::copy(plugin("books"), plugins.path().join("books.wasm")).unwrap();
    std::fs::write(plugins.path().join("broken.wasm"), b"not wasm").unwrap();
    let out = tempfile::tempdir().unwrap();

    let start = site.url("/books/page/1");
    let child = host(&[
        "serve",
        "--plugins",
        plugins.path().to_str().unwrap(),
        "--start-url",
        &start,
        "--out",
        out.path().to_str().unwrap(),
    ])
    .spawn()
    .expect("starting mocra-host serve");
    let pid = child.id().expect("a running child") as i32;

    let items = out.path().join("books.jsonl");
    wait_for_lines(&items, BOOKS as usize, Duration::from_secs(30)).await;
    // SAFETY: sending a signal to our own child process.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    let (status, stderr) = finish(child, Duration::from_secs(10)).await;

    assert!(
        status.success(),
        "serve exits 0 on SIGTERM; stderr:\n{stderr}"
    );
    assert!(
        stderr.contains("broken.wasm: not a valid WebAssembly component"),
        "the bad plugin is reported: {stderr}"
    );
    let got = read_items(&items);
    assert_eq!(got.len(), BOOKS as usize);
    let urls: BTreeSet<_> = got.iter().map(|i| i["url"].as_str().unwrap()).collect();
    assert_eq!(urls.len(), BOOKS as usize, "every item once");
    assert!(stderr.contains("crawl of books finished"), "{stderr}");
}
