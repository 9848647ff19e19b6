//! 値（スカラー・列ベクトル・行ベクトル・行列）と形を確かめる演算。

use crate::error::EvalError;
use ndarray::{Array1, Array2, Axis};
use std::fmt;

/// 評価の値。
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// スカラー。
    Scalar(f64),
    /// 列ベクトル。
    Vector(Array1<f64>),
    /// 行ベクトル（列ベクトルの転置）。
    Row(Array1<f64>),
    /// 行列。
    Matrix(Array2<f64>),
    /// 大きさの決まっていない単位行列の c 倍（束縛のない `I`）。
    Identity(f64),
    /// 組（関数の複数の引数など）。
    Tuple(Vec<Value>),
}

impl From<f64> for Value {
    fn from(x: f64) -> Self {
        Value::Scalar(x)
    }
}
impl From<Array1<f64>> for Value {
    fn from(x: Array1<f64>) -> Self {
        Value::Vector(x)
    }
}
impl From<Vec<f64>> for Value {
    fn from(x: Vec<f64>) -> Self {
        Value::Vector(Array1::from(x))
    }
}
impl From<Array2<f64>> for Value {
    fn from(x: Array2<f64>) -> Self {
        Value::Matrix(x)
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |f: &mut fmt::Formatter<'_>, a: &Array1<f64>| {
            let s: Vec<String> = a.iter().map(|x| format!("{x:.6}")).collect();
            write!(f, "[{}]", s.join(", "))
        };
        match self {
            Value::Scalar(x) => write!(f, "{x:.6}"),
            Value::Vector(a) => list(f, a),
            Value::Row(a) => {
                list(f, a)?;
                write!(f, "ᵀ")
            }
            Value::Matrix(m) => {
                write!(f, "[")?;
                for (i, r) in m.rows().into_iter().enumerate() {
                    if i > 0 {
                        write!(f, "; ")?;
                    }
                    list(f, &r.to_owned())?;
                }
                write!(f, "]")
            }
            Value::Identity(c) => write!(f, "{c:.6}·I"),
            Value::Tuple(v) => {
                let s: Vec<String> = v.iter().map(|x| x.to_string()).collect();
                write!(f, "({})", s.join(", "))
            }
        }
    }
}

impl Value {
    /// 形の説明（エラー用）。
    pub fn shape(&self) -> String {
        match self {
            Value::Scalar(_) => "スカラー".into(),
            Value::Vector(a) => format!("列ベクトル({})", a.len()),
            Value::Row(a) => format!("行ベクトル({})", a.len()),
            Value::Matrix(m) => format!("行列({}×{})", m.nrows(), m.ncols()),
            Value::Identity(_) => "単位行列".into(),
            Value::Tuple(v) => format!("組({})", v.len()),
        }
    }

    /// スカラーなら値。
    pub fn as_scalar(&self) -> Result<f64, EvalError> {
        match self {
            Value::Scalar(x) => Ok(*x),
            Value::Vector(a) | Value::Row(a) if a.len() == 1 => Ok(a[0]),
            Value::Matrix(m) if m.len() == 1 => Ok(m[[0, 0]]),
            _ => Err(EvalError::Shape {
                op: "スカラーが要る".into(),
                left: self.shape(),
                right: "-".into(),
            }),
        }
    }

    /// 成分を並べたもの（行列は行の順）。
    pub fn components(&self) -> Vec<f64> {
        match self {
            Value::Scalar(x) | Value::Identity(x) => vec![*x],
            Value::Vector(a) | Value::Row(a) => a.to_vec(),
            Value::Matrix(m) => m.iter().copied().collect(),
            Value::Tuple(v) => v.iter().flat_map(|x| x.components()).collect(),
        }
    }

    /// 同じ形で成分を入れ替えた値。
    pub fn with_components(&self, c: &[f64]) -> Value {
        match self {
            Value::Scalar(_) => Value::Scalar(c[0]),
            Value::Identity(_) => Value::Identity(c[0]),
            Value::Vector(_) => Value::Vector(Array1::from(c.to_vec())),
            Value::Row(_) => Value::Row(Array1::from(c.to_vec())),
            Value::Matrix(m) => Value::Matrix(
                Array2::from_shape_vec(m.dim(), c.to_vec()).unwrap_or_else(|_| m.clone()),
            ),
            Value::Tuple(_) => Value::Vector(Array1::from(c.to_vec())),
        }
    }

    /// 成分ごとに関数を当てる。
    pub fn map(&self, f: impl Fn(f64) -> f64) -> Value {
        self.map_dyn(&f)
    }

