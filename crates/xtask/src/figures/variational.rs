//! 第 7 章の図: 平均場・TAP・確率伝搬法・逆問題・擬似尤度を、同じモデルの厳密な列挙と比べる。
//! 計算は数秒なので、図を作るたびにここで計算する（[`sweep`]）。本文の表 7.1 の数もここから作る。

use super::Figure;
use super::style::{Key, PALETTE, frame, legend, mesh, pow10, render, tick};
use genmodel::boltzmann::ising::{Ising, pairs};
use genmodel::boltzmann::lattice::{K_C, onsager};
use genmodel::ndarray::{Array1, Array2};
use genmodel::variational::{
    FixedPoint, bp::BeliefPropagation, ferromagnet, inverse, mean_field, pseudo::PseudoLikelihood,
    tap,
};
use plotters::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// 比べるモデルのスピン数（全 `2^12` 状態を列挙する）。
pub const SPINS: usize = 12;
/// 場の標準偏差。
pub const FIELD_SCALE: f64 = 0.3;
/// 擬似尤度と逆問題に使う標本の数。
pub const SAMPLES: usize = 10_000;
/// 結合の強さ `J₀` の格子（`J_kl = J₀ ξ_kl / √N`）。
pub fn betas() -> Vec<f64> {
    (1..=20).map(|i| 0.1 * i as f64).collect()
}

/// 反復の設定: 減衰 0.5、残差 `1e-10`、`10^4` 回。
fn fixed_point() -> FixedPoint {
    FixedPoint::new(0.5, 1e-10, 10_000).expect("設定")
}

/// 標準正規分布の乱数（Box–Muller）。
fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u: f64 = 1.0 - rng.random::<f64>();
    let v: f64 = rng.random::<f64>();
    (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
}

/// 結合の強さ `J₀` のモデル: `J_kl = J₀ ξ_kl/√N`、`h_k = 0.3 ξ'_k`（`ξ` は `J₀` によらない同じ乱数）。
pub fn model(beta: f64) -> Ising {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let h = Array1::from_shape_fn(SPINS, |_| FIELD_SCALE * normal(&mut rng));
    let scale = beta / (SPINS as f64).sqrt();
    let j = Array1::from_shape_fn(SPINS * (SPINS - 1) / 2, |_| scale * normal(&mut rng));
    Ising::new(h, j).expect("モデル")
}

/// 1 つの `β` での、各近似の誤差（厳密な値との差）。収束しなかった近似は `None`。
#[derive(Debug, Clone)]
pub struct Row {
    /// 結合の強さ。
    pub beta: f64,
    /// 磁化の 2 乗平均平方根誤差: 平均場・TAP・確率伝搬法。
    pub m_err: [Option<f64>; 3],
    /// 1 スピンあたりの `ln Z` の誤差（推定 − 厳密）: 平均場（`−F_MF`）・TAP（`−F_TAP`）・Bethe。
    pub log_z_err: [Option<f64>; 3],
    /// 結合の相対誤差 `‖Ĵ − J‖/‖J‖`: 平均場・TAP（厳密な統計量から）、擬似尤度（`SAMPLES` 個の標本から）。
    pub j_err: [Option<f64>; 3],
    /// 同じ標本からの平均場・TAP の逆問題の相対誤差。
    pub j_err_sampled: [Option<f64>; 2],
}

fn rms(a: &Array1<f64>, b: &Array1<f64>) -> f64 {
    ((a - b).mapv(|v| v * v).sum() / a.len() as f64).sqrt()
}

fn relative(fit: &Ising, truth: &Ising) -> f64 {
    let d = &fit.couplings() - &truth.couplings();
    (d.mapv(|v| v * v).sum() / truth.couplings().mapv(|v| v * v).sum()).sqrt()
}

/// `β` の格子の全体で、各近似を厳密な値と比べる。
pub fn sweep() -> Vec<Row> {
    betas().into_iter().map(row).collect()
}

