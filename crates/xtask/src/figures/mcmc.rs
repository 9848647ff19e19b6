//! 第 5 章の図: 95 % 区間の被覆率、比熱の推定と Kaufman の厳密解、臨界減速。
//! 数は `cargo run --release -p xtask -- runs` が書いた [`crate::runs_mcmc::RUNS`] から読む。

use super::Figure;
use super::style::{PALETTE, SIZE, TEXT, draw_legend, legend_line, mesh, render, tick};
use crate::runs::wilson;
use crate::runs_mcmc::{COMPARE_SIDES, McmcRuns};
use genmodel::boltzmann::lattice::{T_C, kaufman};
use plotters::prelude::*;

/// 臨界指数 z の公表値（Nightingale & Blöte 1996, Phys. Rev. Lett. 76, 4548: z = 2.1665(12)）。
pub const DYNAMIC_EXPONENT: f64 = 2.1665;

pub fn figures() -> Vec<Figure> {
    let runs = McmcRuns::read(&crate::workspace_root()).expect("src/figures/data/mcmc-ising.tsv");
    vec![
        Figure {
            file: "fig-mcmc-coverage.svg",
            svg: coverage(&runs),
        },
        Figure {
            file: "fig-mcmc-specific-heat.svg",
            svg: specific_heat(&runs),
        },
        Figure {
            file: "fig-mcmc-slowing.svg",
            svg: slowing(&runs),
        },
        Figure {
            file: "fig-mcmc-learn.svg",
            svg: learn(&runs),
        },
    ]
}

/// 方法の名前と凡例。
const METHODS: [(&str, &str); 3] = [
    ("naive", "相関を無視"),
    ("tau", "τ_int で補正"),
    ("binning", "ビン分け"),
];

/// 図 5.1: 鎖の長さごとの、95 % 区間が厳密な値を含む割合（縦の棒は 1000 本の鎖の Wilson 区間）。
fn coverage(runs: &McmcRuns) -> String {
    render(SIZE, |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(16)
            .margin_right(30)
            .x_label_area_size(52)
            .y_label_area_size(70)
            .build_cartesian_2d((40.0..30_000.0).log_scale(), 0.2..1.0)?;
        mesh(
            &mut chart,
            "鎖の長さ（掃引）",
            "被覆率",
            &|x| format!("{x:.0}"),
            &tick,
        )
        .draw()?;
        chart
            .draw_series(DashedLineSeries::new(
                [(40.0, 0.95), (30_000.0, 0.95)],
                6,
                4,
                BLACK.stroke_width(1),
            ))?
            .label("0.95")
            .legend(legend_line(BLACK, 1));
        for (i, (name, label)) in METHODS.iter().enumerate() {
            let color = PALETTE[i];
            // 区間を作れた鎖が半分に満たない長さは描かない（残りの鎖だけの被覆率は偏る）
            let pts: Vec<(f64, f64, f64, f64)> = runs
                .coverage
                .iter()
                .filter(|c| c.method == *name && 2 * c.total >= crate::runs_mcmc::COVERAGE_CHAINS)
                .map(|c| {
                    let (p, lo, hi) = wilson(c.covered, c.total);
                    (c.length as f64, p, lo, hi)
                })
                .collect();
            chart
                .draw_series(LineSeries::new(
                    pts.iter().map(|&(x, p, _, _)| (x, p)),
                    color.stroke_width(2),
                ))?
                .label(*label)
                .legend(legend_line(color, 2));
            chart.draw_series(
                pts.iter()
                    .map(|&(x, p, _, _)| Circle::new((x, p), 4, color.filled())),
            )?;
            chart.draw_series(pts.iter().map(|&(x, _, lo, hi)| {
                PathElement::new([(x, lo), (x, hi)], color.stroke_width(2))
            }))?;
        }
        draw_legend(&mut chart, SeriesLabelPosition::LowerRight, TEXT)?;
        Ok(())
    })
}

/// 図 5.2: 比熱の厳密な曲線（Kaufman）とメトロポリス法の推定（縦の棒は ±2 標準誤差）。
fn specific_heat(runs: &McmcRuns) -> String {
    render(SIZE, |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(16)
            .margin_right(30)
            .x_label_area_size(52)
            .y_label_area_size(70)
            .build_cartesian_2d(1.6..3.4, 0.0..2.0)?;
        mesh(&mut chart, "温度 T", "比熱 c", &tick, &tick).draw()?;
        for (i, &side) in COMPARE_SIDES.iter().enumerate() {
            let color = PALETTE[i];
            let curve: Vec<(f64, f64)> = (0..=360)
                .map(|j| 1.6 + 1.8 * f64::from(j) / 360.0)
                .filter_map(|t| {
                    kaufman::thermodynamics(side, 1.0 / t)
                        .ok()
                        .map(|th| (t, th.specific_heat_per_spin()))
                })
                .collect();
            chart
                .draw_series(LineSeries::new(curve, color.stroke_width(2)))?
                .label(format!("L = {side}"))
                .legend(legend_line(color, 2));
            let pts: Vec<_> = runs.compare.iter().filter(|c| c.side == side).collect();
            chart.draw_series(pts.iter().map(|c| {
                PathElement::new(
                    [
                        (c.temperature, c.c.mean - 2.0 * c.c.error),
                        (c.temperature, c.c.mean + 2.0 * c.c.error),
                    ],
                    color.stroke_width(2),
                )
            }))?;
            chart.draw_series(
                pts.iter()
                    .map(|c| Circle::new((c.temperature, c.c.mean), 4, color.filled())),
            )?;
        }
        chart.draw_series(DashedLineSeries::new(
            [(T_C, 0.0), (T_C, 2.0)],
            6,
            4,
            BLACK.stroke_width(1),
        ))?;
        draw_legend(&mut chart, SeriesLabelPosition::UpperRight, TEXT)?;
        Ok(())
    })
}

