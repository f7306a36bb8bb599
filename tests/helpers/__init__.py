"""Testing helpers in one place: repository recipes, the installed command, the AWS emulator, sample results."""
