"""Run a notebook whose *kernel* is sandboxed while its *client* stays with the grader.

Why: when the whole runner (nbclient and the kernel) lived in the sandbox, the
status line it printed and the executed notebook it wrote could be forged by
the student's kernel, which could also kill its parent: an endless loop plus a
forged "completed" report scored full marks. Here nbclient runs in the
grader's process; only ``ipykernel`` runs inside
:class:`autograder.isolation.sandbox.Sandbox`, started by :mod:`autograder.isolation.sandbox_jail`.
They talk over ZeroMQ *Unix sockets* (``transport="ipc"``) in a folder of the
work tree (the sandbox has no network, not even the grader's loopback). So:

- the run's status (completed, a cell over its time, a dead kernel, the wall
  clock) is what the grader itself observed;
- the executed notebook is built here, from the kernel's messages (whose
  *content* is the student's, as the outputs of any notebook are);
- no message larger than :func:`max_message_bytes` is accepted, at most
  :data:`RECEIVE_QUEUE` wait on each socket, and every kernel message (outputs,
  display updates, widget state) counts against ``limits.output_bytes``; past it they are
  dropped (nbgrader-style note in the cell). So the grader's own memory stays bounded
  whatever the kernel sends.
"""

from __future__ import annotations

import asyncio
import json
import logging
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import zmq
import zmq.asyncio
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import NotebookNode
from traitlets import List, Unicode

from autograder.isolation.sandbox import Limits, Sandbox

MAX_MESSAGE_BYTES = 64 * 2**20
MIN_MESSAGE_BYTES = 16 * 2**20
# Messages the grader's side of each socket holds before it stops reading (ZeroMQ's default is
# 1000): a kernel that sends faster than the grader reads then waits, holding the backlog in its
# own, bounded memory, instead of the grader's (a 400 MiB display-update flood once grew the
# grader by 390 MiB this way).
RECEIVE_QUEUE = 4
_UNCOUNTED = {"status", "execute_input"}  # store nothing: a status ends a cell, execute_input sets its count
KERNEL_DIR = ".kernel"
_STARTUP_SECONDS = 120
# A Unix socket's address holds at most 107 bytes on Linux (103 on macOS); zmq names the
# kernel's five sockets <prefix>-<n>. Work folders nested in temporary folders (a long
# TMPDIR, a long student id) go past that, and the kernel never starts: a shorter path is used.
_MAX_SOCKET_FOLDER = 80


def _socket_folder(kernel_dir: Path, private_dir: Path) -> Path:
    """A path to ``kernel_dir`` short enough to hold socket addresses: itself, or a link to it
    in ``private_dir`` (the run's private folder under /tmp, removed after the run)."""
    if len(str(kernel_dir)) <= _MAX_SOCKET_FOLDER:
        return kernel_dir
    link = private_dir / "k"
    link.symlink_to(kernel_dir, target_is_directory=True)
    return link


class JailedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel command is the sandbox's jail (see module doc)."""

    jail_command = List(Unicode())

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        return [*self.jail_command, self.connection_file]

    def client(self, **kwargs: Any) -> Any:
        """A client whose own ZeroMQ context has this manager's bounds (message size, receive
        queue): the client reads the kernel on sockets of a context it makes itself."""
        client = super().client(**kwargs)
        for option in (zmq.MAXMSGSIZE, zmq.RCVHWM):
            client.context.setsockopt(option, self.context.getsockopt(option))
        return client


