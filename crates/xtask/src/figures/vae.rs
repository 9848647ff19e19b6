//! 第 8 章の図: 勾配の推定量の比較（ここで計算する）と、VAE の学習の結果（`runs ch8` の
//! [`crate::runs_vae::RUNS`] から描く）。

use super::Figure;
use super::style::{Key, PALETTE, frame, legend, mesh, pow10, render, tick};
use crate::runs_vae::VaeRuns;
use genmodel::gaussian::univariate::seeded_rng;
use genmodel::ndarray::Array1;
use genmodel::vae::estimator::{reparameterised, score_function};
use plotters::prelude::*;

/// 第 8 章の図。
pub fn figures() -> Vec<Figure> {
    let root = crate::workspace_root();
    let runs = VaeRuns::read(&root).unwrap_or_default();
    vec![
        Figure {
            file: "fig-vae-estimators.svg",
            svg: estimators(),
        },
        Figure {
            file: "fig-vae-linear.svg",
            svg: linear(&runs),
        },
        Figure {
            file: "fig-vae-digits-curve.svg",
            svg: digits_curve(&runs),
        },
        Figure {
            file: "fig-vae-reconstructions.svg",
            svg: reconstructions(&runs),
        },
        Figure {
            file: "fig-vae-latent.svg",
            svg: latent(&runs),
        },
        Figure {
            file: "fig-vae-manifold.svg",
            svg: manifold(&runs),
        },
    ]
}

/// 図 8.1 の設定: 平均 `μ`、対数分散、`f(z) = exp(a·z)` の `a`。
const MU: [f64; 2] = [0.3, -0.2];
const LOG_VAR: [f64; 2] = [-0.5, 0.2];
const A: [f64; 2] = [0.8, -0.5];
/// 標本の数 `S` と、独立な推定の回数。
const SAMPLE_COUNTS: [usize; 4] = [10, 100, 1000, 10_000];
const REPEATS: usize = 200;

/// 図 8.1 の 1 点: (S, 推定の平均, 推定の標準偏差)。
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EstimatorPoint {
    /// 標本の数。
    pub samples: usize,
    /// 独立な推定の平均。
    pub mean: f64,
    /// 推定 1 回の標準偏差。
    pub spread: f64,
}

/// `∂E[exp(a·z)]/∂μ₁` の厳密な値 `a₁ exp(a·μ + ½ Σ a_j² σ_j²)`。
pub fn exact_gradient() -> f64 {
    let e: f64 = (0..2)
        .map(|j| A[j] * MU[j] + 0.5 * A[j] * A[j] * LOG_VAR[j].exp())
        .sum();
    A[0] * e.exp()
}

/// 図 8.1 の計算: 再パラメータ化とスコア関数の推定を、各 `S` で 200 回ずつ。
pub fn estimator_sweep() -> (Vec<EstimatorPoint>, Vec<EstimatorPoint>) {
    let mu = Array1::from(MU.to_vec());
    let lv = Array1::from(LOG_VAR.to_vec());
    let a = Array1::from(A.to_vec());
    let mut rng = seeded_rng(81);
    let mut rep = Vec::new();
    let mut sco = Vec::new();
    for m in SAMPLE_COUNTS {
        let mut r = Vec::new();
        let mut s = Vec::new();
        for _ in 0..REPEATS {
            r.push(
                reparameterised(&mu, &lv, m, &mut rng, |z| Ok(&a * a.dot(&z).exp()))
                    .expect("推定")
                    .mean[0],
            );
            s.push(
                score_function(&mu, &lv, m, &mut rng, |z| Ok(a.dot(&z).exp()))
                    .expect("推定")
                    .mean[0],
            );
        }
        rep.push(summary(m, &r));
        sco.push(summary(m, &s));
    }
    (rep, sco)
}

fn summary(samples: usize, xs: &[f64]) -> EstimatorPoint {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    EstimatorPoint {
        samples,
        mean,
        spread: var.sqrt(),
    }
}

