//! §2.2 1 次元ガウス分布 (2.8)–(2.13) と §2.3 最尤法 (2.14) の検証。
//!
//! 期待値は実装と独立に求める: 数値積分（台形則）、中心差分、整数データでの手計算、
//! モンテカルロ（標準誤差から決めた許容誤差）、ネルダー・ミード法による数値最適化。

// 添字のループは数式の Σ_i, Σ_j をそのまま写したもの
#![allow(clippy::needless_range_loop)]

use genmodel::Error;
use genmodel::gaussian::Gaussian;
use genmodel::gaussian::univariate::{sample_mean, sample_variance, unbiased_variance};
use genmodel::prec::{FINITE_DIFFERENCE_STEP, FINITE_DIFFERENCE_TOLERANCE};
use ndarray::{Array1, Array2, Axis, Slice};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::f64::consts::PI;

/// 台形則 `∫_a^b f(x) dx`（`n` 区間）。
///
/// ガウス型の滑らかで速く減衰する関数を、裾で無視できるほど広い区間で積分すると、
/// 台形則の誤差は刻みに対して指数的に小さくなる（オイラー・マクローリンの補正項が消える）。
fn trapezoid(f: impl Fn(f64) -> f64, a: f64, b: f64, n: usize) -> f64 {
    let h = (b - a) / n as f64;
    let inner: f64 = (1..n).map(|i| f(a + h * i as f64)).sum();
    h * (inner + 0.5 * (f(a) + f(b)))
}

/// 中心差分。
fn central_diff(f: impl Fn(f64) -> f64, x: f64) -> f64 {
    let h = FINITE_DIFFERENCE_STEP * x.abs().max(1.0);
    (f(x + h) - f(x - h)) / (2.0 * h)
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs()).max(1.0)
}

fn random_data(rng: &mut ChaCha8Rng, n: usize) -> Vec<f64> {
    (0..n).map(|_| rng.random_range(-3.0..3.0)).collect()
}

fn random_theta(rng: &mut ChaCha8Rng) -> Gaussian {
    Gaussian::new(rng.random_range(-2.0..2.0), rng.random_range(0.5..4.0)).unwrap()
}

// ---------------------------------------------------------------- (2.8)–(2.10)

#[test]
fn eq_2_8_unnormalized_density_is_gaussian_kernel() {
    let q = Gaussian::new(1.5, 0.7).unwrap();
    for x in [-3.0_f64, 0.0, 1.5, 2.2, 10.0] {
        let want = (-(x - 1.5) * (x - 1.5) / (2.0 * 0.7)).exp();
        assert!(close(q.unnormalized_density(x).unwrap(), want, 1e-15));
    }
    // 比 q(x)/q(x') は規格化定数によらず、指数の差だけで決まる
    let r = q.density(0.0).unwrap() / q.density(2.0).unwrap();
    assert!(close(
        r,
        q.unnormalized_density(0.0).unwrap() / q.unnormalized_density(2.0).unwrap(),
        1e-14
    ));
}

#[test]
fn eq_2_9_normalizer_matches_quadrature() {
    // 台形則を μ ± 12σ で（裾は exp(-72) ≈ 5e-32 で無視できる）。
    // 4000 区間: 刻みは σ の 0.006 倍で、台形則の誤差は丸め誤差に埋もれる。相対 1e-12 で比べる。
    for &(mu, var) in &[
        (0.0, 1.0),
        (3.0, 0.01),
        (-2.0, 25.0),
        (0.5, 1e-4),
        (0.0, 1e4),
    ] {
        let q = Gaussian::new(mu, var).unwrap();
        let sd: f64 = f64::sqrt(var);
        let z = trapezoid(
            |x| q.unnormalized_density(x).unwrap(),
            mu - 12.0 * sd,
            mu + 12.0 * sd,
            4000,
        );
        assert!(
            close(q.normalizer(), z, 1e-12),
            "σ² = {var}: Z = {} vs 積分 {z}",
            q.normalizer()
        );
        assert!(close(z, (2.0 * PI * var).sqrt(), 1e-12));
    }
}

