//! §2.2 の図（標本のヒストグラムと最尤推定の密度。KL 情報量 (2.11) の等高線は動かせる図 [`super::live::kl_surface`]）と、
//! §2.4 の図（2 次元ガウス分布の等高線と Σ の固有ベクトル）。
//!
//! 図の番号と説明は本文の `<figcaption>` に書き、SVG には入れない（番号を付け替えても図は変わらない）。
//! 幅 640 の SVG が電話の画面で幅 350 px ほどに縮んでも文字が約 10 px を下回らないよう、文字は
//! SVG の単位で 19 px 以上にする（plotters は指定した大きさの 1/1.24 を `font-size` に書くので、
//! 指定は 24 以上）。凡例はデータに重ねず、図の上の欄に置くか、曲線に直接ラベルを付ける。
//! 背景は白より少し暗い灰色 [`BACKGROUND`] にして、暗いテーマの中で図だけがまぶしく光らないようにする。
//!
//! 値はすべて genmodel の関数で計算する（`Gaussian::kl_up_to_const`、`Gaussian::fit`、
//! `Mvn`、`linalg::symmetric_eigen`）。標本はシードを固定して引く。

use super::Figure;
use super::style::{
    AXIS, BACKGROUND, FONT, Key, PALETTE, TEXT, grid, legend, render, text_style, tick,
};
use genmodel::gaussian::univariate::seeded_rng;
use genmodel::gaussian::{Gaussian, Mvn};
use genmodel::linalg::symmetric_eigen;
use genmodel::ndarray::{Array1, array};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use std::collections::HashMap;
use std::error::Error;

pub fn figures() -> Vec<Figure> {
    vec![
        Figure {
            file: "fig-gaussian-fit.svg",
            svg: fit(),
        },
        Figure {
            file: "fig-mvn-eigen.svg",
            svg: mvn_eigen(),
        },
    ]
}

/// 絶対座標 `(px, py)` を中心に、背景色の箱を敷いたラベルを描く（箱が下の線を切るので、線の上でも読める）。
///
/// 文字の幅は、ASCII の文字なら字の大きさの約 0.6 倍、それ以外（かな・漢字・記号）は 1 倍と見積もる。
pub(super) fn boxed_label(
    root: &DrawingArea<SVGBackend<'_>, Shift>,
    (px, py): (i32, i32),
    text: &str,
) -> Result<(), Box<dyn Error>> {
    let size = f64::from(TEXT) / 1.24;
    let width: f64 = text
        .chars()
        .map(|c| if c.is_ascii() { 0.6 } else { 1.0 })
        .sum::<f64>()
        * size;
    let (hw, hh) = ((width / 2.0 + 4.0) as i32, (size / 2.0 + 3.0) as i32);
    root.draw(&Rectangle::new(
        [(px - hw, py - hh), (px + hw, py + hh)],
        BACKGROUND.filled(),
    ))?;
    root.draw(&Text::new(
        text.to_string(),
        (px, py),
        text_style(TEXT, HPos::Center, VPos::Center),
    ))?;
    Ok(())
}

/// 本文 §2.2 の例と同じデータ: N(2, 0.5) からシード 1 で引いた 200 個。
fn sample_1d() -> Array1<f64> {
    let q = Gaussian::new(2.0, 0.5).expect("正しいパラメータ");
    q.sample(&mut seeded_rng(1), 200)
        .expect("200 個は標本数の上限より少ない")
}

/// §2.2 の 2 枚目: ヒストグラム（面積 1 に規格化）と最尤推定 (2.12)・(2.13) の密度、真の密度。
/// 凡例は図の上の欄に置く。
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
    let bar = PALETTE[4].mix(0.7);
    render((640, 480), |root| {
        let (top, body) = root.split_vertically(112);
        legend(
            &top,
            (90, 24),
            1,
            0,
            &[
                (Key::Patch(bar), "標本のヒストグラム（面積 1）".to_string()),
                (
                    Key::Line(PALETTE[1], 4),
                    format!(
                        "最尤推定: μ = {:.3}, σ² = {:.3}",
                        fitted.mean(),
                        fitted.variance()
                    ),
                ),
                (
                    Key::Dashed(BLACK, 3),
                    "真の分布: μ = 2, σ² = 0.5".to_string(),
                ),
            ],
        )?;
        let mut chart = ChartBuilder::on(&body)
            .margin_left(8)
            .margin_right(24)
            .margin_bottom(8)
            .x_label_area_size(64)
            .y_label_area_size(82)
            .build_cartesian_2d(lo..hi, 0.0..0.7)?;
        chart
            .configure_mesh()
            .x_desc("x")
            .y_desc("密度")
            .x_labels(6)
            .y_labels(4)
            .x_label_formatter(&tick)
            .y_label_formatter(&tick)
            .label_style((FONT, TEXT))
            .axis_desc_style((FONT, AXIS))
            .light_line_style(TRANSPARENT)
            .bold_line_style(BLACK.mix(0.12))
            .draw()?;
        chart.draw_series(counts.iter().enumerate().map(|(k, &c)| {
            let x0 = lo + width * k as f64;
            Rectangle::new(
                [(x0, 0.0), (x0 + width, c as f64 / (n * width))],
                bar.filled(),
            )
        }))?;
        let xs = grid(lo, hi, 400);
        chart.draw_series(LineSeries::new(
            xs.iter()
                .map(|&x| (x, fitted.density(x).expect("格子の x は有限"))),
            PALETTE[1].stroke_width(4),
        ))?;
        chart.draw_series(DashedLineSeries::new(
            xs.iter()
                .map(|&x| (x, truth.density(x).expect("格子の x は有限"))),
            9,
            7,
            BLACK.stroke_width(3),
        ))?;
        Ok(())
    })
}

