#!/usr/bin/env python3
"""Gas and block-capacity report: real proofs verified on an L1, the capacity model, Markdown and PNG plots.

    scripts/capacity_report.py --out capacity-report            # embedded py-evm L1, full set (~10 min)
    scripts/capacity_report.py --quick --l1-rpc http://127.0.0.1:8545

The same as ``supervm report capacity``; see docs/capacity.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from capacity.report import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