#[test]
fn eq_2_9a_gaussian_integral_is_sqrt_pi() {
    // ∫ e^{-t²} dt を [-12, 12] の台形則で（裾は e^{-144}）。刻み 0.006 で誤差は丸め誤差の程度
    let z = trapezoid(|t| (-t * t).exp(), -12.0, 12.0, 4000);
    assert!((z - PI.sqrt()).abs() < 1e-13);
    // 置き換え t = (x - μ)/√(2σ²) の確認: Z_θ = √(2σ²) · √π
    let q = Gaussian::new(0.3, 0.8).unwrap();
    assert!(close(q.normalizer(), (2.0 * 0.8f64).sqrt() * z, 1e-13));
}

#[test]
fn eq_2_10_density_integrates_to_one_and_matches_published_value() {
    let q = Gaussian::new(-1.0, 2.5).unwrap();
    let sd = 2.5f64.sqrt();
    let total = trapezoid(
        |x| q.density(x).unwrap(),
        -1.0 - 12.0 * sd,
        -1.0 + 12.0 * sd,
        4000,
    );
    assert!((total - 1.0).abs() < 1e-12);
    // 標準正規分布の密度 φ(1) = e^{-1/2}/√(2π) = 0.24197072451914337（表の値）
    let std = Gaussian::new(0.0, 1.0).unwrap();
    assert!((std.density(1.0).unwrap() - 0.241_970_724_519_143_37).abs() < 1e-16);
    assert!(close(
        std.ln_density(1.0).unwrap(),
        0.241_970_724_519_143_37_f64.ln(),
        1e-15
    ));
}

#[test]
fn eq_2_10_sampling_reproduces_mean_and_variance() {
    let q = Gaussian::new(2.0, 0.5).unwrap();
    let n = 50_000;
    let xs = q.sample(&mut ChaCha8Rng::seed_from_u64(2024), n).unwrap();
    let m = xs.iter().sum::<f64>() / n as f64;
    let v = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / n as f64;
    // 標準誤差: 平均 √(σ²/n) ≈ 0.0032、分散 σ²√(2/n) ≈ 0.0032。どちらも 5 倍の 0.016 以内
    assert!((m - 2.0).abs() < 0.016, "平均 {m}");
    assert!((v - 0.5).abs() < 0.016, "分散 {v}");
    // 同じシードなら同じ標本
    assert_eq!(
        xs.slice_axis(Axis(0), Slice::from(..5)),
        q.sample(&mut ChaCha8Rng::seed_from_u64(2024), 5).unwrap()
    );
}

#[test]
fn eq_2_10_rejects_bad_parameters() {
    assert!(matches!(
        Gaussian::new(0.0, 0.0),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        Gaussian::new(0.0, -1.0),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        Gaussian::new(f64::INFINITY, 1.0),
        Err(Error::NonFinite { .. })
    ));
    assert!(matches!(
        Gaussian::new(0.0, f64::NAN),
        Err(Error::NonFinite { .. })
    ));
}

// ---------------------------------------------------------------- (2.11)

/// 幅 `h` のガウス核でならした経験分布 `p_h(x) = (w/n) Σ N(x; x_i, h²)`。
/// `w = 1` が本書の p0、`w = n` がノートの本文の `Σ δ(x - x_i)`（1/n なし）をならしたもの。
fn smoothed_p0(data: &[f64], h: f64, weight: f64) -> impl Fn(f64) -> f64 + '_ {
    let k = Gaussian::new(0.0, h * h).unwrap();
    move |x| {
        weight
            * data
                .iter()
                .map(|xi| k.density(x - xi).unwrap())
                .sum::<f64>()
            / data.len() as f64
    }
}

/// 定義 `D(p ‖ q) = ∫ dx p(x) (ln p(x) - ln q(x))` を数値積分で求める。
/// 被積分関数の幅は h なので、刻みを h/8 にとる（台形則はこれで 1e-10 より十分正確）。
fn kl_by_definition(p: &impl Fn(f64) -> f64, q: &Gaussian, lo: f64, hi: f64, h: f64) -> f64 {
    let n = ((hi - lo) / (h / 8.0)).ceil() as usize;
    trapezoid(
        |x| {
            let px = p(x);
            if px > 0.0 {
                px * (px.ln() - q.ln_density(x).unwrap())
            } else {
                0.0
            }
        },
        lo,
        hi,
        n,
    )
}

