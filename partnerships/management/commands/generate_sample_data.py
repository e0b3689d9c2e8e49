"""Fill the database with realistic random records, for load tests and benchmarks.

    python manage.py generate_sample_data --organisations 2000 --agreements 10000 --activities 100000

The records are added on top of whatever the database holds: the shipped fixture records
are never changed, and generated activities only ever name generated organisations as
partners, so the pages of the real organisations stay as the source text has them. The
controlled vocabularies (areas, regions) must be loaded first, from the shipped fixtures.

Everything is written with ``bulk_create`` (rows and many-to-many link rows alike) inside
one transaction, a block of activities at a time so that memory stays flat; the search index
is then built in one pass.

Published records get public dates spread over the last three years and the change log the
entries that would have written them: their publication, and for some a later change (of
the status, or an organisation's summary). Unpublished ones get neither, as in the registry.
"""

import datetime
import itertools
import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from partnerships.models import (
    Agreement,
    Citation,
    CooperationActivity,
    CooperationArea,
    Organisation,
    PublicChange,
    Region,
    RegistryVersion,
    SourceDocument,
)
from partnerships.search import index as search_index

# Activities are built and written this many at a time.
BLOCK_SIZE = 5000
UNPUBLISHED_SHARE = 0.1
# Published records are dated within the last three years; this share changed since.
PUBLIC_SECONDS = 3 * 365 * 24 * 3600
CHANGED_SHARE = 0.4

ORGANISATION_SCOPES = [
    "International",
    "European",
    "Regional",
    "Global",
    "Mediterranean",
    "Baltic",
    "Atlantic",
    "African",
    "Pan-European",
    "Danube",
    "Black Sea",
    "Nordic",
    "Adriatic",
    "Euro-Asian",
]
ORGANISATION_SUBJECTS = [
    "Maritime Safety",
    "Police Cooperation",
    "Migration Policy",
    "Customs Cooperation",
    "Border Security",
    "Civil Aviation",
    "Human Rights",
    "Drug Control",
    "Coast Guard Functions",
    "Document Security",
    "Public Health",
    "Refugee Support",
    "Criminal Justice",
    "Crisis Response",
    "Law Enforcement Training",
    "Forensic Science",
    "Child Protection",
    "Humanitarian Assistance",
    "Fisheries Control",
    "Cybercrime",
]
ORGANISATION_TYPES = [
    "Organisation",
    "Agency",
    "Office",
    "Centre",
    "Network",
    "Forum",
    "Commission",
    "Institute",
    "Council",
    "Bureau",
    "Initiative",
    "Secretariat",
]
SMALL_WORDS = {"of", "for", "on", "the", "and", "in"}
HEADQUARTERS = [
    ("Geneva", "Switzerland"),
    ("Vienna", "Austria"),
    ("Brussels", "Belgium"),
    ("The Hague", "Netherlands"),
    ("Lisbon", "Portugal"),
    ("Rome", "Italy"),
    ("Warsaw", "Poland"),
    ("Strasbourg", "France"),
    ("Lyon", "France"),
    ("Copenhagen", "Denmark"),
    ("Valletta", "Malta"),
    ("Athens", "Greece"),
    ("Tallinn", "Estonia"),
    ("Bucharest", "Romania"),
    ("Ljubljana", "Slovenia"),
    ("Madrid", "Spain"),
    ("London", "United Kingdom"),
    ("New York", "United States"),
    ("Nairobi", "Kenya"),
    ("Rabat", "Morocco"),
]

