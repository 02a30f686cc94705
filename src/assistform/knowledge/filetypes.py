"""The file types each tool accepts, by extension, from OpenAI's documentation.

`validate` checks a file's extension only (it never reads a file's content: a pre-commit
hook must stay fast), case-insensitively. For `text/` types the service also wants the
content in UTF-8, UTF-16 or ASCII; that is the upload's to find out.

- file_search: https://platform.openai.com/docs/assistants/tools/file-search#supported-files
- code_interpreter: https://platform.openai.com/docs/assistants/tools/code-interpreter#supported-files
"""

from __future__ import annotations

from typing import Final, Literal

Tool = Literal["file_search", "code_interpreter"]

#: Extension -> MIME type(s) the documentation lists for file_search.
FILE_SEARCH: Final[dict[str, str]] = {
    ".c": "text/x-c",
    ".cpp": "text/x-c++",
    ".cs": "text/x-csharp",
    ".css": "text/css",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".go": "text/x-golang",
    ".html": "text/html",
    ".java": "text/x-java",
    ".js": "text/javascript",
    ".json": "application/json",
    ".md": "text/markdown",
    ".pdf": "application/pdf",
    ".php": "text/x-php",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".py": "text/x-python",
    ".rb": "text/x-ruby",
    ".sh": "application/x-sh",
    ".tex": "text/x-tex",
    ".ts": "application/typescript",
    ".txt": "text/plain",
}

#: code_interpreter takes the file_search types but `.go`, and data and image types.
CODE_INTERPRETER: Final[dict[str, str]] = {
    **{ext: mime for ext, mime in FILE_SEARCH.items() if ext != ".go"},
    ".csv": "text/csv",
    ".gif": "image/gif",
    ".jpeg": "image/jpeg",
    ".jpg": "image/jpeg",
    ".pkl": "application/octet-stream",
    ".png": "image/png",
    ".tar": "application/x-tar",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xml": "application/xml",
    ".zip": "application/zip",
}

ACCEPTED: Final[dict[Tool, dict[str, str]]] = {
    "file_search": FILE_SEARCH,
    "code_interpreter": CODE_INTERPRETER,
}


def extension(path: str) -> str:
    """`.md` for `docs/A.MD`; empty for a name without one."""
    name = path.rsplit("/", 1)[-1]
    dot = name.rfind(".")
    return name[dot:].lower() if dot > 0 else ""


def accepts(tool: Tool, path: str) -> bool:
    return extension(path) in ACCEPTED[tool]


def refusal(tool: Tool, path: str) -> str:
    """Why `tool` will not take the file at `path` (one sentence, naming what it takes)."""
    ext = extension(path)
    what = f"{ext} files" if ext else "files without an extension"
    takes = ", ".join(sorted(ACCEPTED[tool]))
    return f"{path}: {tool} does not accept {what}; it takes {takes}"
