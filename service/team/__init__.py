"""A CS team on one queue: named agents and the cases they claim."""
