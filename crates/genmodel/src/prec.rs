//! 許容誤差を 1 か所にまとめる。
//!
//! 各定数には、なぜその大きさで十分かを書く。

/// 確率ベクトルの和が 1 であるとみなす許容誤差（絶対誤差）。
///
/// `n` 個の `f64` を足すときの丸め誤差は高々 `n · ε ≈ n · 2.2e-16` 程度なので、
/// 状態数が 10⁶ 程度までなら `1e-9` は丸め誤差より十分大きく、
/// 一方で「和が 0.999 の入力」のような本当の誤りは確実に弾く。
///
/// # Examples
///
/// ```
/// assert!(genmodel::prec::PROB_SUM_TOLERANCE < 1e-6);
/// ```
pub const PROB_SUM_TOLERANCE: f64 = 1e-9;

/// 行列を対称とみなす許容誤差（相対誤差）: `max |A_ij - A_ji| ≤ SYMMETRY_TOLERANCE · max |A_ij|`。
///
/// 分散共分散行列を外積の和で作る・逆行列を数値的に求める、といった普通の計算で入る
/// 非対称な誤差は相対 `n · ε`（`ε ≈ 2.2e-16`）程度である。`1e-10` はそれより 5 桁ほど大きく、
/// 一方で「対称化し忘れた行列」（相対 `1e-3` 以上ずれる）は確実に弾く。
///
/// # Examples
///
/// ```
/// assert!(genmodel::prec::SYMMETRY_TOLERANCE > 1e3 * f64::EPSILON);
/// ```
pub const SYMMETRY_TOLERANCE: f64 = 1e-10;

/// 逆行列・行列式を信用する条件数の上限 `κ = σ_max / σ_min`（対称正定値なら `λ_max / λ_min`）。
///
/// 連立方程式や逆行列の相対誤差は `κ · ε` 程度に増える。`κ ≤ 1e10` なら
/// 相対誤差は `1e10 · 2.2e-16 ≈ 2e-6` 以内で、本の図や検証に十分な精度が残る。
/// これを超える行列（特異な行列は `κ = ∞`）は [`crate::Error::IllConditioned`] として断る。
///
/// # Examples
///
/// ```
/// assert!(genmodel::prec::MAX_CONDITION_NUMBER * f64::EPSILON < 1e-5);
/// ```
pub const MAX_CONDITION_NUMBER: f64 = 1e10;

/// 中心差分 `(f(x + h) - f(x - h)) / 2h` の刻み（`x` の大きさ 1 あたり）。
///
/// 打ち切り誤差は `h² f'''/6`、丸め誤差は `ε |f| / h` の程度で、両者が釣り合うのは
/// `h ≈ ε^{1/3} ≈ 6e-6` である。このとき誤差は `ε^{2/3} ≈ 4e-11` の程度（関数の大きさ倍）。
///
/// # Examples
///
/// ```
/// use genmodel::prec::FINITE_DIFFERENCE_STEP;
/// let f = |x: f64| x.powi(3);
/// let d = (f(1.0 + FINITE_DIFFERENCE_STEP) - f(1.0 - FINITE_DIFFERENCE_STEP)) / (2.0 * FINITE_DIFFERENCE_STEP);
/// assert!((d - 3.0).abs() < 1e-9);
/// ```
pub const FINITE_DIFFERENCE_STEP: f64 = 6e-6;

/// 解析的な勾配と中心差分を比べるときの許容誤差（相対誤差、分母は `max(1, |勾配|)`）。
///
/// [`FINITE_DIFFERENCE_STEP`] での中心差分の誤差は、関数と 3 階微分の大きさが 1–100 程度の
/// 本の例で `1e-9` 以下である。`1e-6` はそれに 3 桁の余裕を持たせ、
/// 符号の誤りや因子 2 の誤り（相対誤差 1 以上）は確実に見分ける。
///
/// # Examples
///
/// ```
/// assert!(genmodel::prec::FINITE_DIFFERENCE_TOLERANCE < 1e-3);
/// ```
pub const FINITE_DIFFERENCE_TOLERANCE: f64 = 1e-6;

/// Ising モデルの全状態の列挙（§2.5）で求めた `ln Z` とモーメントを、閉じた形や素朴な列挙と比べるときの許容誤差（絶対誤差）。
///
/// 列挙は Gray 符号の順に指数を `−2 x_i (局所場)` ずつ更新するので、丸め誤差が道のりに沿って溜まる。
/// 道のりは高々 `2^12` 歩（下位ブロックの表）で、1 歩の誤差は `N · ε · max|θ|` の数倍
/// （`N = 20`, `max|θ| ≤ 2` で `≈ 4e-14`）なので、最悪でも `4096 × 4e-14 ≈ 2e-10`。
/// `1e-9` はこの最悪の見積もりより大きく、式の誤り（符号・因子 2・対の数え方）が生む `1e-3` 以上のずれは確実に見分ける。
///
/// # Examples
///
/// ```
/// assert!(genmodel::prec::ENUMERATION_TOLERANCE < 1e-6);
/// ```
pub const ENUMERATION_TOLERANCE: f64 = 1e-9;

