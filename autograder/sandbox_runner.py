"""Execute one notebook with nbclient; the program that runs *inside* the sandbox.

Usage: ``python sandbox_runner.py IN.ipynb OUT.ipynb CELL_TIMEOUT OUTPUT_LIMIT``

This file is copied (read-only) into the sandbox on its own, so it imports
nothing from the course: only nbformat and nbclient. Every cell runs
(``allow_errors``), a cell over ``CELL_TIMEOUT`` seconds stops the run, cell
outputs beyond ``OUTPUT_LIMIT`` bytes in total are dropped, and the executed
notebook (complete or partial) is written to ``OUT.ipynb``. The last line on
stdout is a JSON report::

    {"status": "completed" | "cell_timeout" | "kernel_died" | "runner_error",
     "cell": index of the cell that stopped the run or null,
     "kernel_exit": the kernel's exit code (negative: killed by that signal) or null,
     "output_truncated": bool, "detail": short text}

The report is advisory: the student's kernel shares this sandbox and could
forge it, so the grader only ever uses it to take points *away* (a timeout, a
dead kernel); points come from the out-of-process judge alone.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

REPORT_MARKER = "@@course-runner-report@@"


class LimitedClient(NotebookClient):
    """nbclient that keeps at most ``output_limit`` bytes of cell outputs in total."""

    def __init__(self, nb: Any, output_limit: int, **kwargs: Any) -> None:
        super().__init__(nb, **kwargs)
        self.output_limit = output_limit
        self.output_bytes = 0
        self.output_truncated = False
        self.current_cell: int | None = None
        self.kernel_process: Any = None

    async def async_start_new_kernel(self, **kwargs: Any) -> None:
        await super().async_start_new_kernel(**kwargs)
        # Kept so the kernel's exit code can be reported after it dies.
        self.kernel_process = getattr(getattr(self.km, "provisioner", None), "process", None)

    async def async_execute_cell(self, cell: Any, cell_index: int, *args: Any, **kwargs: Any) -> Any:
        self.current_cell = cell_index
        return await super().async_execute_cell(cell, cell_index, *args, **kwargs)

    def output(self, outs: list, msg: dict, display_id: str | None, cell_index: int) -> Any:
        size = len(json.dumps(msg.get("content", {}), default=str))
        self.output_bytes += size
        if self.output_bytes > self.output_limit:
            if not self.output_truncated:
                self.output_truncated = True
                outs.append(nbformat.v4.new_output(
                    "stream", name="stderr",
                    text=f"\n[grader: output limit of {self.output_limit} bytes reached; "
                         "further output was dropped]\n"))
            return None
        return super().output(outs, msg, display_id, cell_index)


def _kernel_exit(client: LimitedClient) -> int | None:
    process = client.kernel_process
    if process is None:
        return None
    try:
        return process.poll()
    except Exception:  # noqa: BLE001 - best effort
        return None


def main(argv: list[str]) -> int:
    source, target, cell_timeout, output_limit = argv[0], argv[1], int(argv[2]), int(argv[3])
    nb = nbformat.read(source, as_version=4)
    client = LimitedClient(nb, output_limit, timeout=cell_timeout, allow_errors=True,
                           kernel_name="python3", record_timing=False,
                           shutdown_kernel="immediate", resources={"metadata": {"path": "."}})
    status, detail = "completed", ""
    try:
        client.execute()
    except CellTimeoutError:
        status = "cell_timeout"
    except DeadKernelError:
        status = "kernel_died"
    except Exception as exc:  # noqa: BLE001 - reported, the grader decides
        status, detail = "runner_error", f"{type(exc).__name__}: {str(exc)[:300]}"
    report = {"status": status, "cell": client.current_cell if status != "completed" else None,
              "kernel_exit": _kernel_exit(client), "output_truncated": client.output_truncated,
              "detail": detail}
    try:
        nbformat.write(client.nb, target)
    except Exception as exc:  # noqa: BLE001
        report["detail"] = f"could not write the executed notebook: {type(exc).__name__}"
    sys.stdout.write("\n" + REPORT_MARKER + json.dumps(report) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
