//! 動かせる図 `ising-lattice`（第 5 章、32×32 の格子のメトロポリス法）の検査。
//!
//! 期待する値は図の関数の出力からではなく、Kaufman の厳密解を直接呼んだ値、低温展開の閉じた式、
//! 本文の長い計算（表 5.1 の節の τ_int）から決める。

use genmodel::boltzmann::lattice::kaufman;
use xtask::figures::live::{self, LiveError, ising_lattice};

const NAME: &str = "ising-lattice";

fn exact(t: f64) -> f64 {
    kaufman::thermodynamics(32, 1.0 / t)
        .unwrap()
        .energy_per_spin()
}

fn readout(fig: &live::LiveFigure, label_part: &str) -> f64 {
    fig.readouts
        .iter()
        .find(|r| r.label.contains(label_part))
        .unwrap_or_else(|| panic!("{label_part} を含む数がない"))
        .value
}

/// 臨界温度から離れた低温（1.5）と高温（3.5）で、推定が厳密な値から 4 標準誤差以内にある。
///
/// 標準誤差が正しければ、正規近似で |z| > 4 の確率は 6 × 10⁻⁵ である。標準誤差そのものも推定で、
/// この温度では τ_int ≈ 1 掃引、記録は 8192 掃引なので τ̂ の相対誤差は √(4·6·τ/n) ≈ 5 % ほどしかない。
/// 4 はその揺れに十分な余裕を残しつつ、温度と結合の取り違え（T と 1/T）、焼きなましの不足、
/// 相関を無視した小さすぎる誤差棒（ここでは √(2τ) 倍までの違い）のような誤りなら大きく外れる幅である。
/// シードは固定なので、結果は毎回同じ（揺らいで落ちることはない）。
#[test]
fn estimates_agree_with_kaufman_away_from_t_c() {
    for (t, seed) in [(1.5, 1), (3.5, 7)] {
        let s = ising_lattice::sample(t, seed).unwrap();
        let e = exact(t);
        let z = (s.energy - e) / s.std_error;
        assert!(z.abs() < 4.0, "T = {t}: 推定 {} 厳密 {e} z = {z}", s.energy);
        // 標準誤差は 0 でなく、値の幅（エネルギーの範囲 2）に比べて小さい
        assert!(
            s.std_error > 0.0 && s.std_error < 0.01,
            "T = {t}: SE {}",
            s.std_error
        );
        assert!((0.0..=1.0).contains(&s.acceptance));
    }
}

/// 図の数（推定・厳密値・受理率・τ_int）は、同じ温度と種で走らせた鎖と Kaufman の解に一致する。
#[test]
fn readouts_match_the_chain_and_kaufman() {
    let fig = live::render(NAME, &[3.5, 7.0]).unwrap();
    let s = ising_lattice::sample(3.5, 7).unwrap();
    assert_eq!(readout(&fig, "温度"), 3.5);
    assert_eq!(readout(&fig, "E/N の推定"), s.energy);
    assert_eq!(readout(&fig, "E/N の厳密値"), exact(3.5));
    assert_eq!(readout(&fig, "τ_int"), s.tau);
    assert_eq!(readout(&fig, "受理率"), s.acceptance);
    let est = fig
        .readouts
        .iter()
        .find(|r| r.label.contains("E/N の推定"))
        .unwrap();
    assert!(est.text.contains(" ± "), "{}", est.text);
    assert!(fig.readouts.iter().any(|r| r.label.contains("L = 32")));
}

