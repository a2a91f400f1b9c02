"""The README's figures come from commands this test reruns: the `nnrecipe compare` table and
the `compare --init` sentence (full-batch Adam on 200 points, float64: deterministic)."""

import re
from pathlib import Path

from nnrecipe.cli import main

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def run(capsys, args, tmp_path):
    import json

    assert main([*args, "--json", "--no-report", "--out", str(tmp_path)]) == 0
    return {r["label"]: r for r in json.loads(capsys.readouterr().out)["results"]}


def test_the_compare_table_is_what_nnrecipe_compare_prints(capsys, tmp_path):
    table = re.search(r"\| setting \| train \|.*?\n\n", README, re.S)[0]
    rows = [line.split("|")[1:-1] for line in table.splitlines()[2:] if line.strip()]
    results = run(capsys, ["compare"], tmp_path)
    assert len(rows) == len(results) == 3
    for cells in rows:
        label, train, dev, test, gap, norm, zeros = (c.strip() for c in cells)
        r = results[label]
        assert train == f"{r['train_error']:.2%}" and dev == f"{r['dev_error']:.2%}"
        assert test == f"{r['test_error']:.2%}"
        assert gap.replace("−", "-") == f"{r['gap']:+.2%}"
        assert norm == f"{r['weight_norm']:.3g}" and zeros == f"{r['zero_fraction']:.1%}"


def test_the_compare_init_sentence_is_what_compare_init_prints(capsys, tmp_path):
    sentence = " ".join(README.split("`nnrecipe compare --init` gives", 1)[1][:300].split())
    zeros, random10, he = re.findall(r"(\d+\.\d+)% (?:test )?error|He at (\d+\.\d+)%", sentence)[:3]
    results = run(capsys, ["compare", "--init"], tmp_path)
    assert f"{results['zeros']['dev_error']:.2%}" == f"{zeros[0]}%"
    assert f"{results['zeros']['train_error']:.2%}" == f"{zeros[0]}%"
    assert f"{results['random×10']['test_error']:.2%}" == f"{random10[0]}%"
    assert f"{results['he']['test_error']:.2%}" == f"{he[1] or he[0]}%"
    assert "1,000 epochs" in sentence


def _printed_after(code_start: str) -> tuple[str, str]:
    """(the python block that starts with ``code_start``, the text block right after it)."""
    found = re.search(
        r"```python\n(" + re.escape(code_start) + r".*?)```\n\n```text\n(.*?)```", README, re.S
    )
    return found[1], found[2]


def test_the_gradient_check_report_is_what_the_example_prints(capsys):
    code, printed = _printed_after("import numpy as np\nimport nnrecipe as nr\n\nrng")
    exec(compile(code, "README.md", "exec"), {})
    out = capsys.readouterr().out
    lines = [line for line in printed.splitlines() if line.strip() and line.strip() != "..."]
    for line in lines:  # round-off level differences (1e-10) are BLAS's: same order of magnitude
        if re.search(r"\d\.\de-10", line):
            assert re.sub(r"\d\.\de-10", "*e-10", line) in re.sub(r"\d\.\de-10", "*e-10", out)
        else:
            assert line in out


def test_the_gradcheck_fn_verdict_is_what_the_example_prints(capsys):
    start = README.index(
        "import numpy as np\n\nimport nnrecipe as nr\n\nrng = np.random.default_rng(0)\nX, Y"
    )
    code = README[start : README.index("```", start)]
    exec(compile(code, "README.md", "exec"), {})
    printed = re.search(r"^# (bug: .*)$", code, re.M)[1]
    assert capsys.readouterr().out.strip() == printed
