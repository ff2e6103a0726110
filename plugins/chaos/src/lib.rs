//! A spider that misbehaves on purpose, page by page, so the tests can show that the host
//! contains it: it panics, loops forever, eats memory or returns an error.

use mocra_sdk::{Error, Output, Page, Spider, SpiderInfo, export_spider};
use serde::Serialize;

#[derive(Serialize)]
struct Ok {
    url: String,
    n: u32,
}

#[derive(Default)]
struct Chaos;

impl Spider for Chaos {
    fn info(&self) -> SpiderInfo {
        SpiderInfo::new("chaos").start_url("http://127.0.0.1:8000/chaos/index")
    }

    fn parse(&self, page: &Page, out: &mut Output) -> Result<(), Error> {
        let url = mocra_sdk::url::Url::parse(page.url())?;
        match url.path() {
            "/chaos/index" => {
                for href in page.attrs("a", "href")? {
                    out.follow(&href)?;
                }
                Ok(())
            }
            "/chaos/panic" => panic!("chaos panic"),
            "/chaos/loop" => {
                let mut n: u64 = 0;
                loop {
                    n = std::hint::black_box(n.wrapping_add(1));
                }
            }
            "/chaos/oom" => {
                let mut hoard: Vec<Vec<u8>> = Vec::new();
                loop {
                    hoard.push(std::hint::black_box(vec![1u8; 1 << 20]));
                }
            }
            "/chaos/error" => Err(Error::other("chaos error")),
            other => {
                let n = other
                    .strip_prefix("/chaos/ok/")
                    .and_then(|n| n.parse().ok())
                    .ok_or_else(|| Error::invalid_input(format!("unexpected page {other}")))?;
                out.item(
                    "ok",
                    &Ok {
                        url: page.url().to_owned(),
                        n,
                    },
                )
            }
        }
    }
}

export_spider!(Chaos);
