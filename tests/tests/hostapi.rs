//! Every host interface, called by a real plugin on the embedded backends.

use std::time::Duration;

use mocra_tests::harness::run_plugin;
use mocra_tests::site::TestSite;
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn every_host_interface_answers_as_specified() {
    let site = TestSite::start().await;
    let start = site.url("/hostapi/start");
    let run = run_plugin("hostapi", &["--start-url", &start], Duration::from_secs(60)).await;
    assert!(run.status.success(), "stderr:\n{}", run.stderr);

    let report = json!({
        "cache_get": "v",
        "set_nx_first": true,
        "set_nx_second": false,
        "incr": 3,
        "delete_first": true,
        "delete_second": false,
        "get_after_delete": null,
        "sync_before": null,
        "sync_versions": [1, 2],
        "sync_after": [2, "b"],
        "lock_first": true,
        "lock_contended": false,
        "lock_released": true,
        "lock_token_increased": true,
        "lock_renewed": true,
        "topic": ["x", "y"],
        "topic_after": [],
        "enqueue_first": true,
        "enqueue_second": false,
        "fetch_status": 200,
        "fetch_body": "hello from the host",
        "fetch_forbidden": "access-denied",
    });
    let second = json!({"step": "second", "url": site.url("/hostapi/second")});
    let mut expected = vec![report, second];
    expected.sort_by_key(|v| v.to_string());
    assert_eq!(run.items("hostapi"), expected);

    let stats = run.stats();
    assert_eq!(stats["pages"], 2);
    assert_eq!(stats["errors"], json!({}));
    assert_eq!(site.hits("/hostapi/data"), 1);
    assert_eq!(
        site.hits("/hostapi/second"),
        1,
        "enqueued once, deduplicated"
    );
}