class LimitedClient(NotebookClient):
    """nbclient that keeps at most ``output_limit`` bytes of what the kernel sends, all told.

    Every iopub message but ``status`` and ``execute_input`` (which store nothing) counts:
    outputs, ``update_display_data`` and widget (``comm_*``) messages alike. Widget state is
    never stored (nbclient would keep every ``comm_msg``'s state in memory for the notebook's
    metadata) and no widget is emulated. Past the bound, the messages are read and dropped, so a
    flood costs the grader no memory. It also records which cells raised, from each cell's
    execute reply: an error output can be dropped by the bound, the reply cannot.
    """

    def __init__(self, nb: Any, output_limit: int, **kwargs: Any) -> None:
        super().__init__(nb, store_widget_state=False, **kwargs)
        self.comm_open_handlers = {}  # no Output widget emulation: it would store outputs of its own
        self.output_limit = output_limit
        self.output_bytes = 0
        self.output_truncated = False
        self.current_cell: int | None = None
        self.failed_cells: dict[int, str] = {}
        self.on_cell_executed = self._record_reply

    def _record_reply(self, cell: Any, cell_index: int, execute_reply: dict | None) -> None:
        content = (execute_reply or {}).get("content") or {}
        if content.get("status") == "error":
            self.failed_cells[cell_index] = (f"{str(content.get('ename', ''))[:200]}: "
                                             f"{str(content.get('evalue', ''))[:500]}").strip(": ")

    async def async_execute_cell(self, cell: Any, cell_index: int, *args: Any, **kwargs: Any) -> Any:
        self.current_cell = cell_index
        return await super().async_execute_cell(cell, cell_index, *args, **kwargs)

    def process_message(self, msg: dict, cell: Any, cell_index: int) -> Any:
        msg_type = str(msg.get("msg_type", ""))
        if msg_type in _UNCOUNTED:
            return super().process_message(msg, cell, cell_index)
        self.output_bytes += message_bytes(msg)
        if self.output_bytes > self.output_limit:
            if not self.output_truncated:
                self.output_truncated = True
                cell.outputs.append(nbformat.v4.new_output(
                    "stream", name="stderr",
                    text=f"\n[grader: output limit of {self.output_limit} bytes reached; "
                         "further output was dropped]\n"))
            return None
        if msg_type.startswith("comm"):
            return None  # counted, never stored (see the class doc)
        return super().process_message(msg, cell, cell_index)


def max_message_bytes(limits: Limits) -> int:
    """The largest message accepted: twice the output bound (a bigger one would be dropped
    anyway), at least :data:`MIN_MESSAGE_BYTES`, at most :data:`MAX_MESSAGE_BYTES`.

    A larger one closes the socket's connection: the kernel's later outputs are lost and each
    later cell waits nbclient's 4 s for them; the grade does not change (a cell's error comes
    back in its execute reply). Until 2026-12-07 this bound was set on a context the client
    did not use, so it never held.
    """
    return max(MIN_MESSAGE_BYTES, min(MAX_MESSAGE_BYTES, 2 * limits.output_bytes))


def message_bytes(msg: dict) -> int:
    """What a kernel message weighs against the output bound: its content as JSON and its buffers."""
    content = len(json.dumps(msg.get("content", {}), default=str))
    return content + sum(len(buffer) for buffer in msg.get("buffers") or [])


@dataclass
class NotebookRun:
    """What the grader saw of one run.

    status: "completed" | "cell_timeout" | "kernel_died" | "wall_timeout" | "runner_error".
    cell: index of the cell running when the run stopped (None when completed).
    failed_cells: cell index -> "ename: evalue" of every cell whose execute reply said it raised.
    executed: the notebook with the outputs received (complete or partial).
    stderr: the last 64 KiB the kernel wrote to its standard error.
    """

    status: str
    cell: int | None
    executed: NotebookNode
    output_truncated: bool
    kernel_exit: int | None
    stderr: str
    seconds: float
    detail: str = ""
    failed_cells: dict[int, str] = field(default_factory=dict)


def _quiet() -> logging.Logger:
    log = logging.getLogger("autograder.submission.notebook_runner.nbclient")
    log.setLevel(logging.CRITICAL)
    return log


