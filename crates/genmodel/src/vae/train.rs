//! VAE の学習: ミニバッチの ELBO の勾配 (8.12)–(8.19) で Adam を上る。乱数はシードだけで決まる。
//!
//! 1 歩が失敗したら（ミニバッチに NaN、途中のあふれ、発散）、学習はそこで止まり、
//! [`Error::TrainingStopped`] が失敗した歩の番号と原因を報告する。パラメータはその前の歩の値のまま残る。

use super::evaluate::noise;
use super::model::Vae;
use crate::error::{Error, Result};
use crate::nn::Adam;
use crate::prec::MAX_CHAIN_WORK;
use ndarray::{Array2, ArrayView2, AsArray, Axis, Ix2};
use rand::Rng;
use rand::seq::SliceRandom;

/// 学習の設定。
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Training {
    /// ミニバッチの大きさ（最後のミニバッチは端数でもよい）。
    pub batch_size: usize,
    /// データ全体を何回回るか。
    pub epochs: usize,
    /// ミニバッチの並べ替えと雑音の乱数のシード。
    pub seed: u64,
}

impl Vae {
    /// ミニバッチ 1 つで Adam を 1 歩進め、そのミニバッチの ELBO の推定（勾配を求めた点での値）を返す。
    ///
    /// 失敗したときはパラメータも Adam の状態も変えない。
    ///
    /// # Errors
    ///
    /// ミニバッチの誤り（空、幅の違い、NaN・±∞、ベルヌーイ分布では `[0, 1]` の外）、あふれ: [`Vae::elbo_gradient`] と同じ。
    /// 歩の後のパラメータが有限でない: [`Error::Overflow`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{gaussian::univariate::seeded_rng, ndarray::array, nn::{Activation, Adam}, vae::{Likelihood, Vae}, Error};
    ///
    /// let mut vae = Vae::new(2, 1, &[4], Activation::Tanh, Likelihood::Bernoulli, &mut seeded_rng(0))?;
    /// let mut adam = Adam::new(0.01, 0.9, 0.999, 1e-8)?;
    /// let x = array![[1.0, 0.0], [1.0, 1.0]];
    /// vae.train_step(&mut adam, &x, &mut seeded_rng(1))?;
    /// let before = vae.clone();
    /// assert!(matches!(vae.train_step(&mut adam, &array![[f64::NAN, 0.0]], &mut seeded_rng(1)), Err(Error::NonFinite { .. })));
    /// assert_eq!(vae, before);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn train_step<'a, R: Rng + ?Sized>(
        &mut self,
        adam: &mut Adam,
        batch: impl AsArray<'a, f64, Ix2>,
        rng: &mut R,
    ) -> Result<f64> {
        // 雑音を確保する前に、ミニバッチを確かめる（巨大なビューでも確保を始めない）
        let x = self.check_data(batch)?;
        let eps = noise(rng, x.nrows(), self.latent_dim());
        let (elbo, grad) = self.elbo_gradient(x, &eps)?;
        // Adam は最小にするので、ELBO の勾配の符号を変える
        let g = -grad.flat(self.likelihood());
        // Adam::step_flat は、失敗したときパラメータも状態も変えない。成功した後の値は有限なので、
        // set_params_flat も失敗しない（形は params_flat と同じ）
        let mut params = self.params_flat();
        adam.step_flat(&mut params, &g)?;
        self.set_params_flat(&params)?;
        Ok(elbo)
    }

    /// `training.epochs` 回データを回り、各歩のミニバッチの ELBO を `observe(歩の番号, ELBO)` に渡す。
    ///
    /// 各回のはじめに行の順を並べ替える。同じシードなら同じ結果になる。
    ///
    /// # Errors
    ///
    /// - 設定の誤り（ミニバッチの大きさ 0、回数 0）: [`Error::InvalidParameter`]
    /// - データが空・幅が違う: [`Error::EmptyInput`]・[`Error::DimensionMismatch`]（学習を始める前）
    /// - 歩の総数 × ミニバッチ × 幅が仕事の上限を超える: [`Error::TooLarge`]（学習を始める前）
    /// - ある歩が失敗した（ミニバッチの NaN、あふれ）: [`Error::TrainingStopped`]（`step` は 0 から数えた歩の番号）。
    ///   パラメータと Adam はその前の歩の後の状態のまま。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{gaussian::univariate::seeded_rng, ndarray::array, nn::{Activation, Adam}, vae::{Likelihood, Training, Vae}, Error};
    ///
    /// let mut vae = Vae::new(2, 1, &[4], Activation::Tanh, Likelihood::Bernoulli, &mut seeded_rng(0))?;
    /// let mut adam = Adam::new(0.01, 0.9, 0.999, 1e-8)?;
    /// let x = array![[1.0, 0.0], [1.0, 1.0], [0.0, 0.0], [f64::NAN, 1.0]];
    /// let t = Training { batch_size: 2, epochs: 3, seed: 7 };
    /// let mut steps = 0;
    /// let err = vae.fit(&x, &t, &mut adam, |_, _| steps += 1).unwrap_err();
    /// assert!(matches!(err, Error::TrainingStopped { .. }));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn fit<'a>(
        &mut self,
        data: impl AsArray<'a, f64, Ix2>,
        training: &Training,
        adam: &mut Adam,
        mut observe: impl FnMut(usize, f64),
    ) -> Result<()> {
        let x: ArrayView2<'a, f64> = data.into();
        let (dim, n_params) = (self.data_dim(), self.params_flat().len());
        training.run(
            x,
            n_params,
            || crate::error::ensure_len(dim, x.ncols()),
            |batch, rng| self.train_step(adam, batch, rng),
            &mut observe,
        )
    }
}

