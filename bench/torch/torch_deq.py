"""A deep equilibrium classifier on Fashion-MNIST in PyTorch, written as TorchDEQ / the DEQ reference code does it:
the peer of adnet's fashion_deq.adnet.

The same network as the adnet sample: a strided stem conv(24, 3, stride 2) -> relu -> conv(24, 3, stride 2), then
z* = tanh(0.5 * conv(24, 3, no bias)(z*) + x) solved from zeros by Anderson acceleration (m = 5, relative
tolerance 1e-3, cap 30; TorchDEQ's anderson_solver with lam = 1e-4 and stop_mode 'rel'), global average pooling and
a dense layer to 10 classes. As published DEQ code does, the solver stops when the WHOLE batch is below the
tolerance (every sample runs as many iterations as the slowest). The backward pass is implicit differentiation as in
the DEQ reference code: a hook on f(z*) solves g = g J_f(z*) + dL/dz* with the same Anderson solver (cap 40).
Training: Adam lr 0.01, weight decay 1e-4 (not on biases), cosine schedule, batch 64.

    OMP_NUM_THREADS=2 /usr/bin/python3 torch_deq.py [epochs=3] [limit=60000] [seed=1] [threads=2] [save=MODEL.pt]
        [load=MODEL.pt]

Prints per epoch: loss, training accuracy, mean forward and backward iterations; then test accuracy, mean forward
iterations per image and inference throughput at batch 256. With load=MODEL.pt it skips training and measures a saved
model: to measure inference alternately with adnet's (`PeerThroughput`) in one session.
"""
import gzip
import math
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DATA = "/usr/share/datasets/fashion-mnist/"
MEAN, STD = 0.2860, 0.3530


def idx(path):
    with gzip.open(path) as f:
        magic, = struct.unpack(">I", f.read(4))
        dims = struct.unpack(">" + "I" * (magic & 0xFF), f.read(4 * (magic & 0xFF)))
        return np.frombuffer(f.read(), dtype=np.uint8).reshape(dims)


def load(split):
    x = idx(f"{DATA}{split}-images-idx3-ubyte.gz").astype(np.float32) / 255.0
    y = idx(f"{DATA}{split}-labels-idx1-ubyte.gz").astype(np.int64)
    return torch.from_numpy((x - MEAN) / STD).unsqueeze(1), torch.from_numpy(y)


def anderson(f, x0, m=5, tol=1e-3, max_iter=30, lam=1e-4):
    """TorchDEQ's anderson_solver, relative stopping: iterates until the largest residual of the batch is below tol."""
    bsz = x0.shape[0]
    dim = x0[0].numel()
    g = lambda v: f(v.view_as(x0)).reshape(bsz, -1)
    X = torch.zeros(bsz, m, dim, dtype=x0.dtype)
    Fv = torch.zeros(bsz, m, dim, dtype=x0.dtype)
    X[:, 0], Fv[:, 0] = x0.reshape(bsz, -1), g(x0.reshape(bsz, -1))
    X[:, 1], Fv[:, 1] = Fv[:, 0], g(Fv[:, 0])
    H = torch.zeros(bsz, m + 1, m + 1, dtype=x0.dtype)
    H[:, 0, 1:] = H[:, 1:, 0] = 1
    y = torch.zeros(bsz, m + 1, 1, dtype=x0.dtype)
    y[:, 0] = 1
    iterations = 2
    best = Fv[:, 1].clone()
    for k in range(2, max_iter):
        n = min(k, m)
        G = Fv[:, :n] - X[:, :n]
        H[:, 1:n + 1, 1:n + 1] = torch.bmm(G, G.transpose(1, 2)) + lam * torch.eye(n, dtype=x0.dtype)[None]
        alpha = torch.linalg.solve(H[:, :n + 1, :n + 1], y[:, :n + 1])[:, 1:n + 1, 0]
        X[:, k % m] = (alpha[:, None] @ Fv[:, :n])[:, 0]
        Fv[:, k % m] = g(X[:, k % m])
        iterations = k + 1
        gx = Fv[:, k % m] - X[:, k % m]
        rel = gx.norm(dim=1) / (Fv[:, k % m].norm(dim=1) + 1e-9)
        best = Fv[:, k % m].clone()
        if float(rel.max()) < tol:
            break
    return best.view_as(x0), iterations


