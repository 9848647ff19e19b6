//! §2.6 の図 3（勾配法の図形的な意味。ノートでは失われていた図を作り直す）、
//! 図 4（Ising モデルの学習曲線と学習率）、図 5（真の結合と学習した結合）。

use super::Figure;
use super::style::{FONT, PALETTE, draw_legend, grid, legend_line, render};
use genmodel::boltzmann::ising::{
    Ising, KlObjective, global_curvature_bound, n_params, spins_of_state,
};
use genmodel::ndarray::{Array1, Array2, array};
use genmodel::optim::{StepSize, StopRule, quadratic_upper_bound};
use plotters::prelude::*;

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
    ]
}

fn f(t: f64) -> f64 {
    (1.0 + t * t).sqrt()
}
fn df(t: f64) -> f64 {
    t / (1.0 + t * t).sqrt()
}

/// 図 3: f(θ) = √(1 + θ²) と、θ₀ = 2 で接する 2 次の上界 g（L = sup f'' = 1、式 (2.33)）、その頂点 θ₁（式 (2.35)）。
fn surrogate_figure() -> String {
    let (t0, l) = (2.0_f64, 1.0_f64);
    let g = |t: f64| quadratic_upper_bound(f(t0), df(t0), l, t0, t).expect("有限の値");
    let t1 = t0 - df(t0) / l;
    render(|root| {
        let mut chart = ChartBuilder::on(root)
            .caption("図 3: 勾配法は上界 g の最小化", (FONT, 20))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(44)
            .build_cartesian_2d(-3.0..4.0, 0.0..5.0)?;
        chart
            .configure_mesh()
            .x_desc("θ")
            .y_desc("y")
            .light_line_style(WHITE)
            .draw()?;
        let xs = grid(-3.0, 4.0, 400);
        chart
            .draw_series(LineSeries::new(
                xs.iter().map(|&x| (x, f(x))),
                PALETTE[0].stroke_width(2),
            ))?
            .label("y = f(θ) = √(1 + θ²)")
            .legend(legend_line(PALETTE[0], 2));
        chart
            .draw_series(LineSeries::new(
                xs.iter().map(|&x| (x, g(x))).filter(|&(_, y)| y <= 5.0),
                PALETTE[1].stroke_width(2),
            ))?
            .label("y = g(θ)（θ₀ で接する上界, L = 1）")
            .legend(legend_line(PALETTE[1], 2));
        chart.draw_series([
            Circle::new((t0, f(t0)), 4, BLACK.filled()),
            Circle::new((t1, g(t1)), 4, PALETTE[1].filled()),
            Circle::new((t1, f(t1)), 4, PALETTE[0].filled()),
        ])?;
        chart.draw_series(LineSeries::new(
            [(t0, 0.15), (t1, 0.15)],
            BLACK.stroke_width(1),
        ))?;
        chart.draw_series(LineSeries::new(
            [(t1, 0.15), (t1, f(t1))],
            BLACK.stroke_width(1),
        ))?;
        chart.draw_series([
            Text::new("θ₀", (t0 - 0.05, 0.45), (FONT, 15)),
            Text::new("θ₁ = θ₀ − f'(θ₀)/L", (t1 - 1.2, 0.45), (FONT, 15)),
            Text::new("f(θ₀)", (t0 + 0.1, f(t0) - 0.1), (FONT, 15)),
        ])?;
        draw_legend(&mut chart, SeriesLabelPosition::UpperLeft, 15)?;
        Ok(())
    })
}

/// 図 4 の真のモデル（4 スピン）。
fn truth4() -> Ising {
    Ising::new(
        array![0.3, -0.2, 0.1, 0.0],
        array![0.5, -0.4, 0.3, 0.6, -0.2, 0.4],
    )
    .expect("有効なパラメータ")
}

/// 図 4: 学習率 η = 1/M, 1/λ*, 1.9/λ*, 2.2/λ* で θ = 0 から学習したときの KL の推移。
fn learning_curves() -> String {
    let truth = truth4();
    let n = truth.n_spins();
    let kl = KlObjective::from_model(&truth).expect("4 スピンは列挙できる");
    let lambda = truth
        .statistics_covariance()
        .expect("4 スピン")
        .max_eigenvalue();
    let iters = 150;
    let runs: Vec<(String, f64)> = vec![
        (
            format!("η = 1/M = {:.3}", 1.0 / global_curvature_bound(n)),
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
    render(|root| {
        let mut chart = ChartBuilder::on(root)
            .caption(
                format!(
                    "図 4: 学習率と KL の推移（λ* = {lambda:.3}, M = {}）",
                    n_params(n).expect("n ≤ MAX_MODEL_SPINS")
                ),
                (FONT, 20),
            )
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(56)
            .build_cartesian_2d(0..iters, (floor..10.0).log_scale())?;
        chart
            .configure_mesh()
            .x_desc("反復")
            .y_desc("KL")
            .y_label_formatter(&|v| format!("{v:.0e}"))
            .light_line_style(WHITE)
            .draw()?;
        for (i, (label, values)) in curves.iter().enumerate() {
            let color = PALETTE[i % PALETTE.len()];
            chart
                .draw_series(LineSeries::new(
                    values.iter().enumerate().map(|(k, v)| (k, v.max(floor))),
                    color.stroke_width(2),
                ))?
                .label(label.as_str())
                .legend(move |(x, y)| {
                    PathElement::new([(x, y), (x + 20, y)], color.stroke_width(2))
                });
        }
        draw_legend(&mut chart, SeriesLabelPosition::LowerLeft, 15)?;
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

/// 図 5: 6 スピンの真の結合と、(a) 厳密なモーメントから、(b) 500 個の標本から学習した結合。
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
    render(|root| {
        let mut chart = ChartBuilder::on(root)
            .caption("図 5: 真の結合 J と学習した結合（6 スピン）", (FONT, 20))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(44)
            .build_cartesian_2d(-1.0..1.0, -1.0..1.0)?;
        chart
            .configure_mesh()
            .x_desc("真の J_kl")
            .y_desc("学習した J_kl")
            .light_line_style(WHITE)
            .draw()?;
        chart.draw_series(LineSeries::new(
            [(-1.0, -1.0), (1.0, 1.0)],
            BLACK.stroke_width(1),
        ))?;
        chart
            .draw_series(
                a.iter()
                    .map(|&p| Circle::new(p, 5, PALETTE[0].stroke_width(2))),
            )?
            .label("厳密なモーメントから")
            .legend(|(x, y)| Circle::new((x + 10, y), 5, PALETTE[0].stroke_width(2)));
        chart
            .draw_series(
                b.iter()
                    .map(|&p| TriangleMarker::new(p, 5, PALETTE[1].filled())),
            )?
            .label("500 個の標本から")
            .legend(|(x, y)| TriangleMarker::new((x + 10, y), 5, PALETTE[1].filled()));
        draw_legend(&mut chart, SeriesLabelPosition::UpperLeft, 15)?;
        Ok(())
    })
}
