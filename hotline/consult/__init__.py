"""Counsel requests and consultations: the liaison portal, lawyers' consultations, batch allocation."""