ACTIONS = [
    "Joint training on",
    "Exchange of information on",
    "Pilot project on",
    "Workshop series on",
    "Technical assistance for",
    "Study visits on",
    "Operational support for",
    "Expert network on",
    "Capacity building in",
    "Common handbook on",
    "Joint analysis of",
    "Awareness campaign on",
    "Data exchange on",
    "Mentoring programme on",
]
# What an activity in each area is about; titles pick a topic of one of the activity's areas.
TOPICS = {
    "return": ["voluntary return counselling", "forced-return monitoring", "reintegration support", "return flights"],
    "international-protection": ["asylum screening", "identification of protection needs", "referral mechanisms"],
    "fundamental-rights": ["fundamental rights monitoring", "complaints mechanisms", "rights-based border checks"],
    "cross-border-crime": ["cross-border crime prevention", "stolen vehicle detection", "firearms trafficking"],
    "border-management": ["integrated border management", "border surveillance", "border crossing point checks"],
    "capacity-building": ["trainer development", "curriculum design for border guards", "language training"],
    "irregular-migration": ["irregular migration trends", "secondary movements", "visa overstay detection"],
    "migrant-smuggling": ["migrant smuggling networks", "financial investigations into smuggling"],
    "trafficking-in-human-beings": ["identification of trafficking victims", "unaccompanied minors at borders"],
    "terrorism": ["foreign terrorist fighters", "watch-list checks", "travel pattern analysis"],
    "document-fraud": ["document fraud detection", "reference documents", "impostor detection"],
    "coast-guard": ["coast guard functions", "vessel registration checks", "seafarers' certification"],
    "health-at-borders": ["health screening at borders", "infection prevention for officers"],
    "risk-analysis": ["risk analysis methods", "early warning indicators", "joint threat assessments"],
}
GOALS = [
    "to align working methods",
    "to share good practice between officers",
    "to improve the quality of information exchanged",
    "to prepare joint operations",
    "to strengthen the partners' own capacities",
    "to protect vulnerable people at the borders",
    "to make border checks faster and safer",
    "to support national authorities on request",
]
FOLLOW_UPS = [
    "A steering group of the partners reviews progress twice a year.",
    "Results are reported to the management board.",
    "The partners share the cost of the meetings.",
    "Experts from the member states take part.",
    "The activity builds on earlier cooperation between the same partners.",
    "Participants receive a certificate recognised by the partners.",
]
SOURCES = [
    ("Sample annual activity report", "Sample data generator"),
    ("Sample programming document", "Sample data generator"),
    ("Sample cooperation review", "Sample data generator"),
    ("Sample management board decision", "Sample data generator"),
    ("Sample partnership strategy", "Sample data generator"),
]


AGREEMENT_NAMES = {Agreement.Kind.OTHER: "Agreement"}


def listing(words):
    """ "a", "a and b", "a, b and c"."""
    words = list(words)
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


class Cycle:
    """Hands out the values of a vocabulary in shuffled rounds.

    Every value is used once the number of draws reaches the size of the vocabulary, which
    a purely random choice would not guarantee in a small sample; consecutive draws are
    distinct, so several draws make a set without duplicates.
    """

    def __init__(self, rng, values):
        self.rng = rng
        self.values = list(values)
        self.queue = []

    def take(self, count=1):
        drawn = []
        while len(drawn) < count:
            if not self.queue:
                self.queue = self.rng.sample(self.values, len(self.values))
            value = self.queue.pop()
            if value not in drawn:
                drawn.append(value)
        return drawn

    def one(self):
        return self.take(1)[0]


