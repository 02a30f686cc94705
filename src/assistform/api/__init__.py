"""The edge that talks to a server of the /v1/assistants contract, through the official SDK."""
