//! §2.6 の図: 勾配法の図形的な意味（ノートでは失われていた図を作り直す）、Ising モデルの学習曲線と学習率、
//! 真の結合と学習した結合、データの平均が周辺多面体の境界にあるときに結合が増え続けるようす。
//!
//! 図の番号と説明は本文の `<figcaption>` に書き、SVG には入れない（番号を付け替えても図は変わらない）。
//! 書式は §2.2 の図（`gaussian.rs`）にそろえる: 幅 640 の SVG が電話の画面で幅 350 px ほどに縮んでも
//! 文字が約 10 px を下回らないよう、文字は SVG の単位で 19 px 以上（plotters は指定の 1/1.24 を
//! `font-size` に書くので、指定は 24 以上）。凡例はデータに重ねず図の上の欄に置き、背景は少し暗い灰色にする。

use super::Figure;
use super::style::{AXIS, FONT, Key, PALETTE, TEXT, grid, legend, pow10, render, text_style, tick};
use genmodel::boltzmann::ising::{
    Ising, KlObjective, global_curvature_bound, n_params, spins_of_state,
};
use genmodel::ndarray::{Array1, Array2, array};
use genmodel::optim::{StepSize, StopRule, quadratic_upper_bound};
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordusize;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use std::error::Error;

pub fn figures() -> Vec<Figure> {
    vec![
        Figure {
            file: "fig3-surrogate.svg",
            svg: surrogate_figure(),
        },
        Figure {
            file: "fig4-ising-learning-curves.svg",
            svg: learning_curves(),
        },
        Figure {
            file: "fig5-ising-couplings.svg",
            svg: couplings(),
        },
        Figure {
            file: "fig-ising-boundary.svg",
            svg: boundary(),
        },
    ]
}

/// 10 の累乗の目盛り: 1, 10, 10², 10³, …（それ以外の位置には書かない）。
fn power_of_ten(v: f64) -> String {
    let k = v.log10().round();
    if (v.log10() - k).abs() > 1e-9 {
        return String::new();
    }
    const SUP: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    match k as i32 {
        0 => "1".to_string(),
        1 => "10".to_string(),
        e if (2..=9).contains(&e) => format!("10{}", SUP[e as usize]),
        e => format!("1e{e}"),
    }
}

fn f(t: f64) -> f64 {
    (1.0 + t * t).sqrt()
}
fn df(t: f64) -> f64 {
    t / (1.0 + t * t).sqrt()
}

/// 勾配法の図形的な意味: f(θ) = √(1 + θ²) と、θ₀ = 2 で接する 2 次の上界 g（L = sup f'' = 1、式 (2.33)）、
/// その頂点 θ₁（式 (2.35)）。
fn surrogate_figure() -> String {
    let (t0, l) = (2.0_f64, 1.0_f64);
    let g = |t: f64| quadratic_upper_bound(f(t0), df(t0), l, t0, t).expect("有限の値");
    let t1 = t0 - df(t0) / l;
    render((640, 480), |root| {
        let (top, body) = root.split_vertically(84);
        legend(
            &top,
            (90, 24),
            1,
            0,
            &[
                (Key::Line(PALETTE[0], 4), "y = f(θ) = √(1 + θ²)".to_string()),
                (
                    Key::Line(PALETTE[1], 4),
                    "y = g(θ)：θ₀ で接する上界（L = 1）".to_string(),
                ),
            ],
        )?;
        let mut chart = ChartBuilder::on(&body)
            .margin_left(8)
            .margin_right(24)
            .margin_bottom(8)
            .x_label_area_size(64)
            .y_label_area_size(64)
            .build_cartesian_2d(-3.0..4.0, 0.0..5.0)?;
        chart
            .configure_mesh()
            .x_desc("θ")
            .y_desc("y")
            .x_labels(8)
            .y_labels(6)
            .x_label_formatter(&tick)
            .y_label_formatter(&tick)
            .label_style((FONT, TEXT))
            .axis_desc_style((FONT, AXIS))
            .light_line_style(TRANSPARENT)
            .bold_line_style(BLACK.mix(0.12))
            .draw()?;
        let xs = grid(-3.0, 4.0, 400);
        chart.draw_series(LineSeries::new(
            xs.iter().map(|&x| (x, f(x))),
            PALETTE[0].stroke_width(4),
        ))?;
        chart.draw_series(LineSeries::new(
            xs.iter().map(|&x| (x, g(x))).filter(|&(_, y)| y <= 5.0),
            PALETTE[1].stroke_width(4),
        ))?;
        chart.draw_series([
            Circle::new((t0, f(t0)), 6, BLACK.filled()),
            Circle::new((t1, g(t1)), 6, PALETTE[1].filled()),
            Circle::new((t1, f(t1)), 6, PALETTE[0].filled()),
        ])?;
        // θ₀ から θ₁ への 1 歩（下の矢印）と、θ₁ から曲線への縦線
        chart.draw_series(LineSeries::new(
            [(t0, 0.3), (t1, 0.3)],
            BLACK.stroke_width(2),
        ))?;
        chart.draw_series(LineSeries::new(
            [(t1, 0.3), (t1 + 0.15, 0.4)],
            BLACK.stroke_width(2),
        ))?;
        chart.draw_series(LineSeries::new(
            [(t1, 0.3), (t1 + 0.15, 0.2)],
            BLACK.stroke_width(2),
        ))?;
        chart.draw_series(DashedLineSeries::new(
            [(t0, 0.3), (t0, f(t0))],
            6,
            5,
            BLACK.stroke_width(2),
        ))?;
        chart.draw_series(DashedLineSeries::new(
            [(t1, 0.3), (t1, g(t1))],
            6,
            5,
            BLACK.stroke_width(2),
        ))?;
        let label = |s: &str, at: (f64, f64), h: HPos| {
            Text::new(s.to_string(), at, text_style(TEXT, h, VPos::Center))
        };
        chart.draw_series([
            label("θ₀", (t0 + 0.12, 0.62), HPos::Left),
            label("θ₁", (t1 - 0.12, 0.62), HPos::Right),
            label("f(θ₀)", (t0 + 0.18, f(t0) - 0.15), HPos::Left),
            label("g(θ₁)", (t1 - 0.15, g(t1) + 0.3), HPos::Right),
        ])?;
        Ok(())
    })
}