#[test]
fn eq_2_11a_negative_log_density_decomposes() {
    // -ln q = (x-μ)²/(2σ²) + ½ ln σ² + ½ ln 2π: 3 つの項はどれも符号が「+」
    let mut rng = ChaCha8Rng::seed_from_u64(111);
    let mut note_failures = 0;
    for _ in 0..100 {
        let q = random_theta(&mut rng);
        let x: f64 = rng.random_range(-5.0..5.0);
        let (mu, var) = (q.mean(), q.variance());
        let want = (x - mu).powi(2) / (2.0 * var) + 0.5 * var.ln() + 0.5 * (2.0 * PI).ln();
        // 密度 (2.10) の値そのものの対数と比べる（ln_density を使わない）
        assert!(close(-q.density(x).unwrap().ln(), want, 1e-13));
        // ノートの (2.11) 1 行目の被積分関数は、θ による 2 項の符号を反転したもの。
        // 2 項の和がたまたま 0 になる点を除いて合わない
        let note = -((x - mu).powi(2) / (2.0 * var) + 0.5 * var.ln());
        if (note - (want - 0.5 * (2.0 * PI).ln())).abs() > 1e-6 {
            note_failures += 1;
        }
    }
    assert!(
        note_failures >= 95,
        "ノートの形が合わなかった回数 {note_failures}"
    );
}

#[test]
fn eq_2_11_kl_difference_matches_definition() {
    // ディラックのデルタでは ∫ p0 ln p0 が発散するので、幅 h = 1e-3 のガウス核でならした p_h で
    // 定義どおりに D を積分する。D_h(θ) = (2.11) + h²/(2σ²) + (θ によらない項) なので、
    // 差 D_h(θ1) - D_h(θ2) と (2.11) の差のずれは h²/(2 σ²_min) = 1e-6 以下。許容誤差 2e-6。
    let h = 1e-3;
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let mut note_failures = 0;
    for _ in 0..6 {
        let data = random_data(&mut rng, 5);
        let (q1, q2) = (random_theta(&mut rng), random_theta(&mut rng));
        let p = smoothed_p0(&data, h, 1.0);
        let (lo, hi) = (-3.0 - 12.0 * h, 3.0 + 12.0 * h);
        let direct = kl_by_definition(&p, &q1, lo, hi, h) - kl_by_definition(&p, &q2, lo, hi, h);
        let printed = q1.kl_up_to_const(&data).unwrap() - q2.kl_up_to_const(&data).unwrap();
        assert!(
            (direct - printed).abs() < 2e-6,
            "定義 {direct} vs (2.11) {printed}"
        );

        // ノートの (2.11) 1 行目: D ≐ -∫ p0 ((x-μ)²/(2σ²) + ½ ln σ²)（符号が逆）
        let note = |q: &Gaussian| {
            -data
                .iter()
                .map(|x| (x - q.mean()).powi(2) / (2.0 * q.variance()) + 0.5 * q.variance().ln())
                .sum::<f64>()
                / data.len() as f64
        };
        let note_diff = note(&q1) - note(&q2);
        if (note_diff - direct).abs() > 1e-2 {
            note_failures += 1;
        }
    }
    // 差が 0 に近い組を除けば、ノートの符号では定義と合わない
    assert!(
        note_failures >= 5,
        "ノートの形が合わなかった回数 {note_failures}"
    );
}

#[test]
fn eq_2_11_empirical_distribution_needs_one_over_n() {
    // ノートの §2.2 本文の p0(x) = Σ δ(x - x_i)（1/n なし）は全確率が n になり、分布ではない
    let data = [-1.0, 0.5, 2.0, 2.5];
    let h = 1e-2;
    let note_p0 = smoothed_p0(&data, h, data.len() as f64);
    let book_p0 = smoothed_p0(&data, h, 1.0);
    let mass = |p: &dyn Fn(f64) -> f64| trapezoid(p, -2.0, 3.5, 20_000);
    assert!((mass(&book_p0) - 1.0).abs() < 1e-10);
    assert!((mass(&note_p0) - 4.0).abs() < 1e-9);
    // ノートの p0 で -∫ p0 ln q を作ると、(2.11) の 2 行目（1/n つき）の n 倍になり、式がつながらない
    let (q1, q2) = (
        Gaussian::new(0.0, 1.0).unwrap(),
        Gaussian::new(1.0, 2.0).unwrap(),
    );
    let cross = |p: &dyn Fn(f64) -> f64, q: &Gaussian| {
        trapezoid(|x| -p(x) * q.ln_density(x).unwrap(), -2.0, 3.5, 20_000)
    };
    let printed = q1.kl_up_to_const(&data).unwrap() - q2.kl_up_to_const(&data).unwrap();
    let with_book = cross(&book_p0, &q1) - cross(&book_p0, &q2);
    let with_note = cross(&note_p0, &q1) - cross(&note_p0, &q2);
    // ならしによるずれは h²/(2σ²) 程度 = 5e-5
    assert!((with_book - printed).abs() < 1e-4);
    assert!((with_note - 4.0 * printed).abs() < 4e-4);
    assert!((with_note - printed).abs() > 0.1);
}

