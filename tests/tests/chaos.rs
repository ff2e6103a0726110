//! A plugin that panics, loops, eats memory and fails costs one page each; the rest of the
//! crawl goes on.

use std::time::Duration;

use mocra_tests::harness::run_plugin;
use mocra_tests::site::TestSite;
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn misbehaving_pages_are_contained_and_counted() {
    let site = TestSite::start().await;
    let start = site.url("/chaos/index");
    let args = [
        "--start-url",
        &start,
        "--call-timeout-ms",
        "500",
        "--memory-limit-mb",
        "64",
    ];
    let run = run_plugin("chaos", &args, Duration::from_secs(60)).await;
    assert!(run.status.success(), "stderr:\n{}", run.stderr);

    let expected: Vec<_> = (1..=3)
        .map(|n| json!({"url": site.url(&format!("/chaos/ok/{n}")), "n": n}))
        .collect();
    assert_eq!(run.items("chaos"), expected);

    let stats = run.stats();
    assert_eq!(
        stats["errors"],
        json!({
            "plugin-panic": 1,
            "plugin-deadline": 1,
            "plugin-memory": 1,
            "plugin-error": 1,
        })
    );
    assert_eq!(stats["pages"], 4, "the index and the three good pages");
    assert_eq!(stats["dead_letters"], 4);
    assert_eq!(stats["retries"], 0, "plugin failures are not retried");
}
