//! 式の木。`Display` は正規化した LaTeX を出し、束縛の名前（キー）にも使う。

/// 記号（変数・関数の名前）。`key` は添字まで含めた正規形（例: `x_{i}`、`\vec{x}`）。
#[derive(Debug, Clone, PartialEq)]
pub struct Symbol {
    /// 添字を除いた名前（例: `\sigma`、`\vec{x}`、`h'`）。
    pub name: String,
    /// 下付き添字。
    pub sub: Option<Box<Expr>>,
    /// 束縛のキー。
    pub key: String,
}

impl Symbol {
    /// 名前と添字から作る。
    pub fn new(name: impl Into<String>, sub: Option<Expr>) -> Self {
        let name = name.into();
        let key = match &sub {
            Some(s) => format!("{name}_{{{s}}}"),
            None => name.clone(),
        };
        Symbol {
            name,
            sub: sub.map(Box::new),
            key,
        }
    }
}

/// 組み込みの 1 引数関数。
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    /// `\ln`（`\log` も自然対数として読む）。
    Ln,
    /// `\exp`。
    Exp,
    /// `\sqrt`。
    Sqrt,
    /// `\cosh`。
    Cosh,
    /// `\sinh`。
    Sinh,
    /// `\tanh`。
    Tanh,
    /// `\coth`。
    Coth,
    /// `\operatorname{artanh}`（`tanh` の逆関数）。
    Artanh,
    /// `\sin`。
    Sin,
    /// `\cos`。
    Cos,
    /// `\det`。
    Det,
    /// `\operatorname{tr}`。
    Tr,
    /// `\operatorname{diag}`。
    Diag,
    /// `\operatorname{adj}`（余因子行列の転置）。
    Adj,
}

impl Func {
    /// LaTeX の書き方。
    pub fn latex(self) -> &'static str {
        match self {
            Func::Ln => "\\ln",
            Func::Exp => "\\exp",
            Func::Sqrt => "\\sqrt",
            Func::Cosh => "\\cosh",
            Func::Sinh => "\\sinh",
            Func::Tanh => "\\tanh",
            Func::Coth => "\\coth",
            Func::Artanh => "\\operatorname{artanh}",
            Func::Sin => "\\sin",
            Func::Cos => "\\cos",
            Func::Det => "\\det",
            Func::Tr => "\\operatorname{tr}",
            Func::Diag => "\\operatorname{diag}",
            Func::Adj => "\\operatorname{adj}",
        }
    }
}

/// 大型演算子。
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BigOp {
    /// `\sum`。
    Sum,
    /// `\prod`。
    Prod,
    /// `\max`。
    Max,
    /// `\min`。
    Min,
    /// `\mathrm{arg\,min}`：最小を与える束縛変数の値。
    ArgMin,
    /// `\mathrm{arg\,max}`。
    ArgMax,
}

/// 関係。
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rel {
    /// `=`。
    Eq,
    /// `\ne`。
    Ne,
    /// `<`。
    Lt,
    /// `>`。
    Gt,
    /// `\le`。
    Le,
    /// `\ge`。
    Ge,
    /// `\approx`。
    Approx,
    /// `\propto`。
    Propto,
    /// `\onlytheta`（θ によらない項を除いて等しい）。
    OnlyTheta,
    /// `\ll`。
    Ll,
    /// `\in`。
    In,
    /// `\iff`（節と節の間）。
    Iff,
    /// `\sim`（標本の分布の宣言 `\vz_s \sim r`。標本が分布の台にあることだけを確かめる。`check` を見よ）。
    Sim,
}

impl Rel {
    /// LaTeX の書き方。
    pub fn latex(self) -> &'static str {
        match self {
            Rel::Eq => "=",
            Rel::Ne => "\\ne",
            Rel::Lt => "<",
            Rel::Gt => ">",
            Rel::Le => "\\le",
            Rel::Ge => "\\ge",
            Rel::Approx => "\\approx",
            Rel::Propto => "\\propto",
            Rel::OnlyTheta => "\\onlytheta",
            Rel::Ll => "\\ll",
            Rel::In => "\\in",
            Rel::Iff => "\\iff",
            Rel::Sim => "\\sim",
        }
    }
}