/// 低温（T = 1）の厳密値の数は、低温展開 u = −2 + 8x⁸ + 24x¹² + O(x¹⁶)（x = e^{−K}）に一致する。
///
/// 1 個の反転（ΔE = 8、1 スピンあたり 1 通り）と隣どうしの 2 個の反転（ΔE = 12、2 通り）から
/// ln Z / N = 2K + x⁸ + 2x¹² + … で、u = −∂(ln Z/N)/∂K。次の項は 1 スピンあたり x¹⁶ の数十倍
/// （T = 1 で 10⁻⁵ 以下）、有限の L = 32 の補正は e^{−2KL} の程度で見えない。
#[test]
fn exact_readout_matches_the_low_temperature_expansion() {
    let fig = live::render(NAME, &[1.0, 1.0]).unwrap();
    let x = (-1.0f64).exp();
    let series = -2.0 + 8.0 * x.powi(8) + 24.0 * x.powi(12);
    let got = readout(&fig, "E/N の厳密値");
    assert!((got - series).abs() < 2e-5, "{got} と {series}");
    // 推定は 1 掃引あたり受理がほとんどない（e^{−8} · N ≈ 0.34 個）ところでも厳密値の近くにある
    let est = readout(&fig, "E/N の推定");
    assert!((est - series).abs() < 1e-3, "推定 {est}");
}

/// 臨界温度では臨界減速で τ_int が伸び、誤差棒が広がる。
///
/// 本文の長い計算（2^20 掃引）では、L = 32 のエネルギーの τ_int は T_c で 16.0 掃引、T = 3 で 1.3〜1.7 掃引。
/// 8192 掃引の τ̂ の相対誤差は T_c で √(4·6·16/8192) ≈ 22 % なので、T_c の近く（2.27）で 8 掃引以上、
/// 高温（3.5）で 3 掃引以下を求める。
#[test]
fn critical_slowing_widens_the_error_bar() {
    let near = ising_lattice::sample(2.27, 1).unwrap();
    let far = ising_lattice::sample(3.5, 1).unwrap();
    assert!(near.tau > 8.0, "T = 2.27 の τ_int {}", near.tau);
    assert!(far.tau < 3.0, "T = 3.5 の τ_int {}", far.tau);
    assert!(
        near.std_error > 3.0 * far.std_error,
        "{} と {}",
        near.std_error,
        far.std_error
    );
    // 臨界点の近くでも推定は厳密値から 4 標準誤差以内（理由は上の低温・高温の検査と同じ）
    let z = (near.energy - exact(2.27)) / near.std_error;
    assert!(z.abs() < 4.0, "z = {z}");
}

/// 同じ値からは同じ SVG、温度か種が違えば違う SVG。
#[test]
fn figure_is_deterministic_and_follows_the_sliders() {
    let a = live::render(NAME, &[2.5, 3.0]).unwrap();
    let b = live::render(NAME, &[2.5, 3.0]).unwrap();
    assert_eq!(a, b);
    assert!(a.svg.starts_with("<svg"));
    let c = live::render(NAME, &[2.51, 3.0]).unwrap();
    assert_ne!(a.svg, c.svg);
    let d = live::render(NAME, &[2.5, 4.0]).unwrap();
    assert_ne!(a.svg, d.svg);
}

/// スライダーの範囲の外・刻みの外・有限でない値・数の違いは誤り。
#[test]
fn out_of_range_values_are_errors() {
    for v in [
        [0.99, 1.0],
        [4.01, 1.0],
        [2.275, 1.0],
        [f64::NAN, 1.0],
        [2.0, 0.0],
        [2.0, 21.0],
        [2.0, 1.5],
    ] {
        assert!(
            matches!(live::render(NAME, &v), Err(LiveError::OutOfRange { .. })),
            "{v:?}"
        );
    }
    assert!(matches!(
        live::render(NAME, &[2.0]),
        Err(LiveError::WrongCount {
            expected: 2,
            got: 1
        })
    ));
}

/// 既定値と検査用の値の組は刻みに乗り、描ける。
#[test]
fn defaults_and_cases_render() {
    let spec = live::spec(NAME).unwrap();
    assert_eq!(spec.file, "fig-mcmc-lattice.svg");
    for c in spec.cases {
        live::check(spec, c).unwrap();
    }
    live::check(spec, &live::defaults(spec)).unwrap();
}