    fn map_dyn(&self, f: &dyn Fn(f64) -> f64) -> Value {
        match self {
            Value::Scalar(x) => Value::Scalar(f(*x)),
            Value::Identity(x) => Value::Identity(f(*x)),
            Value::Vector(a) => Value::Vector(a.mapv(f)),
            Value::Row(a) => Value::Row(a.mapv(f)),
            Value::Matrix(m) => Value::Matrix(m.mapv(f)),
            Value::Tuple(v) => Value::Tuple(v.iter().map(|x| x.map_dyn(f)).collect()),
        }
    }

    /// すべての成分が有限か。
    pub fn is_finite(&self) -> bool {
        self.components().iter().all(|x| x.is_finite())
    }

    /// 転置。
    pub fn transpose(&self) -> Value {
        match self {
            Value::Vector(a) => Value::Row(a.clone()),
            Value::Row(a) => Value::Vector(a.clone()),
            Value::Matrix(m) => Value::Matrix(m.t().to_owned()),
            other => other.clone(),
        }
    }
}

fn shape_err(op: &str, a: &Value, b: &Value) -> EvalError {
    EvalError::Shape {
        op: op.into(),
        left: a.shape(),
        right: b.shape(),
    }
}

fn eye(n: usize, c: f64) -> Array2<f64> {
    Array2::eye(n) * c
}

/// 和（`sign` = -1 なら差）。
pub fn add(a: &Value, b: &Value, sign: f64) -> Result<Value, EvalError> {
    use Value::*;
    let op = if sign > 0.0 { "+" } else { "-" };
    Ok(match (a, b) {
        (Scalar(x), Scalar(y)) => Scalar(x + sign * y),
        (Vector(x), Vector(y)) if x.len() == y.len() => Vector(x + &(y * sign)),
        (Row(x), Row(y)) if x.len() == y.len() => Row(x + &(y * sign)),
        (Matrix(x), Matrix(y)) if x.dim() == y.dim() => Matrix(x + &(y * sign)),
        (Matrix(x), Identity(c)) if x.is_square() => Matrix(x + &eye(x.nrows(), sign * c)),
        (Identity(c), Matrix(y)) if y.is_square() => Matrix(eye(y.nrows(), *c) + &(y * sign)),
        (Identity(c), Identity(d)) => Identity(c + sign * d),
        _ => return Err(shape_err(op, a, b)),
    })
}

/// 積。`dot` なら（`\cdot`）ベクトル同士を内積にする。
pub fn mul(a: &Value, b: &Value, dot: bool) -> Result<Value, EvalError> {
    use Value::*;
    Ok(match (a, b) {
        (Scalar(x), v) | (v, Scalar(x)) => v.map(|y| x * y),
        (Identity(c), v) | (v, Identity(c)) => v.map(|y| c * y),
        (Row(x), Vector(y)) if x.len() == y.len() => Scalar(x.dot(y)),
        (Vector(x), Vector(y)) | (Row(x), Row(y)) if dot && x.len() == y.len() => Scalar(x.dot(y)),
        (Vector(x), Row(y)) => {
            let col = x.view().insert_axis(Axis(1));
            let row = y.view().insert_axis(Axis(0));
            Matrix(col.dot(&row))
        }
        (Matrix(m), Vector(y)) if m.ncols() == y.len() => Vector(m.dot(y)),
        (Row(x), Matrix(m)) if m.nrows() == x.len() => Row(x.dot(m)),
        (Matrix(m), Matrix(n)) if m.ncols() == n.nrows() => Matrix(m.dot(n)),
        _ => return Err(shape_err(if dot { "\\cdot" } else { "積" }, a, b)),
    })
}

/// 成分ごとの積 `\odot`（同じ形の列・行・行列どうし。スカラーは各成分に掛ける）。
pub fn hadamard(a: &Value, b: &Value) -> Result<Value, EvalError> {
    use Value::*;
    Ok(match (a, b) {
        (Scalar(x), v) | (v, Scalar(x)) => v.map(|y| x * y),
        (Vector(x), Vector(y)) if x.len() == y.len() => Vector(x * y),
        (Row(x), Row(y)) if x.len() == y.len() => Row(x * y),
        (Matrix(x), Matrix(y)) if x.dim() == y.dim() => Matrix(x * y),
        _ => return Err(shape_err("\\odot", a, b)),
    })
}

/// 商（分母はスカラー）。
pub fn div(a: &Value, b: &Value) -> Result<Value, EvalError> {
    let d = match b {
        Value::Scalar(d) => *d,
        _ => return Err(shape_err("割り算", a, b)),
    };
    if d == 0.0 {
        return Err(EvalError::Domain("0 で割る".into()));
    }
    Ok(a.map(|x| x / d))
}