/// 1 つの `β` の比較。
pub fn row(beta: f64) -> Row {
    let truth = model(beta);
    let exact = truth.exact().expect("列挙");
    let n = SPINS as f64;
    let means = exact.means().to_owned();
    let fp = fixed_point();
    // 平均場: 0・±tanh h から始め、F_MF の最も小さい解（−ln Z の最良の上界）をとる
    let th = truth.fields().mapv(f64::tanh);
    let starts = Array2::from_shape_fn((3, SPINS), |(r, k)| [0.0, th[k], -th[k]][r]);
    let mf = mean_field::solutions(&truth, &starts, &fp)
        .ok()
        .map(|s| s[0].clone());
    let tap = mf
        .as_ref()
        .and_then(|s| tap::solve(&truth, s.magnetisations(), &fp).ok());
    let bp = BeliefPropagation::new(&truth).run(0.0, &fp).ok();
    let m_err = [
        mf.as_ref().map(|s| rms(s.magnetisations(), &means)),
        tap.as_ref().map(|s| rms(s.magnetisations(), &means)),
        bp.as_ref().map(|s| rms(s.magnetisations(), &means)),
    ];
    let log_z_err = [
        mf.as_ref().map(|s| (-s.free_energy() - exact.log_z()) / n),
        tap.as_ref().map(|s| (-s.free_energy() - exact.log_z()) / n),
        bp.as_ref().map(|s| (s.log_z() - exact.log_z()) / n),
    ];
    let stats = exact.statistics();
    let mut rng = ChaCha8Rng::seed_from_u64(1000 + (beta * 1000.0).round() as u64);
    let data = truth.sample(&mut rng, SAMPLES).expect("標本");
    let sampled = genmodel::boltzmann::ising::data_statistics(&data).expect("統計量");
    let pl = PseudoLikelihood::from_data(&data)
        .and_then(|p| p.fit(&Ising::zeros(SPINS).expect("0")))
        .ok();
    let j_err = [
        inverse::naive_mean_field(SPINS, &stats)
            .ok()
            .map(|f| relative(&f, &truth)),
        inverse::tap(SPINS, &stats)
            .ok()
            .map(|f| relative(&f, &truth)),
        pl.map(|f| relative(&f, &truth)),
    ];
    let j_err_sampled = [
        inverse::naive_mean_field(SPINS, &sampled)
            .ok()
            .map(|f| relative(&f, &truth)),
        inverse::tap(SPINS, &sampled)
            .ok()
            .map(|f| relative(&f, &truth)),
    ];
    Row {
        beta,
        m_err,
        log_z_err,
        j_err,
        j_err_sampled,
    }
}

/// 結合の総数（`J_kl` の数）。本文の説明に使う。
pub fn n_pairs() -> usize {
    pairs(SPINS).count()
}

pub fn figures() -> Vec<Figure> {
    let rows = sweep();
    vec![
        Figure {
            file: "fig-variational-magnetisation.svg",
            svg: magnetisation_error(&rows),
        },
        Figure {
            file: "fig-variational-log-z.svg",
            svg: log_z_error(&rows),
        },
        Figure {
            file: "fig-variational-inverse.svg",
            svg: inverse_error(&rows),
        },
        Figure {
            file: "fig-variational-ferromagnet.svg",
            svg: ferromagnet_curves(),
        },
    ]
}

const METHODS: [&str; 3] = ["平均場", "TAP", "確率伝搬法"];

/// 収束した点だけを、途切れた区間ごとの折れ線にする。
fn segments(rows: &[Row], pick: impl Fn(&Row) -> Option<f64>) -> Vec<Vec<(f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
    for r in rows {
        match pick(r) {
            Some(v) if v.is_finite() => out.last_mut().expect("区間").push((r.beta, v)),
            _ => {
                if !out.last().expect("区間").is_empty() {
                    out.push(Vec::new());
                }
            }
        }
    }
    out.retain(|s| !s.is_empty());
    out
}

/// 区間ごとの折れ線と点を描く。
fn draw_segments<
    'a,
    DB: DrawingBackend + 'a,
    CT: plotters::coord::CoordTranslate<From = (f64, f64)>,
>(
    chart: &mut ChartContext<'a, DB, CT>,
    segs: Vec<Vec<(f64, f64)>>,
    color: RGBColor,
) -> Result<(), Box<dyn std::error::Error>>
where
    DB::ErrorType: 'static,
{
    for seg in segs {
        chart.draw_series(LineSeries::new(seg.clone(), color.stroke_width(3)))?;
        chart.draw_series(seg.iter().map(|&p| Circle::new(p, 4, color.filled())))?;
    }
    Ok(())
}

/// 凡例の項目: `names` の `i` 番目を、色 `PALETTE[i]`・太さ 3 の実線で示す。
fn line_keys<'n>(names: impl IntoIterator<Item = &'n str>) -> Vec<(Key, String)> {
    names
        .into_iter()
        .enumerate()
        .map(|(i, m)| (Key::Line(PALETTE[i], 3), m.to_string()))
        .collect()
}

fn top_legend(
    root: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    items: &[(Key, String)],
) -> Result<(), Box<dyn std::error::Error>> {
    legend(root, (60, 24), 3, 180, items)
}

/// 図 7.1: 磁化の誤差（対数目盛り）。
fn magnetisation_error(rows: &[Row]) -> String {
    render((640, 440), |root| {
        let (top, body) = root.split_vertically(56);
        top_legend(&top, &line_keys(METHODS))?;
        let mut chart = frame(&body, 80).build_cartesian_2d(0.0..2.05, (1e-5..1.0).log_scale())?;
        mesh(
            &mut chart,
            "結合の強さ J₀",
            "磁化の誤差（RMS）",
            &tick,
            &pow10,
        )
        .draw()?;
        for (i, color) in PALETTE.iter().take(3).enumerate() {
            draw_segments(&mut chart, segments(rows, |r| r.m_err[i]), *color)?;
        }
        Ok(())
    })
}

