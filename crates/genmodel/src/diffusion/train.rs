//! ε を予測するネットワークの学習（第 10 章）: 損失 `L_simple` の勾配で Adam を下る。乱数はシードだけで決まる。
//!
//! 1 歩は、ミニバッチ `x_0`（`B` 行）の各行に時刻 `t_b ~ U{1, …, T}` を引き（行の順）、続けて雑音
//! `ε ~ N(0, I)`（`B × D`、行の順）を引いて、[`EpsilonNet::loss_gradient`] の勾配で [`Adam::step`] を 1 回進める。
//! 歩が失敗したら（ミニバッチに NaN、途中のあふれ）、学習はそこで止まり、[`Error::TrainingStopped`](crate::Error::TrainingStopped) が失敗した歩の
//! 番号と原因を報告する。パラメータと Adam の状態はその前の歩の値のまま残る。

use super::Schedule;
use super::network::EpsilonNet;
use crate::error::{Result, ensure_len};
use crate::nn::Adam;
use crate::vae::Training;
use crate::vae::evaluate::standard_normal;
use ndarray::{Array2, ArrayView2, AsArray, Ix2};
use rand::Rng;

impl EpsilonNet {
    /// ミニバッチ 1 つで Adam を 1 歩進め、そのミニバッチの損失 `L_simple`（勾配を求めた点での値）を返す。
    ///
    /// 乱数は時刻 `t_b`（`B` 個、`U{1, …, T}`）、雑音 `ε`（`B × D`）の順に引く。失敗したときはパラメータも
    /// Adam の状態も変えない。
    ///
    /// # Errors
    ///
    /// - ミニバッチが空・幅が違う・NaN・±∞・大きすぎる、予定の段の数が埋め込みと違う: [`EpsilonNet::loss_gradient`] と同じ
    ///   （乱数を引く前に確かめる）
    /// - あふれ: [`Error::Overflow`](crate::Error::Overflow)
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{diffusion::{Schedule, network::{EpsilonNet, TimeEmbedding}}, gaussian::univariate::seeded_rng, ndarray::array, nn::{Activation, Adam}, Error};
    /// let s = Schedule::linear(10, 0.01, 0.2)?;
    /// let mut net = EpsilonNet::new(1, &[8], Activation::Relu, TimeEmbedding::new(10, 2)?, &mut seeded_rng(0))?;
    /// let mut adam = Adam::new(1e-2, 0.9, 0.999, 1e-8)?;
    /// let l = net.train_step(&mut adam, &s, &array![[1.0], [-1.0]], &mut seeded_rng(1))?;
    /// assert!(l.is_finite() && l >= 0.0);
    /// let before = net.clone();
    /// assert!(matches!(net.train_step(&mut adam, &s, &array![[f64::NAN]], &mut seeded_rng(1)), Err(Error::NonFinite { .. })));
    /// assert_eq!(net, before);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn train_step<'a, R: Rng + ?Sized>(
        &mut self,
        adam: &mut Adam,
        schedule: &Schedule,
        batch: impl AsArray<'a, f64, Ix2>,
        rng: &mut R,
    ) -> Result<f64> {
        let x: ArrayView2<'a, f64> = batch.into();
        // 乱数を引いて確保する前に、ミニバッチの形と大きさ・有限性を確かめる
        let steps = schedule.steps();
        ensure_len(self.embedding().steps(), steps)?;
        self.check_points(x)?;
        let t: Vec<usize> = (0..x.nrows())
            .map(|_| rng.random_range(1..=steps))
            .collect();
        let eps = Array2::from_shape_simple_fn(x.raw_dim(), || standard_normal(rng));
        let (loss, grads) = self.loss_gradient(schedule, x, &t, &eps)?;
        adam.step(&mut self.net, &grads)?;
        Ok(loss)
    }

    /// `training.epochs` 回データを回り、各歩のミニバッチの損失を `observe(歩の番号, 損失)` に渡す。
    ///
    /// 各回のはじめに行の順を並べ替え（シード `training.seed` の乱数）、前から `batch_size` 行ずつのミニバッチにする
    /// （最後は端数でもよい）。時刻と雑音も同じ乱数から引く。同じシードなら同じ結果になる。
    ///
    /// # Errors
    ///
    /// - 設定の誤り（ミニバッチの大きさ 0、回数 0）: [`Error::InvalidParameter`](crate::Error::InvalidParameter)（学習を始める前）
    /// - データが空・幅が違う、予定の段の数が埋め込みと違う: [`Error::EmptyInput`](crate::Error::EmptyInput)・[`Error::DimensionMismatch`](crate::Error::DimensionMismatch)（学習を始める前）
    /// - 歩の総数 × パラメータの数が仕事の上限を超える: [`Error::TooLarge`](crate::Error::TooLarge)（学習を始める前）
    /// - ある歩が失敗した（ミニバッチの NaN、あふれ）: [`Error::TrainingStopped`](crate::Error::TrainingStopped)（`step` は 0 から数えた歩の番号）。
    ///   パラメータと Adam はその前の歩の後の状態のまま。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{diffusion::{Schedule, Training, network::{EpsilonNet, TimeEmbedding}}, gaussian::univariate::seeded_rng, ndarray::array, nn::{Activation, Adam}, Error};
    /// let s = Schedule::linear(10, 0.01, 0.2)?;
    /// let mut net = EpsilonNet::new(1, &[8], Activation::Relu, TimeEmbedding::new(10, 2)?, &mut seeded_rng(0))?;
    /// let mut adam = Adam::new(1e-2, 0.9, 0.999, 1e-8)?;
    /// let x = array![[1.0], [-1.0], [0.5], [f64::NAN]];
    /// let t = Training { batch_size: 4, epochs: 2, seed: 7 };
    /// // 1 歩目（番号 0）のミニバッチに NaN がある
    /// assert!(matches!(net.fit(&x, &s, &t, &mut adam, |_, _| {}), Err(Error::TrainingStopped { step: 0, .. })));
    /// assert!(matches!(net.fit(&array![[1.0, 2.0]], &s, &t, &mut adam, |_, _| {}), Err(Error::DimensionMismatch { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn fit<'a>(
        &mut self,
        data: impl AsArray<'a, f64, Ix2>,
        schedule: &Schedule,
        training: &Training,
        adam: &mut Adam,
        mut observe: impl FnMut(usize, f64),
    ) -> Result<()> {
        let x: ArrayView2<'a, f64> = data.into();
        let (dim, steps, n_params) = (
            self.dim(),
            self.embedding().steps(),
            self.network().n_params(),
        );
        training.run(
            x,
            n_params,
            || {
                ensure_len(dim, x.ncols())?;
                ensure_len(steps, schedule.steps())
            },
            |batch, rng| self.train_step(adam, schedule, batch, rng),
            &mut observe,
        )
    }
}