/// 学習曲線の図の真のモデル（4 スピン）。
pub(super) fn truth4() -> Ising {
    Ising::new(
        array![0.3, -0.2, 0.1, 0.0],
        array![0.5, -0.4, 0.3, 0.6, -0.2, 0.4],
    )
    .expect("有効なパラメータ")
}

/// KL の対数目盛り: 1, 10⁻⁴, 10⁻⁸, 10⁻¹² だけに数を書く（学習曲線の図 2.8 と動かせる図 2.9）。
fn every_fourth_decade(v: &f64) -> String {
    let k = v.log10().round() as i32;
    if k % 4 != 0 || (v.log10() - f64::from(k)).abs() > 1e-9 {
        String::new()
    } else {
        pow10(v)
    }
}

/// KL の学習曲線の枠（図 2.8 と動かせる図 2.9）: 横軸は反復の回数 0..`iters`、縦軸は `floor` から 10 までの
/// 対数目盛り（[`every_fourth_decade`]）。
pub(super) fn kl_chart<'a, 'b>(
    body: &'a DrawingArea<SVGBackend<'b>, Shift>,
    iters: usize,
    floor: f64,
    y_desc: &str,
) -> Result<KlChart<'a, 'b>, Box<dyn Error>> {
    let mut chart = ChartBuilder::on(body)
        .margin_left(8)
        .margin_right(24)
        .margin_bottom(8)
        .x_label_area_size(64)
        .y_label_area_size(100)
        .build_cartesian_2d(0..iters, (floor..10.0).log_scale())?;
    chart
        .configure_mesh()
        .x_desc("反復の回数 t")
        .y_desc(y_desc)
        .x_labels(4)
        .y_labels(8)
        .y_label_formatter(&every_fourth_decade)
        .label_style((FONT, TEXT))
        .axis_desc_style((FONT, AXIS))
        .light_line_style(TRANSPARENT)
        .bold_line_style(BLACK.mix(0.12))
        .draw()?;
    Ok(chart)
}

/// [`kl_chart`] の型。
pub(super) type KlChart<'a, 'b> =
    ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordusize, LogCoord<f64>>>;

