//! Sites that time out, send too much or redirect forever fail their page, not the crawl.

use std::time::Duration;

use mocra_tests::harness::run_plugin;
use mocra_tests::site::TestSite;
use serde_json::json;

const LIMIT: Duration = Duration::from_secs(30);

#[tokio::test(flavor = "multi_thread")]
async fn a_slow_site_times_out_after_its_retries() {
    let site = TestSite::start().await;
    let start = site.url("/slow");
    let args = [
        "--start-url",
        &start,
        "--download-timeout-ms",
        "300",
        "--max-retries",
        "1",
        "--retry-base-ms",
        "10",
    ];
    let run = run_plugin("books", &args, LIMIT).await;
    assert!(run.status.success(), "stderr:\n{}", run.stderr);
    let stats = run.stats();
    assert_eq!(stats["errors"], json!({"timeout": 1}));
    assert_eq!(stats["retries"], 1);
    assert_eq!(stats["dead_letters"], 1);
    assert_eq!(site.hits("/slow"), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_huge_body_is_cut_off() {
    let site = TestSite::start().await;
    let start = site.url("/huge");
    let args = ["--start-url", &start, "--max-body-bytes", "1000000"];
    let run = run_plugin("books", &args, LIMIT).await;
    assert!(run.status.success(), "stderr:\n{}", run.stderr);
    let stats = run.stats();
    assert_eq!(stats["errors"], json!({"too-large": 1}));
    assert_eq!(stats["retries"], 0);
    assert_eq!(site.hits("/huge"), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_redirect_loop_stops_after_ten_hops() {
    let site = TestSite::start().await;
    let start = site.url("/redirect-loop");
    let run = run_plugin("books", &["--start-url", &start], LIMIT).await;
    assert!(run.status.success(), "stderr:\n{}", run.stderr);
    let stats = run.stats();
    assert_eq!(stats["errors"], json!({"redirect-loop": 1}));
    assert_eq!(
        site.hits("/redirect-loop"),
        11,
        "the first request and ten redirects"
    );
}