/// 有限の状態の分布（経験分布など）で扱う状態数の上限 `2^28`。
///
/// 状態ごとに `f64` と `usize` を 1 つずつ持つので、上限ちょうどで 4 GiB を使う。
/// Ising モデルの全状態の列挙の上限（`N = 28`）と同じ大きさにそろえ、
/// これを超える状態数（`usize::MAX` など）は確保を試みずに [`crate::Error::TooLarge`] として断る。
///
/// # Examples
///
/// ```
/// assert_eq!(genmodel::prec::MAX_STATES, 1 << 28);
/// ```
pub const MAX_STATES: usize = 1 << 28;

/// 1 回に引く標本数の上限 `2^28`（`f64` で 2 GiB）。
///
/// これを超える数（`usize::MAX` など）は確保を試みずに [`crate::Error::TooLarge`] として断る。
///
/// # Examples
///
/// ```
/// assert_eq!(genmodel::prec::MAX_SAMPLES, 1 << 28);
/// ```
pub const MAX_SAMPLES: usize = 1 << 28;

/// 制限ボルツマンマシンの厳密な `ln Z` で、和をとる側の層（小さい方の層）のユニット数の上限 `24`。
///
/// 和は `2^n` 項で、1 項ごとに反対側の層のユニット数だけ softplus を評価する。`n = 24` で約 1700 万項、
/// 反対側が 64 ユニットなら softplus 約 10⁹ 回で、リリースビルドで数秒の程度である。
/// Ising モデルの列挙（`N ≤ 28`、1 状態あたり指数関数 1 回）より 1 項が重いので、上限を 4 つ下げる。
/// これを超える大きさは、何時間も計算を続ける代わりに [`crate::Error::TooManySpins`] として断る。
///
/// # Examples
///
/// ```
/// assert_eq!(genmodel::prec::MAX_RBM_SUMMED_UNITS, 24);
/// ```
pub const MAX_RBM_SUMMED_UNITS: usize = 24;

/// 制限ボルツマンマシンの標本を使う計算（ブロック Gibbs の鎖と学習のループ）の、1 回の呼び出しの仕事の上限 `2^38`（約 `2.7e11`）。
///
/// 仕事は「鎖 1 本を 1 往復（`v → h → v`）進めるごとに `N_v N_h + N_v + N_h`」と数える。1 往復で読むパラメータの数で、
/// 活性の積和と、σ・一様乱数の数の程度である。呼び出しごとの仕事は
///
/// - `Rbm::gibbs`: `steps · 行数 · (N_v N_h + N_v + N_h)`
/// - `Rbm::cd_gradient`: `k · 行数 · (N_v N_h + N_v + N_h)`
/// - `Pcd::gradient`: `k · 鎖の数 · (N_v N_h + N_v + N_h)`
/// - `Rbm::train`: `steps` と 1 歩の仕事の積。1 歩の仕事は CD-k なら `batch_size · k · (…)`、PCD なら `chains · k · (…)`、
///   厳密な勾配なら `(2^{min(N_v, N_h)} + batch_size) · (…)`（列挙の 1 状態を鎖の 1 往復と同じに数える）
///
/// である。1 単位はリリースビルドで、厳密な勾配の列挙で約 1 ns、鎖の往復で約 5 ns（`64 × 16` でも `784 × 500` でも。
/// `1 × 1` のような小さなモデルでは σ と乱数が主になって約 25 ns）なので、上限ちょうどの呼び出しは、厳密な勾配の
/// 学習で約 5 分、鎖で約 25 分（小さなモデルでは 2 時間ほど）かかる。第 4 章の長い計算で最も大きい
/// 64 × 16 の RBM の厳密な勾配の学習（3000 歩、ミニバッチ 100）は `3000 · (2^16 + 100) · 1104 ≈ 2.2e11`
/// （上限の 8 割）で収まる。これを超える回数（`usize::MAX` など、事実上終わらない計算）は、
/// 何も計算せずに [`crate::Error::TooLarge`] として断る。
/// 積は `u64` の飽和した掛け算で求める（32 ビットの `usize` の wasm32 でもあふれない）。
///
/// # Examples
///
/// ```
/// use genmodel::{boltzmann::rbm::Rbm, ndarray::array, prec::MAX_CHAIN_WORK, Error};
/// use rand::SeedableRng;
///
/// assert_eq!(MAX_CHAIN_WORK, 1 << 38);
/// // 1 × 1 の RBM の 1 往復は 3 単位: 1 本の鎖を usize::MAX 往復は断る（上限は ⌊2^38 / 3⌋ 往復）
/// let rbm = Rbm::new(array![[0.5]], array![0.0], array![0.0])?;
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
/// assert!(matches!(
///     rbm.gibbs(&array![[1u8]], usize::MAX, &mut rng),
///     Err(Error::TooLarge { what: "steps", max, .. }) if max as u64 == MAX_CHAIN_WORK / 3
/// ));
/// # Ok::<(), Error>(())
/// ```
pub const MAX_CHAIN_WORK: u64 = 1 << 38;
