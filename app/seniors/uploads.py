"""Registers kept between the upload, the preview and the import (the page's or the file job's): a private folder
per instance and database, files readable only by this service, and a table found again only by its random token.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from pathlib import Path
from typing import Any

from app.core import messages as msg
from app.core.deps import int_or_none
from app.core.errors import NotFound
from app.core.settings import get_settings
from app.seniors import importer as senior_import
from app.seniors import preview_fixes

UPLOAD_KEEP_S = 24 * 3600
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{16,40}")


def private_folder() -> Path:
    """Uploaded registers hold personal data: a private folder (0700, files 0600) under this instance's data
    directory, and one per database, so two instances sharing a data directory never see each other's files."""
    settings = get_settings()
    instance = hashlib.sha256(settings.database_url.encode()).hexdigest()[:12]
    return settings.data_dir / "imports" / instance


def keep(token: str, text: str) -> None:
    folder = private_folder()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.chmod(0o700)
    _sweep(folder)
    _write_private(folder / f"{token}.json", text)


def _write_private(path: Path, text: str) -> None:
    """A file only this service may read (0600 from its creation, not chmod-ed after)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)


def _sweep(folder: Path) -> None:
    """Registers hold personal data: an upload abandoned at the preview is deleted after a day."""
    cutoff = time.time() - UPLOAD_KEEP_S
    for old in folder.glob("*.*"):
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)


def load(token: str) -> tuple[Path, senior_import.Table]:
    """The table kept between preview and import; the token is random, so only its uploader has it."""
    if not TOKEN_RE.fullmatch(token):
        raise NotFound(msg.IMPORT_FILE_GONE)
    path = private_folder() / f"{token}.json"
    if not path.is_file():
        raise NotFound(msg.IMPORT_FILE_GONE)
    return path, senior_import.table_from_json(path.read_text(encoding="utf-8"))


def keep_choices(token: str, form: dict[str, str]) -> str:
    """The operator's posted mapping, fixes and options, kept beside the register for the import job (a form of
    a large register's fixes is too long for the job's row). Returns their digest, which names the file: a second
    submit with other choices never changes what an already queued job imports. The CSRF token is not kept."""
    choices = {k: v for k, v in sorted(form.items()) if k != "csrf_token"}
    text = json.dumps(choices, ensure_ascii=False, sort_keys=True)
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    folder = private_folder()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    _write_private(folder / f"{token}.{digest}.form", text)
    return digest


def load_choices(token: str, digest: str) -> dict[str, str]:
    if not TOKEN_RE.fullmatch(token) or not re.fullmatch(r"[0-9a-f]{16}", digest):
        raise NotFound(msg.IMPORT_FILE_GONE)
    path = private_folder() / f"{token}.{digest}.form"
    if not path.is_file():
        raise NotFound(msg.IMPORT_FILE_GONE)
    return {str(k): str(v) for k, v in json.loads(path.read_text(encoding="utf-8")).items()}


def forget(token: str) -> None:
    """The register and every set of choices kept for it, once imported (they hold personal data)."""
    if not TOKEN_RE.fullmatch(token):
        return
    folder = private_folder()
    (folder / f"{token}.json").unlink(missing_ok=True)
    for kept in folder.glob(f"{token}.*.form"):
        kept.unlink(missing_ok=True)


def options_from(form: dict[str, str]) -> dict[str, Any]:
    """The import's options as posted beside the mapping (page and job read them alike): only the valid rows,
    warnings confirmed, the preview's fixes by row."""
    return {"valid_only": form.get("valid_only") == "1", "confirmed": form.get("confirm_warnings") == "1",
            "fixes": preview_fixes.posted_fixes(form)}


def mapping_from(table: senior_import.Table, params: dict[str, str]) -> dict[str, int]:
    """The operator's choices (map_<field> = column number) over the guess; "" leaves a field unmapped."""
    mapping = senior_import.guess_mapping(table.headers)
    for key in senior_import.FIELDS:
        chosen = params.get(f"map_{key}")
        if chosen is None:
            continue
        column = int_or_none(chosen)
        if column is not None:
            mapping[key] = column
        else:
            mapping.pop(key, None)
    return mapping