/// 学習率 η = 1/M, 1/λ*, 1.9/λ*, 2.2/λ* で θ = 0 から学習したときの KL の推移。
fn learning_curves() -> String {
    let truth = truth4();
    let n = truth.n_spins();
    let kl = KlObjective::from_model(&truth).expect("4 スピンは列挙できる");
    let lambda = truth
        .statistics_covariance()
        .expect("4 スピン")
        .max_eigenvalue();
    let m = n_params(n).expect("n ≤ MAX_MODEL_SPINS");
    let iters = 150;
    let runs: Vec<(String, f64)> = vec![
        (
            format!("η = 1/M = {}", tick(&(1.0 / global_curvature_bound(n)))),
            1.0 / global_curvature_bound(n),
        ),
        (format!("η = 1/λ* = {:.3}", 1.0 / lambda), 1.0 / lambda),
        (format!("η = 1.9/λ* = {:.3}", 1.9 / lambda), 1.9 / lambda),
        (format!("η = 2.2/λ* = {:.3}", 2.2 / lambda), 2.2 / lambda),
    ];
    let init = Ising::zeros(n).expect("n ≥ 1");
    let curves: Vec<(String, Vec<f64>)> = runs
        .into_iter()
        .map(|(label, eta)| {
            let stop = StopRule {
                tolerance: 0.0,
                max_iterations: iters,
            };
            let (_, trace) = kl
                .learn(&init, &StepSize::Scalar(eta), stop, &mut |_| {})
                .expect("学習");
            (label, trace.values.to_vec())
        })
        .collect();
    let floor = 1e-14;
    render((640, 500), |root| {
        let (top, body) = root.split_vertically(84);
        let items: Vec<(Key, String)> = curves
            .iter()
            .enumerate()
            .map(|(i, (label, _))| (Key::Line(PALETTE[i], 4), label.clone()))
            .collect();
        legend(&top, (24, 24), 2, 310, &items)?;
        let mut chart = kl_chart(
            &body,
            iters,
            floor,
            &format!("KL（M = {m}, λ* = {lambda:.2}）"),
        )?;
        for (i, (_, values)) in curves.iter().enumerate() {
            chart.draw_series(LineSeries::new(
                values.iter().enumerate().map(|(k, v)| (k, v.max(floor))),
                PALETTE[i].stroke_width(4),
            ))?;
        }
        Ok(())
    })
}

/// 図を決定的にするための小さな乱数（SplitMix64）。図の再現性だけが目的。
struct SplitMix(u64);