/// 対数目盛りの横軸の数（10 の冪）。
fn power_of_ten(x: &f64) -> String {
    format!("{:.0}", x)
}

/// 誤差棒の縦線と、中心の輪の印。
type Bar = (PathElement<(f64, f64)>, Circle<(f64, f64), i32>);

/// 縦の誤差棒（中心 `y`、半分の長さ `half`）と輪の印。
fn error_bar(x: f64, y: f64, half: f64, color: RGBColor) -> Bar {
    (
        PathElement::new([(x, y - half), (x, y + half)], color.stroke_width(3)),
        Circle::new((x, y), 6, color.stroke_width(3)),
    )
}

/// 図 8.1: 上は 200 回の推定の平均と厳密な値の差（±2 標準誤差）、下は 1 回の推定の標準偏差（対数目盛り）。
fn estimators() -> String {
    let (rep, sco) = estimator_sweep();
    let exact = exact_gradient();
    let n = REPEATS as f64;
    render((640, 760), |root| {
        let (top, rest) = root.split_vertically(88);
        let (upper, lower) = rest.split_vertically(320);
        legend(
            &top,
            (60, 24),
            2,
            280,
            &[
                (Key::Ring(PALETTE[0]), "再パラメータ化".into()),
                (Key::Ring(PALETTE[1]), "スコア関数".into()),
                (Key::Dashed(BLACK, 2), "厳密な値（差 0）".into()),
                (Key::Line(GREY_LINE, 2), "1/√S".into()),
            ],
        )?;
        let mut chart =
            frame(&upper, 80).build_cartesian_2d((5.0..20_000.0).log_scale(), -0.3..0.3)?;
        mesh(
            &mut chart,
            "標本の数 S",
            "平均 − 厳密な値",
            &power_of_ten,
            &tick,
        )
        .x_labels(4)
        .y_labels(5)
        .draw()?;
        chart.draw_series(DashedLineSeries::new(
            [(5.0, 0.0), (20_000.0, 0.0)],
            8,
            5,
            BLACK.stroke_width(2),
        ))?;
        // 2 つの方法の印を少し左右にずらす
        for (points, color, shift) in [(&rep, PALETTE[0], 0.85), (&sco, PALETTE[1], 1.15)] {
            for p in points {
                let x = p.samples as f64 * shift;
                let (bar, dot) = error_bar(x, p.mean - exact, 2.0 * p.spread / n.sqrt(), color);
                chart.draw_series([bar])?;
                chart.draw_series([dot])?;
            }
        }
        let mut chart = frame(&lower, 80)
            .build_cartesian_2d((5.0..20_000.0).log_scale(), (5e-3..5.0).log_scale())?;
        mesh(
            &mut chart,
            "標本の数 S",
            "1 回の推定の標準偏差",
            &power_of_ten,
            &pow10,
        )
        .x_labels(4)
        .draw()?;
        // 1/√S の傾きの目安（S = 10 で再パラメータ化の値に合わせる）
        let anchor = rep[0].spread * (rep[0].samples as f64).sqrt();
        chart.draw_series(LineSeries::new(
            [
                (5.0, anchor / 5f64.sqrt()),
                (20_000.0, anchor / 20_000f64.sqrt()),
            ],
            GREY_LINE.stroke_width(2),
        ))?;
        for (points, color) in [(&rep, PALETTE[0]), (&sco, PALETTE[1])] {
            chart.draw_series(LineSeries::new(
                points.iter().map(|p| (p.samples as f64, p.spread)),
                color.stroke_width(2),
            ))?;
            chart.draw_series(
                points
                    .iter()
                    .map(|p| Circle::new((p.samples as f64, p.spread), 6, color.stroke_width(3))),
            )?;
        }
        Ok(())
    })
}

