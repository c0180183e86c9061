"""The transcript tables, as versioned migrations (component `transcripts`).

messages       one row per recorded message: who, where, when, verdict, finding types, and the
               text (sealed under the conversation's data key when keys are configured)
conversations  one row per conversation: first/last message time, counts (kept across archiving)
participants   who spoke in a conversation, on which route (search by subject or route)
findings       finding types per conversation (search by type)
archives       archive files written, and `archive_members`: which conversations each holds
Times are integer microseconds since the epoch (UTC) in both dialects.
"""

from __future__ import annotations

from gateway.database import Migration

MESSAGES = "transcript_messages"
CONVERSATIONS = "transcript_conversations"
PARTICIPANTS = "transcript_participants"
FINDINGS = "transcript_findings"
ARCHIVES = "transcript_archives"
MEMBERS = "transcript_archive_members"

MIGRATIONS = (
    Migration(1, "transcripts", (
        f"CREATE TABLE {MESSAGES} (id TEXT PRIMARY KEY, conversation TEXT NOT NULL, ts_us {{bigint}} NOT NULL,"
        " route TEXT NOT NULL, direction TEXT NOT NULL, channel TEXT NOT NULL, subject TEXT NOT NULL,"
        " roles TEXT NOT NULL, verdict TEXT NOT NULL, findings TEXT NOT NULL, masked_types TEXT NOT NULL,"
        " field TEXT NOT NULL, request_id TEXT NOT NULL, mode TEXT NOT NULL, key_id TEXT,"
        " text {blob}, full_text {blob}, archived_in TEXT, restored_us {bigint})",
        f"CREATE INDEX {MESSAGES}_conversation ON {MESSAGES} (conversation, ts_us, id)",
        f"CREATE INDEX {MESSAGES}_subject ON {MESSAGES} (subject, ts_us)",
        f"CREATE INDEX {MESSAGES}_route ON {MESSAGES} (route, ts_us, id)",
        f"CREATE TABLE {CONVERSATIONS} (conversation TEXT PRIMARY KEY, first_us {{bigint}} NOT NULL,"
        " last_us {bigint} NOT NULL, messages {bigint} NOT NULL, blocked {bigint} NOT NULL)",
        f"CREATE INDEX {CONVERSATIONS}_last ON {CONVERSATIONS} (last_us, conversation)",
        f"CREATE TABLE {PARTICIPANTS} (conversation TEXT NOT NULL, subject TEXT NOT NULL, route TEXT NOT NULL,"
        " first_us {bigint} NOT NULL, last_us {bigint} NOT NULL, messages {bigint} NOT NULL,"
        " PRIMARY KEY (conversation, subject, route))",
        f"CREATE INDEX {PARTICIPANTS}_subject ON {PARTICIPANTS} (subject, conversation)",
        f"CREATE INDEX {PARTICIPANTS}_route ON {PARTICIPANTS} (route, conversation)",
        f"CREATE TABLE {FINDINGS} (conversation TEXT NOT NULL, type TEXT NOT NULL, count {{bigint}} NOT NULL,"
        " PRIMARY KEY (conversation, type))",
        f"CREATE INDEX {FINDINGS}_type ON {FINDINGS} (type, conversation)",
        f"CREATE TABLE {ARCHIVES} (id TEXT PRIMARY KEY, location TEXT NOT NULL, created_us {{bigint}} NOT NULL,"
        " rows {bigint} NOT NULL, first_us {bigint} NOT NULL, last_us {bigint} NOT NULL, sha256 TEXT NOT NULL)",
        f"CREATE TABLE {MEMBERS} (archive_id TEXT NOT NULL, conversation TEXT NOT NULL, route TEXT NOT NULL,"
        " rows {bigint} NOT NULL, first_us {bigint} NOT NULL, last_us {bigint} NOT NULL,"
        " PRIMARY KEY (archive_id, conversation, route))",
        f"CREATE INDEX {MEMBERS}_conversation ON {MEMBERS} (conversation)",
    )),
)

# The message columns, in the order rows are read, written, archived and restored.
COLUMNS = ("id", "conversation", "ts_us", "route", "direction", "channel", "subject", "roles", "verdict",
           "findings", "masked_types", "field", "request_id", "mode", "key_id", "text", "full_text",
           "archived_in", "restored_us")
SELECT = ", ".join(COLUMNS)
INSERT = (f"INSERT INTO {MESSAGES} ({SELECT}) VALUES ({', '.join(f'${i}' for i in range(1, len(COLUMNS) + 1))})"  # noqa: S608
          " ON CONFLICT (id) DO NOTHING")
