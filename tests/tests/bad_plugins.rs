//! Files that are not spiders get a clear error and exit code 1.

use mocra_tests::harness::{plugin, run_failing};

#[tokio::test]
async fn random_bytes_are_not_a_component() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.wasm");
    std::fs::write(&bad, b"\x13\x37 definitely not wasm").unwrap();
    let stderr = run_failing(&["run", bad.to_str().unwrap()]).await;
    assert!(
        stderr.contains(&format!(
            "plugin {}: not a valid WebAssembly component",
            bad.display()
        )),
        "{stderr}"
    );
    assert!(stderr.contains("--target wasm32-wasip2"), "{stderr}");
}

#[tokio::test]
async fn a_command_component_is_not_a_spider() {
    let path = plugin("not-a-spider");
    let stderr = run_failing(&["run", path.to_str().unwrap()]).await;
    assert!(
        stderr.contains("does not export mocra:spider/spider@0.1.0"),
        "{stderr}"
    );
    assert!(stderr.contains("exports found: wasi:cli/run"), "{stderr}");
}

#[tokio::test]
async fn a_missing_file_is_named() {
    let stderr = run_failing(&["run", "/nonexistent/spider.wasm"]).await;
    assert!(
        stderr.contains("plugin /nonexistent/spider.wasm: cannot read it"),
        "{stderr}"
    );
}

#[tokio::test]
async fn a_bad_start_url_is_refused() {
    let path = plugin("books");
    let stderr = run_failing(&["run", path.to_str().unwrap(), "--start-url", "ftp://x/"]).await;
    assert!(
        stderr.contains("--start-url \"ftp://x/\": only http and https"),
        "{stderr}"
    );
}
