//! Write spiders for the mocra crawler as WebAssembly components.
//!
//! A spider is a `cdylib` crate built with `--target wasm32-wasip2`: implement [`Spider`] on a
//! `Default` type and call [`export_spider!`] once. The host fetches pages, runs `parse` in a
//! sandbox, and owns the frontier, dedup, cache, shared state and locks, which a spider
//! reaches through [`host`].

#[doc(hidden)]
pub mod bindings {
    wit_bindgen::generate!({
        path: "../wit",
        world: "spider-plugin",
        pub_export_macro: true,
        export_macro_name: "__export_spider_world",
        default_bindings_module: "mocra_sdk::bindings",
    });
}

mod error;
pub mod host;
mod output;
mod page;
mod request;
mod spider;

pub use error::Error;
pub use output::Output;
pub use page::{Page, selector, text};
pub use request::Request;
pub use spider::{Politeness, Spider, SpiderInfo};

pub use scraper;
pub use serde;
pub use url;

#[doc(hidden)]
pub mod __private {
    pub use crate::spider::{info, parse, start};
}

/// Exports a [`Spider`] as the component's `mocra:spider/spider` interface. Call it once, in
/// the crate root, with a type that implements `Spider` (and `Default`). The spider value is
/// made on first use and lives as long as the instance.
#[macro_export]
macro_rules! export_spider {
    ($spider:ty) => {
        const _: () = {
            use $crate::bindings::exports::mocra::spider::spider as __wit;
            use $crate::bindings::mocra::spider::types as __types;

            ::std::thread_local! {
                static SPIDER: $spider = <$spider as ::core::default::Default>::default();
            }

            struct __MocraSpider;

            impl __wit::Guest for __MocraSpider {
                fn info() -> __types::SpiderInfo {
                    SPIDER.with(|s| $crate::__private::info(s))
                }

                fn start() -> ::core::result::Result<Vec<__types::Request>, __types::Error> {
                    SPIDER.with(|s| $crate::__private::start(s))
                }

                fn parse(
                    response: __types::Response,
                ) -> ::core::result::Result<__types::Output, __types::Error> {
                    SPIDER.with(|s| $crate::__private::parse(s, response))
                }
            }

            $crate::bindings::__export_spider_world!(__MocraSpider);
        };
    };
}
