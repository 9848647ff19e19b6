//! 動かせる図「スコアの場と逆向きの粒子」（第 10 章）の検査。期待する値はテストの中で独立に求める。

use xtask::figures::live::{self, LiveError, LiveFigure};

const NAME: &str = "score-field";

fn value(fig: &LiveFigure, label_start: &str) -> f64 {
    fig.readouts
        .iter()
        .find(|r| r.label.starts_with(label_start))
        .unwrap_or_else(|| panic!("{label_start} の数がない"))
        .value
}

/// 図の横の数の (推定, 標準誤差)。文字列 `値 ± 2·se` から標準誤差を読む。
fn estimate(fig: &LiveFigure, label_start: &str) -> (f64, f64) {
    let r = fig
        .readouts
        .iter()
        .find(|r| r.label.starts_with(label_start))
        .unwrap_or_else(|| panic!("{label_start} の数がない"));
    let two_se: f64 = r
        .text
        .split(" ± ")
        .nth(1)
        .expect("誤差の幅")
        .parse()
        .expect("数");
    (r.value, two_se / 2.0)
}

/// 本文の予定 T = 1000、β を 1e−4 から 0.02 まで等間隔: ᾱ_t = Π_{s ≤ t} (1 − β_s)。
fn alpha_bar(t: usize) -> f64 {
    (1..=t)
        .map(|s| 1.0 - (1e-4 + (0.02 - 1e-4) * (s - 1) as f64 / 999.0))
        .product()
}

/// 本文の混合（重み 0.25, 0.2, 0.15, 0.15, 0.15, 0.1、平均は半径 2 の円の上、分散 diag(0.04, 0.04) と
/// diag(0.09, 0.02) を交互に）の E|x₀|² = Σ π_k (|μ_k|² + tr Σ_k) = 4 + 0.55 · 0.08 + 0.45 · 0.11。
const SECOND_MOMENT: f64 = 4.0 + 0.55 * 0.08 + 0.45 * 0.11;

#[test]
fn exact_readouts_match_closed_forms() {
    // t = round(10^x): 10^0.5 ≈ 3.16 → 3、10^2 = 100、10^3 = 1000
    for (x, t) in [(0.5, 3usize), (2.0, 100), (3.0, 1000)] {
        let fig = live::render(NAME, &[x, 1.0]).unwrap();
        assert_eq!(value(&fig, "時刻 t"), t as f64);
        let ab = alpha_bar(t);
        assert!((value(&fig, "ᾱₜ") - ab).abs() < 1e-12, "t = {t}");
        // E_{p_t}|x_t|² = ᾱ_t E|x₀|² + D (1 − ᾱ_t)、D = 2（数値積分の誤差は丸めの程度なので 1e−9 で足りる）
        let exact = ab * SECOND_MOMENT + 2.0 * (1.0 - ab);
        assert!(
            (value(&fig, "E|xₜ|² の厳密な値") - exact).abs() < 1e-9,
            "t = {t}"
        );
    }
}

#[test]
fn wedge_mass_limits() {
    // t = 1000: p_t はほぼ N(0, I)（平均は √ᾱ_T μ_k ≈ 0.013 だけ原点からずれる）なので、扇形 60° の確率は
    // ほぼ 1/6。平均のずれの影響は 0.013 · φ の程度で、1e−2 より小さい
    let fig = live::render(NAME, &[3.0, 1.0]).unwrap();
    let far = value(&fig, "成分 1 に最も近い割合の厳密な値");
    assert!((far - 1.0 / 6.0).abs() < 1e-2, "{far}");
    // t = 1: 成分 1 の重み 0.25 に、扇形の境目を越える裾（境目まで標準偏差の 3.7 倍以上: 1e−4 の程度）を足したもの
    let fig = live::render(NAME, &[0.0, 1.0]).unwrap();
    let near = value(&fig, "成分 1 に最も近い割合の厳密な値");
    assert!((near - 0.25).abs() < 1e-3, "{near}");
}

#[test]
fn particle_estimates_within_error_bars() {
    // 粒子の推定は平均と標準誤差。粒子はモデル q_θ（厳密な ε*）の分布に従い、p_t との違いは 1 歩のガウス分布の
    // 近似の分だけある（E|x|² で 0.01 程度。粒子 250 個以上の標準誤差 0.05 以上よりずっと小さい）。
    // ずれが標準誤差の 4 倍を超える確率は 1 つの比較で 6e−5 程度なので、4 倍を許す
    for values in [[0.5, 2.0], [1.5, 5.0], [3.0, 9.0]] {
        let fig = live::render(NAME, &values).unwrap();
        let (m, se) = estimate(&fig, "E|xₜ|² の推定");
        let exact = value(&fig, "E|xₜ|² の厳密な値");
        assert!(
            se > 0.0 && (m - exact).abs() < 4.0 * se,
            "{values:?}: {m} ± {se} vs {exact}"
        );
        let (f, se) = estimate(&fig, "成分 1 に最も近い割合の推定");
        let exact = value(&fig, "成分 1 に最も近い割合の厳密な値");
        assert!(
            se > 0.0 && (f - exact).abs() < 4.0 * se,
            "{values:?}: {f} ± {se} vs {exact}"
        );
    }
}

#[test]
fn deterministic_and_responsive() {
    let a = live::render(NAME, &[2.5, 4.0]).unwrap();
    let b = live::render(NAME, &[2.5, 4.0]).unwrap();
    assert_eq!(a, b);
    let other_t = live::render(NAME, &[2.55, 4.0]).unwrap();
    assert_ne!(a.svg, other_t.svg);
    let other_seed = live::render(NAME, &[2.5, 5.0]).unwrap();
    assert_ne!(a.svg, other_seed.svg);
    assert!(a.svg.starts_with("<svg"));
}

#[test]
fn rejects_bad_values() {
    for bad in [
        vec![3.05, 1.0],
        vec![-0.05, 1.0],
        vec![1.02, 1.0],
        vec![1.0, 0.0],
        vec![1.0, 21.0],
        vec![f64::NAN, 1.0],
        vec![1.0],
    ] {
        let r = live::render(NAME, &bad);
        assert!(
            matches!(
                r,
                Err(LiveError::OutOfRange { .. } | LiveError::WrongCount { .. })
            ),
            "{bad:?}"
        );
    }
}

#[test]
fn cases_are_on_the_grid() {
    let spec = live::spec(NAME).unwrap();
    assert!(!spec.cases.is_empty());
    for c in spec.cases {
        assert!(live::check(spec, c).is_ok(), "{c:?}");
    }
    assert!(live::check(spec, &live::defaults(spec)).is_ok());
}
