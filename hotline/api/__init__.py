"""The integration API (/api/v1) for other call centres: create a contact, read its status, who is on duty."""
