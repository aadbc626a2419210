"""``gwlint check --fix``: the changes rules propose, made to the files.

- ``plan``: what a rule proposes, in the model's terms (set this app setting to that value, set
  or add this nginx directive); light, imported by the rule modules.
- ``resolve``: a plan made into ``Edit`` records (path, line, column, replacement) by the file
  editors ``nginx_text``, ``python_text``, ``ini_text`` and ``command_text``, or the reason it
  cannot be made ("not fixable automatically: ...").
- ``apply``: ``--fix``, ``--unsafe-fixes``, ``--diff``: edits applied in rounds until the findings
  are stable, in memory, then written atomically.
"""
