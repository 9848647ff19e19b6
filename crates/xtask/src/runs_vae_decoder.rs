//! 第 8 章の長い計算が書く 2 つ目のファイル [`DECODER`]（学習した `d = 2` の VAE のデコーダと、
//! 検証用の点の潜在変数の平均）を読む。書くのは [`crate::runs_vae`]。
//! 本のページの動かせる図（[`crate::figures::live::vae_latent`]）が、埋め込んだこのファイルを読む。

use crate::runs_io::{self, bad};
use crate::runs_vae::{DECODER, model_err};
use genmodel::ndarray::{Array1, Array2};
use genmodel::nn::{Activation, Dense, Mlp};
use genmodel::vae::{Likelihood, Vae};
use std::io;
use std::path::Path;

/// [`DECODER`] の中身: 学習した `d = 2` の VAE のデコーダと、検証用の点の潜在変数の平均。
#[derive(Debug, Clone)]
pub struct DecoderRuns {
    /// 指紋（[`crate::runs_vae::VaeRuns`] のものと同じ）。
    pub fingerprint: String,
    /// デコーダ（`2 → 128 → 128 → 64`、隠れ層は tanh、出力はロジット）をもつ VAE。エンコーダは
    /// ファイルにないので 0 の 1 層（`64 → 4`）で埋めてある: 使えるのは [`Vae::decode`] だけ。
    pub vae: Vae,
    /// 検証用の点の潜在変数の平均 `(ラベル, μ₁, μ₂)`（[`crate::runs_vae::VaeRuns::latent`] と同じ）。
    pub latent: Vec<(u8, f64, f64)>,
}

impl DecoderRuns {
    /// ファイルを読む。
    ///
    /// # Errors
    ///
    /// 読めないか形が崩れていればエラーを返す。
    pub fn read(root: &Path) -> io::Result<DecoderRuns> {
        Self::parse(&std::fs::read_to_string(root.join(DECODER))?)
    }

    /// ファイルの中身 `text` を読む。
    ///
    /// # Errors
    ///
    /// 形が崩れているか、層の形が合わなければエラーを返す。
    pub fn parse(text: &str) -> io::Result<DecoderRuns> {
        let n = |s: Option<&str>| -> io::Result<f64> { runs_io::num(s, DECODER) };
        let mut fingerprint = String::new();
        let mut latent = Vec::new();
        // 層ごとの (重みの行, バイアス)
        let mut layers: Vec<(Vec<Vec<f64>>, Vec<f64>)> = Vec::new();
        for line in text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
        {
            let mut f = line.split('\t');
            match f.next() {
                Some("fingerprint") => fingerprint = runs_io::num(f.next(), DECODER)?,
                Some("W") => {
                    let k: usize = runs_io::num(f.next(), DECODER)?;
                    let i: usize = runs_io::num(f.next(), DECODER)?;
                    let row: Vec<f64> = f.map(|v| n(Some(v))).collect::<io::Result<_>>()?;
                    let l = layer(&mut layers, k)?;
                    if i != l.0.len() {
                        return Err(bad(format!(
                            "{DECODER}: 層 {k} の重みの行 {i} が順に並んでいない"
                        )));
                    }
                    l.0.push(row);
                }
                Some("b") => {
                    let k: usize = runs_io::num(f.next(), DECODER)?;
                    let b: Vec<f64> = f.map(|v| n(Some(v))).collect::<io::Result<_>>()?;
                    layer(&mut layers, k)?.1 = b;
                }
                Some("latent") => {
                    latent.push((runs_io::num(f.next(), DECODER)?, n(f.next())?, n(f.next())?))
                }
                other => return Err(bad(format!("{DECODER}: 知らない行 {other:?}"))),
            }
        }
        let dense = layers
            .into_iter()
            .map(|(w, b)| {
                let cols = w.first().map_or(0, Vec::len);
                if w.iter().any(|r| r.len() != cols) {
                    return Err(bad(format!("{DECODER}: 重みの行の長さがそろっていない")));
                }
                let w = Array2::from_shape_vec((w.len(), cols), w.concat())
                    .map_err(|e| bad(e.to_string()))?;
                Dense::new(&w, &Array1::from(b)).map_err(model_err)
            })
            .collect::<io::Result<Vec<_>>>()?;
        let decoder =
            Mlp::from_layers(dense, Activation::Tanh, Activation::Identity).map_err(model_err)?;
        let encoder = Mlp::from_layers(
            vec![Dense::zeros(decoder.n_outputs(), 2 * decoder.n_inputs()).map_err(model_err)?],
            Activation::Identity,
            Activation::Identity,
        )
        .map_err(model_err)?;
        let vae =
            Vae::from_parts(encoder, decoder, Likelihood::Bernoulli, 0.0).map_err(model_err)?;
        Ok(DecoderRuns {
            fingerprint,
            vae,
            latent,
        })
    }
}

/// 層 `k` の（重みの行, バイアス）: 次の層なら空で足す。
fn layer(
    layers: &mut Vec<(Vec<Vec<f64>>, Vec<f64>)>,
    k: usize,
) -> io::Result<&mut (Vec<Vec<f64>>, Vec<f64>)> {
    if k > layers.len() {
        return Err(bad(format!("{DECODER}: 層 {k} の前の層がない")));
    }
    if k == layers.len() {
        layers.push((Vec::new(), Vec::new()));
    }
    Ok(&mut layers[k])
}
