//! 本のための自動化。図と検証索引は、ここのコードだけが作る。
//!
//! ルートパッケージ `book` のテストは、ここで作り直したものが
//! コミット済みのファイルと一致することを確かめる。
//!
//! # Examples
//!
//! ```
//! let root = xtask::workspace_root();
//! assert!(root.join("book.toml").exists());
//! ```
#![forbid(unsafe_code)]

pub mod data;
pub mod figures;
pub mod hvae_numbers;
pub mod index;
pub mod marks;
pub mod mutants;
pub mod runs;
pub mod runs_diffusion;
pub mod runs_exchange;
pub mod runs_io;
pub mod runs_mcmc;
pub mod runs_vae;
pub mod runs_vae_decoder;
pub mod serve;
pub mod terms;

use std::path::PathBuf;

/// ワークスペースの根（`book.toml` のある場所）。
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("ワークスペースの根が見つからない")
}
