//! Items as JSON Lines, one file per spider: `<dir>/<spider>.jsonl`.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::types::{Item, SpiderName};

#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    #[error("cannot write items to {path}: {cause}")]
    Io {
        path: PathBuf,
        cause: std::io::Error,
    },
    #[error("item of kind {kind:?} is not valid MessagePack: {message}")]
    BadItem { kind: String, message: String },
}

/// One buffered file per spider. Items are written in commit batches and flushed before
/// the batch's tasks are acked.
pub struct JsonlSinks {
    files: HashMap<SpiderName, (PathBuf, BufWriter<File>)>,
    /// One item's JSON, so a half-converted item never reaches a file.
    line: Vec<u8>,
}

impl JsonlSinks {
    /// Opens a file for each spider; `truncate` starts them empty (a new run), otherwise
    /// items are appended.
    pub fn open<'a>(
        dir: &Path,
        spiders: impl IntoIterator<Item = &'a SpiderName>,
        truncate: bool,
    ) -> Result<Self, SinkError> {
        let io = |path: &Path| {
            let path = path.to_owned();
            move |cause| SinkError::Io { path, cause }
        };
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let mut files = HashMap::new();
        for spider in spiders {
            let path = dir.join(format!("{spider}.jsonl"));
            let file = OpenOptions::new()
                .create(true)
                .write(true)
                .truncate(truncate)
                .append(!truncate)
                .open(&path)
                .map_err(io(&path))?;
            files.insert(
                spider.clone(),
                (path, BufWriter::with_capacity(256 * 1024, file)),
            );
        }
        Ok(Self {
            files,
            line: Vec::new(),
        })
    }

    /// Writes one item as a JSON object line: the item's own fields, in the order the
    /// plugin serialized them (transcoded straight from MessagePack, no tree in between).
    pub fn write(&mut self, spider: &SpiderName, item: &Item) -> Result<(), SinkError> {
        let Some((path, out)) = self.files.get_mut(spider) else {
            return Err(SinkError::Io {
                path: PathBuf::from(format!("{spider}.jsonl")),
                cause: std::io::Error::other("no sink opened for this spider"),
            });
        };
        self.line.clear();
        let mut from = rmp_serde::Deserializer::from_read_ref(&item.data);
        let mut to = serde_json::Serializer::new(&mut self.line);
        serde_transcode::transcode(&mut from, &mut to).map_err(|e| SinkError::BadItem {
            kind: item.kind.clone(),
            message: e.to_string(),
        })?;
        self.line.push(b'\n');
        out.write_all(&self.line).map_err(|cause| SinkError::Io {
            path: path.clone(),
            cause,
        })
    }

    pub fn flush(&mut self) -> Result<(), SinkError> {
        for (path, out) in self.files.values_mut() {
            out.flush().map_err(|cause| SinkError::Io {
                path: path.clone(),
                cause,
            })?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_items_as_json_objects_and_rejects_garbage() {
        #[derive(serde::Serialize)]
        struct Book {
            title: String,
            price: f64,
        }
        let dir = std::env::temp_dir().join(format!("mocra-sink-{}", std::process::id()));
        let spider = SpiderName::parse("books").unwrap();
        let mut sinks = JsonlSinks::open(&dir, [&spider], true).unwrap();
        let data = rmp_serde::to_vec_named(&Book {
            title: "Dune".into(),
            price: 9.5,
        })
        .unwrap();
        let item = Item {
            kind: "book".into(),
            data,
        };
        sinks.write(&spider, &item).unwrap();
        let bad = Item {
            kind: "book".into(),
            data: vec![0xc1],
        };
        let err = sinks.write(&spider, &bad).unwrap_err().to_string();
        assert!(
            err.starts_with("item of kind \"book\" is not valid MessagePack"),
            "{err}"
        );
        sinks.flush().unwrap();
        let text = std::fs::read_to_string(dir.join("books.jsonl")).unwrap();
        assert_eq!(text, "{\"title\":\"Dune\",\"price\":9.5}\n");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
