"""Intercepting mode: mitmproxy captures an app's traffic, the gateway's own pipeline judges it.

For legacy apps that call a chat API themselves and cannot be pointed at a reverse proxy: the app uses
`chatguard intercept` as its HTTP(S) proxy (or the traffic is redirected to it transparently). mitmproxy
(the `sidecar` extra) terminates the app's connections, TLS included with a CA the operator provides, and
the addon hands every flow to the gateway running in the same process. So routing (by the flow's host and
path), authentication, RBAC, codecs, filter chains, enforcement, audit and metrics are the aiohttp
gateway's, not a copy: a protection exists once.
"""
