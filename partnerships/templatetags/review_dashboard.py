"""The review dashboard on the admin index (templates/admin/index.html)."""

from django import template

from partnerships import review

register = template.Library()


@register.inclusion_tag("admin/partnerships/review_dashboard.html", takes_context=True)
def review_dashboard(context):
    return {"items": review.dashboard(context["request"].user)}
