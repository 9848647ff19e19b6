//! 動かせる図（第 5 章）: 32×32 の Ising モデルを温度 `T` でメトロポリス法にかけ、最後の配置と、
//! 1 スピンあたりのエネルギーの推定（±2 標準誤差）を Kaufman の厳密な曲線と並べる。
//!
//! 鎖はいつもすべて上向きの配置から始め、[`BURN_IN`] 回の掃引を捨ててから [`SWEEPS`] 回の掃引で
//! エネルギーを記録する。標準誤差は積分自己相関時間 `τ_int`（自動窓）で広げたもので、臨界温度の
//! 近くでは臨界減速のぶん広くなる。乱数は 64 ビットの整数演算だけの SplitMix64（シードはスライダーの値）
//! なので、ネイティブと WebAssembly（32 ビット）とで同じ列になる（`SmallRng` は語長で中身が変わる）。
//! `ChaCha8Rng` も同じ列になるが、WebAssembly では SIMD なしで 1 回の描画が約 0.4 秒かかった。

use super::{LiveError, LiveFigure, LiveSpec, Readout, SEED, Slider};
use crate::figures::style::{Key, PALETTE, TEXT, legend, mesh, render as draw, text_style, tick};
use genmodel::boltzmann::lattice::{LatticeMetropolis, Start, T_C, kaufman};
use genmodel::mcmc::stats::integrated_time;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use rand::RngCore;

/// 格子の一辺。
pub const SIDE: usize = 32;
/// 捨てる掃引の数。
pub const BURN_IN: usize = 1000;
/// 記録する掃引の数。
pub const SWEEPS: usize = 8192;
/// 横軸（温度）の範囲。
const T_RANGE: (f64, f64) = (1.0, 4.0);
/// 下のグラフ（推定 − 厳密値）の縦軸の半幅。
const RESIDUAL: f64 = 0.04;
/// 厳密な曲線を引く区間の数（1 点は L = 32 で約 70 µs）。
const CURVE_POINTS: u32 = 120;
/// 右の 2 つのグラフの縦軸の目盛りと名前の欄の幅（2 つの横軸をそろえる）。
const Y_LABELS: u32 = 84;
/// 格子の 1 マスの大きさ（ピクセル）。
const CELL: i32 = 8;

/// 動かせる図の定義。
pub const SPEC: LiveSpec = LiveSpec {
    name: "ising-lattice",
    file: "fig-mcmc-lattice.svg",
    sliders: &[
        Slider {
            key: "t",
            label: "温度 T",
            min: 1.0,
            max: 4.0,
            step: 0.01,
            default: 2.27,
        },
        SEED,
    ],
    render,
    cases: &[&[1.5, 1.0], &[3.5, 7.0], &[2.3, 3.0]],
};

/// SplitMix64（Steele, Lea & Flood 2014）: 状態に黄金比の定数を足し、混ぜて出す。BigCrush を通る。
/// 整数の足し算・かけ算・シフトだけなので、どの機械でも同じ列になる。
struct SplitMix64(u64);

impl RngCore for SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }

    fn fill_bytes(&mut self, dst: &mut [u8]) {
        for chunk in dst.chunks_mut(8) {
            let bytes = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
    }
}

/// 1 回の鎖の結果。
#[derive(Debug, Clone)]
pub struct Sample {
    /// 最後の配置（行優先、`true` が上向き）。
    pub up: Vec<bool>,
    /// 1 スピンあたりのエネルギーの平均。
    pub energy: f64,
    /// その標準誤差（`τ_int` で補正）。
    pub std_error: f64,
    /// エネルギーの積分自己相関時間（掃引）。
    pub tau: f64,
    /// 記録した掃引での受理率。
    pub acceptance: f64,
}

/// 温度 `t`、乱数の種 `seed` で鎖を走らせる。
///
/// # Errors
///
/// 温度が正でない・系列から `τ_int` を推定できないなど、genmodel の誤り。
pub fn sample(t: f64, seed: u64) -> Result<Sample, LiveError> {
    let mut rng = SplitMix64(seed);
    let mut chain = LatticeMetropolis::new(SIDE, 1.0 / t, Start::Cold, &mut rng)?;
    chain.run(&mut rng, BURN_IN)?;
    let (a0, n0) = (chain.accepted(), chain.attempted());
    let trace = chain.record(&mut rng, SWEEPS)?;
    let acceptance = (chain.accepted() - a0) as f64 / (chain.attempted() - n0) as f64;
    let it = integrated_time(trace.energy_per_spin())?;
    let est = it.estimate();
    let spins = chain.spins();
    Ok(Sample {
        up: spins.iter().map(|&s| s > 0).collect(),
        energy: est.mean(),
        std_error: est.std_error(),
        tau: it.tau(),
        acceptance,
    })
}

