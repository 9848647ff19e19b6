//! 図の共通の見た目と、折れ線を描くための小さな道具。

use plotters::chart::MeshStyle;
use plotters::coord::Shift;
use plotters::coord::ranged1d::ValueFormatter;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::error::Error;

/// 図の大きさ（ピクセル）。
pub const SIZE: (u32, u32) = (640, 400);
/// 文字の書体。閲覧者のブラウザが日本語の書体を選ぶ。
pub const FONT: &str = "sans-serif";

/// 背景色: 白より少し暗い灰色。暗いテーマで図だけが白く光らず、黒い文字との対比は十分に残る。
pub const BACKGROUND: RGBColor = RGBColor(236, 234, 228);
/// 目盛りの数字・凡例・図の中のラベルの大きさ。plotters は指定の 1/1.24 を `font-size` に書くので
/// SVG では 24/1.24 ≈ 19.4 px になり、幅 640 の図が電話で幅 350 px に縮んでも約 10.6 px 残る。
pub const TEXT: u32 = 24;
/// 軸の名前の大きさ（SVG では 26/1.24 ≈ 21 px）。
pub const AXIS: u32 = 26;

/// 色の並び（色覚の違いに配慮した Okabe–Ito の配色）。
pub const PALETTE: [RGBColor; 5] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
];

/// `[a, b]` を `n` 等分した `n + 1` 点。
pub fn grid(a: f64, b: f64, n: usize) -> Vec<f64> {
    (0..=n).map(|i| a + (b - a) * i as f64 / n as f64).collect()
}

/// 大きさ `size` の SVG を、背景 [`BACKGROUND`] の上に文字列として描く。描画の失敗は図の作り方の
/// 誤りなので、ここで止める。図の番号と説明は本文の `<figcaption>` に書き、SVG には入れない。
pub fn render(
    size: (u32, u32),
    draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> Result<(), Box<dyn Error>>,
) -> String {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&BACKGROUND).expect("背景を塗れない");
        draw(&root).expect("図を描けない");
        root.present().expect("SVG を書き出せない");
    }
    svg
}

/// 黒い文字の書式。`pos` で文字のどこを座標に合わせるかを決める。
pub fn text_style(size: u32, h: HPos, v: VPos) -> TextStyle<'static> {
    TextStyle::from((FONT, size).into_font()).pos(Pos::new(h, v))
}

/// 目盛りの数: 余分な 0 を付けず（2.0 でなく 2）、負号はマイナス記号 − にする。
pub fn tick(v: &f64) -> String {
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    match s {
        "-0" => "0".to_string(),
        _ => s.replace('-', "−"),
    }
}

/// 折れ線の図の格子と軸: 軸の名前 `x_desc`・`y_desc`、目盛りの書式 `x_format`・`y_format`、目盛りの文字
/// [`TEXT`] と軸の名前 [`AXIS`] の大きさを決め、細い格子線は背景色 [`BACKGROUND`] で消す。目盛りの数などを
/// 足してから `draw` で描く。
pub fn mesh<'a, 'b, DB, X, Y, XT, YT>(
    chart: &'b mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
    x_desc: &str,
    y_desc: &str,
    x_format: &'b dyn Fn(&XT) -> String,
    y_format: &'b dyn Fn(&YT) -> String,
) -> MeshStyle<'a, 'b, X, Y, DB>
where
    DB: DrawingBackend,
    X: Ranged<ValueType = XT> + ValueFormatter<XT>,
    Y: Ranged<ValueType = YT> + ValueFormatter<YT>,
{
    let mut mesh = chart.configure_mesh();
    mesh.x_desc(x_desc)
        .y_desc(y_desc)
        .x_label_formatter(x_format)
        .y_label_formatter(y_format)
        .label_style((FONT, TEXT))
        .axis_desc_style((FONT, AXIS))
        .light_line_style(BACKGROUND);
    mesh
}

/// 凡例に描く短い線（幅 20 ピクセル）。
pub fn legend_line(color: RGBColor, width: u32) -> impl Fn((i32, i32)) -> PathElement<(i32, i32)> {
    move |(x, y)| PathElement::new([(x, y), (x + 20, y)], color.stroke_width(width))
}

