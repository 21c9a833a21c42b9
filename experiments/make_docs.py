#!/usr/bin/env python3
"""Writes docs/experiments.md from the logs of experiments/run_all.sh (standard library only).

    experiments/run_all.sh && python3 experiments/make_docs.py

Each section is an experiment: what it runs (the text below, which states settings, never
results), then its log as the run printed it — with the commit, date and load the log begins
with — and its plots, copied into docs/experiments/. Every figure in the page thus comes from
the run named in its section; rerun both commands when the code an experiment measures changes.
OUT (default out/experiments) is where run_all.sh wrote.
"""
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT = os.environ.get("OUT", "out/experiments")

# (name, title, what it runs, [(plot in OUT/name or another folder, caption)])
SECTIONS = [
    ("fig10-12-lms", "Fig. 10-12: LMS batch and stochastic learning",
     "A linear unit with a bias under MSE (`experiments/lms.graph`, raw inputs) on two Gaussian "
     "classes in 2-D (100 examples, means ±(0.4, 0.8), standard deviation 0.2). η_max = 2/λmax is "
     "taken from the Hessian **including the bias input** (ebprop-hessian, checked against H formed "
     "from the data), and the eigenvalues of the two inputs alone are printed beside it. Batch "
     "descent at 0.5, 0.95 and 1.05 η_max (30 steps, the divergence rule off) and online descent at "
     "η = 0.2 (2 epochs); E* is the exact minimum.",
     [("fig10-12-lms/batch-0.5.svg", "η = 0.5 η_max"), ("fig10-12-lms/batch-0.95.svg", "η = 0.95 η_max"),
      ("fig10-12-lms/batch-1.05.svg", "η = 1.05 η_max: divergence"),
      ("fig10-12-lms/stochastic.svg", "stochastic, η = 0.2 (Fig. 12)"),
      ("fig10-12-lms/excess-error.svg", "E − E* against the step")]),
    ("fig13-14-one-one-one", "Fig. 13-14: the 1-1-1 network",
     "One input, one stanh hidden unit, one linear output (`experiments/one-one-one.graph`) on two "
     "1-D Gaussian classes (means ±1, standard deviation 0.5, 200 examples), both classes on the one "
     "output at ±1 (`target-coding = single`). Batch descent at η_opt = 1/λmax of the starting "
     "Hessian and online descent at η_opt/10, 100 epochs each; the trajectory of (w_h, w_o) is "
     "drawn over the error surface with the biases at the end of the batch run.",
     [("fig13-14-one-one-one/trajectories.svg", "trajectories over the error surface"),
      ("fig13-14-one-one-one/error.svg", "MSE against epochs (Fig. 14)")]),
    ("fig15-transforms", "Fig. 15, §4.3 and §5.3: input transforms",
     "Raw inputs against centering, centering and scaling, PCA, PCA whitening and ZCA whitening "
     "(`[data] center`, `scale`, `decorrelate`), fitted on the training set. A linear unit with a "
     "bias on two correlated, off-centre inputs (`experiments/correlated.graph`): the exact "
     "Hessian's condition number and the batch steps at η = 1/λmax to within 1 % of the minimum. "
     "The 784-30-10 net on 1,000 digits (PCA keeping 99 % of the variance): λmax and λ1/λ10 of "
     "its Hessian at the start, and online SGD at η = 0.003 for 10 epochs.",
     []),
    ("fig21-layer-curvature", "Fig. 21: second derivatives by layer",
     "The mean bbprop diagonal (Gauss-Newton, §7.3) of each layer's weights of a "
     "784-100-100-100-100-10 stanh net (`experiments/digits-deep.graph`) on 1,000 digits, at the "
     "starting weights and after 2 epochs of online SGD.",
     [("fig21-layer-curvature/layers.svg", "mean h_kk by layer")]),
    ("fig22-23-sdlm-toy", "Fig. 22-23: SDLM on three parameters",
     "SDLM (running estimate of Eq. 62, μ = 0.02) online on the LMS problem of Fig. 10-12 (two "
     "weights and a bias), 20 epochs, for two global rates η = 0.1 and 0.025.",
     [("fig22-23-sdlm-toy/trajectories.svg", "trajectories for the two rates"),
      ("fig22-23-sdlm-toy/excess-error.svg", "E − E* against the step")]),
    ("sec42-presentation", "§4.2: shuffling, class interleaving and emphasizing",
     "The 784-30-10 net on the bundled digits, online SGD at η = 0.003, 20 epochs, 5 seeds, with "
     "`[run] order` = shuffle, interleave, emphasize (cap 5) and emphasize with cap 2: epochs to a "
     "target test error and the final test error.",
     [("sec42/test-error.svg", "test error against epochs")]),
    ("sec47-rates", "§4.7: choosing the learning rates",
     "LeNet-1 (`graphs/lenet1.graph`) online on 2,000 digits, 5 epochs, each variant at the best of "
     "four global rates: one plain rate for every weight (the √n multipliers cancelled by "
     "`lr.ROLE`), the √n rule for shared weights, √n with the lower-layer rule "
     "(`lower-layer-rates = 1.5`), and √n with momentum 0.9.",
     [("sec47-rates/test-error.svg", "test error against epochs, each at its best rate")]),
    ("fig24-online-lambda", "Fig. 24: the online λmax estimate against the power method",
     "The 784-30-10 net (`experiments/digits-30.graph`) on 1,000 digits: the online estimate of "
     "Eq. 64 (α = 1e-4, leaks γ = 0.003 to 0.1, 3,000 presentations) against the power method on "
     "the same Hessian, at the initial weights and after one epoch of online SGD (η = 0.003).",
     [("fig24-online-lambda/initial.svg", "initial weights"),
      ("fig24-online-lambda/epoch1.svg", "after one epoch")]),
    ("fig25-eta-ratio", "Fig. 25: final MSE against η / η_opt",
     "The 784-30-10 net on 300 digits, online SGD for 10 epochs at η / η_opt from 0.25 to 4, "
     "η_opt = 1/λmax by the power method at the initial weights; the MSE is measured on the 300 "
     "training digits after each epoch.",
     [("fig25-eta-ratio/mse-vs-ratio.svg", "MSE against η / η_opt")]),
    ("fig24-26-paper-net", "Fig. 24 and Fig. 26 on the paper's shared-weight network",
     "`experiments/paper-net.graph`: 1024 × 1568 × 392 × 400 × 100 × 10 units (the 32×32 padded "
     "digit; 2 maps of 28×28 by 5×5 kernels; 2×2 subsampling; 4 maps of 10×10 by 5×5 kernels on "
     "both maps; 2×2 subsampling; 10 outputs), wired to the paper's counts, which `--describe` "
     "prints first. Fig. 24 as above and Fig. 26 (the Fig. 25 experiment) on 1,000 digits.",
     [("fig24-paper-net/initial.svg", "Fig. 24, initial weights"),
      ("fig24-paper-net/epoch1.svg", "Fig. 24, after one epoch"),
      ("fig26-paper-net/mse-vs-ratio.svg", "Fig. 26: MSE against η / η_opt")]),
    ("sdlm-vs-sgd", "§9.1: SDLM against tuned online SGD",
     "The main job's 784-300-10 net (`graphs/digits-mlp.graph`), 8,000 training and 2,000 test "
     "digits, online, 10 epochs, seed 1: SGD tuned over six rates, SDLM (μ = 0.02, 500-example "
     "samples before each epoch) over four; epochs and seconds to the same test MSE.",
     [("sdlm-vs-sgd/test-mse.svg", "test MSE against epochs")]),
    ("fig19-spectrum", "Fig. 19-20: the Hessian spectrum of a small trained net",
     "`experiments/digits-small.graph`: the digits max-pooled to 14×14, then 196-20-10 (4,150 "
     "weights), trained 10 epochs; its full Hessian spectrum on 1,000 digits.",
     [("fig19-spectrum/histogram.svg", "eigenvalue histogram"), ("fig19-spectrum/rank.svg", "eigenvalues by rank")]),
    ("sec62-batch-vs-stochastic", "§6.2: batch methods against stochastic backprop",
     "cg, lbfgs and Levenberg-Marquardt against tuned online SGD and SDLM, in double: a 2-10-1 net "
     "on the 400-example fit set and 784-30-10 on 8,000 digits; loss against passes and seconds.",
     [("sec62-batch-vs-stochastic/digits-loss-vs-passes.svg", "digits: loss against passes"),
      ("sec62-batch-vs-stochastic/fit-loss-vs-passes.svg", "fit: loss against passes")]),
]


