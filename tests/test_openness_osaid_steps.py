"""The OSAID step for `code-license` names each missing thing once.

Code not released yet has its own step (`training-code`, `data-processing-code`, `inference-code`); the licence step
named it again as "Inference code: not found", so one missing script read as two actions. It now names only released
code whose licence is not open as what stands in the way now, and the unreleased code as what the licence will also
have to cover when it is released.
"""

from __future__ import annotations

from pathlib import Path


def _code_license_step(cli, folder: Path) -> str:
    r = cli("--json", "assess", folder)
    assert r.code == 0, r.stderr
    steps = r.json()["next_steps"]["osaid"]
    (step,) = [s for s in steps if s.startswith("OSAID code-license:")]
    return step


def _folder(tmp_path: Path, front: str, files: dict[str, str]) -> Path:
    d = tmp_path / "release"
    d.mkdir()
    (d / "README.md").write_text(f"---\n{front}---\n# Release\n\nTraining code: see train.py\n", encoding="utf-8")
    for name, text in files.items():
        (d / name).write_text(text, encoding="utf-8")
    return d


def test_unreleased_code_is_named_once_as_to_be_licensed_when_released(cli, tmp_path: Path) -> None:
    step = _code_license_step(cli, _folder(tmp_path, "license: apache-2.0\n", {"train.py": "print(1)\n"}))
    assert "Inference code, Data preprocessing code: when released" in step, step
    assert "not found" not in step and "Training code" not in step, step  # open and released: not in the way


def test_released_code_without_an_open_licence_stands_in_the_way_now(cli, tmp_path: Path) -> None:
    step = _code_license_step(cli, _folder(tmp_path, "license: cc-by-nc-4.0\n", {"train.py": "print(1)\n"}))
    assert "now Training code: under a licence that is not open" in step, step
    assert step.endswith("; Inference code, Data preprocessing code: when released)"), step
