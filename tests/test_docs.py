"""The repository explains itself: the README and docs/ point only at files inside the repository."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_readme_and_docs_never_point_outside_the_repository():
    """No "../shared" (a folder only the developers' machines have); every relative link resolves."""
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = path.read_text(encoding="utf-8")
        assert "../shared" not in text, path
        for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", text):
            if "://" not in target:
                assert (path.parent / target).exists(), (path, target)


def test_the_docs_cover_the_domain_the_architecture_and_operations():
    """Three documents, each answering its question."""
    domain = (ROOT / "docs" / "domain.md").read_text(encoding="utf-8")
    architecture = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    operations = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    assert "key project" in domain and "liaison" in domain and "risk flag" in domain
    assert "scheduling/" in architecture and "python -m scheduling roster" in architecture
    assert "grant-app-role" in operations and "servicelog anchor" in operations and "pg_dump" in operations
