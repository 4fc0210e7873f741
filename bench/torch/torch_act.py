"""Adaptive Computation Time (Graves 2016) on the parity task in PyTorch: the peer of adnet's act_parity.adnet.

The same network as the adnet sample: a tanh cell of 128 units reading the input at every step,
s_t = tanh(W s_{t-1} + U x + b), a halting unit h_t = sigmoid(w . s_t + b_h) (weights small, bias 0), the halting
rule of Graves (N = first step with h_1 + ... + h_N >= 1 - eps, or the cap; R = 1 - (h_1 + ... + h_{N-1});
p_t = h_t before N and R at N), the output the p-weighted mean of the states into a dense layer to 2 classes, loss
cross entropy + tau * mean(N + R), N not differentiated. As published ACT code does, the whole batch runs until its
slowest sample halts (halted samples are masked, not removed).

Data: the .npz files that `dev.adnet.samples.ParityData` writes (bits [n, size] float32, parity int32), the same
files `adnet train --data` reads. Prints per epoch loss, mean ponder and test accuracy, then the difficulty curve
(accuracy and mean steps against the number of non-zero entries) and inference throughput at batch 256.

    OMP_NUM_THREADS=2 /usr/bin/python3 torch_act.py TRAIN.npz TEST.npz [epochs=20] [cap=20] [ponder=0.001]
        [eps=0.01] [batch=128] [lr=1e-3] [seed=1] [csv=PATH] [save=MODEL.pt] [load=MODEL.pt]

With load=MODEL.pt it skips training and measures a saved model (test accuracy, steps, throughput): to measure
inference alternately with adnet's (`PeerThroughput`) in one session.
"""
import sys
import time

import numpy as np
import torch
import torch.nn as nn


class ActParity(nn.Module):
    def __init__(self, size, hidden=128, classes=2, cap=20, eps=0.01):
        super().__init__()
        self.cell_state = nn.Linear(hidden, hidden)
        self.cell_input = nn.Linear(size, hidden)
        self.halt = nn.Linear(hidden, 1)
        nn.init.normal_(self.halt.weight, std=0.01)
        nn.init.zeros_(self.halt.bias)
        self.out = nn.Linear(hidden, classes)
        self.hidden = hidden
        self.cap = cap
        self.eps = eps

    def forward(self, x):
        n = x.shape[0]
        s = x.new_zeros(n, self.hidden)
        cumulative = x.new_zeros(n)
        remainder = x.new_ones(n)
        running = torch.ones(n, dtype=torch.bool, device=x.device)
        steps = x.new_zeros(n)
        weighted = x.new_zeros(n, self.hidden)
        ux = self.cell_input(x)
        for t in range(1, self.cap + 1):
            if not bool(running.any()):
                break
            s = torch.tanh(self.cell_state(s) + ux)
            h = torch.sigmoid(self.halt(s)).squeeze(1)
            halts_now = running & ((cumulative + h >= 1 - self.eps) | (t == self.cap))
            continues = running & ~halts_now
            # p_t = h_t while running, R at the halting step; N (steps) is a count, not differentiated.
            p = torch.where(continues, h, torch.where(halts_now, remainder, torch.zeros_like(h)))
            weighted = weighted + p.unsqueeze(1) * s
            steps = steps + running.to(x.dtype)
            cumulative = cumulative + torch.where(continues, h, torch.zeros_like(h))
            remainder = torch.where(continues, remainder - h, remainder)
            running = continues
        ponder = steps.detach() + remainder
        return self.out(weighted), ponder, steps


def load(path):
    d = np.load(path)
    return torch.from_numpy(d["bits"].astype(np.float32)), torch.from_numpy(d["parity"].astype(np.int64))


def main(argv):
    train_path, test_path = argv[0], argv[1]
    opts = dict(a.split("=", 1) for a in argv[2:])
    epochs = int(opts.get("epochs", 20))
    cap = int(opts.get("cap", 20))
    tau = float(opts.get("ponder", 0.001))
    eps = float(opts.get("eps", 0.01))
    batch = int(opts.get("batch", 128))
    lr = float(opts.get("lr", 1e-3))
    torch.manual_seed(int(opts.get("seed", 1)))
    torch.set_num_threads(int(opts.get("threads", 2)))
    x, y = load(train_path)
    xt, yt = load(test_path)
    model = ActParity(x.shape[1], cap=cap, eps=eps)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    start = time.time()
    if "load" in opts:
        model.load_state_dict(torch.load(opts["load"]))
        epochs = 0
    for epoch in range(1, epochs + 1):
        model.train()
        total, ponders, batches = 0.0, 0.0, 0
        began = time.time()
        for b in range(0, x.shape[0] - batch + 1, batch):
            logits, ponder, _ = model(x[b:b + batch])
            loss = loss_fn(logits, y[b:b + batch]) + tau * ponder.mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += float(loss)
            ponders += float(ponder.mean())
            batches += 1
        accuracy, steps = evaluate(model, xt, yt)
        print(f"epoch {epoch}: loss {total / batches:.4f}, mean ponder {ponders / batches:.3f}, "
              f"{time.time() - began:.1f} s ({batches * batch / (time.time() - began):.0f} samples/s); "
              f"test accuracy {accuracy:.4f}, mean steps {steps.mean():.3f}", flush=True)
    if "save" in opts:
        torch.save(model.state_dict(), opts["save"])
    if epochs > 0:
        print(f"training {time.time() - start:.1f} s")
    accuracy, steps = evaluate(model, xt, yt)
    nonzero = (xt != 0).sum(1)
    lines = ["nonzero,samples,accuracy,mean_steps"]
    with torch.no_grad():
        predicted = model(xt)[0].argmax(1)
    for k in range(1, xt.shape[1] + 1):
        m = nonzero == k
        if int(m.sum()) > 0:
            lines.append(f"{k},{int(m.sum())},{float((predicted[m] == yt[m]).float().mean()):.4f},"
                         f"{float(steps[m].mean()):.3f}")
    print(f"test accuracy {accuracy:.4f}, mean steps {steps.mean():.3f}")
    print("\n".join(lines))
    if "csv" in opts:
        with open(opts["csv"], "w") as f:
            f.write("\n".join(lines) + "\n")
    throughput(model, xt)


def evaluate(model, xt, yt):
    model.eval()
    with torch.no_grad():
        logits, _, steps = model(xt)
    return float((logits.argmax(1) == yt).float().mean()), steps


def throughput(model, xt, batch=256, rounds=5):
    """Inference images/s at batch 256 over the test set, the whole batch running until its slowest sample halts."""
    model.eval()
    with torch.no_grad():
        for b in range(0, xt.shape[0] - batch + 1, batch):
            model(xt[b:b + batch])
        rates = []
        for _ in range(rounds):
            began = time.perf_counter()
            n = 0
            for b in range(0, xt.shape[0] - batch + 1, batch):
                model(xt[b:b + batch])
                n += batch
            rates.append(n / (time.perf_counter() - began))
    rates.sort()
    print(f"inference batch {batch}: {rates[len(rates) // 2]:.0f} samples/s (median of {rounds} passes over "
          f"the test set; min {rates[0]:.0f}, max {rates[-1]:.0f})")


if __name__ == "__main__":
    main(sys.argv[1:])
