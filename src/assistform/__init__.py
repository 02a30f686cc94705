"""assistform: a declarative GitOps reconciler for OpenAI Assistants."""

__version__ = "0.1.0"
