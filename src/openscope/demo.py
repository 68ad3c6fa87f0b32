"""`make demo`: the main job on the embedded default, offline, in about a minute.

It starts the simulated Hub (a generated ecosystem around the real flagship models; every record is
marked synthetic) on a free loopback port, crawls it into a fresh store (models, datasets, card texts and
file lists), stops it, and then shows what openscope answers: the store summary, lineage and origin of
two flagships, derivatives by root country, licences, openness grades and a static audit. Every step
prints the exact command it runs, so a reader can repeat it by hand.
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import httpx

OUT = Path(os.environ.get("OPENSCOPE_DEMO_OUT", "demo-out")).resolve()
DB = OUT / "openscope.duckdb"
SEED = "7"
MODELS = os.environ.get("OPENSCOPE_DEMO_MODELS", "20000")
DATASETS = "2000"


def _say(text: str) -> None:
    bold, end = ("\033[1m", "\033[0m") if sys.stdout.isatty() else ("", "")
    print(f"\n{bold}== {text}{end}", flush=True)


def run(*args: str, check: bool = True) -> int:
    """Run one openscope command against the demo store, echoing it first."""
    cmd = ["openscope", "--db", str(DB), *args]
    print("$ " + " ".join(a if " " not in a else repr(a) for a in cmd), flush=True)
    rc = subprocess.call([sys.executable, "-m", "openscope.cli", *cmd[1:]],
                         env={**os.environ, "COLUMNS": os.environ.get("COLUMNS", "120")})
    if check and rc not in (0,):
        raise SystemExit(f"demo step failed with exit code {rc}: {' '.join(cmd)}")
    return rc


def _openscope() -> str:
    """The `openscope` command to paste: the script installed beside this interpreter, as the shell would find it
    from here. Why: the hint said `.venv/bin/openscope` wherever the demo ran, and README says it runs from any
    folder (`python -m openscope.demo`), where no `.venv` is."""
    script = Path(sys.executable).parent / "openscope"
    if not script.is_file():
        return "openscope"
    if shutil.which("openscope") == str(script):
        return "openscope"
    try:
        return str(script.relative_to(Path.cwd()))
    except ValueError:
        return shlex.quote(str(script))


def start_simhub() -> tuple[subprocess.Popen, str]:
    cmd = [sys.executable, "-m", "openscope.cli", "simhub", "--port", "0", "--seed", SEED,
           "--models", MODELS, "--datasets", DATASETS]
    print("$ openscope simhub --port 0 --seed", SEED, "--models", MODELS, "--datasets", DATASETS, "&", flush=True)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    for line in proc.stdout:
        print(line.rstrip(), flush=True)
        if "listening on " in line:
            return proc, line.split("listening on ", 1)[1].strip()
    raise SystemExit("the simulated Hub did not start")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


# Written into the output folder when the demo creates it: the demo deletes and rewrites only a folder that holds it
# (or an empty one), never one that `OPENSCOPE_DEMO_OUT` points at by mistake (a home, a project, a store).
MARKER = ".openscope-demo"


def _refuse(message: str) -> None:
    print(f"openscope demo: {message}", file=sys.stderr)
    raise SystemExit(73)  # the contract's "cannot write the store"


def _older_demo() -> bool:
    """A folder a demo made before the marker existed: exactly what the demo writes, and its store."""
    names = {p.name for p in OUT.iterdir()}
    return DB.name in names and names <= {DB.name, f"{DB.name}.wal", ".hf-home", "audit.sarif", "files"}


def _fresh_out() -> None:
    """An empty output folder: the previous demo's removed, any other non-empty folder refused (exit 73)."""
    if OUT.exists() and not OUT.is_dir():
        _refuse(f"{OUT} is a file, not a folder; set OPENSCOPE_DEMO_OUT to a new or empty folder")
    if OUT.is_dir() and any(OUT.iterdir()) and not (OUT / MARKER).is_file() and not _older_demo():
        _refuse(f"{OUT} is not empty and was not made by the demo; set OPENSCOPE_DEMO_OUT to a new or empty folder "
                "(the demo deletes and rewrites it)")
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    (OUT / MARKER).write_text("made by `make demo` (python -m openscope.demo); it deletes this folder when run again\n",
                              encoding="utf-8")


