use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;

use super::{Tuning, check_start_urls, signals};
use mocra_host::engine::node::Node;
use mocra_host::engine::{Mode, shutdown};
use mocra_host::types::RunId;

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Directory of spider plugins: every *.wasm in it is loaded.
    #[arg(long, value_name = "DIR", env = "MOCRA_PLUGINS")]
    plugins: PathBuf,
    /// Start every spider from these URLs instead of its own start urls (repeatable).
    #[arg(long = "start-url", value_name = "URL")]
    start_urls: Vec<String>,
    #[command(flatten)]
    tuning: Tuning,
}

pub async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let settings = args.tuning.settings()?;
    check_start_urls(&args.start_urls)?;
    let services = super::services(&settings).await?;
    let node = Node::new(settings, services)?;
    let mut plugins = Vec::new();
    for path in wasm_files(&args.plugins)? {
        // A bad plugin is reported and skipped: the node serves the others.
        match node.load(&path).await {
            Ok(plugin) => plugins.push(plugin),
            Err(e) => tracing::error!("{e}"),
        }
    }
    anyhow::ensure!(
        !plugins.is_empty(),
        "no plugin could be loaded from {} (see the errors above); put spider .wasm files there",
        args.plugins.display()
    );
    let crawler = node.into_crawler(plugins, false)?;
    let names: Vec<_> = crawler.spiders().map(|s| s.to_string()).collect();
    tracing::info!(spiders = ?names, "serving");

    let (trigger, stop) = shutdown::channel();
    signals::forward(trigger)?;
    crawler.register_spiders().await;
    crawler.seed(&RunId("serve".into()), &args.start_urls).await;
    crawler.run(Mode::Forever, stop).await;
    eprintln!("{}", crawler.stats().summary(&names.join(",")));
    Ok(())
}

fn wasm_files(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read the plugin directory {}", dir.display()))?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "wasm") && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}
