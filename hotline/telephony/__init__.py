"""Twilio at the edge: webhook signatures, TwiML builders, and the gateway for outgoing SMS and calls."""
