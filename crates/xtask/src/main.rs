//! `cargo xtask <コマンド>`（`.cargo/config.toml` の別名）。
//!
//! - `figures`: src/figures/*.svg をすべて作り直す
//! - `index`: src/appendix/verification-index.md を作り直す
//! - `gen`: その両方
//! - `verify-marks [supports <出力>]`: mdBook の前処理。番号つきの式の下に検証の目印を入れる
//!   （book.toml の `[preprocessor.verify]`。`xtask::marks`）
//! - `search-terms [supports <出力>]`: mdBook の前処理。用語を定義した箇所に検索の重みと別名を入れる
//!   （book.toml の `[preprocessor.terms]`。`xtask::terms`）
//! - `runs [--check] [ch4|ch5|ch6|ch8|ch10]`: 第 4〜6 章と第 8 章・第 10 章の長い計算（リリースビルドで `cargo run --release -p xtask -- runs`）。
//!   結果を src/figures/data/*.tsv に書く（`--check` は書かずに一致を確かめる。`xtask::runs`）
//! - `mutants snapshot DIR | record DIR DATE COMMIT | rewrite`: 実装の変異テストの記録
//!   （`scripts/mutants.sh` が呼ぶ。`xtask::mutants`）
//! - `live`: 動かせる図（`xtask::figures::live`）を既定値と検査用の値の組で描き、結果を JSON で書く
//!   （ブラウザでの検査が、ページの中の WebAssembly の結果と比べる）
//! - `serve [DIR] [ADDR] [PREFIX]`: 組み上げた本を配る（既定: `book` を `127.0.0.1:3000` の `/` で）

use std::process::ExitCode;

fn main() -> ExitCode {
    let root = xtask::workspace_root();
    let cmd = std::env::args().nth(1).unwrap_or_default();
    let result = match cmd.as_str() {
        "figures" => xtask::figures::write_all(&root),
        "index" => xtask::index::write(&root),
        "gen" => xtask::figures::write_all(&root).and_then(|()| xtask::index::write(&root)),
        "verify-marks" => {
            // mdBook は先に `supports <出力>` で対応を尋ねる。目印は HTML なので、どの出力でも入れてよい
            if std::env::args().nth(2).as_deref() == Some("supports") {
                return ExitCode::SUCCESS;
            }
            xtask::marks::run_preprocessor(std::io::stdin().lock(), std::io::stdout().lock())
        }
        "search-terms" => {
            if std::env::args().nth(2).as_deref() == Some("supports") {
                return ExitCode::SUCCESS;
            }
            xtask::terms::run_preprocessor(std::io::stdin().lock(), std::io::stdout().lock())
        }
        "runs" => {
            // `runs [--check] [ch4|ch5|ch6|ch8|ch10]`: 章を指定しなければすべて
            let args: Vec<String> = std::env::args().skip(2).collect();
            let check = args.iter().any(|a| a == "--check");
            let only = args.iter().find(|a| a.starts_with("ch")).cloned();
            let want = |c: &str| only.as_deref().is_none_or(|o| o == c);
            let mut r = Ok(());
            if want("ch4") {
                r = xtask::runs::run(&root, check);
            }
            if r.is_ok() && want("ch5") {
                r = xtask::runs_mcmc::run(&root, check);
            }
            if r.is_ok() && want("ch6") {
                r = xtask::runs_exchange::run(&root, check);
            }
            if r.is_ok() && want("ch8") {
                r = xtask::runs_vae::run(&root, check);
            }
            if r.is_ok() && want("ch10") {
                r = xtask::runs_diffusion::run(&root, check);
            }
            r
        }
        "mutants" => {
            let arg = |i: usize| std::env::args().nth(i).unwrap_or_default();
            match arg(2).as_str() {
                "snapshot" => xtask::mutants::snapshot(&root, std::path::Path::new(&arg(3))),
                "record" => {
                    xtask::mutants::record(&root, std::path::Path::new(&arg(3)), &arg(4), &arg(5))
                }
                "rewrite" => xtask::mutants::rewrite(&root),
                _ => {
                    eprintln!(
                        "使い方: cargo xtask mutants snapshot DIR | record DIR DATE COMMIT | rewrite"
                    );
                    return ExitCode::from(2);
                }
            }
        }
        "live" => {
            // 動かせる図を既定値と検査用の値の組で描いた結果（ネイティブ）を JSON で標準出力に
            match xtask::figures::live::cases_json() {
                Ok(json) => {
                    println!("{json}");
                    Ok(())
                }
                Err(e) => Err(std::io::Error::other(e.to_string())),
            }
        }
        "serve" => {
            let dir = std::env::args().nth(2).unwrap_or_else(|| "book".into());
            let addr = std::env::args()
                .nth(3)
                .unwrap_or_else(|| "127.0.0.1:3000".into());
            let prefix = std::env::args().nth(4).unwrap_or_else(|| "/".into());
            xtask::serve::serve(&root.join(dir), &addr, &prefix)
        }
        _ => {
            eprintln!(
                "使い方: cargo xtask figures | index | gen | verify-marks | search-terms | runs | mutants | live | serve [DIR] [ADDR] [PREFIX]"
            );
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
