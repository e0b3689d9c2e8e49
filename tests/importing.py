"""What the import tests share: uploading a file on the admin's import page, confirming its
preview, and reading the preview's rows."""

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from .helpers import body

FORMAT_CSV, FORMAT_XLSX = "0", "1"
NEW_ORGANISATION = (
    b"slug,acronym,name,kind,relationship\n"
    b"emso,EMSO,Example Maritime Safety Organisation,intergovernmental,exploring\n"
)


def import_url(model_name, step="import"):
    return reverse(f"admin:partnerships_{model_name}_{step}")


def download(client, url):
    """The CSV download of a public register, as rows of dicts."""
    client.logout()
    response = client.get(url, {"format": "csv"})
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(body(response).lstrip("\ufeff"))))


def as_csv(rows):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


def preview(client, model_name, content, name="upload.csv", fmt=FORMAT_CSV, **extra):
    upload = SimpleUploadedFile(name, content)
    return client.post(import_url(model_name), {"import_file": upload, "format": fmt, **extra})


def confirm(client, model_name, response):
    form = response.context["confirm_form"]
    data = {name: form[name].value() for name in form.fields}
    data = {name: ("on" if value is True else value) for name, value in data.items() if value not in (None, False)}
    return client.post(import_url(model_name, "process_import"), data)


def row_types(response):
    return [row.import_type for row in response.context["result"].rows]


def row_errors(response):
    """{row number: {column: [messages]}} of the preview's invalid rows."""
    return {
        row.number: {field: [str(m) for m in messages] for field, messages in row.error_dict.items()}
        for row in response.context["result"].invalid_rows
    }