fn render(values: &[f64]) -> Result<LiveFigure, LiveError> {
    let t = values[0];
    let seed = values[1].round() as u64;
    let s = sample(t, seed)?;
    let exact = kaufman::thermodynamics(SIDE, 1.0 / t)?.energy_per_spin();
    let curve: Vec<(f64, f64)> = (0..=CURVE_POINTS)
        .map(|i| T_RANGE.0 + (T_RANGE.1 - T_RANGE.0) * f64::from(i) / f64::from(CURVE_POINTS))
        .map(|x| kaufman::thermodynamics(SIDE, 1.0 / x).map(|th| (x, th.energy_per_spin())))
        .collect::<Result<_, _>>()?;
    let svg = draw((640, 480), |root| {
        let (top, body) = root.split_vertically(56);
        legend(
            &top,
            (16, 28),
            2,
            316,
            &[
                (Key::Line(PALETTE[0], 2), "厳密な値（Kaufman）".to_string()),
                (Key::Triangle(PALETTE[1]), "推定 ±2 標準誤差".to_string()),
            ],
        )?;
        let (left, right) = body.split_horizontally(280);
        // 格子: 上向きは白、下向きは黒。下向きは行ごとに続くマスを 1 つの長方形にまとめる
        let (x0, y0) = (12, 16);
        let side = SIDE as i32;
        left.draw(&Rectangle::new(
            [(x0, y0), (x0 + side * CELL, y0 + side * CELL)],
            WHITE.filled(),
        ))?;
        for i in 0..SIDE {
            let row = &s.up[i * SIDE..(i + 1) * SIDE];
            let mut j = 0;
            while j < SIDE {
                if row[j] {
                    j += 1;
                    continue;
                }
                let start = j;
                while j < SIDE && !row[j] {
                    j += 1;
                }
                let (a, b, y) = (start as i32, j as i32, i as i32);
                left.draw(&Rectangle::new(
                    [
                        (x0 + a * CELL, y0 + y * CELL),
                        (x0 + b * CELL, y0 + (y + 1) * CELL),
                    ],
                    BLACK.filled(),
                ))?;
            }
        }
        left.draw(&Rectangle::new(
            [(x0, y0), (x0 + side * CELL, y0 + side * CELL)],
            BLACK.stroke_width(1),
        ))?;
        left.draw(&Text::new(
            format!("T = {t:.2} の配置"),
            (x0 + side * CELL / 2, y0 + side * CELL + 14),
            text_style(TEXT, HPos::Center, VPos::Top),
        ))?;
        left.draw(&Text::new(
            format!("{SIDE}×{SIDE}、乱数の種 {seed}"),
            (x0 + side * CELL / 2, y0 + side * CELL + 44),
            text_style(TEXT, HPos::Center, VPos::Top),
        ))?;

        let (upper, lower) = right.split_vertically(212);
        // 上: エネルギーと温度
        let mut chart = ChartBuilder::on(&upper)
            .margin(6)
            .margin_right(16)
            .x_label_area_size(8)
            .y_label_area_size(Y_LABELS)
            .build_cartesian_2d(T_RANGE.0..T_RANGE.1, -2.05..0.0)?;
        mesh(&mut chart, "", "E/N", &|_| String::new(), &tick)
            .y_labels(5)
            .draw()?;
        chart.draw_series(LineSeries::new(curve.clone(), PALETTE[0].stroke_width(2)))?;
        chart.draw_series(DashedLineSeries::new(
            [(T_C, -2.05), (T_C, 0.0)],
            6,
            4,
            BLACK.stroke_width(1),
        ))?;
        chart.draw_series(std::iter::once(TriangleMarker::new(
            (t, s.energy),
            7,
            PALETTE[1].filled(),
        )))?;

        // 下: 推定 − 厳密値（0 の線が厳密値）。範囲の外は端に寄せる
        let mut chart = ChartBuilder::on(&lower)
            .margin(6)
            .margin_top(16)
            .margin_right(16)
            .x_label_area_size(52)
            .y_label_area_size(Y_LABELS)
            .build_cartesian_2d(T_RANGE.0..T_RANGE.1, -RESIDUAL..RESIDUAL)?;
        mesh(&mut chart, "温度 T", "推定 − 厳密", &tick, &tick)
            .x_labels(4)
            .y_labels(5)
            .draw()?;
        chart.draw_series(LineSeries::new(
            [(T_RANGE.0, 0.0), (T_RANGE.1, 0.0)],
            PALETTE[0].stroke_width(2),
        ))?;
        chart.draw_series(DashedLineSeries::new(
            [(T_C, -RESIDUAL), (T_C, RESIDUAL)],
            6,
            4,
            BLACK.stroke_width(1),
        ))?;
        // 棒の両端に横棒をつけ、印より短い棒も見えるようにする
        let clamp = |v: f64| v.clamp(-RESIDUAL, RESIDUAL);
        let d = s.energy - exact;
        let (lo, hi) = (clamp(d - 2.0 * s.std_error), clamp(d + 2.0 * s.std_error));
        let style = PALETTE[1].stroke_width(2);
        chart.draw_series(std::iter::once(PathElement::new([(t, lo), (t, hi)], style)))?;
        for y in [lo, hi] {
            chart.draw_series(std::iter::once(
                EmptyElement::at((t, y)) + PathElement::new([(-8, 0), (8, 0)], style),
            ))?;
        }
        chart.draw_series(std::iter::once(TriangleMarker::new(
            (t, clamp(d)),
            5,
            PALETTE[1].filled(),
        )))?;
        Ok(())
    });
    Ok(LiveFigure {
        svg,
        readouts: vec![
            Readout::fixed("温度 T", t, 2),
            Readout::with_error("E/N の推定（±2 標準誤差）", s.energy, s.std_error, 4),
            Readout::fixed(&format!("E/N の厳密値（Kaufman, L = {SIDE}）"), exact, 4),
            Readout::fixed("エネルギーの τ_int（掃引）", s.tau, 1),
            Readout::fixed("受理率", s.acceptance, 3),
        ],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 参照実装（Vigna の splitmix64.c）の、種 0 からの最初の 2 つの出力。
    #[test]
    fn splitmix64_matches_the_reference_sequence() {
        let mut r = SplitMix64(0);
        assert_eq!(r.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(r.next_u64(), 0x6E78_9E6A_A1B9_65F4);
    }
}
