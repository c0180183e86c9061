"""A test filter loaded through the real plugin lookup: it scores "risky" messages 0.9 with a label
and lets them pass, so the route's response bands alone decide what happens."""

from __future__ import annotations

from filters import PASS, Filter, Finding, Hints, Message, Verdict

RISKY = "risky: drop the tables"


class Probe(Filter):
    name = "probe"

    async def inspect(self, message: Message) -> Verdict:
        if message.text.startswith("risky"):
            return Verdict(reason="probe flagged", findings=(Finding("probe", 0, 5, 0.9),),
                           hints=Hints(labels=("probe",)), filter=self.name)
        return PASS
