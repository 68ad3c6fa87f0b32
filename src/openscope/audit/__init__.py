"""Static model-file auditor: format detection by content, a pickle VM model, per-format checks.

Nothing here unpickles, imports or runs anything from a scanned file. Entry point: :func:`scan_path`.
"""

from openscope.audit.engine import Report, scan_path
from openscope.audit.findings import SEVERITIES, Finding, exit_code, verdict
from openscope.audit.limits import DEFAULT_LIMITS, Limits

__all__ = ["DEFAULT_LIMITS", "SEVERITIES", "Finding", "Limits", "Report", "exit_code", "scan_path", "verdict"]
