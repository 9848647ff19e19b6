//! 敵対的な入力の掃引（`hostile*.rs`）で共通に使う道具:
//! 極端な値、呼び出しを数えてパニックと契約を確かめる [`Sweep`]、結果の読み出しを掃引する [`read`]・
//! [`read_contract`]・[`probe_keep`]、誤りの種類の名前 [`kind`]、
//! 別のスレッドで決めた時間のうちに返ることを確かめる [`deadline`]、連続でないビューを作る [`with_views`]、
//! 正しい値を求めるための指数を別に持つ数 [`Big`]。

#![allow(dead_code)] // 掃引ごとに使う道具が違うので、使わないものがある

use genmodel::ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis, Slice, s};
use genmodel::{Error, Result};
use std::collections::BTreeSet;
use std::fmt::Debug;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc;
use std::time::Duration;

/// 極端な値。
pub const EXTREMES: [f64; 13] = [
    0.0,
    -0.0,
    1e-320,
    -1e-320,
    f64::MIN_POSITIVE,
    1.0,
    -1.0,
    1e308,
    -1e308,
    f64::MAX,
    f64::NAN,
    f64::INFINITY,
    f64::NEG_INFINITY,
];

// ---------------------------------------------------------------- 掃引の道具

/// 掃引の記録: 呼び出しの回数と、呼んだ関数の名前。
#[derive(Default)]
pub struct Sweep {
    calls: usize,
    functions: BTreeSet<&'static str>,
}

impl Sweep {
    /// `f` を 1 回呼び、パニックしないこと、結果（`Ok` も `Err` も）が `contract` を満たすことを確かめる。
    pub fn probe<T: Debug>(
        &mut self,
        name: &'static str,
        input: &dyn Debug,
        f: impl FnOnce() -> Result<T>,
        contract: impl FnOnce(&Result<T>) -> bool,
    ) {
        self.calls += 1;
        // 「f(ビュー)」は f と同じ関数として数える
        self.functions
            .insert(name.split('(').next().unwrap_or(name));
        match catch_unwind(AssertUnwindSafe(f)) {
            Err(_) => panic!("{name}({input:?}) がパニックした"),
            Ok(r) => {
                if let Err(e) = &r {
                    assert!(!e.to_string().is_empty(), "{name}({input:?}): 空の誤り文");
                }
                assert!(contract(&r), "{name}({input:?}) = {r:?} は契約を満たさない");
            }
        }
    }

    /// `f` を 1 回呼び、パニックしないこと、`Ok` なら値が `valid` を満たすことを確かめる
    /// （`Err` は型つきであれば契約を満たす）。
    pub fn probe_ok<T: Debug>(
        &mut self,
        name: &'static str,
        input: &dyn Debug,
        f: impl FnOnce() -> Result<T>,
        valid: impl FnOnce(&T) -> bool,
    ) {
        self.probe(name, input, f, |r| r.as_ref().map_or(true, valid));
    }

    /// 呼んだ関数の数と呼び出しの回数が下限以上であることを確かめ、書き出す（`-- --nocapture` で見える）。
    pub fn finish_at_least(self, name: &str, functions: usize, calls: usize) {
        eprintln!(
            "{name}: 関数 {} 個 × 入力 = 呼び出し {} 回",
            self.functions.len(),
            self.calls
        );
        assert!(
            self.functions.len() >= functions,
            "{name}: {:?}",
            self.functions
        );
        assert!(self.calls >= calls, "{name}: {} 回", self.calls);
    }

    /// 呼んだ関数の数と呼び出しの回数が、ファイルの先頭に書いた数と一致することを確かめる。
    pub fn finish(self, functions: usize, calls: usize) {
        assert_eq!(
            (self.functions.len(), self.calls),
            (functions, calls),
            "{:?}",
            self.functions
        );
    }
}

/// [`Sweep::probe`] と同じで、結果を返す（読み出しの掃引に使う）。
pub fn probe_keep<T: Debug + Clone>(
    sw: &mut Sweep,
    name: &'static str,
    input: &dyn Debug,
    f: impl FnOnce() -> Result<T>,
    contract: impl FnOnce(&Result<T>) -> bool,
) -> Result<T> {
    let mut kept = None;
    sw.probe(
        name,
        input,
        || {
            let r = f();
            kept = Some(r.clone());
            r
        },
        contract,
    );
    kept.expect("probe は f を呼ぶ")
}

/// 結果から読み出し（accessor）を呼ぶ。誤りはそのまま渡すので、呼び出しの回数は結果によらない。
pub fn read<T, U>(r: &Result<T>, f: impl FnOnce(&T) -> U) -> Result<U> {
    match r {
        Ok(v) => Ok(f(v)),
        Err(e) => Err(e.clone()),
    }
}

