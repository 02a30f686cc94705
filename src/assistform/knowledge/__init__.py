"""Knowledge as code: the files an assistant reads and the vector stores it searches, kept
in the repository and reconciled like the assistants (issue 13).

The same pipeline as assistants, one module per stage:

- `desired`: what the repository asks for (`vector_stores/*.yaml`, the files assistant
  specs name), built by the spec loader; a file's identity is its path and its content.
- `live`: what a server holds (files, vector stores, their files), built by the API
  client (`api.knowledge`), plain data for the planner.
- `refs`: how an assistant's request names an id that only apply will know (a file still
  to upload, a vector store still to create).
- `api`: the small interface plan and apply use to reach `/v1/files` and
  `/v1/vector_stores`.

The state records what was uploaded and attached (`state.FileRecord`,
`state.VectorStoreRecord`, `state.UploadIntent`), and the plan carries `FileChange`s and
`VectorStoreChange`s beside the assistants' `ResourceChange`s (`plan.model`).
"""