/// 掛け算の書き方。
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MulKind {
    /// 並べただけ。
    Implicit,
    /// `\cdot`（ベクトル同士なら内積）。
    Cdot,
    /// `\times`。
    Times,
    /// `\odot`（成分ごとの積。同じ形のベクトル・行列どうし）。
    Odot,
}

/// 関数適用の引数の区切り。
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgSep {
    /// `,`。
    Comma,
    /// `\parallel`（KL の記法。引数は分布の名札として読む）。
    Parallel,
    /// `F[r]`（角括弧の引数。汎関数の記法で、引数は名札。式全体の名前 `F[r]` の束縛か、呼べる関数）。
    Bracket,
}

/// 2 つの添字・集合をつなぐ記法。
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PairKind {
    /// `l \to k`（向きのある対: メッセージ `\hat{h}_{l \to k}`）。
    To,
    /// `l \setminus k`（添字では k を除いた l: 空洞場 `H_{l \setminus k}`。集合では差
    /// `\partial l \setminus k`）。
    Setminus,
}

impl PairKind {
    /// LaTeX の書き方。
    pub fn latex(self) -> &'static str {
        match self {
            PairKind::To => "\\to",
            PairKind::Setminus => "\\setminus",
        }
    }
}

/// 関係の連鎖 `a = b \le c`。
#[derive(Debug, Clone, PartialEq)]
pub struct Chain {
    /// 項（関係の数 + 1 個）。
    pub terms: Vec<Expr>,
    /// 関係。
    pub rels: Vec<Rel>,
    /// 式番号（`check` の報告用）。
    pub tag: String,
    /// 最初の関係の、式全体での通し番号（1 から）。
    pub first_link: usize,
}

/// 式の木。
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// 数。
    Num(f64),
    /// 記号。
    Sym(Symbol),
    /// 符号反転。
    Neg(Box<Expr>),
    /// 和。
    Add(Box<Expr>, Box<Expr>),
    /// 差。
    Sub(Box<Expr>, Box<Expr>),
    /// 積。
    Mul(Box<Expr>, Box<Expr>, MulKind),
    /// 商（`\frac` と `/`）。
    Div(Box<Expr>, Box<Expr>),
    /// 冪。行列の `^{-1}` は逆行列。
    Pow(Box<Expr>, Box<Expr>),
    /// 転置 `^\top`。
    Transpose(Box<Expr>),
    /// データ番号 `x_k^{(i)}`：i 番目のデータの成分 k。
    DataIndex(Box<Expr>, Box<Expr>),
    /// 括弧つきの式に付いた添字 `(\vx \vx^\T)_{lk}`。
    Subscripted(Box<Expr>, Box<Expr>),
    /// 組み込み関数。
    Func(Func, Box<Expr>),
    /// 関数適用 `f(a, b)`。束縛が関数でなければ掛け算として評価する。
    Apply(Box<Expr>, Vec<Expr>, ArgSep),
    /// 絶対値（ベクトルならノルム）。
    Abs(Box<Expr>),
    /// 大型演算子。`sub`・`sup` は範囲、`body` は本体。
    Big {
        /// 演算子。
        op: BigOp,
        /// 下の範囲。
        sub: Option<Box<Expr>>,
        /// 上の範囲。
        sup: Option<Box<Expr>>,
        /// 本体。
        body: Box<Expr>,
    },
    /// 積分。範囲がなければ実数全体（ℝⁿ）。
    Integral {
        /// 下端。
        lo: Option<Box<Expr>>,
        /// 上端。
        hi: Option<Box<Expr>>,
        /// 積分変数。
        var: Box<Expr>,
        /// 被積分関数。
        body: Box<Expr>,
    },
    /// 微分 ∂ⁿf/∂v₁…∂vₙ（中心差分）。
    Deriv {
        /// 微分する式。
        f: Box<Expr>,
        /// 変数（分母の順）。
        vars: Vec<Expr>,
    },
    /// 演算子のままの微分 `\frac{d}{dA}`（構文解析の途中だけに現れる）。
    DerivOp(Vec<Expr>),
    /// 勾配 `\nabla f(x)`、`hessian` なら `(\nabla\nabla^\T) f(x)`。
    Grad {
        /// ヘッセ行列か。
        hessian: bool,
        /// `f(x)` の形の適用。
        target: Box<Expr>,
    },
    /// `(\nabla \nabla^\T)`（構文解析の途中だけに現れる）。
    HessOp,
    /// 期待値 `\langle f \rangle_{sub}`。
    Expect(Box<Expr>, Option<Box<Expr>>),
    /// 組 `(a, b)`。
    Tuple(Vec<Expr>),
    /// 集合 `\{a, b\}`。
    Set(Vec<Expr>),
    /// `\dots`。
    Ellipsis,
    /// 行列 `\begin{pmatrix}`。空の欄は `None`。
    Matrix(Vec<Vec<Option<Expr>>>),
    /// 式の中の関係（`\sum_{k<l}` の条件など）。条件がいくつも並ぶ
    /// （`\sum_{k<l,\, J_{kl} \ne 0}`）ときは、条件の組 `Tuple` にする。
    Cond(Box<Chain>),
    /// `a \to b`・`a \setminus b`。添字では対（束縛は両辺を値にした名前 `\hat{h}_{2 \to 3}` で引く）、
    /// 式では集合の差。
    Pair(Box<Expr>, Box<Expr>, PairKind),
}

