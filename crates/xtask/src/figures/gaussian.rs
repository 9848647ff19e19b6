//! §2.2 の図 2.2a（KL 情報量 (2.11) の等高線）・図 2.2b（ヒストグラムと最尤推定）と、
//! §2.4 の図 2.4a（2 次元ガウス分布の等高線と Σ の固有ベクトル）。
//!
//! 値はすべて genmodel の関数で計算する（`Gaussian::kl_up_to_const`、`Gaussian::fit`、
//! `Mvn`、`linalg::symmetric_eigen`）。標本はシードを固定して引く。

use super::Figure;
use super::style::{FONT, PALETTE, SIZE, draw_legend, grid, legend_line, render};
use genmodel::gaussian::univariate::seeded_rng;
use genmodel::gaussian::{Gaussian, Mvn};
use genmodel::linalg::symmetric_eigen;
use genmodel::ndarray::{Array1, array};
use plotters::prelude::*;
use std::collections::HashMap;

pub fn figures() -> Vec<Figure> {
    vec![
        Figure {
            file: "fig-gaussian-fit.svg",
            svg: fit(),
        },
        Figure {
            file: "fig-gaussian-kl.svg",
            svg: kl_contours(),
        },
        Figure {
            file: "fig-mvn-eigen.svg",
            svg: mvn_eigen(),
        },
    ]
}

/// 本文 §2.2 の例と同じデータ: N(2, 0.5) からシード 1 で引いた 200 個。
fn sample_1d() -> Array1<f64> {
    let q = Gaussian::new(2.0, 0.5).expect("正しいパラメータ");
    q.sample(&mut seeded_rng(1), 200)
        .expect("200 個は標本数の上限より少ない")
}

/// 図 2.2b: ヒストグラム（面積 1 に規格化）と最尤推定 (2.12)・(2.13) の密度、真の密度。
fn fit() -> String {
    let data = sample_1d();
    let fitted = Gaussian::fit(&data).expect("200 個の標本で推定できる");
    let truth = Gaussian::new(2.0, 0.5).expect("正しいパラメータ");
    let (lo, hi, bins) = (-0.5_f64, 4.5_f64, 25_usize);
    let width = (hi - lo) / bins as f64;
    let mut counts = vec![0usize; bins];
    for &x in &data {
        if (lo..hi).contains(&x) {
            counts[((x - lo) / width) as usize] += 1;
        }
    }
    let n = data.len() as f64;
    render(|root| {
        let mut chart = ChartBuilder::on(root)
            .caption(
                "図 2.2b: 200 個の標本と、最尤推定したガウス分布",
                (FONT, 20),
            )
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(44)
            .build_cartesian_2d(lo..hi, 0.0..0.75)?;
        chart
            .configure_mesh()
            .x_desc("x")
            .y_desc("密度")
            .light_line_style(WHITE)
            .draw()?;
        chart
            .draw_series(counts.iter().enumerate().map(|(k, &c)| {
                let x0 = lo + width * k as f64;
                Rectangle::new(
                    [(x0, 0.0), (x0 + width, c as f64 / (n * width))],
                    PALETTE[4].mix(0.5).filled(),
                )
            }))?
            .label("標本のヒストグラム（面積 1）")
            .legend(|(x, y)| {
                Rectangle::new([(x, y - 5), (x + 20, y + 5)], PALETTE[4].mix(0.5).filled())
            });
        let xs = grid(lo, hi, 400);
        chart
            .draw_series(LineSeries::new(
                xs.iter()
                    .map(|&x| (x, fitted.density(x).expect("格子の x は有限"))),
                PALETTE[1].stroke_width(3),
            ))?
            .label(format!(
                "最尤推定: μ = {:.3}, σ² = {:.3}",
                fitted.mean(),
                fitted.variance()
            ))
            .legend(legend_line(PALETTE[1], 3));
        chart
            .draw_series(DashedLineSeries::new(
                xs.iter()
                    .map(|&x| (x, truth.density(x).expect("格子の x は有限"))),
                6,
                4,
                BLACK.stroke_width(1),
            ))?
            .label("真の分布: μ = 2, σ² = 0.5")
            .legend(legend_line(BLACK, 1));
        draw_legend(&mut chart, SeriesLabelPosition::UpperLeft, 15)?;
        Ok(())
    })
}

