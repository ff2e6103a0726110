use std::cell::OnceCell;

use scraper::{ElementRef, Html, Selector};
use serde::de::DeserializeOwned;

use crate::Error;
use crate::bindings::mocra::spider::types::Response;

/// A downloaded page. The HTML is parsed on first use, once.
pub struct Page {
    response: Response,
    html: OnceCell<Html>,
}

impl Page {
    pub fn new(response: Response) -> Self {
        Self {
            response,
            html: OnceCell::new(),
        }
    }

    /// The final URL, after redirects.
    pub fn url(&self) -> &str {
        &self.response.url
    }

    pub fn status(&self) -> u16 {
        self.response.status
    }

    /// The step its request named; `""` is the default step.
    pub fn step(&self) -> &str {
        &self.response.request.step
    }

    pub fn body(&self) -> &[u8] {
        &self.response.body
    }

    /// The body as text (invalid UTF-8 replaced).
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.response.body)
    }

    /// The first header of that name, case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.response
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// What the request carried with [`Request::meta`](crate::Request::meta).
    pub fn meta<T: DeserializeOwned>(&self) -> Result<T, Error> {
        Ok(rmp_serde::from_slice(&self.response.request.meta)?)
    }

    pub fn html(&self) -> &Html {
        self.html.get_or_init(|| Html::parse_document(&self.text()))
    }

    /// Elements matching a CSS selector, in document order.
    pub fn select(&self, css: &str) -> Result<Vec<ElementRef<'_>>, Error> {
        let selector = selector(css)?;
        Ok(self.html().select(&selector).collect())
    }

    /// The trimmed text of the first match.
    pub fn text_of(&self, css: &str) -> Result<Option<String>, Error> {
        let selector = selector(css)?;
        Ok(self.html().select(&selector).next().map(|e| text(&e)))
    }

    /// The `attr` attribute of every match that has it.
    pub fn attrs(&self, css: &str, attr: &str) -> Result<Vec<String>, Error> {
        let selector = selector(css)?;
        Ok(self
            .html()
            .select(&selector)
            .filter_map(|e| e.value().attr(attr).map(str::to_owned))
            .collect())
    }

    /// Resolves `href` against the page's URL.
    pub fn join(&self, href: &str) -> Result<String, Error> {
        Ok(url::Url::parse(self.url())?.join(href)?.into())
    }
}

/// Parses a CSS selector; keep the result to reuse it on every page.
pub fn selector(css: &str) -> Result<Selector, Error> {
    Selector::parse(css).map_err(|e| Error::invalid_input(format!("CSS selector {css:?}: {e}")))
}

/// An element's text, whitespace-trimmed.
pub fn text(element: &ElementRef<'_>) -> String {
    element.text().collect::<String>().trim().to_owned()
}