/// 冪。行列の負の整数冪は逆行列の冪。
pub fn pow(a: &Value, e: &Value) -> Result<Value, EvalError> {
    let p = e.as_scalar()?;
    match a {
        Value::Scalar(x) => {
            let r = x.powf(p);
            if r.is_nan() {
                return Err(EvalError::Domain(format!("{x} の {p} 乗")));
            }
            Ok(Value::Scalar(r))
        }
        Value::Matrix(m) if p.fract() == 0.0 && m.is_square() => {
            let base = if p < 0.0 { inverse(m)? } else { m.clone() };
            let mut r = Array2::eye(m.nrows());
            for _ in 0..(p.abs() as usize) {
                r = r.dot(&base);
            }
            Ok(Value::Matrix(r))
        }
        Value::Matrix(m) if m.is_square() && is_diagonal(m) => {
            // 対角行列の非整数の冪（`(\Lambda_d - \sigma_0^2 I)^{1/2}`）: 対角成分の冪。負の成分は定義域の外
            let d = m.diag();
            if let Some(x) = d.iter().find(|x| **x < 0.0) {
                return Err(EvalError::Domain(format!(
                    "対角行列の {p} 乗に負の対角成分 {x}"
                )));
            }
            Ok(Value::Matrix(Array2::from_diag(&d.mapv(|x| x.powf(p)))))
        }
        Value::Identity(c) => Ok(Value::Identity(c.powf(p))),
        _ => Err(shape_err("冪（非整数の冪は対角行列だけ）", a, e)),
    }
}

/// 対角成分の外がすべて 0 か。
fn is_diagonal(m: &Array2<f64>) -> bool {
    m.indexed_iter().all(|((i, j), x)| i == j || *x == 0.0)
}

/// 逆行列（部分ピボットつき Gauss–Jordan）。
pub fn inverse(m: &Array2<f64>) -> Result<Array2<f64>, EvalError> {
    let n = m.nrows();
    if n != m.ncols() {
        return Err(EvalError::Shape {
            op: "逆行列".into(),
            left: format!("行列({}×{})", n, m.ncols()),
            right: "-".into(),
        });
    }
    let scale = m
        .iter()
        .fold(0.0f64, |s, x| s.max(x.abs()))
        .max(f64::MIN_POSITIVE);
    let mut a = m.clone();
    let mut inv = Array2::<f64>::eye(n);
    for col in 0..n {
        let piv = (col..n)
            .max_by(|&i, &j| a[[i, col]].abs().total_cmp(&a[[j, col]].abs()))
            .unwrap_or(col);
        if a[[piv, col]].abs() <= 1e-13 * scale {
            return Err(EvalError::Singular(format!("{n}×{n} 行列の逆行列")));
        }
        for k in 0..n {
            a.swap([col, k], [piv, k]);
            inv.swap([col, k], [piv, k]);
        }
        let d = a[[col, col]];
        a.row_mut(col).mapv_inplace(|x| x / d);
        inv.row_mut(col).mapv_inplace(|x| x / d);
        for r in 0..n {
            if r != col {
                let f = a[[r, col]];
                if f != 0.0 {
                    let arow = a.row(col).to_owned();
                    let irow = inv.row(col).to_owned();
                    a.row_mut(r).scaled_add(-f, &arow);
                    inv.row_mut(r).scaled_add(-f, &irow);
                }
            }
        }
    }
    Ok(inv)
}

/// 行列式（部分ピボットつき LU）。
pub fn det(m: &Array2<f64>) -> Result<f64, EvalError> {
    let n = m.nrows();
    if n != m.ncols() {
        return Err(EvalError::Shape {
            op: "行列式".into(),
            left: format!("行列({}×{})", n, m.ncols()),
            right: "-".into(),
        });
    }
    let mut a = m.clone();
    let mut d = 1.0;
    for col in 0..n {
        let piv = (col..n)
            .max_by(|&i, &j| a[[i, col]].abs().total_cmp(&a[[j, col]].abs()))
            .unwrap_or(col);
        if a[[piv, col]] == 0.0 {
            return Ok(0.0);
        }
        if piv != col {
            for k in 0..n {
                a.swap([col, k], [piv, k]);
            }
            d = -d;
        }
        d *= a[[col, col]];
        for r in col + 1..n {
            let f = a[[r, col]] / a[[col, col]];
            let prow = a.row(col).to_owned();
            a.row_mut(r).scaled_add(-f, &prow);
        }
    }
    Ok(d)
}