impl Training {
    /// ミニバッチの学習を回す: 大きさと回数を確かめ、シードの乱数で行を並べ替えて（端数のミニバッチも使う）
    /// `step` を順に呼ぶ。`step` が失敗したら、その歩の番号と原因を [`Error::TrainingStopped`] で返す。
    /// `check`（データの列の数などモデルの側の確かめ）は、大きさ・回数・空のデータの確かめの後に呼ぶ。
    /// VAE（第 8 章）と拡散モデル（第 10 章）の学習が共有する。
    pub(crate) fn run<R>(
        &self,
        x: ArrayView2<'_, f64>,
        n_params: usize,
        check: impl FnOnce() -> Result<()>,
        mut step: impl FnMut(&Array2<f64>, &mut rand_chacha::ChaCha8Rng) -> Result<R>,
        observe: &mut impl FnMut(usize, R),
    ) -> Result<()> {
        for (name, v) in [
            ("ミニバッチの大きさ", self.batch_size),
            ("回数（エポック）", self.epochs),
        ] {
            if v == 0 {
                return Err(Error::InvalidParameter {
                    name,
                    value: 0.0,
                    requirement: "1 以上",
                });
            }
        }
        if x.nrows() == 0 {
            return Err(Error::EmptyInput);
        }
        check()?;
        let work = (x.nrows() as u64)
            .saturating_mul(self.epochs as u64)
            .saturating_mul(n_params as u64);
        if work > MAX_CHAIN_WORK {
            return Err(Error::TooLarge {
                what: "学習の仕事（点の数 × 回数 × パラメータの数）",
                requested: usize::try_from(work).unwrap_or(usize::MAX),
                max: MAX_CHAIN_WORK as usize,
            });
        }
        let mut rng = crate::gaussian::univariate::seeded_rng(self.seed);
        let mut order: Vec<usize> = (0..x.nrows()).collect();
        let mut index = 0usize;
        for _ in 0..self.epochs {
            order.shuffle(&mut rng);
            for chunk in order.chunks(self.batch_size) {
                let batch: Array2<f64> = x.select(Axis(0), chunk);
                let value = step(&batch, &mut rng).map_err(|cause| Error::TrainingStopped {
                    step: index,
                    cause: Box::new(cause),
                })?;
                observe(index, value);
                index += 1;
            }
        }
        Ok(())
    }
}
