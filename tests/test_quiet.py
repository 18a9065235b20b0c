"""Are TensorFlow's native start-up lines kept out of notebooks, and nothing else?"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest

from course_utils import data
from course_utils.quiet import is_noise

ROOT = Path(__file__).resolve().parents[1]
NOISE_LINES = [
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
    "I0000 00:00:1796172665.961201   17615 port.cc:153] oneDNN custom operations are on. You may see slightly "
    "different numerical results due to floating-point round-off errors from different computation orders. "
    "To turn them off, set the environment variable `TF_ENABLE_ONEDNN_OPTS=0`.",
    "I0000 00:00:1796172672.649631   17861 cpu_feature_guard.cc:227] This TensorFlow binary is optimized to use "
    "available CPU instructions in performance-critical operations.",
    "To enable the following instructions: AVX2 AVX512F FMA, in other operations, rebuild TensorFlow with the "
    "appropriate compiler flags.",
    "W0000 00:00:1796172606.514673   14698 tf_record_dataset_op.cc:396] The default buffer size is 262144",
]
KEPT_LINES = [
    "E0000 00:00:1796172606.514673   14698 cuda_dnn.cc:8579] Could not load cuDNN",  # errors always pass
    "Traceback (most recent call last):",
    "ValueError: In this assignment models take pixels scaled to [0, 1]",
    "Epoch 1/2",
    "WARNING:tensorflow:5 out of the last 5 calls triggered retracing",  # Python logging, handled apart
    "I think therefore I am",
]


@pytest.mark.parametrize("line", NOISE_LINES)
def test_noise_lines_are_recognised(line):
    assert is_noise(line)


@pytest.mark.parametrize("line", KEPT_LINES)
def test_other_lines_are_kept(line):
    assert not is_noise(line)


def test_the_filter_passes_everything_else_through_to_the_end():
    """A process that writes noise and real lines to descriptor 2, then exits at once: only the real
    lines come out, in order, including the last one written just before exit."""
    noise = "\n".join(NOISE_LINES)
    script = textwrap.dedent(f"""
        import os
        from course_utils.quiet import silence_native_logs
        silence_native_logs()
        os.write(2, {noise!r}.encode() + b"\\nkept one\\n")
        os.write(2, {NOISE_LINES[1]!r}.encode() + b"\\nkept two, last line")
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr
    assert result.stderr == "kept one\nkept two, last line"


@pytest.mark.skipif(not data.is_prepared("mnist"), reason="MNIST is not prepared")
def test_a_notebook_setup_and_data_cells_show_no_tensorflow_log_lines():
    """Week 3's own setup and data cells, run in a Jupyter kernel: no absl or oneDNN line in any output."""
    import nbclient

    source = nbformat.read(ROOT / "solutions" / "03_adversarial" / "03_adversarial.ipynb", as_version=4)
    code = [cell for cell in source.cells if cell.cell_type == "code"]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(cell.source) for cell in code[:2]])
    env = {**os.environ, "COURSE_PROFILE": "smoke"}
    env.pop("TF_CPP_MIN_LOG_LEVEL", None)  # the notebook's own set-up must be enough
    previous = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                                resources={"metadata": {"path": str(ROOT)}}).execute()
    finally:
        os.environ.clear()
        os.environ.update(previous)
    texts = [output.get("text", "") for cell in notebook.cells for output in cell.outputs]
    assert any("accelerator" in text for text in texts)  # the cells ran
    noisy = [line for text in texts for line in text.splitlines() if is_noise(line) or "oneDNN" in line]
    assert not noisy, noisy