/// 式の中の記号を、前から順にたどる（適用の頭は含めない）。
pub fn visit_symbols<'a>(e: &'a Expr, out: &mut Vec<&'a Symbol>) {
    match e {
        Expr::Sym(s) => out.push(s),
        Expr::Apply(_, args, _) => args.iter().for_each(|a| visit_symbols(a, out)),
        Expr::Cond(c) => c.terms.iter().for_each(|t| visit_symbols(t, out)),
        _ => for_children(e, |c| visit_symbols(c, out)),
    }
}

/// 子の式それぞれに `f` を呼ぶ。
pub fn for_children<'a>(e: &'a Expr, mut f: impl FnMut(&'a Expr)) {
    match e {
        Expr::Num(_) | Expr::Ellipsis | Expr::HessOp => {}
        Expr::Sym(s) => {
            if let Some(x) = &s.sub {
                f(x)
            }
        }
        Expr::Neg(a) | Expr::Transpose(a) | Expr::Func(_, a) | Expr::Abs(a) => f(a),
        Expr::Add(a, b)
        | Expr::Sub(a, b)
        | Expr::Mul(a, b, _)
        | Expr::Div(a, b)
        | Expr::Pow(a, b)
        | Expr::DataIndex(a, b)
        | Expr::Subscripted(a, b)
        | Expr::Pair(a, b, _) => {
            f(a);
            f(b)
        }
        Expr::Apply(h, args, _) => {
            f(h);
            args.iter().for_each(f)
        }
        Expr::Big { sub, sup, body, .. } => {
            sub.iter().chain(sup.iter()).for_each(|x| f(x));
            f(body)
        }
        Expr::Integral { lo, hi, var, body } => {
            lo.iter().chain(hi.iter()).for_each(|x| f(x));
            f(var);
            f(body)
        }
        Expr::Deriv { f: g, vars } => {
            f(g);
            vars.iter().for_each(f)
        }
        Expr::DerivOp(vars) => vars.iter().for_each(f),
        Expr::Grad { target, .. } => f(target),
        Expr::Expect(a, sub) => {
            f(a);
            if let Some(s) = sub {
                f(s)
            }
        }
        Expr::Tuple(v) | Expr::Set(v) => v.iter().for_each(f),
        Expr::Matrix(rows) => rows.iter().flatten().flatten().for_each(f),
        Expr::Cond(c) => c.terms.iter().for_each(f),
    }
}