// ---------------------------------------------------------------- (2.12), (2.13)

#[test]
fn eq_2_12_gradient_mu_matches_finite_difference() {
    let mut rng = ChaCha8Rng::seed_from_u64(12);
    for _ in 0..50 {
        let data = random_data(&mut rng, 7);
        let q = random_theta(&mut rng);
        let fd = central_diff(
            |mu| {
                Gaussian::new(mu, q.variance())
                    .unwrap()
                    .kl_up_to_const(&data)
                    .unwrap()
            },
            q.mean(),
        );
        let g = q.kl_gradient(&data).unwrap();
        assert!(
            close(g.mu, fd, FINITE_DIFFERENCE_TOLERANCE),
            "{} vs 差分 {fd}",
            g.mu
        );
        // 手で書いた (2.12) の右辺とも一致する
        let want = -data.iter().map(|x| x - q.mean()).sum::<f64>() / (q.variance() * 7.0);
        assert!(close(g.mu, want, 1e-13));
    }
}

#[test]
fn eq_2_13_gradient_var_matches_finite_difference() {
    let mut rng = ChaCha8Rng::seed_from_u64(13);
    for _ in 0..50 {
        let data = random_data(&mut rng, 7);
        let q = random_theta(&mut rng);
        let fd = central_diff(
            |v| {
                Gaussian::new(q.mean(), v)
                    .unwrap()
                    .kl_up_to_const(&data)
                    .unwrap()
            },
            q.variance(),
        );
        let g = q.kl_gradient(&data).unwrap();
        assert!(
            close(g.var, fd, FINITE_DIFFERENCE_TOLERANCE),
            "{} vs 差分 {fd}",
            g.var
        );
    }
}

#[test]
fn eq_2_12_mle_mean_is_sample_mean() {
    // 整数データなので平均は手で求まる: (1 + 4 + 4 + 7 + 9) / 5 = 5
    let data = [1.0, 4.0, 4.0, 7.0, 9.0];
    let q = Gaussian::fit(&data).unwrap();
    assert_eq!(q.mean(), 5.0);
    assert_eq!(sample_mean(&data).unwrap(), 5.0);
    // 停留点: 勾配 (2.12) が 0、そして μ を動かすと D は増える（最小点）
    let g = q.kl_gradient(&data).unwrap();
    assert!(g.mu.abs() < 1e-15);
    let d0 = q.kl_up_to_const(&data).unwrap();
    for dmu in [-0.1, 0.1] {
        let d = Gaussian::new(5.0 + dmu, q.variance())
            .unwrap()
            .kl_up_to_const(&data)
            .unwrap();
        assert!(d > d0);
    }
}

#[test]
fn eq_2_13_mle_variance_divides_by_n() {
    // 偏差 -4, -1, -1, 2, 4 の 2 乗和 = 38。最尤推定は 38/5、不偏分散は 38/4
    let data = [1.0, 4.0, 4.0, 7.0, 9.0];
    let q = Gaussian::fit(&data).unwrap();
    assert!(close(q.variance(), 38.0 / 5.0, 1e-15));
    assert!(close(sample_variance(&data).unwrap(), 38.0 / 5.0, 1e-15));
    assert!(close(unbiased_variance(&data).unwrap(), 38.0 / 4.0, 1e-15));
    // 勾配 (2.13) が 0 になるのは 1/n の方で、1/(n-1) では 0 にならず D も大きい
    assert!(q.kl_gradient(&data).unwrap().var.abs() < 1e-15);
    let unb = Gaussian::new(5.0, 38.0 / 4.0).unwrap();
    assert!(unb.kl_gradient(&data).unwrap().var > 1e-3);
    assert!(unb.kl_up_to_const(&data).unwrap() > q.kl_up_to_const(&data).unwrap());
    // 最小値は閉じた形 ½ + ½ ln σ²
    assert!(close(
        q.kl_up_to_const(&data).unwrap(),
        0.5 + 0.5 * (38.0f64 / 5.0).ln(),
        1e-15
    ));
}

