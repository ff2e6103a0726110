use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use super::{Tuning, check_start_urls, signals};
use mocra_host::engine::node::Node;
use mocra_host::engine::{Mode, Summary, shutdown};
use mocra_host::types::RunId;

#[derive(Args, Debug)]
pub struct RunArgs {
    /// The spider plugin (.wasm component).
    plugin: PathBuf,
    /// Crawl from these URLs instead of the spider's own start urls (repeatable).
    #[arg(long = "start-url", value_name = "URL")]
    start_urls: Vec<String>,
    /// Also write the final stats as JSON to this file.
    #[arg(long, value_name = "FILE")]
    stats_json: Option<PathBuf>,
    #[command(flatten)]
    tuning: Tuning,
}

pub async fn run(args: RunArgs) -> anyhow::Result<()> {
    let settings = args.tuning.settings()?;
    check_start_urls(&args.start_urls)?;
    let out_dir = settings.out_dir.clone();
    let services = super::services(&settings).await?;
    let node = Node::new(settings, services)?;
    let plugin = node.load(&args.plugin).await?;
    let spider = plugin.name.clone();
    let crawler = node.into_crawler(vec![plugin], true)?;

    let (trigger, stop) = shutdown::channel();
    signals::forward(trigger)?;
    crawler.seed(&RunId::generate(), &args.start_urls).await;
    crawler.run(Mode::UntilIdle, stop).await;

    let summary = crawler.stats().summary(spider.as_str());
    eprintln!("{summary}");
    eprintln!(
        "  items in {}",
        out_dir.join(format!("{spider}.jsonl")).display()
    );
    if let Some(path) = &args.stats_json {
        write_stats(path, &summary)?;
    }
    Ok(())
}

pub fn write_stats(path: &std::path::Path, summary: &Summary) -> anyhow::Result<()> {
    let json = serde_json::to_vec_pretty(summary)?;
    std::fs::write(path, json).with_context(|| format!("cannot write stats to {}", path.display()))
}
