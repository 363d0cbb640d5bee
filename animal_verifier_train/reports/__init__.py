"""Publishing the figures the workflow writes into git-ignored training/ as small committed files in reports/
(`spacy project run report`): each with the date, the machine, the commit measured and the command."""
