"""``gwlint diagnose``: from the 5xx in the logs to the cause, and to the config line behind it.

The data flows as in ``check``: ``reading`` turns log files into ``events.Event``s (one per line
that matters, streamed, in time order across files); ``causes`` joins each failed request with
what the app server logged around it on the same upstream and groups them into causes, with the
rule (or GW9xx code) that explains each; the report is written by ``reporters.diagnosis``.
"""
