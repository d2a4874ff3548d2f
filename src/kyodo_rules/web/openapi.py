"""The OpenAPI document of the JSON API, with the vocabulary's own JSON schemas.

Other municipal systems are mostly not Python; the schemas of `Case`,
`Result`, `Group` and `NpoResult` come from the same pydantic models that
validate every request, so the document cannot drift from what is accepted.
"""

from __future__ import annotations

from typing import Any

from kyodo_rules import __version__
from kyodo_rules.model.vocabulary import DOCUMENTS


def _schemas() -> dict[str, Any]:
    from pydantic.json_schema import models_json_schema

    from kyodo_rules.model.records import Case, Result
    from kyodo_rules.npo.eligibility import Group, NpoResult

    _, top = models_json_schema(
        [
            (m, "validation" if m in (Case, Group) else "serialization")
            for m in (Case, Result, Group, NpoResult)
        ],
        ref_template="#/components/schemas/{model}",
    )
    schemas: dict[str, Any] = dict(top.get("$defs", {}))
    schemas["Error"] = {
        "type": "object",
        "properties": {
            "error": {
                "type": "string",
                "description": "One line: the field and its allowed values",
            },
            "field": {"type": ["string", "null"]},
        },
        "required": ["error"],
    }
    return schemas


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def _errors() -> dict[str, Any]:
    body = {"application/json": {"schema": _ref("Error")}}
    return {
        code: {"description": text, "content": body}
        for code, text in (
            ("400", "Bad input: an unknown field or code, invalid JSON, a malformed header"),
            ("401", "The server was started with --token and none or a wrong one was given"),
            ("408", "The body was not complete within its deadline (20 s; uploads 60 s)"),
            ("413", "The body is larger than the limit"),
            ("415", "Wrong Content-Type"),
            ("503", "The work passed its time limit, or the storage failed; see Retry-After"),
            ("507", "The server's storage is full (an upload could not be kept to answer)"),
        )
    }


def document(profiles: list[str]) -> dict[str, Any]:
    profile = {
        "name": "profile",
        "in": "query",
        "schema": {"type": "string", "enum": profiles, "default": "generic"},
        "description": "Whose names, forms, principles and checklists the answer uses",
    }
    lang = {
        "name": "lang",
        "in": "query",
        "schema": {"type": "string", "enum": ["ja", "en"], "default": "ja"},
    }
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    upload = {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "map": {
                            "type": "string",
                            "format": "binary",
                            "description": "Optional: how to read the list (YAML, as --map)",
                        },
                    },
                    "required": ["file"],
                }
            }
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "kyodo-rules",
            "version": __version__,
            "description": (
                "Is a planned project real 協働? Every answer cites the municipal guidance. "
                "Field names and codes are those of the vocabulary (docs/vocabulary.md)."
            ),
        },
        "components": {
            "schemas": _schemas(),
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{}, {"token": []}],
        "paths": {
            "/api/classify": {
                "post": {
                    "summary": "Classify one case",
                    "parameters": [
                        profile,
                        lang,
                        {
                            "name": "what_if",
                            "in": "query",
                            "schema": {"type": "boolean", "default": True},
                        },
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref("Case")}},
                    },
                    "responses": {
                        "200": {
                            "description": "The answer",
                            "content": {"application/json": {"schema": _ref("Result")}},
                        },
                        **_errors(),
                    },
                }
            },
            "/api/npo": {
                "post": {
                    "summary": "May this group become an NPO法人?",
                    "parameters": [lang],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref("Group")}},
                    },
                    "responses": {
                        "200": {
                            "description": "The answer",
                            "content": {"application/json": {"schema": _ref("NpoResult")}},
                        },
                        **_errors(),
                    },
                }
            },
            "/api/batch": {
                "post": {
                    "summary": "Answer an inventory (.xlsx or .csv) as a city keeps it; the "
                    "answered workbook (or the page to print) back",
                    "parameters": [
                        profile,
                        lang,
                        {
                            "name": "sheet",
                            "in": "query",
                            "schema": {"type": "string"},
                            "description": "The sheet to read (default: the one with the list)",
                        },
                        {
                            "name": "guess",
                            "in": "query",
                            "schema": {"type": "boolean", "default": True},
                            "description": "Presume facts from project names and summaries",
                        },
                        {
                            "name": "format",
                            "in": "query",
                            "schema": {
                                "type": "string",
                                "enum": ["xlsx", "html"],
                                "default": "xlsx",
                            },
                            "description": "The workbook, or a page to print (A4 landscape)",
                        },
                    ],
                    "requestBody": upload,
                    "responses": {
                        "200": {
                            "description": "The answered workbook, or the page to print",
                            "content": {
                                xlsx: {"schema": {"type": "string", "format": "binary"}},
                                "text/html": {"schema": {"type": "string"}},
                            },
                        },
                        **_errors(),
                    },
                }
            },
            "/api/documents/{document}": {
                "post": {
                    "summary": (
                        "Draft one of the three items (事前確認シート, 協働事業確認書, "
                        "ふりかえりシート) from a case, as a Word file; a field given as null "
                        "is a blank to fill in"
                    ),
                    "parameters": [
                        {
                            "name": "document",
                            "in": "path",
                            "required": True,
                            "schema": {
                                "type": "string",
                                "enum": list(DOCUMENTS),
                            },
                        },
                        profile,
                        lang,
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref("Case")}},
                    },
                    "responses": {
                        "200": {
                            "description": "The draft (.docx)",
                            "content": {docx: {"schema": {"type": "string", "format": "binary"}}},
                        },
                        **_errors(),
                    },
                }
            },
            "/api/rules": {
                "get": {
                    "summary": "Every rule in force under a profile, with its source",
                    "parameters": [profile, lang],
                    "responses": {
                        "200": {
                            "description": "The rules",
                            "content": {
                                "application/json": {
                                    "schema": {"type": "array", "items": {"type": "object"}}
                                }
                            },
                        },
                        **_errors(),
                    },
                }
            },
        },
    }
