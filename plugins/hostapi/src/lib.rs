//! Exercises every host interface once and reports what each call answered, so an
//! end-to-end test can check the whole contract through a real plugin.

use mocra_sdk::host::{cache, lock, log, queue, sync};
use mocra_sdk::{Error, Output, Page, Request, Spider, SpiderInfo, export_spider, host};
use serde::Serialize;

#[derive(Serialize)]
struct Report {
    cache_get: Option<String>,
    set_nx_first: bool,
    set_nx_second: bool,
    incr: i64,
    delete_first: bool,
    delete_second: bool,
    get_after_delete: Option<String>,
    sync_before: Option<(u64, String)>,
    sync_versions: [u64; 2],
    sync_after: Option<(u64, String)>,
    lock_first: bool,
    lock_contended: bool,
    lock_released: bool,
    lock_token_increased: bool,
    lock_renewed: bool,
    topic: Vec<String>,
    topic_after: Vec<String>,
    enqueue_first: bool,
    enqueue_second: bool,
    fetch_status: u16,
    fetch_body: String,
    fetch_forbidden: String,
}

#[derive(Serialize)]
struct Second {
    step: String,
    url: String,
}

#[derive(Default)]
struct HostApi;

fn utf8(bytes: Vec<u8>) -> String {
    String::from_utf8_lossy(&bytes).into_owned()
}

fn report(origin: &str) -> Result<Report, Error> {
    cache::set("k", b"v", None)?;
    let cache_get = cache::get("k")?.map(utf8);
    let set_nx_first = cache::set_nx("n", b"1", None)?;
    let set_nx_second = cache::set_nx("n", b"2", None)?;
    cache::incr("c", 5)?;
    let incr = cache::incr("c", -2)?;
    let delete_first = cache::delete("k")?;
    let delete_second = cache::delete("k")?;
    let get_after_delete = cache::get("k")?.map(utf8);

    let sync_before = sync::get("t")?.map(|(v, value)| (v, utf8(value)));
    let sync_versions = [sync::publish("t", b"a")?, sync::publish("t", b"b")?];
    let sync_after = sync::get("t")?.map(|(v, value)| (v, utf8(value)));

    let first = lock::acquire("L", 10_000)?;
    let lock_first = first.is_some();
    let lock_contended = lock::acquire("L", 10_000)?.is_some();
    let first = first.ok_or_else(|| Error::other("the first lock was refused"))?;
    let first_token = first.token();
    let lock_released = first.release()?;
    let second = lock::acquire("L", 10_000)?
        .ok_or_else(|| Error::other("the lock was not free after release"))?;
    let lock_token_increased = second.token() > first_token;
    let lock_renewed = second.renew(10_000)?;
    second.release()?;

    queue::publish("news", b"x")?;
    queue::publish("news", b"y")?;
    let topic = queue::consume("news", 10)?.into_iter().map(utf8).collect();
    let topic_after = queue::consume("news", 10)?.into_iter().map(utf8).collect();
    let second_page = || Request::get(format!("{origin}/hostapi/second")).step("second");
    let enqueue_first = queue::enqueue(second_page())?;
    let enqueue_second = queue::enqueue(second_page())?;

    let data = host::fetch(Request::get(format!("{origin}/hostapi/data")))?;
    let fetch_forbidden = match host::fetch(Request::get("http://forbidden.example/")) {
        Ok(_) => "fetched".to_owned(),
        Err(e) => e.kind().to_owned(),
    };
    log::info("hostapi ran");
    Ok(Report {
        cache_get,
        set_nx_first,
        set_nx_second,
        incr,
        delete_first,
        delete_second,
        get_after_delete,
        sync_before,
        sync_versions,
        sync_after,
        lock_first,
        lock_contended,
        lock_released,
        lock_token_increased,
        lock_renewed,
        topic,
        topic_after,
        enqueue_first,
        enqueue_second,
        fetch_status: data.status(),
        fetch_body: data.text().into_owned(),
        fetch_forbidden,
    })
}

impl Spider for HostApi {
    fn info(&self) -> SpiderInfo {
        SpiderInfo::new("hostapi")
            .start_url("http://127.0.0.1:8000/hostapi/start")
            .allowed_domain("127.0.0.1")
    }

    fn parse(&self, page: &Page, out: &mut Output) -> Result<(), Error> {
        if page.step() == "second" {
            let second = Second {
                step: page.step().to_owned(),
                url: page.url().to_owned(),
            };
            return out.item("second", &second);
        }
        let url = mocra_sdk::url::Url::parse(page.url())?;
        if url.path() != "/hostapi/start" {
            return Ok(());
        }
        let origin = url.origin().ascii_serialization();
        out.item("report", &report(&origin)?)
    }
}

export_spider!(HostApi);
