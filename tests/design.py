"""The vocabularies the public contract fixes (docs/contract.md): slugs that links and the fixtures rely on."""

AREA_SLUGS = [
    "return",
    "international-protection",
    "fundamental-rights",
    "cross-border-crime",
    "border-management",
    "capacity-building",
    "irregular-migration",
    "migrant-smuggling",
    "trafficking-in-human-beings",
    "terrorism",
    "document-fraud",
    "coast-guard",
    "health-at-borders",
    "risk-analysis",
]

ORGANISATION_SLUGS = ["unhcr", "iom", "unodc", "interpol", "osce", "odihr", "coe", "maoc-n", "imo", "who"]
