"""Transcripts under policy: a sink after masking, SQLite/PostgreSQL stores, retention, archives, access.

Modules, in the order a message meets them: `config` (policies), `record`, `sink` (bounded
queue), `store` (+ `schema`, `sealing`), `retention` (+ `archive`), `queries` and `access`
(readers, export, erasure), `cli` (`chatguard transcripts ...`). Import what you need from
the module itself: this package does not pull them all in.
"""
