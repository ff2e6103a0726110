//! The benchmark spider: a catalog page linking every item page. It keeps its selectors
//! parsed once, since `parse` runs for every page.

use mocra_sdk::scraper::Selector;
use mocra_sdk::{Error, Output, Page, Spider, SpiderInfo, export_spider, selector, text};
use serde::Serialize;

#[derive(Serialize)]
struct Item {
    url: String,
    title: String,
    price: String,
    desc: String,
}

struct Catalog {
    link: Selector,
    title: Selector,
    price: Selector,
    desc: Selector,
}

impl Default for Catalog {
    fn default() -> Self {
        let parse = |css| selector(css).expect("a valid selector literal");
        Self {
            link: parse("a.item"),
            title: parse("h1.title"),
            price: parse("span.price"),
            desc: parse("p.desc"),
        }
    }
}

impl Spider for Catalog {
    fn info(&self) -> SpiderInfo {
        SpiderInfo::new("catalog")
            .start_url("http://127.0.0.1:8000/catalog?n=100")
            .politeness(64, 0)
    }

    fn parse(&self, page: &Page, out: &mut Output) -> Result<(), Error> {
        let html = page.html();
        if page.step() == "item" {
            let first = |s: &Selector| html.select(s).next().map(|e| text(&e)).unwrap_or_default();
            let item = Item {
                url: page.url().to_owned(),
                title: first(&self.title),
                price: first(&self.price),
                desc: first(&self.desc),
            };
            return out.item("item", &item);
        }
        for link in html.select(&self.link) {
            if let Some(href) = link.value().attr("href") {
                out.follow_to(href, "item")?;
            }
        }
        Ok(())
    }
}

export_spider!(Catalog);
