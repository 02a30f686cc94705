"""`assistform schema`: the JSON Schema of the spec format, for editors."""

from __future__ import annotations

import json

import click

from assistform.spec.jsonschema import spec_json_schema


@click.command()
def schema() -> None:
    """Print the JSON Schema of a spec file (for yaml-language-server)."""
    click.echo(json.dumps(spec_json_schema(), indent=2, sort_keys=True))
