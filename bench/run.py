"""preflight benchmark: how far preflight is from the floor, and how it scales.

    uv run python bench/run.py              # dev + prod + scaling 1x/4x/16x, prints a table
    uv run python bench/run.py --record     # also writes the figures into bench/README.md

For each stack (dev, prod): the wall time, CPU time and peak memory of `preflight plan <stack>`
and of the floor (the same program under bare mocks: no recording, policies, costs or report),
their ratio, and the share of preflight's time spent evaluating policies. Then a scaling run:
synthetic configs with 1x, 4x and 16x the prod pools, buckets and endpoints (a temporary project
that links this repository's program), with time and memory ratios against 1x.

Every measurement is a fresh process; times are the best of `--repeats` runs, memory the peak
resident set size of the process tree (the process and any child, such as a policy pack plugin).
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
MEASURE = BENCH_DIR / "measure.py"
RESULT_MARK = "bench-result: "
SCALED_COLLECTIONS = ("gpu_pools", "tpu_pools", "buckets", "endpoints")
"""Per-cloud collections the scaling run multiplies (keys ending in `_pools` are included too)."""
README = BENCH_DIR / "README.md"
BEGIN, END = "<!-- BEGIN bench-results -->", "<!-- END bench-results -->"


@dataclass
class Measurement:
    mode: str
    stack: str
    wall_s: float = 0.0
    cpu_s: float = 0.0
    peak_mb: float = 0.0
    details: dict[str, Any] = field(default_factory=dict)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


class TreeMemorySampler(threading.Thread):
    """Samples the resident memory of a process and all its descendants (a policy pack plugin
    runs as a child process) every `interval` seconds and keeps the peak of the sum.

    The kernel's own peak (`ru_maxrss`) is exact for one process but misleading for children:
    a child started with vfork/exec reports its parent's peak as its own."""

    def __init__(self, pid: int, interval: float = 0.1):
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.peak_bytes = 0
        self._stop_event = threading.Event()
        self._page = os.sysconf("SC_PAGE_SIZE")

    def _tree(self) -> list[int]:
        parents: dict[int, int] = {}
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                try:
                    stat = Path(entry.path, "stat").read_text()
                except OSError:
                    continue
                parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
        tree, frontier = [self.pid], [self.pid]
        while frontier:
            frontier = [pid for pid, ppid in parents.items() if ppid in frontier]
            tree.extend(frontier)
        return tree

    def _resident_bytes(self) -> int:
        total = 0
        for pid in self._tree():
            try:
                total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * self._page
            except (OSError, IndexError, ValueError):
                continue
        return total

    def run(self) -> None:
        if not Path("/proc/self/statm").exists():
            return
        while not self._stop_event.wait(self.interval):
            self.peak_bytes = max(self.peak_bytes, self._resident_bytes())

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def measure_once(mode: str, stack: str, project_dir: Path) -> Measurement:
    """Run bench/measure.py in a fresh process; wall time from spawn to exit, CPU time (with
    its waited-for children) from the kernel's accounting (os.wait4), peak memory of the
    process tree from sampling."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
        start = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, str(MEASURE), mode, stack, str(project_dir)], stdout=out, stderr=err, env=env
        )
        sampler = TreeMemorySampler(process.pid)
        sampler.start()
        _pid, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        sampler.stop()
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    measurement = Measurement(mode=mode, stack=stack, wall_s=wall, cpu_s=usage.ru_utime + usage.ru_stime)
    lines = [line for line in stdout.splitlines() if line.startswith(RESULT_MARK)]
    if process.returncode != 0 or not lines:
        tail = (stderr.strip().splitlines() or ["no output"])[-1]
        measurement.error = f"exit {process.returncode}: {tail}"
        return measurement
    details = json.loads(lines[-1][len(RESULT_MARK) :])
    measurement.details = details
    measurement.peak_mb = max(details["rss_self_kb"] * 1024, sampler.peak_bytes) / 1024 / 1024
    if details.get("error"):
        said = [line for line in stderr.strip().splitlines() if line.strip()]
        measurement.error = details["error"] + (f" (stderr: {said[-1].strip()})" if said else "")
    elif mode == "preflight" and details.get("exit_code") not in (0, 1):
        measurement.error = f"preflight exited {details['exit_code']}"
    return measurement


def best_of(mode: str, stack: str, project_dir: Path, repeats: int) -> Measurement:
    """The fastest of `repeats` runs (the least disturbed by other load on the machine)."""
    runs = [measure_once(mode, stack, project_dir) for _ in range(repeats)]
    good = [m for m in runs if m.ok]
    if not good:
        return runs[-1]
    return min(good, key=lambda m: m.wall_s)


# -- synthetic scaling ----------------------------------------------------------------------------
def scaled_config(stack_file: Path, factor: int) -> dict[str, Any]:
    """The stack file with every cloud's pools, buckets and endpoints repeated `factor` times
    (copies named `<name><n>`; workloads and endpoints keep pointing at the original buckets)."""
    raw = yaml.safe_load(stack_file.read_text(encoding="utf-8"))
    clouds = raw["config"]["ai-infra:clouds"]
    for spec in clouds.values():
        for key in list(spec):
            if key not in SCALED_COLLECTIONS and not key.endswith("_pools"):
                continue
            entries = spec[key] or {}
            grown = dict(entries)
            for copy_index in range(2, factor + 1):
                for name, entry in entries.items():
                    grown[f"{name}{copy_index}"] = copy.deepcopy(entry)
            spec[key] = grown
    return raw


def synthetic_project(base_stack: str, factors: list[int], directory: Path) -> dict[int, str]:
    """A project directory that links this repository's program and holds one stack file per
    factor. Returns factor -> stack name."""
    for entry in REPO_ROOT.iterdir():
        if entry.name.startswith(".") or re.fullmatch(r"Pulumi\..+\.yaml", entry.name):
            continue
        (directory / entry.name).symlink_to(entry)
    stacks = {}
    for factor in factors:
        stack = f"bench-{base_stack}-x{factor}"
        config = scaled_config(REPO_ROOT / f"Pulumi.{base_stack}.yaml", factor)
        (directory / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
        stacks[factor] = stack
    return stacks


# -- report ---------------------------------------------------------------------------------------
def machine() -> str:
    memory = "unknown"
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        match = re.search(r"MemTotal:\s+(\d+) kB", meminfo.read_text())
        if match:
            memory = f"{int(match.group(1)) / 1024 / 1024:.1f} GiB"
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        match = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        if match:
            cpu = match.group(1).strip()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{cores} cores ({cpu}), {memory} RAM, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}; load average at start: {load}"
    )


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b else "n/a"


def _policy_share(run: Measurement) -> str:
    seconds = (run.details.get("stages_s") or {}).get("policy")
    if "policy" not in run.details.get("sections", []) or seconds is None:
        return "n/a (no policy stage ran)"
    return f"{seconds / run.wall_s:.0%} ({seconds:.2f} s)"


def stack_table(rows: list[tuple[Measurement, Measurement]]) -> str:
    lines = [
        "| stack | resources | preflight wall | floor wall | wall ratio | preflight CPU | floor CPU | CPU ratio "
        "| preflight peak | floor peak | policy share |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for pre, floor in rows:
        if not pre.ok or not floor.ok:
            failed = pre if not pre.ok else floor
            lines.append(f"| {pre.stack} | {failed.mode} failed: {failed.error} |" + " |" * 9)
            continue
        lines.append(
            f"| {pre.stack} | {pre.details.get('resources')} | {pre.wall_s:.2f} s | {floor.wall_s:.2f} s "
            f"| {_ratio(pre.wall_s, floor.wall_s)} | {pre.cpu_s:.2f} s | {floor.cpu_s:.2f} s "
            f"| {_ratio(pre.cpu_s, floor.cpu_s)} | {pre.peak_mb:.0f} MB | {floor.peak_mb:.0f} MB "
            f"| {_policy_share(pre)} |"
        )
    return "\n".join(lines)


def scaling_table(base_stack: str, runs: dict[int, Measurement], floors: dict[int, Measurement]) -> str:
    lines = [
        f"Scaling ({base_stack} pools/buckets/endpoints x N; ratios against 1x; `work` excludes interpreter start):",
        "",
        "| scale | resources | wall | work | CPU | peak memory | resources ratio | work ratio | CPU ratio "
        "| memory ratio | CPU per added resource | policy stage |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    floor_lines = [
        "",
        "The floor at the same scales (the program alone under bare mocks):",
        "",
        "| scale | resources | floor CPU | floor peak memory | preflight / floor CPU | preflight / floor memory |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for factor, floor in sorted(floors.items()):
        run = runs.get(factor)
        if not floor.ok or run is None or not run.ok:
            floor_lines.append(f"| {factor}x | failed: {floor.error or 'preflight failed'} |" + " |" * 4)
            continue
        floor_lines.append(
            f"| {factor}x | {floor.details.get('resources')} | {floor.cpu_s:.2f} s | {floor.peak_mb:.0f} MB "
            f"| {_ratio(run.cpu_s, floor.cpu_s)} | {_ratio(run.peak_mb, floor.peak_mb)} |"
        )
    base = runs.get(min(runs)) if runs else None
    for factor, run in sorted(runs.items()):
        if not run.ok or base is None or not base.ok:
            lines.append(f"| {factor}x | failed: {run.error or 'the 1x run failed'} |" + " |" * 10)
            continue
        resources = run.details.get("resources") or 0
        added = resources - (base.details.get("resources") or 0)
        # Constant costs (imports) cancel out: equal figures at 4x and 16x mean linear growth.
        marginal = f"{(run.cpu_s - base.cpu_s) / added * 1000:.1f} ms" if added > 0 else "-"
        lines.append(
            f"| {factor}x | {resources} | {run.wall_s:.2f} s | {run.details['work_s']:.2f} s | {run.cpu_s:.2f} s "
            f"| {run.peak_mb:.0f} MB | {_ratio(resources, base.details.get('resources') or 0)} "
            f"| {_ratio(run.details['work_s'], base.details['work_s'])} | {_ratio(run.cpu_s, base.cpu_s)} "
            f"| {_ratio(run.peak_mb, base.peak_mb)} | {marginal} | {_policy_share(run)} |"
        )
    if floors:
        lines.extend(floor_lines)
    return "\n".join(lines)


def record(text: str) -> None:
    readme = README.read_text(encoding="utf-8")
    start, end = readme.index(BEGIN) + len(BEGIN), readme.index(END)
    README.write_text(readme[:start] + "\n" + text.strip() + "\n" + readme[end:], encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stacks", nargs="+", default=["dev", "prod"], help="stacks to compare with the floor")
    parser.add_argument("--repeats", type=int, default=1, help="runs per measurement; the fastest counts (1)")
    parser.add_argument("--scale-stack", default="prod", help="stack the scaling run multiplies (prod)")
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 4, 16], help="scaling factors (1 4 16)")
    parser.add_argument(
        "--scale-floor",
        action="store_true",
        help="also measure the floor at each scale (how much of the growth is the program's own; ~1 min more)",
    )
    parser.add_argument("--record", action="store_true", help=f"write the results into {README.relative_to(REPO_ROOT)}")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    header = f"Machine: {machine()}"
    print(header, flush=True)
    rows = []
    for stack in args.stacks:
        if not (REPO_ROOT / f"Pulumi.{stack}.yaml").exists():
            print(f"skipping {stack}: no Pulumi.{stack}.yaml", file=sys.stderr)
            continue
        print(f"measuring {stack} ...", file=sys.stderr, flush=True)
        rows.append(
            (
                best_of("preflight", stack, REPO_ROOT, args.repeats),
                best_of("floor", stack, REPO_ROOT, args.repeats),
            )
        )
    scaling: dict[int, Measurement] = {}
    scaling_floors: dict[int, Measurement] = {}
    # 1x is the stack itself: reuse its measurement when it was just taken.
    measured = {pre.stack: (pre, floor) for pre, floor in rows}
    if 1 in args.scales and args.scale_stack in measured:
        scaling[1] = measured[args.scale_stack][0]
        if args.scale_floor:
            scaling_floors[1] = measured[args.scale_stack][1]
    factors = sorted(set(args.scales) - set(scaling))
    if factors and (REPO_ROOT / f"Pulumi.{args.scale_stack}.yaml").exists():
        with tempfile.TemporaryDirectory(prefix="ai-infra-bench-") as tmp:
            stacks = synthetic_project(args.scale_stack, factors, Path(tmp))
            for factor, stack in stacks.items():
                print(f"measuring {args.scale_stack} x{factor} ...", file=sys.stderr, flush=True)
                scaling[factor] = measure_once("preflight", stack, Path(tmp))
                if args.scale_floor:
                    scaling_floors[factor] = measure_once("floor", stack, Path(tmp))
    text = "\n\n".join(
        [
            header,
            f"`preflight plan` vs the floor (best of {args.repeats}):",
            stack_table(rows),
            scaling_table(args.scale_stack, scaling, scaling_floors),
            f"Bench run took {time.perf_counter() - started:.0f} s.",
        ]
    )
    print()
    print(text)
    if args.record:
        record(text)
        print(f"\nrecorded in {README.relative_to(REPO_ROOT)}")
    failed = [m for pair in rows for m in pair if not m.ok]
    failed += [m for m in [*scaling.values(), *scaling_floors.values()] if not m.ok]
    for measurement in failed:
        print(f"failed: {measurement.mode} {measurement.stack}: {measurement.error}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
