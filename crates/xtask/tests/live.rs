//! 動かせる図の枠組み（`xtask::figures::live`）と、§2.2・§2.6 の 2 枚の図の数。
//!
//! 期待値はテストの中で別に求める: 標本の平均と分散、2 つのガウス分布の KL の閉じた式、
//! 4 スピンの全 16 状態を数えた統計量の共分散とその固有値（べき乗法）。

use genmodel::gaussian::Gaussian;
use genmodel::gaussian::univariate::seeded_rng;
use xtask::figures::live::{self, LiveError, SPECS};

fn readout(fig: &live::LiveFigure, prefix: &str) -> f64 {
    fig.readouts
        .iter()
        .find(|r| r.label.starts_with(prefix))
        .unwrap_or_else(|| panic!("数 {prefix} がない"))
        .value
}

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs().max(1e-300)
}

#[test]
fn bad_values_are_typed_errors() {
    assert!(matches!(
        live::render("no-such", &[]),
        Err(LiveError::UnknownFigure(_))
    ));
    assert_eq!(
        live::render("learning-rate", &[]),
        Err(LiveError::WrongCount {
            expected: 1,
            got: 0
        })
    );
    for bad in [f64::NAN, f64::INFINITY, 0.0, 2.55, 1.52] {
        assert!(
            matches!(
                live::render("learning-rate", &[bad]),
                Err(LiveError::OutOfRange { key: "c", .. })
            ),
            "{bad}"
        );
    }
    // 刻みに乗る値はブラウザが 10 進で書いたもの（0.1 + 0.2 ではなく 0.3）でも通る
    assert!(live::render("learning-rate", &[0.3]).is_ok());
    assert!(live::render("kl-surface", &[2.0, 0.5, 15.0, 1.0]).is_err()); // N は 10 刻み
}

#[test]
fn every_spec_is_well_formed_and_its_sliders_move_the_figure() {
    let specs: Vec<serde_json::Value> = serde_json::from_str(&live::specs_json()).unwrap();
    assert_eq!(specs.len(), SPECS.len());
    let mut files: Vec<&str> = SPECS.iter().map(|s| s.file).collect();
    files.sort_unstable();
    files.dedup();
    assert_eq!(files.len(), SPECS.len(), "静的な図のファイル名が重なる");
    for s in SPECS {
        let defaults = live::defaults(s);
        live::check(s, &defaults).unwrap_or_else(|e| panic!("{}: 既定値 {e}", s.name));
        assert!(!s.cases.is_empty(), "{}: 検査用の値の組がない", s.name);
        for k in s.sliders {
            assert!(k.min < k.max && k.step > 0.0, "{}: {}", s.name, k.key);
        }
    }
    // 描くのに時間のかかる図は各自のテストで確かめるので、ここでは §2.2・§2.6 の 2 枚
    for name in ["kl-surface", "learning-rate"] {
        let s = live::spec(name).unwrap();
        let first = live::render(name, &live::defaults(s)).unwrap();
        assert_eq!(first, live::render(name, &live::defaults(s)).unwrap());
        for c in s.cases {
            let moved = live::render(name, c).unwrap();
            assert_ne!(moved.svg, first.svg, "{name}: {c:?} で図が変わらない");
            assert_ne!(
                moved.readouts, first.readouts,
                "{name}: {c:?} で数が変わらない"
            );
        }
    }
}

/// §2.2: 最小点は標本平均と（n で割る）標本分散 (2.12)・(2.13)。○での D − D_min は、D が標本の
/// 平均と分散だけで決まるので KL(N(μ̂, σ̂²) ‖ N(μ, σ²)) の閉じた式に等しい。
#[test]
fn kl_surface_readouts_match_closed_forms() {
    for values in [
        [2.0, 0.5, 200.0, 1.0],
        [1.0, 0.3, 20.0, 3.0],
        [3.5, 1.2, 1000.0, 7.0],
    ] {
        let fig = live::render("kl-surface", &values).unwrap();
        let (mu, var, n, seed) = (values[0], values[1], values[2] as usize, values[3] as u64);
        let x = Gaussian::new(mu, var)
            .unwrap()
            .sample(&mut seeded_rng(seed), n)
            .unwrap();
        let m = x.iter().sum::<f64>() / n as f64;
        let v = x.iter().map(|xi| (xi - m).powi(2)).sum::<f64>() / n as f64;
        let kl = 0.5 * ((var / v).ln() + (v + (m - mu).powi(2)) / var - 1.0);
        assert!(rel(readout(&fig, "μ̂"), m) < 1e-12);
        assert!(rel(readout(&fig, "σ̂²"), v) < 1e-12);
        assert_eq!(readout(&fig, "真の μ"), mu);
        // D − D_min は O(1) の数の差なので、絶対誤差で 1e-12
        assert!(
            (readout(&fig, "○ での D − D_min") - kl).abs() < 1e-12,
            "{values:?}"
        );
    }
    // 既定値は本文 §2.2 の数（標本平均 1.972、標本分散 0.518）
    let fig = live::render("kl-surface", &[2.0, 0.5, 200.0, 1.0]).unwrap();
    assert_eq!(fig.readouts[0].text, "1.972 ± 0.102");
    assert!(fig.readouts[2].text.starts_with("0.518"));
}