/// 目安の線の灰色。
const GREY_LINE: RGBColor = RGBColor(140, 140, 140);

/// 図 8.2: 線形ガウスの VAE の学習曲線（厳密な対数尤度、ELBO の推定、確率的主成分分析の最大値）。
fn linear(runs: &VaeRuns) -> String {
    let best = runs.ppca.0;
    let last = runs.linear.last().map_or(1.0, |r| r.0 as f64);
    render((640, 440), |root| {
        let (top, body) = root.split_vertically(56);
        legend(
            &top,
            (60, 24),
            3,
            190,
            &[
                (Key::Line(PALETTE[0], 3), "対数尤度".into()),
                (Key::Ring(PALETTE[1]), "ELBO の推定".into()),
                (Key::Dashed(BLACK, 2), "最大値 (8.9)".into()),
            ],
        )?;
        let mut chart = frame(&body, 70)
            .build_cartesian_2d((1.0..last * 1.2).log_scale(), -30.0..(best + 2.0))?;
        mesh(
            &mut chart,
            "Adam の歩数",
            "1 点あたりの値",
            &power_of_ten,
            &tick,
        )
        .x_labels(4)
        .draw()?;
        chart.draw_series(
            runs.linear
                .iter()
                .filter(|r| r.2.is_finite() && r.2 > -30.0)
                .map(|r| Circle::new((r.0 as f64, r.2), 4, PALETTE[1].stroke_width(2))),
        )?;
        chart.draw_series(LineSeries::new(
            runs.linear.iter().map(|r| (r.0 as f64, r.1)),
            PALETTE[0].stroke_width(3),
        ))?;
        chart.draw_series(DashedLineSeries::new(
            [(1.0, best), (last * 1.2, best)],
            8,
            5,
            BLACK.stroke_width(2),
        ))?;
        Ok(())
    })
}

/// 図 8.3: 数字の VAE の学習曲線と、学習後の重点サンプリングの推定。
fn digits_curve(runs: &VaeRuns) -> String {
    render((640, 500), |root| {
        let (top, body) = root.split_vertically(120);
        legend(
            &top,
            (60, 24),
            2,
            270,
            &[
                (Key::Line(PALETTE[0], 3), "d = 2 学習用".into()),
                (Key::Line(PALETTE[1], 3), "d = 10 学習用".into()),
                (Key::Ring(PALETTE[0]), "d = 2 検証用".into()),
                (Key::Ring(PALETTE[1]), "d = 10 検証用".into()),
                (Key::Triangle(BLACK), "対数尤度 (8.20)".into()),
            ],
        )?;
        let mut chart = frame(&body, 70).build_cartesian_2d(0.0..225.0, -30.0..-16.0)?;
        mesh(
            &mut chart,
            "回（エポック）",
            "1 枚あたりの ELBO",
            &tick,
            &tick,
        )
        .x_labels(5)
        .draw()?;
        for (i, latent) in [2usize, 10].into_iter().enumerate() {
            let color = PALETTE[i];
            let pts: Vec<_> = runs.curve.iter().filter(|p| p.latent == latent).collect();
            chart.draw_series(LineSeries::new(
                pts.iter().map(|p| (p.epoch as f64, p.train)),
                color.stroke_width(2),
            ))?;
            for p in pts.iter().filter(|p| p.held.0.is_finite()) {
                let (bar, dot) = error_bar(p.epoch as f64, p.held.0, 2.0 * p.held.1, color);
                chart.draw_series([bar])?;
                chart.draw_series([dot])?;
            }
            if let Some(f) = runs.finals.iter().find(|f| f.latent == latent) {
                if let Some(&(_, m, se)) = f.is_k.last() {
                    let x = 215.0;
                    chart.draw_series([PathElement::new(
                        [(x, m - 2.0 * se), (x, m + 2.0 * se)],
                        color.stroke_width(3),
                    )])?;
                    chart.draw_series([TriangleMarker::new((x, m), 9, color.filled())])?;
                }
            }
        }
        Ok(())
    })
}

