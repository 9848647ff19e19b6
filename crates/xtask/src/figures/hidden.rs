//! 第 3 章の図 3.1（12 個の初期値からの学習曲線: 2 つの極小）と図 3.2（隠れ変数の符号を反転した
//! 2 つの最適点を結ぶ線分の上の KL 情報量: 凸でない）。
//!
//! データは 4 ビットのパリティ（`x_1 x_2 x_3 x_4 = 1` の 8 状態が等確率）、モデルは見える 4・隠れ 1 の
//! ボルツマンマシン、目的関数は `D_KL + (ρ/2)‖θ‖²`（ρ = 0.01）、学習率 0.5 の勾配法。

use super::Figure;
use super::style::{
    AXIS, BACKGROUND, FONT, PALETTE, SIZE, TEXT, draw_legend, legend_line, render, tick,
};
use genmodel::boltzmann::Ising;
use genmodel::boltzmann::hidden::HiddenIsing;
use genmodel::boltzmann::ising::spins_of_state;
use genmodel::ndarray::{Array1, Array2};
use genmodel::optim::StopRule;
use plotters::prelude::*;
use rand::SeedableRng;

pub fn figures() -> Vec<Figure> {
    vec![
        Figure {
            file: "fig-hidden-seeds.svg",
            svg: seeds(),
        },
        Figure {
            file: "fig-hidden-midpoint.svg",
            svg: midpoint(),
        },
    ]
}

/// 正則化の係数 ρ。
pub const RIDGE: f64 = 0.01;
/// 学習率。
pub const ETA: f64 = 0.5;
/// 学習の反復の上限（図の横軸の端）。
pub const ITERATIONS: usize = 2500;

/// 4 ビットのパリティのデータ（8 行）。
pub fn parity4() -> Array2<i8> {
    let rows: Vec<Array1<i8>> = (0..16)
        .map(|s| spins_of_state(s, 4).expect("状態"))
        .filter(|x| x.iter().map(|&v| i32::from(v)).product::<i32>() == 1)
        .collect();
    Array2::from_shape_fn((rows.len(), 4), |(i, k)| rows[i][k])
}

/// シード `seed` の標準正規乱数で作った初期値（見える 4・隠れ 1、15 個のパラメータ）。
pub fn start(seed: u64) -> HiddenIsing {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let theta: Array1<f64> = (0..15)
        .map(|_| genmodel::gaussian::univariate::standard_normal(&mut rng))
        .collect();
    HiddenIsing::new(Ising::from_params(5, &theta).expect("モデル"), 4).expect("モデル")
}

/// 初期値 `seed` からの学習（目的関数の値の列と、最後のモデル）。
pub fn run(seed: u64) -> (Vec<f64>, HiddenIsing) {
    let stop = StopRule {
        tolerance: 1e-9,
        max_iterations: ITERATIONS,
    };
    let (fit, trace) = start(seed).fit(&parity4(), RIDGE, ETA, stop).expect("学習");
    (trace.values.to_vec(), fit)
}

/// 図 3.1: 12 個の初期値からの学習曲線。多くは下の極小に、いくつかは上の極小に着く。
fn seeds() -> String {
    let runs: Vec<Vec<f64>> = (0..12).map(|s| run(s).0).collect();
    render(SIZE, |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(16)
            .x_label_area_size(52)
            .y_label_area_size(70)
            .build_cartesian_2d(0.0..ITERATIONS as f64 + 100.0, 0.2..1.2)?;
        chart
            .configure_mesh()
            .x_desc("反復")
            .y_desc("KL + (ρ/2)‖θ‖²")
            .x_labels(6)
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_label_formatter(&tick)
            .label_style((FONT, TEXT))
            .axis_desc_style((FONT, AXIS))
            .light_line_style(BACKGROUND)
            .draw()?;
        for (s, values) in runs.iter().enumerate() {
            let color = if values.last().copied().unwrap_or(0.0) > 0.5 {
                PALETTE[1]
            } else {
                PALETTE[0]
            };
            let series = chart.draw_series(LineSeries::new(
                values
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| i % 10 == 0 || *i + 1 == values.len())
                    .map(|(i, &v)| (i as f64, v.min(1.2))),
                color.stroke_width(2),
            ))?;
            if s == 0 {
                series
                    .label("下の極小へ")
                    .legend(legend_line(PALETTE[0], 2));
            } else if s == 4 {
                series
                    .label("上の極小へ")
                    .legend(legend_line(PALETTE[1], 2));
            }
        }
        chart
            .draw_series(LineSeries::new(
                [(0.0, 2f64.ln()), (ITERATIONS as f64, 2f64.ln())],
                BLACK.stroke_width(1),
            ))?
            .label("ln 2（見える変数だけ）")
            .legend(legend_line(BLACK, 1));
        draw_legend(&mut chart, SeriesLabelPosition::UpperRight, TEXT)?;
        Ok(())
    })
}

/// 図 3.2: 最適点 θ* と、隠れ変数の符号を反転した θ' を結ぶ線分 θ(t) = (1 − t)θ* + tθ' の上の目的関数
/// `KL + (ρ/2)‖θ‖²`（学習で最小化した関数）。
fn midpoint() -> String {
    let (_, fit) = run(0);
    let data = parity4();
    let a = fit.model().params();
    let b = fit.flip_hidden(0).expect("反転").model().params();
    let ts: Vec<f64> = (0..=120).map(|i| -0.1 + 1.2 * i as f64 / 120.0).collect();
    let kl: Vec<(f64, f64)> = ts
        .iter()
        .map(|&t| {
            let theta = &a * (1.0 - t) + &b * t;
            let m = HiddenIsing::new(Ising::from_params(5, &theta).expect("モデル"), 4)
                .expect("モデル");
            (
                t,
                m.kl(&data).expect("KL") + 0.5 * RIDGE * theta.dot(&theta),
            )
        })
        .collect();
    let (k0, k1) = (kl[10].1, kl[110].1);
    let top = kl.iter().fold(0.0f64, |m, p| m.max(p.1)) * 1.45;
    render(SIZE, |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(16)
            .x_label_area_size(52)
            .y_label_area_size(70)
            .build_cartesian_2d(-0.1..1.1, 0.0..top)?;
        chart
            .configure_mesh()
            .x_desc("t")
            .y_desc("KL + (ρ/2)‖θ‖²")
            .y_label_formatter(&tick)
            .label_style((FONT, TEXT))
            .axis_desc_style((FONT, AXIS))
            .light_line_style(BACKGROUND)
            .draw()?;
        chart
            .draw_series(LineSeries::new(
                kl.iter().copied(),
                PALETTE[0].stroke_width(2),
            ))?
            .label("θ(t) での値")
            .legend(legend_line(PALETTE[0], 2));
        chart
            .draw_series(LineSeries::new(
                [(0.0, k0), (1.0, k1)],
                PALETTE[1].stroke_width(2),
            ))?
            .label("凸なら曲線はこの弦より下")
            .legend(legend_line(PALETTE[1], 2));
        chart.draw_series([
            Circle::new((0.0, k0), 5, PALETTE[1].filled()),
            Circle::new((1.0, k1), 5, PALETTE[1].filled()),
        ])?;
        draw_legend(&mut chart, SeriesLabelPosition::UpperRight, TEXT)?;
        Ok(())
    })
}
