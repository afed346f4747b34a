"""The shared core every area uses: settings, database, errors, messages, templating, security, forms.

The core imports no area.
"""
