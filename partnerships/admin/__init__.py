"""The staff admin: where editors keep the registry current.

One module per concern: ``base`` (what every model's admin shares), ``conflicts`` (simultaneous
edits), ``publishing`` (the publish permission and records that stay whole), ``history`` (the
readable edit history), ``importing`` (bulk import from spreadsheets), ``errors`` (the admin's
own 403 and 404 pages), ``records`` (each model's lists and forms) and ``provenance``
(citations and dated facts).
"""

from django.contrib import admin

from .base import RECORD_KEEPING, RegistryAdmin
from .conflicts import VersionedAdminMixin, VersionedForm, edit_conflict_message
from .provenance import CitationAdmin, CitationForm, CitationInline, DatedFactAdmin, DatedFactInline
from .publishing import PublishActionsMixin, can_publish
from .records import (
    AgreementAdmin,
    AgreementInline,
    CooperationActivityAdmin,
    CooperationAreaAdmin,
    OrganisationAdmin,
    RegionAdmin,
    SourceDocumentAdmin,
)

admin.site.site_header = "Partnerships registry"
admin.site.site_title = "Partnerships registry staff"
admin.site.index_title = "Registry administration"
# The lists need the width: the models are one click away in the breadcrumbs and on the index.
admin.site.enable_nav_sidebar = False

__all__ = [
    "RECORD_KEEPING",
    "AgreementAdmin",
    "AgreementInline",
    "CitationAdmin",
    "CitationForm",
    "CitationInline",
    "CooperationActivityAdmin",
    "CooperationAreaAdmin",
    "DatedFactAdmin",
    "DatedFactInline",
    "OrganisationAdmin",
    "PublishActionsMixin",
    "RegionAdmin",
    "RegistryAdmin",
    "SourceDocumentAdmin",
    "VersionedAdminMixin",
    "VersionedForm",
    "can_publish",
    "edit_conflict_message",
]
