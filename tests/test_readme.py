"""The README's Python examples run as written."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_examples_run():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert blocks, "the README has no Python example"
    namespace: dict = {}
    for block in blocks[:2]:  # the five-line network, then course-style access on it
        exec(compile(block, str(README), "exec"), namespace)
    assert namespace["grads"]["dW1"].shape == namespace["params"]["W1"].shape
    assert namespace["net"].evaluate(namespace["X_dev"], namespace["y_dev"])["accuracy"] > 0.9
