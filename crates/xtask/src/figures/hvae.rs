//! 第 9 章の図: ELBO の 2 つの書き方 (9.6)・(9.8) の 1 標本の推定の揺れ（ここで計算する）。

use super::Figure;
use super::style::{Key, PALETTE, frame, legend, mesh, render, tick};
use genmodel::gaussian::univariate::seeded_rng;
use genmodel::hvae::estimate::{Form, estimate, exact_moments};
use genmodel::hvae::{Decoder, Encoder};
use plotters::prelude::*;

/// 第 9 章の図。
pub fn figures() -> Vec<Figure> {
    vec![Figure {
        file: "fig-hvae-estimators.svg",
        svg: estimators(),
    }]
}

/// 固定のエンコーダの係数と分散（どの段も同じ）、データの分布 N(MEAN, VAR)、評価する点 X0。
pub const A: f64 = 0.9;
/// 固定のエンコーダの分散。
pub const V: f64 = 0.19;
/// データの分布の平均。
pub const MEAN: f64 = 1.0;
/// データの分布の分散。
pub const VAR: f64 = 0.25;
/// ELBO を評価する点。
pub const X0: f64 = 1.5;
/// 推定 1 つあたりの標本の数。
pub const SAMPLES: usize = 4000;
/// 段の数の範囲。
pub const DEPTHS: std::ops::RangeInclusive<usize> = 1..=10;

/// 2 つのデコーダ: 最適から遠いもの（w = 0.5, b = 0, s = 0.5）と、データの分布に最適なもの (9.12)。
pub fn decoders(depth: usize) -> (Encoder, [Decoder; 2]) {
    let enc =
        Encoder::fixed(vec![A; depth].as_slice(), vec![V; depth].as_slice()).expect("エンコーダ");
    let far = Decoder::new(
        vec![0.5; depth].as_slice(),
        vec![0.0; depth].as_slice(),
        vec![0.5; depth].as_slice(),
    )
    .expect("デコーダ");
    let best = Decoder::optimal_for_gaussian(&enc, MEAN, VAR).expect("最適なデコーダ");
    (enc, [far, best])
}

/// 段の数ごと・デコーダごと・書き方ごとの（厳密な標準偏差、推定した標準偏差、その標準誤差）。
pub type Spread = (f64, f64, f64);

/// 図の数値: `[デコーダ][書き方]` ごとに、段の数の順に並べた揺れ。
pub fn sweep() -> [[Vec<Spread>; 2]; 2] {
    let mut out: [[Vec<Spread>; 2]; 2] = Default::default();
    for depth in DEPTHS {
        let (enc, decs) = decoders(depth);
        for (k, dec) in decs.iter().enumerate() {
            for (f, form) in [Form::Chain, Form::FixedEncoder].into_iter().enumerate() {
                let (_, var) = exact_moments(dec, &enc, X0, form).expect("厳密な積率");
                let seed = 9000 + 100 * k as u64 + 10 * f as u64 + depth as u64;
                let e =
                    estimate(dec, &enc, X0, form, SAMPLES, &mut seeded_rng(seed)).expect("推定");
                let sd = e.variance.sqrt();
                out[k][f].push((var.sqrt(), sd, e.variance_error / (2.0 * sd)));
            }
        }
    }
    out
}

/// 図 9.1: 2 つのデコーダでの、(9.6)・(9.8) の 1 標本の推定の標準偏差と段の数。
fn estimators() -> String {
    let data = sweep();
    let hi = *DEPTHS.end() as f64 + 0.5;
    render((640, 820), |root| {
        let (top, rest) = root.split_vertically(88);
        let (upper, lower) = rest.split_vertically(366);
        legend(
            &top,
            (60, 24),
            2,
            280,
            &[
                (Key::Ring(PALETTE[0]), "(9.6) の形".into()),
                (Key::Ring(PALETTE[1]), "(9.8) の形".into()),
                (Key::Line(PALETTE[0], 2), "(9.6) 厳密".into()),
                (Key::Line(PALETTE[1], 2), "(9.8) 厳密".into()),
            ],
        )?;
        for (k, area) in [&upper, &lower].into_iter().enumerate() {
            let ymax = if k == 0 { 3.5 } else { 1.0 };
            let mut chart = frame(area, 80).build_cartesian_2d(0.5..hi, 0.0..ymax)?;
            mesh(&mut chart, "段の数 T", "1 標本の標準偏差", &tick, &tick)
                .x_labels(10)
                .y_labels(5)
                .draw()?;
            for (f, color) in [PALETTE[0], PALETTE[1]].into_iter().enumerate() {
                let series = &data[k][f];
                chart.draw_series(LineSeries::new(
                    DEPTHS.zip(series).map(|(t, s)| (t as f64, s.0)),
                    color.stroke_width(2),
                ))?;
                let shift = if f == 0 { -0.12 } else { 0.12 };
                for (t, s) in DEPTHS.zip(series) {
                    let x = t as f64 + shift;
                    chart.draw_series([PathElement::new(
                        [(x, s.1 - 2.0 * s.2), (x, s.1 + 2.0 * s.2)],
                        color.stroke_width(3),
                    )])?;
                    chart.draw_series([Circle::new((x, s.1), 6, color.stroke_width(3))])?;
                }
            }
        }
        Ok(())
    })
}
