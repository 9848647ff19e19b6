//! 本の図 (src/figures/*.svg) を作るコード。図は手で描かず、必ずここから作る。
//!
//! 図を足すには、話題ごとのモジュールに `pub fn figures() -> Vec<Figure>` を書き、
//! [`all`] に加える。`cargo xtask figures` で書き出し、
//! ルートのテスト `figures_are_fresh` がコミット済みの SVG との一致を確かめる。

pub mod diffusion;
pub mod exchange;
mod gaussian;
pub mod hidden;
pub mod hvae;
mod ising;
mod kl;
pub mod kl_direction;
pub mod live;
pub mod mcmc;
pub mod rbm;
mod style;
pub mod vae;
pub mod variational;

use std::path::Path;

/// 1 枚の図: `src/figures/` の中のファイル名と、SVG の中身。
#[derive(Debug, Clone)]
pub struct Figure {
    /// `src/figures/` の中のファイル名（例: `fig1-gibbs.svg`）。
    pub file: &'static str,
    /// SVG の文字列。
    pub svg: String,
}

/// 本のすべての図を作る。
///
/// # Examples
///
/// ```
/// let figs = xtask::figures::all();
/// assert!(figs.iter().any(|f| f.file == "fig1-gibbs.svg"));
/// assert!(figs.iter().all(|f| f.svg.starts_with("<svg")));
/// ```
pub fn all() -> Vec<Figure> {
    let mut v = Vec::new();
    v.extend(kl::figures());
    v.extend(kl_direction::figures());
    v.extend(gaussian::figures());
    v.extend(ising::figures());
    v.extend(hidden::figures());
    v.extend(rbm::figures());
    v.extend(mcmc::figures());
    v.extend(exchange::figures());
    v.extend(variational::figures());
    v.extend(vae::figures());
    v.extend(hvae::figures());
    v.extend(diffusion::figures());
    v.extend(live::figures());
    v
}

/// すべての図を `root/src/figures/` に書き出す。
///
/// # Errors
///
/// ファイルを書けなければ入出力エラーを返す。
pub fn write_all(root: &Path) -> std::io::Result<()> {
    let dir = root.join("src/figures");
    std::fs::create_dir_all(&dir)?;
    for f in all() {
        std::fs::write(dir.join(f.file), &f.svg)?;
        println!("書き出し: src/figures/{}", f.file);
    }
    Ok(())
}
