//! 層ごとのブロック Gibbs サンプリング: `h ~ q(h | v)`、`v ~ q(v | h)` を交互に引く。
//!
//! 層の中のユニットは反対側の層を与えると独立なので、1 層をまとめて（ブロックで）引ける。
//! ユニット `k` は一様乱数 `u ∈ [0, 1)` を 1 つ引いて `u < p_k` なら 1 とする（`p_k = 1` なら必ず 1、`0` なら必ず 0）。
//! 乱数はユニットの番号順に 1 つずつ使うので、同じシードの生成器からは同じ列が出る。

use super::model::Rbm;
use super::{as_u64, check_rows, check_vector, ensure_chain_work, sigmoid, sweep_work};
use crate::error::Result;
use ndarray::{Array1, Array2, ArrayView1, AsArray, Ix1, Ix2};
use rand::Rng;

impl Rbm {
    /// 検査済みの `h` から可視層の条件つき確率 `σ(b + Wh)` を求める（`h_j = 1` の列だけを足す）。
    pub(super) fn visible_probabilities(&self, h: ArrayView1<'_, u8>) -> Array1<f64> {
        let mut a = self.b.clone();
        for (col, _) in self
            .w
            .columns()
            .into_iter()
            .zip(h)
            .filter(|(_, x)| **x == 1)
        {
            a += &col;
        }
        a.mapv(sigmoid)
    }

    /// 検査済みの `v` から隠れ層の条件つき確率 `σ(c + Wᵀv)` を求める。
    pub(super) fn hidden_probabilities(&self, v: ArrayView1<'_, u8>) -> Array1<f64> {
        self.hidden_activation(v).mapv(sigmoid)
    }

    /// 隠れ層を `h_j ~ q(h_j = 1 | v) = σ(c_j + (Wᵀv)_j)` で独立に引く（値は `0`・`1`）。
    ///
    /// # Errors
    ///
    /// 長さが `N_v` でなければ [`crate::Error::DimensionMismatch`]、`0`・`1` 以外の値は [`crate::Error::InvalidParameter`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::rbm::Rbm, ndarray::array};
    /// use rand::SeedableRng;
    ///
    /// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
    /// // 活性 ±50: σ は 1 と 0 に丸まるので、結果は乱数によらない
    /// let rbm = Rbm::new(array![[50.0, -50.0]], array![0.0], array![0.0, 0.0])?;
    /// assert_eq!(rbm.sample_hidden(&[1u8], &mut rng)?, array![1u8, 0]);
    /// assert!(rbm.sample_hidden(&[2u8], &mut rng).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn sample_hidden<'a, R: Rng + ?Sized>(
        &self,
        v: impl AsArray<'a, u8, Ix1>,
        rng: &mut R,
    ) -> Result<Array1<u8>> {
        let v = check_vector(self.n_visible(), v)?;
        Ok(bernoulli(&self.hidden_probabilities(v), rng))
    }

    /// 可視層を `v_i ~ q(v_i = 1 | h) = σ(b_i + (Wh)_i)` で独立に引く（値は `0`・`1`）。
    ///
    /// # Errors
    ///
    /// 長さが `N_h` でなければ [`crate::Error::DimensionMismatch`]、`0`・`1` 以外の値は [`crate::Error::InvalidParameter`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::rbm::Rbm, ndarray::array};
    /// use rand::SeedableRng;
    ///
    /// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
    /// let rbm = Rbm::new(array![[50.0], [-50.0]], array![0.0, 0.0], array![0.0])?;
    /// assert_eq!(rbm.sample_visible(&[1u8], &mut rng)?, array![1u8, 0]);
    /// assert!(rbm.sample_visible(&[1u8, 0], &mut rng).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn sample_visible<'a, R: Rng + ?Sized>(
        &self,
        h: impl AsArray<'a, u8, Ix1>,
        rng: &mut R,
    ) -> Result<Array1<u8>> {
        let h = check_vector(self.n_hidden(), h)?;
        Ok(bernoulli(&self.visible_probabilities(h), rng))
    }

    /// ブロック Gibbs サンプリング: 各行 `v⁽⁰⁾` から始めて `h ~ q(h | v)`、`v ~ q(v | h)` の 1 往復を
    /// `steps` 回進め、最後の可視層 `v⁽ˢᵗᵉᵖˢ⁾` を行ごとに並べて返す（形は入力と同じ）。
    ///
    /// 行は独立な鎖で、上の行から順に 1 本ずつ進める。この遷移は `q(v)` を不変にし、どの遷移確率も正なので
    /// （エルゴード的）、`steps → ∞` で各行の分布は初期値によらず `q(v)` に近づく。`steps = 0` なら入力をそのまま返す。
    ///
    /// 仕事 `steps · 行数 · (N_v N_h + N_v + N_h)` は [`crate::prec::MAX_CHAIN_WORK`] `= 2^38` 以下に限る
    /// （事実上終わらない `steps = usize::MAX` などを、鎖を進める前に断る）。
    ///
    /// # Errors
    ///
    /// - 行が 0 個: [`crate::Error::EmptyInput`]
    /// - 列の数が `N_v` でない: [`crate::Error::DimensionMismatch`]
    /// - `0`・`1` 以外の値: [`crate::Error::InvalidParameter`]
    /// - 仕事が `MAX_CHAIN_WORK` を超える: [`crate::Error::TooLarge`]（`what` は `"steps"`、`max` は `steps` の上限
    ///   `⌊MAX_CHAIN_WORK / (行数 · (N_v N_h + N_v + N_h))⌋`）
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::rbm::Rbm, ndarray::{array, Array2}};
    /// use rand::SeedableRng;
    ///
    /// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
    /// // W = 0, b = (3, −3): 可視ユニットは独立に確率 σ(3) ≈ 0.95、σ(−3) ≈ 0.05 で 1
    /// let rbm = Rbm::new(array![[0.0], [0.0]], array![3.0, -3.0], array![0.0])?;
    /// let v = rbm.gibbs(&Array2::<u8>::zeros((1000, 2)), 1, &mut rng)?;
    /// let mean0 = v.column(0).iter().map(|&x| f64::from(x)).sum::<f64>() / 1000.0;
    /// assert!((mean0 - 0.953).abs() < 0.03);
    /// assert!(rbm.gibbs(&Array2::<u8>::zeros((0, 2)), 1, &mut rng).is_err());
    /// // 1000 行 × 1 往復 5 単位（2 × 1 の RBM）: steps の上限は ⌊2^38 / 5000⌋ = 54 975 581
    /// assert_eq!(
    ///     rbm.gibbs(&Array2::<u8>::zeros((1000, 2)), usize::MAX, &mut rng),
    ///     Err(genmodel::Error::TooLarge { what: "steps", requested: usize::MAX, max: 54_975_581 })
    /// );
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn gibbs<'a, R: Rng + ?Sized>(
        &self,
        v0: impl AsArray<'a, u8, Ix2>,
        steps: usize,
        rng: &mut R,
    ) -> Result<Array2<u8>> {
        let v0 = check_rows(self.n_visible(), v0)?;
        let per_step =
            as_u64(v0.nrows()).saturating_mul(sweep_work(self.n_visible(), self.n_hidden()));
        ensure_chain_work("steps", steps, per_step)?;
        let mut out = v0.to_owned();
        Sweeper::new(self).run_rows(&mut out, steps, rng);
        Ok(out)
    }
}

