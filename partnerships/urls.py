"""Public URLs of the registry (fixed by the product contract)."""

app_name = "partnerships"

urlpatterns = []