/// 凡例を、黒い枠と白い背景で `position` に描く。
pub fn draw_legend<'a, DB, CT>(
    chart: &mut ChartContext<'a, DB, CT>,
    position: SeriesLabelPosition,
    font_size: u32,
) -> Result<(), Box<dyn Error>>
where
    DB: DrawingBackend + 'a,
    DB::ErrorType: 'static,
    CT: CoordTranslate,
{
    chart
        .configure_series_labels()
        .position(position)
        .border_style(BLACK)
        .background_style(BACKGROUND)
        .label_font((FONT, font_size))
        .draw()?;
    Ok(())
}

/// 凡例の見本の形。
pub enum Key {
    /// 色と太さの実線。
    Line(RGBColor, u32),
    /// 色と太さの破線。
    Dashed(RGBColor, u32),
    /// 塗りつぶした四角（ヒストグラムの棒など。透明度つきの色）。
    Patch(RGBAColor),
    /// 輪の印。
    Ring(RGBColor),
    /// 塗りつぶした三角の印。
    Triangle(RGBColor),
}

/// 凡例を、グラフの外の欄 `area` に描く。`(x, y)` から始めて 1 行に `per_row` 項目ずつ、列の幅 `col`。
/// 凡例はデータに重ねない（図の上の欄に置く）。
pub fn legend(
    area: &DrawingArea<SVGBackend<'_>, Shift>,
    (x, y): (i32, i32),
    per_row: usize,
    col: i32,
    items: &[(Key, String)],
) -> Result<(), Box<dyn Error>> {
    for (k, (key, label)) in items.iter().enumerate() {
        let cx = x + col * (k % per_row) as i32;
        let cy = y + 32 * (k / per_row) as i32;
        match key {
            Key::Line(c, w) => {
                area.draw(&PathElement::new(
                    [(cx, cy), (cx + 40, cy)],
                    c.stroke_width(*w),
                ))?;
            }
            Key::Dashed(c, w) => {
                for s in 0..3 {
                    let x0 = cx + 16 * s;
                    area.draw(&PathElement::new(
                        [(x0, cy), (x0 + 9, cy)],
                        c.stroke_width(*w),
                    ))?;
                }
            }
            Key::Patch(c) => {
                area.draw(&Rectangle::new(
                    [(cx, cy - 10), (cx + 40, cy + 10)],
                    c.filled(),
                ))?;
            }
            Key::Ring(c) => {
                area.draw(&Circle::new((cx + 20, cy), 7, c.stroke_width(3)))?;
            }
            Key::Triangle(c) => {
                area.draw(&TriangleMarker::new((cx + 20, cy), 8, c.filled()))?;
            }
        }
        area.draw(&Text::new(
            label.clone(),
            (cx + 52, cy),
            text_style(TEXT, HPos::Left, VPos::Center),
        ))?;
    }
    Ok(())
}

/// 図の下の欄 `area` のグラフの枠: 余白 8（右は 24）、横軸の目盛りの欄 52、縦軸の目盛りの欄 `y_label_area`。
pub fn frame<'a, 'b, 'c>(
    area: &'a DrawingArea<SVGBackend<'c>, plotters::coord::Shift>,
    y_label_area: u32,
) -> ChartBuilder<'a, 'b, SVGBackend<'c>> {
    let mut builder = ChartBuilder::on(area);
    builder
        .margin(8)
        .margin_right(24)
        .x_label_area_size(52)
        .y_label_area_size(y_label_area);
    builder
}

/// 対数目盛りの数: 10 の冪を `10⁻³` のように書く（1 と 10 はそのまま）。
pub fn pow10(y: &f64) -> String {
    let k = y.log10().round() as i32;
    match k {
        0 => "1".to_string(),
        1 => "10".to_string(),
        _ => {
            let sup: String = k
                .to_string()
                .chars()
                .map(|c| match c {
                    '-' => '⁻',
                    d => ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹']
                        [d as usize - '0' as usize],
                })
                .collect();
            format!("10{sup}")
        }
    }
}
