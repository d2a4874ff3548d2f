"""NPO法人 eligibility: a second, smaller rule set with its own result."""