/// 確率 `p_k` で 1 になるユニットを、番号順に一様乱数を 1 つずつ使って引く。
fn bernoulli<R: Rng + ?Sized>(p: &Array1<f64>, rng: &mut R) -> Array1<u8> {
    p.mapv(|pk| u8::from(rng.random::<f64>() < pk))
}

/// ブロック Gibbs の往復 `v → h → v` を、パラメータを行優先の `Vec` に写してから速く回す道具。
///
/// 乱数の使い方（隠れ層のユニットの番号順、次に可視層の番号順に一様乱数を 1 つずつ）と活性の足し算の順は
/// [`Rbm::sample_hidden`]・[`Rbm::sample_visible`] と同じなので、同じ生成器からは同じ列が出る。
pub(super) struct Sweeper {
    nh: usize,
    /// `W` を行優先に並べたもの（`w[i · N_h + j] = W_ij`）
    w: Vec<f64>,
    b: Vec<f64>,
    c: Vec<f64>,
    h: Vec<u8>,
    act: Vec<f64>,
}

impl Sweeper {
    pub(super) fn new(rbm: &Rbm) -> Self {
        let nh = rbm.n_hidden();
        Self {
            nh,
            w: rbm.w.iter().copied().collect(),
            b: rbm.b.to_vec(),
            c: rbm.c.to_vec(),
            h: vec![0; nh],
            act: vec![0.0; nh],
        }
    }

    /// 可視層の状態 `v`（その場で書き換える）を 1 往復進める。
    fn sweep<R: Rng + ?Sized>(&mut self, v: &mut [u8], rng: &mut R) {
        let nh = self.nh;
        self.act.copy_from_slice(&self.c);
        for (row, _) in self
            .w
            .chunks_exact(nh)
            .zip(v.iter())
            .filter(|(_, x)| **x == 1)
        {
            for (a, w) in self.act.iter_mut().zip(row) {
                *a += w;
            }
        }
        for (h, &a) in self.h.iter_mut().zip(&self.act) {
            *h = u8::from(rng.random::<f64>() < sigmoid(a));
        }
        for ((x, row), &bi) in v.iter_mut().zip(self.w.chunks_exact(nh)).zip(&self.b) {
            let mut a = bi;
            for (w, _) in row.iter().zip(&self.h).filter(|(_, h)| **h == 1) {
                a += w;
            }
            *x = u8::from(rng.random::<f64>() < sigmoid(a));
        }
    }

    /// 各行（1 行 1 本の鎖、検査済み）を上の行から順に `steps` 往復進める（その場で書き換える）。
    pub(super) fn run_rows<R: Rng + ?Sized>(
        &mut self,
        rows: &mut Array2<u8>,
        steps: usize,
        rng: &mut R,
    ) {
        let mut v = vec![0u8; rows.ncols()];
        for mut row in rows.rows_mut() {
            for (x, &y) in v.iter_mut().zip(row.iter()) {
                *x = y;
            }
            for _ in 0..steps {
                self.sweep(&mut v, rng);
            }
            for (y, &x) in row.iter_mut().zip(&v) {
                *y = x;
            }
        }
    }
}
