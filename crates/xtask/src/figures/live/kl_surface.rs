//! §2.2 の動かせる図: データの KL 情報量 (2.11) を (μ, σ²) の平面に等高線で描き、最小点（最尤推定
//! (2.12)・(2.13)）に × を、データを引いた真の値に ○ を付ける。スライダーはデータを変える
//! （真の μ・σ²、標本の数、乱数のシード）。
//!
//! 等高線には凡例の代わりに値 `D − D_min` を直接書く。書く位置は、最小点から右下の角へ向かう線分と
//! 等高線の交点（二分法で求める）。枠は真の値から決める（横軸は真の μ ± 1.2σ、縦軸は真の σ² の
//! 0.25 倍から 2.8 倍）ので、データを引き直すと × が ○ のまわりを動き、標本が増えると ○ に近づく。

use super::{LiveError, LiveFigure, LiveSpec, Readout, SEED, Slider};
use crate::figures::gaussian::{boxed_label, contour};
use crate::figures::style::{AXIS, FONT, PALETTE, TEXT, grid, render, tick};
use genmodel::gaussian::Gaussian;
use genmodel::gaussian::univariate::seeded_rng;
use plotters::prelude::*;

/// 動かせる図の定義。既定値は本文 §2.2 の例（N(2, 0.5) からシード 1 で引いた 200 個）。
pub const SPEC: LiveSpec = LiveSpec {
    name: "kl-surface",
    file: "fig-gaussian-kl.svg",
    sliders: &[
        Slider {
            key: "mu",
            label: "真の μ",
            min: 0.0,
            max: 4.0,
            step: 0.1,
            default: 2.0,
        },
        Slider {
            key: "var",
            label: "真の σ²",
            min: 0.2,
            max: 1.2,
            step: 0.05,
            default: 0.5,
        },
        Slider {
            key: "n",
            label: "標本の数 N",
            min: 10.0,
            max: 1000.0,
            step: 10.0,
            default: 200.0,
        },
        SEED,
    ],
    render: draw,
    cases: &[&[1.0, 0.3, 20.0, 3.0], &[3.5, 1.2, 1000.0, 7.0]],
};

/// 等高線の値 `D − D_min`。
const LEVELS: [f64; 4] = [0.01, 0.05, 0.2, 0.5];

fn draw(values: &[f64]) -> Result<LiveFigure, LiveError> {
    let (mu, var) = (values[0], values[1]);
    let (n, seed) = (values[2] as usize, values[3] as u64);
    let truth = Gaussian::new(mu, var)?;
    let data = truth.sample(&mut seeded_rng(seed), n)?;
    let best = Gaussian::fit(&data)?;
    let kl = |m: f64, v: f64| Gaussian::new(m, v).and_then(|q| q.kl_up_to_const(&data));
    let (mx, vx) = (best.mean(), best.variance());
    let d_min = kl(mx, vx)?;
    let d_truth = kl(mu, var)?;
    // 枠は真の値から決める: μ は真の μ ± 1.2σ、σ² は真の σ² の 0.25 倍から 2.8 倍
    let sd = var.sqrt();
    let xs = grid(mu - 1.2 * sd, mu + 1.2 * sd, 120);
    let ys = grid(0.25 * var, 2.8 * var, 120);
    let f = xs
        .iter()
        .map(|&m| ys.iter().map(|&v| kl(m, v)).collect())
        .collect::<Result<Vec<Vec<f64>>, _>>()?;
    // 等高線のラベルの位置: 最小点から右下の角への線分の上で D = D_min + lv となる点（二分法）
    let corner = (xs[xs.len() - 1], ys[0]);
    let on_ray = |t: f64| (mx + t * (corner.0 - mx), vx + t * (corner.1 - vx));
    let mut label_at = Vec::new();
    for lv in LEVELS {
        let (mut a, mut b) = (0.0, 1.0);
        for _ in 0..60 {
            let m = 0.5 * (a + b);
            let (p, v) = on_ray(m);
            if kl(p, v)? < d_min + lv {
                a = m;
            } else {
                b = m;
            }
        }
        label_at.push((on_ray(0.5 * (a + b)), lv));
    }
    let svg = render((640, 460), |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(16)
            .margin_right(28)
            .x_label_area_size(64)
            .y_label_area_size(82)
            .build_cartesian_2d(xs[0]..xs[xs.len() - 1], ys[0]..ys[ys.len() - 1])?;
        chart
            .configure_mesh()
            .x_desc("μ")
            .y_desc("σ²")
            .x_labels(6)
            .y_labels(6)
            .x_label_formatter(&tick)
            .y_label_formatter(&tick)
            .label_style((FONT, TEXT))
            .axis_desc_style((FONT, AXIS))
            .light_line_style(TRANSPARENT)
            .bold_line_style(BLACK.mix(0.12))
            .draw()?;
        for (k, &lv) in LEVELS.iter().enumerate() {
            let color = PALETTE[k % PALETTE.len()];
            for line in contour(&xs, &ys, &f, d_min + lv) {
                chart.draw_series(LineSeries::new(line, color.stroke_width(3)))?;
            }
        }
        for &(p, lv) in &label_at {
            boxed_label(root, chart.backend_coord(&p), &format!("{lv}"))?;
        }
        chart.draw_series([Circle::new((mu, var), 9, BLACK.stroke_width(3))])?;
        chart.draw_series([Cross::new((mx, vx), 9, BLACK.stroke_width(3))])?;
        Ok(())
    });
    let nf = n as f64;
    Ok(LiveFigure {
        svg,
        readouts: vec![
            Readout::with_error("μ̂（× の横、±2 標準誤差）", mx, (vx / nf).sqrt(), 3),
            Readout::fixed("真の μ（○ の横）", mu, 3),
            Readout::with_error("σ̂²（× の縦、±2 標準誤差）", vx, vx * (2.0 / nf).sqrt(), 3),
            Readout::fixed("真の σ²（○ の縦）", var, 3),
            Readout::fixed("○ での D − D_min", d_truth - d_min, 4),
        ],
    })
}