#[test]
fn eq_2_13_mle_variance_is_biased_by_factor_n_minus_1_over_n() {
    // 真の分布 N(0, 1) から n = 5 の標本を M 回引き、2 つの分散推定量を平均する。
    // E[1/n 版] = (n-1)/n = 0.8、E[1/(n-1) 版] = 1。
    // 1/n 版の分散は 2(n-1)/n² = 0.32、M = 40000 での標準誤差は √(0.32/M) ≈ 0.0028（不偏版は 0.0035）。
    // 許容誤差 0.02 は標準誤差の 5 倍を超える。
    let q = Gaussian::new(0.0, 1.0).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let m = 40_000;
    let (mut s_mle, mut s_unb) = (0.0, 0.0);
    for _ in 0..m {
        let xs = q.sample(&mut rng, 5).unwrap();
        s_mle += sample_variance(&xs).unwrap();
        s_unb += unbiased_variance(&xs).unwrap();
    }
    let (e_mle, e_unb) = (s_mle / m as f64, s_unb / m as f64);
    assert!((e_mle - 0.8).abs() < 0.02, "1/n 版の平均 {e_mle}");
    assert!((e_unb - 1.0).abs() < 0.02, "1/(n-1) 版の平均 {e_unb}");
}

#[test]
fn eq_2_13_fit_rejects_degenerate_data() {
    assert_eq!(Gaussian::fit(&[]), Err(Error::EmptyInput));
    assert_eq!(
        Gaussian::fit(&[1.0]),
        Err(Error::TooFewSamples {
            needed: 2,
            actual: 1
        })
    );
    assert!(matches!(
        Gaussian::fit(&[3.0, 3.0, 3.0]),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        Gaussian::fit(&[1.0, f64::NAN]),
        Err(Error::NonFinite { index: 1, .. })
    ));
}

// ---------------------------------------------------------------- (2.14)

/// 2 変数のネルダー・ミード法（勾配を使わない最小化）。`f` が NaN なら +∞ とみなす。
fn nelder_mead(f: impl Fn([f64; 2]) -> f64, start: [f64; 2], step: f64) -> [f64; 2] {
    let g = |p: [f64; 2]| {
        let v = f(p);
        if v.is_nan() { f64::INFINITY } else { v }
    };
    let mut s = [
        start,
        [start[0] + step, start[1]],
        [start[0], start[1] + step],
    ];
    for _ in 0..2000 {
        s.sort_by(|a, b| g(*a).total_cmp(&g(*b)));
        let c = [(s[0][0] + s[1][0]) / 2.0, (s[0][1] + s[1][1]) / 2.0];
        let at = |t: f64| [c[0] + t * (s[2][0] - c[0]), c[1] + t * (s[2][1] - c[1])];
        let r = at(-1.0);
        if g(r) < g(s[0]) {
            let e = at(-2.0);
            s[2] = if g(e) < g(r) { e } else { r };
        } else if g(r) < g(s[1]) {
            s[2] = r;
        } else {
            let k = at(0.5);
            if g(k) < g(s[2]) {
                s[2] = k;
            } else {
                for i in 1..3 {
                    s[i] = [(s[0][0] + s[i][0]) / 2.0, (s[0][1] + s[i][1]) / 2.0];
                }
            }
        }
        let spread = (g(s[2]) - g(s[0])).abs();
        let size = (s[2][0] - s[0][0]).abs() + (s[2][1] - s[0][1]).abs();
        if spread < 1e-15 && size < 1e-9 {
            break;
        }
    }
    s.sort_by(|a, b| g(*a).total_cmp(&g(*b)));
    s[0]
}

