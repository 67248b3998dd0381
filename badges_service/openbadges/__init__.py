"""The pure standards core: Open Badges 3.0 / 2.0 documents, JSON-LD contexts, RDF canonicalisation,
Data Integrity proofs, DIDs. No Django import here; keys, clocks and resolvers are passed in.
"""
