from tests.web.conftest import app, client  # noqa: F401 - the web fixtures, for the attacks below
