"""Run every benchmark module (`make bench`), or those named: `python -m benchmarks dues`."""

import importlib
import pkgutil
import sys
from pathlib import Path


def main() -> None:
    wanted = sys.argv[1:]
    here = Path(__file__).parent
    names = sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))
    for name in names:
        if wanted and not any(w in name for w in wanted):
            continue
        module = importlib.import_module(f"benchmarks.{name}")
        if hasattr(module, "main"):
            print(f"== {name}")
            sys.argv = [name]
            module.main()


if __name__ == "__main__":
    main()
