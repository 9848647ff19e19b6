//! 第 6 章の図: 交換の受理率（測った値と厳密な値）、スピングラスの積分自己相関時間。
//! 数は `cargo run --release -p xtask -- runs` が書いた [`crate::runs_exchange::RUNS`] から読む。

use super::Figure;
use super::style::{PALETTE, SIZE, TEXT, draw_legend, legend_line, mesh, render, tick};
use crate::runs_exchange::{ExchangeRuns, GLASS_LADDER};
use plotters::prelude::*;

pub fn figures() -> Vec<Figure> {
    let runs = ExchangeRuns::read(&crate::workspace_root()).expect("src/figures/data/exchange.tsv");
    vec![
        Figure {
            file: "fig-exchange-acceptance.svg",
            svg: acceptance(&runs),
        },
        Figure {
            file: "fig-exchange-glass-tau.svg",
            svg: glass_tau(&runs),
        },
    ]
}

/// 図 6.1: 隣どうしの交換の受理率。線は g(E) からの厳密な値、点は測った値（縦の棒は ±2 標準誤差）。
fn acceptance(runs: &ExchangeRuns) -> String {
    render(SIZE, |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(16)
            .margin_right(30)
            .x_label_area_size(52)
            .y_label_area_size(70)
            .build_cartesian_2d(0.3..0.6, 0.3..0.8)?;
        mesh(&mut chart, "対の中点の結合 K", "交換の受理率", &tick, &tick).draw()?;
        for (i, (name, label)) in [
            ("geometric", "等比の梯子"),
            ("constant", "受理率をそろえた梯子"),
        ]
        .iter()
        .enumerate()
        {
            let color = PALETTE[i];
            let rows: Vec<_> = runs.accept.iter().filter(|a| a.ladder == *name).collect();
            let mid = |a: &crate::runs_exchange::Accept| 0.5 * (a.couplings.0 + a.couplings.1);
            chart
                .draw_series(LineSeries::new(
                    rows.iter().map(|a| (mid(a), a.exact)),
                    color.stroke_width(2),
                ))?
                .label(*label)
                .legend(legend_line(color, 2));
            chart.draw_series(rows.iter().map(|a| {
                PathElement::new(
                    [
                        (mid(a), a.measured.0 - 2.0 * a.measured.1),
                        (mid(a), a.measured.0 + 2.0 * a.measured.1),
                    ],
                    color.stroke_width(2),
                )
            }))?;
            chart.draw_series(
                rows.iter()
                    .map(|a| Circle::new((mid(a), a.measured.0), 4, color.filled())),
            )?;
        }
        let k_c = genmodel::boltzmann::lattice::K_C;
        chart.draw_series(DashedLineSeries::new(
            [(k_c, 0.3), (k_c, 0.8)],
            6,
            4,
            BLACK.stroke_width(1),
        ))?;
        draw_legend(&mut chart, SeriesLabelPosition::LowerLeft, TEXT)?;
        Ok(())
    })
}

/// 図 6.2: スピングラスの q² の積分自己相関時間（対数目盛り）。交換は掃引に換算した仕事（ステップ × 温度の数）。
fn glass_tau(runs: &ExchangeRuns) -> String {
    let m = GLASS_LADDER.2 as f64;
    render(SIZE, |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(16)
            .margin_right(30)
            .x_label_area_size(52)
            .y_label_area_size(80)
            .build_cartesian_2d(0.2..2.6, (0.01..3000.0).log_scale())?;
        mesh(
            &mut chart,
            "結合 K = 1/T",
            "q² の τ_int（掃引）",
            &tick,
            &|y| format!("{y}"),
        )
        .draw()?;
        let mut met: Vec<(f64, f64)> = runs
            .glass
            .iter()
            .map(|g| (g.coupling, g.metropolis_q2.2))
            .chain(runs.metropolis.iter().map(|&(k, _, _, _, t)| (k, t)))
            .filter(|p| p.1.is_finite())
            .collect();
        met.sort_by(|a, b| a.0.total_cmp(&b.0));
        chart
            .draw_series(LineSeries::new(
                met.iter().copied(),
                PALETTE[0].stroke_width(2),
            ))?
            .label("メトロポリス法（1 温度）")
            .legend(legend_line(PALETTE[0], 2));
        chart.draw_series(met.iter().map(|&p| Circle::new(p, 4, PALETTE[0].filled())))?;
        let ex: Vec<(f64, f64)> = runs
            .glass
            .iter()
            .map(|g| (g.coupling, m * g.exchange_q2.3))
            .collect();
        chart
            .draw_series(LineSeries::new(
                ex.iter().copied(),
                PALETTE[1].stroke_width(2),
            ))?
            .label("交換（8 温度の仕事に換算）")
            .legend(legend_line(PALETTE[1], 2));
        chart.draw_series(ex.iter().map(|&p| Circle::new(p, 4, PALETTE[1].filled())))?;
        draw_legend(&mut chart, SeriesLabelPosition::LowerRight, TEXT)?;
        Ok(())
    })
}
