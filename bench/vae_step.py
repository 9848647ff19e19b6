"""変分オートエンコーダ（VAE）の学習の 1 歩（エンコーダ・再パラメータ化・デコーダ・負の ELBO・逆伝播・Adam、float64）の
時間を、PyTorch の利用者がふつうに書く形（nn.Module と nn.Sequential、F.binary_cross_entropy_with_logits、
torch.optim.Adam）で測る。CPU だけ、スレッドは既定で 2。

    bash bench/torch-venv.sh                                               # 固定した版の venv（初回だけ PyPI から約 2.8 GB）
    ~/.cache/diffusion-book/torch-venv/bin/python bench/vae_step.py                  # H 128、d 2、バッチ 128、300 歩を測る
    ~/.cache/diffusion-book/torch-venv/bin/python bench/vae_step.py --hidden 256 --latent 8
    ~/.cache/diffusion-book/torch-venv/bin/python bench/vae_step.py --epochs 200     # 200 エポック学習して全体の時間を測る
    bash bench/vae-step.sh <Rust のコマンド…>                                        # Rust の実装と交互に測って比べる

データは 2 値にした 8 × 8 の手書き数字（tests/data/digits.csv、1797 行、各行は画素 64 列（0..16）とラベル 1 列、
見出しなし）。画素が 8 以上なら 1.0、そうでなければ 0.0 とする。行番号 i（0 から）が i mod 5 ≠ 4 の 1438 行を
学習に、i mod 5 = 4 の 359 行を検証に使う。

モデル（float64）:
  エンコーダ nn.Sequential(Linear(64, H), Tanh, Linear(H, H), Tanh, Linear(H, 2d))。出力の前の d 列を μ、
  後の d 列を ln σ² とする。
  デコーダ   nn.Sequential(Linear(d, H), Tanh, Linear(H, H), Tanh, Linear(H, 64))。出力はベルヌーイ分布のロジットである。
重みとバイアスは nn.Linear の既定の初期化（torch.manual_seed(seed) の後、エンコーダ・デコーダの順に作る）。

1 歩:
  1. 次のミニバッチ（batch 行）を取る。エポックごとに、種 seed の torch.Generator で学習の行を並べ替え
     （torch.randperm）、前から batch 行ずつに切る。batch で割り切れない余りの行はそのエポックでは使わない
     （DataLoader の drop_last=True と同じ。既定で 1 エポック 11 歩、1408 行）。どの歩も同じ大きさにして、
     1 歩の時間がそろうようにするためである。DataLoader は使わない（1 行ずつ取り出して stack するので、
     この小さなモデルでは 1 歩の計算より重くなる）。データは前もってテンソルにして持ち、x[idx] で取る。
  2. ε ~ N(0, I) をデータ点ごとに 1 つ引き（torch.randn_like、大域の乱数生成器）、z = μ + exp(½ ln σ²) ε。
  3. 損失（負の ELBO のバッチ平均）
       ( Σ_{バッチ, 64 画素} BCEWithLogits(ロジット, x) + ½ Σ_{バッチ, j} (μ_j² + σ_j² − ln σ_j² − 1) ) / batch
  4. opt.zero_grad(); loss.backward(); opt.step()。Adam は lr 1e-3、betas (0.9, 0.999)、eps 1e-8
     （torch.optim.Adam の既定の実装。CPU では 1 テンソルずつの for ループ）。

既定（1 歩を測る）: warmup 歩を走らせた後、steps 歩のそれぞれを time.perf_counter_ns で測り（1〜4 のすべてを含む。
損失を Python の数にする loss.item() は測る区間の外）、中央値を出す。標準出力に `vae_step_ns <中央値>` と、
形などを 1 行に 1 つ `名前 値…` で出す（機械で読む）。標準エラーに最後の 50 歩の損失の平均と検証の ELBO を出す
（学習が進んでいることを読む人が確かめられるように）。

--epochs N: N エポック（N × 11 歩）を学習し、その全体の時間（最初の歩の前から最後の歩の後まで、import とデータの
読み込みとモデルの作成は含まない）を `vae_train_s <秒>` として標準出力に出す。標準エラーに最後のエポックの損失の平均と、
検証の 359 行の ELBO の推定（各行 ε を 1 つ引いた 1 標本の推定の平均、単位は nat）を出す。

注意: 2 スレッドの OpenMP（MKL）は、ほかのプロセスが 1 コアを使っていると、待ち合わせのたびに止まり 1 歩が数倍から
10 倍以上遅くなる（2 コアのマシンで観測）。静かなマシンで測り、比べる相手と交互に走らせる（bench/vae-step.sh）。
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

DIGITS = Path(__file__).resolve().parent.parent / "tests" / "data" / "digits.csv"


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--hidden", type=int, default=128, help="隠れ層の幅 H（既定 128）")
    p.add_argument("--latent", type=int, default=2, help="潜在変数の次元 d（既定 2）")
    p.add_argument("--batch", type=int, default=128, help="バッチの大きさ（既定 128）")
    p.add_argument("--threads", type=int, default=2, help="torch.set_num_threads（既定 2）")
    p.add_argument("--warmup", type=int, default=50, help="測る前の歩数（既定 50）")
    p.add_argument("--steps", type=int, default=300, help="測る歩数（既定 300）")
    p.add_argument("--epochs", type=int, default=0, help="0 より大きいと、その数のエポックを学習して全体の時間を測る")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    for name in ("hidden", "latent", "batch", "threads", "steps"):
        if getattr(args, name) < 1:
            p.error(f"--{name} は 1 以上")
    if args.warmup < 0 or args.epochs < 0:
        p.error("--warmup と --epochs は 0 以上")
    return args


def load_digits(torch):
    """2 値にした digits を (学習, 検証) の 2 つの float64 テンソルで返す。"""
    rows = [line.split(",") for line in DIGITS.read_text().splitlines() if line]
    if len(rows) != 1797 or any(len(r) != 65 for r in rows):
        raise SystemExit(f"{DIGITS}: 1797 行 × 65 列ではない")
    x = torch.tensor([[1.0 if int(v) >= 8 else 0.0 for v in r[:64]] for r in rows], dtype=torch.float64)
    held_out = torch.arange(len(rows)) % 5 == 4
    return x[~held_out].contiguous(), x[held_out].contiguous()


def main(argv):
    args = parse_args(argv)
    # OpenMP・MKL のスレッドの数は import の前に決める（set_num_threads と同じ値）
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)

    import torch
    import torch.nn.functional as F
    from torch import nn

    torch.set_num_threads(args.threads)
    torch.set_default_dtype(torch.float64)
    torch.manual_seed(args.seed)

    train_x, test_x = load_digits(torch)
    n_train = train_x.shape[0]
    if args.batch > n_train:
        raise SystemExit(f"--batch は学習の行数 {n_train} 以下")
    steps_per_epoch = n_train // args.batch

    class VAE(nn.Module):
        def __init__(self, hidden, latent):
            super().__init__()
            self.latent = latent
            self.encoder = nn.Sequential(
                nn.Linear(64, hidden), nn.Tanh(), nn.Linear(hidden, hidden), nn.Tanh(), nn.Linear(hidden, 2 * latent)
            )
            self.decoder = nn.Sequential(
                nn.Linear(latent, hidden), nn.Tanh(), nn.Linear(hidden, hidden), nn.Tanh(), nn.Linear(hidden, 64)
            )

        def forward(self, x):
            h = self.encoder(x)
            mu, logvar = h[:, : self.latent], h[:, self.latent :]
            z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
            return self.decoder(z), mu, logvar

    def neg_elbo(x, logits, mu, logvar):
        """負の ELBO のバッチ平均（1 標本の推定）。"""
        rec = F.binary_cross_entropy_with_logits(logits, x, reduction="sum")
        kl = 0.5 * torch.sum(mu.pow(2) + logvar.exp() - logvar - 1)
        return (rec + kl) / x.shape[0]

    model = VAE(args.hidden, args.latent)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    shuffle = torch.Generator().manual_seed(args.seed)

    # 次のミニバッチを出す（エポックの初めに並べ替える）
    state = {"perm": None, "k": steps_per_epoch}

    def next_batch():
        if state["k"] == steps_per_epoch:
            state["perm"] = torch.randperm(n_train, generator=shuffle)
            state["k"] = 0
        k = state["k"]
        state["k"] = k + 1
        return train_x[state["perm"][k * args.batch : (k + 1) * args.batch]]

    def train_step():
        x = next_batch()
        logits, mu, logvar = model(x)
        loss = neg_elbo(x, logits, mu, logvar)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    def held_out_elbo():
        with torch.no_grad():
            return -neg_elbo(test_x, *model(test_x)).item()

    n_params = sum(p.numel() for p in model.parameters())

    if args.epochs > 0:
        steps = args.epochs * steps_per_epoch
        losses = []
        t0 = time.perf_counter_ns()
        for _ in range(steps):
            losses.append(train_step().item())
        seconds = (time.perf_counter_ns() - t0) * 1e-9
        print(f"vae_train_s {seconds:.6f}")
        print(f"epochs {args.epochs} {steps_per_epoch} {steps}")
        last = losses[-steps_per_epoch:]
        print(f"最後のエポックの損失（負の ELBO）の平均 {statistics.fmean(last):.4f} nat", file=sys.stderr)
    else:
        for _ in range(args.warmup):
            train_step()
        times = []
        losses = []
        for _ in range(args.steps):
            t0 = time.perf_counter_ns()
            loss = train_step()
            times.append(time.perf_counter_ns() - t0)
            losses.append(loss.item())
        print(f"vae_step_ns {statistics.median(times):.0f}")
        q = statistics.quantiles(times, n=10) if len(times) > 1 else [times[0]] * 9
        print(f"vae_step_ns_p10_p90 {q[0]:.0f} {q[-1]:.0f}")
        print(f"steps {args.warmup} {args.steps}")
        last = losses[-50:]
        print(
            f"最後の {len(last)} 歩（{args.warmup + args.steps - len(last) + 1}〜{args.warmup + args.steps} 歩目）の"
            f"損失（負の ELBO）の平均 {statistics.fmean(last):.4f} nat",
            file=sys.stderr,
        )
    print(f"hidden {args.hidden}")
    print(f"latent {args.latent}")
    print(f"batch {args.batch}")
    print(f"train_rows {n_train} {steps_per_epoch * args.batch}")
    print(f"params {n_params}")
    print(f"threads {torch.get_num_threads()}")
    print(f"torch {torch.__version__} {torch.get_default_dtype()}")
    print(f"検証 {test_x.shape[0]} 行の ELBO（ε 1 標本）の平均 {held_out_elbo():.4f} nat", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
