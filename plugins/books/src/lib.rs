//! The example spider: a paginated listing whose products are scraped in a `detail` step.

use mocra_sdk::{Error, Output, Page, Spider, SpiderInfo, export_spider};
use serde::Serialize;

#[derive(Serialize)]
struct Book {
    url: String,
    title: String,
    price: String,
    author: String,
}

#[derive(Default)]
struct Books;

impl Spider for Books {
    fn info(&self) -> SpiderInfo {
        SpiderInfo::new("books").start_url("http://127.0.0.1:8000/books/page/1")
    }

    fn parse(&self, page: &Page, out: &mut Output) -> Result<(), Error> {
        match page.step() {
            "detail" => {
                let field = |css| Ok::<_, Error>(page.text_of(css)?.unwrap_or_default());
                let book = Book {
                    url: page.url().to_owned(),
                    title: field("h1.title")?,
                    price: field("span.price")?,
                    author: field("span.author")?,
                };
                out.item("book", &book)
            }
            _ => {
                for href in page.attrs("a.product", "href")? {
                    out.follow_to(&href, "detail")?;
                }
                for href in page.attrs("a[rel=next]", "href")? {
                    out.follow(&href)?;
                }
                Ok(())
            }
        }
    }
}

export_spider!(Books);
