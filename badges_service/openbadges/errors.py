"""Errors of the standards core. Each carries a short ``code`` used in verification reports."""


class OpenBadgesError(Exception):
    code = "openbadges_error"

    def __init__(self, message: str, *, code: str | None = None):
        super().__init__(message)
        if code:
            self.code = code


class DocumentLoaderError(OpenBadgesError):
    """A JSON-LD document was requested that is not bundled: nothing is fetched at run time."""

    code = "context_not_bundled"


class CanonicalizationError(OpenBadgesError):
    code = "canonicalization_failed"


class MultibaseError(OpenBadgesError):
    code = "bad_multibase"


class DidError(OpenBadgesError):
    code = "bad_did"


class ProofError(OpenBadgesError):
    code = "bad_proof"