/// 格子 `f[i][j] = f(xs[i], ys[j])` の等高線 `f = level` を、マーチング・スクエア法で折れ線にする。
///
/// 各セルの辺と等高線の交点を線形補間で求め、隣のセルと共有する辺の交点でつないで折れ線にする。
fn contour(xs: &[f64], ys: &[f64], f: &[Vec<f64>], level: f64) -> Vec<Vec<(f64, f64)>> {
    // 辺の番号: (0, i, j) は (i, j)–(i+1, j)、(1, i, j) は (i, j)–(i, j+1)
    type Edge = (u8, usize, usize);
    type Corner = (usize, usize);
    let point = |e: Edge| -> (f64, f64) {
        let (a, b) = match e.0 {
            0 => ((e.1, e.2), (e.1 + 1, e.2)),
            _ => ((e.1, e.2), (e.1, e.2 + 1)),
        };
        let (fa, fb) = (f[a.0][a.1] - level, f[b.0][b.1] - level);
        let t = fa / (fa - fb);
        (
            xs[a.0] + t * (xs[b.0] - xs[a.0]),
            ys[a.1] + t * (ys[b.1] - ys[a.1]),
        )
    };
    let mut segments: Vec<(Edge, Edge)> = Vec::new();
    for i in 0..xs.len() - 1 {
        for j in 0..ys.len() - 1 {
            // 下・右・上・左の辺のうち、両端の符号が違うもの
            let edges: [(Edge, Corner, Corner); 4] = [
                ((0, i, j), (i, j), (i + 1, j)),
                ((1, i + 1, j), (i + 1, j), (i + 1, j + 1)),
                ((0, i, j + 1), (i, j + 1), (i + 1, j + 1)),
                ((1, i, j), (i, j), (i, j + 1)),
            ];
            let crossing: Vec<Edge> = edges
                .iter()
                .filter(|(_, a, b)| (f[a.0][a.1] > level) != (f[b.0][b.1] > level))
                .map(|(e, _, _)| *e)
                .collect();
            match crossing.len() {
                2 => segments.push((crossing[0], crossing[1])),
                4 => {
                    segments.push((crossing[0], crossing[1]));
                    segments.push((crossing[2], crossing[3]));
                }
                _ => {}
            }
        }
    }
    // 辺でつないで折れ線にする
    let mut at: HashMap<Edge, Vec<usize>> = HashMap::new();
    for (k, (a, b)) in segments.iter().enumerate() {
        at.entry(*a).or_default().push(k);
        at.entry(*b).or_default().push(k);
    }
    let mut used = vec![false; segments.len()];
    let mut lines = Vec::new();
    for start in 0..segments.len() {
        if used[start] {
            continue;
        }
        used[start] = true;
        let mut chain = vec![segments[start].0, segments[start].1];
        for forward in [true, false] {
            loop {
                let end = if forward {
                    chain[chain.len() - 1]
                } else {
                    chain[0]
                };
                let next = at[&end].iter().copied().find(|&k| !used[k]);
                let Some(k) = next else { break };
                used[k] = true;
                let (a, b) = segments[k];
                let other = if a == end { b } else { a };
                if forward {
                    chain.push(other);
                } else {
                    chain.insert(0, other);
                }
            }
        }
        lines.push(chain.into_iter().map(point).collect());
    }
    lines
}

/// 図 2.2a: 図 2.2b と同じデータの KL 情報量 (2.11) を (μ, σ²) の平面に等高線で描く。
fn kl_contours() -> String {
    let data = sample_1d();
    let best = Gaussian::fit(&data).expect("200 個の標本で推定できる");
    let d_min = best.kl_up_to_const(&data).expect("有限のデータ");
    let (mx, vx) = (best.mean(), best.variance());
    let xs = grid(mx - 0.5, mx + 0.5, 160);
    let ys = grid(0.15, 1.35, 160);
    let f: Vec<Vec<f64>> = xs
        .iter()
        .map(|&mu| {
            ys.iter()
                .map(|&v| {
                    Gaussian::new(mu, v)
                        .and_then(|q| q.kl_up_to_const(&data))
                        .expect("σ² > 0 の格子")
                })
                .collect()
        })
        .collect();
    let levels = [0.01, 0.05, 0.2, 0.5, 1.0];
    render(|root| {
        let mut chart = ChartBuilder::on(root)
            .caption(
                "図 2.2a: KL 情報量 (2.11) の等高線（D − D_min）",
                (FONT, 20),
            )
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(48)
            .build_cartesian_2d(xs[0]..xs[xs.len() - 1], ys[0]..ys[ys.len() - 1])?;
        chart
            .configure_mesh()
            .x_desc("μ")
            .y_desc("σ²")
            .light_line_style(WHITE)
            .draw()?;
        for (k, &lv) in levels.iter().enumerate() {
            let color = PALETTE[k % PALETTE.len()];
            let lines = contour(&xs, &ys, &f, d_min + lv);
            for (m, line) in lines.iter().enumerate() {
                let s = chart
                    .draw_series(LineSeries::new(line.iter().copied(), color.stroke_width(2)))?;
                if m == 0 {
                    s.label(format!("D − D_min = {lv}")).legend(move |(x, y)| {
                        PathElement::new([(x, y), (x + 20, y)], color.stroke_width(2))
                    });
                }
            }
        }
        chart.draw_series([Cross::new((mx, vx), 7, BLACK.stroke_width(2))])?;
        chart.draw_series([Text::new(
            format!("最小点 (x̄, s²) = ({mx:.3}, {vx:.3})"),
            (mx - 0.12, vx - 0.13),
            (FONT, 15),
        )])?;
        draw_legend(&mut chart, SeriesLabelPosition::UpperRight, 14)?;
        Ok(())
    })
}