/// 格子 `f[i][j] = f(xs[i], ys[j])` の等高線 `f = level` を、マーチング・スクエア法で折れ線にする。
///
/// 各セルの辺と等高線の交点を線形補間で求め、隣のセルと共有する辺の交点でつないで折れ線にする。
pub(super) fn contour(xs: &[f64], ys: &[f64], f: &[Vec<f64>], level: f64) -> Vec<Vec<(f64, f64)>> {
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

/// §2.4 の図: Σ = [[2, 1.2], [1.2, 1.5]] の等高線（マハラノビス距離 1, 2, 3）と固有ベクトル（長さ 2√固有値）。
///
/// 楕円は固有値分解から媒介変数表示で描く: `x = μ + r Σ_k √(s_k) u_k (cos t, sin t)_k`。
/// 軸の縮尺を縦横でそろえる（固有ベクトルが直交して見えるように）。凡例の代わりに、楕円には距離 r、
/// 矢印には u₁・u₂ を直接書く（固有値は本文の図の説明に書く）。
fn mvn_eigen() -> String {
    let mu = [0.5, -1.0];
    let sigma = array![[2.0, 1.2], [1.2, 1.5]];
    let q = Mvn::new(array![mu[0], mu[1]], sigma.clone()).expect("対称正定値");
    let eig = symmetric_eigen(&sigma).expect("対称");
    let s = &eig.values;
    let u = &eig.vectors;
    let pts = q.sample(&mut seeded_rng(24), 300).expect("標本は 1 個以上");
    // 描画領域の大きさから、縦横の縮尺がそろうように範囲を決める
    let size = (640u32, 500u32);
    let (margin, xl, yl) = (16u32, 64u32, 76u32);
    let pw = f64::from(size.0 - 2 * margin - yl);
    let ph = f64::from(size.1 - 2 * margin - xl);
    let yr = (-5.2_f64, 3.2_f64);
    let xspan = (yr.1 - yr.0) * pw / ph;
    let xr = (mu[0] - xspan / 2.0, mu[0] + xspan / 2.0);
    // 長軸（大きい固有値 s[1] の固有ベクトル u₂）の向き
    let major = (u[[0, 1]], u[[1, 1]]);
    render(size, |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(margin)
            .x_label_area_size(xl)
            .y_label_area_size(yl)
            .build_cartesian_2d(xr.0..xr.1, yr.0..yr.1)?;
        chart
            .configure_mesh()
            .x_desc("x₁")
            .y_desc("x₂")
            .x_labels(6)
            .y_labels(5)
            .x_label_formatter(&tick)
            .y_label_formatter(&tick)
            .label_style((FONT, TEXT))
            .axis_desc_style((FONT, AXIS))
            .light_line_style(TRANSPARENT)
            .bold_line_style(BLACK.mix(0.12))
            .draw()?;
        chart.draw_series(
            pts.rows()
                .into_iter()
                .map(|p| Circle::new((p[0], p[1]), 3, PALETTE[4].mix(0.7).filled())),
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
            chart.draw_series(LineSeries::new(ellipse, PALETTE[0].stroke_width(3)))?;
        }
        // 矢印は 2√(Σ の固有値) の長さ: 先端がちょうど 2 番目の楕円の主軸の端に来る
        let mut tips = Vec::new();
        for k in 0..2 {
            let len = 2.0 * s[k].sqrt();
            let dir = (u[[0, k]], u[[1, k]]);
            let tip = (mu[0] + dir.0 * len, mu[1] + dir.1 * len);
            let color = PALETTE[1 + k];
            chart.draw_series(LineSeries::new(
                [(mu[0], mu[1]), tip],
                color.stroke_width(4),
            ))?;
            chart.draw_series([Circle::new(tip, 6, color.filled())])?;
            tips.push((tip, dir));
        }
        chart.draw_series([Cross::new((mu[0], mu[1]), 8, BLACK.stroke_width(3))])?;
        // ラベル: 楕円の番号 r は長軸の左下の端（楕円の上）、u_k は矢印の先の少し先、μ は中心の右下
        for r in [1.0, 2.0, 3.0] {
            let d = r * s[1].sqrt();
            let p = (mu[0] - major.0 * d, mu[1] - major.1 * d);
            boxed_label(root, chart.backend_coord(&p), &format!("{r}"))?;
        }
        for (k, (tip, dir)) in tips.iter().enumerate() {
            let p = (tip.0 + dir.0 * 0.7, tip.1 + dir.1 * 0.7);
            boxed_label(root, chart.backend_coord(&p), ["u₁", "u₂"][k])?;
        }
        let (px, py) = chart.backend_coord(&(mu[0], mu[1]));
        boxed_label(root, (px + 26, py + 22), "μ")?;
        Ok(())
    })
}