async def _execute(client: LimitedClient, wall_seconds: float, stderr: Any) -> tuple[str, int | None]:
    """Run every cell; return (status, the kernel process's exit code or None)."""
    # The wall clock is a separate wait, so that a cancelled run is never mistaken
    # for one that failed by itself (nbclient's clean-up may raise on cancellation).
    task = asyncio.ensure_future(client.async_execute(stdout=stderr, stderr=stderr))
    done, _ = await asyncio.wait({task}, timeout=wall_seconds)
    if not done:
        status = "wall_timeout"
        task.cancel()
        await asyncio.wait({task}, timeout=10)
    else:
        error = task.exception()
        status = ("completed" if error is None else "cell_timeout" if isinstance(error, CellTimeoutError)
                  else "kernel_died" if isinstance(error, DeadKernelError) else "runner_error")
        if status == "runner_error":
            raise error
    km = client.km
    process = getattr(getattr(km, "provisioner", None), "process", None)
    exit_code = process.poll() if process is not None else None
    if km is not None:
        try:
            await asyncio.wait_for(km.shutdown_kernel(now=True), timeout=10)
        except Exception:  # noqa: BLE001 - already dead, or killed by the caller
            pass
    return status, exit_code


def run_notebook(nb: NotebookNode, box: Sandbox, *, env: dict[str, str], limits: Limits,
                 python: str) -> NotebookRun:
    """Execute every cell of ``nb`` with a kernel inside ``box`` (``allow_errors``).

    box: a sandbox around the work folder; the notebook's folder is its work folder.
    env: the kernel's whole environment (nothing else is inherited).
    python: the interpreter that runs ``ipykernel`` inside.
    """
    start = time.monotonic()
    kernel_dir = box.host_work / KERNEL_DIR
    kernel_dir.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="cgk-", dir="/tmp" if Path("/tmp").is_dir() else None) as private:
        private_dir = Path(private)
        sockets = _socket_folder(kernel_dir, private_dir)
        # Inside bubblewrap the work folder has a short path of its own; elsewhere the kernel
        # sees the host's paths, so it binds through the same short link.
        ipc_inside = box.inside(kernel_dir / "k") if box.mode == "bwrap" else str(sockets / "k")
        command = box.write_spec(
            private_dir / "spec.json",
            [python, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            env=env, limits=limits, memory_bytes=limits.memory_bytes,
            kernel={"ipc_inside": ipc_inside,
                    "connection_host": str(kernel_dir / "connection.json"),
                    "connection_inside": box.inside(kernel_dir / "connection.json")})
        context = zmq.asyncio.Context()
        context.setsockopt(zmq.MAXMSGSIZE, max_message_bytes(limits))
        context.setsockopt(zmq.RCVHWM, RECEIVE_QUEUE)
        km = JailedKernelManager(transport="ipc", ip=str(sockets / "k"), context=context,
                                 connection_file=str(private_dir / "connection.json"),
                                 jail_command=command, cache_ports=False)
        client = LimitedClient(nb, limits.output_bytes, km=km, timeout=limits.cell_seconds,
                               startup_timeout=_STARTUP_SECONDS, allow_errors=True,
                               record_timing=False, shutdown_kernel="immediate", log=_quiet(),
                               resources={"metadata": {"path": str(box.host_work)}})
        stderr_path = private_dir / "stderr"
        detail, kernel_exit = "", None
        with open(stderr_path, "wb") as stderr:
            try:
                status, kernel_exit = asyncio.run(_execute(client, limits.wall_seconds, stderr))
            except Exception as exc:  # noqa: BLE001 - e.g. the kernel never started
                status, detail = "runner_error", f"{type(exc).__name__}: {str(exc)[:300]}"
            finally:
                box.kill_all()
                context.destroy(linger=0)
        with open(stderr_path, "rb") as handle:
            handle.seek(0, 2)
            handle.seek(max(0, handle.tell() - 64 * 1024))
            tail = handle.read().decode("utf-8", errors="replace")
    return NotebookRun(status=status, cell=client.current_cell if status != "completed" else None,
                       executed=client.nb, output_truncated=client.output_truncated,
                       kernel_exit=kernel_exit, stderr=tail, seconds=time.monotonic() - start,
                       detail=detail, failed_cells=dict(client.failed_cells))