/// 読み出しの契約: 元が `Err` なら同じ誤り、`Ok` なら `same`。
pub fn read_contract<T, U>(
    orig: &Result<T>,
    r: &Result<U>,
    same: impl FnOnce(&T, &U) -> bool,
) -> bool {
    match (orig, r) {
        (Ok(a), Ok(b)) => same(a, b),
        // NaN を含む誤り（InvalidParameter の値）は == で比べられないので、表示で比べる
        (Err(a), Err(b)) => format!("{a:?}") == format!("{b:?}"),
        _ => false,
    }
}

pub fn is_non_finite_err<T>(r: &Result<T>) -> bool {
    matches!(r, Err(Error::NonFinite { .. }))
}

pub fn is_invalid<T>(r: &Result<T>) -> bool {
    matches!(r, Err(Error::InvalidParameter { .. }))
}

pub fn is_overflow<T>(r: &Result<T>) -> bool {
    matches!(r, Err(Error::Overflow { .. }))
}

// ---------------------------------------------------------------- 誤りの種類

pub const EMPTY: &str = "EmptyInput";
pub const MISMATCH: &str = "DimensionMismatch";
pub const NF: &str = "NonFinite";
pub const NEG: &str = "NegativeProbability";
pub const NORM: &str = "NotNormalized";
pub const NPD: &str = "NotPositiveDefinite";
pub const ILL: &str = "IllConditioned";
pub const FEW: &str = "TooFewSamples";
pub const INV: &str = "InvalidParameter";
pub const MANY: &str = "TooManySpins";
pub const OVER: &str = "Overflow";
pub const BIG: &str = "TooLarge";
pub const CONV: &str = "NotConverged";

/// 誤りの種類の名前。見張りの誤り（`what` が「（」で始まる `TooLarge`: [`hung`] や `hostile_lattice.rs` の
/// `touched`）は、どの期待とも一致しない名前 `"（見張り）"` にする。ここに挙げない種類はまとめて `"その他"` である。
pub fn kind(e: &Error) -> &'static str {
    match e {
        Error::TooLarge { what, .. } if what.starts_with('（') => "（見張り）",
        Error::EmptyInput => EMPTY,
        Error::DimensionMismatch { .. } => MISMATCH,
        Error::NonFinite { .. } => NF,
        Error::NegativeProbability { .. } => NEG,
        Error::NotNormalized { .. } => NORM,
        Error::NotSymmetric { .. } => "NotSymmetric",
        Error::NotPositiveDefinite => NPD,
        Error::IllConditioned { .. } => ILL,
        Error::TooFewSamples { .. } => FEW,
        Error::InvalidParameter { .. } => INV,
        Error::TooManySpins { .. } => MANY,
        Error::Overflow { .. } => OVER,
        Error::TooLarge { .. } => BIG,
        Error::Diverged { .. } => "Diverged",
        Error::NotConverged { .. } => CONV,
        _ => "その他",
    }
}

/// `want` が `None` なら `Ok` で値が `ok` を満たすこと、`Some(k)` なら種類 `k` の誤りであること。
pub fn expect<T>(r: &Result<T>, want: Option<&str>, ok: impl FnOnce(&T) -> bool) -> bool {
    match (r, want) {
        (Ok(v), None) => ok(v),
        (Err(e), Some(w)) => kind(e) == w,
        _ => false,
    }
}

// ---------------------------------------------------------------- 時間の見張り

/// 見張りの誤り: 決めた時間のうちに返らなかった（事実上終わらない計算）。
pub fn hung() -> Error {
    Error::TooLarge {
        what: "（時間のうちに返らなかった）",
        requested: 0,
        max: 0,
    }
}

/// 別のスレッドで `f` を呼び、`secs` 秒以内に返った値（返らなければ `None`。そのスレッドはプロセスの終わりに消える）。
/// 直し方が戻っても、終わらない計算でテストが止まらないようにする。
pub fn deadline<T: Send + 'static>(secs: u64, f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(secs)).ok()
}

/// [`deadline`] の `Result` を返す呼び出し版: `secs` 秒以内に返らなければ [`hung`]。
pub fn bounded<T: Send + 'static>(
    secs: u64,
    f: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    deadline(secs, f).unwrap_or_else(|| Err(hung()))
}

/// 長さ `2n` の配列に `v` を 1 つおきに置く（ビュー `[..;2]` が `v` になる、連続でない配列の元）。
pub fn spread<T: Clone>(v: &Array1<T>, fill: T) -> Array1<T> {
    let mut w = Array1::from_elem(2 * v.len(), fill);
    for (i, x) in v.iter().enumerate() {
        w[2 * i] = x.clone();
    }
    w
}

