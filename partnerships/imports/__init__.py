"""Bulk import of the registers from CSV and Excel files in the columns of the public downloads:
the resources (resources.py), the columns' cells (columns.py) and the writes gathered for the
whole file (writes.py)."""

from .resources import AgreementResource, CooperationActivityResource, OrganisationResource

__all__ = ["AgreementResource", "CooperationActivityResource", "OrganisationResource"]
