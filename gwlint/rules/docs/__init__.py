"""The rules' docs: for each family (one module each, named as in ``base.DOCS_MODULES``) a
``DOCS`` dict, code -> ``RuleDocs`` (Why, Example, Fix, References, Claims).

Kept apart from the rules so that ``gwlint check`` never builds them: ``Rule.why`` and the
others import the family's module on first use (``gwlint rule``, the generated pages, SARIF's
help, the tests of the Examples and Fixes).
"""
