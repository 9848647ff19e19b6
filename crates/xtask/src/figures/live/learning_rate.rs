//! §2.6 の動かせる図: 4 スピンの Ising モデルを θ = 0 から学習率 η = c/λ* の勾配法で学習したときの
//! KL 情報量の推移。スライダーは c = ηλ*（λ* は最適点での統計量の共分散の最大固有値）。
//!
//! 最適点の近くで勾配法は線形の写像になり、誤差は 1 歩で固有値ごとに |1 − ηλᵢ| 倍になる。
//! 図の横に、その予測 ρ² = maxᵢ (1 − ηλᵢ)²（KL は誤差の 2 乗に比例する）と、曲線から測った
//! 1 歩あたりの KL の比を並べる。c が 2 を超えると ρ > 1 となり、最適点は不安定になる。

use super::{LiveError, LiveFigure, LiveSpec, Readout, Slider};
use crate::figures::ising::{kl_chart, truth4};
use crate::figures::style::{BACKGROUND, Key, PALETTE, legend, render};
use genmodel::boltzmann::ising::{Ising, KlObjective};
use genmodel::optim::{StepSize, StopRule};
use plotters::prelude::*;

/// 動かせる図の定義。
pub const SPEC: LiveSpec = LiveSpec {
    name: "learning-rate",
    file: "fig-ising-eta.svg",
    sliders: &[Slider {
        key: "c",
        label: "c = ηλ*",
        min: 0.05,
        max: 2.5,
        step: 0.05,
        default: 1.5,
    }],
    render: draw,
    cases: &[&[0.3], &[2.2]],
};

/// 反復の回数。
const ITERATIONS: usize = 150;
/// 縦軸の下端（これより小さい KL は下端に描く）。
const FLOOR: f64 = 1e-14;
/// 1 歩あたりの比を測る区間の長さ。
const WINDOW: usize = 10;

/// 学習率 `eta` で θ = 0 から [`ITERATIONS`] 回学習した KL の列（`ITERATIONS + 1` 個）。
fn curve(kl: &KlObjective, init: &Ising, eta: f64) -> Result<Vec<f64>, LiveError> {
    let stop = StopRule {
        tolerance: 0.0,
        max_iterations: ITERATIONS,
    };
    let (_, trace) = kl.learn(init, &StepSize::Scalar(eta), stop, &mut |_| {})?;
    Ok(trace.values.to_vec())
}

/// 曲線の終わりのほう（KL が 1e-6 より大きい最後の点までの [`WINDOW`] 歩）で測った 1 歩あたりの KL の比。
/// KL は最適点の近くで大きな数の差として求まり、1e-10 では相対誤差が 1e-6 にもなるので、そこまで下りない。
fn observed_ratio(values: &[f64]) -> f64 {
    let last = values
        .iter()
        .rposition(|&v| v > 1e-6)
        .unwrap_or(0)
        .max(WINDOW);
    (values[last] / values[last - WINDOW]).powf(1.0 / WINDOW as f64)
}

/// 最後の KL: 縦軸の下端 [`FLOOR`] より小さければ（丸めで 0 や負にもなる）「1e−14 未満」と書く。
fn final_kl(value: f64) -> Readout {
    let label = format!("{ITERATIONS} 回後の KL");
    if value < FLOOR {
        Readout {
            label,
            value,
            text: "1e−14 未満".to_string(),
        }
    } else {
        Readout::scientific(&label, value, 2)
    }
}

fn draw(values: &[f64]) -> Result<LiveFigure, LiveError> {
    let c = values[0];
    let truth = truth4();
    let kl = KlObjective::from_model(&truth)?;
    let eigen = truth.statistics_covariance()?;
    let lambdas = eigen.eigenvalues();
    let lambda = lambdas.iter().copied().fold(f64::MIN, f64::max);
    let eta = c / lambda;
    let rho = lambdas
        .iter()
        .map(|l| (1.0 - eta * l).abs())
        .fold(0.0, f64::max);
    let init = Ising::zeros(truth.n_spins())?;
    let reference = curve(&kl, &init, 1.0 / lambda)?;
    let moving = curve(&kl, &init, eta)?;
    let svg = render((640, 500), |root| {
        let (top, body) = root.split_vertically(84);
        let items = [
            (Key::Line(PALETTE[1], 4), format!("η = {c:.2}/λ*")),
            (
                Key::Line(faded(PALETTE[0]), 3),
                "η = 1/λ*（参考）".to_string(),
            ),
        ];
        legend(&top, (24, 24), 2, 300, &items)?;
        let mut chart = kl_chart(&body, ITERATIONS, FLOOR, "KL 情報量")?;
        for (values, color, width) in [(&reference, faded(PALETTE[0]), 3), (&moving, PALETTE[1], 4)]
        {
            chart.draw_series(LineSeries::new(
                values.iter().enumerate().map(|(k, v)| (k, v.max(FLOOR))),
                color.stroke_width(width),
            ))?;
        }
        Ok(())
    });
    Ok(LiveFigure {
        svg,
        readouts: vec![
            Readout::fixed("η", eta, 4),
            Readout::fixed("λ*（最大固有値）", lambda, 4),
            Readout::fixed("1/λ*", 1.0 / lambda, 4),
            Readout::fixed("2/λ*", 2.0 / lambda, 4),
            Readout::fixed("予測 ρ² = max (1 − ηλᵢ)²", rho * rho, 4),
            Readout::fixed("曲線の 1 歩あたりの KL の比", observed_ratio(&moving), 4),
            final_kl(moving[ITERATIONS]),
        ],
    })
}

/// 参考の曲線の色: 背景に半分近づけた色（凡例の見本にも使えるよう不透明な色にする）。
fn faded(c: RGBColor) -> RGBColor {
    let mix = |a: u8, b: u8| ((u16::from(a) + u16::from(b)) / 2) as u8;
    RGBColor(
        mix(c.0, BACKGROUND.0),
        mix(c.1, BACKGROUND.1),
        mix(c.2, BACKGROUND.2),
    )
}