/// 図 5.3: 積分自己相関時間と一辺（両対数。横軸は log₂ L）。点線は傾き z の目安。
fn slowing(runs: &McmcRuns) -> String {
    render(SIZE, |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(16)
            .margin_right(30)
            .x_label_area_size(52)
            .y_label_area_size(70)
            .build_cartesian_2d(1.6..6.4, (0.5..400.0).log_scale())?;
        // 横軸は log₂ L: 目盛りは 2 の冪の一辺
        mesh(
            &mut chart,
            "一辺 L",
            "τ_int（掃引）",
            &|x: &f64| format!("{:.0}", x.exp2()),
            &|y| format!("{y}"),
        )
        .x_labels(5)
        .draw()?;
        let series = [
            (T_C, true, "T_c の |m|", 0usize),
            (T_C, false, "T_c のエネルギー", 1),
            (3.0, true, "T = 3 の |m|", 2),
        ];
        for (t, magnetization, label, ci) in series {
            let color = PALETTE[ci];
            let pts: Vec<(f64, (f64, f64))> = runs
                .slowing
                .iter()
                .filter(|s| s.temperature == t)
                .map(|s| {
                    let v = if magnetization {
                        s.tau_magnetization
                    } else {
                        s.tau_energy
                    };
                    ((s.side as f64).log2(), v)
                })
                .collect();
            chart
                .draw_series(LineSeries::new(
                    pts.iter().map(|&(l, (v, _))| (l, v)),
                    color.stroke_width(2),
                ))?
                .label(label)
                .legend(legend_line(color, 2));
            chart.draw_series(
                pts.iter()
                    .map(|&(l, (v, _))| Circle::new((l, v), 4, color.filled())),
            )?;
            chart.draw_series(pts.iter().map(|&(l, (v, e))| {
                PathElement::new(
                    [(l, (v - 2.0 * e).max(0.5)), (l, v + 2.0 * e)],
                    color.stroke_width(2),
                )
            }))?;
        }
        // 目安の線: L = 64 の |m| の点を通る傾き z の直線
        if let Some(s) = runs
            .slowing
            .iter()
            .find(|s| s.temperature == T_C && s.side == 64)
        {
            let a = s.tau_magnetization.0 / 64f64.powf(DYNAMIC_EXPONENT);
            chart
                .draw_series(DashedLineSeries::new(
                    [4.0, 64.0].map(|l: f64| (l.log2(), a * l.powf(DYNAMIC_EXPONENT))),
                    6,
                    4,
                    BLACK.stroke_width(1),
                ))?
                .label("∝ L^2.17")
                .legend(legend_line(BLACK, 1));
        }
        draw_legend(&mut chart, SeriesLabelPosition::UpperLeft, TEXT)?;
        Ok(())
    })
}

/// 図 5.5: 勾配法の K の揺れ（標準偏差）と学習率。線は線形化した解析 (5.21)、点は測った値（縦の棒は ±2 標準誤差）。
fn learn(runs: &McmcRuns) -> String {
    let d = runs.learn_data;
    let limit = 2.0 / d.lambda;
    render(SIZE, |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(16)
            .margin_right(30)
            .x_label_area_size(52)
            .y_label_area_size(80)
            .build_cartesian_2d(0.0..1.05, (5e-4..0.1).log_scale())?;
        mesh(
            &mut chart,
            "学習率 η / (2/λ)",
            "K の標準偏差",
            &tick,
            &|y| format!("{y}"),
        )
        .draw()?;
        let curve = (1..200).map(|i| {
            let f = f64::from(i) / 200.0;
            let eta = f * limit;
            (
                f,
                (eta * d.sigma_u.0 * d.sigma_u.0 / (d.lambda * (2.0 - eta * d.lambda))).sqrt(),
            )
        });
        chart
            .draw_series(LineSeries::new(curve, PALETTE[0].stroke_width(2)))?
            .label("線形化した解析")
            .legend(legend_line(PALETTE[0], 2));
        chart
            .draw_series(
                runs.learn
                    .iter()
                    .map(|l| Circle::new((l.eta / limit, l.std.0), 5, PALETTE[1].filled())),
            )?
            .label("測った値")
            .legend(|(x, y)| Circle::new((x + 10, y), 5, PALETTE[1].filled()));
        chart.draw_series(runs.learn.iter().map(|l| {
            PathElement::new(
                [
                    (l.eta / limit, l.std.0 - 2.0 * l.std.1),
                    (l.eta / limit, l.std.0 + 2.0 * l.std.1),
                ],
                PALETTE[1].stroke_width(2),
            )
        }))?;
        chart.draw_series(DashedLineSeries::new(
            [(1.0, 5e-4), (1.0, 0.1)],
            6,
            4,
            BLACK.stroke_width(1),
        ))?;
        draw_legend(&mut chart, SeriesLabelPosition::UpperLeft, TEXT)?;
        Ok(())
    })
}
