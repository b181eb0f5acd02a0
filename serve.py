"""The server: the Streamlit app (app.py) with the HTTP routes and middleware of pages/components/web.py.

`streamlit run serve.py` (what `python3 dev.py run`, the tests and deploy/ start) finds the st.App
below and serves it; `python serve.py` does the same with Streamlit's default options.
"""

import streamlit as st
from starlette.middleware import Middleware

from pages.components import web

app = st.App(
    "app.py",
    routes=web.routes(),
    middleware=[Middleware(web.ProtectDownloads)],
    secrets=web.auth_secrets(),  # st.login's provider, when TRP_OIDC_METADATA_URL is set
)

if __name__ == "__main__":
    app.run()
