//! The benchmark: `mocra-host run` with the catalog plugin against a hand-written native loop
//! (reqwest + scraper, same selectors, same concurrency, same JSON Lines output), crawling
//! the same loopback site in the same run, interleaved round by round.
//!
//! The site runs in this process on a tokio runtime of its own, so it never shares worker
//! threads with the native loop: to the site, the host process and the native loop are two
//! clients alike.
//!
//! Then the same crawl in distributed mode, on a real redis-server with one and with two
//! `serve` workers (see `cluster.rs`).
//!
//! `mocra-bench [--pages N] [--rounds R] [--concurrency C]` (defaults 20000, 3, 64). One
//! untimed warm-up round of each side comes first (it also fills the host's precompiled
//! plugin cache, so no timed host round compiles the plugin); the figures are the medians of
//! the timed rounds, each timing a whole crawl (for the host: the whole process, start-up
//! included).

mod cluster;

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use futures::StreamExt;
use mocra_tests::site::TestSite;
use scraper::{Html, Selector};
use serde::Serialize;

struct Options {
    pages: u32,
    rounds: usize,
    concurrency: usize,
}

fn options() -> Result<Options, String> {
    let mut o = Options {
        pages: 20_000,
        rounds: 3,
        concurrency: 64,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or(format!("{flag} needs a value"))?;
        let bad = |_| format!("{flag} {value}: not a number");
        match flag.as_str() {
            "--pages" => o.pages = value.parse().map_err(bad)?,
            "--rounds" => o.rounds = value.parse().map_err(bad)?,
            "--concurrency" => o.concurrency = value.parse().map_err(bad)?,
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    if o.pages == 0 || o.rounds == 0 || o.concurrency == 0 {
        return Err("--pages, --rounds and --concurrency must be at least 1".into());
    }
    Ok(o)
}

/// The release host binary beside this one (or `MOCRA_HOST_BIN`).
fn host_bin() -> Result<PathBuf, String> {
    let bin = match std::env::var_os("MOCRA_HOST_BIN") {
        Some(path) => PathBuf::from(path),
        None => std::env::current_exe()
            .map_err(|e| format!("own path: {e}"))?
            .with_file_name("mocra-host"),
    };
    if bin.exists() {
        Ok(bin)
    } else {
        Err(format!(
            "{} is missing: build it first with `cargo build --release -p mocra-host`",
            bin.display()
        ))
    }
}

/// One crawl by the host; returns its wall-clock time.
async fn host_round(origin: &str, o: &Options, out: &Path) -> Result<Duration, String> {
    let plugin = Path::new(env!("MOCRA_PLUGIN_DIR")).join("catalog.wasm");
    let cache = out.join("../mocra-bench-cache");
    let stats = out.join("../host-stats.json");
    let bin = host_bin()?;
    let started = Instant::now();
    let status = tokio::process::Command::new(&bin)
        .arg("run")
        .arg(&plugin)
        .arg("--start-url")
        .arg(format!("{origin}/catalog?n={}", o.pages))
        .arg("--out")
        .arg(out)
        .arg("--stats-json")
        .arg(&stats)
        .arg("--cache-dir")
        .arg(&cache)
        .arg("--concurrency")
        .arg(o.concurrency.to_string())
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .status()
        .await
        .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
    let elapsed = started.elapsed();
    if !status.success() {
        return Err(format!("mocra-host failed: {status}"));
    }
    check_lines(&out.join("catalog.jsonl"), o.pages)?;
    check_stats(&stats, o.pages)?;
    Ok(elapsed)
}

/// The host's own account must agree: every item page parsed, nothing failed.
fn check_stats(path: &Path, pages: u32) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let stats: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let items_ok = stats["items"] == u64::from(pages);
    let errors_ok = stats["errors"] == serde_json::json!({});
    if items_ok && errors_ok {
        Ok(())
    } else {
        Err(format!("unexpected host stats: {stats}"))
    }
}

#[derive(Serialize)]
struct Item {
    url: String,
    title: String,
    price: String,
    desc: String,
}

struct Selectors {
    link: Selector,
    title: Selector,
    price: Selector,
    desc: Selector,
}

fn first_text(html: &Html, s: &Selector) -> String {
    html.select(s)
        .next()
        .map(|e| e.text().collect::<String>().trim().to_owned())
        .unwrap_or_default()
}

/// The same crawl, written by hand.
async fn native_round(origin: &str, o: &Options, out: &Path) -> Result<Duration, String> {
    let sel = Selectors {
        link: Selector::parse("a.item").expect("selector"),
        title: Selector::parse("h1.title").expect("selector"),
        price: Selector::parse("span.price").expect("selector"),
        desc: Selector::parse("p.desc").expect("selector"),
    };
    let path = out.join("catalog.jsonl");
    let started = Instant::now();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(o.concurrency)
        .tcp_nodelay(true)
        .build()
        .map_err(|e| e.to_string())?;
    let catalog = format!("{origin}/catalog?n={}", o.pages);
    let body = get(&client, &catalog).await?;
    let base = reqwest::Url::parse(&catalog).map_err(|e| e.to_string())?;
    let urls: Vec<String> = {
        let html = Html::parse_document(&body);
        html.select(&sel.link)
            .filter_map(|a| a.value().attr("href"))
            .filter_map(|href| base.join(href).ok())
            .map(String::from)
            .collect()
    };
    let file = std::fs::File::create(&path).map_err(|e| e.to_string())?;
    let mut sink = BufWriter::with_capacity(256 * 1024, file);
    let mut pages = futures::stream::iter(urls)
        .map(|url| {
            let client = &client;
            async move {
                let body = get(client, &url).await?;
                Ok::<_, String>((url, body))
            }
        })
        .buffer_unordered(o.concurrency);
    while let Some(page) = pages.next().await {
        let (url, body) = page?;
        let html = Html::parse_document(&body);
        let item = Item {
            title: first_text(&html, &sel.title),
            price: first_text(&html, &sel.price),
            desc: first_text(&html, &sel.desc),
            url,
        };
        serde_json::to_writer(&mut sink, &item).map_err(|e| e.to_string())?;
        sink.write_all(b"\n").map_err(|e| e.to_string())?;
    }
    sink.flush().map_err(|e| e.to_string())?;
    let elapsed = started.elapsed();
    check_lines(&path, o.pages)?;
    Ok(elapsed)
}

async fn get(client: &reqwest::Client, url: &str) -> Result<String, String> {
    let response = client.get(url).send().await.map_err(|e| e.to_string())?;
    if !response.status().is_success() {
        return Err(format!("{url}: {}", response.status()));
    }
    response.text().await.map_err(|e| e.to_string())
}

fn check_lines(path: &Path, pages: u32) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let n = text.lines().count();
    if n != pages as usize {
        return Err(format!("{} holds {n} items, not {pages}", path.display()));
    }
    Ok(())
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

async fn bench(origin: &str, o: Options) -> Result<(), String> {
    let work = tempfile::tempdir().map_err(|e| e.to_string())?;
    let dir = |name: &str| {
        let d = work.path().join(name);
        std::fs::create_dir_all(&d)
            .map(|()| d)
            .map_err(|e| e.to_string())
    };
    let (host_dir, native_dir) = (dir("host")?, dir("native")?);
    let pages = f64::from(o.pages + 1);
    println!(
        "mocra-bench: {} item pages (+1 catalog), concurrency {}, {} rounds after a warm-up",
        o.pages, o.concurrency, o.rounds
    );
    host_round(origin, &o, &host_dir).await?;
    native_round(origin, &o, &native_dir).await?;
    let (mut host, mut native) = (Vec::new(), Vec::new());
    for round in 1..=o.rounds {
        let h = pages / host_round(origin, &o, &host_dir).await?.as_secs_f64();
        let n = pages / native_round(origin, &o, &native_dir).await?.as_secs_f64();
        println!(
            "round {round}: host {h:>8.0} pages/s   native {n:>8.0} pages/s   ratio {:.2}",
            h / n
        );
        host.push(h);
        native.push(n);
    }
    let (h, n) = (median(host), median(native));
    println!(
        "host: {h:.0} pages/s   native: {n:.0} pages/s   ratio: {:.2}",
        h / n
    );
    for workers in [1, 2] {
        let mut cluster = cluster::Cluster::start(workers, origin, &o).await?;
        cluster.round(origin, &o).await?;
        let mut rates = Vec::new();
        for _ in 0..o.rounds {
            rates.push(pages / cluster.round(origin, &o).await?.as_secs_f64());
        }
        let r = median(rates);
        println!(
            "redis, {workers} worker{}: {r:.0} pages/s   ratio to native: {:.2}",
            if workers == 1 { "" } else { "s" },
            r / n
        );
    }
    Ok(())
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

fn main() -> std::process::ExitCode {
    let o = match options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!(
                "mocra-bench: {e}\nusage: mocra-bench [--pages N] [--rounds R] [--concurrency C]"
            );
            return std::process::ExitCode::from(2);
        }
    };
    // The site's runtime keeps serving on its own threads while the bench runtime works.
    let site_runtime = runtime();
    let site = site_runtime.block_on(TestSite::start());
    let result = runtime().block_on(bench(&site.origin(), o));
    drop(site);
    site_runtime.shutdown_background();
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mocra-bench: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
