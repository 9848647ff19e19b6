//! 多層パーセプトロンのエンコーダとデコーダをもつ VAE と、1 標本の ELBO の勾配（第 8 章の (8.12)–(8.19)）。
//!
//! ミニバッチ `X`（`B × D`、1 行 1 点）と雑音 `E`（`B × d`、成分は標準正規分布）から
//!
//! 1. エンコーダ `[M, S] = enc(X)`（`M` が平均 `μ`、`S` が対数分散 `ln σ²`、どちらも `B × d`）
//! 2. 再パラメータ化 `Z = M + exp(S/2) ⊙ E`
//! 3. デコーダ `Y = dec(Z)`（ベルヌーイ分布ならロジット、ガウス分布なら平均）
//!
//! と進み、1 点あたりの ELBO の 1 標本の推定 `ln q_θ(x | z) − KL(r_φ ‖ q)` をバッチで平均する。
//! 勾配は出力側から逆向きに、(8.17) の `∂/∂Y`、デコーダの誤差逆伝播 (8.14)–(8.15) で `∂/∂Z`、
//! (8.18)–(8.19) で `∂/∂M`・`∂/∂S`、エンコーダの誤差逆伝播と求める（層の前向きの計算は (8.13)）。

use crate::error::{Error, Result, ensure_finite, ensure_len};
use crate::nn::{Activation, Gradients, Mlp};
use ndarray::{Array1, Array2, ArrayView2, AsArray, Axis, Ix2, Slice, Zip, concatenate};
use rand::Rng;

const LN_2PI: f64 = 1.837_877_066_409_345_5;

/// この行数以上のミニバッチは、前半と後半に分けて 2 つのスレッドで勾配を求める（[`Vae::elbo_gradient`]）。
pub const SPLIT_ROWS: usize = 64;

/// デコーダの分布 `q_θ(x | z)`。
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Likelihood {
    /// 画素ごとに独立なベルヌーイ分布。デコーダの出力 `y` はロジットで、`P(x_i = 1) = σ(y_i)`。データは `[0, 1]` の値。
    Bernoulli,
    /// `N(y, σ₀² I)`。デコーダの出力 `y` は平均で、`ln σ₀²` も学習するパラメータ。
    Gaussian,
}

/// 多層パーセプトロンのエンコーダとデコーダをもつ VAE。
///
/// # Examples
///
/// ```
/// use genmodel::{gaussian::univariate::seeded_rng, nn::Activation, vae::{Likelihood, Vae}, Error};
///
/// let mut rng = seeded_rng(0);
/// let vae = Vae::new(64, 2, &[32], Activation::Tanh, Likelihood::Bernoulli, &mut rng)?;
/// assert_eq!((vae.data_dim(), vae.latent_dim()), (64, 2));
/// // エンコーダは 64 → 32 → 2·2、デコーダは 2 → 32 → 64
/// assert_eq!(vae.encoder().sizes(), vec![64, 32, 4]);
/// assert_eq!(vae.decoder().sizes(), vec![2, 32, 64]);
/// assert!(matches!(Vae::new(64, 0, &[32], Activation::Tanh, Likelihood::Bernoulli, &mut rng), Err(Error::InvalidParameter { .. })));
/// # Ok::<(), Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Vae {
    encoder: Mlp,
    decoder: Mlp,
    likelihood: Likelihood,
    log_noise: f64,
}

/// [`Vae`] の 1 点あたりの平均 ELBO の勾配（パラメータと同じ形）。
#[derive(Debug, Clone, PartialEq)]
pub struct VaeGradient {
    /// エンコーダのパラメータについての勾配。
    pub encoder: Gradients,
    /// デコーダのパラメータについての勾配。
    pub decoder: Gradients,
    /// `ln σ₀²` についての勾配（ベルヌーイ分布では 0）。
    pub log_noise: f64,
}