class DEQ(nn.Module):
    def __init__(self, channels=24):
        super().__init__()
        self.stem1 = nn.Conv2d(1, channels, 3, stride=2, padding=1)
        self.stem2 = nn.Conv2d(channels, channels, 3, stride=2, padding=1)
        self.w = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.head = nn.Linear(channels, 10)
        self.forward_iterations = 0
        self.backward_iterations = 0

    def f(self, z, x):
        return torch.tanh(0.5 * self.w(z) + x)

    def forward(self, image):
        x = self.stem2(F.relu(self.stem1(image)))
        with torch.no_grad():
            z, self.forward_iterations = anderson(lambda z: self.f(z, x), torch.zeros_like(x))
        if self.training:
            z = self.f(z, x)  # one step with the graph: gradients reach the parameters and x
            z0 = z.clone().detach().requires_grad_()
            f0 = self.f(z0, x)

            def implicit(grad):
                def vjp(v):
                    return torch.autograd.grad(f0, z0, v, retain_graph=True)[0] + grad
                solution, self.backward_iterations = anderson(vjp, torch.zeros_like(grad), max_iter=40)
                return solution

            z.register_hook(implicit)
        return self.head(z.mean(dim=(2, 3)))


def main(argv):
    opts = dict(a.split("=", 1) for a in argv)
    epochs = int(opts.get("epochs", 3))
    limit = int(opts.get("limit", 60000))
    torch.manual_seed(int(opts.get("seed", 1)))
    torch.set_num_threads(int(opts.get("threads", 2)))
    x, y = load("train")
    xt, yt = load("t10k")
    x, y = x[:limit], y[:limit]
    model = DEQ()
    decay = [p for n, p in model.named_parameters() if not n.endswith("bias")]
    plain = [p for n, p in model.named_parameters() if n.endswith("bias")]
    optimizer = torch.optim.Adam([{"params": decay, "weight_decay": 1e-4}, {"params": plain, "weight_decay": 0}],
                                 lr=0.01)
    batch = 64
    steps = max(1, epochs * (x.shape[0] // batch))
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: 0.5 * (1 + math.cos(math.pi * s / steps)))
    started = time.time()
    if "load" in opts:
        model.load_state_dict(torch.load(opts["load"]))
        epochs = 0
    for epoch in range(1, epochs + 1):
        model.train()
        order = torch.randperm(x.shape[0])
        loss_sum = right = seen = fwd = bwd = batches = 0
        began = time.time()
        for b in range(0, x.shape[0] - batch + 1, batch):
            i = order[b:b + batch]
            logits = model(x[i])
            loss = F.cross_entropy(logits, y[i])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
            loss_sum += float(loss)
            right += int((logits.argmax(1) == y[i]).sum())
            seen += batch
            fwd += model.forward_iterations
            bwd += model.backward_iterations
            batches += 1
        print(f"epoch {epoch}: loss {loss_sum / batches:.4f}, train accuracy {right / seen:.4f}, forward iterations "
              f"{fwd / batches:.2f}, backward {bwd / batches:.2f} per sample, {time.time() - began:.1f} s "
              f"({seen / (time.time() - began):.0f} samples/s)", flush=True)
    if "save" in opts:
        torch.save(model.state_dict(), opts["save"])
    if epochs > 0:
        print(f"training {time.time() - started:.1f} s")
    model.eval()
    right = iterations = batches = 0
    with torch.no_grad():
        for b in range(0, xt.shape[0], 256):
            logits = model(xt[b:b + 256])
            right += int((logits.argmax(1) == yt[b:b + 256]).sum())
            iterations += model.forward_iterations * logits.shape[0]
    print(f"test accuracy {right / xt.shape[0]:.4f}, forward iterations per image {iterations / xt.shape[0]:.2f} "
          f"(every image of a batch runs as many as the batch's slowest)")
    rates = []
    with torch.no_grad():
        for _ in range(3):
            began = time.perf_counter()
            n = 0
            for b in range(0, 2560, 256):
                model(xt[b:b + 256])
                n += 256
            rates.append(n / (time.perf_counter() - began))
    rates.sort()
    print(f"inference batch 256 (first 2,560 test images): {rates[1]:.0f} images/s (median of 3; min {rates[0]:.0f},"
          f" max {rates[2]:.0f})")


if __name__ == "__main__":
    main(sys.argv[1:])
