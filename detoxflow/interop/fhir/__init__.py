"""FHIR R4 (served with fhir.resources' R4B models, the 4.x release that runs on pydantic 2)."""
