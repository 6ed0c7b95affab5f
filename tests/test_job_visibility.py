"""A job is followed by the person who started it, with one rule for the API and the UI
(``core.selectors.jobs_of``): someone else's job answers 404 everywhere, the same as a job
that does not exist, whatever the other person's role."""

from __future__ import annotations

import pytest
from django.test import Client

from tradelane.accounts import roles
from tradelane.core import selectors
from tradelane.core.errors import NotFound
from tradelane.core.models import Job
from tradelane.integrations.spreadsheets import services as sheets

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_user):
    from tradelane.accounts.models import User

    return {
        "owner": make_user(roles.CUSTOMER_SERVICE, "owner"),
        "colleague": make_user(roles.CUSTOMER_SERVICE, "colleague"),
        "boss": make_user(roles.BOSS, "boss"),
        "admin": make_user(roles.ADMIN, "admin_role"),
        "root": User.objects.create_superuser("root", "root@example.com", "pw-Test-123"),
    }


@pytest.fixture
def job(people):
    return Job.objects.create(
        kind=sheets.JOB_KIND, status=Job.Status.RUNNING, total=2, done=1,
        created_by=people["owner"], params={"content": "buyer,phone\nJane Doe,+1 650 253 0000\n"},
    )  # fmt: skip


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_owner_follows_their_job_in_the_api_and_both_pages(people, job):
    owner = _client(people["owner"])
    assert owner.get(f"/api/v1/jobs/{job.pk}").json()["id"] == job.pk
    assert owner.get(f"/jobs/{job.pk}/").status_code == 200
    assert owner.get(f"/io/jobs/{job.pk}/").status_code == 200


@pytest.mark.parametrize("who", ["colleague", "boss", "admin"])
def test_someone_elses_job_is_not_found_in_the_api_and_both_pages(people, job, who):
    client = _client(people[who])
    r = client.get(f"/api/v1/jobs/{job.pk}")
    assert (r.status_code, r.json()["code"]) == (404, "job_not_found")
    # the order workbench's job page showed it to anyone who may view orders
    assert client.get(f"/jobs/{job.pk}/", HTTP_HX_REQUEST="true").status_code == 404
    assert client.get(f"/io/jobs/{job.pk}/").status_code == 404  # was 403: said it exists
    missing = job.pk + 1000
    assert client.get(f"/api/v1/jobs/{missing}").status_code == 404
    assert client.get(f"/jobs/{missing}/").status_code == 404


def test_the_selector_is_the_one_rule(people, job):
    assert list(selectors.jobs_of(people["owner"])) == [job]
    assert list(selectors.jobs_of(people["colleague"])) == []
    assert list(selectors.jobs_of(people["root"])) == [job]  # a superuser sees every job
    assert list(selectors.jobs_of(None)) == []
    assert selectors.job_for(people["owner"], job.pk, kind=sheets.JOB_KIND) == job
    with pytest.raises(NotFound):
        selectors.job_for(people["owner"], job.pk, kind="orders.import")
    with pytest.raises(NotFound):
        selectors.job_for(people["colleague"], job.pk)
    root = _client(people["root"])
    assert root.get(f"/api/v1/jobs/{job.pk}").status_code == 200
    assert root.get(f"/jobs/{job.pk}/").status_code == 200
