"""Number formats for Simplified Chinese that override Django's (which has no thousands separator
and groups by four): Chinese business documents, payslips and spreadsheets write 30,000,000.
Only these two names are set; dates and everything else come from Django's zh_Hans formats."""

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
