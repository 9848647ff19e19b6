//! `cargo xtask <コマンド>`（`.cargo/config.toml` の別名）。
//!
//! - `figures`: src/figures/*.svg をすべて作り直す
//! - `index`: src/appendix/verification-index.md を作り直す
//! - `gen`: その両方

use std::process::ExitCode;

fn main() -> ExitCode {
    let root = xtask::workspace_root();
    let cmd = std::env::args().nth(1).unwrap_or_default();
    let result = match cmd.as_str() {
        "figures" => xtask::figures::write_all(&root),
        "index" => xtask::index::write(&root),
        "gen" => xtask::figures::write_all(&root).and_then(|()| xtask::index::write(&root)),
        _ => {
            eprintln!("使い方: cargo xtask figures | index | gen");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("エラー: {e}");
            ExitCode::FAILURE
        }
    }
}