class Generator:
    def __init__(self, seed, say):
        self.rng = random.Random(seed)
        self.say = say
        self.areas = list(CooperationArea.objects.order_by("pk"))
        self.regions = list(Region.objects.order_by("pk"))
        if not self.areas or not self.regions:
            raise CommandError(
                "The cooperation areas and regions are missing: load them first with "
                "'python manage.py loaddata fixtures/registry.json'."
            )
        self.area_cycle = Cycle(self.rng, self.areas)
        self.region_cycle = Cycle(self.rng, self.regions)
        self.now = timezone.now()

    # Small helpers -------------------------------------------------------------------

    def unpublished(self, count):
        """The indexes of the records to leave unpublished: about one in ten, at least one."""
        share = round(count * UNPUBLISHED_SHARE) or (1 if count > 1 else 0)
        return set(self.rng.sample(range(count), share))

    def how_many(self, weights):
        """1, 2, 3... drawn with the given weights."""
        return self.rng.choices(range(1, len(weights) + 1), weights=weights)[0]

    def date_between(self, first_year, last_year):
        start = datetime.date(first_year, 1, 1)
        days = (datetime.date(last_year, 12, 31) - start).days
        return start + datetime.timedelta(days=self.rng.randrange(days + 1))

    def later(self, day, min_days, max_days):
        return day + datetime.timedelta(days=self.rng.randint(min_days, max_days))

    def topic(self, areas):
        return self.rng.choice(TOPICS.get(areas[0].slug, ["cooperation"]))

    def date_publication(self, record):
        """When a published record was first published and last changed in public."""
        if not record.is_published:
            return
        record.published_at = self.now - datetime.timedelta(seconds=self.rng.randrange(PUBLIC_SECONDS))
        record.public_changed_at = record.published_at
        if self.rng.random() < CHANGED_SHARE:
            later = datetime.timedelta(seconds=self.rng.randrange(PUBLIC_SECONDS // 3))
            record.public_changed_at = min(self.now, record.published_at + later)

    def log_publications(self, records, record_field, changed_field, values):
        """The change log's entries for the records' public dates (bulk_create sends no signals)."""
        entries = []
        for record in records:
            if record.published_at is None:
                continue
            entries.append(PublicChange(changed_at=record.published_at, kind="published", **{record_field: record}))
            if record.public_changed_at != record.published_at:
                after = getattr(record, changed_field)
                before = self.rng.choice([value for value in values if value != after] or [""])
                entries.append(
                    PublicChange(
                        changed_at=record.public_changed_at,
                        kind="changed",
                        fields=[{"field": changed_field, "before": before, "after": after}],
                        **{record_field: record},
                    )
                )
        PublicChange.objects.bulk_create(entries)

    # Records -------------------------------------------------------------------------

    def sources(self):
        documents = []
        for title, publisher in SOURCES:
            document, _ = SourceDocument.objects.get_or_create(
                slug=slugify(title), defaults={"title": title, "publisher": publisher, "is_published": True}
            )
            documents.append(document)
        return documents

    def organisation_names(self, count):
        """``count`` names that no organisation has yet (names are unique in any case)."""
        taken = {name.lower() for name in Organisation.objects.values_list("name", flat=True)}
        combinations = list(itertools.product(ORGANISATION_SCOPES, ORGANISATION_SUBJECTS, ORGANISATION_TYPES))
        self.rng.shuffle(combinations)
        for number in itertools.count():
            for scope, subject, kind in combinations:
                if count == 0:
                    return
                name = f"{scope} {subject} {kind}"
                name = name if number == 0 else f"{name} {number + 1}"
                if name.lower() in taken:
                    continue
                count -= 1
                yield name

    def acronym(self, name, taken):
        initials = "".join(word[0] for word in name.replace("-", " ").split() if word.lower() not in SMALL_WORDS)
        acronym = initials.upper()
        for suffix in itertools.count(2):
            if acronym.lower() not in taken:
                break
            acronym = f"{initials.upper()}-{suffix}"
        taken.add(acronym.lower())
        return acronym

    def organisations(self, count, sources):
        taken = {slug.lower() for slug in Organisation.objects.values_list("slug", flat=True)}
        taken |= {acronym.lower() for acronym in Organisation.objects.values_list("acronym", flat=True)}
        kinds = Cycle(self.rng, Organisation.Kind.values)
        relationships = Cycle(self.rng, Organisation.Relationship.values)
        hidden = self.unpublished(count)
        records, area_lists = [], []
        for index, name in enumerate(self.organisation_names(count)):
            acronym = self.acronym(name, taken)
            slug = slugify(acronym)
            city, country = self.rng.choice(HEADQUARTERS)
            areas = self.area_cycle.take(self.how_many([30, 35, 20, 10, 5]))
            relationship = relationships.one()
            records.append(
                Organisation(
                    name=name,
                    acronym=acronym,
                    slug=slug,
                    kind=kinds.one(),
                    relationship=relationship,
                    headquarters_city=city,
                    headquarters_country=country,
                    website=f"https://{slug}.example.org",
                    summary=(
                        f"The {acronym} works on {listing(area.name.lower() for area in areas)}. "
                        f"{Organisation.Relationship(relationship).label} with the agency."
                    ),
                    is_published=index not in hidden,
                )
            )
            self.date_publication(records[-1])
            area_lists.append(areas)
        # Institutions belong to another organisation, which must exist first.
        others = [o for o in records if o.kind != Organisation.Kind.INSTITUTION]
        institutions = [o for o in records if o.kind == Organisation.Kind.INSTITUTION]
        Organisation.objects.bulk_create(others)
        for institution in institutions:
            institution.parent = self.rng.choice(others) if others else None
        Organisation.objects.bulk_create(institutions)
        Citation.objects.bulk_create(
            Citation(
                organisation_id=organisation.pk,
                source=self.rng.choice(sources),
                passage=f"The agency cooperates with the {organisation.name} ({organisation.acronym}).",
            )
            for organisation in records
        )
        Organisation.areas.through.objects.bulk_create(
            Organisation.areas.through(organisation_id=organisation.pk, cooperationarea_id=area.pk)
            for organisation, areas in zip(records, area_lists, strict=True)
            for area in areas
        )
        self.log_publications(records, "organisation", "summary", ["The organisation's earlier description."])
        return records

    def agreements(self, count, organisations):
        kinds = Cycle(self.rng, Agreement.Kind.values)
        statuses = Cycle(self.rng, Agreement.Status.values)
        hidden = self.unpublished(count)
        records, area_lists = [], []
        for index in range(count):
            organisation = self.rng.choice(organisations)
            kind, status = kinds.one(), statuses.one()
            areas = self.area_cycle.take(self.how_many([50, 35, 15]))
            signed_on = in_force_from = expires_on = None
            if status != Agreement.Status.UNDER_NEGOTIATION and self.rng.random() < 0.85:
                signed_on = self.date_between(1998, 2025)
                in_force_from = self.later(signed_on, 0, 180) if self.rng.random() < 0.7 else None
                if status != Agreement.Status.IN_FORCE or self.rng.random() < 0.3:
                    expires_on = self.later(signed_on, 365, 6 * 365)
            document_url = ""
            if self.rng.random() < 0.4:
                document_url = f"https://{organisation.slug}.example.org/agreements/{index + 1}"
            records.append(
                Agreement(
                    title=(
                        f"{AGREEMENT_NAMES.get(kind, Agreement.Kind(kind).label)} between the agency and the "
                        f"{organisation.acronym} "
                        f"on {self.topic(areas)}"
                    ),
                    organisation=organisation,
                    kind=kind,
                    status=status,
                    signed_on=signed_on,
                    in_force_from=in_force_from,
                    expires_on=expires_on,
                    document_url=document_url,
                    summary=f"How the agency and the {organisation.acronym} cooperate {self.rng.choice(GOALS)}.",
                    is_published=index not in hidden,
                )
            )
            self.date_publication(records[-1])
            area_lists.append(areas)
        Agreement.objects.bulk_create(records)
        Agreement.areas.through.objects.bulk_create(
            Agreement.areas.through(agreement_id=agreement.pk, cooperationarea_id=area.pk)
            for agreement, areas in zip(records, area_lists, strict=True)
            for area in areas
        )
        # A superseded agreement is replaced by a later one with the same organisation.
        latest = {}
        replacing = []
        for agreement in records:
            earlier = latest.get(agreement.organisation_id)
            if earlier is not None and earlier.status == Agreement.Status.SUPERSEDED:
                agreement.supersedes = earlier
                replacing.append(agreement)
            latest[agreement.organisation_id] = agreement
        Agreement.objects.bulk_update(replacing, ["supersedes"])
        self.log_publications(records, "agreement", "status", Agreement.Status.values)
        return records

    def activities(self, count, organisations, agreements, sources):
        statuses = Cycle(self.rng, CooperationActivity.Status.values)
        # A few organisations are partners in many more activities than most, as in life.
        weights = list(itertools.accumulate(1 / (rank + 5) for rank in range(len(organisations))))
        agreements_of = {}
        for agreement in agreements:
            agreements_of.setdefault(agreement.organisation_id, []).append(agreement)
        slugs = set(CooperationActivity.objects.values_list("slug", flat=True))
        slug_counts = {}
        hidden = self.unpublished(count)
        Partner = CooperationActivity.partners.through
        Area = CooperationActivity.areas.through
        Place = CooperationActivity.regions.through
        for first in range(0, count, BLOCK_SIZE):
            block, links = [], []
            for index in range(first, min(first + BLOCK_SIZE, count)):
                drawn = self.rng.choices(organisations, cum_weights=weights, k=self.how_many([45, 30, 18, 7]))
                partners = list(dict.fromkeys(drawn))
                areas = self.area_cycle.take(self.how_many([35, 35, 20, 10]))
                regions = []
                # The first activities take every region, so that a small sample uses them all.
                if index < len(self.regions) or self.rng.random() < 0.6:
                    regions = self.region_cycle.take(min(self.how_many([70, 25, 5]), len(self.regions)))
                title = f"{self.rng.choice(ACTIONS)} {self.topic(areas)}"
                if regions:
                    region = regions[0]
                    article = "the " if region.kind == Region.Kind.REGION else ""
                    title += f" in {article}{region.name}"
                slug = self.unique_slug(title, slugs, slug_counts)
                starts_on = self.date_between(2015, 2027) if self.rng.random() < 0.6 else None
                ends_on = self.later(starts_on, 90, 4 * 365) if starts_on and self.rng.random() < 0.5 else None
                options = agreements_of.get(partners[0].pk)
                names = ", ".join(p.acronym for p in partners)
                source = self.rng.choice(sources) if self.rng.random() < 0.7 else None
                # Major priorities are rare, as in the real registry; the first activity is one.
                priority = "major" if index % 30 == 0 else "normal"
                block.append(
                    CooperationActivity(
                        title=title,
                        slug=slug,
                        summary=f"{title} with {names}, {self.rng.choice(GOALS)}. {self.rng.choice(FOLLOW_UPS)}",
                        status=statuses.one(),
                        priority=priority,
                        starts_on=starts_on,
                        ends_on=ends_on,
                        agreement=self.rng.choice(options) if options and self.rng.random() < 0.3 else None,
                        is_published=index not in hidden,
                    )
                )
                passage = f"Cooperation with {names} on {title[0].lower()}{title[1:]}."
                self.date_publication(block[-1])
                links.append((partners, areas, regions, source, passage))
            CooperationActivity.objects.bulk_create(block)
            self.log_publications(block, "activity", "status", CooperationActivity.Status.values)
            Citation.objects.bulk_create(
                Citation(activity_id=activity.pk, source=source, passage=passage)
                for activity, (*_, source, passage) in zip(block, links, strict=True)
                if source is not None
            )
            # Link rows are made with positional arguments in the link model's field order (id,
            # activity, other side): it skips the keyword handling that is a third of their cost.
            Partner.objects.bulk_create(
                Partner(None, activity.pk, partner.pk)
                for activity, (partners, *_) in zip(block, links, strict=True)
                for partner in partners
            )
            Area.objects.bulk_create(
                Area(None, activity.pk, area.pk)
                for activity, (_, areas, *_) in zip(block, links, strict=True)
                for area in areas
            )
            Place.objects.bulk_create(
                Place(None, activity.pk, region.pk)
                for activity, (_, _, regions, *_) in zip(block, links, strict=True)
                for region in regions
            )
            self.say(f"  {first + len(block)} activities")

    def unique_slug(self, title, taken, counts):
        base = slugify(title)[:100]
        number = counts.get(base, 1)
        slug = base
        while slug in taken:
            number += 1
            slug = f"{base}-{number}"
        counts[base] = number
        taken.add(slug)
        return slug


def speed_up_sqlite():
    """Settings for one bulk load on this connection: a large page cache for building the
    indexes, in-memory temporary tables, and no waiting for the disk on commit (a crash
    during the load loses the load, which is all it is)."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return  # SQLite refuses some of them inside a transaction (as in the test suite).
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size = -262144")  # 256 MiB
        cursor.execute("PRAGMA temp_store = MEMORY")
        cursor.execute("PRAGMA synchronous = OFF")


def analyse(models):
    """Refresh the planner's statistics, which the bulk load has made obsolete."""
    tables = set()
    for model in models:
        tables.add(model._meta.db_table)
        tables.update(field.remote_field.through._meta.db_table for field in model._meta.local_many_to_many)
    with connection.cursor() as cursor:
        for table in sorted(tables):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


class Command(BaseCommand):
    help = "Add random but plausible organisations, agreements and cooperation activities (for benchmarks)."

    def add_arguments(self, parser):
        parser.add_argument("--organisations", type=int, default=200, help="How many organisations to add.")
        parser.add_argument("--agreements", type=int, default=1000, help="How many agreements to add.")
        parser.add_argument("--activities", type=int, default=10000, help="How many cooperation activities to add.")
        parser.add_argument("--seed", type=int, default=1, help="Seed of the random choices (same seed, same data).")

    def handle(self, *args, organisations, agreements, activities, seed, **options):
        if min(organisations, agreements, activities) < 0:
            raise CommandError("The numbers of records cannot be negative.")
        if organisations == 0 and (agreements or activities):
            raise CommandError("Agreements and activities need organisations: give --organisations 1 or more.")

        def say(message):
            if options["verbosity"] > 0:
                self.stdout.write(message)

        started = time.monotonic()
        speed_up_sqlite()
        # The link rows are written directly, which the search index does not see: it is built
        # once, in bulk, at the end.
        with transaction.atomic(), search_index.deferred():
            generator = Generator(seed, say)
            sources = generator.sources()
            say(f"Adding {organisations} organisations...")
            new_organisations = generator.organisations(organisations, sources)
            say(f"Adding {agreements} agreements...")
            new_agreements = generator.agreements(agreements, new_organisations)
            say(f"Adding {activities} cooperation activities...")
            generator.activities(activities, new_organisations, new_agreements, sources)
            say("Building the search index...")
            # bulk_create sends no signals: tell the page caches the registry has changed.
            RegistryVersion.bump()
        analyse(
            [
                Organisation,
                Agreement,
                CooperationActivity,
                CooperationArea,
                Region,
                SourceDocument,
                Citation,
                PublicChange,
            ]
        )
        say(self.style.SUCCESS(f"Done in {time.monotonic() - started:.1f} s."))
