"""iris.csv の平均と分散共分散行列を NumPy で一度だけ計算し、iris_reference.txt に書き出す。

使い方（リポジトリの根で）: python3 tests/data/iris_reference.py > tests/data/iris_reference.txt
テスト eq_2_24_iris_mle_matches_numpy がこの出力を読む。テストの実行時に Python は要らない。
"""
import numpy as np

x = np.loadtxt("tests/data/iris.csv", delimiter=",", skiprows=1, usecols=(0, 1, 2, 3))
assert x.shape == (150, 4)
print(f"# numpy {np.__version__}; x = iris.csv の 4 列 (150 x 4)")
print("# mean: np.mean(x, axis=0)")
print("mean " + " ".join(repr(float(v)) for v in np.mean(x, axis=0)))
print("# cov_mle: np.cov(x, rowvar=False, bias=True)   (1/n, 式 (2.24) の最尤推定)")
for row in np.cov(x, rowvar=False, bias=True):
    print("cov_mle " + " ".join(repr(float(v)) for v in row))
print("# cov_unbiased: np.cov(x, rowvar=False)   (1/(n-1), NumPy の既定)")
for row in np.cov(x, rowvar=False):
    print("cov_unbiased " + " ".join(repr(float(v)) for v in row))
