"""Audit benchmark: openscope vs picklescan, modelscan, fickling and modelaudit on the same corpus, plus
throughput and the 1 GB checkpoint in bounded memory.

Run: ``make bench BENCH=bench_audit`` (or ``.venv/bin/python -m bench.run_all bench_audit``).

- Each peer tool is installed from PyPI into its own venv under ``bench/out/venvs/<tool>`` (reused when
  present); modelaudit runs with ``PROMPTFOO_DISABLE_TELEMETRY=1``.
- Detection: every tool scans every sample of ``../shared/data/security/gen_corpus.py`` alone, through its
  Python API, in one process per tool. A tool "flags" a sample when it reports an issue at its
  detection level: picklescan ``issues_count > 0``; modelscan any issue; fickling severity above
  LIKELY_SAFE; modelaudit any critical or warning issue; openscope verdict ``unsafe``. A scan error is
  counted separately (fail-closed readers may count it as a detection).
- Every tool scans its list twice in one process; the figures are from the second pass, so no tool pays
  for its lazy imports or a cold page cache. openscope's "malformed" column counts files reported with a
  ``malformed.*`` (or ``incomplete.*``) finding.
- Throughput: the same tools, the same process, over a set of larger benign files (a PyTorch zip
  checkpoint, a NumPy-array pickle, a pickle of many small objects); MB/s = bytes / seconds spent in
  the scan calls (imports excluded).
- Memory: a 1 GB PyTorch-format checkpoint (zipfile + a pickle generated here, no torch) scanned by the
  real CLI in a subprocess; peak RSS from ``getrusage``.
Results: ``bench/out/audit/results.json`` and ``bench/out/audit/section.md`` (pasted into
docs/benchmarks.md).
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

from bench.lock import bench_lock

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out" / "audit"
VENVS = ROOT / "bench" / "out" / "venvs"
SHARED = ROOT.parent / "shared" / "data" / "security"
TOOLS = {"picklescan": "picklescan", "modelscan": "modelscan", "fickling": "fickling", "modelaudit": "modelaudit"}
# fickling 0.1.12 imports typing_extensions without declaring it
EXTRA = {"fickling": ["typing_extensions"]}
ENV = dict(os.environ, PROMPTFOO_DISABLE_TELEMETRY="1", NO_ANALYTICS="1", TF_CPP_MIN_LOG_LEVEL="3",
           DO_NOT_TRACK="1")

# Runs inside each tool's venv: scans the listed files one by one and reports flag/error/seconds per file.
HELPER = r'''
import json, logging, os, sys, time, zipfile
logging.disable(logging.CRITICAL)
tool, listfile = sys.argv[1], sys.argv[2]
paths = [l for l in open(listfile).read().splitlines() if l]
if tool == "picklescan":
    from picklescan.scanner import scan_file_path
    def scan(p):
        r = scan_file_path(p)
        return r.issues_count > 0, bool(r.scan_err)
elif tool == "modelscan":
    from modelscan.modelscan import ModelScan
    def scan(p):
        ms = ModelScan(); ms.scan(p)
        return bool(ms.issues.all_issues), bool(ms.errors)
elif tool == "fickling":
    import fickling
    from fickling.analysis import Severity
    def scan(p):
        if zipfile.is_zipfile(p):
            res = list(fickling.scan_zip_archive(p, graceful=True).values())
        else:
            res = [fickling.scan_file(p, graceful=True)]
        sev = max([r.severity for r in res], default=Severity.LIKELY_SAFE)
        return sev > Severity.LIKELY_SAFE, any(r.errors for r in res)
elif tool == "modelaudit":
    from modelaudit.core import scan_model_directory_or_file
    def scan(p):
        r = scan_model_directory_or_file(p)
        sev = {str(getattr(i.severity, "value", i.severity)).lower() for i in r.issues}
        return bool(sev & {"critical", "warning"}), bool(r.has_errors)
elif tool == "openscope":
    from openscope.audit import scan_path
    from pathlib import Path
    def scan(p):
        r = scan_path(Path(p))
        reported = any(f.rule.startswith(("malformed.", "incomplete.")) for f in r.findings)
        return r.verdict == "unsafe", reported
out = {}
for p in paths * 2:  # two passes: the second (timed) one runs with every lazy import and cache warm
    t = time.perf_counter()
    try:
        flag, err = scan(p)
        exc = None
    except Exception as e:  # a crash is an error, not a verdict
        flag, err, exc = False, True, f"{type(e).__name__}: {e}"[:200]
    out[p] = {"flag": bool(flag), "error": bool(err), "seconds": time.perf_counter() - t, "exc": exc}
print("@@RESULT@@" + json.dumps(out))
'''


def ensure_venv(tool: str) -> Path:
    py = VENVS / tool / "bin" / "python"
    probe = {"picklescan": "picklescan.scanner", "modelscan": "modelscan.modelscan", "fickling": "fickling",
             "modelaudit": "modelaudit.core"}[tool]
    if py.exists() and subprocess.run([str(py), "-c", f"import {probe}"], env=ENV, capture_output=True).returncode == 0:
        return py
    subprocess.run([sys.executable, "-m", "venv", str(VENVS / tool)], check=True)
    subprocess.run([str(py), "-m", "pip", "install", "-q", TOOLS[tool], *EXTRA.get(tool, [])], check=True, env=ENV)
    return py


def version(py: Path, dist: str) -> str:
    r = subprocess.run([str(py), "-c", f"import importlib.metadata as m; print(m.version({dist!r}))"],
                       capture_output=True, text=True, env=ENV)
    return r.stdout.strip() or "?"


def run_tool(py: Path, tool: str, files: list[Path]) -> dict:
    OUT.mkdir(parents=True, exist_ok=True)
    helper = OUT / "helper.py"
    helper.write_text(HELPER)
    lst = OUT / f"list-{tool}.txt"
    lst.write_text("\n".join(str(f) for f in files))
    r = subprocess.run([str(py), str(helper), tool, str(lst)], capture_output=True, text=True, env=ENV,
                       timeout=7200, cwd=str(OUT))
    line = next((ln for ln in r.stdout.splitlines() if ln.startswith("@@RESULT@@")), None)
    if line is None:
        raise RuntimeError(f"{tool} helper failed: {r.stderr[-2000:]}")
    return json.loads(line[len("@@RESULT@@"):])


# -- inputs -------------------------------------------------------------------------------------------------
def _state_dict_pickle(n: int) -> bytes:
    """A torch.save()-shaped data.pkl built from opcodes: OrderedDict of _rebuild_tensor_v2(storage, ...)."""

    def bu(s: str) -> bytes:
        return b"X" + struct.pack("<I", len(s)) + s.encode()

    def glob(m: str, name: str) -> bytes:
        return b"c" + m.encode() + b"\n" + name.encode() + b"\n"

    out = b"\x80\x02" + glob("collections", "OrderedDict") + b")R("
    for i in range(n):
        out += bu(f"layers.{i}.weight") + glob("torch._utils", "_rebuild_tensor_v2") + b"(("
        out += bu("storage") + glob("torch", "FloatStorage") + bu(str(i)) + bu("cpu") + b"J\x00\x00\x40\x00tQ"
        out += b"K\x00M\x00\x08M\x00\x08\x86M\x00\x08K\x01\x86\x89" + glob("collections", "OrderedDict") + b")Rt"
        out += b"R"
    return out + b"u."


def make_checkpoint(path: Path, total_bytes: int, n_tensors: int = 16) -> None:
    if path.exists() and path.stat().st_size >= total_bytes:
        return
    per = total_bytes // n_tensors
    chunk = bytes(1 << 20)
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("archive/data.pkl", _state_dict_pickle(n_tensors))
        z.writestr("archive/byteorder", b"little")
        for i in range(n_tensors):
            with z.open(f"archive/data/{i}", "w", force_zip64=True) as w:
                left = per
                while left > 0:
                    w.write(chunk[: min(len(chunk), left)])
                    left -= len(chunk)
        z.writestr("archive/version", b"3\n")


def throughput_set() -> list[Path]:
    d = OUT / "throughput"
    d.mkdir(parents=True, exist_ok=True)
    ckpt = d / "pytorch_model.bin"
    make_checkpoint(ckpt, 256 << 20)
    arrays = d / "arrays.pkl"
    if not arrays.exists():
        import pickle

        import numpy as np

        rng = np.random.default_rng(0)
        arrays.write_bytes(pickle.dumps({f"w{i}": rng.standard_normal(1 << 21).astype(np.float32) for i in range(8)},
                                        protocol=4))
    small = d / "many_objects.pkl"
    if not small.exists():
        import pickle

        small.write_bytes(pickle.dumps({f"token_{i}": [i, float(i) / 3, str(i)] for i in range(200_000)}, protocol=2))
    return [ckpt, arrays, small]


# -- main ---------------------------------------------------------------------------------------------------
def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    with bench_lock():
        return _run()


def _run() -> int:
    corpus = OUT / "corpus"
    subprocess.run([sys.executable, str(SHARED / "gen_corpus.py"), str(corpus)], check=True, capture_output=True)
    samples = json.loads((corpus / "manifest.json").read_text())["samples"]
    files = [corpus / s["file"] for s in samples]
    big = throughput_set()
    pys = {"openscope": Path(sys.executable)}
    for t in TOOLS:
        pys[t] = ensure_venv(t)
    versions = {t: version(py, "openscope" if t == "openscope" else TOOLS[t]) for t, py in pys.items()}
    results: dict[str, dict] = {}
    for tool, py in pys.items():
        print(f"scanning with {tool} {versions[tool]} ...", flush=True)
        results[tool] = {"corpus": run_tool(py, tool, files), "throughput": run_tool(py, tool, big)}

    rows = []
    by_label: dict[str, list[dict]] = {}
    for s in samples:
        by_label.setdefault(s["label"], []).append(s)
    caught_by_any = {s["file"] for s in by_label["malicious"] for t in TOOLS
                     if results[t]["corpus"][str(corpus / s["file"])]["flag"]}
    for tool in pys:
        res = results[tool]["corpus"]

        def hit(s: dict, res: dict = res) -> dict:
            return res[str(corpus / s["file"])]

        det = sum(hit(s)["flag"] for s in by_label["malicious"])
        fp = sum(hit(s)["flag"] for s in by_label["benign"])
        mal_err = sum(hit(s)["flag"] or hit(s)["error"] for s in by_label["malformed"])
        crashes = sum(bool(v["exc"]) for v in res.values())
        tp = results[tool]["throughput"]
        tb = sum(p.stat().st_size for p in big)
        ts = sum(v["seconds"] for v in tp.values())
        cs = sum(v["seconds"] for v in res.values())
        cb = sum(f.stat().st_size for f in files)
        missed = sorted(f for f in caught_by_any if not hit({"file": f})["flag"])
        rows.append({"tool": tool, "version": versions[tool], "detected": det, "malicious": len(by_label["malicious"]),
                     "false_positives": fp, "benign": len(by_label["benign"]), "malformed_flagged_or_error": mal_err,
                     "malformed": len(by_label["malformed"]), "crashes": crashes,
                     "corpus_seconds": cs, "corpus_mb_s": cb / 2**20 / cs if cs else None,
                     "throughput_mb_s": tb / 2**20 / ts if ts else None, "throughput_seconds": ts,
                     "throughput_per_file": {Path(k).name: v["seconds"] for k, v in tp.items()},
                     "throughput_errors": [Path(k).name for k, v in tp.items() if v["error"] or v["exc"]],
                     "misses_vs_union": missed})
    big_rss = measure_big()
    doc = {"rows": rows, "union_of_peers": sorted(caught_by_any), "big_checkpoint": big_rss,
           "throughput_files": {p.name: p.stat().st_size for p in big}}
    (OUT / "results.json").write_text(json.dumps(doc, indent=1))
    md = render(doc)
    (OUT / "section.md").write_text(md)
    print(md)
    ours = next(r for r in rows if r["tool"] == "openscope")
    ps = next(r for r in rows if r["tool"] == "picklescan")
    ok = (not ours["misses_vs_union"] and ours["false_positives"] == 0
          and ours["throughput_mb_s"] >= ps["throughput_mb_s"] and big_rss["peak_rss_mb"] < 300)
    print("targets met" if ok else "targets MISSED", flush=True)
    return 0 if ok else 1


def measure_big() -> dict:
    p = OUT / "big" / "pytorch_model.bin"
    p.parent.mkdir(parents=True, exist_ok=True)
    make_checkpoint(p, 1 << 30, n_tensors=64)
    # The child's own high-water mark (VmHWM): getrusage's ru_maxrss survives exec and would start at this
    # (larger) benchmark process's RSS.
    code = ("import sys, time\nfrom openscope.cli import main\nt = time.perf_counter()\n"
            f"rc = main(['audit', {str(p)!r}, '--json'])\n"
            "hwm = next(int(x.split()[1]) for x in open('/proc/self/status') if x.startswith('VmHWM:'))\n"
            "print(hwm, time.perf_counter() - t, file=sys.stderr)\n"
            "sys.exit(rc)\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    rss_kb, secs = r.stderr.strip().splitlines()[-1].split()
    verdict = json.loads(r.stdout)["verdict"]
    return {"bytes": p.stat().st_size, "peak_rss_mb": int(rss_kb) / 1024, "seconds": float(secs), "verdict": verdict,
            "exit_code": r.returncode}


def render(doc: dict) -> str:
    lines = ["| tool | version | malicious caught | false positives (benign flagged) | malformed flagged or reported "
             "| scanner crashes | corpus time (ms) | throughput set (MB/s) |", "|---|---|---|---|---|---|---|---|"]
    for r in doc["rows"]:
        lines.append(f"| {r['tool']} | {r['version']} | {r['detected']}/{r['malicious']} | "
                     f"{r['false_positives']}/{r['benign']} | {r['malformed_flagged_or_error']}/{r['malformed']} | "
                     f"{r['crashes']} | {r['corpus_seconds'] * 1000:.1f} | {r['throughput_mb_s']:.1f} |")
    b = doc["big_checkpoint"]
    lines.append("")
    lines.append(f"Caught by at least one peer: {len(doc['union_of_peers'])}; missed by openscope among those: "
                 f"{next(r for r in doc['rows'] if r['tool'] == 'openscope')['misses_vs_union'] or 'none'}.")
    lines.append("")
    lines.append(f"1 GB checkpoint ({b['bytes']:,} bytes, benign PyTorch zip): `openscope audit` verdict "
                 f"{b['verdict']}, exit {b['exit_code']}, {b['seconds']:.2f} s, peak RSS {b['peak_rss_mb']:.0f} MB.")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
