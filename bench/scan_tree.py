"""A tree of text files for the leak-sweep benchmark (scripts/bench-scan.sh).

Writes about --mb megabytes of source-like text in nested folders (some
hidden, as `.github/` and `.config/` are), plants one VaultStream-shaped
token in every 97th file, adds a .gitignore'd folder with more tokens (not
counted: both tools skip it), and prints the number of tokens that count.
The content is seeded, so every run searches the same bytes.
"""

import argparse
import os
import random

WORDS = (
    "let const function return if else for while match impl struct enum pub use mod "
    "async await self value error result option some none string vec map config token "
    "video asset profile key service request response header body json path file line"
).split()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("root")
    ap.add_argument("--mb", type=int, default=1024)
    ap.add_argument("--seed", type=int, default=20261206)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    # One ~64 KiB block of lines, reused with a per-file shift: generating
    # every byte in Python would take longer than the sweep.
    lines = []
    while sum(len(l) for l in lines) < 64 * 1024:
        n = rng.randint(3, 14)
        indent = " " * (4 * rng.randint(0, 3))
        lines.append(indent + " ".join(rng.choice(WORDS) for _ in range(n)) + ";\n")
    block = "".join(lines)
    target = args.mb * 1024 * 1024
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
    written = planted = i = 0
    while written < target:
        folder = ["src", "lib", ".github", ".config", "docs", "app"][i % 6]
        d = os.path.join(args.root, folder, f"m{i // 600:03d}")
        os.makedirs(d, exist_ok=True)
        shift = (i * 7919) % len(block)
        text = block[shift:] + block[:shift]
        if i % 97 == 0:
            token = "vst_live_" + "".join(rng.choice(alphabet) for _ in range(43))
            cut = len(text) // 2
            text = text[:cut] + f"\nAPI_TOKEN = \"{token}\"\n" + text[cut:]
            planted += 1
        with open(os.path.join(d, f"f{i:06d}.txt"), "w") as f:
            f.write(text)
        written += len(text)
        i += 1
    ignored = os.path.join(args.root, "node_modules", "pkg")
    os.makedirs(ignored, exist_ok=True)
    with open(os.path.join(args.root, ".gitignore"), "w") as f:
        f.write("node_modules/\n")
    with open(os.path.join(ignored, "index.js"), "w") as f:
        f.write("const t = 'vst_live_" + "x" * 43 + "';\n")
    print(planted)


if __name__ == "__main__":
    main()
