"""One exchange's payloads through the codec and the filter chain."""
