//! 動かせる図（第 10 章）: 時刻 t を動かすと、2 次元のガウス混合（第 10 章のデータ）の周辺分布 `p_t` の
//! 厳密なスコア `∇ ln p_t` の場が形を変える。その上に、`x_T ~ N(0, I)` から厳密な `ε*` の祖先サンプリング
//! (10.19)（`σ_t² = β_t`）で時刻 t まで戻した粒子の道すじと、いまの位置を描く。
//!
//! 図の横に出す数は、粒子から推定した値と、それが推定する `p_t` の厳密な値を並べる:
//!
//! - `E|x_t|²`: 厳密な値は `ᾱ_t E|x_0|² + 2 (1 − ᾱ_t)`。`E|x_0|²` はデータの混合の密度の数値積分（台形公式、
//!   誤差は丸めの程度）で求める
//! - 成分 1（上、重み 0.25）の平均に最も近い粒子の割合: 6 つの平均は原点を中心とする円の上に等間隔にあるので、
//!   最も近い平均が成分 1 のものである点は、角度 60° から 120° の扇形の点である（`√ᾱ_t` 倍しても変わらない）。
//!   厳密な値は `p_t` の扇形の上の積分（極座標のシンプソン公式）
//!
//! 粒子が従うのはモデル `q_θ` の時刻 t の周辺分布で、`ε*` が厳密でも 1 歩のガウス分布の近似の分だけ `p_t` と
//! 違う。本文の予定ではこの違いは粒子の数の標準誤差よりずっと小さい（テストで確かめる）。

use super::{LiveError, LiveFigure, LiveSpec, Readout, SEED, Slider};
use crate::figures::diffusion::book_schedule;
use crate::figures::style::{PALETTE, TEXT, mesh, render as draw, text_style, tick};
use genmodel::diffusion::sampler::{Variance, sample_between};
use genmodel::diffusion::{ExactEpsilon, GaussianMixture, Schedule};
use genmodel::gaussian::univariate::seeded_rng;
use genmodel::ndarray::{Array2, ArrayView2};
use genmodel::vae::evaluate::standard_normal;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use std::f64::consts::PI;

/// 粒子の数と段の数の積の上限（描く時間を時刻 t によらず抑える）。
pub const WORK: usize = 250_000;
/// 粒子の数の上限。
pub const MAX_PARTICLES: usize = 1000;
/// いまの位置を描く粒子の数の上限（SVG を小さく保つ）。
const DRAWN: usize = 500;
/// 道すじを描く粒子の数（はじめの粒子から）。
pub const TRACED: usize = 12;
/// 道すじを記録する間隔（段）。
const EVERY: usize = 25;
/// 描く範囲 `[−R, R]²`。
const RANGE: f64 = 3.6;
/// 矢印の格子の 1 辺の点の数（`[−3, 3]`）。
const ARROWS: usize = 13;

/// 動かせる図の定義。
pub const SPEC: LiveSpec = LiveSpec {
    name: "score-field",
    file: "fig-diffusion-field.svg",
    sliders: &[
        Slider {
            key: "log10t",
            label: "log₁₀ t",
            min: 0.0,
            max: 3.0,
            step: 0.05,
            default: 2.0,
        },
        SEED,
    ],
    render,
    cases: &[&[0.5, 1.0], &[3.0, 7.0], &[1.25, 3.0]],
};

/// 時刻 `t` で使う粒子の数: 戻す段の数 `T − t` との積が [`WORK`] を超えない範囲で、250 から
/// [`MAX_PARTICLES`] まで（図の横の数はすべての粒子から求める）。
pub fn particle_count(t: usize, steps: usize) -> usize {
    (WORK / steps.saturating_sub(t).max(1)).clamp(250, MAX_PARTICLES)
}

/// 粒子の道すじ（平面の点の列）。
pub type Path = Vec<(f64, f64)>;

