"""Every ```python block of the README runs as written, alone, in a fresh namespace and an empty
working directory, so the README cannot drift from the code.

A block that cannot run here is marked in the README by an HTML comment on the line before it,
``<!-- readme-test: skip (the reason) -->``, and skipped with that reason; a block whose
optional dependency (scikit-learn, Optuna, Matplotlib) is not installed is skipped naming it.
"""

import re
import warnings
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCK = re.compile(
    r"(?:<!-- readme-test: skip \((?P<skip>[^)]*)\) -->\n)?```python\n(?P<code>.*?)```", re.S
)
OPTIONAL = {"sklearn", "optuna", "matplotlib"}


def blocks() -> list:
    text = README.read_text(encoding="utf-8")
    found = []
    for match in BLOCK.finditer(text):
        line = text.count("\n", 0, match.start("code")) + 1
        found.append(
            pytest.param(
                match["code"],
                line,
                marks=[pytest.mark.skip(reason=match["skip"])] if match["skip"] else [],
                id=f"line{line}",
            )
        )
    return found


def run_block(code: str, line: int) -> dict:
    namespace: dict = {"__name__": f"readme_line{line}"}
    source = "\n" * (line - 1) + code  # tracebacks point at the README's own lines
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exec(compile(source, str(README), "exec"), namespace)
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.split(".")[0] in OPTIONAL:
            pytest.skip(f"README line {line} needs {exc.name}, not installed")
        raise
    return namespace


def test_the_readme_has_python_examples():
    assert len(blocks()) >= 10


@pytest.mark.parametrize("code, line", blocks())
def test_readme_block_runs_alone(code, line, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # blocks that save files write here
    namespace = run_block(code, line)
    if "grads = net.gradients" in code:  # course-style access: the shapes the comment states
        assert namespace["params"]["W1"].shape == (32, 2)
        assert namespace["grads"]["dW1"].shape == namespace["params"]["W1"].shape
    if "result = nr.improve(X, y" in code and "spiral" in code:  # it teaches success (issue 26)
        result = namespace["result"]
        assert result.train_error < 0.15 and result.test_error < 0.15, result.message
    if "history = net.fit(X_train, y_train, dev=(X_dev, y_dev), optimizer=" in code:
        assert namespace["net"].evaluate(namespace["X_dev"], namespace["y_dev"])["accuracy"] > 0.9


def test_install_hints_work_from_a_checkout():
    """nnrecipe is not on a package index: ``pip install 'nnrecipe[x]'`` fails on a clean
    machine, so no message or README line may suggest it."""
    root = README.parent
    texts = [
        README,
        *sorted((root / "src").rglob("*.py")),
        *sorted((root / "benchmarks").glob("*.py")),
    ]
    offenders = [
        str(p.relative_to(root)) for p in texts if "'nnrecipe[" in p.read_text(encoding="utf-8")
    ]
    assert offenders == []


def test_the_main_job_gets_what_its_report_needs_from_the_core_install():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+

    project = tomllib.loads((README.parent / "pyproject.toml").read_text())["project"]
    assert any(d.startswith("matplotlib") for d in project["dependencies"])
    # improve's automatic baseline (a reference model) works on a fresh install (issue 26)
    assert any(d.startswith("scikit-learn") for d in project["dependencies"])
    first = re.search(r"```bash\n(.*?)```", README.read_text(), re.S)[1].splitlines()
    assert len(first) == 2 and first[0].startswith("pip install -e . && nnrecipe improve")


def test_the_readme_is_a_newcomers_page():
    """Issue 26: setup on the first screen, measurement logs in benchmarks/README.md."""
    text = README.read_text(encoding="utf-8")
    first_screen = "\n".join(text.splitlines()[:40])
    assert "pip install -e . && nnrecipe improve" in first_screen
    assert "benchmarks/README.md" in first_screen and "examples/" in first_screen
    assert len(text.splitlines()) < 900 and "perf record" not in text
    logs = (README.parent / "benchmarks" / "README.md").read_text(encoding="utf-8")
    assert "perf record" in logs and "improve_quality.py" in logs
