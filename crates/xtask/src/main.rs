//! `cargo xtask <コマンド>`（`.cargo/config.toml` の別名）。
//!
//! - `figures`: src/figures/*.svg をすべて作り直す
//! - `index`: src/appendix/verification-index.md を作り直す
//! - `gen`: その両方
//! - `serve [DIR] [ADDR] [PREFIX]`: 組み上げた本を配る（既定: `book` を `127.0.0.1:3000` の `/` で）

use std::process::ExitCode;

fn main() -> ExitCode {
    let root = xtask::workspace_root();
    let cmd = std::env::args().nth(1).unwrap_or_default();
    let result = match cmd.as_str() {
        "figures" => xtask::figures::write_all(&root),
        "index" => xtask::index::write(&root),
        "gen" => xtask::figures::write_all(&root).and_then(|()| xtask::index::write(&root)),
        "serve" => {
            let dir = std::env::args().nth(2).unwrap_or_else(|| "book".into());
            let addr = std::env::args()
                .nth(3)
                .unwrap_or_else(|| "127.0.0.1:3000".into());
            let prefix = std::env::args().nth(4).unwrap_or_else(|| "/".into());
            xtask::serve::serve(&root.join(dir), &addr, &prefix)
        }
        _ => {
            eprintln!("使い方: cargo xtask figures | index | gen | serve [DIR] [ADDR] [PREFIX]");
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
