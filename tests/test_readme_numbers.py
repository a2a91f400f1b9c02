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
