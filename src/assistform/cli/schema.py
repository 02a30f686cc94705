"""`assistform schema`: the JSON Schema of the spec format, or of assistform.yaml, for editors."""

from __future__ import annotations

import json

import click


@click.command()
@click.option(
    "--config",
    "of_config",
    is_flag=True,
    help="The schema of assistform.yaml instead of a spec's.",
)
def schema(of_config: bool) -> None:
    """Print the JSON Schema of a spec file, or of assistform.yaml (for yaml-language-server)."""
    if of_config:
        from assistform.config_schema import config_json_schema

        document = config_json_schema()
    else:
        from assistform.spec.jsonschema import spec_json_schema

        document = spec_json_schema()
    click.echo(json.dumps(document, indent=2, sort_keys=True))