#[test]
fn eq_2_14_max_log_likelihood_equals_min_kl() {
    let mut rng = ChaCha8Rng::seed_from_u64(14);
    for _ in 0..5 {
        let data = random_data(&mut rng, 12);
        let model = |p: [f64; 2]| Gaussian::new(p[0], p[1]);
        // 平均対数尤度 (1/n) Σ ln q(x_i) を、密度の式 (2.10) から直接（gaussian の関数を使わずに）
        let neg_ll = |p: [f64; 2]| {
            if p[1] <= 0.0 {
                return f64::INFINITY;
            }
            -data
                .iter()
                .map(|x| (-(x - p[0]).powi(2) / (2.0 * p[1])).exp() / (2.0 * PI * p[1]).sqrt())
                .map(f64::ln)
                .sum::<f64>()
                / data.len() as f64
        };
        let kl = |p: [f64; 2]| model(p).map_or(f64::INFINITY, |q| q.kl_up_to_const(&data).unwrap());
        let a = nelder_mead(neg_ll, [0.0, 1.0], 0.5);
        let b = nelder_mead(kl, [0.0, 1.0], 0.5);
        let fit = Gaussian::fit(&data).unwrap();
        // ネルダー・ミード法の停止条件（単体の大きさ 1e-9）から、点のずれは 1e-6 以内に収まる
        for p in [a, b] {
            assert!((p[0] - fit.mean()).abs() < 1e-6, "{p:?} vs {fit:?}");
            assert!((p[1] - fit.variance()).abs() < 1e-6, "{p:?} vs {fit:?}");
        }
        // 2 つの目的関数は定数 ½ ln 2π だけ違う（-平均対数尤度 = D + ½ ln 2π）
        for p in [[0.3, 0.7], [-1.0, 2.0], a] {
            assert!(close(neg_ll(p), kl(p) + 0.5 * (2.0 * PI).ln(), 1e-13));
        }
    }
}

#[test]
fn eq_2_14_expectation_must_be_over_empirical_not_true_distribution() {
    // ノートの (2.14) の中辺は Σ_x p(x) ln q(x)（真の分布 p）。真の分布 N(0, 1) での期待値
    // ∫ p ln q = -½ ln(2πσ²) - (1 + μ²)/(2σ²) を最大にするのは μ = 0, σ² = 1（真の値）で、
    // 手元の n = 20 個の標本の最尤推定（KL(p0 ‖ q) の最小点）とは一致しない。
    let truth = Gaussian::new(0.0, 1.0).unwrap();
    let data = truth
        .sample(&mut ChaCha8Rng::seed_from_u64(140), 20)
        .unwrap();
    let fit = Gaussian::fit(&data).unwrap();
    // 真の分布での期待値を数値積分で求め、ネルダー・ミード法で最大化する
    let neg_expected_ll = |p: [f64; 2]| {
        if p[1] <= 0.0 {
            return f64::INFINITY;
        }
        let q = Gaussian::new(p[0], p[1]).unwrap();
        -trapezoid(
            |x| truth.density(x).unwrap() * q.ln_density(x).unwrap(),
            -12.0,
            12.0,
            2000,
        )
    };
    let with_p = nelder_mead(neg_expected_ll, [0.5, 0.5], 0.3);
    assert!(
        with_p[0].abs() < 1e-5 && (with_p[1] - 1.0).abs() < 1e-5,
        "{with_p:?}"
    );
    // 20 個の標本平均の標準偏差は 1/√20 ≈ 0.22。このシードでは差がはっきり出る
    let gap = (with_p[0] - fit.mean()).abs() + (with_p[1] - fit.variance()).abs();
    assert!(
        gap > 0.05,
        "真の分布での最大点 {with_p:?} と最尤推定 {fit:?}"
    );
    // 経験分布 p0 での期待値なら最尤推定に一致する（本書の (2.14)）
    let neg_ll_p0 = |p: [f64; 2]| {
        Gaussian::new(p[0], p[1]).map_or(f64::INFINITY, |q| -q.mean_log_likelihood(&data).unwrap())
    };
    let with_p0 = nelder_mead(neg_ll_p0, [0.5, 0.5], 0.3);
    assert!((with_p0[0] - fit.mean()).abs() < 1e-6 && (with_p0[1] - fit.variance()).abs() < 1e-6);
}

