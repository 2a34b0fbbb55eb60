"""Executes one notebook on a fresh kernel with nbclient; used by run-notebooks.mjs.

usage: python execute_notebook.py SRC.ipynb DST.ipynb CELL_TIMEOUT_S

Runs every cell in order in the notebook's own folder, stops at the first error (no
allow_errors: after an error tslab answers "abort" and later cells would silently get no
output), writes the executed (or partly executed) copy to DST, and prints one JSON line
prefixed with "@@result " for the caller: ok, seconds, kernel start, per-cell times, error.
"""
import asyncio
import json
import os
import sys
import time

import nbformat
from jupyter_core.utils import ensure_async
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError


def main() -> int:
    src, dst, timeout = sys.argv[1], sys.argv[2], int(sys.argv[3])
    nb = nbformat.read(src, as_version=4)
    kernel = nb.metadata.get("kernelspec", {}).get("name") or "tslab"
    client = NotebookClient(
        nb,
        timeout=timeout,
        startup_timeout=120,
        kernel_name=kernel,
        allow_errors=False,
        record_timing=True,
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(src))}},
    )
    result = {"ok": False, "kernel": kernel, "kernel_start_s": None, "cells": [], "error": None}
    t0 = time.monotonic()
    index = -1

    async def run() -> None:
        nonlocal index
        async with client.async_setup_kernel():
            info = await client.async_wait_for_reply(await ensure_async(client.kc.kernel_info()))
            if info and "language_info" in info["content"]:
                nb.metadata["language_info"] = info["content"]["language_info"]
            result["kernel_start_s"] = round(time.monotonic() - t0, 2)
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    continue
                c0 = time.monotonic()
                await client.async_execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
                result["cells"].append({"index": index, "seconds": round(time.monotonic() - c0, 2)})

    try:
        asyncio.run(run())
        result["ok"] = True
    except CellTimeoutError as e:
        result["error"] = {"cell": index, "kind": "timeout", "text": f"cell {index + 1} ran longer than {timeout} s\n{e}"}
    except CellExecutionError as e:
        result["error"] = {"cell": index, "kind": "error", "text": str(e)}
    except DeadKernelError as e:
        result["error"] = {"cell": index, "kind": "dead kernel", "text": f"the kernel died in cell {index + 1}: {e}"}
    except Exception as e:  # kernel did not start, etc.
        result["error"] = {"cell": index, "kind": type(e).__name__, "text": f"{type(e).__name__}: {e}"}
    result["seconds"] = round(time.monotonic() - t0, 2)
    os.makedirs(os.path.dirname(os.path.abspath(dst)), exist_ok=True)
    nbformat.write(nb, dst)
    print("@@result " + json.dumps(result), flush=True)
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
