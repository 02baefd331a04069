"""edge's training recipe for its twin networks (models/recipe/README.md).

A package: run its scripts as modules from the models folder on the path,
for example ``PYTHONPATH=models /usr/bin/python3 -m recipe.train faces``.
"""
