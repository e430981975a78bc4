"""A case's classification: the fields the taxonomy's lists fill (`store.cases` edits
them, the desk shows them). A module of its own so the UI's first frame can name them
without loading the ORM or the config's models."""

CLASSIFICATION_FIELDS = ("department", "category", "theme", "action", "outcome")