/// 図 7.2: 1 スピンあたりの ln Z の誤差（推定 − 厳密）。
fn log_z_error(rows: &[Row]) -> String {
    let (mut lo, mut hi) = (0.0f64, 0.0f64);
    for r in rows {
        for v in r.log_z_err.iter().flatten() {
            lo = lo.min(*v);
            hi = hi.max(*v);
        }
    }
    let pad = 0.08 * (hi - lo);
    render((640, 440), |root| {
        let (top, body) = root.split_vertically(56);
        top_legend(&top, &line_keys(["平均場", "TAP", "Bethe"]))?;
        let mut chart = frame(&body, 90).build_cartesian_2d(0.0..2.05, (lo - pad)..(hi + pad))?;
        mesh(&mut chart, "結合の強さ J₀", "ln Z/N の誤差", &tick, &tick).draw()?;
        chart.draw_series(LineSeries::new(
            [(0.0, 0.0), (2.05, 0.0)],
            BLACK.stroke_width(1),
        ))?;
        for (i, color) in PALETTE.iter().take(3).enumerate() {
            draw_segments(&mut chart, segments(rows, |r| r.log_z_err[i]), *color)?;
        }
        Ok(())
    })
}

/// 図 7.4: 逆問題の結合の相対誤差（対数目盛り）。実線は厳密な統計量、破線は標本からの統計量。
fn inverse_error(rows: &[Row]) -> String {
    render((640, 500), |root| {
        let (top, body) = root.split_vertically(120);
        let items = vec![
            (Key::Line(PALETTE[0], 3), "平均場".to_string()),
            (Key::Dashed(PALETTE[0], 3), "平均場（標本）".to_string()),
            (Key::Line(PALETTE[1], 3), "TAP".to_string()),
            (Key::Dashed(PALETTE[1], 3), "TAP（標本）".to_string()),
            (Key::Line(PALETTE[2], 3), "擬似尤度（標本）".to_string()),
        ];
        legend(&top, (60, 24), 2, 270, &items)?;
        let mut chart = frame(&body, 80).build_cartesian_2d(0.0..2.05, (5e-4..3.0).log_scale())?;
        mesh(&mut chart, "結合の強さ J₀", "結合の相対誤差", &tick, &pow10).draw()?;
        for (i, color) in PALETTE.iter().take(3).enumerate() {
            draw_segments(&mut chart, segments(rows, |r| r.j_err[i]), *color)?;
        }
        for (i, color) in PALETTE.iter().take(2).enumerate() {
            for seg in segments(rows, |r| r.j_err_sampled[i]) {
                chart.draw_series(DashedLineSeries::new(seg, 8, 5, color.stroke_width(3)))?;
            }
        }
        Ok(())
    })
}

/// 名前と、結合 `K` から磁化への関数。
type Curve = (&'static str, fn(f64) -> f64);

/// 図 7.3: 正方格子の自発磁化。平均場 (7.14)、Bethe (7.15)、厳密 (7.16)。
fn ferromagnet_curves() -> String {
    let ks: Vec<f64> = super::style::grid(0.15, 0.8, 650);
    let curves: [Curve; 3] = [
        ("平均場", |k| {
            ferromagnet::mean_field_magnetisation(4, k).expect("平均場")
        }),
        ("Bethe", |k| {
            ferromagnet::bethe_magnetisation(4, k).expect("Bethe")
        }),
        ("厳密（Onsager–Yang）", |k| {
            onsager::spontaneous_magnetisation(k).expect("厳密")
        }),
    ];
    let crit = [
        0.25,
        ferromagnet::bethe_critical_coupling(4).expect("Bethe"),
        K_C,
    ];
    render((640, 440), |root| {
        let (top, body) = root.split_vertically(56);
        legend(
            &top,
            (40, 24),
            3,
            160,
            &line_keys(curves.iter().map(|(m, _)| *m)),
        )?;
        let mut chart = frame(&body, 70).build_cartesian_2d(0.15..0.8, 0.0..1.05)?;
        mesh(&mut chart, "結合 K", "自発磁化 m", &tick, &tick).draw()?;
        for (i, (_, f)) in curves.iter().enumerate() {
            chart.draw_series(LineSeries::new(
                ks.iter().map(|&k| (k, f(k))),
                PALETTE[i].stroke_width(3),
            ))?;
            chart.draw_series(DashedLineSeries::new(
                [(crit[i], 0.0), (crit[i], 1.05)],
                6,
                4,
                PALETTE[i].stroke_width(1),
            ))?;
        }
        Ok(())
    })
}