impl VaeGradient {
    /// パラメータの並び [`Vae::params_flat`] と同じ順の 1 列。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{gaussian::univariate::seeded_rng, ndarray::Array2, nn::Activation, vae::{Likelihood, Vae}};
    ///
    /// let mut rng = seeded_rng(1);
    /// let vae = Vae::new(3, 1, &[4], Activation::Tanh, Likelihood::Gaussian, &mut rng)?;
    /// let (_, g) = vae.elbo_gradient(&Array2::zeros((2, 3)), &Array2::zeros((2, 1)))?;
    /// assert_eq!(g.flat(Likelihood::Gaussian).len(), vae.params_flat().len());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn flat(&self, likelihood: Likelihood) -> Array1<f64> {
        let mut v = self.encoder.flat().to_vec();
        v.extend(self.decoder.flat());
        if likelihood == Likelihood::Gaussian {
            v.push(self.log_noise);
        }
        Array1::from(v)
    }
}

impl Vae {
    /// 隠れ層の幅 `hidden` のエンコーダ `D → hidden → 2d` とデコーダ `d → hidden（逆順）→ D` を、乱数で初期化して作る。
    ///
    /// 出力層の活性化は恒等写像、ガウス分布の `ln σ₀²` は 0 から始める。
    ///
    /// # Errors
    ///
    /// - `data_dim` か `latent_dim` が 0、幅 0 の隠れ層: [`Error::InvalidParameter`]
    /// - パラメータが多すぎる: [`Error::TooLarge`]
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{gaussian::univariate::seeded_rng, nn::Activation, vae::{Likelihood, Vae}};
    ///
    /// let a = Vae::new(4, 2, &[8, 6], Activation::Relu, Likelihood::Gaussian, &mut seeded_rng(3))?;
    /// let b = Vae::new(4, 2, &[8, 6], Activation::Relu, Likelihood::Gaussian, &mut seeded_rng(3))?;
    /// assert_eq!(a, b); // 同じシードなら同じモデル
    /// assert_eq!(a.decoder().sizes(), vec![2, 6, 8, 4]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn new<R: Rng + ?Sized>(
        data_dim: usize,
        latent_dim: usize,
        hidden: &[usize],
        activation: Activation,
        likelihood: Likelihood,
        rng: &mut R,
    ) -> Result<Self> {
        for (name, v) in [
            ("データの次元 D", data_dim),
            ("潜在変数の次元 d", latent_dim),
        ] {
            if v == 0 {
                return Err(Error::InvalidParameter {
                    name,
                    value: 0.0,
                    requirement: "1 以上",
                });
            }
        }
        let enc_out = latent_dim.checked_mul(2).ok_or(Error::TooLarge {
            what: "潜在変数の次元 d",
            requested: latent_dim,
            max: usize::MAX / 2,
        })?;
        let mut enc = vec![data_dim];
        enc.extend_from_slice(hidden);
        enc.push(enc_out);
        let mut dec = vec![latent_dim];
        dec.extend(hidden.iter().rev());
        dec.push(data_dim);
        let encoder = Mlp::new(&enc, activation, Activation::Identity, rng)?;
        let decoder = Mlp::new(&dec, activation, Activation::Identity, rng)?;
        Self::from_parts(encoder, decoder, likelihood, 0.0)
    }

    /// エンコーダ（出力 `2d` 列: 前の `d` 列が `μ`、後の `d` 列が `ln σ²`）、デコーダ（`d → D`）、
    /// デコーダの分布と `ln σ₀²` から作る。出力層の活性化は何でもよい（恒等写像が標準）。
    ///
    /// # Errors
    ///
    /// - エンコーダの出力の幅が奇数: [`Error::InvalidParameter`]
    /// - 幅が合わない（エンコーダの出力 ≠ 2 × デコーダの入力、デコーダの出力 ≠ エンコーダの入力）: [`Error::DimensionMismatch`]
    /// - `log_noise` が有限でない: [`Error::NonFinite`]
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{ndarray::array, nn::{Activation, Dense, Mlp}, vae::{Likelihood, Vae}, Error};
    ///
    /// // 線形のエンコーダ 2 → 2·1 とデコーダ 1 → 2
    /// let enc = Mlp::from_layers(vec![Dense::zeros(2, 2)?], Activation::Identity, Activation::Identity)?;
    /// let dec = Mlp::from_layers(vec![Dense::new(&array![[1.0, 0.5]], &array![0.0, 0.0])?], Activation::Identity, Activation::Identity)?;
    /// let vae = Vae::from_parts(enc.clone(), dec.clone(), Likelihood::Gaussian, -1.0)?;
    /// assert_eq!(vae.log_noise(), -1.0);
    /// let dec3 = Mlp::from_layers(vec![Dense::zeros(1, 3)?], Activation::Identity, Activation::Identity)?;
    /// assert_eq!(Vae::from_parts(enc.clone(), dec3, Likelihood::Gaussian, 0.0), Err(Error::DimensionMismatch { expected: 2, actual: 3 }));
    /// assert!(matches!(Vae::from_parts(enc, dec, Likelihood::Gaussian, f64::NAN), Err(Error::NonFinite { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn from_parts(
        encoder: Mlp,
        decoder: Mlp,
        likelihood: Likelihood,
        log_noise: f64,
    ) -> Result<Self> {
        if encoder.n_outputs() % 2 != 0 {
            return Err(Error::InvalidParameter {
                name: "エンコーダの出力の幅",
                value: encoder.n_outputs() as f64,
                requirement: "偶数（μ と ln σ² を同じ数だけ）",
            });
        }
        ensure_len(encoder.n_outputs() / 2, decoder.n_inputs())?;
        ensure_len(encoder.n_inputs(), decoder.n_outputs())?;
        ensure_finite("ln σ₀²", [log_noise])?;
        Ok(Self {
            encoder,
            decoder,
            likelihood,
            log_noise,
        })
    }

    /// 線形ガウスの VAE（[`crate::vae::LinearVae`]）を、1 層の恒等写像のネットワークの VAE にする（同じモデル）。
    ///
    /// デコーダの層は重み `Wᵀ`（`d × D`）とバイアス `b`、エンコーダの層は重み `[Vᵀ | 0]`（`D × 2d`）とバイアス
    /// `[c, ln σ²]` で、`ln σ²` は `x` によらない。デコーダの分布はガウス分布で、`ln σ₀²` はそのまま。
    ///
    /// # Errors
    ///
    /// 形が合わない（[`crate::vae::LinearVae`] のフィールドを直接書き換えた場合）: [`Error::DimensionMismatch`] など。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{gaussian::univariate::seeded_rng, ndarray::array, vae::{LinearVae, Ppca, Vae}};
    ///
    /// let x = array![[2.0, 0.1, 0.3], [-1.0, 0.2, -0.3], [0.5, -0.4, 0.1], [-1.5, 0.1, -0.1]];
    /// let p = Ppca::fit(&x, 1)?;
    /// let vae = Vae::from_linear(&LinearVae::from_ppca(&p)?)?;
    /// // エンコーダは厳密な事後分布なので、重点サンプリングの推定は対数尤度そのもの
    /// let ll = vae.log_likelihood(&x, 5, &mut seeded_rng(0))?;
    /// assert!((ll.mean - p.mean_log_likelihood(&x)?).abs() < 1e-12);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn from_linear(m: &crate::vae::LinearVae) -> Result<Self> {
        let (dim, latent) = m.w.dim();
        ensure_len(latent, m.v.nrows())?;
        ensure_len(dim, m.v.ncols())?;
        let enc_w = concatenate![Axis(1), m.v.t(), Array2::zeros((dim, latent))];
        let enc_b = concatenate![Axis(0), m.c, m.log_s2];
        let id = Activation::Identity;
        let encoder = Mlp::from_layers(vec![crate::nn::Dense::new(&enc_w, &enc_b)?], id, id)?;
        let decoder = Mlp::from_layers(vec![crate::nn::Dense::new(m.w.t(), &m.b)?], id, id)?;
        Self::from_parts(encoder, decoder, Likelihood::Gaussian, m.log_sigma2)
    }

    /// エンコーダ。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{gaussian::univariate::seeded_rng, nn::Activation, vae::{Likelihood, Vae}};
    ///
    /// let vae = Vae::new(5, 2, &[], Activation::Tanh, Likelihood::Gaussian, &mut seeded_rng(0))?;
    /// assert_eq!(vae.encoder().sizes(), vec![5, 4]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn encoder(&self) -> &Mlp {
        &self.encoder
    }

    /// デコーダ。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{gaussian::univariate::seeded_rng, nn::Activation, vae::{Likelihood, Vae}};
    ///
    /// let vae = Vae::new(5, 2, &[], Activation::Tanh, Likelihood::Gaussian, &mut seeded_rng(0))?;
    /// assert_eq!(vae.decoder().sizes(), vec![2, 5]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn decoder(&self) -> &Mlp {
        &self.decoder
    }

    /// デコーダの分布。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{gaussian::univariate::seeded_rng, nn::Activation, vae::{Likelihood, Vae}};
    ///
    /// let vae = Vae::new(5, 2, &[3], Activation::Tanh, Likelihood::Bernoulli, &mut seeded_rng(0))?;
    /// assert_eq!(vae.likelihood(), Likelihood::Bernoulli);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn likelihood(&self) -> Likelihood {
        self.likelihood
    }

    /// ガウス分布のデコーダの `ln σ₀²`（ベルヌーイ分布では使わない）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{gaussian::univariate::seeded_rng, nn::Activation, vae::{Likelihood, Vae}};
    ///
    /// let vae = Vae::new(5, 2, &[3], Activation::Tanh, Likelihood::Gaussian, &mut seeded_rng(0))?;
    /// assert_eq!(vae.log_noise(), 0.0);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn log_noise(&self) -> f64 {
        self.log_noise
    }

    /// データの次元 `D`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{gaussian::univariate::seeded_rng, nn::Activation, vae::{Likelihood, Vae}};
    ///
    /// assert_eq!(Vae::new(5, 2, &[3], Activation::Tanh, Likelihood::Gaussian, &mut seeded_rng(0))?.data_dim(), 5);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn data_dim(&self) -> usize {
        self.encoder.n_inputs()
    }

    /// 潜在変数の次元 `d`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{gaussian::univariate::seeded_rng, nn::Activation, vae::{Likelihood, Vae}};
    ///
    /// assert_eq!(Vae::new(5, 2, &[3], Activation::Tanh, Likelihood::Gaussian, &mut seeded_rng(0))?.latent_dim(), 2);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn latent_dim(&self) -> usize {
        self.decoder.n_inputs()
    }

    /// パラメータを 1 列に並べたもの（エンコーダ、デコーダ、ガウス分布なら最後に `ln σ₀²`）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{gaussian::univariate::seeded_rng, nn::Activation, vae::{Likelihood, Vae}};
    ///
    /// let mut vae = Vae::new(3, 1, &[2], Activation::Tanh, Likelihood::Gaussian, &mut seeded_rng(0))?;
    /// let mut p = vae.params_flat();
    /// assert_eq!(p.len(), vae.encoder().n_params() + vae.decoder().n_params() + 1);
    /// *p.last_mut().unwrap() = -2.0;
    /// vae.set_params_flat(&p)?;
    /// assert_eq!(vae.log_noise(), -2.0);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn params_flat(&self) -> Array1<f64> {
        let mut v = self.encoder.params_flat().to_vec();
        v.extend(self.decoder.params_flat());
        if self.likelihood == Likelihood::Gaussian {
            v.push(self.log_noise);
        }
        Array1::from(v)
    }

    /// [`Vae::params_flat`] の並びからパラメータを置き換える。失敗したときは何も変えない。
    ///
    /// # Errors
    ///
    /// 長さが違う: [`Error::DimensionMismatch`]。有限でない値: [`Error::NonFinite`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{gaussian::univariate::seeded_rng, ndarray::Array1, nn::Activation, vae::{Likelihood, Vae}, Error};
    ///
    /// let mut vae = Vae::new(3, 1, &[2], Activation::Tanh, Likelihood::Bernoulli, &mut seeded_rng(0))?;
    /// let before = vae.clone();
    /// assert!(matches!(vae.set_params_flat(&Array1::zeros(3)), Err(Error::DimensionMismatch { .. })));
    /// let mut p = vae.params_flat();
    /// p[0] = f64::NAN;
    /// assert!(matches!(vae.set_params_flat(&p), Err(Error::NonFinite { .. })));
    /// assert_eq!(vae, before);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn set_params_flat<'a>(
        &mut self,
        params: impl AsArray<'a, f64, ndarray::Ix1>,
    ) -> Result<()> {
        let p: ndarray::ArrayView1<'a, f64> = params.into();
        ensure_len(self.params_flat().len(), p.len())?;
        ensure_finite("パラメータ", p.iter().copied())?;
        let (ne, nd) = (self.encoder.n_params(), self.decoder.n_params());
        // 長さと有限性は上で確かめたので、2 つのネットワークへの書き込みは失敗しない（途中で止まらない）
        self.encoder
            .set_params_flat(p.slice_axis(Axis(0), Slice::from(..ne)))?;
        self.decoder
            .set_params_flat(p.slice_axis(Axis(0), Slice::from(ne..ne + nd)))?;
        if self.likelihood == Likelihood::Gaussian {
            self.log_noise = p[ne + nd];
        }
        Ok(())
    }

    /// データの検査: 空でない、幅 `D`、有限、ベルヌーイ分布なら `[0, 1]`。
    pub(crate) fn check_data<'a>(
        &self,
        data: impl AsArray<'a, f64, Ix2>,
    ) -> Result<ArrayView2<'a, f64>> {
        let x: ArrayView2<'a, f64> = data.into();
        if x.nrows() == 0 {
            return Err(Error::EmptyInput);
        }
        ensure_len(self.data_dim(), x.ncols())?;
        // 成分を走査する前に大きさを確かめる（放送した巨大なビューでも、走査や確保を始めずに断る）
        ensure_elements("データの成分の数", x.nrows(), x.ncols())?;
        ensure_finite("データ", x.iter().copied())?;
        if self.likelihood == Likelihood::Bernoulli {
            if let Some(v) = x.iter().find(|v| !(0.0..=1.0).contains(*v)) {
                return Err(Error::InvalidParameter {
                    name: "ベルヌーイ分布のデータ",
                    value: *v,
                    requirement: "0 以上 1 以下",
                });
            }
        }
        Ok(x)
    }

    /// エンコーダの出力: 平均 `μ` と対数分散 `ln σ²`（どちらも 1 行 1 点、`B × d`）。
    ///
    /// # Errors
    ///
    /// データが空・幅が違う・有限でない（ベルヌーイ分布では `[0, 1]` の外）: [`Error::EmptyInput`] など。
    /// 計算があふれる: [`Error::Overflow`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{gaussian::univariate::seeded_rng, ndarray::Array2, nn::Activation, vae::{Likelihood, Vae}, Error};
    ///
    /// let vae = Vae::new(3, 2, &[4], Activation::Tanh, Likelihood::Bernoulli, &mut seeded_rng(0))?;
    /// let (mu, log_var) = vae.encode(&Array2::zeros((5, 3)))?;
    /// assert_eq!((mu.dim(), log_var.dim()), ((5, 2), (5, 2)));
    /// assert!(matches!(vae.encode(&Array2::from_elem((1, 3), 2.0)), Err(Error::InvalidParameter { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn encode<'a>(
        &self,
        data: impl AsArray<'a, f64, Ix2>,
    ) -> Result<(Array2<f64>, Array2<f64>)> {
        let x = self.check_data(data)?;
        let out = self.encoder.predict(x)?;
        let d = self.latent_dim();
        Ok((
            out.slice_axis(Axis(1), Slice::from(..d)).to_owned(),
            out.slice_axis(Axis(1), Slice::from(d..)).to_owned(),
        ))
    }

    /// 潜在変数 `z`（1 行 1 点）からデータの分布の平均: ベルヌーイ分布なら `σ(y)`（画素が 1 の確率）、ガウス分布なら `y`。
    ///
    /// # Errors
    ///
    /// `z` が空・幅が `d` でない・有限でない: [`Error::EmptyInput`] など。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{gaussian::univariate::seeded_rng, ndarray::array, nn::Activation, vae::{Likelihood, Vae}};
    ///
    /// let vae = Vae::new(3, 2, &[4], Activation::Tanh, Likelihood::Bernoulli, &mut seeded_rng(0))?;
    /// let p = vae.decode(&array![[0.0, 0.0], [1.0, -1.0]])?;
    /// assert!(p.iter().all(|&v| (0.0..=1.0).contains(&v)));
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn decode<'a>(&self, z: impl AsArray<'a, f64, Ix2>) -> Result<Array2<f64>> {
        let z: ArrayView2<'a, f64> = z.into();
        let y = self.decoder.predict(z)?;
        Ok(match self.likelihood {
            Likelihood::Bernoulli => y.mapv(|v| Activation::Sigmoid.value(v)),
            Likelihood::Gaussian => y,
        })
    }

    /// 雑音 `noise`（`B × d`）を与えたときの、1 点あたりの ELBO の 1 標本の推定 (8.4) のバッチ平均と、その勾配。
    ///
    /// 同じ `noise` なら値はパラメータの滑らかな関数で、勾配はその厳密な微分である（中心差分と比べられる）。
    /// [`SPLIT_ROWS`] 行以上のミニバッチは前半と後半を 2 つのスレッドで求めて足す。分け方は行の数だけで決まるので、
    /// 結果は計算機のコアの数によらない（1 行ずつ求めた平均とは、足す順の丸めだけ違う）。
    ///
    /// # Errors
    ///
    /// データの誤り（[`Vae::encode`] と同じ）、`noise` の形が `B × d` でない: [`Error::DimensionMismatch`]、
    /// 有限でない雑音: [`Error::NonFinite`]、途中の値があふれる（`exp(ln σ²)`、`exp(−ln σ₀²)` など）: [`Error::Overflow`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{gaussian::univariate::seeded_rng, ndarray::array, nn::Activation, vae::{Likelihood, Vae}, Error};
    ///
    /// let vae = Vae::new(2, 1, &[3], Activation::Tanh, Likelihood::Bernoulli, &mut seeded_rng(0))?;
    /// let x = array![[1.0, 0.0], [0.0, 1.0]];
    /// let (elbo, _grad) = vae.elbo_gradient(&x, &array![[0.3], [-1.0]])?;
    /// assert!(elbo < 0.0); // ベルヌーイ分布の対数尤度は負、KL は 0 以上
    /// assert!(matches!(vae.elbo_gradient(&x, &array![[0.3]]), Err(Error::DimensionMismatch { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn elbo_gradient<'a, 'b>(
        &self,
        data: impl AsArray<'a, f64, Ix2>,
        noise: impl AsArray<'b, f64, Ix2>,
    ) -> Result<(f64, VaeGradient)> {
        let x = self.check_data(data)?;
        let eps: ArrayView2<'b, f64> = noise.into();
        ensure_len(x.nrows(), eps.nrows())?;
        ensure_len(self.latent_dim(), eps.ncols())?;
        ensure_elements("雑音の成分の数", eps.nrows(), eps.ncols())?;
        ensure_finite("雑音 ε", eps.iter().copied())?;
        let n = x.nrows();
        if n < SPLIT_ROWS {
            return self.partial_gradient(x, eps, n);
        }
        // 前半と後半を 2 つのスレッドで求めて足す。分け方は行の数だけで決まり（計算機のコアの数によらない）、
        // 足す順も前半 + 後半に決まっているので、結果はどの計算機でも同じである
        let half = n / 2;
        let (first, second) = rayon::join(
            || {
                self.partial_gradient(
                    x.slice_axis(Axis(0), Slice::from(0..half)),
                    eps.slice_axis(Axis(0), Slice::from(0..half)),
                    n,
                )
            },
            || {
                self.partial_gradient(
                    x.slice_axis(Axis(0), Slice::from(half..n)),
                    eps.slice_axis(Axis(0), Slice::from(half..n)),
                    n,
                )
            },
        );
        let (e1, mut g) = first?;
        let (e2, g2) = second?;
        g.encoder.add_assign(&g2.encoder);
        g.decoder.add_assign(&g2.decoder);
        g.log_noise += g2.log_noise;
        let elbo = e1 + e2;
        // 半分ずつは有限でも、和は f64 の範囲を超えうる
        if !(elbo.is_finite() && g.flat(self.likelihood).iter().all(|v| v.is_finite())) {
            return Err(Error::Overflow {
                what: "ミニバッチの前半と後半の勾配の和",
            });
        }
        Ok((elbo, g))
    }

    /// 行の一部 `x`（全体は `total` 行）についての、ELBO の和と勾配の和をそれぞれ `total` で割ったもの。
    fn partial_gradient(
        &self,
        x: ArrayView2<'_, f64>,
        eps: ArrayView2<'_, f64>,
        total: usize,
    ) -> Result<(f64, VaeGradient)> {
        let batch = total as f64;
        let d = self.latent_dim();
        let enc = self.encoder.forward(x)?;
        let out = enc.output();
        let (mu, log_var) = (
            out.slice_axis(Axis(1), Slice::from(..d)),
            out.slice_axis(Axis(1), Slice::from(d..)),
        );
        // (8.12): z = μ + σ ⊙ ε（σ = exp(ln σ² / 2)）
        let sigma = overflow_checked(log_var.mapv(|v| (0.5 * v).exp()), "σ = exp(ln σ²/2)")?;
        let z = overflow_checked(&mu + &(&sigma * &eps), "z = μ + σ ⊙ ε")?;
        let dec = self.decoder.forward(&z)?;
        let y = dec.output();
        let (recon, grad_y, grad_log_noise) = self.reconstruction(x, y)?;
        // (8.5): KL の和
        let kl: f64 = Zip::from(&mu)
            .and(&log_var)
            .and(&sigma)
            .fold(0.0, |acc, &m, &l, &s| acc + 0.5 * (m * m + s * s - l - 1.0));
        let elbo = (recon - kl) / batch;
        if !elbo.is_finite() {
            return Err(Error::Overflow { what: "ELBO" });
        }
        // (8.17) の ∂/∂Y を 1/B 倍してデコーダへ（(8.14)–(8.15) の誤差逆伝播）
        let (dec_grads, grad_z) = self.decoder.backward(&dec, &(grad_y / batch))?;
        // (8.18)・(8.19): ∂/∂μ = ∂/∂z − μ/B、∂/∂ln σ² = ½ σ ε ∂/∂z − ½ (σ² − 1)/B
        let grad_mu = &grad_z - &(&mu / batch);
        let mut grad_lv = Array2::zeros(grad_z.raw_dim());
        Zip::from(&mut grad_lv)
            .and(&grad_z)
            .and(&sigma)
            .and(&eps)
            .for_each(|g, &gz, &s, &e| *g = 0.5 * s * e * gz - 0.5 * (s * s - 1.0) / batch);
        let grad_out = overflow_checked(
            concatenate![Axis(1), grad_mu, grad_lv],
            "エンコーダの出力の勾配 (8.18)・(8.19)",
        )?;
        let (enc_grads, _) = self.encoder.backward(&enc, &grad_out)?;
        Ok((
            elbo,
            VaeGradient {
                encoder: enc_grads,
                decoder: dec_grads,
                log_noise: grad_log_noise / batch,
            },
        ))
    }

    /// 再構成の対数尤度の和 `Σ ln q_θ(x | z)`、`∂/∂Y`（(8.17)）、`∂/∂ ln σ₀²` の和。
    pub(crate) fn reconstruction(
        &self,
        x: ArrayView2<'_, f64>,
        y: &Array2<f64>,
    ) -> Result<(f64, Array2<f64>, f64)> {
        match self.likelihood {
            Likelihood::Bernoulli => {
                let ll = Zip::from(&x)
                    .and(y)
                    .fold(0.0, |acc, &xi, &yi| acc + bernoulli_ln(xi, yi));
                let g = Zip::from(&x)
                    .and(y)
                    .map_collect(|&xi, &yi| xi - Activation::Sigmoid.value(yi));
                Ok((ll, g, 0.0))
            }
            Likelihood::Gaussian => {
                let inv = (-self.log_noise).exp();
                if !inv.is_finite() {
                    return Err(Error::Overflow {
                        what: "1/σ₀² = exp(−ln σ₀²)",
                    });
                }
                let g = Zip::from(&x).and(y).map_collect(|&xi, &yi| (xi - yi) * inv);
                let sq: f64 = Zip::from(&x)
                    .and(y)
                    .fold(0.0, |acc, &xi, &yi| acc + (xi - yi) * (xi - yi) * inv);
                let n = x.len() as f64;
                let ll = -0.5 * n * (LN_2PI + self.log_noise) - 0.5 * sq;
                let g_noise = -0.5 * n + 0.5 * sq;
                if !(ll.is_finite() && g.iter().all(|v| v.is_finite())) {
                    return Err(Error::Overflow {
                        what: "ガウス分布の再構成の対数尤度",
                    });
                }
                Ok((ll, g, g_noise))
            }
        }
    }

    /// 1 点ずつの再構成の対数尤度 `ln q_θ(x_b | z_b)`（`y` はデコーダの出力）。
    pub(crate) fn reconstruction_rows(
        &self,
        x: ArrayView2<'_, f64>,
        y: &Array2<f64>,
    ) -> Array1<f64> {
        let inv = (-self.log_noise).exp();
        Zip::from(x.rows())
            .and(y.rows())
            .map_collect(|xr, yr| match self.likelihood {
                Likelihood::Bernoulli => Zip::from(&xr)
                    .and(&yr)
                    .fold(0.0, |acc, &xi, &yi| acc + bernoulli_ln(xi, yi)),
                Likelihood::Gaussian => {
                    let sq = Zip::from(&xr)
                        .and(&yr)
                        .fold(0.0, |acc, &xi, &yi| acc + (xi - yi) * (xi - yi));
                    -0.5 * xr.len() as f64 * (LN_2PI + self.log_noise) - 0.5 * sq * inv
                }
            })
    }
}

/// ベルヌーイ分布の対数尤度 `x y − softplus(y)`（(8.16) の 1 項、あふれない）。
pub(crate) fn bernoulli_ln(x: f64, y: f64) -> f64 {
    x * y - Activation::Softplus.value(y)
}

/// 行 × 列の成分の数が [`crate::nn::MAX_ACTIVATIONS`] 以下であることを確かめる。
pub(crate) fn ensure_elements(what: &'static str, rows: usize, cols: usize) -> Result<()> {
    let n = rows.saturating_mul(cols);
    if n > crate::nn::MAX_ACTIVATIONS {
        return Err(Error::TooLarge {
            what,
            requested: n,
            max: crate::nn::MAX_ACTIVATIONS,
        });
    }
    Ok(())
}

pub(crate) fn overflow_checked(a: Array2<f64>, what: &'static str) -> Result<Array2<f64>> {
    if a.iter().all(|v| v.is_finite()) {
        Ok(a)
    } else {
        Err(Error::Overflow { what })
    }
}
