#!/usr/bin/env python3
"""Fast PyTorch stand-in for the default tabular job, to compare candidate defaults on the
DEVELOPMENT sets only (never on the held-out sets of defaults.py).

    python3 benchmarks/defaults_sweep.py --sets iris labor --seeds 0 1 2 --config base mask=0.6 ...

A config is `name` or `key=value,key=value` over the knobs below; it mirrors the engine:
standardised features (train moments), SCARF views (each feature with probability `mask`
replaced by the column's value in a random train row) plus Gaussian noise, MLP encoder
(ReLU after every hidden layer) + head, the SSCL loss of the PyTorch reference
(/work/shared/reference/torch_bench.py), SGD or AdamW, 1 warm-up epoch then cosine, the batch
fitting and `min_steps` rules of JobSpec+Fitting.swift, then the weighted kNN (cosine, k 200,
T 0.1) of the encoder output against raw inputs and the random initialisation.
One JSON line per (set, config, seed).
"""
import argparse, json, math, os, sys, time
import numpy as np
import torch, torch.nn as nn, torch.nn.functional as F

WEKA = "/usr/share/doc/weka/examples"
DEV_ARFF = {"iris": "iris.arff", "labor": "labor.arff", "unbalanced": "unbalanced.arff",
            "contact-lenses": "contact-lenses.arff"}
DEFAULT = dict(mask=0.3, noise=0.1, hidden="512-512", proj="512-128", opt="sgd", lr=0.1, wd=1e-4,
               t=0.5, loss="sscl", steps=2000, batch=256, warm=1.0, bn=0)


def load(name, seed):
    from sklearn.model_selection import train_test_split
    if name in DEV_ARFF:
        x, y = arff(os.path.join(WEKA, DEV_ARFF[name]))
    elif name == "digits":
        from sklearn.datasets import load_digits
        d = load_digits(); x, y = d.data.astype(np.float32), d.target
    elif name == "fmnist-rows":  # 2000 Fashion-MNIST rows as 784 tabular features
        import gzip
        root = "/work/wt-tabular/Sources/SSCLEngine/Resources/datasets/fashion-mnist-mini"
        raw = gzip.open(os.path.join(root, "train-images-idx3-ubyte.gz")).read()
        lab = gzip.open(os.path.join(root, "train-labels-idx1-ubyte.gz")).read()
        x = np.frombuffer(raw[16:], np.uint8).reshape(-1, 784).astype(np.float32)[:2000] / 255
        y = np.frombuffer(lab[8:], np.uint8).astype(int)[:2000]
    else:
        raise SystemExit(f"unknown set {name}")
    xtr, xte, ytr, yte = train_test_split(x, y, test_size=0.2, random_state=1234)
    m, s = xtr.mean(0), xtr.std(0); s[s < 1e-12] = 1
    return ((xtr - m) / s).astype(np.float32), ((xte - m) / s).astype(np.float32), ytr, yte


def arff(path):
    from scipy.io import arff as sa
    data, meta = sa.loadarff(path)
    names = meta.names()
    nominal = [n for n in names if meta[n][0] == "nominal"]
    label = nominal[-1]
    cols = []
    for n in names:
        if n == label:
            continue
        col = data[n]
        if meta[n][0] == "nominal":
            cats = meta[n][1]
            v = np.array([c.decode() if isinstance(c, bytes) else c for c in col])
            present = v[v != "?"]
            mode = max(cats, key=lambda c: (present == c).sum()) if len(present) else cats[0]
            v[v == "?"] = mode
            cols.append(np.stack([(v == c).astype(np.float32) for c in cats], 1))
        else:
            v = col.astype(np.float64); v[np.isnan(v)] = np.nanmean(v); cols.append(v[:, None].astype(np.float32))
    lv = np.array([c.decode() for c in data[label]])
    cats = meta[label][1]
    return np.concatenate(cols, 1), np.array([cats.index(c) for c in lv])


def knn(tr, ytr, te, yte, k=200, T=0.1):
    tr = F.normalize(torch.as_tensor(tr), dim=1); te = F.normalize(torch.as_tensor(te), dim=1)
    k = min(k, tr.shape[0]); s = te @ tr.t(); v, i = s.topk(k, dim=1)
    c = int(max(ytr.max(), yte.max())) + 1
    votes = torch.zeros(te.shape[0], c).scatter_add_(1, torch.as_tensor(ytr)[i], torch.exp(v / T))
    return float((votes.argmax(1).numpy() == yte).mean())


