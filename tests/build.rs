//! Builds the plugins (wasm32-wasip2, release) so that `cargo test` needs nothing else.
//!
//! A nested cargo with its own target directory: sharing the outer one would wait forever
//! on the lock the outer build holds.

use std::path::PathBuf;
use std::process::Command;

const PLUGINS: &[&str] = &["books", "catalog", "hostapi", "chaos", "not-a-spider"];

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let root = manifest
        .parent()
        .expect("tests/ sits in the workspace root");
    for dir in ["sdk", "plugins", "wit"] {
        println!("cargo:rerun-if-changed={}", root.join(dir).display());
    }
    let target_dir = root.join("target").join("wasm-plugins");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(root)
        .args(["build", "--release", "--target", "wasm32-wasip2"])
        .env("CARGO_TARGET_DIR", &target_dir);
    for plugin in PLUGINS {
        cmd.args(["-p", &format!("plugin-{plugin}")]);
    }
    // The outer build's settings are for the host target; keep them out of the nested one.
    for (key, _) in std::env::vars() {
        let leaks = key.starts_with("CARGO_CFG_")
            || key.starts_with("CARGO_FEATURE_")
            || key.starts_with("CARGO_PKG_")
            || key.starts_with("CARGO_ENCODED_")
            || key.starts_with("DEP_")
            || matches!(
                key.as_str(),
                "RUSTFLAGS"
                    | "RUSTC_WRAPPER"
                    | "RUSTC_WORKSPACE_WRAPPER"
                    | "CARGO_BUILD_TARGET"
                    | "CARGO_MAKEFLAGS"
                    | "CARGO_MANIFEST_DIR"
                    | "CARGO_MANIFEST_PATH"
                    | "CARGO_PRIMARY_PACKAGE"
                    | "CARGO_TARGET_DIR"
                    | "TARGET"
                    | "HOST"
                    | "OUT_DIR"
                    | "OPT_LEVEL"
                    | "PROFILE"
                    | "DEBUG"
                    | "NUM_JOBS"
                    | "RUSTC"
                    | "RUSTDOC"
                    | "RUSTC_LINKER"
            );
        if leaks {
            cmd.env_remove(&key);
        }
    }
    let status = cmd.status().expect("running cargo to build the plugins");
    if !status.success() {
        panic!(
            "building the plugins for wasm32-wasip2 failed (see above); if the target is missing, run `rustup target add wasm32-wasip2`"
        );
    }
    let out = target_dir.join("wasm32-wasip2").join("release");
    println!("cargo:rustc-env=MOCRA_PLUGIN_DIR={}", out.display());
}
