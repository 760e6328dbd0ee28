"""Outgoing webhooks to agencies: the outbox written with each referral change, signing with the
Standard Webhooks scheme, delivery with retries by the worker, the delivery log and replays."""