def main() -> int:
    _fresh_out()

    _say("1. A simulated Hub on loopback (generated around the real flagship models; all synthetic)")
    hub, url = start_simhub()
    try:
        _say("2. Crawl it: models, datasets, card texts and file lists (the same code that crawls the live Hub)")
        run("crawl", "--endpoint", url, "--datasets", "--cards", "--top", "300")
        fetch_files(url)
        _say("3. The Hub moves on: 40 models edited, 10 added, 5 deleted, 100 counters changed")
        changes = httpx.post(f"{url}/_admin/mutate", json={"edit": 40, "add": 10, "delete": 5, "counters": 100},
                             timeout=30).json()
        print({k: len(v) for k, v in changes.items()})
        _say("4. An incremental crawl reads only what changed since the last watermark")
        run("crawl", "--endpoint", url)
        _say("5. A counters sweep reads downloads and likes at about one call per 1,000 repositories")
        run("crawl", "--endpoint", url, "--counters")
    finally:
        stop(hub)
    print("(simulated Hub stopped)")

    _say("6. What the store holds")
    run("status")

    for step in STEPS:
        step()

    _say("Outputs")
    print(f"store: {DB}\n  explore it: {_openscope()} --db {shlex.quote(str(DB))} sql "
          "\"SELECT * FROM models LIMIT 5\"")
    for extra in sorted(OUT.iterdir()):
        if extra != DB and not extra.name.startswith((DB.name, ".")):
            print(f"{extra.name}: {extra}")
    return 0


FILES = OUT / "files"
# A hand-made protocol-0 pickle that would call posix.system when loaded. openscope never loads it: the
# auditor reads its opcodes. (Written here, by us; nothing is downloaded.)
CRAFTED = b"cposix\nsystem\n(S'echo openscope-demo'\ntR."


def fetch_files(url: str) -> None:
    """Download two models' files from the simulated Hub with huggingface_hub (as from the real Hub)."""
    os.environ.setdefault("HF_HOME", str(OUT / ".hf-home"))
    os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
    os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"  # read when huggingface_hub is imported, just below
    from huggingface_hub import snapshot_download

    for repo in ("Qwen/Qwen2.5-7B-Instruct", "open-heron/DeepSeek-R1-GGUF"):
        print(f"$ huggingface_hub.snapshot_download({repo!r}, endpoint={url!r})", flush=True)
        snapshot_download(repo, endpoint=url, local_dir=FILES / repo.replace("/", "__"))
    crafted = FILES / "crafted" / "pytorch_model.bin"
    crafted.parent.mkdir(parents=True, exist_ok=True)
    crafted.write_bytes(CRAFTED)
    print(f"(wrote {crafted.relative_to(OUT.parent)}: a crafted pickle that would run a shell command)")


def audit() -> None:
    _say("13. Audit model files without executing them (exit 1: a finding at or above --fail-on high)")
    run("audit", str(FILES / "Qwen__Qwen2.5-7B-Instruct"))
    rc = run("audit", str(FILES), "--sarif", str(OUT / "audit.sarif"), check=False)
    print(f"(exit code {rc}; SARIF for code-scanning tools in {OUT / 'audit.sarif'})")
    _say("14. Before adopting it: grade the downloaded folder itself (its card, files and licence file)")
    run("assess", str(FILES / "Qwen__Qwen2.5-7B-Instruct"))


def lineage_and_origin() -> None:
    _say("7. Lineage and origin: who builds on DeepSeek-R1 and on Qwen, and from where")
    run("lineage", "deepseek-ai/DeepSeek-R1", "--down", "--limit", "10")
    run("lineage", "Qwen/Qwen2.5-7B-Instruct", "--down", "--limit", "10")
    # a merge of a Qwen and a Llama finetune: roots in China and the US, so its root country is `multiple`
    run("lineage", "brave-lynx/Qwen2.5-7B-Instruct-law-reason-merge")
    run("model", "Qwen/Qwen2.5-7B-Instruct")
    _say("8. Derivatives by the country of their root model (merges across countries count as 'multiple')")
    run("lineage", "--by-root-country")
    run("lineage", "--by-root-country", "--region")


def licences() -> None:
    _say("9. Licences: what a licence allows, with the clause each fact was read from")
    run("license", "llama3.1")
    _say("10. ...and what a derivative inherits: an Apache-2.0 LoRA of Llama 3.1 drops duties it must keep")
    run("license", "brave-heron/Llama-3.1-8B-Instruct-tool-lora")
    run("sql", "SELECT class, count(*) AS models FROM licenses GROUP BY ALL ORDER BY 2 DESC")
    run("sql", "SELECT base_license, count(*) AS conflicts FROM license_flow WHERE conflict "
        "GROUP BY ALL ORDER BY 2 DESC LIMIT 5")


def openness() -> None:
    _say("11. Openness: three flagships under OSAID 1.0, the MOF classes and the Open Source AI Index")
    run("assess", "EleutherAI/pythia-6.9b")
    run("assess", "meta-llama/Llama-2-7b")
    run("assess", "mistralai/Mixtral-8x7B-v0.1")
    _say("12. OSAID verdicts across the store (from metadata, cards where crawled, curated cited facts)")
    run("sql", "SELECT grade AS osaid_verdict, count(*) AS models FROM openness WHERE framework = 'osaid' "
        "AND snapshot_id = (SELECT max(snapshot_id) FROM openness) GROUP BY 1 ORDER BY 2 DESC")


STEPS: list = [lineage_and_origin, licences, openness, audit]

if __name__ == "__main__":
    sys.exit(main())
