"""Import boundaries (docs/decisions/0001, 0003): jose lives in one module, services are
independent of each other, the kernel imports no service."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

from scripts.openapi import ROOT

JWT_MODULE = "services/common/jwt.py"


def imports_jose(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        if any(name == "jose" or name.startswith("jose.") for name in names):
            return True
    return False


def python_files() -> list[Path]:
    files: list[Path] = []
    for top in ("services", "gateway"):
        files.extend((ROOT / top).rglob("*.py"))
    return sorted(files)


class TestJoseBehindOneModule:
    def test_scanner_sees_the_code(self) -> None:
        assert (ROOT / JWT_MODULE) in python_files()
        assert imports_jose(ROOT / JWT_MODULE)

    def test_only_common_jwt_imports_jose(self) -> None:
        importers = [str(p.relative_to(ROOT)) for p in python_files() if imports_jose(p)]
        assert importers == [JWT_MODULE]


class TestImportLinter:
    def test_lint_imports_passes(self) -> None:
        exe = Path(sys.executable).parent / "lint-imports"
        command = str(exe) if exe.exists() else shutil.which("lint-imports")
        assert command, "import-linter is not installed"
        result = subprocess.run(
            [command, "--no-cache"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