/// スライダーの `log₁₀ t` から時刻 `t = round(10^x)`（`[1, T]` に収める）。
pub fn time(log10t: f64, steps: usize) -> usize {
    (10f64.powf(log10t).round() as usize).clamp(1, steps)
}

/// 粒子を `x_T ~ N(0, I)` から祖先サンプリング (10.19)（`σ_s² = β_s`）で `s = T, …, t + 1` と戻し、時刻 `t` の
/// 位置（`n × 2`）と、はじめの `traced` 個の道すじ（`EVERY` 段ごとと最後の位置）を返す。
///
/// # Errors
///
/// genmodel の誤り（起こらない）。
pub fn particles(
    exact: &ExactEpsilon,
    schedule: &Schedule,
    t: usize,
    n: usize,
    traced: usize,
    seed: u64,
) -> genmodel::Result<(Array2<f64>, Vec<Path>)> {
    let mut rng = seeded_rng(seed);
    let x = Array2::from_shape_simple_fn((n, 2), || standard_normal(&mut rng));
    let record = |x: ArrayView2<'_, f64>, paths: &mut Vec<Path>| {
        for (i, p) in paths.iter_mut().enumerate() {
            p.push((x[[i, 0]], x[[i, 1]]));
        }
    };
    let mut paths = vec![Vec::new(); traced.min(n)];
    record(x.view(), &mut paths);
    if t >= schedule.steps() {
        return Ok((x, paths));
    }
    let x = sample_between(
        exact,
        schedule,
        Variance::Beta,
        &x,
        (schedule.steps(), t),
        &mut rng,
        &mut |s, x| {
            if s % EVERY == 0 || s == t {
                record(x, &mut paths);
            }
        },
    )?;
    Ok((x, paths))
}

/// 混合の 2 次の積率 `E|x|²`（格子 `[−4, 4]²`、間隔 0.04 の台形公式。密度は滑らかで裾は格子の外で無視できる
/// ので、誤差は丸めの程度）。
///
/// # Errors
///
/// genmodel の誤り（起こらない）。
pub fn second_moment(m: &GaussianMixture) -> genmodel::Result<f64> {
    let n = 201;
    let h = 8.0 / (n - 1) as f64;
    let pts = Array2::from_shape_fn((n * n, 2), |(k, j)| {
        let i = if j == 0 { k % n } else { k / n };
        -4.0 + h * i as f64
    });
    let ln = m.ln_density(&pts)?;
    let sum: f64 = pts
        .rows()
        .into_iter()
        .zip(&ln)
        .map(|(r, l)| (r[0] * r[0] + r[1] * r[1]) * l.exp())
        .sum();
    Ok(sum * h * h)
}

/// 分布 `m` の扇形（角度 60° から 120°、成分 1 の平均に最も近い点の集まり）の確率（極座標 `r ∈ [0, 7]`、
/// `θ` の合成シンプソン公式）。
///
/// # Errors
///
/// genmodel の誤り（起こらない）。
pub fn wedge_mass(m: &GaussianMixture) -> genmodel::Result<f64> {
    let (nr, nt) = (280, 80);
    let (r_max, t0, t1) = (7.0, PI / 3.0, 2.0 * PI / 3.0);
    let (hr, ht) = (r_max / nr as f64, (t1 - t0) / nt as f64);
    let simpson = |i: usize, n: usize| match i {
        0 => 1.0,
        _ if i == n => 1.0,
        _ if i % 2 == 1 => 4.0,
        _ => 2.0,
    };
    let pts = Array2::from_shape_fn(((nr + 1) * (nt + 1), 2), |(k, j)| {
        let (i, l) = (k % (nr + 1), k / (nr + 1));
        let (r, th) = (hr * i as f64, t0 + ht * l as f64);
        if j == 0 { r * th.cos() } else { r * th.sin() }
    });
    let ln = m.ln_density(&pts)?;
    let mut sum = 0.0;
    for (k, l) in ln.iter().enumerate() {
        let (i, j) = (k % (nr + 1), k / (nr + 1));
        sum += simpson(i, nr) * simpson(j, nt) * hr * i as f64 * l.exp();
    }
    Ok(sum * hr * ht / 9.0)
}

