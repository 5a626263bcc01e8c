# Sphinx configuration.  The docs build without the compiled extension (autodoc is not used yet;
# the API reference will be generated from the typed stubs).
project = "htcondor-pybind"
author = "htcondor-pybind developers"
extensions: list[str] = []
exclude_patterns = ["_build"]
html_theme = "alabaster"