def main():
    logs = os.path.join(OUT, "logs")
    docs = os.path.join(ROOT, "docs")
    plots = os.path.join(docs, "experiments")
    os.makedirs(plots, exist_ok=True)
    page = ["# Experiments", "",
            "The experiments of *Efficient BackProp* (LeCun, Bottou, Orr & Müller, 1998), each a "
            "script in `experiments/` ([experiments/README.md](../experiments/README.md)). This page "
            "is written by `experiments/make_docs.py` from the logs of one `experiments/run_all.sh` "
            "run: each section gives what the experiment runs, then the run's output as printed "
            "(without its progress lines) — it begins with the commit, the date and the load average — and its plots. "
            "Losses are deterministic at a seed; seconds depend on the machine's load, stated in "
            "each log. LeNet-5 on the full MNIST is in [lenet.md](lenet.md).", ""]
    missing = []
    for name, title, what, figures in SECTIONS:
        path = os.path.join(logs, f"{name}.log")
        if not os.path.exists(path):
            missing.append(name)
            continue
        # The scripts' progress lines ("== seed 1") are left out; everything else is as printed.
        text = "\n".join(l for l in open(path).read().rstrip("\n").split("\n")
                         if not l.startswith("== "))
        page += [f"## {title}", "", "```sh", f"experiments/{name}.sh", "```", "", what, "",
                 "```text", text, "```", ""]
        for figure, caption in figures:
            source = os.path.join(OUT, figure)
            if not os.path.exists(source):
                continue
            target = figure.replace("/", "-")
            shutil.copyfile(source, os.path.join(plots, target))
            page.append(f"![{caption}](experiments/{target})")
        page.append("")
    if missing:
        sys.exit("make_docs.py: no log for " + ", ".join(missing) + f" in {logs}: run "
                 "experiments/run_all.sh first (NAMES=... for some)")
    with open(os.path.join(docs, "experiments.md"), "w") as f:
        f.write("\n".join(page).rstrip("\n") + "\n")
    print(f"wrote docs/experiments.md from {len(SECTIONS)} logs in {logs}")


if __name__ == "__main__":
    main()
