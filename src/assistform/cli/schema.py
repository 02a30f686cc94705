"""`assistform schema`: the JSON Schema of the spec format, of a vector store spec, or of
assistform.yaml, for editors."""

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
@click.option(
    "--vector-store",
    "of_vector_store",
    is_flag=True,
    help="The schema of a vector store spec (vector_stores/*.yaml) instead of an assistant's.",
)
def schema(of_config: bool, of_vector_store: bool) -> None:
    """Print the JSON Schema of an assistant spec, of a vector store spec (--vector-store) or
    of assistform.yaml (--config), for yaml-language-server."""
    if of_config and of_vector_store:
        raise click.UsageError("give --config or --vector-store, not both")
    if of_config:
        from assistform.config_schema import config_json_schema

        document = config_json_schema()
    elif of_vector_store:
        from assistform.spec.jsonschema import vector_store_json_schema

        document = vector_store_json_schema()
    else:
        from assistform.spec.jsonschema import spec_json_schema

        document = spec_json_schema()
    click.echo(json.dumps(document, indent=2, sort_keys=True))
