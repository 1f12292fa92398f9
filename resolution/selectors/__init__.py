"""Reads of the resolution app, by audience: borrower, creditor, ombudsman."""
