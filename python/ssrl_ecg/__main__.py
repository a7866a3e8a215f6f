"""Command line: ``python -m ssrl_ecg demo`` (the main job) and ``python -m ssrl_ecg bench``."""

from __future__ import annotations

import argparse
import sys


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="ssrl-ecg", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="masked-reconstruction pretraining + fine-tune + metrics")
    demo.add_argument("--pretrain-steps", type=int, default=200)
    demo.add_argument("--finetune-steps", type=int, default=150)
    demo.add_argument("--batch-size", type=int, default=64)
    demo.add_argument("--device", default=None, help="cpu, cuda, ... (default: choose_device())")
    demo.add_argument("--seed", type=int, default=42)
    # bench parses its own options (python -m ssrl_ecg bench --help)
    sub.add_parser("bench", help="side-by-side benchmarks (see ssrl_ecg.bench)", add_help=False)
    ns, rest = parser.parse_known_args(argv)
    if ns.command != "bench" and rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    if ns.command == "demo":
        from . import demo as demo_mod
        demo_mod.run(pretrain_steps=ns.pretrain_steps, finetune_steps=ns.finetune_steps,
                     batch_size=ns.batch_size, device=ns.device, seed=ns.seed)
        return 0
    from . import bench as bench_mod
    return bench_mod.main(rest)


if __name__ == "__main__":
    sys.exit(main())
