"""The pure decision module: facts in, decision out.

Imports nothing from the web, GraphQL or database layers. "now" is always passed in
and platform parameters come from :mod:`service.decision.policy`, so the same facts
and the same time always give the same decision.
"""
