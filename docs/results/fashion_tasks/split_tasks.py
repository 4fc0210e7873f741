# One .npz per task from FashionTasksData's files: the image (and any other array) with that task's labels only,
# for the single-task baselines, which would otherwise reject the other tasks' arrays.
import sys, numpy as np
src, out = sys.argv[1], sys.argv[2]
tasks = ["category", "group", "sleeves"]
for split in ["train", "test"]:
    d = np.load(f"{src}/fashion-tasks-{split}.npz")
    for t in tasks:
        np.savez(f"{out}/fashion-{t}-{split}.npz", **{k: d[k] for k in d.files if not any(k.split("_")[0] == o for o in tasks if o != t)})
    print(split, {k: (d[k].dtype, d[k].shape) for k in d.files})
