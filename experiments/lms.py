"""The LMS problem of Fig. 10-12 and 22-23 (standard library only): a linear unit with a bias
under MSE, E(w) = ½ mean (w1 x1 + w2 x2 + b − d)², on two Gaussian classes in 2-D.

write_classes(path)   100 examples (x1, x2, d), d = ±1 alternating, means ±(0.4, 0.8), standard
                      deviation 0.2, seed 1: a CSV file without a header
quadratic(data)       H = mean x̃x̃ᵀ and r = mean x̃d (x̃ = (x1, x2, 1)), mean d², the minimum w*
                      and E as a function of (w1, w2, b)
eig3(A)               the eigenvalues of a symmetric 3×3 matrix, decreasing
"""
import math
import random


def write_classes(path):
    rng = random.Random(1)
    with open(path, "w") as f:
        for i in range(100):
            s = 1 if i % 2 == 0 else -1
            f.write("%.6f,%.6f,%d\n" % (s * 0.4 + rng.gauss(0, 0.2), s * 0.8 + rng.gauss(0, 0.2), s))


def _solve(A, b):  # Gaussian elimination with partial pivoting
    m = [row[:] + [bi] for row, bi in zip(A, b)]
    k = len(b)
    for c in range(k):
        p = max(range(c, k), key=lambda i: abs(m[i][c]))
        m[c], m[p] = m[p], m[c]
        for i in range(c + 1, k):
            f = m[i][c] / m[c][c]
            for j in range(c, k + 1):
                m[i][j] -= f * m[c][j]
    x = [0.0] * k
    for i in reversed(range(k)):
        x[i] = (m[i][k] - sum(m[i][j] * x[j] for j in range(i + 1, k))) / m[i][i]
    return x


def quadratic(data):
    n = len(data)
    xt = [(p[0], p[1], 1.0) for p in data]
    H = [[sum(v[i] * v[j] for v in xt) / n for j in range(3)] for i in range(3)]
    r = [sum(v[i] * p[2] for v, p in zip(xt, data)) / n for i in range(3)]
    dd = sum(p[2] ** 2 for p in data) / n

    def E(w):  # ½ wᵀHw − rᵀw + ½ mean d²
        return (0.5 * sum(w[i] * H[i][j] * w[j] for i in range(3) for j in range(3))
                - sum(ri * wi for ri, wi in zip(r, w)) + 0.5 * dd)

    return H, r, dd, _solve(H, r), E


def eig3(A):  # trigonometric method for a symmetric 3×3 matrix
    p1 = A[0][1] ** 2 + A[0][2] ** 2 + A[1][2] ** 2
    q = (A[0][0] + A[1][1] + A[2][2]) / 3
    p2 = sum((A[i][i] - q) ** 2 for i in range(3)) + 2 * p1
    p = math.sqrt(p2 / 6)
    B = [[(A[i][j] - (q if i == j else 0)) / p for j in range(3)] for i in range(3)]
    det = (B[0][0] * (B[1][1] * B[2][2] - B[1][2] * B[2][1])
           - B[0][1] * (B[1][0] * B[2][2] - B[1][2] * B[2][0])
           + B[0][2] * (B[1][0] * B[2][1] - B[1][1] * B[2][0]))
    phi = math.acos(max(-1, min(1, det / 2))) / 3
    e1 = q + 2 * p * math.cos(phi)
    e3 = q + 2 * p * math.cos(phi + 2 * math.pi / 3)
    return [e1, 3 * q - e1 - e3, e3]