/// 4 スピンの真のモデル（§2.6 の学習曲線の図と同じ）の統計量 φ = (x_i, x_i x_j) の共分散を、
/// 全 16 状態を数えて求める。確率は exp(Σ h_i x_i + Σ J_ij x_i x_j) に比例する。
fn statistics_covariance() -> Vec<Vec<f64>> {
    let h = [0.3, -0.2, 0.1, 0.0];
    let pairs = [(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)];
    let j = [0.5, -0.4, 0.3, 0.6, -0.2, 0.4];
    let mut weights = Vec::new();
    let mut phis = Vec::new();
    for s in 0..16u32 {
        let x: Vec<f64> = (0..4)
            .map(|i| if s >> i & 1 == 1 { 1.0 } else { -1.0 })
            .collect();
        let mut phi = x.clone();
        phi.extend(pairs.iter().map(|&(a, b)| x[a] * x[b]));
        let e: f64 = (0..4).map(|i| h[i] * x[i]).sum::<f64>()
            + pairs
                .iter()
                .zip(j)
                .map(|(&(a, b), jab)| jab * x[a] * x[b])
                .sum::<f64>();
        weights.push(e.exp());
        phis.push(phi);
    }
    let z: f64 = weights.iter().sum();
    let mean: Vec<f64> = (0..10)
        .map(|k| {
            phis.iter()
                .zip(&weights)
                .map(|(p, w)| w * p[k])
                .sum::<f64>()
                / z
        })
        .collect();
    (0..10)
        .map(|a| {
            (0..10)
                .map(|b| {
                    phis.iter()
                        .zip(&weights)
                        .map(|(p, w)| w * (p[a] - mean[a]) * (p[b] - mean[b]))
                        .sum::<f64>()
                        / z
                })
                .collect()
        })
        .collect()
}

/// 対称行列 `a − shift·I` の絶対値最大の固有値（べき乗法）に `shift` を足したもの。
fn power_iteration(a: &[Vec<f64>], shift: f64) -> f64 {
    let n = a.len();
    let mut v = vec![1.0; n];
    let mut lambda = 0.0;
    for _ in 0..20_000 {
        let w: Vec<f64> = (0..n)
            .map(|i| (0..n).map(|k| a[i][k] * v[k]).sum::<f64>() - shift * v[i])
            .collect();
        let norm = w.iter().map(|x| x * x).sum::<f64>().sqrt();
        lambda = (0..n).map(|i| v[i] * w[i]).sum::<f64>() / v.iter().map(|x| x * x).sum::<f64>();
        v = w.iter().map(|x| x / norm).collect();
    }
    lambda + shift
}

/// §2.6: λ* は統計量の共分散（最適点でのヘッセ行列）の最大固有値、予測 ρ² = max(1 − ηλᵢ)² は
/// 最大・最小の固有値で決まる。曲線から測った 1 歩あたりの比は、線形の領域ではこの予測に近い。
#[test]
fn learning_rate_readouts_match_the_hessian_spectrum() {
    let cov = statistics_covariance();
    let max = power_iteration(&cov, 0.0);
    let min = power_iteration(&cov, max);
    for c in [0.3, 1.5, 2.2] {
        let fig = live::render("learning-rate", &[c]).unwrap();
        assert!(rel(readout(&fig, "λ*"), max) < 1e-9);
        assert!(rel(readout(&fig, "η"), c / max) < 1e-9);
        let rho = (1.0 - c).abs().max((1.0 - c * min / max).abs());
        let predicted = readout(&fig, "予測");
        assert!(rel(predicted, rho * rho) < 1e-8, "c = {c}");
        let observed = readout(&fig, "曲線の 1 歩");
        if c < 2.0 {
            // 150 回のあとは線形の領域にいる: 予測との差は 1 % 未満
            assert!(
                rel(observed, predicted) < 0.01,
                "c = {c}: {observed} と {predicted}"
            );
        } else {
            // 2/λ* を越えると最適点は不安定（ρ > 1）。曲線は最適点に近づかず、KL は減らない
            assert!(predicted > 1.0);
            assert!(readout(&fig, "150 回後の KL") > 1e-3);
        }
    }
}
