//! The example two-step spider on the loopback site: exact items, duplicates fetched once,
//! a redirect followed, a 500 retried until it works, a 404 counted and not retried.

use std::time::Duration;

use mocra_tests::harness::run_plugin;
use mocra_tests::site::{BOOKS, TestSite};
use serde_json::{Value, json};

const LIMIT: Duration = Duration::from_secs(60);

fn book(origin: &str, path_prefix: &str, id: u32) -> Value {
    json!({
        "url": format!("{origin}{path_prefix}/books/item/{id}"),
        "title": format!("Book {id}"),
        "price": format!("£{id}.99"),
        "author": format!("Author {}", id % 3),
    })
}

fn sorted(mut items: Vec<Value>) -> Vec<Value> {
    items.sort_by_key(|v| v.to_string());
    items
}

#[tokio::test(flavor = "multi_thread")]
async fn crawls_every_book_once() {
    let site = TestSite::start().await;
    let start = site.url("/books/page/1");
    let run = run_plugin("books", &["--start-url", &start], LIMIT).await;
    assert!(run.status.success(), "stderr:\n{}", run.stderr);

    let expected = sorted((1..=BOOKS).map(|id| book(&site.origin(), "", id)).collect());
    assert_eq!(run.items("books"), expected);

    let stats = run.stats();
    assert_eq!(stats["spider"], "books");
    assert_eq!(stats["pages"], 25, "5 listing pages and 20 books");
    assert_eq!(stats["items"], 20);
    // Book 1 is linked twice on page 1 and once more on each of pages 2 to 5.
    assert_eq!(stats["duplicates"], 5);
    assert_eq!(stats["retries"], 0);
    assert_eq!(stats["errors"], json!({}));
    assert_eq!(
        site.hits("/books/item/1"),
        1,
        "a duplicate link is fetched once"
    );
    for n in 1..=5 {
        assert_eq!(site.hits(&format!("/books/page/{n}")), 1);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn follows_redirects_retries_5xx_and_counts_404() {
    let site = TestSite::start().await;
    let start = site.url("/edge/page/1");
    let run = run_plugin(
        "books",
        &["--start-url", &start, "--retry-base-ms", "10"],
        LIMIT,
    )
    .await;
    assert!(run.status.success(), "stderr:\n{}", run.stderr);

    let origin = site.origin();
    let expected = sorted(vec![
        // Reported under its final URL, after the redirect.
        book(&origin, "", 101),
        book(&origin, "/flaky", 102),
    ]);
    assert_eq!(run.items("books"), expected);

    let stats = run.stats();
    assert_eq!(stats["pages"], 3);
    assert_eq!(stats["retries"], 2);
    assert_eq!(stats["errors"], json!({"http-404": 1}));
    assert_eq!(stats["dead_letters"], 0);
    assert_eq!(site.hits("/redirect/books/item/101"), 1);
    assert_eq!(site.hits("/books/item/101"), 1);
    assert_eq!(
        site.hits("/flaky/books/item/102"),
        3,
        "two 500s, then the page"
    );
    assert_eq!(
        site.hits("/missing/books/item/103"),
        1,
        "a 404 is not retried"
    );
}
