//! `tests/data` にある実データの読み込み。
//!
//! いまは scikit-learn の 8×8 の手書き数字（digits）だけを読む。出典・入手方法・ハッシュ・ライセンスは
//! `tests/data/README.md` の「digits.csv」の節にある。
//!
//! 本では、画素を閾値 [`DIGITS_THRESHOLD`] で 2 値にし（`画素 ≥ 8` なら 1、そうでなければ 0）、
//! 0 から数えた行番号 `i` が `i % 5 == 4` の行を検証用（held-out）、残りを学習用に分けて使う。
//!
//! # Examples
//!
//! ```
//! let d = xtask::data::digits(&xtask::workspace_root())?;
//! assert_eq!(d.pixels.dim(), (1797, 64));
//! let (train, held_out) = d.split();
//! assert_eq!((train.dim(), held_out.dim()), ((1438, 64), (359, 64)));
//! # Ok::<(), std::io::Error>(())
//! ```

use genmodel::ndarray::{Array1, Array2, Axis};
use std::io;
use std::path::Path;

/// digits のファイル（根からの相対）。
pub const DIGITS_FILE: &str = "tests/data/digits.csv";
/// 1 枚の画像の画素の数（8 × 8）。
pub const DIGITS_PIXELS: usize = 64;
/// 画素の値の最大（4 × 4 のブロックで点いている点の数なので 0..=16）。
pub const DIGITS_MAX_PIXEL: u8 = 16;
/// 2 値にする閾値: 画素がこれ以上なら 1。
pub const DIGITS_THRESHOLD: u8 = 8;
/// 検証用の行を選ぶ周期: 0 から数えた行番号 `i` が `i % 5 == 4` の行が検証用。
pub const DIGITS_HELD_OUT_PERIOD: usize = 5;

/// scikit-learn の digits: 1 行 1 画像の画素（行優先の 8 × 8、値は 0..=16）と、その数字（0..=9）。
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digits {
    /// 画素（標本の数 × 64、値は 0..=16）。
    pub pixels: Array2<u8>,
    /// 数字のラベル（長さは標本の数、値は 0..=9）。
    pub labels: Array1<u8>,
}

/// 0 から数えた行番号 `i` の行が検証用（held-out）なら `true`（`i % 5 == 4`）。
///
/// # Examples
///
/// ```
/// use xtask::data::is_held_out;
///
/// let held: Vec<usize> = (0..12).filter(|&i| is_held_out(i)).collect();
/// assert_eq!(held, [4, 9]);
/// ```
pub fn is_held_out(i: usize) -> bool {
    i % DIGITS_HELD_OUT_PERIOD == DIGITS_HELD_OUT_PERIOD - 1
}

impl Digits {
    /// 画素を 2 値にする: `画素 ≥ 8` なら 1、そうでなければ 0（形は [`Digits::pixels`] と同じ）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::ndarray::{array, Array1};
    /// use xtask::data::Digits;
    ///
    /// let d = Digits { pixels: array![[0, 7, 8, 16]], labels: Array1::zeros(1) };
    /// assert_eq!(d.binarized(), array![[0, 0, 1, 1]]);
    /// ```
    pub fn binarized(&self) -> Array2<u8> {
        self.pixels.mapv(|p| u8::from(p >= DIGITS_THRESHOLD))
    }

    /// 2 値にした画素を、学習用と検証用（0 から数えた行番号 `i` が `i % 5 == 4` の行）に分ける。
    ///
    /// どちらも元の行の順を保つ。戻り値は `(学習用, 検証用)`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::ndarray::{Array1, Array2};
    /// use xtask::data::Digits;
    ///
    /// // 10 行: 行 4 と行 9 が検証用
    /// let pixels = Array2::from_shape_fn((10, 2), |(i, _)| if i % 2 == 0 { 16 } else { 0 });
    /// let d = Digits { pixels, labels: Array1::zeros(10) };
    /// let (train, held_out) = d.split();
    /// assert_eq!((train.nrows(), held_out.nrows()), (8, 2));
    /// // 行 4 は偶数（1）、行 9 は奇数（0）
    /// assert_eq!(held_out.column(0).to_vec(), [1, 0]);
    /// ```
    pub fn split(&self) -> (Array2<u8>, Array2<u8>) {
        let bin = self.binarized();
        let (held, train): (Vec<usize>, Vec<usize>) =
            (0..bin.nrows()).partition(|&i| is_held_out(i));
        (bin.select(Axis(0), &train), bin.select(Axis(0), &held))
    }
}

/// ファイル全体についての入力の誤り（`InvalidData`）を作る。
fn invalid_file(what: impl std::fmt::Display) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("{DIGITS_FILE}: {what}"))
}

/// 入力の誤り（`InvalidData`）を、ファイルの行番号（1 から）をつけて作る。
fn invalid(line: usize, what: impl std::fmt::Display) -> io::Error {
    invalid_file(format!("{line} 行目: {what}"))
}

/// 根 `root` の下の `tests/data/digits.csv` を読む。
///
/// ファイルは見出しのない CSV で、1 行が 1 画像: 64 個の画素（0..=16）、最後にラベル（0..=9）。
/// 値はそのまま（2 値にせずに）返す。2 値化と分割は [`Digits::binarized`] と [`Digits::split`]。
///
/// # Errors
///
/// ファイルが読めなければその I/O の誤り。列の数が 65 でない、整数でない、画素が 16 を超える、
/// ラベルが 9 を超える、データの行がない、のいずれかなら [`io::ErrorKind::InvalidData`]。
///
/// # Examples
///
/// ```
/// let d = xtask::data::digits(&xtask::workspace_root())?;
/// assert_eq!(d.pixels.dim(), (1797, 64));
/// assert!(d.pixels.iter().all(|&p| p <= 16));
/// // 数字ごとの枚数（UCI の optdigits.names にある検証用集合の数と同じ）
/// let mut counts = [0usize; 10];
/// for &l in &d.labels {
///     counts[usize::from(l)] += 1;
/// }
/// assert_eq!(counts, [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
/// assert!(xtask::data::digits(std::path::Path::new("/nonexistent")).is_err());
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn digits(root: &Path) -> io::Result<Digits> {
    let text = std::fs::read_to_string(root.join(DIGITS_FILE))?;
    let mut pixels = Vec::new();
    let mut labels = Vec::new();
    for (k, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let fields: Vec<&str> = line.trim().split(',').collect();
        if fields.len() != DIGITS_PIXELS + 1 {
            return Err(invalid(
                k + 1,
                format!("列が {} 個（{} 個のはず）", fields.len(), DIGITS_PIXELS + 1),
            ));
        }
        for (col, field) in fields.iter().enumerate() {
            let v: u8 = field
                .trim()
                .parse()
                .map_err(|e| invalid(k + 1, format!("{field:?} は 0..=255 の整数でない（{e}）")))?;
            if col < DIGITS_PIXELS {
                if v > DIGITS_MAX_PIXEL {
                    return Err(invalid(k + 1, format!("画素 {v} が 16 を超える")));
                }
                pixels.push(v);
            } else if v > 9 {
                return Err(invalid(k + 1, format!("ラベル {v} が 9 を超える")));
            } else {
                labels.push(v);
            }
        }
    }
    if labels.is_empty() {
        return Err(invalid_file("データの行がない"));
    }
    let n = labels.len();
    let pixels = Array2::from_shape_vec((n, DIGITS_PIXELS), pixels)
        .map_err(|e| invalid_file(format!("形が合わない（{e}）")))?;
    Ok(Digits {
        pixels,
        labels: Array1::from_vec(labels),
    })
}