#[test]
fn eq_2_14_argmin_equals_argmax_but_values_differ() {
    // 離散の経験分布 p0（4 状態、データ 0,0,1,2,2,2,3,3）と、すべての確率ベクトル q からなるモデル。
    // 全状態の和（全列挙）で D(p0 ‖ q) と Σ p0 ln q を求める。
    use genmodel::distribution::{Categorical, EmpiricalDistribution};
    use genmodel::divergence::kl_divergence;
    let p0 = EmpiricalDistribution::from_states(&[0, 0, 1, 2, 2, 2, 3, 3], 4).unwrap();
    let p = p0.probabilities().to_vec();
    let ll = |q: &[f64]| p.iter().zip(q).map(|(a, b)| a * b.ln()).sum::<f64>();
    let entropy = -ll(&p);
    assert!(entropy > 1.0);
    let (d_at_p0, ll_at_p0) = (
        kl_divergence(p0.as_categorical(), p0.as_categorical()).unwrap(),
        ll(&p),
    );
    let mut rng = ChaCha8Rng::seed_from_u64(1414);
    for _ in 0..1000 {
        let w: Vec<f64> = (0..4).map(|_| rng.random_range(0.01..1.0)).collect();
        let s: f64 = w.iter().sum();
        let q: Vec<f64> = w.iter().map(|v| v / s).collect();
        let d = kl_divergence(
            p0.as_categorical(),
            &Categorical::new(Array1::from(q.clone())).unwrap(),
        )
        .unwrap();
        // 同じ点で最小・最大になる（arg min = arg max = p0）
        assert!(d >= d_at_p0 && ll(&q) <= ll_at_p0);
        // 2 つの目的関数の和は θ によらない定数 ∫ p0 ln p0 = -H(p0)
        assert!((d + ll(&q) + entropy).abs() < 1e-12);
    }
    // しかし値は違う: min D = 0、max Σ p0 ln q = -H(p0) ≈ -1.32。ノートの「min = max」は値としては成り立たない
    assert_eq!(d_at_p0, 0.0);
    assert!((ll_at_p0 + entropy).abs() < 1e-15);
    assert!((d_at_p0 - ll_at_p0).abs() > 1.0);
}

#[test]
fn eq_2_13_unbiased_variance_needs_only_two_samples() {
    // 2 点 1, 3: 平均 2、偏差の 2 乗和 2。1/n なら 1、1/(n-1) なら 2
    assert_eq!(unbiased_variance(&[1.0, 3.0]), Ok(2.0));
    assert_eq!(sample_variance(&[1.0, 3.0]), Ok(1.0));
}

// ---------------------------------------------------------------- 連続でないビュー

/// 2 次元配列の列（歩幅が列数の連続でないビュー）、1 つおきの切り出し、逆順のビューを渡しても、
/// 連続な写しを渡したときと同じ値になる（添字どおりに読み、歩幅を取り違えない）。
#[test]
fn non_contiguous_views_give_the_same_result_as_a_contiguous_copy() {
    let mut rng = ChaCha8Rng::seed_from_u64(2_002);
    let table = Array2::from_shape_fn((9, 3), |_| rng.random_range(-3.0..3.0));
    let q = Gaussian::new(0.4, 1.7).unwrap();
    let views = [
        table.column(1),
        table
            .column(2)
            .slice_axis_move(Axis(0), Slice::from(..).step_by(2)),
        table
            .column(0)
            .slice_axis_move(Axis(0), Slice::from(..).step_by(-1)),
    ];
    for view in views {
        assert!(!view.is_standard_layout());
        let copy: Vec<f64> = view.iter().copied().collect();
        let (a, b) = (Gaussian::fit(view).unwrap(), Gaussian::fit(&copy).unwrap());
        assert!(close(a.mean(), b.mean(), 1e-15) && close(a.variance(), b.variance(), 1e-15));
        // 期待値は連続な写しから手で（Σ x_i / n、Σ (x_i - x̄)² / n）
        let n = copy.len() as f64;
        let m = copy.iter().sum::<f64>() / n;
        let v = copy.iter().map(|x| (x - m).powi(2)).sum::<f64>() / n;
        assert!(close(sample_mean(view).unwrap(), m, 1e-15));
        assert!(close(sample_variance(view).unwrap(), v, 1e-14));
        assert!(close(
            unbiased_variance(view).unwrap(),
            v * n / (n - 1.0),
            1e-14
        ));
        assert!(close(
            q.kl_up_to_const(view).unwrap(),
            q.kl_up_to_const(&copy).unwrap(),
            1e-15
        ));
        let (ga, gb) = (q.kl_gradient(view).unwrap(), q.kl_gradient(&copy).unwrap());
        assert!(close(ga.mu, gb.mu, 1e-15) && close(ga.var, gb.var, 1e-15));
        assert!(close(
            q.mean_log_likelihood(view).unwrap(),
            q.mean_log_likelihood(&copy).unwrap(),
            1e-15
        ));
    }
}
