//! 長い計算（[`crate::runs`]・[`crate::runs_mcmc`]・[`crate::runs_exchange`]）の共通の入出力:
//! 入力の指紋、結果のファイルの書き出しと照合、数の読み取り。
//!
//! # Examples
//!
//! ```
//! let root = xtask::workspace_root();
//! let a = xtask::runs_io::fingerprint(&root, &["Cargo.toml"]).unwrap();
//! assert_eq!(a.len(), 16);
//! assert_ne!(a, xtask::runs_io::fingerprint(&root, &["README.md"]).unwrap());
//! ```

use crate::mutants::fnv1a;
use std::io;
use std::path::Path;

/// ファイル `inputs`（根からの相対）の名前と中身をつないだものの FNV-1a（16 桁の 16 進）。
///
/// # Errors
///
/// ファイルが読めなければエラーを返す。
pub fn fingerprint(root: &Path, inputs: &[&str]) -> io::Result<String> {
    let mut all = Vec::new();
    for f in inputs {
        all.extend_from_slice(f.as_bytes());
        all.push(0);
        all.extend(std::fs::read(root.join(f))?);
        all.push(0);
    }
    Ok(format!("{:016x}", fnv1a(&all)))
}

/// 形の崩れたデータの入出力エラー。
pub fn bad(msg: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg.into())
}

/// タブ区切りの欄 `s` を数として読む（読めなければファイル名 `file` を添えたエラー）。
///
/// # Errors
///
/// 欄がないか読めなければエラーを返す。
pub fn num<T: std::str::FromStr>(s: Option<&str>, file: &str) -> io::Result<T> {
    s.and_then(|v| v.parse().ok())
        .ok_or_else(|| bad(format!("{file}: 数が読めない: {s:?}")))
}

/// 結果 `text` をファイル `rel`（根からの相対）に書く。`check` なら書かずに、コミット済みのファイルと
/// 1 バイトも違わないことを確かめる。
///
/// # Errors
///
/// 入出力に失敗するか、`check` でファイルと違えばエラーを返す。
pub fn write_or_check(root: &Path, rel: &str, text: &str, check: bool) -> io::Result<()> {
    let path = root.join(rel);
    if check {
        let committed = std::fs::read_to_string(&path)?;
        if committed != text {
            return Err(bad(format!(
                "{rel} が計算し直した結果と違う: `cargo run --release -p xtask -- runs` で書き直す"
            )));
        }
        println!("{rel}: 計算し直した結果と一致");
        return Ok(());
    }
    std::fs::create_dir_all(path.parent().unwrap_or(root))?;
    std::fs::write(&path, text)?;
    println!("書き出し: {rel}");
    Ok(())
}
