//! The loopback test site: books with pagination, a catalog for the benchmark, pages that
//! misbehave (redirects, flaky 500s, 404s, slow, huge, redirect loops), and per-path hit
//! counters so tests can assert how often the crawler asked for a URL.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// Books in the listing, four to a page.
pub const BOOKS: u32 = 20;
pub const BOOKS_PER_PAGE: u32 = 4;
/// A flaky page answers 500 this many times before it works.
pub const FLAKY_FAILURES: u64 = 2;

#[derive(Default)]
struct Shared {
    hits: Mutex<HashMap<String, u64>>,
}

/// A running site; it stops when dropped.
pub struct TestSite {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
}

impl TestSite {
    /// Serves on an ephemeral loopback port.
    pub async fn start() -> Self {
        Self::start_on(0).await.expect("binding 127.0.0.1:0")
    }

    pub async fn start_on(port: u16) -> std::io::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", port)).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::default());
        let app = Router::new().fallback(route).with_state(shared.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let server = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = stopped.await;
            });
            if let Err(e) = server.await {
                eprintln!("test site failed: {e}");
            }
        });
        Ok(Self {
            addr,
            shared,
            stop: Some(stop),
        })
    }

    /// `http://127.0.0.1:PORT`
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.origin())
    }

    /// How often `path` (with its query, if any) was requested.
    pub fn hits(&self, path: &str) -> u64 {
        let hits = self.shared.hits.lock().unwrap();
        hits.get(path).copied().unwrap_or(0)
    }
}

impl Drop for TestSite {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

async fn route(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    let key = uri
        .path_and_query()
        .map_or(uri.path(), |pq| pq.as_str())
        .to_owned();
    let hits = {
        let mut all = shared.hits.lock().unwrap();
        let n = all.entry(key).or_default();
        *n += 1;
        *n
    };
    let path = uri.path();
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match segments.as_slice() {
        ["books", "page", n] => number(n).map_or_else(not_found, listing),
        ["books", "item", id] => number(id).map_or_else(not_found, book),
        ["edge", "page", "1"] => edge_listing(),
        ["redirect", rest @ ..] => Redirect::to(&format!("/{}", rest.join("/"))).into_response(),
        ["flaky", "books", "item", id] if hits > FLAKY_FAILURES => {
            number(id).map_or_else(not_found, book)
        }
        ["flaky", ..] => (StatusCode::INTERNAL_SERVER_ERROR, "try again").into_response(),
        ["catalog"] => catalog(uri.query().unwrap_or_default()),
        ["item", i] => {
            if let Some(ms) = query_number(uri.query().unwrap_or_default(), "delay") {
                tokio::time::sleep(Duration::from_millis(ms.into())).await;
            }
            number(i).map_or_else(not_found, item)
        }
        ["hostapi", "data"] => (
            [(header::CONTENT_TYPE, "text/plain")],
            "hello from the host",
        )
            .into_response(),
        ["hostapi", _] => page("host api", "<p>nothing to see</p>"),
        ["chaos", "index"] => chaos_index(),
        ["chaos", ..] => page("chaos", "<p>a page</p>"),
        ["slow"] => {
            tokio::time::sleep(Duration::from_secs(10)).await;
            page("slow", "<p>finally</p>")
        }
        ["huge"] => huge(),
        ["redirect-loop"] => Redirect::to("/redirect-loop").into_response(),
        ["status", code] => code
            .parse()
            .ok()
            .and_then(|c| StatusCode::from_u16(c).ok())
            .map_or_else(not_found, |c| (c, "as asked").into_response()),
        _ => not_found(),
    }
}

fn number(s: &str) -> Option<u32> {
    s.parse().ok()
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "no such page").into_response()
}

fn page(title: &str, body: &str) -> Response {
    Html(format!(
        "<!DOCTYPE html><html><head><title>{title}</title></head><body>{body}</body></html>"
    ))
    .into_response()
}

/// Listing page `n`: four books, the featured book 1 again, and a next link but on the last.
fn listing(n: u32) -> Response {
    let pages = BOOKS / BOOKS_PER_PAGE;
    if n == 0 || n > pages {
        return not_found();
    }
    let mut body = String::from("<ul>");
    for id in (n - 1) * BOOKS_PER_PAGE + 1..=n * BOOKS_PER_PAGE {
        body += &format!("<li><a class=\"product\" href=\"/books/item/{id}\">Book {id}</a></li>");
    }
    body += "</ul><aside><a class=\"product\" href=\"/books/item/1\">Featured</a></aside>";
    if n < pages {
        body += &format!("<a rel=\"next\" href=\"/books/page/{}\">next</a>", n + 1);
    }
    page(&format!("Books, page {n}"), &body)
}

fn book(id: u32) -> Response {
    page(
        &format!("Book {id}"),
        &format!(
            "<h1 class=\"title\">Book {id}</h1><span class=\"price\">£{id}.99</span><span class=\"author\">Author {}</span>",
            id % 3
        ),
    )
}

fn edge_listing() -> Response {
    page(
        "Edge cases",
        "<a class=\"product\" href=\"/redirect/books/item/101\">moved</a>\
         <a class=\"product\" href=\"/flaky/books/item/102\">flaky</a>\
         <a class=\"product\" href=\"/missing/books/item/103\">gone</a>",
    )
}

fn query_number(query: &str, name: &str) -> Option<u32> {
    query
        .split('&')
        .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
        .and_then(|n| n.parse().ok())
}

/// `/catalog?n=N[&delay=MS]`: links to N item pages, each answering after MS milliseconds.
fn catalog(query: &str) -> Response {
    let n = query_number(query, "n").unwrap_or(100);
    let delay = query_number(query, "delay").map_or(String::new(), |ms| format!("?delay={ms}"));
    let mut body = String::with_capacity(n as usize * 40);
    for i in 0..n {
        body += &format!("<a class=\"item\" href=\"/item/{i}{delay}\">{i}</a>\n");
    }
    page("Catalog", &body)
}

/// The text of item `i`'s fields, as the catalog spider must report them.
pub fn item_fields(i: u32) -> (String, String, String) {
    (
        format!("Item {i}"),
        format!("{}.{}9", i % 100, i % 7),
        format!("Description of item {i}"),
    )
}

fn item(i: u32) -> Response {
    let (title, price, desc) = item_fields(i);
    page(
        &title,
        &format!(
            "<h1 class=\"title\">{title}</h1><span class=\"price\">{price}</span><p class=\"desc\">{desc}</p>"
        ),
    )
}

fn chaos_index() -> Response {
    let links: String = ["ok/1", "ok/2", "ok/3", "panic", "loop", "oom", "error"]
        .iter()
        .map(|p| format!("<a href=\"/chaos/{p}\">{p}</a>"))
        .collect();
    page("Chaos", &links)
}

/// 2 GB of bytes, streamed without a content length.
fn huge() -> Response {
    let chunk = Bytes::from(vec![b'x'; 1 << 20]);
    let stream =
        futures::stream::iter((0..2048).map(move |_| Ok::<_, std::io::Error>(chunk.clone())));
    Response::new(Body::from_stream(stream))
}
