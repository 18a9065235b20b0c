"""What people read: a student's feedback page and the TA's class report, made from results.

Imports submission (headings, outcomes), sources and records; never grades.
"""
