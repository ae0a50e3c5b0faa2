"""Stage 1, load and validate: mkdocs.yml, the catalogue and the attack patterns, read safely into frozen models."""
