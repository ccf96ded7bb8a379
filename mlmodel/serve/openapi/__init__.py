"""The OpenAPI 3.1 document of a served model (``GET /openapi.json``, ``mlmodel openapi``):
:func:`openapi_document` of the :class:`ModelFacts` read from the model's files."""

from mlmodel.serve.openapi.document import document_bytes, openapi_document
from mlmodel.serve.openapi.facts import ModelFacts

__all__ = ["ModelFacts", "document_bytes", "openapi_document"]