/// 図 2.4a: Σ = [[2, 1.2], [1.2, 1.5]] の等高線（マハラノビス距離 1, 2, 3）と固有ベクトル（長さ 2√固有値）。
///
/// 楕円は固有値分解から媒介変数表示で描く: `x = μ + r Σ_k √(s_k) u_k (cos t, sin t)_k`。
/// 軸の縮尺を縦横でそろえる（固有ベクトルが直交して見えるように）。
fn mvn_eigen() -> String {
    let mu = [0.5, -1.0];
    let sigma = array![[2.0, 1.2], [1.2, 1.5]];
    let q = Mvn::new(array![mu[0], mu[1]], sigma.clone()).expect("対称正定値");
    let eig = symmetric_eigen(&sigma).expect("対称");
    let s = &eig.values;
    let u = &eig.vectors;
    let pts = q.sample(&mut seeded_rng(24), 300).expect("標本は 1 個以上");
    // 描画領域の大きさから、縦横の縮尺がそろうように範囲を決める
    let (margin, xl, yl, cap) = (12u32, 36u32, 44u32, 34u32);
    let pw = f64::from(SIZE.0 - 2 * margin - yl);
    let ph = f64::from(SIZE.1 - cap - 2 * margin - xl);
    let yr = (-6.0_f64, 4.0_f64);
    let xspan = (yr.1 - yr.0) * pw / ph;
    let xr = (mu[0] - xspan / 2.0, mu[0] + xspan / 2.0);
    render(|root| {
        let (top, body) = root.split_vertically(cap);
        top.draw(&Text::new(
            "図 2.4a: 2 次元ガウス分布の等高線と Σ の固有ベクトル",
            (60, 8),
            (FONT, 20),
        ))?;
        let mut chart = ChartBuilder::on(&body)
            .margin(margin)
            .x_label_area_size(xl)
            .y_label_area_size(yl)
            .build_cartesian_2d(xr.0..xr.1, yr.0..yr.1)?;
        chart
            .configure_mesh()
            .x_desc("x₁")
            .y_desc("x₂")
            .light_line_style(WHITE)
            .draw()?;
        chart.draw_series(
            pts.rows()
                .into_iter()
                .map(|p| Circle::new((p[0], p[1]), 2, PALETTE[4].mix(0.6).filled())),
        )?;
        let ts = grid(0.0, std::f64::consts::TAU, 240);
        for r in [1.0, 2.0, 3.0] {
            let ellipse = ts.iter().map(|&t| {
                let (a, b) = (r * s[0].sqrt() * t.cos(), r * s[1].sqrt() * t.sin());
                (
                    mu[0] + u[[0, 0]] * a + u[[0, 1]] * b,
                    mu[1] + u[[1, 0]] * a + u[[1, 1]] * b,
                )
            });
            let series = chart.draw_series(LineSeries::new(ellipse, PALETTE[0].stroke_width(2)))?;
            if r == 1.0 {
                series
                    .label("(x − μ)ᵀ Σ⁻¹ (x − μ) = 1, 4, 9")
                    .legend(|(x, y)| {
                        PathElement::new([(x, y), (x + 20, y)], PALETTE[0].stroke_width(2))
                    });
            }
        }
        // 矢印は 2√(Σ の固有値) の長さ: 先端がちょうど 2 番目の楕円の主軸の端に来る
        for k in 0..2 {
            let len = 2.0 * s[k].sqrt();
            let tip = (mu[0] + u[[0, k]] * len, mu[1] + u[[1, k]] * len);
            let color = PALETTE[1 + k];
            chart
                .draw_series(LineSeries::new(
                    [(mu[0], mu[1]), tip],
                    color.stroke_width(3),
                ))?
                .label(format!("固有ベクトル u{}（Σ の固有値 {:.2}）", k + 1, s[k]))
                .legend(move |(x, y)| {
                    PathElement::new([(x, y), (x + 20, y)], color.stroke_width(3))
                });
            chart.draw_series([Circle::new(tip, 4, color.filled())])?;
        }
        chart.draw_series([Cross::new((mu[0], mu[1]), 6, BLACK.stroke_width(2))])?;
        chart.draw_series([Text::new("μ", (mu[0] + 0.15, mu[1] - 0.1), (FONT, 16))])?;
        draw_legend(&mut chart, SeriesLabelPosition::UpperLeft, 14)?;
        Ok(())
    })
}
