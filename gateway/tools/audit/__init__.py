"""`chatguard audit-config`: a static security review of a config, one finding per problem."""

from gateway.tools.audit.findings import RULES, SEVERITIES, Finding, Rule, exit_status
from gateway.tools.audit.review import review, review_file

__all__ = ["RULES", "SEVERITIES", "Finding", "Rule", "exit_status", "review", "review_file"]