def sscl(e, gen, t=0.5, tau_plus=0.1, beta=1.0, s=32, k=8):
    z = F.normalize(e, dim=1); n = z.shape[0]; B = n // 2; s = min(s, n - 2)
    idx = torch.arange(n); posi = (idx + B) % n; S = z @ z.t()
    pos = torch.exp(S[idx, posi] / t)
    neg_mask = torch.ones(n, n, dtype=torch.bool); neg_mask[idx, idx] = False; neg_mask[idx, posi] = False
    real = torch.exp(S[neg_mask].view(n, n - 2) / t)
    with torch.no_grad():
        Sd = S.detach()
        hard = Sd.masked_fill(~neg_mask, float("-inf")).topk(s, dim=1).indices
        a = hard.gather(1, torch.randint(0, s, (n, k), generator=gen)); b = hard.gather(1, torch.randint(0, s, (n, k), generator=gen))
        al = torch.rand(n, k, generator=gen)
        norm = torch.sqrt(al * al + (1 - al) ** 2 + 2 * al * (1 - al) * Sd[a, b])
    Sh = z @ z.detach().t()
    syn = torch.exp((al * Sh.gather(1, a) + (1 - al) * Sh.gather(1, b)) / norm / t)
    negs = torch.cat([real, syn], dim=1); N = n - 2 + k
    w = negs ** beta; R = N * (w * negs).sum(1) / w.sum(1)
    Ng = torch.clamp((R - tau_plus * N * pos) / (1 - tau_plus), min=N * math.exp(-1 / t))
    return (-torch.log(pos / (pos + Ng))).mean()


def ntxent(e, t=0.5):
    z = F.normalize(e, dim=1); n = z.shape[0]
    logits = (z @ z.t() / t).masked_fill(torch.eye(n, dtype=torch.bool), float("-inf"))
    return F.cross_entropy(logits, (torch.arange(n) + n // 2) % n)


def mlp(widths, bn=False):
    layers = []
    for a, b in zip(widths, widths[1:]):
        layers += [nn.Linear(a, b)] + ([nn.BatchNorm1d(b)] if bn else []) + [nn.ReLU()]
    return nn.Sequential(*layers)


def run(name, cfg, seed):
    xtr, xte, ytr, yte = load(name, seed)
    torch.manual_seed(seed); gen = torch.Generator().manual_seed(seed); rng = np.random.default_rng(seed)
    n, d = xtr.shape
    hidden = [int(w) for w in str(cfg["hidden"]).split("-")]; proj = [int(w) for w in str(cfg["proj"]).split("-")]
    bn = int(cfg["bn"]) == 1
    enc = mlp([d] + hidden, bn)
    head = nn.Sequential(*(list(mlp([hidden[-1]] + proj[:-1], bn)) + [nn.Linear(([hidden[-1]] + proj)[-2], proj[-1])]))
    enc.eval()
    with torch.no_grad():
        rand = knn(enc(torch.as_tensor(xtr)).numpy(), ytr, enc(torch.as_tensor(xte)).numpy(), yte)
    B = int(cfg["batch"])
    if 4 <= n < 2 * B:
        B = 2
        while B * 2 <= n // 2: B *= 2
    per = max(1, n // B); epochs = math.ceil(int(cfg["steps"]) / per); total = per * epochs
    warm = max(1, int(per * float(cfg["warm"])))
    params = list(enc.parameters()) + list(head.parameters())
    lr0 = float(cfg["lr"])
    opt = (torch.optim.SGD(params, lr=lr0, momentum=0.9, weight_decay=float(cfg["wd"])) if cfg["opt"] == "sgd"
           else torch.optim.AdamW(params, lr=lr0, weight_decay=float(cfg["wd"])))
    marg = torch.as_tensor(xtr); X = torch.as_tensor(xtr); step = 0; t0 = time.time()
    mask, noise = float(cfg["mask"]), float(cfg["noise"])

    def view(xb):
        if mask > 0:
            m = torch.rand(xb.shape) < mask
            donor = marg[torch.randint(0, n, xb.shape), torch.arange(d).expand(xb.shape[0], d)]
            xb = torch.where(m, donor, xb)
        return xb + noise * torch.randn_like(xb) if noise > 0 else xb

    enc.train(); head.train()
    for ep in range(epochs):
        perm = torch.randperm(n)
        for i in range(per):
            lr = lr0 * (step + 1) / warm if step < warm else lr0 * 0.5 * (1 + math.cos(math.pi * (step - warm) / max(1, total - warm)))
            for g in opt.param_groups: g["lr"] = lr
            xb = X[perm[i * B:(i + 1) * B]]
            e = head(enc(torch.cat([view(xb), view(xb)])))
            L = sscl(e, gen, t=float(cfg["t"])) if cfg["loss"] == "sscl" else ntxent(e, float(cfg["t"]))
            opt.zero_grad(set_to_none=True); L.backward(); opt.step(); step += 1
    enc.eval()
    with torch.no_grad():
        learned = knn(enc(torch.as_tensor(xtr)).numpy(), ytr, enc(torch.as_tensor(xte)).numpy(), yte)
    raw = knn(xtr, ytr, xte, yte)
    return dict(set=name, seed=seed, knn=learned, raw=raw, random=rand, steps=step, batch=B,
                train=n, test=len(yte), loss=float(L), s=round(time.time() - t0, 1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sets", nargs="+", default=["iris", "labor", "unbalanced", "digits", "fmnist-rows"])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--config", nargs="+", default=["base"])
    args = ap.parse_args()
    torch.set_num_threads(1)
    for c in args.config:
        cfg = dict(DEFAULT)
        if c != "base":
            for kv in c.split(","):
                k, v = kv.split("="); cfg[k] = v
        for name in args.sets:
            for seed in args.seeds:
                r = run(name, cfg, seed); r["config"] = c
                print(json.dumps(r), flush=True)


if __name__ == "__main__":
    sys.exit(main())
