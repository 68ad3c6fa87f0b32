"""Findings, severities and the verdict rule of the contract.

A finding is one thing a reviewer should know about one place in one file. Scans that could not finish
say so with an ``incomplete.*`` finding, so a partial scan can never read as ``clean``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

SEVERITIES: tuple[str, ...] = ("info", "low", "medium", "high", "critical")
RANK: dict[str, int] = {s: i for i, s in enumerate(SEVERITIES)}
VERDICTS: tuple[str, ...] = ("clean", "review", "unsafe", "incomplete")
# longest text a finding carries per field (characters); the rest is cut and counted (see ``clip``)
MAX_CHARS: dict[str, int] = {"member": 1000, "import_": 1000, "detail": 2000}


def utf8(s: str) -> str:
    """``s`` as text every output can carry: lone surrogates (a pickle's names are decoded with
    'surrogatepass', undecodable file names arrive with 'surrogateescape') become backslash escapes.
    They ended JSON, the rich rendering and the store with UnicodeEncodeError."""
    try:
        s.encode("utf-8")
        return s
    except UnicodeEncodeError:
        return s.encode("utf-8", "backslashreplace").decode("utf-8")


def clip(s: str, limit: int) -> str:
    """The first ``limit`` characters of ``s`` and a mark saying how many were cut ("…(+N chars)").

    Names in a finding come from the file: one pickle GLOBAL of 10 MB made a 10 MB finding in ``--json``,
    SARIF and the store. The rule and severity were decided on the whole name before it got here.
    """
    return s if len(s) <= limit else f"{s[:limit]}…(+{len(s) - limit:,} chars)"


@dataclass(frozen=True)
class Finding:
    """One finding in the contract's shape (``file, member, offset, rule, severity, import, detail``)."""

    file: str
    member: str | None
    offset: int | None
    rule: str
    severity: str
    import_: str | None = None
    detail: str = ""

    def __post_init__(self) -> None:
        for name in ("file", "member", "import_", "detail"):
            v = getattr(self, name)
            if isinstance(v, str):
                v = utf8(v)
                object.__setattr__(self, name, clip(v, MAX_CHARS[name]) if name in MAX_CHARS else v)

    @property
    def incomplete(self) -> bool:
        """True when this finding records a scan that could not finish."""
        return self.rule.startswith("incomplete.")

    def to_json(self) -> dict:
        d = asdict(self)
        d["import"] = d.pop("import_")
        return {k: d[k] for k in ("file", "member", "offset", "rule", "severity", "import", "detail")}


@dataclass
class FileEntry:
    """Every file the scan met, with the format its content says it is (unknown formats are listed too)."""

    file: str
    format: str
    bytes: int
    members: int = 0
    notes: list[str] = field(default_factory=list)
    # another name of a file listed under ``same_as`` (a symbolic or hard link to it in the same audit): the file
    # is read and judged once, under that name; this entry has its format and size and no findings of its own
    same_as: str | None = None
    link_to: str | None = None  # the resolved path, when this name is a symbolic link to a file

    def __post_init__(self) -> None:
        self.file = utf8(self.file)
        if self.same_as is not None:
            self.same_as = utf8(self.same_as)
        if self.link_to is not None:
            self.link_to = utf8(self.link_to)

    def to_json(self) -> dict:
        """``file``, ``format``, ``bytes``, then ``same_as`` and ``link_to`` only when they apply (keys are only
        ever added to this shape; an entry of an ordinary file keeps its three)."""
        d: dict = {"file": self.file, "format": self.format, "bytes": self.bytes}
        if self.same_as is not None:
            d["same_as"] = self.same_as
        if self.link_to is not None:
            d["link_to"] = self.link_to
        return d


def verdict(findings: list[Finding]) -> str:
    """unsafe if any high/critical, else incomplete if any scan could not finish, else review if any finding."""
    if any(RANK[f.severity] >= RANK["high"] for f in findings):
        return "unsafe"
    if any(f.incomplete for f in findings):
        return "incomplete"
    return "review" if findings else "clean"


def exit_code(findings: list[Finding], fail_on: str) -> int:
    """0 ok; 1 a finding at or above ``fail_on``; 2 a scan that could not finish (and nothing to fail on)."""
    threshold = RANK[fail_on]
    if any(RANK[f.severity] >= threshold and not f.incomplete for f in findings):
        return 1
    if any(f.incomplete for f in findings):
        return 2
    return 0
