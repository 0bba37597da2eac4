"""Paths shared by the client's tests (a module of its own: conftest is not for importing)."""

import os

TOOLS = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REPO = os.path.dirname(TOOLS)
STORE = os.path.join(REPO, "Embeddings", "glove-6B-50d-50k.h5")
CORPUS = os.path.join(REPO, "Corpora", "persuasion-paragraphs.jsonl")