impl SplitMix {
    fn next_f64(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// 全状態の確率から、逆関数法で `count` 個の配置を引く（1 行 1 配置）。
fn draw_samples(model: &Ising, rng: &mut SplitMix, count: usize) -> Array2<i8> {
    let n = model.n_spins();
    let log_z = model.log_z().expect("列挙できる");
    let states: Vec<Array1<i8>> = (0..1usize << n)
        .map(|s| spins_of_state(s, n).expect("s < 2^n"))
        .collect();
    let mut cum = Vec::with_capacity(states.len());
    let mut acc = 0.0;
    for x in &states {
        acc += (-model.energy(x).expect("有効な配置") - log_z).exp();
        cum.push(acc);
    }
    let mut data = Array2::zeros((count, n));
    for mut row in data.rows_mut() {
        let u = rng.next_f64() * acc;
        let s = cum.partition_point(|&c| c <= u).min(states.len() - 1);
        row.assign(&states[s]);
    }
    data
}

/// 6 スピンの真の結合と、(a) 厳密なモーメントから、(b) 500 個の標本から学習した結合。
fn couplings() -> String {
    let n = 6;
    let mut rng = SplitMix(2026);
    let h: Array1<f64> = (0..n).map(|_| 0.6 * (rng.next_f64() - 0.5)).collect();
    let j: Array1<f64> = (0..n * (n - 1) / 2)
        .map(|_| 1.6 * (rng.next_f64() - 0.5))
        .collect();
    let truth = Ising::new(h, j).expect("有効なパラメータ");
    let init = Ising::zeros(n).expect("n ≥ 1");
    let eta = StepSize::Scalar(1.0 / global_curvature_bound(n));
    let stop = StopRule {
        tolerance: 1e-8,
        max_iterations: 20_000,
    };
    let exact = KlObjective::from_model(&truth).expect("列挙できる");
    let (from_exact, _) = exact.learn(&init, &eta, stop, &mut |_| {}).expect("学習");
    let data = draw_samples(&truth, &mut rng, 500);
    let (from_samples, _) = KlObjective::from_data(&data)
        .expect("±1 の配置")
        .learn(&init, &eta, stop, &mut |_| {})
        .expect("学習");
    let pts = |m: &Ising| -> Vec<(f64, f64)> {
        truth
            .couplings()
            .iter()
            .copied()
            .zip(m.couplings().iter().copied())
            .collect()
    };
    let (a, b) = (pts(&from_exact), pts(&from_samples));
    render((640, 560), |root| {
        let (top, body) = root.split_vertically(84);
        legend(
            &top,
            (90, 24),
            1,
            0,
            &[
                (
                    Key::Ring(PALETTE[0]),
                    "厳密なモーメントから学習".to_string(),
                ),
                (
                    Key::Triangle(PALETTE[1]),
                    "500 個の標本から学習".to_string(),
                ),
            ],
        )?;
        let mut chart = ChartBuilder::on(&body)
            .margin_left(8)
            .margin_right(24)
            .margin_bottom(8)
            .x_label_area_size(64)
            .y_label_area_size(90)
            .build_cartesian_2d(-1.0..1.0, -1.0..1.0)?;
        chart
            .configure_mesh()
            .x_desc("真の結合 Jₖₗ")
            .y_desc("学習した結合 Jₖₗ")
            .x_labels(5)
            .y_labels(5)
            .x_label_formatter(&tick)
            .y_label_formatter(&tick)
            .label_style((FONT, TEXT))
            .axis_desc_style((FONT, AXIS))
            .light_line_style(TRANSPARENT)
            .bold_line_style(BLACK.mix(0.12))
            .draw()?;
        chart.draw_series(LineSeries::new(
            [(-1.0, -1.0), (1.0, 1.0)],
            BLACK.mix(0.6).stroke_width(2),
        ))?;
        chart.draw_series(
            a.iter()
                .map(|&p| Circle::new(p, 8, PALETTE[0].stroke_width(3))),
        )?;
        chart.draw_series(
            b.iter()
                .map(|&p| TriangleMarker::new(p, 7, PALETTE[1].filled())),
        )?;
        Ok(())
    })
}

/// 本文 §2.6 の例のデータ（すべての標本で x₁ = x₂）。
fn boundary_data() -> Array2<i8> {
    array![[1, 1, 1], [1, 1, -1], [-1, -1, -1], [1, 1, 1]]
}

/// 反復 `t = 1, …, last` の `J₁₂` を、対数目盛りで描くのに足りる点（t ≤ 100 は全部、それ以降は約 2 % ごと）だけ残す。
fn coupling_path(kl: &KlObjective, eta: f64, last: usize) -> Vec<(f64, f64)> {
    let mut q = Ising::zeros(3).expect("3 スピン");
    let mut out = Vec::new();
    let mut next = 1.0f64;
    for t in 1..=last {
        q = kl.update(&q, &StepSize::Scalar(eta)).expect("1 歩");
        if t as f64 >= next || t == last {
            out.push((t as f64, q.coupling(0, 1).expect("対 (0, 1)")));
            next = (next * 1.02).max(next + 1.0);
        }
    }
    out
}

/// データの平均が周辺多面体の境界にあるとき（§2.6 の例、⟨x₁x₂⟩ = 1）の J₁₂ の推移:
/// 罰則なしでは ½ ln t の速さで増え続け、罰則 λ|θ|²/2（λ = 0.01）をつけると有限の値に落ち着く。
fn boundary() -> String {
    let last = 100_000;
    let plain = KlObjective::from_data(&boundary_data()).expect("±1 の配置");
    let ridge = plain.clone().with_ridge(0.01).expect("λ ≥ 0");
    let a = coupling_path(&plain, 1.0 / plain.curvature_bound(), last);
    let b = coupling_path(&ridge, 1.0 / ridge.curvature_bound(), last);
    // 漸近線 ½ ln t + c の c は、最後の点に合わせる
    let (tl, jl) = *a.last().expect("点がある");
    let c = jl - 0.5 * tl.ln();
    render((640, 500), |root| {
        let (top, body) = root.split_vertically(116);
        legend(
            &top,
            (90, 24),
            1,
            0,
            &[
                (Key::Line(PALETTE[0], 4), "罰則なし".to_string()),
                (
                    Key::Dashed(BLACK, 3),
                    format!(
                        "½ ln t {} {}",
                        if c < 0.0 { "−" } else { "+" },
                        tick(&c.abs())
                    ),
                ),
                (
                    Key::Line(PALETTE[1], 4),
                    "罰則 λ|θ|²/2（λ = 0.01）".to_string(),
                ),
            ],
        )?;
        let mut chart = ChartBuilder::on(&body)
            .margin_left(8)
            .margin_right(32)
            .margin_bottom(8)
            .x_label_area_size(64)
            .y_label_area_size(64)
            .build_cartesian_2d((1.0..last as f64).log_scale(), 0.0..6.0)?;
        chart
            .configure_mesh()
            .x_desc("反復の回数 t（対数目盛り）")
            .y_desc("J₁₂")
            .x_labels(6)
            .y_labels(7)
            .x_label_formatter(&|v| power_of_ten(*v))
            .y_label_formatter(&tick)
            .label_style((FONT, TEXT))
            .axis_desc_style((FONT, AXIS))
            .light_line_style(TRANSPARENT)
            .bold_line_style(BLACK.mix(0.12))
            .draw()?;
        chart.draw_series(LineSeries::new(a, PALETTE[0].stroke_width(4)))?;
        chart.draw_series(LineSeries::new(b, PALETTE[1].stroke_width(4)))?;
        // 漸近線は曲線の上に重ねる（曲線と重なっていることが見える）
        chart.draw_series(DashedLineSeries::new(
            grid(0.0, (last as f64).ln(), 200)
                .into_iter()
                .map(|u| (u.exp(), 0.5 * u + c))
                .filter(|&(_, y)| y >= 0.0),
            9,
            7,
            BLACK.stroke_width(3),
        ))?;
        Ok(())
    })
}