/// 8×8 の確率の画像を並べる（`rows` は行ごとの画像の列、濃さ = 画素が 1 の確率）。
pub(super) fn image_rows(rows: &[Vec<&[f64]>]) -> String {
    let cell = 8i32;
    let gap = 8i32;
    let side = 8 * cell;
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0) as i32;
    let width = columns * (side + gap) + gap;
    let height = rows.len() as i32 * (side + gap) + gap;
    render((width as u32, height as u32), |root| {
        for (r, row) in rows.iter().enumerate() {
            for (c, img) in row.iter().enumerate() {
                let x0 = gap + c as i32 * (side + gap);
                let y0 = gap + r as i32 * (side + gap);
                // 白い台を 1 枚描き、白に近くない画素だけを重ねる（SVG を小さくする）
                root.draw(&Rectangle::new(
                    [(x0, y0), (x0 + side, y0 + side)],
                    RGBColor(250, 250, 250).filled(),
                ))?;
                for (p, &v) in img.iter().enumerate() {
                    let (py, px) = ((p / 8) as i32, (p % 8) as i32);
                    let g = (250.0 - 230.0 * v.clamp(0.0, 1.0)).round() as u8;
                    if g >= 248 {
                        continue;
                    }
                    let (x, y) = (x0 + px * cell, y0 + py * cell);
                    root.draw(&Rectangle::new(
                        [(x, y), (x + cell, y + cell)],
                        RGBColor(g, g, g).filled(),
                    ))?;
                }
            }
        }
        Ok(())
    })
}

/// 図 8.4: 検証用の数字、その再構成、事前分布からの標本（`d = 10`）。
fn reconstructions(runs: &VaeRuns) -> String {
    image_rows(&[
        runs.images("input"),
        runs.images("recon"),
        runs.images("sample"),
    ])
}

/// 図 8.6: 潜在空間の格子の復号（`d = 2`）。
fn manifold(runs: &VaeRuns) -> String {
    let grid = runs.images("grid");
    let g = crate::runs_vae::GRID;
    let rows: Vec<Vec<&[f64]>> = grid.chunks(g).map(<[&[f64]]>::to_vec).collect();
    image_rows(&rows)
}

/// 数字 0–9 の色（色覚の多様性に配慮した 10 色。動かせる図 8.7 も使う）。
pub(super) const DIGIT_COLORS: [RGBColor; 10] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(213, 94, 0),
    RGBColor(120, 120, 120),
    RGBColor(150, 140, 0),
    RGBColor(0, 0, 0),
    RGBColor(150, 60, 40),
];

/// 図 8.5: 検証用の数字のエンコーダの平均 `μ(x)`（`d = 2`）。印は数字そのものの文字で描く。
fn latent(runs: &VaeRuns) -> String {
    let lim = runs
        .latent
        .iter()
        .fold(1.0f64, |m, p| m.max(p.1.abs()).max(p.2.abs()))
        .ceil()
        + 0.3;
    render((640, 640), |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .margin_right(24)
            .x_label_area_size(52)
            .y_label_area_size(60)
            .build_cartesian_2d(-lim..lim, -lim..lim)?;
        mesh(&mut chart, "μ₁", "μ₂", &tick, &tick)
            .x_labels(5)
            .y_labels(5)
            .draw()?;
        for &(label, x, y) in &runs.latent {
            let color = DIGIT_COLORS[usize::from(label) % 10];
            chart.draw_series([Text::new(
                label.to_string(),
                (x, y),
                ("sans-serif", 22).into_font().color(&color).pos(
                    plotters::style::text_anchor::Pos::new(
                        plotters::style::text_anchor::HPos::Center,
                        plotters::style::text_anchor::VPos::Center,
                    ),
                ),
            )])?;
        }
        Ok(())
    })
}