pub fn every_other<T>(w: &Array1<T>) -> ArrayView1<'_, T> {
    w.slice_axis(Axis(0), Slice::from(..).step_by(2))
}

/// 連続・転置・1 列おき（すき間は NaN）・逆順の行の 4 通りのビューで `f` を呼ぶ（名前に印をつける）。
pub fn with_views(x: &Array2<f64>, mut f: impl FnMut(&'static str, ArrayView2<'_, f64>)) {
    let xt = x.t().to_owned();
    let mut wide = Array2::from_elem((x.nrows(), 2 * x.ncols()), f64::NAN);
    wide.slice_mut(s![.., ..;2]).assign(x);
    f("連続", x.view());
    f("転置", xt.t());
    f("1 列おき", wide.slice(s![.., ..;2]));
    f("逆順", x.slice(s![..;-1, ..]));
}

// ---------------------------------------------------------------- 指数を別に持つ数（独立な正しい値）

/// `m · 2^e`（`m = 0` か `0.5 ≤ |m| < 1`）。`f64` の範囲を超える途中の値を正しく持つための、検証用の数。
#[derive(Clone, Copy, Debug)]
pub struct Big {
    m: f64,
    e: i64,
}

/// `2^k`（`−1022 ≤ k ≤ 1023`）を正確に。
pub fn pow2(k: i64) -> f64 {
    f64::from_bits(((k + 1023) as u64) << 52)
}

impl Big {
    pub const ZERO: Big = Big { m: 0.0, e: 0 };

    pub fn new(x: f64) -> Big {
        assert!(x.is_finite());
        if x == 0.0 {
            return Big::ZERO;
        }
        let (y, adj) = if x.abs() < f64::MIN_POSITIVE {
            (x * pow2(64), -64)
        } else {
            (x, 0)
        };
        let bits = y.to_bits();
        let exp = ((bits >> 52) & 0x7ff) as i64;
        let m = f64::from_bits((bits & !(0x7ff_u64 << 52)) | (1022_u64 << 52));
        Big {
            m,
            e: exp - 1022 + adj,
        }
    }
    pub fn scaled(m: f64, e: i64) -> Big {
        let b = Big::new(m);
        Big { m: b.m, e: b.e + e }
    }
    pub fn mul(self, o: Big) -> Big {
        if self.m == 0.0 || o.m == 0.0 {
            return Big::ZERO;
        }
        Big::scaled(self.m * o.m, self.e + o.e)
    }
    pub fn recip(self) -> Big {
        Big::scaled(1.0 / self.m, -self.e)
    }
    pub fn neg(self) -> Big {
        Big {
            m: -self.m,
            e: self.e,
        }
    }
    pub fn abs(self) -> Big {
        Big {
            m: self.m.abs(),
            e: self.e,
        }
    }
    pub fn add(self, o: Big) -> Big {
        if self.m == 0.0 {
            return o;
        }
        if o.m == 0.0 {
            return self;
        }
        let (a, b) = if self.e >= o.e { (self, o) } else { (o, self) };
        let d = a.e - b.e;
        if d > 200 {
            return a;
        }
        let s = a.m + b.m * pow2(-d);
        if s == 0.0 {
            Big::ZERO
        } else {
            Big::scaled(s, a.e)
        }
    }
    pub fn sub(self, o: Big) -> Big {
        self.add(o.neg())
    }
    /// `|self| ≤ |o|`。
    pub fn le(self, o: Big) -> bool {
        let (a, b) = (self.abs(), o.abs());
        if a.m == 0.0 {
            return true;
        }
        if b.m == 0.0 {
            return false;
        }
        if a.e != b.e { a.e < b.e } else { a.m <= b.m }
    }
    pub fn max_abs(self, o: Big) -> Big {
        if self.le(o) { o.abs() } else { self.abs() }
    }
}

/// `f64::MAX` を超えるか（境界の近くは `margin` の相対幅で「どちらでもよい」とする）。
pub fn beyond_max(x: Big, margin: f64) -> bool {
    !x.le(Big::new(f64::MAX).mul(Big::new(1.0 - margin)))
}

/// `v` が正しい値 `want` に、丸め誤差 `rel · scale`（と非正規化数の刻み）の範囲で一致するか。
pub fn close(v: f64, want: Big, scale: Big, rel: f64) -> bool {
    v.is_finite()
        && Big::new(v)
            .sub(want)
            .le(scale.mul(Big::new(rel)).add(Big::new(1e-321)))
}
