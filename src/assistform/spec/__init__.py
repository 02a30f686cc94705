"""Specs: one YAML file per assistant, loaded with the source position of every value."""