/// 平均と標準誤差。
fn mean_se(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

/// 点が成分 1 の扇形（角度 60° から 120°）にあるか。
fn in_wedge(x: f64, y: f64) -> bool {
    let a = y.atan2(x);
    (PI / 3.0..=2.0 * PI / 3.0).contains(&a)
}

fn render(values: &[f64]) -> Result<LiveFigure, LiveError> {
    let schedule = book_schedule();
    let t = time(values[0], schedule.steps());
    let seed = values[1].round() as u64;
    let data = crate::runs_diffusion::mixture()?;
    let pt = data.noised(&schedule, t)?;
    let alpha_bar = schedule.alpha_bar(t)?;
    let n = particle_count(t, schedule.steps());
    let exact = ExactEpsilon::new(data.clone(), schedule.clone())?;
    let (x, paths) = particles(&exact, &schedule, t, n, TRACED, seed)?;

    // 粒子の推定と厳密な値
    let sq: Vec<f64> = x
        .rows()
        .into_iter()
        .map(|r| r[0] * r[0] + r[1] * r[1])
        .collect();
    let (sq_mean, sq_se) = mean_se(&sq);
    let sq_exact = alpha_bar * second_moment(&data)? + 2.0 * (1.0 - alpha_bar);
    let hits: Vec<f64> = x
        .rows()
        .into_iter()
        .map(|r| f64::from(u8::from(in_wedge(r[0], r[1]))))
        .collect();
    let (frac, frac_se) = mean_se(&hits);
    let frac_exact = wedge_mass(&pt)?;

    // スコアの場（矢印の長さは |s| / (|s| + 2) に比例させて頭打ちにする）
    let g = ARROWS;
    let grid = Array2::from_shape_fn((g * g, 2), |(k, j)| {
        let i = if j == 0 { k % g } else { k / g };
        -3.0 + 6.0 * i as f64 / (g - 1) as f64
    });
    let score = pt.score(&grid)?;
    let centers: Vec<(f64, f64)> = data
        .means()
        .rows()
        .into_iter()
        .map(|r| (alpha_bar.sqrt() * r[0], alpha_bar.sqrt() * r[1]))
        .collect();

    let svg = draw((640, 720), |root| {
        let (top, body) = root.split_vertically(84);
        legend(&top)?;
        let mut chart = ChartBuilder::on(&body)
            .margin(8)
            .margin_right(24)
            .x_label_area_size(52)
            .y_label_area_size(60)
            .build_cartesian_2d(-RANGE..RANGE, -RANGE..RANGE)?;
        mesh(&mut chart, "x₁", "x₂", &tick, &tick)
            .x_labels(8)
            .y_labels(8)
            .draw()?;
        // 成分 1 の扇形の境目
        for a in [PI / 3.0, 2.0 * PI / 3.0] {
            let r = RANGE / a.sin();
            chart.draw_series(std::iter::once(PathElement::new(
                [(0.0, 0.0), (r * a.cos(), r * a.sin())],
                RGBColor(150, 150, 150).stroke_width(2),
            )))?;
        }
        // 道すじ（描く範囲の外に出たところで切る）
        for path in &paths {
            let mut piece: Vec<(f64, f64)> = Vec::new();
            for &(a, b) in path.iter().chain(std::iter::once(&(f64::NAN, f64::NAN))) {
                if a.abs() < RANGE && b.abs() < RANGE {
                    piece.push((a, b));
                } else {
                    if piece.len() > 1 {
                        chart.draw_series(std::iter::once(PathElement::new(
                            piece.clone(),
                            PALETTE[4].mix(0.7).stroke_width(2),
                        )))?;
                    }
                    piece.clear();
                }
            }
        }
        // スコアの矢印
        let cap = 0.42;
        for (p, s) in grid.rows().into_iter().zip(score.rows()) {
            let norm = s[0].hypot(s[1]);
            if norm < 1e-12 {
                continue;
            }
            let len = cap * norm / (norm + 2.0);
            let (ux, uy) = (s[0] / norm, s[1] / norm);
            let (x0, y0) = (p[0], p[1]);
            let (x1, y1) = (x0 + len * ux, y0 + len * uy);
            let head = 0.12_f64.min(0.6 * len);
            let (c, sn) = (0.5_f64.cos(), 0.5_f64.sin());
            let h1 = (
                x1 - head * (c * ux - sn * uy),
                y1 - head * (sn * ux + c * uy),
            );
            let h2 = (
                x1 - head * (c * ux + sn * uy),
                y1 - head * (-sn * ux + c * uy),
            );
            chart.draw_series(std::iter::once(PathElement::new(
                [(x0, y0), (x1, y1), h1, (x1, y1), h2],
                RGBColor(60, 60, 60).stroke_width(2),
            )))?;
        }
        // 粒子のいまの位置
        chart.draw_series(
            x.rows()
                .into_iter()
                .take(DRAWN)
                .filter(|r| r[0].abs() < RANGE && r[1].abs() < RANGE)
                .map(|r| Circle::new((r[0], r[1]), 3, PALETTE[1].mix(0.8).filled())),
        )?;
        // 成分の中心 √ᾱ_t μ_k
        chart.draw_series(
            centers
                .iter()
                .map(|&c| Cross::new(c, 8, BLACK.stroke_width(3))),
        )?;
        // 時刻
        chart.draw_series(std::iter::once(Text::new(
            format!("t = {t}"),
            (-RANGE + 0.15, RANGE - 0.15),
            text_style(TEXT, HPos::Left, VPos::Top),
        )))?;
        Ok(())
    });

    Ok(LiveFigure {
        svg,
        readouts: vec![
            Readout::fixed("時刻 t", t as f64, 0),
            Readout::fixed("ᾱₜ", alpha_bar, 6),
            Readout::with_error(&format!("E|xₜ|² の推定（粒子 {n} 個）"), sq_mean, sq_se, 2),
            Readout::fixed("E|xₜ|² の厳密な値（pₜ）", sq_exact, 2),
            Readout::with_error("成分 1 に最も近い割合の推定（粒子）", frac, frac_se, 3),
            Readout::fixed("成分 1 に最も近い割合の厳密な値（pₜ）", frac_exact, 3),
        ],
    })
}

/// 図の上の凡例。
fn legend(
    area: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
) -> Result<(), Box<dyn std::error::Error>> {
    let style = text_style(TEXT, HPos::Left, VPos::Center);
    let (y0, y1) = (24, 60);
    // 矢印
    area.draw(&PathElement::new(
        [(20, y0), (56, y0), (48, y0 - 6), (56, y0), (48, y0 + 6)],
        RGBColor(60, 60, 60).stroke_width(2),
    ))?;
    area.draw(&Text::new("スコア ∇ ln pₜ", (66, y0), style.clone()))?;
    area.draw(&Cross::new((358, y0), 8, BLACK.stroke_width(3)))?;
    area.draw(&Text::new("成分の中心 √ᾱₜ μₖ", (376, y0), style.clone()))?;
    area.draw(&PathElement::new(
        [(20, y1), (56, y1)],
        PALETTE[4].stroke_width(2),
    ))?;
    area.draw(&Text::new("粒子の道すじ", (66, y1), style.clone()))?;
    area.draw(&Circle::new((358, y1), 4, PALETTE[1].filled()))?;
    area.draw(&Text::new("時刻 t の粒子", (376, y1), style))?;
    Ok(())
}
